/**
 * The sorted-set value (t_zset.c's zset): a Map member → skiplist node for
 * O(1) score lookups, and the skiplist (skiplist.ts) for order, ranks and
 * ranges. Both of Redis's encodings are held the same way; `listpack` only
 * records what Redis would report and reproduces the few observable
 * differences of its listpack:
 *  - the encoding is decided as Redis decides it: a set starts as a listpack
 *    and converts, one way, when a new member would make it longer than
 *    zset-max-listpack-entries or is longer than zset-max-listpack-value;
 *  - a listpack stores an integral score as an integer (double2ll), so -0
 *    reads back as 0, and ZSCAN prints such scores as integers;
 *  - lex ranges are found by a linear walk (zzlFirstInLexRange), which
 *    differs from the skiplist descent when scores are mixed.
 * Order is (score, member bytes) in both, so replies are deterministic.
 *
 * No server imports: limits come in as arguments.
 */
import type { TypedValue } from '../keyspace/value.js';
import { Skiplist, ZNode, type LexRange, type ScoreRange, lexLteMax, lexGteMin, valueLteMax } from './skiplist.js';
import { packListpack, unpackListpack } from './packed-listpack.js';
import { formatG17 } from '../util/numbers.js';

export { ZNode, type ScoreRange, type LexRange, type LexBound } from './skiplist.js';

/** zset-max-listpack-entries / zset-max-listpack-value. */
export interface ZsetLimits {
  entries: number;
  value: number;
}

// zsetAdd input flags
export const ZADD_IN_NONE = 0;
export const ZADD_IN_INCR = 1;
export const ZADD_IN_NX = 2;
export const ZADD_IN_XX = 4;
export const ZADD_IN_GT = 8;
export const ZADD_IN_LT = 16;
// zsetAdd output flags
export const ZADD_OUT_NOP = 1;
export const ZADD_OUT_NAN = 2;
export const ZADD_OUT_ADDED = 4;
export const ZADD_OUT_UPDATED = 8;

const LLONG_MAX_HALF = 4611686018427387904; // (double)(LLONG_MAX/2)

/** double2ll as zzlInsertAt uses it: does a listpack keep this score as an integer? */
export function listpackKeepsAsInteger(score: number): boolean {
  return Number.isInteger(score) && score >= -LLONG_MAX_HALF && score <= LLONG_MAX_HALF;
}

function lpScore(score: number): number {
  return score === 0 ? 0 : score; // -0 is stored as the integer 0
}

/** zzlInsertAt's score form: an integer when double2ll keeps it, d2string otherwise. */
export function listpackScore(score: number): string {
  return listpackKeepsAsInteger(score) ? (score === 0 ? '0' : BigInt(score).toString()) : formatG17(score);
}

/** A listpack's score text as a number; d2string spells infinity "inf", which Number() does not read. */
export function listpackScoreValue(s: string): number {
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

export class SortedSet implements TypedValue {
  readonly kind = 'zset' as const;
  private byMember: Map<string, ZNode> | null;
  private list: Skiplist | null;
  /**
   * The listpack as loaded from an RDB file (a latin1 string), until the
   * first access builds `byMember` and `list` from it; the writer saves it
   * back as it is, as Redis writes its own listpacks.
   */
  private packed: string | null;
  private packedLength: number;
  /** The score zsetAdd computed, for ZADD INCR's reply (valid after a non-NOP add). */
  newScore = 0;
  private seq = 0;
  /** ZSCAN's log of (member, seq), oldest first; built on first use (see scan()). */
  private scanMembers: string[] | null = null;
  private scanSeqs: number[] | null = null;

  /** An empty set; for a packed one, see SortedSet.packed. */
  constructor(public listpack = true, packed: string | null = null, packedLength = 0) {
    this.byMember = packed === null ? new Map() : null;
    this.list = packed === null ? new Skiplist() : null;
    this.packed = packed;
    this.packedLength = packedLength;
  }

  /** A listpack set kept packed: `bytes` holds `length` distinct members, each followed by a score that reads as a number. */
  static packed(bytes: string, length: number): SortedSet {
    return new SortedSet(true, bytes, length);
  }

  /** member → node, for O(1) score lookups. */
  get dict(): Map<string, ZNode> {
    return this.byMember ?? this.unpack().dict;
  }

  get zsl(): Skiplist {
    return this.list ?? this.unpack().zsl;
  }

  private unpack(): this {
    const items = unpackListpack(this.packed!);
    this.byMember = new Map();
    this.list = new Skiplist();
    this.packed = null;
    for (let i = 0; i < items.length; i += 2) this.insertNew(listpackScoreValue(items[i + 1]), items[i]);
    return this;
  }

  /** The listpack bytes while the set is packed (the RDB writer saves them as they are), else null. */
  packedListpack(): string | null {
    return this.packed;
  }

  repack(): boolean {
    const list = this.list;
    if (list === null || !this.listpack || this.scanMembers !== null || list.length === 0) return false;
    const items: string[] = new Array<string>(list.length * 2);
    let i = 0;
    for (let n = list.first; n !== null; n = n.next[0]) {
      items[i++] = n.member;
      items[i++] = listpackScore(n.score);
    }
    const bytes = packListpack(items, i);
    if (bytes === null) return false;
    this.packed = bytes;
    this.packedLength = list.length;
    this.byMember = null;
    this.list = null;
    return true;
  }

  /** The encoding a new set gets for its first member (zaddGenericCommand). */
  static create(limits: ZsetLimits, firstMemberLength: number): SortedSet {
    return new SortedSet(!(limits.entries === 0 || limits.value < firstMemberLength));
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  get length(): number {
    return this.byMember === null ? this.packedLength : this.byMember.size;
  }

  score(member: string): number | undefined {
    const n = this.dict.get(member);
    return n === undefined ? undefined : n.score;
  }

  convertToSkiplist(): void {
    if (this.packed !== null) this.unpack(); // the packed bytes are a listpack's: they go first
    this.listpack = false;
  }

  /** zsetConvertToListpackIfNeeded (store results built as a skiplist). */
  convertToListpackIfNeeded(limits: ZsetLimits, maxMemberLength: number): void {
    if (this.listpack) return;
    if (this.dict.size <= limits.entries && maxMemberLength <= limits.value) {
      this.listpack = true;
      for (let n = this.zsl.first; n !== null; n = n.next[0]) if (Object.is(n.score, -0)) n.score = 0;
    }
  }

  private insertNew(score: number, member: string): ZNode {
    const n = this.zsl.insert(this.listpack ? lpScore(score) : score, member);
    n.seq = ++this.seq;
    this.dict.set(member, n);
    if (this.scanMembers !== null) {
      this.scanMembers.push(member);
      this.scanSeqs!.push(n.seq);
    }
    return n;
  }

  /**
   * zsetAdd: returns the ZADD_OUT_* flags (ZADD_OUT_NAN means the command
   * must fail); the resulting score is left in `newScore`.
   */
  add(score: number, member: string, flags: number, limits: ZsetLimits): number {
    if (Number.isNaN(score)) return ZADD_OUT_NAN;
    const cur = this.dict.get(member);
    if (cur !== undefined) {
      if (flags & ZADD_IN_NX) return ZADD_OUT_NOP;
      const curScore = cur.score;
      if (flags & ZADD_IN_INCR) {
        score += curScore;
        if (Number.isNaN(score)) return ZADD_OUT_NAN;
      }
      if ((flags & ZADD_IN_LT && score >= curScore) || (flags & ZADD_IN_GT && score <= curScore)) return ZADD_OUT_NOP;
      this.newScore = score;
      if (score !== curScore) {
        const n = this.zsl.updateScore(curScore, member, this.listpack ? lpScore(score) : score);
        if (n !== cur) this.dict.set(member, n);
        return ZADD_OUT_UPDATED;
      }
      return 0;
    }
    if (flags & ZADD_IN_XX) return ZADD_OUT_NOP;
    if (this.listpack && (this.dict.size + 1 > limits.entries || member.length > limits.value)) this.listpack = false;
    this.insertNew(score, member);
    this.newScore = score;
    return ZADD_OUT_ADDED;
  }

  /** Adds a member known to be absent, without conversion checks (building results). */
  insertUnchecked(score: number, member: string): void {
    this.insertNew(score, member);
  }

  /** zsetDel */
  delete(member: string): boolean {
    const n = this.dict.get(member);
    if (n === undefined) return false;
    this.dict.delete(member);
    this.zsl.delete(n.score, member);
    return true;
  }

  /** zsetRank: 0-based, -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const n = this.dict.get(member);
    if (n === undefined) return -1;
    const r = this.zsl.getRank(n.score, member);
    return reverse ? this.zsl.length - r : r - 1;
  }

  /** The node at 0-based rank `i` from the head, or from the tail when reverse. */
  nodeAt(i: number, reverse: boolean): ZNode | null {
    if (i === 0) return reverse ? this.zsl.tail : this.zsl.first;
    return this.zsl.getByRank(reverse ? this.zsl.length - i : i + 1);
  }

  firstInRange(r: ScoreRange): ZNode | null {
    return this.zsl.firstInRange(r);
  }

  lastInRange(r: ScoreRange): ZNode | null {
    return this.zsl.lastInRange(r);
  }

  firstInLexRange(r: LexRange): ZNode | null {
    return this.listpack ? this.zsl.firstInLexRangeLinear(r) : this.zsl.firstInLexRange(r);
  }

  lastInLexRange(r: LexRange): ZNode | null {
    return this.listpack ? this.zsl.lastInLexRangeLinear(r) : this.zsl.lastInLexRange(r);
  }

  /** ZCOUNT */
  countInRange(r: ScoreRange): number {
    const first = this.zsl.firstInRange(r);
    if (first === null) return 0;
    if (this.listpack) {
      let c = 0;
      for (let n: ZNode | null = first; n !== null && valueLteMax(n.score, r); n = n.next[0]) c++;
      return c;
    }
    const len = this.zsl.length;
    let count = len - (this.zsl.getRank(first.score, first.member) - 1);
    const last = this.zsl.lastInRange(r);
    if (last !== null) count -= len - this.zsl.getRank(last.score, last.member);
    return count;
  }

  /** ZLEXCOUNT */
  countInLexRange(r: LexRange): number {
    const first = this.firstInLexRange(r);
    if (first === null) return 0;
    if (this.listpack) {
      let c = 0;
      for (let n: ZNode | null = first; n !== null && lexLteMax(n.member, r); n = n.next[0]) c++;
      return c;
    }
    const len = this.zsl.length;
    let count = len - (this.zsl.getRank(first.score, first.member) - 1);
    const last = this.zsl.lastInLexRange(r);
    if (last !== null) count -= len - this.zsl.getRank(last.score, last.member);
    return count;
  }

  private readonly dropFromDict = (n: ZNode): void => {
    this.dict.delete(n.member);
  };

  deleteRangeByScore(r: ScoreRange): number {
    if (this.listpack && this.zsl.firstInRange(r) === null) return 0;
    return this.zsl.deleteRangeByScore(r, this.dropFromDict);
  }

  deleteRangeByLex(r: LexRange): number {
    return this.listpack ? this.zsl.deleteRangeByLexLinear(r, this.dropFromDict) : this.zsl.deleteRangeByLex(r, this.dropFromDict);
  }

  /** 0-based inclusive ranks, already clamped by the caller. */
  deleteRangeByRank(start: number, end: number): number {
    return this.zsl.deleteRangeByRank(start + 1, end + 1, this.dropFromDict);
  }

  /** Removes and returns the lowest (or highest) element, or null when empty. */
  pop(max: boolean): ZNode | null {
    const n = max ? this.zsl.tail : this.zsl.first;
    if (n === null) return null;
    this.delete(n.member);
    return n;
  }

  /** Members and scores head to tail. */
  *entries(): IterableIterator<ZNode> {
    for (let n = this.zsl.first; n !== null; n = n.next[0]) yield n;
  }

  members(): string[] {
    const out: string[] = [];
    for (let n = this.zsl.first; n !== null; n = n.next[0]) out.push(n.member);
    return out;
  }

  /** A deep copy with the same encoding. */
  dup(): SortedSet {
    if (this.packed !== null) return SortedSet.packed(this.packed, this.packedLength);
    const z = new SortedSet(this.listpack);
    for (let n = this.zsl.tail; n !== null; n = n.backward) z.insertNew(n.score, n.member);
    return z;
  }

  /** A uniformly random member's node (the set must not be empty). */
  randomNode(rand: () => number = Math.random): ZNode {
    const r = Math.floor(rand() * this.zsl.length);
    return this.nodeAt(r, false)!;
  }

  /**
   * One ZSCAN step over a skiplist-encoded set. Redis's guarantee (a member
   * present for the whole iteration is returned at least once; the iteration
   * ends) comes here from a log of member incarnations, walked newest to
   * oldest: the cursor is a creation number, "continue at the newest entry
   * whose seq <= cursor"; 0 starts, and is returned at the end. Members added
   * later get higher numbers, behind the walk. Stale entries (deleted
   * members) are skipped and compacted away.
   */
  scan(cursor: number, count: number): { next: number; nodes: ZNode[] } {
    if (this.scanMembers === null) {
      const ms: string[] = [];
      const ss: number[] = [];
      const all = Array.from(this.dict.values()).sort((a, b) => a.seq - b.seq);
      for (const n of all) {
        ms.push(n.member);
        ss.push(n.seq);
      }
      this.scanMembers = ms;
      this.scanSeqs = ss;
    }
    let ms = this.scanMembers;
    let ss = this.scanSeqs!;
    if (ms.length > 2 * this.dict.size + 16) {
      const nm: string[] = [];
      const ns: number[] = [];
      for (let i = 0; i < ms.length; i++) {
        const n = this.dict.get(ms[i]);
        if (n !== undefined && n.seq === ss[i]) {
          nm.push(ms[i]);
          ns.push(ss[i]);
        }
      }
      this.scanMembers = ms = nm;
      this.scanSeqs = ss = ns;
    }
    // Start: the newest slot with seq <= cursor (cursor 0: the newest of all).
    let i: number;
    if (cursor === 0) i = ss.length - 1;
    else {
      let lo = 0;
      let hi = ss.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ss[mid] <= cursor) lo = mid + 1;
        else hi = mid;
      }
      i = lo - 1;
    }
    const nodes: ZNode[] = [];
    let visited = 0;
    while (i >= 0 && visited < count) {
      const n = this.dict.get(ms[i]);
      if (n !== undefined && n.seq === ss[i]) nodes.push(n);
      visited++;
      i--;
    }
    return { next: i < 0 ? 0 : ss[i], nodes };
  }
}

export { lexGteMin, lexLteMax, valueLteMax };
export { valueGteMin, scoreRangeEmpty, lexRangeEmpty } from './skiplist.js';
