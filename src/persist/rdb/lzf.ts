/**
 * LZF, the compression RDB uses for strings longer than 20 bytes when
 * rdbcompression is yes (lzf_c.c / lzf_d.c). The format:
 *   ctrl < 32:  a literal run of ctrl+1 bytes follows;
 *   ctrl >= 32: a back reference; len = ctrl >> 5 (7 means one more length
 *               byte is added), offset = ((ctrl & 31) << 8) + next byte + 1,
 *               copying len + 2 bytes from `offset` bytes back.
 * Decompression accepts anything Redis writes; compression makes the same
 * choices as liblzf in Redis's configuration, so payloads match byte for byte.
 */

/** Decompresses `src` into exactly `outLen` bytes; null if the stream is invalid. */
export function lzfDecompress(src: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  return lzfDecompressInto(src, 0, src.length, out, outLen) ? out : null;
}

/**
 * Decompresses src[start, end) into out[0, outLen) (out may be longer: the
 * loader reuses one scratch buffer); false if the stream is invalid.
 */
export function lzfDecompressInto(src: Uint8Array, start: number, end: number, out: Uint8Array, outLen: number): boolean {
  let ip = start;
  let op = 0;
  while (ip < end) {
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > end) return false;
      for (let i = 0; i < n; i++) out[op++] = src[ip++];
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= end) return false;
        len += src[ip++];
      }
      if (ip >= end) return false;
      const ref = op - ((ctrl & 0x1f) << 8) - src[ip++] - 1;
      len += 2;
      if (ref < 0 || op + len > outLen) return false;
      for (let i = 0; i < len; i++) out[op++] = out[ref + i];
    }
  }
  return op === outLen;
}

const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
/** HLOG 16, as Redis builds liblzf. */
const HSIZE = 1 << 16;
const TABLE = new Int32Array(HSIZE);
let stamp = 1;

/** VERY_FAST's IDX over the 24-bit hash of three bytes. */
function idx(h: number): number {
  return ((h >>> 8) - h * 5) & (HSIZE - 1);
}

/**
 * lzf_compress as Redis configures liblzf (HLOG 16, VERY_FAST), so a value
 * compresses to the same bytes as in Redis's RDB and DUMP output: the same
 * hash, the same match rules (no reference to position 0; the liblzf Redis
 * 7.0 ships has no "ip + 4 < in_end" test, checked against its DUMP output),
 * the same re-hashing after a match, the same literal runs.
 * Returns null when the output would not fit in `outLen` bytes (Redis then
 * stores the string raw). The hash table is shared between calls; entries
 * from earlier calls read as empty (stamped positions below this call's base).
 */
export function lzfCompress(src: Uint8Array, outLen = src.length - 1): Buffer | null {
  if (outLen <= 0) return null;
  const out = Buffer.allocUnsafe(outLen + 8);
  const n = lzfCompressInto(src, out, outLen);
  return n === 0 ? null : out.subarray(0, n);
}

/**
 * lzfCompress into `out`, which must have room for outLen + 8 bytes (the
 * match loop may write a few bytes past outLen before it gives up). Returns
 * the compressed length, 0 when it would not fit in `outLen` bytes.
 */
export function lzfCompressInto(src: Uint8Array, out: Uint8Array, outLen: number): number {
  const inEnd = src.length;
  if (inEnd === 0 || outLen <= 0) return 0;
  if (stamp + inEnd + 1 > 0x3fffffff) {
    TABLE.fill(0);
    stamp = 1;
  }
  const base = stamp;
  stamp += inEnd + 1;
  let ip = 0;
  let op = 1; // start run
  let lit = 0;
  let hval = (src[0] << 8) | (inEnd > 1 ? src[1] : 0);
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | src[ip + 2]) & 0xffffff;
    const slot = idx(hval);
    const ref = TABLE[slot] - base;
    TABLE[slot] = ip + base;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF &&
        src[ref] === src[ip] && src[ref + 1] === src[ip + 1] && src[ref + 2] === src[ip + 2]) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo an empty run
      if (op + 3 + 1 >= outLen) return 0;
      match: {
        if (maxlen > 16) {
          // liblzf's unrolled 16 steps: no maxlen test inside them.
          for (let u = 0; u < 16; u++) {
            len++;
            if (src[ref + len] !== src[ip + len]) break match;
          }
        }
        do len++;
        while (len < maxlen && src[ref + len] === src[ip + len]);
      }
      len -= 2; // now #octets - 1
      ip++;
      if (len < 7) {
        out[op++] = ((off >> 8) + (len << 5)) & 0xff;
      } else {
        out[op++] = ((off >> 8) + (7 << 5)) & 0xff;
        out[op++] = (len - 7) & 0xff;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      // VERY_FAST: hash the two positions before the new ip again.
      ip -= 2;
      hval = (src[ip] << 8) | src[ip + 1];
      hval = ((hval << 8) | src[ip + 2]) & 0xffffff;
      TABLE[idx(hval)] = ip + base;
      ip++;
      hval = ((hval << 8) | src[ip + 2]) & 0xffffff;
      TABLE[idx(hval)] = ip + base;
      ip++;
    } else {
      if (op >= outLen) return 0;
      lit++;
      out[op++] = src[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outLen) return 0;
  while (ip < inEnd) {
    lit++;
    out[op++] = src[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return op;
}
