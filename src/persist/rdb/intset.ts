/**
 * Intset, the blob of a small all-integer set (intset.c), stored verbatim in
 * RDB (RDB_TYPE_SET_INTSET). Layout: encoding (u32 LE: 2, 4 or 8, the width
 * of every element), length (u32 LE), then the elements ascending, signed,
 * little-endian. The encoder picks the smallest width that fits every value,
 * as an intset built from scratch has; the decoder rejects what
 * intsetValidateIntegrity (deep) rejects, including an empty or unsorted set.
 */
import { RdbError } from './rdb-error.js';

const HDR_SIZE = 8;

function widthOf(v: bigint): 2 | 4 | 8 {
  if (v < -(1n << 31n) || v > (1n << 31n) - 1n) return 8;
  if (v < -32768n || v > 32767n) return 4;
  return 2;
}

/** The intset of `values` (already ascending and unique, each within int64). */
export function intsetEncode(values: readonly (number | bigint)[]): Buffer {
  const big = values.map((v) => BigInt(v));
  let width: 2 | 4 | 8 = 2;
  for (const v of big) {
    if (v < -(1n << 63n) || v >= 1n << 63n) throw new RangeError('intset: value outside int64');
    const w = widthOf(v);
    if (w > width) width = w;
  }
  const out = Buffer.alloc(HDR_SIZE + width * big.length);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(big.length, 4);
  let p = HDR_SIZE;
  for (const v of big) {
    if (width === 8) out.writeBigInt64LE(v, p);
    else out.writeIntLE(Number(v), p, width);
    p += width;
  }
  return out;
}

/** The elements of an intset in decimal; throws RdbError if malformed. */
export function intsetDecode(input: Uint8Array): string[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < HDR_SIZE) throw new RdbError('intset: shorter than its header');
  const width = buf.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) throw new RdbError(`intset: invalid encoding ${width}`);
  const count = buf.readUInt32LE(4);
  if (HDR_SIZE + count * width !== buf.length) throw new RdbError('intset: length does not match the blob size');
  if (count === 0) throw new RdbError('intset: empty');
  const out: string[] = new Array(count);
  let prev: bigint | null = null;
  for (let i = 0, p = HDR_SIZE; i < count; i++, p += width) {
    const v = width === 8 ? buf.readBigInt64LE(p) : BigInt(buf.readIntLE(p, width));
    if (prev !== null && v <= prev) throw new RdbError('intset: elements not in ascending order');
    prev = v;
    out[i] = v.toString();
  }
  return out;
}
