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
import { listpackKeepsAsInteger, type SortedSet } from '../../datatypes/sorted-set.js';
import { formatG17 } from '../../util/numbers.js';
import { RdbOutput } from './rdb-output.js';
import { listpackEncode } from './listpack.js';
import { intsetEncode } from './intset.js';
import {
  RDB_TYPE_STRING, RDB_TYPE_SET, RDB_TYPE_HASH, RDB_TYPE_ZSET_2, RDB_TYPE_SET_INTSET, RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, QUICKLIST_NODE_CONTAINER_PACKED,
} from './rdb-format.js';

export interface SaveOptions {
  /** list-max-listpack-size: how the list is cut into quicklist nodes. */
  listMaxListpackSize: number;
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
    default:
      throw new Error(`cannot save a value of kind ${v.kind}`);
  }
}

/** Approximate listpack bytes of one element: enough to cut nodes as quicklist would. */
function entryBytes(s: string): number {
  const n = s.length;
  const hdr = n < 64 ? 1 : n < 4096 ? 2 : 5;
  const total = hdr + n;
  return total + (total < 128 ? 1 : total < 16384 ? 2 : total < 2097152 ? 3 : total < 268435456 ? 4 : 5);
}

/** Quicklist fill: a negative list-max-listpack-size is a byte limit per node, a positive one a count. */
function writeList(out: RdbOutput, l: List, fill: number): void {
  const items = l.toArray();
  const maxBytes = fill < 0 ? 4096 << Math.min(4, -fill - 1) : 8192; // SIZE_SAFETY_LIMIT caps counted nodes too
  const maxCount = fill > 0 ? fill : Infinity;
  const nodes: Array<[number, number]> = [];
  let start = 0;
  let bytes = 7; // header + terminator
  for (let i = 0; i < items.length; i++) {
    const b = entryBytes(items[i]);
    if (i > start && (bytes + b > maxBytes || i - start >= maxCount)) {
      nodes.push([start, i]);
      start = i;
      bytes = 7;
    }
    bytes += b;
  }
  nodes.push([start, items.length]);
  out.len(nodes.length);
  for (const [a, b] of nodes) {
    out.len(QUICKLIST_NODE_CONTAINER_PACKED);
    out.bytes(listpackEncode(items.slice(a, b)));
  }
}

function writeSet(out: RdbOutput, s: SetValue): void {
  const ints = s.intValues();
  if (ints !== null) return out.bytes(intsetEncode(ints));
  out.len(s.size);
  for (const m of s) out.string(m);
}

function writeHash(out: RdbOutput, h: RedisHash): void {
  if (h.isListpack()) {
    const items: string[] = [];
    for (const [f, v] of h.map) items.push(f, v);
    return out.bytes(listpackEncode(items));
  }
  out.len(h.size);
  for (const [f, v] of h.map) {
    out.string(f);
    out.string(v);
  }
}

/** zzlInsertAt's score form: an integer when double2ll keeps it, d2string otherwise. */
export function listpackScore(score: number): string {
  return listpackKeepsAsInteger(score) ? (score === 0 ? '0' : BigInt(score).toString()) : formatG17(score);
}

function writeZset(out: RdbOutput, z: SortedSet): void {
  if (z.listpack) {
    const items: string[] = [];
    for (let n = z.zsl.first; n !== null; n = n.next[0]) items.push(n.member, listpackScore(n.score));
    return out.bytes(listpackEncode(items));
  }
  // Greatest first, so the loader's inserts always land at the head (rdb.c's reasoning).
  out.len(z.length);
  for (let n = z.zsl.tail; n !== null; n = n.backward) {
    out.string(n.member);
    out.double(n.score);
  }
}
