/**
 * Values loaded from an RDB file may stay as the listpack bytes they came in
 * (a latin1 string) until first read: see RedisHash.packed, SortedSet.packed,
 * List.packed; and a listpack-encoded hash or sorted set left idle is packed
 * again (keyspace/idle-repack.ts). Encoding and decoding listpacks is the RDB
 * codec's job (persist/rdb/listpack.ts), so it registers both here and the
 * data types need no import from the persistence layer.
 */
type Decoder = (bytes: string) => string[];
type Encoder = (items: readonly string[], n: number) => string;

let decoder: Decoder | null = null;
let encoder: Encoder | null = null;

export function setListpackCodec(decode: Decoder, encode: Encoder): void {
  decoder = decode;
  encoder = encode;
}

/** The listpack lpAppend-ing items[0, n) builds, as a latin1 string; null when no codec is registered. */
export function packListpack(items: readonly string[], n: number): string | null {
  return encoder === null ? null : encoder(items, n);
}

/** The entries of a packed listpack, validated when it was loaded. */
export function unpackListpack(bytes: string): string[] {
  if (decoder === null) throw new Error('packed listpack with no decoder registered');
  return decoder(bytes);
}
