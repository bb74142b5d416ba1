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
  if (n < HDR_SIZE + 1) throw new RdbError('listpack: shorter than its header');
  if (u32le(buf, start) !== n) throw new RdbError('listpack: header total bytes does not match the blob length');
  const end = start + n - 1; // entries must finish before the terminator
  if (buf[end] !== EOF_BYTE) throw new RdbError('listpack: missing terminator');
  let count = 0;
  let p = start + HDR_SIZE;
  while (p < end) {
    const b = buf[p];
    let size: number; // encoding + data
    let value: string;
    if (b < 0x80) {
      size = 1;
      value = String(b);
    } else if (b < 0xc0) {
      size = 1 + (b & 0x3f);
      if (p + size > end) overrun();
      value = bytesToString(buf, p + 1, size - 1);
    } else if (b < 0xe0) {
      size = 2;
      if (p + 2 > end) overrun();
      const u = ((b & 0x1f) << 8) | buf[p + 1];
      value = String(u >= 4096 ? u - 8192 : u);
    } else if (b < 0xf0) {
      if (p + 2 > end) overrun();
      size = 2 + (((b & 0x0f) << 8) | buf[p + 1]);
      if (p + size > end) overrun();
      value = bytesToString(buf, p + 2, size - 2);
    } else if (b === 0xf0) {
      if (p + 5 > end) overrun();
      size = 5 + u32le(buf, p + 1);
      if (p + size > end) overrun();
      value = bytesToString(buf, p + 5, size - 5);
    } else if (b === 0xf1) {
      size = 3;
      if (p + 3 > end) overrun();
      value = String(((buf[p + 1] | (buf[p + 2] << 8)) << 16) >> 16);
    } else if (b === 0xf2) {
      size = 4;
      if (p + 4 > end) overrun();
      value = String(((buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16)) << 8) >> 8);
    } else if (b === 0xf3) {
      size = 5;
      if (p + 5 > end) overrun();
      value = String(buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16) | (buf[p + 4] << 24));
    } else if (b === 0xf4) {
      size = 9;
      if (p + 9 > end) overrun();
      value = buf.readBigInt64LE(p + 1).toString();
    } else if (b === EOF_BYTE) {
      throw new RdbError('listpack: terminator before the end of the blob');
    } else {
      throw new RdbError(`listpack: invalid entry encoding 0x${b.toString(16)}`);
    }
    const bl = backlenSize(size);
    if (p + size + bl > end) overrun();
    // Read the backlen right to left, as lpDecodeBacklen does, and compare.
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
    out[at + count++] = value;
    p += size + bl;
  }
  const numele = buf[start + 4] | (buf[start + 5] << 8);
  if (numele !== NUMELE_UNKNOWN && numele !== count) throw new RdbError('listpack: header element count does not match the entries');
  return count;
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
