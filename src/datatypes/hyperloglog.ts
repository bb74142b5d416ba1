/**
 * HyperLogLog as Redis 7.0 stores it (hyperloglog.c), byte for byte: an HLL
 * is an ordinary string value whose bytes are
 *
 *   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused | cached cardinality (8, LE)
 *
 * followed by the registers: 16384 6-bit registers packed LSB first (dense,
 * always 12288 bytes), or a run-length opcode stream (sparse):
 *   ZERO  00xxxxxx           1..64 zero registers
 *   XZERO 01xxxxxx yyyyyyyy  1..16384 zero registers
 *   VAL   1vvvvvxx           1..4 registers set to 1..32
 * The top bit of the last cardinality byte set means "cache stale".
 *
 * Everything here works on raw bytes; the command layer (commands/
 * hyperloglog.ts) owns lookups, replies and keyspace bookkeeping. Edits happen
 * in place on a Bytes, replacing its buffer when the representation grows or
 * turns dense, as Redis edits (and reallocates) the sds.
 */
import { Bytes } from './bytes.js';

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_REGISTER_MAX = 63;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const HLL_ALPHA_INF = 0.721347520444481703680; /* 0.5/ln(2) */
const HASH_SEED = 0xadc83b19;

export const HLL_INVALID_ERR = 'INVALIDOBJ Corrupted HLL object detected';
export const HLL_WRONGTYPE_ERR = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

// ---- MurmurHash64A, on two 32-bit halves ------------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/**
 * High word of (hi:lo) * m mod 2^64: the high half of lo*M_LO (by 16-bit
 * limbs, every partial product exact in a double) plus the cross terms.
 */
function mulHiM(lo: number, hi: number): number {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p01 = a0 * 0x5bd1;
  const p10 = a1 * 0xe995;
  const mid = ((a0 * 0xe995) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * 0x5bd1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** The last murmur64() result. */
let hHi = 0;
let hLo = 0;

/**
 * MurmurHash64A of the bytes of `s` (a latin1 string: one char per byte) or of
 * a byte array, on two 32-bit halves; the result is left in (hHi, hLo).
 */
function murmur64(data: string | Uint8Array, seed: number): void {
  const len = data.length;
  // h = seed ^ (len * m)
  let hi = mulHiM(len, 0);
  let lo = (Math.imul(len, M_LO) ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  if (typeof data === 'string') {
    for (; i < blocks; i += 8) {
      let kLo = (data.charCodeAt(i) | (data.charCodeAt(i + 1) << 8) | (data.charCodeAt(i + 2) << 16) | (data.charCodeAt(i + 3) << 24)) >>> 0;
      let kHi = (data.charCodeAt(i + 4) | (data.charCodeAt(i + 5) << 8) | (data.charCodeAt(i + 6) << 16) | (data.charCodeAt(i + 7) << 24)) >>> 0;
      // k *= m; k ^= k >> 47; k *= m; h ^= k; h *= m
      let t = mulHiM(kLo, kHi);
      kLo = Math.imul(kLo, M_LO) >>> 0;
      kHi = t;
      kLo = (kLo ^ (kHi >>> 15)) >>> 0;
      t = mulHiM(kLo, kHi);
      kLo = Math.imul(kLo, M_LO) >>> 0;
      kHi = t;
      hi = (hi ^ kHi) >>> 0;
      lo = (lo ^ kLo) >>> 0;
      t = mulHiM(lo, hi);
      lo = Math.imul(lo, M_LO) >>> 0;
      hi = t;
    }
  } else {
    for (; i < blocks; i += 8) {
      let kLo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
      let kHi = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
      let t = mulHiM(kLo, kHi);
      kLo = Math.imul(kLo, M_LO) >>> 0;
      kHi = t;
      kLo = (kLo ^ (kHi >>> 15)) >>> 0;
      t = mulHiM(kLo, kHi);
      kLo = Math.imul(kLo, M_LO) >>> 0;
      kHi = t;
      hi = (hi ^ kHi) >>> 0;
      lo = (lo ^ kLo) >>> 0;
      t = mulHiM(lo, hi);
      lo = Math.imul(lo, M_LO) >>> 0;
      hi = t;
    }
  }
  const rem = len & 7;
  if (rem !== 0) {
    // Tail bytes j = rem-1..0 xor into bits 8*j of h (the C switch falls through).
    for (let j = rem - 1; j >= 0; j--) {
      const c = typeof data === 'string' ? data.charCodeAt(i + j) : data[i + j];
      if (j >= 4) hi ^= c << ((j - 4) * 8);
      else lo ^= c << (j * 8);
    }
    hi >>>= 0;
    lo >>>= 0;
    const t = mulHiM(lo, hi);
    lo = Math.imul(lo, M_LO) >>> 0;
    hi = t;
  }
  lo = (lo ^ (hi >>> 15)) >>> 0;
  let t = mulHiM(lo, hi);
  lo = Math.imul(lo, M_LO) >>> 0;
  hi = t;
  lo = (lo ^ (hi >>> 15)) >>> 0;
  hHi = hi;
  hLo = lo;
}

/** MurmurHash64A as an unsigned 64-bit BigInt (for tests and debugging). */
export function murmurHash64A(data: string | Uint8Array, seed: number): bigint {
  murmur64(data, seed >>> 0);
  return (BigInt(hHi) << 32n) | BigInt(hLo);
}

/** Register index of the last patLen() call. */
let patIndex = 0;

/**
 * hllPatLen: the length of the 000..1 pattern of the element's hash above the
 * 14 index bits (1..51); the register index is left in patIndex.
 */
function patLen(ele: string | Uint8Array): number {
  murmur64(ele, HASH_SEED);
  patIndex = hLo & HLL_P_MASK;
  const low = hLo >>> HLL_P; // hash bits 14..31
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (hHi !== 0) return 18 + 32 - Math.clz32(hHi & -hHi);
  return HLL_Q + 1;
}

/** [register index, count] an element maps to. */
export function hllPatLen(ele: string | Uint8Array): [number, number] {
  const c = patLen(ele);
  return [patIndex, c];
}

// ---- dense registers ----------------------------------------------------------

/** Register `r` of dense registers starting at `off`. Bytes past the buffer read as 0 (sds's NUL). */
export function denseGet(buf: Uint8Array, off: number, r: number): number {
  const bit = r * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  const b1 = byte + 1 < buf.length ? buf[byte + 1] : 0;
  return ((buf[byte] >>> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

export function denseSetRaw(buf: Uint8Array, off: number, r: number, v: number): void {
  const bit = r * 6;
  const byte = off + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  buf[byte] = (buf[byte] & ~(HLL_REGISTER_MAX << fb)) | (v << fb);
  if (byte + 1 < buf.length) buf[byte + 1] = (buf[byte + 1] & ~(HLL_REGISTER_MAX >>> fb8)) | (v >>> fb8);
}

/** hllDenseSet: raises register `r` to `count`; 1 if it changed. */
function denseSet(buf: Uint8Array, r: number, count: number): number {
  if (count > denseGet(buf, HLL_HDR_SIZE, r)) {
    denseSetRaw(buf, HLL_HDR_SIZE, r, count);
    return 1;
  }
  return 0;
}

function denseHisto(buf: Uint8Array, histo: Int32Array): void {
  let p = HLL_HDR_SIZE;
  for (let j = 0; j < HLL_REGISTERS; j += 4, p += 3) {
    const a = buf[p];
    const b = buf[p + 1];
    const c = buf[p + 2];
    histo[a & 63]++;
    histo[((a >>> 6) | (b << 2)) & 63]++;
    histo[((b >>> 4) | (c << 4)) & 63]++;
    histo[c >>> 2]++;
  }
}

// ---- sparse representation ----------------------------------------------------

/**
 * Byte `i` of a value's buffer, reading past the length as the C code does:
 * the sds NUL terminator, or whatever a sparse edit left there (the buffer
 * keeps those bytes, and a byte past the buffer reads as 0).
 */
function byteAt(b: Bytes, i: number): number {
  return i < b.buf.length ? b.buf[i] : 0;
}

/** sdsIncrLen: the new length, with the terminator written at it. */
function setLength(b: Bytes, n: number): void {
  b.length = n;
  if (n < b.buf.length) b.buf[n] = 0;
}

function makeRoom(b: Bytes, extra: number): void {
  const need = b.length + extra + 1;
  if (b.buf.length >= need) return;
  const cap = need < 1024 * 1024 ? need * 2 : need + 1024 * 1024;
  const next = Buffer.alloc(cap);
  b.buf.copy(next); // all of it: bytes past the length are read as the C code reads them
  b.buf = next;
}

/**
 * hllSparseToDense: converts in place; false (value untouched) if the sparse
 * stream is corrupt. Dense already: true.
 */
export function sparseToDense(b: Bytes): boolean {
  const src = b.buf;
  if (src[4] === HLL_DENSE) return true;
  const dense = Buffer.alloc(HLL_DENSE_SIZE + 1);
  src.copy(dense, 0, 0, HLL_HDR_SIZE);
  dense[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = b.length;
  while (p < end) {
    const op = src[p];
    if ((op & 0xc0) === 0) {
      const runlen = (op & 0x3f) + 1;
      if (runlen + idx > HLL_REGISTERS) return false;
      idx += runlen;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const runlen = (((op & 0x3f) << 8) | byteAt(b, p + 1)) + 1;
      if (runlen + idx > HLL_REGISTERS) return false;
      idx += runlen;
      p += 2;
    } else {
      let runlen = (op & 3) + 1;
      const val = ((op >>> 2) & 0x1f) + 1;
      if (runlen + idx > HLL_REGISTERS) return false;
      while (runlen--) denseSetRaw(dense, HLL_HDR_SIZE, idx++, val);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  b.buf = dense;
  b.length = HLL_DENSE_SIZE;
  return true;
}

function valOp(val: number, len: number): number {
  return ((val - 1) << 2) | (len - 1) | 0x80;
}

/**
 * hllSparseSet: raises register `index` to `count` in a sparse HLL, promoting
 * it to dense when the value does not fit a VAL opcode or the string would
 * exceed `maxBytes` (hll-sparse-max-bytes). 1 changed, 0 unchanged, -1 corrupt.
 */
export function sparseSet(b: Bytes, index: number, count: number, maxBytes: number): number {
  if (count <= SPARSE_VAL_MAX_VALUE) {
    const r = sparseSetInPlace(b, index, count, maxBytes);
    if (r !== 2) return r;
  }
  // Promote.
  if (!sparseToDense(b)) return -1;
  return denseSet(b.buf, index, count);
}

/** The in-place part of hllSparseSet; 2 means "promote". */
function sparseSetInPlace(b: Bytes, index: number, count: number, maxBytes: number): number {
  makeRoom(b, 3);
  let buf = b.buf;
  const sparse = HLL_HDR_SIZE;
  let end = b.length;
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = buf[p];
    let oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if (op & 0x80) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | byteAt(b, p + 1)) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = buf[p];
  const isXzero = (op & 0xc0) === 0x40;
  const isZero = (op & 0xc0) === 0;
  const isVal = !isXzero && !isZero;
  let next = isXzero ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const runlen = isZero ? (op & 0x3f) + 1 : isXzero ? (((op & 0x3f) << 8) | byteAt(b, p + 1)) + 1 : (op & 3) + 1;

  let done = false;
  if (isVal) {
    const old = ((op >>> 2) & 0x1f) + 1;
    if (old >= count) return 0;
    if (runlen === 1) {
      buf[p] = valOp(count, 1);
      done = true;
    }
  }
  if (!done && isZero && runlen === 1) {
    buf[p] = valOp(count, 1);
    done = true;
  }
  if (!done) {
    // Split the opcode into at most three: before, our VAL, after.
    const seq: number[] = [];
    const last = first + span - 1;
    if (isZero || isXzero) {
      const pushZeros = (len: number): void => {
        if (len > SPARSE_ZERO_MAX_LEN) {
          const l = len - 1;
          seq.push((l >>> 8) | 0x40, l & 0xff);
        } else seq.push(len - 1);
      };
      if (index !== first) pushZeros(index - first);
      seq.push(valOp(count, 1));
      if (index !== last) pushZeros(last - index);
    } else {
      const cur = ((op >>> 2) & 0x1f) + 1;
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    const oldlen = isXzero ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && b.length + delta > maxBytes) return 2;
    if (delta !== 0 && next !== -1) buf.copyWithin(next + delta, next, end);
    setLength(b, b.length + delta);
    for (let k = 0; k < seq.length; k++) buf[p + k] = seq[k] & 0xff;
    end += delta;
  }

  // Merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from prev.
  buf = b.buf;
  p = prev !== -1 ? prev : sparse;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = buf[p];
    if ((o & 0xc0) === 0x40) {
      p += 2;
      continue;
    }
    if ((o & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && buf[p + 1] & 0x80) {
      const v1 = ((o >>> 2) & 0x1f) + 1;
      const v2 = ((buf[p + 1] >>> 2) & 0x1f) + 1;
      if (v1 === v2) {
        const len = (o & 3) + 1 + (buf[p + 1] & 3) + 1;
        if (len <= SPARSE_VAL_MAX_LEN) {
          buf[p + 1] = valOp(v1, len);
          buf.copyWithin(p, p + 1, end);
          setLength(b, b.length - 1);
          end--;
          continue;
        }
      }
    }
    p++;
  }
  buf[15] |= 0x80;
  return 1;
}

function sparseHisto(buf: Uint8Array, len: number, histo: Int32Array): boolean {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = buf[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      histo[0] += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = (((op & 0x3f) << 8) | (p + 1 < buf.length ? buf[p + 1] : 0)) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      histo[0] += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      if (run + idx > HLL_REGISTERS) return false;
      idx += run;
      histo[((op >>> 2) & 0x1f) + 1] += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

// ---- cardinality ----------------------------------------------------------------

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

const TWO63 = 9223372036854775808;

/**
 * Ertl's estimator over a register histogram, as the uint64 Redis computes
 * (llroundl of a double). A result that does not fit (only reachable with
 * absurd registers) is what x86 llroundl gives: 2^63.
 */
function estimate(histo: Int32Array): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * hllSigma(histo[0] / m);
  const e = Math.round((HLL_ALPHA_INF * m * m) / z);
  if (!(e < TWO63)) return -(1n << 63n); // (long long) of x86's "integer indefinite"

  return e <= Number.MAX_SAFE_INTEGER ? e : BigInt(e);
}

/**
 * hllCount of a validated HLL's bytes (dense or sparse). Null when the sparse
 * stream does not cover exactly 16384 registers.
 */
export function hllCount(buf: Uint8Array, len: number): number | bigint | null {
  const histo = new Int32Array(64);
  if (buf[4] === HLL_DENSE) denseHisto(buf, histo);
  else if (!sparseHisto(buf, len, histo)) return null;
  return estimate(histo);
}

/** hllCount of one byte per register (the union PFCOUNT builds). */
export function hllCountRaw(regs: Uint8Array): number | bigint {
  const histo = new Int32Array(64);
  for (let j = 0; j < HLL_REGISTERS; j++) histo[regs[j]]++;
  return estimate(histo);
}

// ---- header, validation, merge --------------------------------------------------

/** isHLLObjectOrReply's checks on a string value's bytes. */
export function isValidHll(buf: Uint8Array, len: number): boolean {
  if (len < HLL_HDR_SIZE) return false;
  if (buf[0] !== 72 || buf[1] !== 89 || buf[2] !== 76 || buf[3] !== 76) return false; // "HYLL"
  if (buf[4] > HLL_MAX_ENCODING) return false;
  if (buf[4] === HLL_DENSE && len !== HLL_DENSE_SIZE) return false;
  return true;
}

export function encodingOf(buf: Uint8Array): number {
  return buf[4];
}

export function cacheValid(buf: Uint8Array): boolean {
  return (buf[15] & 0x80) === 0;
}

export function invalidateCache(buf: Uint8Array): void {
  buf[15] |= 0x80;
}

/** The cached cardinality (valid cache: the top bit is clear, so it fits an int64). */
export function readCache(buf: Uint8Array): number | bigint {
  const lo = (buf[8] | (buf[9] << 8) | (buf[10] << 16) | (buf[11] << 24)) >>> 0;
  const hi = (buf[12] | (buf[13] << 8) | (buf[14] << 16) | (buf[15] << 24)) >>> 0;
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

export function writeCache(buf: Uint8Array, card: number | bigint): void {
  const v = BigInt.asUintN(64, BigInt(card));
  const lo = Number(v & 0xffffffffn);
  const hi = Number(v >> 32n);
  buf[8] = lo & 0xff;
  buf[9] = (lo >>> 8) & 0xff;
  buf[10] = (lo >>> 16) & 0xff;
  buf[11] = lo >>> 24;
  buf[12] = hi & 0xff;
  buf[13] = (hi >>> 8) & 0xff;
  buf[14] = (hi >>> 16) & 0xff;
  buf[15] = hi >>> 24;
}

/**
 * hllMerge: max[i] = MAX(max[i], register i) over a validated HLL. False if
 * a sparse stream is corrupt.
 */
export function hllMerge(max: Uint8Array, buf: Uint8Array, len: number): boolean {
  if (buf[4] === HLL_DENSE) {
    let p = HLL_HDR_SIZE;
    for (let j = 0; j < HLL_REGISTERS; j += 4, p += 3) {
      const a = buf[p];
      const b = buf[p + 1];
      const c = buf[p + 2];
      const r0 = a & 63;
      const r1 = ((a >>> 6) | (b << 2)) & 63;
      const r2 = ((b >>> 4) | (c << 4)) & 63;
      const r3 = c >>> 2;
      if (r0 > max[j]) max[j] = r0;
      if (r1 > max[j + 1]) max[j + 1] = r1;
      if (r2 > max[j + 2]) max[j + 2] = r2;
      if (r3 > max[j + 3]) max[j + 3] = r3;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = buf[p];
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      if (run + i > HLL_REGISTERS) return false;
      i += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = (((op & 0x3f) << 8) | (p + 1 < buf.length ? buf[p + 1] : 0)) + 1;
      if (run + i > HLL_REGISTERS) return false;
      i += run;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const val = ((op >>> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) return false;
      while (run--) {
        if (val > max[i]) max[i] = val;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** createHLLObject: an empty sparse HLL (header + XZERO:16384), 18 bytes. */
export function createHll(): Bytes {
  const n = HLL_REGISTERS / SPARSE_XZERO_MAX_LEN; // one XZERO covers them all
  const len = HLL_HDR_SIZE + n * 2;
  const b = new Bytes('', len + 1);
  b.ensure(len);
  b.buf.write('HYLL', 0, 'latin1');
  b.buf[4] = HLL_SPARSE;
  let p = HLL_HDR_SIZE;
  let aux = HLL_REGISTERS;
  while (aux) {
    const xz = Math.min(SPARSE_XZERO_MAX_LEN, aux);
    const l = xz - 1;
    b.buf[p] = (l >>> 8) | 0x40;
    b.buf[p + 1] = l & 0xff;
    p += 2;
    aux -= xz;
  }
  return b;
}

/** hllAdd: adds an element to a validated HLL in place. 1 changed, 0 not, -1 corrupt. */
export function hllAdd(b: Bytes, ele: string | Uint8Array, sparseMaxBytes: number): number {
  const count = patLen(ele);
  const enc = b.buf[4];
  if (enc === HLL_DENSE) return denseSet(b.buf, patIndex, count);
  if (enc === HLL_SPARSE) return sparseSet(b, patIndex, count, sparseMaxBytes);
  return -1;
}

/** PFDEBUG DECODE's text of a sparse stream. */
export function decodeSparse(b: Bytes): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  const end = b.length;
  const buf = b.buf;
  while (p < end) {
    const op = buf[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${(((op & 0x3f) << 8) | byteAt(b, p + 1)) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}

/** All 16384 registers of a dense HLL. */
export function denseRegisters(buf: Uint8Array): number[] {
  const out = new Array<number>(HLL_REGISTERS);
  for (let j = 0; j < HLL_REGISTERS; j++) out[j] = denseGet(buf, HLL_HDR_SIZE, j);
  return out;
}

/**
 * PFSELFTEST's checks: register access round-trips and the estimator's error
 * over growing cardinalities, dense and sparse agreeing. Null on success,
 * else the TESTFAILED message.
 */
export function selfTest(sparseMaxBytes: number, cycles = 1000, maxCard = 10000000): string | null {
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  const bytes = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < cycles; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      bytes[i] = r;
      denseSetRaw(dense, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(dense, HLL_HDR_SIZE, i);
      if (v !== bytes[i]) return `TESTFAILED Register ${i} should be ${bytes[i]} but is ${v}`;
    }
  }
  dense.fill(0);
  dense[4] = HLL_DENSE;
  const o = createHll();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = (Math.random() * 4294967296) >>> 0;
  const seedHi = (Math.random() * 4294967296) >>> 0;
  const ele = new Uint8Array(8);
  for (let j = 1; j <= maxCard; j++) {
    const lo = (j ^ seedLo) >>> 0;
    ele[0] = lo & 0xff;
    ele[1] = (lo >>> 8) & 0xff;
    ele[2] = (lo >>> 16) & 0xff;
    ele[3] = lo >>> 24;
    ele[4] = seedHi & 0xff;
    ele[5] = (seedHi >>> 8) & 0xff;
    ele[6] = (seedHi >>> 16) & 0xff;
    ele[7] = seedHi >>> 24;
    const c = patLen(ele);
    denseSet(dense, patIndex, c);
    hllAdd(o, ele, sparseMaxBytes);
    if (j === checkpoint) {
      if (j < sparseMaxBytes / 2 && o.buf[4] !== HLL_SPARSE) return 'TESTFAILED sparse encoding not used';
      const cd = hllCount(dense, HLL_DENSE_SIZE);
      if (cd !== hllCount(o.buf, o.length)) return 'TESTFAILED dense/sparse disagree';
      let abserr = checkpoint - Number(cd);
      let maxerr = Math.ceil(relerr * 6 * checkpoint);
      if (j === 10) maxerr = 1;
      if (abserr < 0) abserr = -abserr;
      if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
      checkpoint *= 10;
    }
  }
  return null;
}
