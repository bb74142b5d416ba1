/**
 * Listpack, the blob Redis 7.0 stores small hashes, sorted sets and quicklist
 * nodes in (listpack.c), both in memory and verbatim inside RDB files and DUMP
 * payloads. The encoder must be byte-identical to a sequence of lpAppend calls
 * in Redis, so DUMP output compares equal; the decoder validates like
 * lpValidateIntegrity (deep) and throws RdbError instead of crashing.
 *
 * Layout: total bytes (u32 LE), element count (u16 LE, 65535 = unknown), the
 * entries, 0xFF. An entry is its encoding + data, then "backlen": the entry's
 * size written so it can be read right to left (7 bits per byte, the high bit
 * set on every byte but the leftmost).
 */
import { RdbError } from './rdb-error.js';
import { bytesToString } from '../../util/latin1.js';
import { setListpackCodec } from '../../datatypes/packed-listpack.js';

const HDR_SIZE = 6;
const EOF_BYTE = 0xff;
const NUMELE_UNKNOWN = 0xffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The value of `s` when it is an int64 written exactly as string2ll /
 * lpStringToInt64 accept it (no sign but '-', no leading zeros, not "-0");
 * otherwise null. A number while that is exact (up to 11 chars, which covers
 * all of int32), a bigint beyond.
 */
export function canonicalInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (s === '0') return 0;
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i === n) return null;
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null; // must start 1-9
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (n <= 11) return Number(s);
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** Bytes lpEncodeBacklen uses for an entry of `l` bytes (its thresholds, `<` included). */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

function writeBacklen(out: Buffer, at: number, l: number): number {
  if (l <= 127) {
    out[at] = l;
    return 1;
  }
  const size = backlenSize(l);
  // Leftmost byte carries the highest 7 bits and no continuation flag.
  for (let k = 0; k < size; k++) {
    const shift = 7 * (size - 1 - k);
    const bits = Math.floor(l / 2 ** shift) & 127;
    out[at + k] = k === 0 ? bits : bits | 128;
  }
  return size;
}

/** Size of the encoding + data lpEncodeGetType picks for an integer. */
function intEncodedSize(v: number | bigint): number {
  if (typeof v === 'bigint') return 9;
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

function strEncodedSize(len: number): number {
  return len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
}

function writeInt(out: Buffer, at: number, v: number | bigint, size: number): void {
  switch (size) {
    case 1:
      out[at] = v as number;
      return;
    case 2: {
      const u = (v as number) < 0 ? 8192 + (v as number) : (v as number);
      out[at] = 0xc0 | (u >> 8);
      out[at + 1] = u & 0xff;
      return;
    }
    case 3:
      out[at] = 0xf1;
      out.writeInt16LE(v as number, at + 1);
      return;
    case 4:
      out[at] = 0xf2;
      out.writeIntLE(v as number, at + 1, 3);
      return;
    case 5:
      out[at] = 0xf3;
      out.writeInt32LE(v as number, at + 1);
      return;
    default:
      out[at] = 0xf4;
      out.writeBigInt64LE(BigInt(v), at + 1);
  }
}

/** Bytes one item takes in a listpack (encoding, data and backlen). */
export function listpackEntrySize(s: string): number {
  const v = canonicalInt64(s);
  const size = v === null ? strEncodedSize(s.length) : intEncodedSize(v);
  return size + backlenSize(size);
}

/** The listpack Redis builds by lpAppend-ing `items` (latin1, one char per byte) to an empty one. */
export function listpackEncode(items: readonly string[]): Buffer {
  return Buffer.from(listpackEncodeScratch(items, 0, items.length));
}

/** Grown as needed, never shrunk: the writer encodes every listpack of a save here. */
let scratch = Buffer.allocUnsafe(4096);

function scratchRoom(need: number): void {
  if (need <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < need) size *= 2;
  const next = Buffer.allocUnsafe(size);
  scratch.copy(next);
  scratch = next;
}

/**
 * listpackEncode of items[from, to), into a buffer shared by all calls: the
 * view is valid until the next call. The RDB writer copies (or compresses)
 * it straight into its output, so a saved value costs no Buffer of its own.
 */
export function listpackEncodeScratch(items: readonly string[], from: number, to: number): Buffer {
  let p = HDR_SIZE;
  for (let i = from; i < to; i++) {
    const s = items[i];
    const len = s.length;
    // Worst case: 5 bytes of string header or a 9-byte integer, and a 5-byte backlen.
    scratchRoom(p + len + 15);
    const out = scratch;
    const v = canonicalInt64(s);
    let size: number;
    if (v !== null) {
      size = intEncodedSize(v);
      writeInt(out, p, v, size);
    } else {
      size = strEncodedSize(len);
      let at = p;
      if (len < 64) out[at++] = 0x80 | len;
      else if (len < 4096) {
        out[at++] = 0xe0 | (len >> 8);
        out[at++] = len & 0xff;
      } else {
        out[at++] = 0xf0;
        out.writeUInt32LE(len, at);
        at += 4;
      }
      if (len < 64) {
        // Most items are short: a JS loop beats Buffer.write's argument checks.
        for (let j = 0; j < len; j++) {
          const c = s.charCodeAt(j);
          if (c > 0xff) notLatin1();
          out[at++] = c;
        }
      } else {
        if (/[^\x00-\xff]/.test(s)) notLatin1();
        out.latin1Write(s, at, len);
      }
    }
    p += size;
    p += writeBacklen(out, p, size);
  }
  const total = p + 1;
  if (total > 0xffffffff) throw new RangeError('listpack: larger than 4 GB');
  scratchRoom(total);
  const out = scratch;
  out[p] = EOF_BYTE;
  out.writeUInt32LE(total, 0);
  out.writeUInt16LE(Math.min(to - from, NUMELE_UNKNOWN), 4);
  return out.subarray(0, total);
}

function notLatin1(): never {
  throw new RangeError('listpack: item is not a latin1 byte string');
}

/**
 * Every entry of a listpack as a string (integers in decimal). Throws
 * RdbError when the header, an entry, a backlen or the terminator is wrong.
 */
export function listpackDecode(input: Uint8Array): string[] {
  const out: string[] = [];
  listpackDecodeInto(asBuffer(input), 0, input.length, out, 0);
  return out;
}

/**
 * listpackDecode of the listpack at buf[start, start + n) into
 * out[at..at + count), returning count (out is not truncated): the loader decodes straight
 * from the file buffer, or its LZF scratch, into a reused array, so a value
 * costs no Buffer views or intermediate arrays.
 */
export function listpackDecodeInto(buf: Buffer, start: number, n: number, out: string[], at: number): number {
  const end = checkHeader(buf, start, n);
  let count = 0;
  let p = start + HDR_SIZE;
  while (p < end) {
    const size = entrySize(buf, p, end);
    const b = buf[p];
    let value: string;
    if (b < 0x80) value = String(b);
    else if (b < 0xc0) value = bytesToString(buf, p + 1, size - 1);
    else if (b < 0xe0) {
      const u = ((b & 0x1f) << 8) | buf[p + 1];
      value = String(u >= 4096 ? u - 8192 : u);
    } else if (b < 0xf0) value = bytesToString(buf, p + 2, size - 2);
    else if (b === 0xf0) value = bytesToString(buf, p + 5, size - 5);
    else if (b === 0xf1) value = String(((buf[p + 1] | (buf[p + 2] << 8)) << 16) >> 16);
    else if (b === 0xf2) value = String(((buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16)) << 8) >> 8);
    else if (b === 0xf3) value = String(buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16) | (buf[p + 4] << 24));
    else value = buf.readBigInt64LE(p + 1).toString();
    out[at + count++] = value;
    p += size + checkBacklen(buf, p, size, end);
  }
  checkCount(buf, start, count);
  return count;
}

/** Validates the header and terminator of the listpack at buf[start, start + n); returns the terminator's offset. */
function checkHeader(buf: Buffer, start: number, n: number): number {
  if (n < HDR_SIZE + 1) throw new RdbError('listpack: shorter than its header');
  if (u32le(buf, start) !== n) throw new RdbError('listpack: header total bytes does not match the blob length');
  const end = start + n - 1; // entries must finish before the terminator
  if (buf[end] !== EOF_BYTE) throw new RdbError('listpack: missing terminator');
  return end;
}

function checkCount(buf: Buffer, start: number, count: number): void {
  const numele = buf[start + 4] | (buf[start + 5] << 8);
  if (numele !== NUMELE_UNKNOWN && numele !== count) throw new RdbError('listpack: header element count does not match the entries');
}

/** The encoding + data size of the entry at p, which must end before `end`; throws on a bad encoding. */
function entrySize(buf: Buffer, p: number, end: number): number {
  const b = buf[p];
  let size: number;
  if (b < 0x80) size = 1;
  else if (b < 0xc0) size = 1 + (b & 0x3f);
  else if (b < 0xe0) size = 2;
  else if (b < 0xf0) {
    if (p + 2 > end) overrun();
    size = 2 + (((b & 0x0f) << 8) | buf[p + 1]);
  } else if (b === 0xf0) {
    if (p + 5 > end) overrun();
    size = 5 + u32le(buf, p + 1);
  } else if (b === 0xf1) size = 3;
  else if (b === 0xf2) size = 4;
  else if (b === 0xf3) size = 5;
  else if (b === 0xf4) size = 9;
  else if (b === EOF_BYTE) throw new RdbError('listpack: terminator before the end of the blob');
  else throw new RdbError(`listpack: invalid entry encoding 0x${b.toString(16)}`);
  if (p + size > end) overrun();
  return size;
}

/** Checks the backlen after the entry at p (read right to left, as lpDecodeBacklen does); returns its length. */
function checkBacklen(buf: Buffer, p: number, size: number, end: number): number {
  const bl = backlenSize(size);
  if (p + size + bl > end) overrun();
  let q = p + size + bl - 1;
  let got = 0;
  let mul = 1;
  for (;;) {
    const c = buf[q];
    got += (c & 127) * mul;
    if (!(c & 128)) break;
    mul *= 128;
    if (--q < p + size) break;
  }
  if (q !== p + size || got !== size) throw new RdbError('listpack: entry backlen does not match its size');
  return bl;
}

/**
 * Keys listpackScan proves distinct by a linear probe, at most: past that a
 * listpack is decoded (hash-max-listpack-entries and zset-max-listpack-entries
 * default to 128, and the probe is quadratic).
 */
const MAX_PROBED_KEYS = 256;
const keyHashes = new Int32Array(MAX_PROBED_KEYS);

/**
 * Validates the listpack at buf[start, start + n) exactly as
 * listpackDecodeInto does (same errors), without making a string, and
 * returns its entry count, or -1 when the entries cannot be kept packed
 * without a full decode. With `pairs`, the even entries are keys (hash
 * fields, sorted-set members) and -1 also means "maybe duplicated": two keys
 * with equal hashes, or a string key spelled like an integer (lpAppend would
 * have stored it as one, so only a foreign writer makes those, and only a
 * decode compares them with integer keys). With `scores`, an odd entry
 * stored as a string must read as a decimal number or inf, or it is -1: the
 * decode then gives the precise error. The loader decodes eagerly on -1.
 */
export function listpackScan(buf: Buffer, start: number, n: number, pairs: boolean, scores: boolean): number {
  const end = checkHeader(buf, start, n);
  let count = 0;
  let p = start + HDR_SIZE;
  let unsure = false;
  while (p < end) {
    const size = entrySize(buf, p, end);
    if (pairs && !unsure) {
      if ((count & 1) === 0) {
        const k = count >> 1;
        // Null: more keys than are probed, or a key only a decode can compare.
        const h = k < MAX_PROBED_KEYS ? keyHash(buf, p, size) : null;
        if (h === null) unsure = true;
        else {
          // Small listpacks are the common case: a linear probe beats a table.
          for (let i = 0; i < k; i++) {
            if (keyHashes[i] === h) {
              unsure = true;
              break;
            }
          }
          keyHashes[k] = h;
        }
      } else if (scores) {
        const data = stringData(buf, p, size);
        if (data !== null && !isDecimal(buf, data[0], data[1])) unsure = true;
      }
    }
    p += size + checkBacklen(buf, p, size, end);
    count++;
  }
  checkCount(buf, start, count);
  return unsure ? -1 : count;
}

/** The data of a string entry: [from, to) in buf; null for an integer entry. */
function stringData(buf: Buffer, p: number, size: number): [number, number] | null {
  const b = buf[p];
  if (b >= 0x80 && b < 0xc0) return [p + 1, p + size];
  if (b >= 0xe0 && b < 0xf0) return [p + 2, p + size];
  if (b === 0xf0) return [p + 5, p + size];
  return null;
}

/**
 * A 32-bit hash of an entry's value: FNV-1a of a string's bytes, a mix of an
 * integer's value (so every integer encoding of one value hashes alike);
 * null for a string that reads as an integer.
 */
function keyHash(buf: Buffer, p: number, size: number): number | null {
  const s = stringData(buf, p, size);
  if (s === null) {
    const b = buf[p];
    let lo: number;
    let hi = 0;
    if (b < 0x80) lo = b;
    else if (b < 0xe0) {
      const u = ((b & 0x1f) << 8) | buf[p + 1];
      lo = u >= 4096 ? u - 8192 : u;
    } else if (b === 0xf1) lo = ((buf[p + 1] | (buf[p + 2] << 8)) << 16) >> 16;
    else if (b === 0xf2) lo = ((buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16)) << 8) >> 8;
    else if (b === 0xf3) lo = buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16) | (buf[p + 4] << 24);
    else {
      lo = buf.readInt32LE(p + 1);
      hi = buf.readInt32LE(p + 5);
    }
    if (hi === 0 && lo < 0) hi = -1; // sign-extend, so a small negative int64 matches its int32 spelling
    return Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) | 1; // odd: never equal to an empty string's hash
  }
  const [from, to] = s;
  const c0 = from < to ? buf[from] : 0;
  if (to - from <= 20 && ((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x2d)) {
    let digits = true;
    for (let i = from + 1; i < to; i++) {
      const c = buf[i];
      if (c < 0x30 || c > 0x39) {
        digits = false;
        break;
      }
    }
    if (digits) return null;
  }
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h & ~1; // even: integers hash odd
}

/** Do buf[from, to) read as a decimal ([-+]digits[.digits][e[-+]digits]) or inf/-inf/+inf? */
function isDecimal(buf: Buffer, from: number, to: number): boolean {
  let i = from;
  if (i < to && (buf[i] === 0x2d || buf[i] === 0x2b)) i++;
  if (to - i === 3 && buf[i] === 0x69 && buf[i + 1] === 0x6e && buf[i + 2] === 0x66) return true; // inf
  let digits = 0;
  while (i < to && buf[i] >= 0x30 && buf[i] <= 0x39) (i++, digits++);
  if (i < to && buf[i] === 0x2e) {
    i++;
    while (i < to && buf[i] >= 0x30 && buf[i] <= 0x39) (i++, digits++);
  }
  if (digits === 0) return false;
  if (i < to && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    if (i < to && (buf[i] === 0x2d || buf[i] === 0x2b)) i++;
    let e = 0;
    while (i < to && buf[i] >= 0x30 && buf[i] <= 0x39) (i++, e++);
    if (e === 0) return false;
  }
  return i === to;
}

function overrun(): never {
  throw new RdbError('listpack: entry overruns the buffer');
}

function u32le(buf: Buffer, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16)) + buf[at + 3] * 0x1000000;
}

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Grown as needed: where a packed listpack's bytes are put back for decoding. */
let unpackBuf = Buffer.allocUnsafe(4096);

/** The entries of a listpack kept as a latin1 string by the loader (listpackScan checked it then). */
function decodePacked(bytes: string): string[] {
  const n = bytes.length;
  if (n > unpackBuf.length) unpackBuf = Buffer.allocUnsafe(Math.max(n, unpackBuf.length * 2));
  unpackBuf.latin1Write(bytes, 0, n);
  const out: string[] = [];
  listpackDecodeInto(unpackBuf, 0, n, out, 0);
  return out;
}
setListpackCodec(decodePacked, (items, n) => {
  const b = listpackEncodeScratch(items, 0, n);
  return b.latin1Slice(0, b.length);
});
