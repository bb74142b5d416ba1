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
 * cache miss per entry. Here the hashes sit in their own array, so probing
 * and growing touch no string unless the hashes match.
 *
 * Layout: entries are appended to dense arrays (key, value, hash); an
 * open-addressing index (linear probing, at most half full) maps a hash to
 * dense position + 1. A delete leaves a hole in the dense arrays, which the
 * index keeps pointing at until the next compaction. Only a compaction moves
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

const MIN_INDEX = 16;

export class KeyTable<V> {
  /** Dense arrays, in insertion order; undefined key = a deleted entry. */
  private ks: Array<string | undefined> = [];
  private vs: Array<V | undefined> = [];
  private hs: number[] = [];
  /** Dense position + 1 by hash; 0 = empty. */
  private index = new Int32Array(MIN_INDEX);
  private mask = MIN_INDEX - 1;
  private live = 0;
  private epoch = new Epoch();

  get size(): number {
    return this.live;
  }

  /** Dense position of `key`, or -1 - (the empty index slot where it would go). */
  private find(key: string, h: number): number {
    const index = this.index;
    const hs = this.hs;
    const ks = this.ks;
    const mask = this.mask;
    let p = h & mask;
    for (;;) {
      const e = index[p];
      if (e === 0) return -1 - p;
      const i = e - 1;
      if (hs[i] === h && ks[i] === key) return i;
      p = (p + 1) & mask;
    }
  }

  get(key: string): V | undefined {
    const i = this.find(key, keyHash(key));
    return i < 0 ? undefined : this.vs[i];
  }

  has(key: string): boolean {
    return this.find(key, keyHash(key)) >= 0;
  }

  set(key: string, value: V): this {
    const h = keyHash(key);
    const i = this.find(key, h);
    if (i >= 0) {
      this.vs[i] = value;
      return this;
    }
    let slot = -1 - i;
    // The index holds every dense position, holes included: keep it at most half full.
    if ((this.ks.length + 1) * 2 > this.index.length) {
      this.makeRoom();
      slot = -1 - this.find(key, h);
    }
    this.index[slot] = this.ks.length + 1;
    this.ks.push(key);
    this.vs.push(value);
    this.hs.push(h);
    this.live++;
    return this;
  }

  delete(key: string): boolean {
    const i = this.find(key, keyHash(key));
    if (i < 0) return false;
    this.ks[i] = undefined;
    this.vs[i] = undefined;
    this.live--;
    if (this.live === 0) this.clear();
    else if (this.live * 4 < this.ks.length && this.index.length > 1024) this.rebuild(true); // shrink, as a Map does below 1/4
    return true;
  }

  clear(): void {
    const old = this.epoch;
    this.epoch = new Epoch();
    old.next = this.epoch; // holes stays null: iterators start over on the empty table
    this.ks = [];
    this.vs = [];
    this.hs = [];
    this.index = new Int32Array(MIN_INDEX);
    this.mask = MIN_INDEX - 1;
    this.live = 0;
  }

  /** Sizes the index for `n` keys in all (RESIZEDB before a load): no regrowth on the way there. */
  reserve(n: number): void {
    if (n * 2 > this.index.length) this.reindex(indexSizeFor(n));
  }

  /** Before an append that would fill the index past half: squeeze out holes if they are many, else grow. */
  private makeRoom(): void {
    if ((this.ks.length - this.live) * 4 > this.ks.length) this.rebuild(false);
    else this.reindex(this.index.length * 2);
  }

  /** A new index of `size` slots over the same dense arrays (nothing moves). */
  private reindex(size: number): void {
    const index = new Int32Array(size);
    const mask = size - 1;
    const hs = this.hs;
    const n = hs.length;
    for (let i = 0; i < n; i++) {
      let p = hs[i] & mask;
      while (index[p] !== 0) p = (p + 1) & mask;
      index[p] = i + 1;
    }
    this.index = index;
    this.mask = mask;
  }

  /** Drops the holes from the dense arrays (a new Epoch for live iterators), then reindexes. */
  private rebuild(shrink: boolean): void {
    const ks = this.ks;
    const vs = this.vs;
    const hs = this.hs;
    const holes = new Int32Array(ks.length - this.live);
    const nks: string[] = [];
    const nvs: V[] = [];
    const nhs: number[] = [];
    let nh = 0;
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      if (k === undefined) holes[nh++] = i;
      else {
        nks.push(k);
        nvs.push(vs[i] as V);
        nhs.push(hs[i]);
      }
    }
    this.ks = nks;
    this.vs = nvs;
    this.hs = nhs;
    const old = this.epoch;
    old.holes = holes;
    this.epoch = new Epoch();
    old.next = this.epoch;
    this.reindex(shrink ? indexSizeFor(this.live) : Math.max(this.index.length, indexSizeFor(this.live + 1)));
  }

  /** Dense position of the first entry at or after `pos` (after an iterator caught up with `epoch`), or -1. */
  private seek(pos: number): number {
    const ks = this.ks;
    while (pos < ks.length) {
      if (ks[pos] !== undefined) return pos;
      pos++;
    }
    return -1;
  }

  /** Used by iterators: brings (epoch, pos) up to date and finds the next entry. */
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
    return this.seek(it.pos);
  }

  keyAt(i: number): string {
    return this.ks[i] as string;
  }

  valueAt(i: number): V {
    return this.vs[i] as V;
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

function indexSizeFor(n: number): number {
  let size = MIN_INDEX;
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
