/**
 * Zipmap, the small-hash blob of Redis 2.x (zipmap.c, RDB_TYPE_HASH_ZIPMAP),
 * which 7.0 still loads from old files. Only a decoder; it validates like
 * zipmapValidateIntegrity (deep), which also refuses an empty zipmap.
 *
 * Layout: zmlen (1 byte; 254 = count unknown), then per pair: key length,
 * key, value length, free (1 byte), value, `free` unused bytes; then 0xFF.
 * A length is one byte when < 254, else 254 followed by a u32 in
 * little-endian (memrev32ifbe in zipmap.c).
 */
import { RdbError } from './rdb-error.js';

const BIGLEN = 254;
const END = 0xff;

/** Field, value, field, value... of a zipmap; throws RdbError if malformed. */
export function zipmapDecode(input: Uint8Array): string[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const n = buf.length;
  if (n < 2) throw new RdbError('zipmap: shorter than its header');
  if (buf[n - 1] !== END) throw new RdbError('zipmap: missing terminator');
  const end = n - 1;
  const need = (at: number, k: number): void => {
    if (at + k > end) throw new RdbError('zipmap: entry overruns the buffer');
  };
  // As zipmapDecodeLength: any first byte >= 254 means a 4-byte length follows.
  const readLen = (at: number): [len: number, size: number] => {
    need(at, 1);
    if (buf[at] < BIGLEN) return [buf[at], 1];
    need(at, 5);
    return [buf.readUInt32LE(at + 1), 5];
  };
  const out: string[] = [];
  let p = 1;
  while (p < end) {
    if (buf[p] === END) throw new RdbError('zipmap: terminator before the end of the blob');
    const [klen, ks] = readLen(p);
    p += ks;
    need(p, klen);
    out.push(buf.toString('latin1', p, p + klen));
    p += klen;
    const [vlen, vs] = readLen(p);
    p += vs;
    need(p, 1);
    const free = buf[p++];
    need(p, vlen + free);
    out.push(buf.toString('latin1', p, p + vlen));
    p += vlen + free;
  }
  const count = out.length / 2;
  if (count === 0) throw new RdbError('zipmap: empty');
  if (buf[0] !== BIGLEN && buf[0] !== count) throw new RdbError('zipmap: header zmlen does not match the entries');
  return out;
}
