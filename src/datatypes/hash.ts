/**
 * The hash type (t_hash.c's data side), free of server concerns.
 *
 * One JS Map holds the fields in both of Redis's encodings. Its semantics are
 * exactly a listpack's: a new field is appended, updating a field keeps its
 * position, deleting and re-adding moves it to the end. So while the hash is
 * "listpack" encoded, HGETALL/HKEYS/HVALS/HSCAN order is Redis's own. Once
 * converted to "hashtable" (one way, as in Redis) the order is Redis's dict
 * order, which no one can reproduce; clients must not rely on it.
 *
 * Encoding decisions follow Redis 7.0:
 *  - hashTypeTryConversion: before a write, any argument longer than
 *    hash-max-listpack-value converts the listpack;
 *  - hashTypeSet: a field or value longer than hash-max-listpack-value
 *    converts before the write (the HINCRBY* path), and more than
 *    hash-max-listpack-entries fields after any write, update included,
 *    converts.
 *
 * HSCAN over a hashtable and random picks use a lazily built ScanIndex (the
 * keyspace's incarnation log, see keyspace/scan-index.ts) with a sequence
 * private to this hash: a field present for a whole HSCAN iteration is
 * returned at least once, fields added during it are not chased, and the
 * iteration always ends.
 *
 * A listpack hash loaded from an RDB file stays packed (its listpack bytes as
 * a latin1 string) until something reads its fields: a key that is only
 * kept and saved again costs no Map and no field strings, and is written
 * back byte for byte, as Redis writes its own listpacks.
 */
import type { TypedValue } from '../keyspace/value.js';
import { ScanIndex } from '../keyspace/scan-index.js';
import { packListpack, unpackListpack } from './packed-listpack.js';

/** The two thresholds, read from the config by the caller. */
export interface HashLimits {
  /** hash-max-listpack-entries */
  maxEntries: number;
  /** hash-max-listpack-value */
  maxValue: number;
}

/** dictResize's and _dictExpand's power of two, at least DICT_HT_INITIAL_SIZE (4). */
function nextPow2(n: number): number {
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

export class RedisHash implements TypedValue {
  readonly kind = 'hash' as const;
  private fields: Map<string, string> | null;
  /** The listpack as loaded, until the first access decodes it into `fields`. */
  private packed: string | null;
  private packedSize: number;
  private lp = true;
  /** Emulated dict bucket count once hashtable-encoded (MEMORY USAGE). */
  private slots = 0;
  /** HSCAN cursor / random-pick index, built on first use. */
  private ix: ScanIndex | null = null;

  /** An empty hash; for a packed one, see RedisHash.packed. */
  constructor(packed: string | null = null, packedSize = 0) {
    this.fields = packed === null ? new Map() : null;
    this.packed = packed;
    this.packedSize = packedSize;
  }

  /** A listpack hash kept packed: `bytes` holds `size` fields and values, none repeated. */
  static packed(bytes: string, size: number): RedisHash {
    return new RedisHash(bytes, size);
  }

  /** field -> value, in listpack order while listpack-encoded. */
  get map(): Map<string, string> {
    return this.fields ?? this.unpack();
  }

  private unpack(): Map<string, string> {
    const m = new Map<string, string>();
    const items = unpackListpack(this.packed!);
    for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
    this.fields = m;
    this.packed = null;
    return m;
  }

  /** The listpack bytes while the hash is packed (the RDB writer saves them as they are), else null. */
  packedListpack(): string | null {
    return this.packed;
  }

  repack(): boolean {
    const m = this.fields;
    // A hashtable keeps its dict order and slots; an HSCAN or random-pick index refers to the Map.
    if (m === null || !this.lp || this.ix !== null || m.size === 0) return false;
    const items: string[] = new Array<string>(m.size * 2);
    let n = 0;
    for (const [f, v] of m) {
      items[n++] = f;
      items[n++] = v;
    }
    const bytes = packListpack(items, n);
    if (bytes === null) return false;
    this.packed = bytes;
    this.packedSize = m.size;
    this.fields = null;
    return true;
  }

  get size(): number {
    return this.fields === null ? this.packedSize : this.fields.size;
  }

  encoding(): 'listpack' | 'hashtable' {
    return this.lp ? 'listpack' : 'hashtable';
  }

  isListpack(): boolean {
    return this.lp;
  }

  /** Bucket count of the emulated dict (0 while listpack). */
  dictSlots(): number {
    return this.slots;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /** hashTypeConvert(OBJ_ENCODING_HT): one way. */
  convert(): void {
    if (!this.lp) return;
    this.lp = false;
    this.slots = nextPow2(this.map.size);
  }

  /**
   * hashTypeTryConversion: converts when any of args[from..to] (inclusive) is
   * longer than hash-max-listpack-value.
   */
  tryConversion(args: readonly string[], from: number, to: number, limits: HashLimits): void {
    if (!this.lp) return;
    for (let i = from; i <= to; i++) {
      if (args[i].length > limits.maxValue) {
        this.convert();
        return;
      }
    }
  }

  /**
   * hashTypeSet: true when the field is new, false when it was updated. An
   * updated listpack field keeps its position.
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    if (this.lp && (field.length > limits.maxValue || value.length > limits.maxValue)) this.convert();
    const isNew = !this.map.has(field);
    if (isNew && !this.lp && this.map.size >= this.slots) this.slots = nextPow2(this.map.size + 1);
    this.map.set(field, value);
    if (isNew && this.ix !== null) this.ix.add(field, this.map);
    // Checked after updates too: a lowered hash-max-listpack-entries converts on any write.
    if (this.lp && this.map.size > limits.maxEntries) this.convert();
    return isNew;
  }

  /** hashTypeDelete; a hashtable shrinks as dictResize would after a delete. */
  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    if (!this.lp && this.slots > 4 && Math.floor((this.map.size * 100) / this.slots) < 10) {
      this.slots = nextPow2(this.map.size);
    }
    return true;
  }

  /** A deep copy (COPY): same encoding, same order, no shared index. */
  dup(): RedisHash {
    if (this.packed !== null) return RedisHash.packed(this.packed, this.packedSize);
    const h = new RedisHash();
    for (const [f, v] of this.map) h.map.set(f, v);
    h.lp = this.lp;
    h.slots = this.lp ? 0 : nextPow2(this.map.size);
    return h;
  }

  private index(): ScanIndex {
    if (this.ix === null) {
      // The sequence lives in the index, built once per hash: no object per hash until an HSCAN.
      this.ix = new ScanIndex({ next: 1 });
      this.ix.build(this.map);
    }
    return this.ix;
  }

  /**
   * One HSCAN step. A listpack hash is returned whole with cursor 0 (as
   * Redis does); a hashtable one walks the incarnation log, visiting at most
   * count*10 slots per call.
   */
  scan(cursor: number, count: number): { next: number; fields: string[] } {
    if (this.lp) return { next: 0, fields: [...this.map.keys()] };
    const step = this.index().scan(cursor, count, this.map);
    return { next: step.next, fields: step.keys };
  }

  /** A uniformly chosen field, or undefined when empty. */
  randomField(): string | undefined {
    if (this.map.size === 0) return undefined;
    if (this.map.size <= 16) {
      let i = Math.floor(Math.random() * this.map.size);
      for (const f of this.map.keys()) if (i-- === 0) return f;
    }
    return this.index().random(this.map);
  }

  /**
   * `count` distinct fields (count < size). A listpack hash answers them in
   * listpack order, as lpRandomPairsUnique's selection sampling does; a
   * hashtable one in random order.
   */
  randomUniqueFields(count: number): string[] {
    const size = this.map.size;
    if (count >= size) return [...this.map.keys()];
    if (this.lp) {
      const out: string[] = [];
      let remaining = size;
      let need = count;
      for (const f of this.map.keys()) {
        if (need === 0) break;
        if (Math.random() * remaining < need) {
          out.push(f);
          need--;
        }
        remaining--;
      }
      return out;
    }
    if (count * 3 > size) {
      // CASE 3: copy everything, drop random ones until count remain.
      const all = [...this.map.keys()];
      for (let i = all.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        const t = all[i];
        all[i] = all[j];
        all[j] = t;
      }
      all.length = count;
      return all;
    }
    // CASE 4: random picks until count distinct ones.
    const picked = new Set<string>();
    while (picked.size < count) picked.add(this.randomField()!);
    return [...picked];
  }
}
