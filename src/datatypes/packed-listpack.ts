/**
 * Values loaded from an RDB file may stay as the listpack bytes they came in
 * (a latin1 string) until first read: see RedisHash.packed, SortedSet.packed,
 * List.packed. Decoding them is the RDB codec's job (persist/rdb/listpack.ts),
 * which is also what makes packed values, so it registers its decoder here and
 * the data types need no import from the persistence layer.
 */
type Decoder = (bytes: string) => string[];

let decoder: Decoder | null = null;

export function setListpackDecoder(fn: Decoder): void {
  decoder = fn;
}

/** The entries of a packed listpack, validated when it was loaded. */
export function unpackListpack(bytes: string): string[] {
  if (decoder === null) throw new Error('packed listpack with no decoder registered');
  return decoder(bytes);
}
