/**
 * rdbSaveObjectType + rdbSaveObject: a key's value as RDB stores it, in the
 * encoding it has (listpack and intset blobs while compact, the generic forms
 * once a hashtable or skiplist), so a file reads back with the same encodings
 * in Reddish and in Redis 7.0.
 */
import type { Value } from '../../keyspace/value.js';
import { Bytes } from '../../datatypes/bytes.js';
import type { List } from '../../datatypes/list.js';
import type { SetValue } from '../../datatypes/set.js';
import type { RedisHash } from '../../datatypes/hash.js';
import { listpackScore, type SortedSet } from '../../datatypes/sorted-set.js';
import { RdbOutput } from './rdb-output.js';
import { listpackEncodeScratch, listpackEntrySize } from './listpack.js';
import { intsetEncode } from './intset.js';
import {
  RDB_TYPE_STRING, RDB_TYPE_SET, RDB_TYPE_HASH, RDB_TYPE_ZSET_2, RDB_TYPE_SET_INTSET, RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, QUICKLIST_NODE_CONTAINER_PACKED, RDB_TYPE_STREAM_LISTPACKS_2,
} from './rdb-format.js';
import type { Stream } from '../../datatypes/stream.js';
import { writeStream } from './stream-codec.js';

export interface SaveOptions {
  /** list-max-listpack-size: how the list is cut into quicklist nodes. */
  listMaxListpackSize: number;
  /**
   * Under an LRU or LFU maxmemory-policy, each key's idle time or access
   * counter goes before it (rdbSaveKeyValuePair's IDLE / FREQ opcodes), so a
   * restart or a replica keeps the eviction order. Absent otherwise.
   */
  objectInfo?: ObjectInfoOptions | null;
}

export interface ObjectInfoOptions {
  lfu: boolean;
  /** The LRU clock (seconds) the idle times and the decay are taken against. */
  lruClock: number;
  lfuDecayTime: number;
}

/** Writes the type byte of `v` (rdbSaveObjectType). */
export function writeValueType(out: RdbOutput, v: Value): void {
  out.byte(valueType(v));
}

export function valueType(v: Value): number {
  if (typeof v === 'string' || v instanceof Bytes) return RDB_TYPE_STRING;
  switch (v.kind) {
    case 'list':
      return RDB_TYPE_LIST_QUICKLIST_2;
    case 'set':
      return (v as SetValue).intValues() !== null ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case 'hash':
      return (v as RedisHash).isListpack() ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    case 'zset':
      return (v as SortedSet).listpack ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    case 'stream':
      return RDB_TYPE_STREAM_LISTPACKS_2;
    default:
      throw new Error(`cannot save a value of kind ${v.kind}`);
  }
}

/** Writes the value itself (rdbSaveObject), after its type byte and key. */
export function writeValue(out: RdbOutput, v: Value, opts: SaveOptions): void {
  if (typeof v === 'string') return out.string(v);
  if (v instanceof Bytes) return out.bytes(v.view());
  switch (v.kind) {
    case 'list':
      return writeList(out, v as List, opts.listMaxListpackSize);
    case 'set':
      return writeSet(out, v as SetValue);
    case 'hash':
      return writeHash(out, v as RedisHash);
    case 'zset':
      return writeZset(out, v as SortedSet);
    case 'stream':
      return writeStream(out, v as Stream);
    default:
      throw new Error(`cannot save a value of kind ${v.kind}`);
  }
}

/** quicklist's optimization_level: node byte limits for list-max-listpack-size -1 .. -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** SIZE_SAFETY_LIMIT and SIZE_ESTIMATE_OVERHEAD (quicklist.c). */
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;
/** An empty listpack: header and terminator. */
const LP_EMPTY = 7;

/**
 * Cuts the list into quicklist nodes as Redis's _quicklistNodeAllowInsert
 * would while RPUSHing the elements in order (so a list built by appends is
 * saved with Redis's own node boundaries): the node's bytes plus the
 * element's length plus 8 must stay within the fill's byte level, or for a
 * positive fill the count below it and the bytes within the safety limit.
 */
function writeList(out: RdbOutput, l: List, fill: number): void {
  const packed = l.packedNodes();
  if (packed !== null) {
    out.len(packed.length);
    for (const node of packed) {
      out.len(QUICKLIST_NODE_CONTAINER_PACKED);
      out.string(node);
    }
    return;
  }
  const items = l.toArray();
  const nodes: Array<[number, number]> = [];
  let start = 0;
  let bytes = LP_EMPTY;
  for (let i = 0; i < items.length; i++) {
    const s = items[i];
    if (i > start) {
      const newSize = bytes + s.length + SIZE_ESTIMATE_OVERHEAD;
      let allow: boolean;
      if (fill < 0 && -fill - 1 < OPTIMIZATION_LEVEL.length) allow = newSize <= OPTIMIZATION_LEVEL[-fill - 1];
      else if (newSize > SIZE_SAFETY_LIMIT) allow = false;
      else allow = i - start < fill;
      if (!allow) {
        nodes.push([start, i]);
        start = i;
        bytes = LP_EMPTY;
      }
    }
    bytes += listpackEntrySize(s);
  }
  nodes.push([start, items.length]);
  out.len(nodes.length);
  for (const [a, b] of nodes) {
    out.len(QUICKLIST_NODE_CONTAINER_PACKED);
    out.bytes(listpackEncodeScratch(items, a, b));
  }
}

function writeSet(out: RdbOutput, s: SetValue): void {
  const ints = s.intValues();
  if (ints !== null) return out.bytes(intsetEncode(ints));
  out.len(s.size);
  for (const m of s) out.string(m);
}

/**
 * The entries of one listpack hash or sorted set on their way to the
 * encoder, reused (it keeps the last value's strings alive, a few KB at most).
 */
const pairs: string[] = [];

function writeHash(out: RdbOutput, h: RedisHash): void {
  const packed = h.packedListpack();
  if (packed !== null) return out.string(packed);
  if (h.isListpack()) {
    const items = pairs;
    let n = 0;
    for (const [f, v] of h.map) {
      items[n++] = f;
      items[n++] = v;
    }
    return out.bytes(listpackEncodeScratch(items, 0, n));
  }
  out.len(h.size);
  for (const [f, v] of h.map) {
    out.string(f);
    out.string(v);
  }
}

function writeZset(out: RdbOutput, z: SortedSet): void {
  const packed = z.packedListpack();
  if (packed !== null) return out.string(packed);
  if (z.listpack) {
    const items = pairs;
    let i = 0;
    for (let n = z.zsl.first; n !== null; n = n.next[0]) {
      items[i++] = n.member;
      items[i++] = listpackScore(n.score);
    }
    return out.bytes(listpackEncodeScratch(items, 0, i));
  }
  // Greatest first, so the loader's inserts always land at the head (rdb.c's reasoning).
  out.len(z.length);
  for (let n = z.zsl.tail; n !== null; n = n.backward) {
    out.string(n.member);
    out.double(n.score);
  }
}
