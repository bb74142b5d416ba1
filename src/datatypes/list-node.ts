/**
 * One node of a list: its elements packed as latin1 bytes in one Uint8Array,
 * as a quicklist node packs them in a listpack. A list of small elements then
 * holds a few arrays per thousand elements instead of a string object each,
 * so pushing does not leave the garbage collector a live object to copy and
 * later mark for every element.
 *
 * Element k (plo <= k < phi) is data[pos[k] .. pos[k+1]); pos[plo] === lo and
 * pos[phi] === hi. Free space lies on both sides of the used range, so a node
 * grows at either end; when the side a push needs is full the node is copied
 * to a larger array with all the free space on that side.
 */
import { bytesToString } from '../util/latin1.js';

/** A node stops taking elements at this many bytes (list-max-listpack-size -2's 8 KiB) ... */
export const NODE_BYTES = 8192;
/** ... or at this many elements, which bounds the position array. */
export const NODE_ELEMENTS = 1024;

const MIN_BYTES = 64;
const MIN_SLOTS = 8;

/** Strings up to this long are copied by JS code: cheaper than a call into Buffer's latin1 methods. */
const SHORT = 32;

/** Buffer's latin1 methods, applied to a plain Uint8Array (they take any ArrayBufferView). */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, s: number, e: number): string }).latin1Slice;
const latin1Write = (Buffer.prototype as unknown as { latin1Write(this: Uint8Array, s: string, p: number, n: number): number }).latin1Write;

function pow2AtLeast(n: number): number {
  let c = 1;
  while (c < n) c *= 2;
  return c;
}

/** Bytes → latin1 string. */
export function decodeLatin1(b: Uint8Array, s: number, len: number): string {
  // bytesToString only indexes `b` for lengths up to SHORT, which a Uint8Array serves as a Buffer would.
  if (len <= SHORT) return bytesToString(b as Buffer, s, len);
  return latin1Slice.call(b, s, s + len);
}

function encodeLatin1(b: Uint8Array, p: number, s: string): void {
  const len = s.length;
  if (len <= SHORT) {
    for (let i = 0; i < len; i++) b[p + i] = s.charCodeAt(i);
  } else {
    latin1Write.call(b, s, p, len);
  }
}

export class ListNode {
  data: Uint8Array;
  lo: number;
  hi: number;
  pos: Int32Array;
  plo: number;
  phi: number;

  /**
   * An empty node with room for `bytes` at the back (or at the front, when
   * `front`). A `full` node starts at its limits: the list is growing past
   * a node already, and allocating typed arrays costs far more than filling them.
   */
  constructor(bytes: number, front: boolean, full = false) {
    const cap = full ? Math.max(NODE_BYTES, pow2AtLeast(bytes)) : Math.max(MIN_BYTES, pow2AtLeast(bytes));
    const slots = full ? NODE_ELEMENTS + 1 : MIN_SLOTS;
    this.data = new Uint8Array(cap);
    this.pos = new Int32Array(slots);
    this.lo = this.hi = front ? cap : 0;
    this.plo = this.phi = front ? slots - 1 : 0;
    this.pos[this.plo] = this.lo;
  }

  /** A node holding strings[start, end) packed tight (a split, a rebuild). */
  static of(strings: readonly string[], start: number, end: number): ListNode {
    let bytes = 0;
    for (let i = start; i < end; i++) bytes += strings[i].length;
    const n = new ListNode(bytes, false);
    if (end - start + 1 > n.pos.length) n.pos = new Int32Array(pow2AtLeast(end - start + 1));
    for (let i = start; i < end; i++) n.pushBack(strings[i]);
    return n;
  }

  get count(): number {
    return this.phi - this.plo;
  }

  get bytes(): number {
    return this.hi - this.lo;
  }

  /** Whether a push of `len` bytes belongs in this node rather than a new one. */
  fits(len: number): boolean {
    return this.phi === this.plo || (this.hi - this.lo + len <= NODE_BYTES && this.phi - this.plo < NODE_ELEMENTS);
  }

  pushBack(s: string): void {
    const len = s.length;
    if (this.hi + len > this.data.length) this.regrowData(len, false);
    if (this.phi + 1 >= this.pos.length) this.regrowPos(false);
    encodeLatin1(this.data, this.hi, s);
    this.hi += len;
    this.pos[++this.phi] = this.hi;
  }

  pushFront(s: string): void {
    const len = s.length;
    if (this.lo < len) this.regrowData(len, true);
    if (this.plo === 0) this.regrowPos(true);
    this.lo -= len;
    encodeLatin1(this.data, this.lo, s);
    this.pos[--this.plo] = this.lo;
  }

  popFront(): string {
    const s = this.plo;
    const e = this.pos[s + 1];
    const out = decodeLatin1(this.data, this.lo, e - this.lo);
    this.lo = e;
    this.plo = s + 1;
    return out;
  }

  popBack(): string {
    const b = this.pos[this.phi - 1];
    const out = decodeLatin1(this.data, b, this.hi - b);
    this.hi = b;
    this.phi--;
    return out;
  }

  /** Drops the first n elements (n < count). */
  dropFront(n: number): void {
    this.plo += n;
    this.lo = this.pos[this.plo];
  }

  /** Drops the last n elements (n < count). */
  dropBack(n: number): void {
    this.phi -= n;
    this.hi = this.pos[this.phi];
  }

  /** Element k (0-based within this node). */
  at(k: number): string {
    const i = this.plo + k;
    const s = this.pos[i];
    return decodeLatin1(this.data, s, this.pos[i + 1] - s);
  }

  /** Whether element k is `s`, without building a string. */
  equalsAt(k: number, s: string): boolean {
    const i = this.plo + k;
    const start = this.pos[i];
    const len = this.pos[i + 1] - start;
    if (len !== s.length) return false;
    const d = this.data;
    for (let j = 0; j < len; j++) if (d[start + j] !== s.charCodeAt(j)) return false;
    return true;
  }

  /** Start and length of element k's bytes in `data`. */
  startOf(k: number): number {
    return this.pos[this.plo + k];
  }

  lengthOf(k: number): number {
    const i = this.plo + k;
    return this.pos[i + 1] - this.pos[i];
  }

  strings(): string[] {
    const out = new Array<string>(this.phi - this.plo);
    for (let k = 0; k < out.length; k++) out[k] = this.at(k);
    return out;
  }

  copy(): ListNode {
    const n = Object.create(ListNode.prototype) as ListNode;
    n.data = this.data.slice();
    n.pos = this.pos.slice();
    n.lo = this.lo;
    n.hi = this.hi;
    n.plo = this.plo;
    n.phi = this.phi;
    return n;
  }

  /**
   * A larger (or re-placed) byte array with the used bytes at the far end from
   * the side that needs `len` more: twice what is needed, within NODE_BYTES
   * for a node that fits there, so single-ended growth copies each byte O(1) times.
   */
  private regrowData(len: number, front: boolean): void {
    const used = this.hi - this.lo;
    const need = used + len;
    let cap = Math.max(MIN_BYTES, need <= NODE_BYTES ? Math.min(NODE_BYTES, pow2AtLeast(need) * 2) : pow2AtLeast(need));
    if (cap < this.data.length && need * 2 <= this.data.length) cap = this.data.length; // room enough: shift in place
    const next = cap === this.data.length ? this.data : new Uint8Array(cap);
    const at = front ? cap - used : 0;
    if (next === this.data) next.copyWithin(at, this.lo, this.hi);
    else next.set(this.data.subarray(this.lo, this.hi), at);
    const shift = at - this.lo;
    for (let i = this.plo; i <= this.phi; i++) this.pos[i] += shift;
    this.data = next;
    this.lo = at;
    this.hi = at + used;
  }

  private regrowPos(front: boolean): void {
    const n = this.phi - this.plo + 1;
    // A node never holds more than NODE_ELEMENTS, so NODE_ELEMENTS + 1 boundaries.
    let cap = Math.max(MIN_SLOTS, Math.min(NODE_ELEMENTS + 1, pow2AtLeast(n + 1) * 2));
    if (cap < this.pos.length && (n + 1) * 2 <= this.pos.length) cap = this.pos.length;
    const next = cap === this.pos.length ? this.pos : new Int32Array(cap);
    const at = front ? cap - n : 0;
    if (next === this.pos) next.copyWithin(at, this.plo, this.phi + 1);
    else next.set(this.pos.subarray(this.plo, this.phi + 1), at);
    this.pos = next;
    this.plo = at;
    this.phi = at + n - 1;
  }
}
