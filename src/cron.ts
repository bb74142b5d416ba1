/**
 * serverCron's periodic jobs, run `hz` times a second: the cached clock and
 * LRU clock, Redis's adaptive active-expire cycle, idle-client timeouts.
 *
 * Active expiry (expire.c activeExpireCycle, slow mode): each run walks every
 * db's expires from where the last run stopped, 20 keys per round (scaled by
 * active-expire-effort), deleting the expired ones; it repeats a db while more
 * than 10% of the sample was expired and stops at 25% of the cron period.
 */
import type { Server } from './server.js';
import type { Database } from './keyspace/database.js';
import { clock } from './keyspace/clock.js';

export class Cron {
  private timer: NodeJS.Timeout | null = null;
  private cursors = new Map<Database, Iterator<[string, number]>>();
  private currentDb = 0;
  activeExpireEnabled = true;
  private runs = 0;

  constructor(private readonly server: Server) {
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

  tick(): void {
    const s = this.server;
    s.cachedNow = Date.now();
    s.ks.lruClock = Math.floor(s.cachedNow / 1000);
    this.runs++;
    if (this.activeExpireEnabled && !s.ks.isReplica) this.activeExpireCycle();
    if (this.runs % Math.max(1, s.config.num('hz')) === 0) this.clientsTimeout();
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
      if (db.expires.size === 0) continue;
      for (;;) {
        let sampled = 0;
        let expired = 0;
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
          if (now > when && db.keys.has(key)) {
            ks.deleteExpired(db, key);
            expired++;
          }
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
      if (c.isMaster || c.monitor) continue;
      if (now - c.lastInteraction > timeout * 1000) {
        s.log.verbose('Closing idle client');
        c.close();
      }
    }
  }
}
