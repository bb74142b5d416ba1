/**
 * LZF, the compression RDB uses for strings longer than 20 bytes when
 * rdbcompression is yes (lzf_c.c / lzf_d.c). The format:
 *   ctrl < 32:  a literal run of ctrl+1 bytes follows;
 *   ctrl >= 32: a back reference; len = ctrl >> 5 (7 means one more length
 *               byte is added), offset = ((ctrl & 31) << 8) + next byte + 1,
 *               copying len + 2 bytes from `offset` bytes back.
 * Decompression must accept anything Redis writes; compression only has to
 * produce valid LZF (Redis loads any valid stream), so it is a plain greedy
 * matcher over a 3-byte hash, not a copy of lzf_c.c.
 */

/** Decompresses `src` into exactly `outLen` bytes; null if the stream is invalid. */
export function lzfDecompress(src: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > src.length) return null;
      for (let i = 0; i < n; i++) out[op++] = src[ip++];
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= src.length) return null;
        len += src[ip++];
      }
      if (ip >= src.length) return null;
      const ref = op - ((ctrl & 0x1f) << 8) - src[ip++] - 1;
      len += 2;
      if (ref < 0 || op + len > outLen) return null;
      for (let i = 0; i < len; i++) out[op++] = out[ref + i];
    }
  }
  return op === outLen ? out : null;
}

const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
const HASH_BITS = 14;
const TABLE = new Int32Array(1 << HASH_BITS);
let stamp = 1;

/**
 * Compresses `src`; null when the result would not be smaller than
 * `maxOut` bytes (RDB then stores the string uncompressed, as Redis does).
 */
export function lzfCompress(src: Uint8Array, maxOut = src.length - 1): Buffer | null {
  const n = src.length;
  if (n < 4 || maxOut <= 0) return null;
  const out = Buffer.allocUnsafe(n + Math.ceil(n / MAX_LIT) + 8);
  // One hash table for every call: entries hold position + stamp, so those of
  // earlier calls (below this call's stamp) read as empty without a refill.
  if (stamp + n + 1 > 0x3fffffff) {
    TABLE.fill(0);
    stamp = 1;
  }
  const base = stamp;
  stamp += n + 1;
  const table = TABLE;
  let op = 0;
  let litStart = 0;
  const flushLiterals = (end: number): boolean => {
    let i = litStart;
    while (i < end) {
      const run = Math.min(MAX_LIT, end - i);
      if (op + 1 + run > maxOut) return false;
      out[op++] = run - 1;
      for (let k = 0; k < run; k++) out[op++] = src[i++];
    }
    return true;
  };
  let ip = 0;
  while (ip + 2 < n) {
    const h = (((src[ip] << 16) | (src[ip + 1] << 8) | src[ip + 2]) * 2654435761) >>> (32 - HASH_BITS);
    const ref = table[h] - base;
    table[h] = ip + base;
    const off = ip - ref - 1;
    if (ref >= 0 && off < MAX_OFF && src[ref] === src[ip] && src[ref + 1] === src[ip + 1] && src[ref + 2] === src[ip + 2]) {
      let len = 3;
      const maxLen = Math.min(MAX_REF, n - ip);
      while (len < maxLen && src[ref + len] === src[ip + len]) len++;
      if (!flushLiterals(ip)) return null;
      const l = len - 2;
      if (op + 3 > maxOut) return null;
      if (l < 7) out[op++] = (l << 5) | (off >> 8);
      else {
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      ip += len;
      litStart = ip;
    } else {
      ip++;
    }
  }
  if (!flushLiterals(n)) return null;
  return out.subarray(0, op);
}
