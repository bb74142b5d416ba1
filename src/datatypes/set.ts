/**
 * The set type (t_set.c, intset.c), with Redis 7.0's two encodings:
 *
 *  - intset: every member is a canonical int64 (string2ll) and there are at
 *    most set-max-intset-entries of them. Kept as a sorted array of Int64, so
 *    iteration (SMEMBERS, SSCAN...) is in ascending numeric order, as Redis's
 *    intset is. The element width (int16/32/64) only grows, as intsetUpgrade
 *    never downgrades; it matters to MEMORY USAGE.
 *  - hashtable: anything else. Members sit in an array plus a member → index
 *    map, so a random member is O(1) (SPOP, SRANDMEMBER) and removal swaps the
 *    last member into the hole. The array order is the iteration order.
 *
 * SSCAN over a hashtable walks the array from the end towards index 0; the
 * cursor is "visit index cursor-1 next". Removal only moves the last member
 * into a lower hole, so a member present for the whole iteration is either
 * still ahead of the cursor or has already been returned (at worst twice, as
 * Redis allows); the cursor only decreases, so an iteration always ends.
 *
 * Sets 7.0 does not have a listpack encoding (set-max-listpack-* came in 7.2).
 *
 * No server imports: commands pass set-max-intset-entries in.
 */
import type { TypedValue } from '../keyspace/value.js';
import { parseInt64, type Int64 } from '../util/numbers.js';

const INT16_MIN = -32768;
const INT16_MAX = 32767;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** intsetValueEncoding: bytes per element needed for v. */
function widthOf(v: Int64): 2 | 4 | 8 {
  if (typeof v === 'bigint') return 8;
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

/** Smallest power of two >= n, at least 4 (_dictNextExp). */
function dictSizeFor(n: number): number {
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

export class SetValue implements TypedValue {
  readonly kind = 'set' as const;
  /** intset encoding: members ascending; null once a hashtable. */
  private ints: Int64[] | null;
  /** Bytes per intset element (only grows). */
  private width: 2 | 4 | 8 = 2;
  /** hashtable encoding: members in iteration order and their positions. */
  private arr: string[] = [];
  private idx: Map<string, number> | null = null;
  /** Modelled dict table size (dictSlots), for MEMORY USAGE. */
  private slots = 0;

  private constructor(intset: boolean) {
    this.ints = intset ? [] : null;
    if (!intset) this.idx = new Map();
  }

  /** createIntsetObject: an empty intset-encoded set. */
  static intset(): SetValue {
    return new SetValue(true);
  }

  /** createSetObject: an empty hashtable-encoded set. */
  static hashtable(): SetValue {
    return new SetValue(false);
  }

  /** setTypeCreate: a set that can hold `first` (intset when it is an integer). */
  static forMember(first: string): SetValue {
    return new SetValue(parseInt64(first) !== null);
  }

  /** Builds a set from members the way repeated setTypeAdd would. */
  static from(members: Iterable<string>, maxIntset: number): SetValue {
    const s = SetValue.intset();
    for (const m of members) s.add(m, maxIntset);
    return s;
  }

  encoding(): 'intset' | 'hashtable' {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.ints !== null ? this.ints.length : this.arr.length;
  }

  /** Index of v in the intset, or -(insertion point) - 1. */
  private search(v: Int64): number {
    const a = this.ints!;
    let lo = 0;
    let hi = a.length - 1;
    // Fast paths as intsetSearch: beyond either end.
    if (hi >= 0) {
      if (v > a[hi]) return -(hi + 1) - 1;
      if (v < a[0]) return -1;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = a[mid];
      if (x < v) lo = mid + 1;
      else if (x > v) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  has(m: string): boolean {
    if (this.ints !== null) {
      const v = parseInt64(m);
      return v !== null && this.search(v) >= 0;
    }
    return this.idx!.has(m);
  }

  /** setTypeAdd: true if m was not a member. May convert to a hashtable. */
  add(m: string, maxIntset: number): boolean {
    if (this.ints !== null) {
      const v = parseInt64(m);
      if (v !== null) {
        const i = this.search(v);
        if (i >= 0) return false;
        this.ints.splice(-i - 1, 0, v);
        const w = widthOf(v);
        if (w > this.width) this.width = w;
        if (this.ints.length > maxIntset) this.convert();
        return true;
      }
      this.convert();
    }
    const idx = this.idx!;
    if (idx.has(m)) return false;
    // _dictExpandIfNeeded before the insertion.
    if (this.slots === 0) this.slots = 4;
    else if (this.arr.length >= this.slots) this.slots = dictSizeFor(this.arr.length + 1);
    idx.set(m, this.arr.length);
    this.arr.push(m);
    return true;
  }

  /** setTypeRemove: true if m was a member. */
  remove(m: string): boolean {
    if (this.ints !== null) {
      const v = parseInt64(m);
      if (v === null) return false;
      const i = this.search(v);
      if (i < 0) return false;
      this.ints.splice(i, 1);
      return true;
    }
    const idx = this.idx!;
    const i = idx.get(m);
    if (i === undefined) return false;
    idx.delete(m);
    const arr = this.arr;
    const last = arr.pop()!;
    if (i < arr.length) {
      arr[i] = last;
      idx.set(last, i);
    }
    // htNeedsResize + dictResize.
    const used = arr.length;
    if (this.slots > 4 && (used * 100) / this.slots < 10) this.slots = dictSizeFor(used);
    return true;
  }

  /** setTypeConvert to a hashtable, presized to the intset's length. */
  private convert(): void {
    const ints = this.ints!;
    this.ints = null;
    const idx = new Map<string, number>();
    const arr: string[] = new Array(ints.length);
    for (let i = 0; i < ints.length; i++) {
      const s = String(ints[i]);
      arr[i] = s;
      idx.set(s, i);
    }
    this.arr = arr;
    this.idx = idx;
    this.slots = ints.length === 0 ? 0 : dictSizeFor(ints.length);
  }

  /** The member at iteration position i (0 <= i < size). */
  at(i: number): string {
    return this.ints !== null ? String(this.ints[i]) : this.arr[i];
  }

  /** A uniformly chosen member; the set must not be empty. */
  random(): string {
    return this.at(Math.floor(Math.random() * this.size));
  }

  /** Members in iteration order (intset: ascending). A fresh array. */
  members(): string[] {
    if (this.ints !== null) {
      const a = this.ints;
      const out: string[] = new Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = String(a[i]);
      return out;
    }
    return this.arr.slice();
  }

  /** Iterates members in iteration order without copying the set first. */
  *[Symbol.iterator](): IterableIterator<string> {
    if (this.ints !== null) {
      for (const v of this.ints) yield String(v);
    } else {
      for (const m of this.arr) yield m;
    }
  }

  /**
   * One SSCAN step over a hashtable (see the file comment): up to `count`
   * members from `cursor` (0: from the start). An intset returns everything
   * with cursor 0, as Redis does.
   */
  scan(cursor: bigint, count: number): { next: bigint; members: string[] } {
    if (this.ints !== null) return { next: 0n, members: this.members() };
    const n = this.arr.length;
    let i = cursor === 0n || cursor > BigInt(n) ? n : Number(cursor);
    const out: string[] = [];
    while (i > 0 && out.length < count) out.push(this.arr[--i]);
    return { next: BigInt(i), members: out };
  }

  /** setTypeDup: same encoding; an intset keeps its width, a dict is presized. */
  dup(): SetValue {
    if (this.ints !== null) {
      const s = SetValue.intset();
      s.ints = this.ints.slice();
      s.width = this.width;
      return s;
    }
    const s = SetValue.hashtable();
    s.arr = this.arr.slice();
    s.idx = new Map(this.idx!);
    s.slots = this.arr.length === 0 ? 0 : dictSizeFor(this.arr.length);
    return s;
  }

  /** The intset's integers, ascending (null once a hashtable): what RDB saves as an intset blob. */
  intValues(): readonly Int64[] | null {
    return this.ints;
  }

  /** For MEMORY USAGE: intset bytes (header + elements) or the dict's slot count. */
  intsetBytes(): number {
    return 8 + this.size * this.width;
  }

  dictSlots(): number {
    return this.slots;
  }
}

export function isSetValue(v: unknown): v is SetValue {
  return v instanceof SetValue;
}
