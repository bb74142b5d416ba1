/**
 * KeyTable: the string-keyed hash table behind each db's keys and expires,
 * with the part of Map's interface the server uses and the same semantics
 * (insertion-order iteration; an iterator keeps going across inserts,
 * deletes and growth, sees keys added after it started and skips keys
 * deleted before it reached them).
 *
 * Why not a Map: loading 1M keys spent ~0.7 s in Map.set. A Map cannot be
 * presized (RESIZEDB says how many keys are coming), and each insert and
 * each rehash at a doubling reads the hash from the key string itself, a
 * cache miss per entry. Here each index slot holds the hash beside the
 * position, so probing and growing touch no string unless the hashes match.
 *
 * Layout: entries are appended to dense storage in chunks (key, value,
 * hash); an open-addressing index (linear probing, at most half full) holds
 * (dense position + 1, hash) pairs and grows gradually, as Redis rehashes.
 * A delete leaves a hole in the dense storage, which the index keeps
 * pointing at until the next compaction or growth. Only a compaction moves
 * entries; it records where the holes were so that live iterators can
 * translate their position (an Epoch chain, as V8 chains obsolete tables).
 */
import { randomBytes } from 'node:crypto';

/**
 * Seeded per process, as Redis seeds siphash and V8 its string hash, so a
 * client cannot pick keys that all land in one probe run.
 */
const SEED = randomBytes(4).readInt32LE(0);

let lastKey = '';
let lastHash = computeHash('');

function computeHash(s: string): number {
  let h = SEED;
  // Keys are latin1 strings: one byte per char.
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  // murmur3's finalizer: the index uses the low bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff; // a small integer: the hash array stays an array of Smis
}

/**
 * The key's hash. A command usually asks several tables about one key string
 * in a row (expires, keys, the snapshot's), so the last one is remembered.
 */
export function keyHash(s: string): number {
  if (s === lastKey) return lastHash;
  const h = computeHash(s);
  lastKey = s;
  lastHash = h;
  return h;
}

/** One layout of the dense arrays; replaced by the next when entries move. */
class Epoch {
  next: Epoch | null = null;
  /** Ascending positions of the holes squeezed out when this layout ended; null when the table was cleared. */
  holes: Int32Array | null = null;
}

/** Index slots (pairs of int32) of an empty table. */
const MIN_SLOTS = 16;
/**
 * Entries per chunk of the dense arrays. Chunks, not one growing array:
 * growing a JS array copies it, ~90 ms at 3M entries.
 */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Old index slots moved per insert or delete while the index grows (Redis rehashes a bucket per operation). */
const MIGRATE_STEP = 16;

export class KeyTable<V> {
  /** Dense storage in insertion order, in chunks: position i is at [i >>> CHUNK_BITS][i & CHUNK_MASK]; undefined key = a deleted entry. */
  private kc: Array<Array<string | undefined>> = [];
  private vc: Array<Array<V | undefined>> = [];
  /** Dense positions used, holes included. */
  private used = 0;
  private live = 0;
  /** Pairs (dense position + 1, hash) by hash, linear probing; position 0 = empty slot. At most half full. */
  private index: Int32Array = new Int32Array(2 * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  /**
   * While the index grows: the previous one, whose slots from `migrated` on
   * are still to be moved into `index`. A lookup that misses in `index` looks
   * here too. Entries are never removed from either index: a deleted key's
   * slots point at a hole until the next compaction.
   */
  private oldIndex: Int32Array | null = null;
  private migrated = 0;
  private epoch = new Epoch();

  /** Up to this many slots the index grows in one go; larger ones migrate gradually (tests make it small). */
  private readonly growAtOnce: number;

  constructor(opts: { growAtOnce?: number } = {}) {
    this.growAtOnce = opts.growAtOnce ?? 1 << 16;
  }

  get size(): number {
    return this.live;
  }

  /** Dense position of `key`, or -1 - (the empty slot of `index` where it would go). */
  private find(key: string, h: number): number {
    const index = this.index;
    const mask = this.mask;
    let p = h & mask;
    for (;;) {
      const e = index[2 * p];
      if (e === 0) break;
      if (index[2 * p + 1] === h) {
        const i = e - 1;
        if (this.kc[i >>> CHUNK_BITS][i & CHUNK_MASK] === key) return i;
      }
      p = (p + 1) & mask;
    }
    if (this.oldIndex !== null) {
      const i = this.findOld(key, h);
      if (i >= 0) return i;
    }
    return -1 - p;
  }

  private findOld(key: string, h: number): number {
    const old = this.oldIndex as Int32Array;
    const mask = (old.length >>> 1) - 1;
    let p = h & mask;
    for (;;) {
      const e = old[2 * p];
      if (e === 0) return -1;
      if (old[2 * p + 1] === h) {
        const i = e - 1;
        if (this.kc[i >>> CHUNK_BITS][i & CHUNK_MASK] === key) return i;
      }
      p = (p + 1) & mask;
    }
  }

  get(key: string): V | undefined {
    const i = this.find(key, keyHash(key));
    return i < 0 ? undefined : this.vc[i >>> CHUNK_BITS][i & CHUNK_MASK];
  }

  has(key: string): boolean {
    return this.find(key, keyHash(key)) >= 0;
  }

  set(key: string, value: V): this {
    const h = keyHash(key);
    let slot = this.find(key, h);
    if (slot >= 0) {
      this.vc[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = value;
      return this;
    }
    // The index holds every dense position, holes included: keep it at most half full.
    const full = (this.used + 1) * 2 > this.mask + 1;
    if (full || this.oldIndex !== null) {
      if (full) this.makeRoom();
      else this.migrate(MIGRATE_STEP);
      slot = this.find(key, h); // the empty slot found may have been taken
    }
    const i = this.used++;
    const c = i >>> CHUNK_BITS;
    if (c === this.kc.length) {
      this.kc.push(new Array<string | undefined>(CHUNK));
      this.vc.push(new Array<V | undefined>(CHUNK));
    }
    this.kc[c][i & CHUNK_MASK] = key;
    this.vc[c][i & CHUNK_MASK] = value;
    const p = -1 - slot;
    this.index[2 * p] = i + 1;
    this.index[2 * p + 1] = h;
    this.live++;
    return this;
  }

  delete(key: string): boolean {
    const i = this.find(key, keyHash(key));
    if (i < 0) return false;
    this.kc[i >>> CHUNK_BITS][i & CHUNK_MASK] = undefined;
    this.vc[i >>> CHUNK_BITS][i & CHUNK_MASK] = undefined;
    this.live--;
    if (this.live === 0) this.clear();
    else if (this.live * 4 < this.used && this.mask + 1 > 1024) this.rebuild(true); // shrink, as a Map does below 1/4
    else if (this.oldIndex !== null) this.migrate(MIGRATE_STEP);
    return true;
  }

  clear(): void {
    const old = this.epoch;
    this.epoch = new Epoch();
    old.next = this.epoch; // holes stays null: iterators start over on the empty table
    this.kc = [];
    this.vc = [];
    this.used = 0;
    this.live = 0;
    this.index = new Int32Array(2 * MIN_SLOTS);
    this.mask = MIN_SLOTS - 1;
    this.oldIndex = null;
  }

  /** Sizes the index for `n` keys in all (RESIZEDB before a load): no regrowth on the way there. */
  reserve(n: number): void {
    if (n * 2 > this.mask + 1) {
      this.finishMigration();
      this.index = this.reindexed(this.index, slotsFor(n));
      this.mask = (this.index.length >>> 1) - 1;
    }
  }

  /** Before an append that would fill the index past half: squeeze out holes if they are many, else grow. */
  private makeRoom(): void {
    this.finishMigration();
    if ((this.used - this.live) * 4 > this.used) {
      this.rebuild(false);
      return;
    }
    const slots = 2 * (this.mask + 1);
    if (slots <= this.growAtOnce) {
      // Small: at once.
      this.index = this.reindexed(this.index, slots);
    } else {
      // Large: a new empty index takes the inserts; the old one's slots move over a few per write.
      this.oldIndex = this.index;
      this.migrated = 0;
      this.index = new Int32Array(2 * slots);
    }
    this.mask = slots - 1;
  }

  /** Moves up to `n` slots of the old index into the new one. */
  private migrate(n: number): void {
    const old = this.oldIndex as Int32Array;
    const slots = old.length >>> 1;
    const index = this.index;
    const mask = this.mask;
    let s = this.migrated;
    const end = Math.min(slots, s + n);
    for (; s < end; s++) {
      const e = old[2 * s];
      if (e === 0) continue;
      const i = e - 1;
      if (this.kc[i >>> CHUNK_BITS][i & CHUNK_MASK] === undefined) continue; // deleted since: leave it behind
      const h = old[2 * s + 1];
      let p = h & mask;
      while (index[2 * p] !== 0) p = (p + 1) & mask;
      index[2 * p] = e;
      index[2 * p + 1] = h;
    }
    this.migrated = s;
    if (s === slots) this.oldIndex = null;
  }

  private finishMigration(): void {
    if (this.oldIndex !== null) this.migrate(Infinity);
  }

  /** A new index of `slots` slots holding the entries of `from` (growth: positions unchanged). */
  private reindexed(from: Int32Array, slots: number): Int32Array {
    const index = new Int32Array(2 * slots);
    const mask = slots - 1;
    const n = from.length >>> 1;
    for (let s = 0; s < n; s++) {
      const e = from[2 * s];
      if (e === 0) continue;
      const h = from[2 * s + 1];
      let p = h & mask;
      while (index[2 * p] !== 0) p = (p + 1) & mask;
      index[2 * p] = e;
      index[2 * p + 1] = h;
    }
    return index;
  }

  /**
   * Drops the holes from the dense arrays (a new Epoch for live iterators),
   * then builds the index afresh, hashing the kept keys again in dense order
   * (strings allocated in insertion order mostly lie in that order too).
   * Reading the old index instead meant mapping each of its positions, a
   * cache miss per entry: 0.27 s for 4M positions, against ~0.2 s this way.
   * Keeping every hash in dense order would save a little more for 8 bytes
   * a key, always.
   */
  private rebuild(shrink: boolean): void {
    this.finishMigration();
    const kc = this.kc;
    const vc = this.vc;
    const used = this.used;
    const holes = new Int32Array(used - this.live);
    const nkc: Array<Array<string | undefined>> = [];
    const nvc: Array<Array<V | undefined>> = [];
    let nh = 0;
    let w = 0;
    for (let i = 0; i < used; i++) {
      const k = kc[i >>> CHUNK_BITS][i & CHUNK_MASK];
      if (k === undefined) {
        holes[nh++] = i;
        continue;
      }
      const c = w >>> CHUNK_BITS;
      if (c === nkc.length) {
        nkc.push(new Array<string | undefined>(CHUNK));
        nvc.push(new Array<V | undefined>(CHUNK));
      }
      nkc[c][w & CHUNK_MASK] = k;
      nvc[c][w & CHUNK_MASK] = vc[i >>> CHUNK_BITS][i & CHUNK_MASK];
      w++;
    }
    this.kc = nkc;
    this.vc = nvc;
    this.used = w;
    const old = this.epoch;
    old.holes = holes;
    this.epoch = new Epoch();
    old.next = this.epoch;
    const slots = shrink ? slotsFor(this.live) : Math.max(this.mask + 1, slotsFor(this.live + 1));
    const index = new Int32Array(2 * slots);
    const mask = slots - 1;
    for (let i = 0; i < w; i++) {
      const h = computeHash(nkc[i >>> CHUNK_BITS][i & CHUNK_MASK] as string);
      let p = h & mask;
      while (index[2 * p] !== 0) p = (p + 1) & mask;
      index[2 * p] = i + 1;
      index[2 * p + 1] = h;
    }
    this.index = index;
    this.mask = mask;
  }

  /**
   * One SCAN step. The walk goes from the newest entry towards the oldest;
   * the cursor is a dense position + 1 (0: start at the newest, and the end).
   * Why Redis's guarantee holds without any per-entry bookkeeping: entries
   * only ever move towards lower positions (compaction), never up, and an
   * overwrite (SET, RENAME onto a name) replaces in place. So a key present
   * throughout that the walk has not reached yet stays at or below the
   * cursor and is returned; one already returned may move below it and be
   * returned again, which SCAN allows. Keys added during the scan go above
   * the walk, so a scan always ends. Returns up to `count` keys, visiting at
   * most count*10 positions (holes included) as Redis bounds its bucket walk.
   */
  scan(cursor: number, count: number): { next: number; keys: string[] } {
    let i = cursor === 0 ? this.used - 1 : Math.min(cursor - 1, this.used - 1);
    const kc = this.kc;
    const out: string[] = [];
    let budget = count * 10;
    while (i >= 0 && out.length < count && budget-- > 0) {
      const k = kc[i >>> CHUNK_BITS][i & CHUNK_MASK];
      if (k !== undefined) out.push(k);
      i--;
    }
    return { next: i + 1, keys: out };
  }

  /**
   * The position of a key chosen uniformly among the live ones
   * (dictGetFairRandomKey), for keyAt/valueAt, or -1 when the table is
   * empty: a random dense position, drawn again on a hole. Holes are kept
   * under 3/4 of the positions, so a draw takes at most 4 tries on average.
   */
  randomPosition(): number {
    if (this.live === 0) return -1;
    if (this.live * 4 < this.used) this.rebuild(true); // small tables skip the shrink on delete
    const kc = this.kc;
    for (;;) {
      const i = Math.floor(Math.random() * this.used);
      if (kc[i >>> CHUNK_BITS][i & CHUNK_MASK] !== undefined) return i;
    }
  }

  /** A key chosen uniformly among the live ones, or undefined when the table is empty. */
  randomKey(): string | undefined {
    const i = this.randomPosition();
    return i < 0 ? undefined : this.keyAt(i);
  }

  /** Used by iterators: brings (epoch, pos) up to date; the position of the next entry at or after pos, or -1. */
  advance(it: { epoch: unknown; pos: number }): number {
    let e = it.epoch as Epoch;
    if (e.next !== null) {
      let pos = it.pos;
      while (e.next !== null) {
        pos = e.holes === null ? 0 : pos - countBelow(e.holes, pos);
        e = e.next;
      }
      it.epoch = e;
      it.pos = pos;
    }
    const kc = this.kc;
    for (let i = it.pos; i < this.used; i++) {
      if (kc[i >>> CHUNK_BITS][i & CHUNK_MASK] !== undefined) return i;
    }
    return -1;
  }

  keyAt(i: number): string {
    return this.kc[i >>> CHUNK_BITS][i & CHUNK_MASK] as string;
  }

  valueAt(i: number): V {
    return this.vc[i >>> CHUNK_BITS][i & CHUNK_MASK] as V;
  }

  keys(): IterableIterator<string> {
    return new TableIterator(this, this.epoch, (t, i) => t.keyAt(i));
  }

  values(): IterableIterator<V> {
    return new TableIterator(this, this.epoch, (t, i) => t.valueAt(i));
  }

  entries(): IterableIterator<[string, V]> {
    return new TableIterator(this, this.epoch, (t, i): [string, V] => [t.keyAt(i), t.valueAt(i)]);
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}

/** Index slots for `n` entries at most half full. */
function slotsFor(n: number): number {
  let size = MIN_SLOTS;
  while (size < n * 2) size *= 2;
  return size;
}

/** How many of the ascending `holes` are below `pos`. */
function countBelow(holes: Int32Array, pos: number): number {
  let lo = 0;
  let hi = holes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (holes[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class TableIterator<V, R> implements IterableIterator<R> {
  pos = 0;
  private finished = false;

  constructor(
    private readonly table: KeyTable<V>,
    public epoch: unknown,
    private readonly pick: (t: KeyTable<V>, i: number) => R,
  ) {}

  next(): IteratorResult<R> {
    // Like a Map iterator, once exhausted it stays exhausted.
    if (this.finished) return DONE;
    const i = this.table.advance(this);
    if (i < 0) {
      this.finished = true;
      return DONE;
    }
    this.pos = i + 1;
    return { done: false, value: this.pick(this.table, i) };
  }

  [Symbol.iterator](): IterableIterator<R> {
    return this;
  }
}
