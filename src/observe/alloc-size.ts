/**
 * Allocation sizes as Redis's MEMORY USAGE counts them (object.c
 * objectComputeSize): jemalloc size classes, sds header sizes, listpack entry
 * sizes. Shared by the per-type memory estimators; no imports, so any module
 * can use it without closing an import cycle.
 */

/** jemalloc's size class for an n-byte allocation. */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 16) return 16;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const p = 2 ** Math.floor(Math.log2(n - 1));
  const step = p / 4;
  return Math.ceil(n / step) * step;
}

/**
 * sdsZmallocSize of an sds of `len` bytes made by sdsnewlen: SDS_TYPE_5 (a
 * one-byte header) for short non-empty strings unless `type5` is false (sds
 * copies that Redis makes with a TYPE_8 header at least).
 */
export function sdsAlloc(len: number, type5 = true): number {
  const hdr = type5 && len > 0 && len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
  return jemallocSize(hdr + len + 1);
}

/** Listpack bytes for an entry holding the integer `v`: encoding + data + backlen. */
export function lpIntEntrySize(v: bigint): number {
  const enc =
    v >= 0n && v <= 127n ? 1
    : v >= -4096n && v <= 4095n ? 2
    : v >= -32768n && v <= 32767n ? 3
    : v >= -8388608n && v <= 8388607n ? 4
    : v >= -2147483648n && v <= 2147483647n ? 5
    : 9;
  return enc + lpBacklen(enc);
}

/** Listpack bytes for a string entry of `len` bytes. */
export function lpStringEntrySize(len: number): number {
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + lpBacklen(enc);
}

function lpBacklen(enc: number): number {
  return enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
}
