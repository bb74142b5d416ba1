/**
 * serverCron's periodic jobs, run `hz` times a second: the cached clock and
 * LRU clock, Redis's adaptive active-expire cycle, idle-client timeouts, and
 * packing idle listpack values again (keyspace/idle-repack.ts).
 *
 * Active expiry (expire.c activeExpireCycle, slow mode): each run walks every
 * db's expires from where the last run stopped, 20 keys per round (scaled by
 * active-expire-effort), deleting the expired ones; it repeats a db while more
 * than 10% of the sample was expired and stops at 25% of the cron period.
 */
import type { Server } from './server.js';
import type { Database } from './keyspace/database.js';
import { clock } from './keyspace/clock.js';
import { IdleRepack } from './keyspace/idle-repack.js';

export class Cron {
  private timer: NodeJS.Timeout | null = null;
  private cursors = new Map<Database, Iterator<[string, number]>>();
  private currentDb = 0;
  activeExpireEnabled = true;
  private runs = 0;
  /** trackInstantaneousMetric: 16 samples, taken every 100 ms, for ops/sec and net kbps. */
  readonly metrics = {
    ops: new InstantMetric(),
    netInput: new InstantMetric(),
    netOutput: new InstantMetric(),
  };
  private lastMetricsAt = 0;
  /** Packs idle listpack hashes and sorted sets again (keyspace/idle-repack.ts). */
  private readonly idleRepack: IdleRepack;
  /** used_memory_peak, sampled here and by INFO. */
  memoryPeak = 0;

  constructor(private readonly server: Server) {
    this.idleRepack = new IdleRepack(server.ks);
    server.config.watch('hz', () => {
      if (this.timer) {
        this.stop();
        this.start();
      }
    });
  }

  start(): void {
    const hz = Math.max(1, Math.min(500, this.server.config.num('hz')));
    this.timer = setInterval(() => this.tick(), Math.floor(1000 / hz));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The timer is on (DEBUG PAUSE-CRON and a busy script stop it for a while). */
  get running(): boolean {
    return this.timer !== null;
  }

  tick(): void {
    const s = this.server;
    s.cachedNow = Date.now();
    s.ks.lruClock = Math.floor(s.cachedNow / 1000);
    this.runs++;
    if (s.cachedNow - this.lastMetricsAt >= 100) {
      this.lastMetricsAt = s.cachedNow;
      const st = s.stats;
      this.metrics.ops.sample(st.numCommands, s.cachedNow);
      this.metrics.netInput.sample(st.netInputBytes, s.cachedNow);
      this.metrics.netOutput.sample(st.netOutputBytes, s.cachedNow);
      if (this.runs % 10 === 0) {
        const m = process.memoryUsage();
        const used = m.heapUsed + m.external;
        if (used > this.memoryPeak) this.memoryPeak = used;
      }
    }
    // Clients paused by CLIENT PAUSE freeze the dataset: no active expiry meanwhile.
    if (this.activeExpireEnabled && !s.ks.isReplica && s.pauseType === 0) this.activeExpireCycle();
    if (this.runs % Math.max(1, s.config.num('hz')) === 0) {
      this.clientsTimeout();
      s.master.cron();
      s.replicaSide.cron();
    }
    s.heapGuard.update();
    this.idleRepack.step();
    s.rdb.cron();
    s.aof.cron();
    s.failover.update();
  }

  activeExpireCycle(): void {
    const s = this.server;
    const ks = s.ks;
    const effort = s.config.num('active-expire-effort') - 1;
    const perLoop = 20 + (20 / 4) * effort;
    const acceptableStale = 10 - effort;
    const hz = Math.max(1, s.config.num('hz'));
    const budgetMs = ((25 + 2 * effort) * 1000) / hz / 100;
    const start = Date.now();
    const dbs = ks.dbs;
    let sampledTotal = 0;
    let expiredTotal = 0;
    for (let n = 0; n < dbs.length; n++) {
      const db = dbs[this.currentDb % dbs.length];
      this.currentDb++;
      if (db.expires.size === 0) {
        db.avgTtl = 0;
        continue;
      }
      for (;;) {
        let sampled = 0;
        let expired = 0;
        let ttlSum = 0;
        let ttlSamples = 0;
        const now = clock.now();
        let it = this.cursors.get(db);
        if (!it) {
          it = db.expires.entries();
          this.cursors.set(db, it);
        }
        while (sampled < perLoop && sampled < db.expires.size) {
          const r = it.next();
          if (r.done) {
            it = db.expires.entries();
            this.cursors.set(db, it);
            break;
          }
          const [key, when] = r.value;
          sampled++;
          if (now > when && db.expires.get(key) === when) {
            ks.deleteExpired(db, key);
            expired++;
          } else if (when - now > 0) {
            ttlSum += when - now;
            ttlSamples++;
          }
        }
        if (ttlSamples > 0) {
          // db->avg_ttl: a running average, each sample weighing 2%.
          const avg = ttlSum / ttlSamples;
          db.avgTtl = db.avgTtl ? (db.avgTtl / 50) * 49 + avg / 50 : avg;
        }
        sampledTotal += sampled;
        expiredTotal += expired;
        if (Date.now() - start > budgetMs) {
          ks.stats.expiredTimeCapReached++;
          this.finish(start, sampledTotal, expiredTotal);
          return;
        }
        if (sampled === 0 || (expired * 100) / sampled <= acceptableStale) break;
      }
    }
    this.finish(start, sampledTotal, expiredTotal);
  }

  private finish(start: number, sampled: number, expired: number): void {
    const st = this.server.ks.stats;
    const perc = sampled ? expired / sampled : 0;
    st.expiredStalePerc = perc * 0.05 + st.expiredStalePerc * 0.95;
    st.expireCycleCpuMs += Date.now() - start;
  }

  /** Closes clients idle for longer than `timeout` seconds (not replicas, masters or blocked clients). */
  private clientsTimeout(): void {
    const s = this.server;
    const timeout = s.config.num('timeout');
    if (timeout <= 0) return;
    const now = Date.now();
    for (const c of s.clients.values()) {
      if (c.isMaster || c.monitor || c.blocked !== null || c.replicaInfo !== null) continue;
      if (now - c.lastInteraction > timeout * 1000) {
        s.log.verbose('Closing idle client');
        c.close();
      }
    }
  }
}

/** One instantaneous metric (server.inst_metric): the rate between consecutive samples, averaged. */
export class InstantMetric {
  private readonly samples = new Float64Array(16);
  private idx = 0;
  private lastValue = -1;
  private lastTime = 0;

  sample(value: number, now: number): void {
    if (this.lastValue >= 0) {
      const dt = now - this.lastTime;
      this.samples[this.idx] = dt > 0 ? ((value - this.lastValue) * 1000) / dt : 0;
      this.idx = (this.idx + 1) % this.samples.length;
    }
    this.lastValue = value;
    this.lastTime = now;
  }

  /** getInstantaneousMetric: the mean of the samples. */
  get(): number {
    let sum = 0;
    for (const v of this.samples) sum += v;
    return sum / this.samples.length;
  }
}
