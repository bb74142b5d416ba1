/**
 * Hash slots (cluster.c keyHashSlot): a key belongs to slot
 * CRC16(key) mod 16384, where CRC16 is the XMODEM variant (polynomial 0x1021,
 * initial value 0, no reflection). When the key holds a `{...}` with at least
 * one byte between the first `{` and the first `}` after it, only those bytes
 * are hashed, so `{user1000}.following` and `{user1000}.followers` share a slot.
 *
 *   keyHashSlot('foo')        → 12182
 *   keyHashSlot('{foo}bar')   → 12182   (hashes "foo")
 *   keyHashSlot('{}foo')      → 9500    (empty tag: the whole key is hashed)
 *   keyHashSlot('foo{}{bar}') → 8363    (first "{" is followed by "}": whole key)
 *
 * Keys are latin1 strings (one char per byte), so charCodeAt is the byte.
 */

export const CLUSTER_SLOTS = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16-XMODEM of the bytes s[start, end). */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

export function keyHashSlot(key: string): number {
  const len = key.length;
  const s = key.indexOf('{');
  if (s < 0) return crc16(key, 0, len) & 0x3fff;
  const e = key.indexOf('}', s + 1);
  // No "}" or nothing between the braces: the whole key is hashed.
  if (e < 0 || e === s + 1) return crc16(key, 0, len) & 0x3fff;
  return crc16(key, s + 1, e) & 0x3fff;
}
