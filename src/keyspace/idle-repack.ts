/**
 * Idle listpacks packed again. Once a command has read a listpack-encoded
 * hash or sorted set, Reddish holds it decoded (a Map of strings, or a
 * skiplist): about six times the bytes of its listpack for ten small fields.
 * Redis keeps such values as listpacks at all times. Here, each cron run
 * walks a few thousand keys and packs those left unread for IDLE_SECONDS
 * again, so keys that are read and then left alone cost about what they cost
 * in Redis; the next read decodes them (a few µs for a small value).
 *
 * Nothing observable changes: content, encoding, MEMORY USAGE, OBJECT
 * IDLETIME and TTLs stay as they are, and nothing is propagated or notified.
 * The walk pauses while a snapshot is written (its writer may hold a value's
 * structures across event-loop turns) and under an LFU policy (Entry.lru
 * then holds a counter, not an access time).
 */
import type { Keyspace } from './keyspace.js';
import type { Entry } from './database.js';
import type { KeyTable } from './key-table.js';
import { isString } from './value.js';
import { lruIdleSeconds } from './lfu.js';

/** How long a value must go unread before it is packed again. */
export const IDLE_SECONDS = 60;
/** Keys looked at per cron run: a full pass over 1M keys takes ~50 s at hz 10, for ~0.1 ms per run. */
const KEYS_PER_STEP = 2000;
/**
 * Time one cron run may spend packing (a 10-field hash takes ~4 µs): when
 * many values turn idle at once, as a minute after a bulk load, they are
 * packed ~250 per run instead of stalling the server.
 */
const BUDGET_MS = 1;

interface Walk {
  /** The table being walked: FLUSHDB and SWAPDB give a db another one. */
  map: KeyTable<Entry>;
  /** A table iterator goes on correctly across inserts, deletes and growth of its table. */
  it: Iterator<Entry>;
}

export class IdleRepack {
  private readonly walks: Array<Walk | undefined> = [];
  private dbIndex = 0;
  /** Values packed again since start. */
  total = 0;

  constructor(private readonly ks: Keyspace) {}

  /** One cron run's share of the walk; returns how many values it packed. */
  step(maxKeys = KEYS_PER_STEP, budgetMs = BUDGET_MS): number {
    const ks = this.ks;
    if (ks.lfu || ks.cow !== null) return 0;
    const dbs = ks.dbs;
    const start = performance.now();
    let visited = 0;
    let packed = 0;
    // Each db at most once per run, so an empty keyspace costs nothing.
    for (let d = 0; d < dbs.length && visited < maxKeys; d++) {
      const id = this.dbIndex % dbs.length;
      const keys = dbs[id].keys;
      let w = this.walks[id];
      if (w === undefined || w.map !== keys) w = this.walks[id] = { map: keys, it: keys.values() };
      while (visited < maxKeys) {
        const r = w.it.next();
        if (r.done === true) {
          this.walks[id] = undefined; // this db's pass is over; the next one starts afresh
          break;
        }
        visited++;
        const e = r.value;
        const v = e.value;
        if (!isString(v) && v.repack !== undefined && lruIdleSeconds(ks.lruClock, e.lru) >= IDLE_SECONDS && v.repack()) {
          packed++;
          if (performance.now() - start >= budgetMs) visited = maxKeys; // out of time: the walk resumes here
        }
      }
      if (this.walks[id] !== undefined) break; // out of keys for this run, mid-db: go on from here next time
      this.dbIndex = (id + 1) % dbs.length;
    }
    this.total += packed;
    return packed;
  }
}
