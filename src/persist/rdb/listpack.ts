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

/** The listpack Redis builds by lpAppend-ing `items` (latin1, one char per byte) to an empty one. */
/** Bytes one item takes in a listpack (encoding, data and backlen). */
export function listpackEntrySize(s: string): number {
  const v = canonicalInt64(s);
  const size = v === null ? strEncodedSize(s.length) : intEncodedSize(v);
  return size + backlenSize(size);
}

export function listpackEncode(items: readonly string[]): Buffer {
  const ints: Array<number | bigint | null> = new Array(items.length);
  const sizes = new Array<number>(items.length);
  let total = HDR_SIZE + 1;
  for (let i = 0; i < items.length; i++) {
    const s = items[i];
    if (/[^\x00-\xff]/.test(s)) throw new RangeError('listpack: item is not a latin1 byte string');
    const v = canonicalInt64(s);
    ints[i] = v;
    const size = v === null ? strEncodedSize(s.length) : intEncodedSize(v);
    sizes[i] = size;
    total += size + backlenSize(size);
  }
  if (total > 0xffffffff) throw new RangeError('listpack: larger than 4 GB');
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32LE(total, 0);
  out.writeUInt16LE(Math.min(items.length, NUMELE_UNKNOWN), 4);
  let p = HDR_SIZE;
  for (let i = 0; i < items.length; i++) {
    const v = ints[i];
    const size = sizes[i];
    if (v !== null) writeInt(out, p, v, size);
    else {
      const s = items[i];
      const len = s.length;
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
      out.write(s, at, len, 'latin1');
    }
    p += size;
    p += writeBacklen(out, p, size);
  }
  out[p] = EOF_BYTE;
  return out;
}

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Every entry of a listpack as a string (integers in decimal). Throws
 * RdbError when the header, an entry, a backlen or the terminator is wrong.
 */
export function listpackDecode(input: Uint8Array): string[] {
  const buf = asBuffer(input);
  const n = buf.length;
  if (n < HDR_SIZE + 1) throw new RdbError('listpack: shorter than its header');
  if (buf.readUInt32LE(0) !== n) throw new RdbError('listpack: header total bytes does not match the blob length');
  if (buf[n - 1] !== EOF_BYTE) throw new RdbError('listpack: missing terminator');
  const end = n - 1; // entries must finish before the terminator
  const out: string[] = [];
  let p = HDR_SIZE;
  const need = (k: number): void => {
    if (p + k > end) throw new RdbError('listpack: entry overruns the buffer');
  };
  while (p < end) {
    const b = buf[p];
    if (b === EOF_BYTE) throw new RdbError('listpack: terminator before the end of the blob');
    let size: number; // encoding + data
    let value: string;
    if (b < 0x80) {
      size = 1;
      value = String(b);
    } else if (b < 0xc0) {
      size = 1 + (b & 0x3f);
      need(size);
      value = buf.toString('latin1', p + 1, p + size);
    } else if (b < 0xe0) {
      size = 2;
      need(2);
      const u = ((b & 0x1f) << 8) | buf[p + 1];
      value = String(u >= 4096 ? u - 8192 : u);
    } else if (b < 0xf0) {
      need(2);
      size = 2 + (((b & 0x0f) << 8) | buf[p + 1]);
      need(size);
      value = buf.toString('latin1', p + 2, p + size);
    } else if (b === 0xf0) {
      need(5);
      size = 5 + buf.readUInt32LE(p + 1);
      need(size);
      value = buf.toString('latin1', p + 5, p + size);
    } else if (b === 0xf1) {
      size = 3;
      need(3);
      value = String(buf.readInt16LE(p + 1));
    } else if (b === 0xf2) {
      size = 4;
      need(4);
      value = String(buf.readIntLE(p + 1, 3));
    } else if (b === 0xf3) {
      size = 5;
      need(5);
      value = String(buf.readInt32LE(p + 1));
    } else if (b === 0xf4) {
      size = 9;
      need(9);
      value = buf.readBigInt64LE(p + 1).toString();
    } else {
      throw new RdbError(`listpack: invalid entry encoding 0x${b.toString(16)}`);
    }
    const bl = backlenSize(size);
    need(size + bl);
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
    out.push(value);
    p += size + bl;
  }
  const count = buf.readUInt16LE(4);
  if (count !== NUMELE_UNKNOWN && count !== out.length) throw new RdbError('listpack: header element count does not match the entries');
  return out;
}
