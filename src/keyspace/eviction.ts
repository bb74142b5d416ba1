/**
 * maxmemory (evict.c): when used memory is over the limit, delete keys
 * chosen by maxmemory-policy until it is not, before a command runs
 * (processCommand calls perform()), and tell processCommand whether memory
 * is still over so it can refuse commands that may grow it (-OOM).
 *
 * Choosing keys, as Redis does:
 *   - LRU, LFU and volatile-ttl sample maxmemory-samples keys of every db
 *     (all keys, or only those with a TTL for volatile-*) and keep the best
 *     16 candidates seen so far in a pool sorted by score, highest = evict
 *     first: idle seconds for LRU, 255 - decayed counter for LFU, the
 *     nearness of the expiry for volatile-ttl. The best candidate that still
 *     exists is evicted; the pool survives between calls, so its quality
 *     improves as it sees more keys.
 *   - the random policies take one key of the next non-empty db, round robin.
 * Redis samples with dictGetSomeKeys (random buckets); here the samples are
 * random keys of the db's KeyTable (uniform: a random dense position), from
 * the keys, or for a volatile policy from the expires table.
 *
 * Measuring memory (MemoryGauge below) is where a garbage-collected heap
 * differs from Redis's malloc counter; the reasoning is written there.
 */
import { performance, PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import type { Keyspace } from './keyspace.js';
import type { Database, Entry } from './database.js';
import type { KeyTable } from './key-table.js';
import { lfuDecrAndReturn, lfuMinutes, lruIdleSeconds } from './lfu.js';

export type MaxmemoryPolicy =
  | 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl'
  | 'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random' | 'noeviction';

/** performEvictions' EVICT_OK / EVICT_RUNNING / EVICT_FAIL. */
export type EvictResult = 'ok' | 'running' | 'fail';

/** What eviction needs to know of the server around the keyspace. */
export interface EvictionHost {
  /** isPerformEvictions: false while loading, on a replica ignoring maxmemory, while clients are paused. */
  mayEvict(): boolean;
  /** freeMemoryGetNotCountedMemory: the AOF buffer and replicas' output, which DELs make grow. */
  notCountedMemory(): number;
  /** Heap bytes of an empty server (used_memory_startup): not data, so not freed by evicting. */
  baselineMemory(): number;
  /** latencyAddSampleIfNeeded('eviction-cycle', ms). */
  latencySample(event: string, ms: number): void;
}

const POOL_SIZE = 16;
/** The old space's growth between major GCs while maxmemory is set (V8 picks 10% to 300% by itself). */
const HEAP_GROWING_PERCENT = 10;

interface PoolEntry {
  score: number;
  key: string | null;
  db: number;
}

/**
 * Used memory as the maxmemory check sees it.
 *
 * used = heapUsed + external, what INFO used_memory reports. Two things make
 * it unlike Redis's zmalloc counter:
 *
 * (a) Cost. process.memoryUsage() takes ~10 µs here (it reads the RSS too);
 *     v8.getHeapStatistics() gives the same two figures in <1 µs. Even that
 *     is several commands' worth, so the figure is sampled at most once per
 *     millisecond, on the clock call.ts already reads after each command (no
 *     extra clock read), and not at all while maxmemory is 0.
 *
 * (b) Deleting a key frees nothing until the garbage collector runs. An
 *     evicted key has usually lived long enough to be in old space, which
 *     only a major GC (mark-compact) reclaims, seconds apart under load. A
 *     loop "evict until used < maxmemory" would see no progress and evict
 *     everything. So every eviction is credited with an estimate of the bytes
 *     it will free (`freedSinceGc`), subtracted from the measured figure
 *     until a major GC is observed (a PerformanceObserver on 'gc' entries),
 *     when the measured figure has caught up and the credit restarts at 0.
 *
 * The estimate per key is the dataset's average: (used - credit - baseline)
 * / keys, with baseline the empty server's heap. The measured heap also holds
 * garbage not yet collected (overwritten values, request buffers), so the
 * average errs high: each eviction is credited a little more than it frees,
 * eviction stops a little early, and the next major GC shows the truth and
 * the next step evicts the rest. Erring this way the server may sit above
 * maxmemory for a GC cycle but never evicts the dataset away. The data share
 * is never taken below a quarter of the logical figure, so a baseline
 * measured high (startup garbage) cannot shrink the credit to nothing.
 */
export class MemoryGauge {
  private sampled = 0;
  private sampledAt = -Infinity;
  /** Bytes credited to evictions since the last major GC (mem_not_counted_for_evict shows it). */
  freedSinceGc = 0;
  majorGcs = 0;
  private observer: PerformanceObserver | null = null;

  /** Watches GCs only while maxmemory is set. */
  enable(on: boolean): void {
    if (on && this.observer === null) {
      // V8 lets old space grow by up to 4x its live size between major GCs;
      // a server at its memory limit wants the garbage back sooner (read by
      // V8 each time it sets the next GC's limit, so it applies from then).
      setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
      const obs = new PerformanceObserver((list) => this.onGc(list.getEntries()));
      obs.observe({ entryTypes: ['gc'] });
      this.observer = obs;
    } else if (!on && this.observer !== null) {
      setFlagsFromString('--heap-growing-percent=0'); // V8's default: its own growing factor
      this.observer.disconnect();
      this.observer = null;
      this.freedSinceGc = 0;
    }
  }

  private onGc(entries: PerformanceEntry[]): void {
    for (const e of entries) {
      // The 'gc' entry's detail (NodeGCPerformanceDetail), which this @types/node does not declare on PerformanceEntry.
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } | null }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        this.majorGcs++;
        this.freedSinceGc = 0;
        this.sampledAt = -Infinity;
      }
    }
  }

  /** heapUsed + external, at most one reading per millisecond of `now` (performance.now()). */
  used(now: number): number {
    if (now - this.sampledAt >= 1 || now < this.sampledAt) {
      const h = getHeapStatistics();
      this.sampled = h.used_heap_size + h.external_memory;
      this.sampledAt = now;
    }
    return this.sampled;
  }

  credit(bytes: number): void {
    this.freedSinceGc += bytes;
  }
}

/** evictionTimeLimitUs, in ms: 50 µs per tenacity step up to 10, then 15% more per step, unbounded at 100. */
export function evictionTimeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * Math.pow(1.15, tenacity - 10)) / 1000;
  return Infinity;
}

export class Evictor {
  /** Bytes; 0 disables everything here (the one check processCommand makes per command). */
  maxmemory = 0;
  policy: MaxmemoryPolicy = 'noeviction';
  /** The policy samples every key, not only those with a TTL (read once per sampled db, so not derived each time). */
  private allkeys = false;
  samples = 5;
  tenacity = 10;
  /** lazyfree-lazy-eviction: propagate UNLINK instead of DEL. */
  lazy = false;
  readonly gauge = new MemoryGauge();
  private readonly pool: PoolEntry[] = [];
  private nextDb = 0;
  /** evictionTimeProc: the step continues on the next turn of the loop. */
  private continuation: NodeJS.Immediate | null = null;
  /** stat_last_eviction_exceeded_time (performance.now() ms, 0 when not over) and the total. */
  private exceededSince = 0;
  private totalExceededMs = 0;

  constructor(private readonly ks: Keyspace, private readonly host: EvictionHost) {
    for (let i = 0; i < POOL_SIZE; i++) this.pool.push({ score: 0, key: null, db: 0 });
  }

  setMaxmemory(bytes: number): void {
    this.maxmemory = bytes;
    this.gauge.enable(bytes !== 0);
    if (bytes === 0) this.stopContinuation();
  }

  setPolicy(p: MaxmemoryPolicy): void {
    if (p === this.policy) return;
    this.policy = p;
    this.allkeys = p.startsWith('allkeys');
    this.ks.lfu = p === 'allkeys-lfu' || p === 'volatile-lfu';
    // Scores of different policies are not comparable.
    for (const e of this.pool) e.key = null;
  }

  /** The memory figure eviction compares with maxmemory: measured, less buffers and evictions not yet collected. */
  logicalUsed(now: number): number {
    const used = this.gauge.used(now);
    return Math.max(0, used - this.gauge.freedSinceGc - this.host.notCountedMemory());
  }

  /** mem_not_counted_for_evict */
  notCounted(): number {
    return this.gauge.freedSinceGc + this.host.notCountedMemory();
  }

  /** total_eviction_exceeded_time and current_eviction_exceeded_time, in ms. */
  exceededTimes(): { total: number; current: number } {
    const current = this.exceededSince !== 0 ? performance.now() - this.exceededSince : 0;
    return { total: Math.floor(this.totalExceededMs + current), current: Math.floor(current) };
  }

  /**
   * performEvictions. `now` is a recent performance.now() (the caller's
   * clock mark), used only to decide whether to re-read the heap.
   */
  perform(now: number): EvictResult {
    if (!this.host.mayEvict()) return 'ok';
    const used = this.gauge.used(now);
    if (used <= this.maxmemory) return this.finish('ok');
    const logical = this.logicalUsed(now);
    if (logical <= this.maxmemory) return this.finish('ok');
    if (this.policy === 'noeviction') return this.finish('fail');
    const toFree = logical - this.maxmemory;
    const keys = this.ks.totalKeys();
    if (keys === 0) return this.finish('fail');
    const data = Math.max(logical - this.host.baselineMemory(), logical / 4);
    const perKey = data / keys;
    const limitMs = evictionTimeLimitMs(this.tenacity);
    const start = performance.now();
    const random = this.policy === 'allkeys-random' || this.policy === 'volatile-random';
    let freed = 0;
    let evicted = 0;
    let result: EvictResult = 'ok';
    while (freed < toFree) {
      const pick = random ? this.pickRandom() : this.pickFromPool();
      if (pick === null) {
        result = 'fail';
        break;
      }
      this.ks.evict(pick, this.pickedKey, this.lazy);
      freed += perKey;
      evicted++;
      if (evicted % 16 === 0 && performance.now() - start > limitMs) {
        this.startContinuation();
        break;
      }
    }
    this.gauge.credit(freed);
    const ms = performance.now() - start;
    this.host.latencySample('eviction-cycle', ms);
    if (result !== 'fail') result = this.continuation !== null ? 'running' : 'ok';
    return this.finish(result);
  }

  /** update_metrics: how long memory has been over the limit. */
  private finish(result: EvictResult): EvictResult {
    if (result === 'ok') {
      if (this.exceededSince !== 0) {
        this.totalExceededMs += performance.now() - this.exceededSince;
        this.exceededSince = 0;
      }
    } else if (this.exceededSince === 0) {
      this.exceededSince = performance.now();
    }
    return result;
  }

  private startContinuation(): void {
    if (this.continuation !== null) return;
    this.continuation = setImmediate(() => {
      this.continuation = null;
      if (this.maxmemory !== 0) this.perform(performance.now());
    });
  }

  private stopContinuation(): void {
    if (this.continuation !== null) clearImmediate(this.continuation);
    this.continuation = null;
  }

  /** The key chosen by the last pick (the pick itself returns its db). */
  private pickedKey = '';

  private sampledMap(db: Database): KeyTable<unknown> {
    return this.allkeys ? db.keys : db.expires;
  }

  /**
   * evictionPoolPopulate for one db: `samples` keys drawn at random (possibly
   * the same twice) from the keys, or for a volatile policy from the keys
   * with a TTL, as Redis samples db->dict or db->expires. A draw is a
   * position in the table, so the key and its entry (or expiry) are read
   * there without a lookup.
   */
  private populate(db: Database, map: KeyTable<unknown>): void {
    const n = Math.min(this.samples, map.size);
    const ks = this.ks;
    const policy = this.policy;
    const nowMin = lfuMinutes(ks.lruClock);
    for (let i = 0; i < n; i++) {
      const pos = map.randomPosition();
      if (pos < 0) return;
      const key = map.keyAt(pos);
      let score: number;
      if (policy === 'volatile-ttl') {
        // The sooner it expires, the better a candidate.
        score = Number.MAX_SAFE_INTEGER - (map.valueAt(pos) as number);
      } else {
        const e = this.allkeys ? (map.valueAt(pos) as Entry) : db.keys.get(key);
        if (e === undefined) continue;
        score = ks.lfu ? 255 - lfuDecrAndReturn(e.lru, nowMin, ks.lfuDecayTime) : lruIdleSeconds(ks.lruClock, e.lru);
      }
      this.poolInsert(score, key, db.id);
    }
  }

  /**
   * Keeps the pool sorted by ascending score with empty slots at the end:
   * a candidate goes in when there is room or it beats the worst one, which
   * then drops out. As in Redis, a key sampled twice may be pooled twice
   * (comparing key strings cost more than the duplicate, which is skipped
   * once its key is gone).
   */
  private poolInsert(score: number, key: string, dbId: number): void {
    const pool = this.pool;
    let filled = 0;
    while (filled < POOL_SIZE && pool[filled].key !== null) filled++;
    if (filled === POOL_SIZE) {
      if (score <= pool[0].score) return;
      // Drop the worst (index 0): shift left up to the insertion point.
      let k = 0;
      while (k + 1 < POOL_SIZE && pool[k + 1].score < score) {
        const next = pool[k + 1];
        pool[k].score = next.score;
        pool[k].key = next.key;
        pool[k].db = next.db;
        k++;
      }
      pool[k].score = score;
      pool[k].key = key;
      pool[k].db = dbId;
      return;
    }
    // Room at the end: shift right from the insertion point.
    let k = filled;
    while (k > 0 && pool[k - 1].score >= score) {
      const prev = pool[k - 1];
      pool[k].score = prev.score;
      pool[k].key = prev.key;
      pool[k].db = prev.db;
      k--;
    }
    pool[k].score = score;
    pool[k].key = key;
    pool[k].db = dbId;
  }

  /** The best pooled key that still exists (sampling every db again while none does), or null: nothing to evict. */
  private pickFromPool(): Database | null {
    const dbs = this.ks.dbs;
    const pool = this.pool;
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const map = this.sampledMap(db);
        if (map.size !== 0) {
          this.populate(db, map);
          total += map.size;
        }
      }
      if (total === 0) return null;
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const key = pool[k].key;
        if (key === null) continue;
        const db = dbs[pool[k].db];
        pool[k].key = null;
        // Entries after k are empty now: keep the empty slots at the end.
        if (db !== undefined && this.sampledMap(db).has(key)) {
          this.pickedKey = key;
          return db;
        }
      }
    }
  }

  /** One key of the next db with candidates, round robin across dbs. */
  private pickRandom(): Database | null {
    const dbs = this.ks.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const j = ++this.nextDb % dbs.length;
      const db = dbs[j];
      const map = this.sampledMap(db);
      if (map.size === 0) continue;
      const pos = map.randomPosition();
      if (pos < 0) continue;
      this.pickedKey = map.keyAt(pos);
      return db;
    }
    return null;
  }
}
