/**
 * Stream IDs: two unsigned 64-bit numbers, <ms>-<seq>, ordered as the pair.
 *
 * Each half is a U64: a JS number while it is at most 2^53-1 (the case of
 * every real-world ID, so XADD and XRANGE do plain number arithmetic) and a
 * bigint above that, so IDs stay exact over the whole range up to
 * 18446744073709551615-18446744073709551615. The type follows the value
 * (normalized), so `===` compares two U64s correctly and `<`/`>` work across
 * the two representations.
 *
 *   { ms: 1526919030474, seq: 55 }                        "1526919030474-55"
 *   { ms: 18446744073709551615n, seq: 0 }                 "18446744073709551615-0"
 */

export type U64 = number | bigint;

export interface StreamID {
  ms: U64;
  seq: U64;
}

const MAX_SAFE = 9007199254740991;
const MAX_SAFE_N = 9007199254740991n;
export const U64_MAX: U64 = 18446744073709551615n;
const TWO64 = 18446744073709551616n;

export const MIN_ID: Readonly<StreamID> = { ms: 0, seq: 0 };
export const MAX_ID: Readonly<StreamID> = { ms: U64_MAX, seq: U64_MAX };

/** A bigint as a U64, a number when exactly representable. */
export function u64(b: bigint): U64 {
  return b <= MAX_SAFE_N && b >= -MAX_SAFE_N ? Number(b) : b;
}

export function big(v: U64): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

export function cmpU64(a: U64, b: U64): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** streamCompareID on two pairs. */
export function cmpID(ams: U64, aseq: U64, bms: U64, bseq: U64): number {
  if (ams !== bms) return ams < bms ? -1 : 1;
  if (aseq === bseq) return 0;
  return aseq < bseq ? -1 : 1;
}

export function cmp(a: StreamID, b: StreamID): number {
  return cmpID(a.ms, a.seq, b.ms, b.seq);
}

export function isZero(id: StreamID): boolean {
  return id.ms === 0 && id.seq === 0;
}

export function isMax(id: StreamID): boolean {
  return id.ms === U64_MAX && id.seq === U64_MAX;
}

export function inc1(v: U64): U64 {
  if (typeof v === 'number' && v < MAX_SAFE) return v + 1;
  return u64(big(v) + 1n);
}

export function dec1(v: U64): U64 {
  if (typeof v === 'number') return v - 1;
  return u64(v - 1n);
}

/** streamIncrID: the next ID; null when `id` is the last possible one (Redis wraps to 0-0 and errs). */
export function nextID(id: StreamID): StreamID | null {
  if (id.seq === U64_MAX) {
    if (id.ms === U64_MAX) return null;
    return { ms: inc1(id.ms), seq: 0 };
  }
  return { ms: id.ms, seq: inc1(id.seq) };
}

/** streamDecrID: the previous ID; null when `id` is 0-0. */
export function prevID(id: StreamID): StreamID | null {
  if (id.seq === 0) {
    if (id.ms === 0) return null;
    return { ms: dec1(id.ms), seq: U64_MAX };
  }
  return { ms: id.ms, seq: dec1(id.seq) };
}

/** The last ms part formatted: consecutive IDs mostly share it, and a double's toString is not cheap. */
let lastMs: U64 = -1;
let lastMsText = '';

export function formatID(ms: U64, seq: U64): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastMsText = `${ms}-`;
  }
  return lastMsText + seq;
}

export function idString(id: StreamID): string {
  return `${id.ms}-${id.seq}`;
}

/** `a - b` as Redis stores a delta in a listpack: the uint64 difference read as int64. */
export function deltaInt64(a: U64, b: U64): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') return a - b; // |a - b| < 2^53: exact
  return u64(BigInt.asIntN(64, big(a) - big(b)));
}

/** `base + delta` as Redis decodes a listpack delta: uint64 arithmetic modulo 2^64. */
export function addDelta(base: U64, delta: number | bigint): U64 {
  if (typeof base === 'number' && typeof delta === 'number') {
    const r = base + delta;
    if (r >= 0 && r <= MAX_SAFE) return r;
  }
  return u64(BigInt.asUintN(64, big(base) + big(delta)));
}

/** U64 difference as a long long (entries counters never leave int64). */
export function sub(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return u64(big(a) - big(b));
}

export function add(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
  }
  return u64(big(a) + big(b));
}

/** The 16-byte big-endian key Redis files a node (or a PEL entry) under. */
export function encodeID(ms: U64, seq: U64, out: Buffer = Buffer.allocUnsafe(16), at = 0): Buffer {
  out.writeBigUInt64BE(big(ms), at);
  out.writeBigUInt64BE(big(seq), at + 8);
  return out;
}

export function decodeID(b: Buffer, at = 0): StreamID {
  return { ms: u64(b.readBigUInt64BE(at)), seq: u64(b.readBigUInt64BE(at + 8)) };
}

// ---- parsing ------------------------------------------------------------------

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * string2ull: string2ll first (a negative result is refused), then strtoull
 * over the whole string (leading blanks, an optional sign, leading zeros;
 * a minus wraps as in C). Null when Redis refuses it.
 */
export function parseU64(s: string): U64 | null {
  const n = s.length;
  if (n === 0) return null;
  // Fast path: plain digits without a leading zero, as string2ll accepts them.
  const c0 = s.charCodeAt(0);
  if (n <= 15 && c0 >= 49 && c0 <= 57) {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return v;
  }
  if (s === '0') return 0;
  if (strictInt64(s)) {
    // string2ll accepted it: a negative value is out of range, and that is final.
    return c0 === 45 ? null : u64(BigInt(s));
  }
  // strtoull
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    neg = s.charCodeAt(i) === 45;
    i++;
  }
  if (i === n) return null;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s.slice(i));
  if (v >= TWO64) return null; // ERANGE
  return u64(neg && v !== 0n ? TWO64 - v : v);
}

/** string2ll's acceptance (no blanks, no '+', no leading zeros, not "-0", within int64). */
function strictInt64(s: string): boolean {
  const n = s.length;
  if (n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) i = 1;
  if (i === n) return false;
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return false;
  }
  const v = BigInt(s);
  return v <= 9223372036854775807n && v >= -9223372036854775808n;
}

/** What streamGenericParseIDOrReply makes of an argument. */
export interface ParsedID extends StreamID {
  /** False for the XADD form <ms>-* (the sequence is to be generated). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: "-" and "+" (unless strict), <ms>, <ms>-<seq>,
 * and <ms>-* when `allowSeqStar` (XADD). A missing sequence is `missingSeq`.
 * Null for "Invalid stream ID specified as stream command argument". The
 * argument is read as the C string Redis sees (up to a NUL byte), and one
 * longer than 127 bytes is invalid.
 */
export function parseStreamID(arg: string, missingSeq: U64, strict: boolean, allowSeqStar = false): ParsedID | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf('\0');
  const s = nul < 0 ? arg : arg.slice(0, nul);
  if (s === '-') return strict ? null : { ms: 0, seq: 0, seqGiven: true };
  if (s === '+') return strict ? null : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
  const dash = s.indexOf('-');
  const ms = parseU64(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === '*') return { ms, seq: 0, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { ms, seq, seqGiven: true };
}
