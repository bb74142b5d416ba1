/**
 * The list type: a ring-buffer deque of latin1 strings. O(1) amortized push
 * and pop at both ends, O(1) indexed access, O(n) middle insert/remove
 * (shifting the shorter side). Redis 7.0 keeps every list as a quicklist, so
 * that is the encoding OBJECT ENCODING reports (listpack lists came in 7.2).
 *
 * No server imports: the commands (commands/lists.ts) do the keyspace work.
 */
import type { TypedValue } from '../keyspace/value.js';
import { unpackListpack } from './packed-listpack.js';

const MIN_CAP = 8;

export class List implements TypedValue {
  readonly kind = 'list' as const;
  private ring: Array<string | undefined> | null;
  /**
   * The quicklist nodes' listpacks as loaded from an RDB file (latin1
   * strings), until the first access decodes them into `ring`; the writer
   * saves them back as they are, as Redis writes its own nodes.
   */
  private packed: string[] | null = null;
  private mask: number;
  private head = 0;
  private len = 0;
  /** Which end the list grew at, so MEMORY USAGE can lay out quicklist nodes as Redis filled them. */
  headPushes = 0;
  tailPushes = 0;

  constructor(elements?: readonly string[]) {
    let cap = MIN_CAP;
    const n = elements ? elements.length : 0;
    while (cap < n) cap *= 2;
    this.ring = new Array<string | undefined>(cap);
    this.mask = cap - 1;
    if (elements) {
      for (let i = 0; i < n; i++) this.buf[i] = elements[i];
      this.len = n;
    }
  }

  /**
   * A list over items[0..n), taking the array over instead of copying it
   * (an RDB load's freshly decoded elements); the caller drops its reference.
   */
  static adopt(items: Array<string | undefined>, n: number): List {
    const l = new List();
    let cap = MIN_CAP;
    while (cap < n) cap *= 2;
    items.length = cap;
    l.buf = items;
    l.mask = cap - 1;
    l.len = n;
    return l;
  }

  /** A list kept packed: `nodes` are the listpacks of its quicklist nodes, `n` elements in all. */
  static packed(nodes: string[], n: number): List {
    const l = new List();
    let cap = MIN_CAP;
    while (cap < n) cap *= 2;
    l.ring = null;
    l.packed = nodes;
    l.mask = cap - 1; // what unpack() gives the ring, so mask is right before and after
    l.len = n;
    return l;
  }

  private get buf(): Array<string | undefined> {
    return this.ring ?? this.unpack();
  }

  private set buf(b: Array<string | undefined>) {
    this.ring = b;
    this.packed = null; // clear() replaces the ring of a list that may never have been read
  }

  private unpack(): Array<string | undefined> {
    const ring = new Array<string | undefined>(this.mask + 1);
    let n = 0;
    for (const node of this.packed!) for (const e of unpackListpack(node)) ring[n++] = e;
    this.ring = ring;
    this.packed = null;
    return ring;
  }

  /** The quicklist nodes' listpacks while the list is still as loaded (the RDB writer saves them as they are), else null. */
  packedNodes(): readonly string[] | null {
    return this.packed;
  }

  get length(): number {
    return this.len;
  }

  encoding(): string {
    return 'quicklist';
  }

  dup(): List {
    if (this.packed !== null) {
      const p = List.packed(this.packed, this.len);
      p.headPushes = this.headPushes;
      p.tailPushes = this.tailPushes;
      return p;
    }
    const d = new List(this.toArray());
    d.headPushes = this.headPushes;
    d.tailPushes = this.tailPushes;
    return d;
  }

  private grow(): void {
    const old = this.buf;
    const oldCap = old.length;
    const next = new Array<string | undefined>(oldCap * 2);
    for (let i = 0; i < this.len; i++) next[i] = old[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }

  /** Halves the buffer when it is mostly empty, so a drained big list frees its memory. */
  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap <= MIN_CAP * 4 || this.len * 8 > cap) return;
    const next = new Array<string | undefined>(cap / 2);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }

  pushHead(s: string): void {
    this.headPushes++;
    if (this.len === this.buf.length) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = s;
    this.len++;
  }

  pushTail(s: string): void {
    this.tailPushes++;
    if (this.len === this.buf.length) this.grow();
    this.buf[(this.head + this.len) & this.mask] = s;
    this.len++;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const s = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return s;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const s = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    this.maybeShrink();
    return s;
  }

  /** Element at a 0-based index from the head; the caller checks the range. */
  get(i: number): string {
    return this.buf[(this.head + i) & this.mask] as string;
  }

  set(i: number, s: string): void {
    this.buf[(this.head + i) & this.mask] = s;
  }

  /** Inserts so that the new element is at index i (0..length). */
  insertAt(i: number, s: string): void {
    if (i <= 0) return this.pushHead(s);
    if (i >= this.len) return this.pushTail(s);
    if (this.len === this.buf.length) this.grow();
    const m = this.mask;
    if (i < this.len / 2) {
      // shift [0, i) one left
      this.head = (this.head - 1) & m;
      for (let j = 0; j < i; j++) this.buf[(this.head + j) & m] = this.buf[(this.head + j + 1) & m];
    } else {
      // shift [i, len) one right
      for (let j = this.len; j > i; j--) this.buf[(this.head + j) & m] = this.buf[(this.head + j - 1) & m];
    }
    this.buf[(this.head + i) & m] = s;
    this.len++;
  }

  /** Removes the elements at the given ascending indexes in one pass. */
  removeIndexes(indexes: readonly number[]): void {
    if (indexes.length === 0) return;
    const m = this.mask;
    let w = indexes[0];
    let k = 0;
    for (let r = indexes[0]; r < this.len; r++) {
      if (k < indexes.length && indexes[k] === r) {
        k++;
        continue;
      }
      this.buf[(this.head + w) & m] = this.buf[(this.head + r) & m];
      w++;
    }
    for (let j = w; j < this.len; j++) this.buf[(this.head + j) & m] = undefined;
    this.len = w;
    this.maybeShrink();
  }

  /** Drops `n` elements from the head. */
  trimHead(n: number): void {
    if (n >= this.len) return this.clear();
    for (let j = 0; j < n; j++) {
      this.buf[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
    }
    this.len -= n;
    this.maybeShrink();
  }

  /** Drops `n` elements from the tail. */
  trimTail(n: number): void {
    if (n >= this.len) return this.clear();
    for (let j = 0; j < n; j++) {
      this.len--;
      this.buf[(this.head + this.len) & this.mask] = undefined;
    }
    this.maybeShrink();
  }

  clear(): void {
    this.buf = new Array<string | undefined>(MIN_CAP);
    this.mask = MIN_CAP - 1;
    this.head = 0;
    this.len = 0;
  }

  /** Elements [start, end] (inclusive, already clamped), head to tail. */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.buf[(this.head + i) & this.mask] as string);
    return out;
  }

  toArray(): string[] {
    return this.len === 0 ? [] : this.range(0, this.len - 1);
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & this.mask] as string;
  }
}
