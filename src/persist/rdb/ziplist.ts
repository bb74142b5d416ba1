/**
 * Ziplist, the pre-7.0 small-collection blob (ziplist.c). Redis 7.0 no longer
 * writes it but still loads it from older RDB files and RESTORE payloads
 * (hashes, sorted sets, lists and quicklist nodes), so only a decoder is
 * needed. It validates like ziplistValidateIntegrity (deep): sizes, each
 * entry's prevlen against the previous entry, zltail, zllen, the terminator.
 *
 * Layout: zlbytes (u32 LE), zltail (u32 LE, offset of the last entry), zllen
 * (u16 LE, 65535 = unknown), entries, 0xFF. An entry is prevlen (1 byte, or
 * 0xFE + u32 LE), an encoding with its length, then the data.
 */
import { RdbError } from './rdb-error.js';

const HDR_SIZE = 10;
const END = 0xff;
const BIG_PREVLEN = 0xfe;

function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Every entry of a ziplist as a string (integers in decimal); throws RdbError if malformed. */
export function ziplistDecode(input: Uint8Array): string[] {
  const buf = asBuffer(input);
  const n = buf.length;
  if (n < HDR_SIZE + 1) throw new RdbError('ziplist: shorter than its header');
  if (buf.readUInt32LE(0) !== n) throw new RdbError('ziplist: header zlbytes does not match the blob length');
  if (buf[n - 1] !== END) throw new RdbError('ziplist: missing terminator');
  const tail = buf.readUInt32LE(4);
  const end = n - 1;
  const need = (at: number, k: number): void => {
    if (at + k > end) throw new RdbError('ziplist: entry overruns the buffer');
  };
  const out: string[] = [];
  let p = HDR_SIZE;
  let prevSize = 0;
  let last = HDR_SIZE;
  while (p < end) {
    const start = p;
    if (buf[p] === END) throw new RdbError('ziplist: terminator before the end of the blob');
    let prevlen: number;
    if (buf[p] < BIG_PREVLEN) prevlen = buf[p++];
    else {
      need(p, 5);
      prevlen = buf.readUInt32LE(p + 1);
      p += 5;
    }
    if (prevlen !== prevSize) throw new RdbError("ziplist: entry prevlen does not match the previous entry's size");
    need(p, 1);
    const e = buf[p];
    let value: string;
    if (e < 0xc0) {
      // Strings: 00pppppp, 01pppppp qqqqqqqq (14-bit BE), 10______ + u32 BE.
      let len: number;
      const kind = e >> 6;
      if (kind === 0) {
        len = e & 0x3f;
        p += 1;
      } else if (kind === 1) {
        need(p, 2);
        len = ((e & 0x3f) << 8) | buf[p + 1];
        p += 2;
      } else {
        need(p, 5);
        len = buf.readUInt32BE(p + 1);
        p += 5;
      }
      need(p, len);
      value = buf.toString('latin1', p, p + len);
      p += len;
    } else if (e === 0xc0) {
      need(p, 3);
      value = String(buf.readInt16LE(p + 1));
      p += 3;
    } else if (e === 0xd0) {
      need(p, 5);
      value = String(buf.readInt32LE(p + 1));
      p += 5;
    } else if (e === 0xe0) {
      need(p, 9);
      value = buf.readBigInt64LE(p + 1).toString();
      p += 9;
    } else if (e === 0xf0) {
      need(p, 4);
      value = String(buf.readIntLE(p + 1, 3));
      p += 4;
    } else if (e === 0xfe) {
      need(p, 2);
      value = String(buf.readInt8(p + 1));
      p += 2;
    } else if (e >= 0xf1 && e <= 0xfd) {
      value = String((e & 0x0f) - 1);
      p += 1;
    } else {
      throw new RdbError(`ziplist: invalid entry encoding 0x${e.toString(16)}`);
    }
    out.push(value);
    prevSize = p - start;
    last = start;
  }
  // As in ziplist.c, zltail is only checked when there is a last entry.
  if (out.length > 0 && tail !== last) throw new RdbError('ziplist: header zltail does not point at the last entry');
  const count = buf.readUInt16LE(8);
  if (count !== 0xffff && count !== out.length) throw new RdbError('ziplist: header zllen does not match the entries');
  return out;
}
