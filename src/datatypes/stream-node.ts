/**
 * One node of a stream: what Redis keeps as one listpack in the stream's
 * radix tree (t_stream.c, streamAppendItem). Its shape decides observable
 * things — approximate trimming removes whole nodes, XINFO counts them, RDB
 * stores them verbatim — so a node holds the same entries Redis's would, and
 * knows the exact byte size its listpack has, without building the listpack
 * until something (RDB, DUMP) needs the bytes.
 *
 * Redis's listpack for a node:
 *
 *   master entry:  count | deleted | num-fields | field_1 ... field_N | 0
 *   each entry:    flags | ms-delta | seq-delta | [num-fields | f1 v1 ... fN vN | or v1 ... vN] | lp-count
 *
 * where SAMEFIELDS in `flags` means "the master's field names, values only"
 * and DELETED marks a tombstone left by XDEL or an exact trim. Here the entry
 * IDs are kept whole (parallel arrays `ms`/`seq`), the strings of every entry
 * in one array `items` (values only for SAMEFIELDS entries, field/value pairs
 * otherwise) with `off` pointing at each entry's first string.
 *
 * `restBytes` is the listpack's total size (header and terminator included)
 * minus the two counters at its head, which change size as they change.
 */
import { parseInt64 } from '../util/numbers.js';
import { deltaInt64, type U64 } from './stream-id.js';

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

/** Listpack header (total bytes, element count) and the terminator byte. */
const LP_EMPTY = 7;

function backlen(enc: number): number {
  return enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
}

/** Bytes of a listpack element holding the integer `v` (encoding, data, backlen). */
export function lpIntSize(v: number | bigint): number {
  if (typeof v === 'bigint') return 10;
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes of a listpack element for the string `s`, which lpAppend stores as an integer when it is one. */
export function lpStrSize(s: string): number {
  const n = s.length;
  if (n <= 20 && n > 0) {
    const c = s.charCodeAt(n - 1);
    if (c >= 48 && c <= 57) {
      const v = parseInt64(s);
      if (v !== null) return lpIntSize(v);
    }
  }
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlen(enc);
}

export class StreamNode {
  /** Entry IDs, flags and where each entry's strings start in `items`. */
  ms: U64[] = [];
  seq: U64[] = [];
  flags: number[] = [];
  off: number[] = [];
  items: string[] = [];
  /** Entries not deleted, and tombstones. */
  live = 0;
  deleted = 0;
  restBytes: number;
  /**
   * The allocation Redis started the node's listpack with (STREAM_LISTPACK_MAX_PRE_ALLOCATE
   * or stream-node-max-bytes if smaller), 0 for a listpack allocated at its
   * exact size (loaded, copied); `shrunk` once Redis fits it to its size (a
   * new node started because this one was full). Only MEMORY USAGE
   * looks at these.
   */
  prealloc = 0;
  shrunk = false;

  constructor(
    readonly masterMs: U64,
    readonly masterSeq: U64,
    readonly masterFields: string[],
  ) {
    let b = LP_EMPTY + lpIntSize(masterFields.length) + 2; // the trailing 0
    for (const f of masterFields) b += lpStrSize(f);
    this.restBytes = b;
  }

  get size(): number {
    return this.ms.length;
  }

  /** lpBytes of the node's listpack. */
  get bytes(): number {
    return this.restBytes + lpIntSize(this.live) + lpIntSize(this.deleted);
  }

  /** Number of field/value pairs of entry i. */
  numFields(i: number): number {
    if (this.flags[i] & FLAG_SAMEFIELDS) return this.masterFields.length;
    const end = i + 1 < this.off.length ? this.off[i + 1] : this.items.length;
    return (end - this.off[i]) >> 1;
  }

  field(i: number, j: number): string {
    return this.flags[i] & FLAG_SAMEFIELDS ? this.masterFields[j] : this.items[this.off[i] + 2 * j];
  }

  value(i: number, j: number): string {
    return this.flags[i] & FLAG_SAMEFIELDS ? this.items[this.off[i] + j] : this.items[this.off[i] + 2 * j + 1];
  }

  isDeleted(i: number): boolean {
    return (this.flags[i] & FLAG_DELETED) !== 0;
  }

  /** True when argv's field names at [from, to) (pairs) are the master's. */
  sameFields(argv: readonly string[], from: number, to: number): boolean {
    const mf = this.masterFields;
    if ((to - from) >> 1 !== mf.length) return false;
    for (let j = 0, k = from; k < to; j++, k += 2) if (argv[k] !== mf[j]) return false;
    return true;
  }

  /**
   * Appends an entry from argv's field/value pairs at [from, to), counting
   * the bytes streamAppendItem's lpAppend calls add to the listpack.
   */
  push(ms: U64, seq: U64, argv: readonly string[], from: number, to: number, same: boolean): void {
    const nf = (to - from) >> 1;
    let b = lpIntSize(same ? FLAG_SAMEFIELDS : 0) + lpIntSize(deltaInt64(ms, this.masterMs)) + lpIntSize(deltaInt64(seq, this.masterSeq));
    const items = this.items;
    this.ms.push(ms);
    this.seq.push(seq);
    this.flags.push(same ? FLAG_SAMEFIELDS : 0);
    this.off.push(items.length);
    if (same) {
      for (let k = from + 1; k < to; k += 2) {
        const v = argv[k];
        items.push(v);
        b += lpStrSize(v);
      }
      b += lpIntSize(nf + 3);
    } else {
      b += lpIntSize(nf);
      for (let k = from; k < to; k++) {
        const s = argv[k];
        items.push(s);
        b += lpStrSize(s);
      }
      b += lpIntSize(2 * nf + 4);
    }
    this.restBytes += b;
    this.live++;
  }

  /** Marks entry i deleted (its flags keep their one-byte encoding). */
  markDeleted(i: number): void {
    this.flags[i] |= FLAG_DELETED;
    this.live--;
    this.deleted++;
  }

  /** First index whose ID is >= (ms, seq), within [0, size]. */
  lowerBound(ms: U64, seq: U64): number {
    let lo = 0;
    let hi = this.ms.length;
    const ams = this.ms;
    const aseq = this.seq;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = ams[mid];
      if (m < ms || (m === ms && aseq[mid] < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A deep copy (COPY): the strings are immutable and shared. */
  clone(): StreamNode {
    const n = new StreamNode(this.masterMs, this.masterSeq, this.masterFields);
    n.ms = this.ms.slice();
    n.seq = this.seq.slice();
    n.flags = this.flags.slice();
    n.off = this.off.slice();
    n.items = this.items.slice();
    n.live = this.live;
    n.deleted = this.deleted;
    n.restBytes = this.restBytes;
    return n;
  }

  /**
   * The node's listpack as Redis has it, element by element (integers in
   * decimal): what listpackEncode turns into the RDB bytes.
   */
  listpackItems(): string[] {
    const out: string[] = [String(this.live), String(this.deleted), String(this.masterFields.length)];
    for (const f of this.masterFields) out.push(f);
    out.push('0');
    for (let i = 0; i < this.ms.length; i++) {
      const flags = this.flags[i];
      out.push(String(flags), String(deltaInt64(this.ms[i], this.masterMs)), String(deltaInt64(this.seq[i], this.masterSeq)));
      const nf = this.numFields(i);
      const o = this.off[i];
      if (flags & FLAG_SAMEFIELDS) {
        for (let j = 0; j < nf; j++) out.push(this.items[o + j]);
        out.push(String(nf + 3));
      } else {
        out.push(String(nf));
        for (let j = 0; j < 2 * nf; j++) out.push(this.items[o + j]);
        out.push(String(2 * nf + 4));
      }
    }
    return out;
  }
}
