/**
 * rdbLoadObject: a value of any type Redis 7.0 loads — the 7.0 encodings and
 * the older ones (linked list, zipmap, ziplist, quicklist of ziplists, string
 * scores) — built into Reddish's data types with the encodings Redis would
 * choose under the same config limits (streams: stream-codec.ts). Module
 * values are refused with a clear error.
 */
import type { Value } from '../../keyspace/value.js';
import { List } from '../../datatypes/list.js';
import { SetValue } from '../../datatypes/set.js';
import { RedisHash } from '../../datatypes/hash.js';
import { SortedSet, listpackScoreValue } from '../../datatypes/sorted-set.js';
import { RdbInput } from './rdb-input.js';
import { RdbError } from './rdb-error.js';
import { listpackDecode, listpackDecodeInto, listpackScan } from './listpack.js';
import { ziplistDecode } from './ziplist.js';
import { intsetDecode } from './intset.js';
import { zipmapDecode } from './zipmap.js';
import { readStream } from './stream-codec.js';
import { bytesToString } from '../../util/latin1.js';
import {
  RDB_TYPE_STRING, RDB_TYPE_LIST, RDB_TYPE_SET, RDB_TYPE_ZSET, RDB_TYPE_HASH, RDB_TYPE_ZSET_2, RDB_TYPE_MODULE_PRE_GA,
  RDB_TYPE_MODULE_2, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_SET_INTSET, RDB_TYPE_ZSET_ZIPLIST,
  RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_STREAM_LISTPACKS_2, RDB_TYPE_SET_LISTPACK, RDB_TYPE_STREAM_LISTPACKS_3,
  QUICKLIST_NODE_CONTAINER_PLAIN, QUICKLIST_NODE_CONTAINER_PACKED,
} from './rdb-format.js';

/** The config limits that decide a loaded value's encoding. */
export interface LoadLimits {
  hashMaxEntries: number;
  hashMaxValue: number;
  zsetMaxEntries: number;
  zsetMaxValue: number;
  setMaxIntset: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  hashMaxEntries: 512, hashMaxValue: 64, zsetMaxEntries: 128, zsetMaxValue: 64, setMaxIntset: 512,
};

/**
 * Reused for the entries of one listpack at a time (hashes, sorted sets),
 * which are copied out before the next value is read; it keeps the last
 * value's strings alive, a few KB at most.
 */
const scratch: string[] = [];

/** A value, or null when it is empty (Redis skips such keys: "empty keys skipped"). */
export function readValue(type: number, inp: RdbInput, limits: LoadLimits): Value | null {
  switch (type) {
    case RDB_TYPE_STRING:
      return inp.string();
    case RDB_TYPE_LIST: {
      const n = inp.len();
      const items: string[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = inp.string();
      return listOf(items);
    }
    case RDB_TYPE_LIST_ZIPLIST:
      return listOf(ziplistDecode(inp.stringBuffer()));
    case RDB_TYPE_LIST_QUICKLIST: {
      const nodes = inp.len();
      const items: string[] = [];
      for (let i = 0; i < nodes; i++) {
        // An empty node is skipped, as quicklistAppend... does on load.
        for (const e of ziplistDecode(inp.stringBuffer())) items.push(e);
      }
      return listOf(items);
    }
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const nodes = inp.len();
      // While every node is a listpack, the list keeps them packed (empty ones
      // dropped, as quicklist loading does); a plain node turns the rest of
      // the load into decoding straight into the array the List adopts.
      let packed: string[] | null = [];
      const items: string[] = [];
      let n = 0;
      for (let i = 0; i < nodes; i++) {
        const container = inp.len();
        if (container !== QUICKLIST_NODE_CONTAINER_PLAIN && container !== QUICKLIST_NODE_CONTAINER_PACKED) {
          throw new RdbError(`Quicklist integrity check failed: unknown node container ${container}`);
        }
        inp.region();
        const buf = inp.regionBuf;
        const start = inp.regionStart;
        const len = inp.regionLen;
        if (packed !== null && container === QUICKLIST_NODE_CONTAINER_PACKED) {
          const count = listpackScan(buf, start, len, false, false);
          if (count > 0) packed.push(buf.latin1Slice(start, start + len));
          n += count;
          continue;
        }
        if (packed !== null) {
          n = 0;
          for (const node of packed) for (const e of listpackDecode(Buffer.from(node, 'latin1'))) items[n++] = e;
          packed = null;
        }
        if (container === QUICKLIST_NODE_CONTAINER_PLAIN) items[n++] = bytesToString(buf, start, len);
        else n += listpackDecodeInto(buf, start, len, items, n);
      }
      if (n === 0) return null;
      return packed !== null ? List.packed(packed, n) : List.adopt(items, n);
    }
    case RDB_TYPE_SET: {
      const n = inp.len();
      const members: string[] = new Array(n);
      for (let i = 0; i < n; i++) members[i] = inp.string();
      return setOf(members, limits, n > limits.setMaxIntset);
    }
    case RDB_TYPE_SET_INTSET:
      return setOf(intsetDecode(inp.stringBuffer()), limits, false);
    case RDB_TYPE_SET_LISTPACK:
      return setOf(listpackDecode(inp.stringBuffer()), limits, false);
    case RDB_TYPE_HASH: {
      const n = inp.len();
      const kv: string[] = new Array(n * 2);
      for (let i = 0; i < n * 2; i++) kv[i] = inp.string();
      return hashOf(kv, limits, n > limits.hashMaxEntries);
    }
    case RDB_TYPE_HASH_ZIPMAP:
      return hashOf(zipmapDecode(inp.stringBuffer()), limits, false);
    case RDB_TYPE_HASH_ZIPLIST: {
      const kv = ziplistDecode(inp.stringBuffer());
      if (kv.length % 2 !== 0) throw new RdbError('Hash listpack integrity check failed: odd number of entries');
      // An old ziplist converts on entry count and on value length.
      return hashOf(kv, limits, false);
    }
    case RDB_TYPE_HASH_LISTPACK: {
      inp.region();
      const buf = inp.regionBuf;
      const start = inp.regionStart;
      const len = inp.regionLen;
      // Kept packed when its fields are known distinct and it stays a listpack.
      const fields = packablePairs(buf, start, len, false, limits.hashMaxEntries);
      if (fields > 0) return RedisHash.packed(buf.latin1Slice(start, start + len), fields);
      const n = listpackDecodeInto(buf, start, len, scratch, 0);
      if (n % 2 !== 0) throw new RdbError('Hash listpack integrity check failed: odd number of entries');
      if (n === 0) return null;
      // Straight into the Map (a listpack converts on its entry count only, so
      // no per-field checks); a duplicate shows as a Map that did not grow.
      const h = new RedisHash();
      const map = h.map;
      for (let i = 0; i < n; i += 2) {
        const size = map.size;
        map.set(scratch[i], scratch[i + 1]);
        if (map.size === size) throw new RdbError('Duplicate hash fields detected');
      }
      if (map.size > limits.hashMaxEntries) h.convert();
      return h;
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = inp.len();
      const z = new SortedSet(false);
      let maxLen = 0;
      for (let i = 0; i < n; i++) {
        const m = inp.string();
        const score = type === RDB_TYPE_ZSET_2 ? inp.binaryDouble() : inp.stringDouble();
        if (Number.isNaN(score)) throw new RdbError('Zset with NAN score detected');
        if (z.dict.has(m)) throw new RdbError(`Duplicate zset fields detected`);
        if (m.length > maxLen) maxLen = m.length;
        z.insertUnchecked(score, m);
      }
      if (z.length === 0) return null;
      z.convertToListpackIfNeeded({ entries: limits.zsetMaxEntries, value: limits.zsetMaxValue }, maxLen);
      return z;
    }
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK: {
      let items: string[];
      let n: number;
      if (type === RDB_TYPE_ZSET_LISTPACK) {
        inp.region();
        const buf = inp.regionBuf;
        const start = inp.regionStart;
        const len = inp.regionLen;
        // Kept packed when its members are known distinct, its scores read as numbers, and it stays a listpack.
        const members = packablePairs(buf, start, len, true, limits.zsetMaxEntries);
        if (members > 0) return SortedSet.packed(buf.latin1Slice(start, start + len), members);
        items = scratch;
        n = listpackDecodeInto(buf, start, len, items, 0);
      } else {
        items = ziplistDecode(inp.stringBuffer());
        n = items.length;
      }
      if (n % 2 !== 0) throw new RdbError('Zset listpack integrity check failed: odd number of entries');
      if (n === 0) return null;
      const z = new SortedSet(true);
      for (let i = 0; i < n; i += 2) {
        const score = listpackScoreValue(items[i + 1]);
        if (Number.isNaN(score)) throw new RdbError(`Zset listpack integrity check failed: bad score "${items[i + 1]}"`);
        if (z.dict.has(items[i])) throw new RdbError('Zset listpack integrity check failed: duplicate member');
        z.insertUnchecked(score, items[i]);
      }
      if (z.length > limits.zsetMaxEntries) z.convertToSkiplist();
      return z;
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      // An empty stream is a value of its own: never skipped.
      return readStream(type, inp);
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
      throw new RdbError('The RDB file contains module data, and Reddish does not load modules');
    default:
      throw new RdbError(`Unknown RDB encoding type ${type}`);
  }
}

/**
 * The number of (key, value) pairs of the hash or sorted-set listpack at
 * buf[start, start + len) when it can stay packed: listpackScan vouches for
 * it (distinct keys; with `scores`, readable scores), it is not empty, and
 * it stays a listpack under `maxPairs`. 0 when it must be decoded.
 */
function packablePairs(buf: Buffer, start: number, len: number, scores: boolean, maxPairs: number): number {
  const count = listpackScan(buf, start, len, true, scores);
  return count > 0 && count % 2 === 0 && count / 2 <= maxPairs ? count / 2 : 0;
}

function listOf(items: string[]): List | null {
  return items.length === 0 ? null : new List(items);
}

/** rdbLoadObject's set: an intset while every member fits (up to set-max-intset-entries). */
function setOf(members: string[], limits: LoadLimits, forceTable: boolean): SetValue | null {
  if (members.length === 0) return null;
  const s = forceTable ? SetValue.hashtable() : SetValue.intset();
  for (const m of members) {
    if (!s.add(m, limits.setMaxIntset)) throw new RdbError('Duplicate set members detected');
  }
  return s;
}

/** rdbLoadObject's hash: listpack unless too many or too long fields (then one way to a hashtable). */
function hashOf(kv: string[], limits: LoadLimits, forceTable: boolean): RedisHash | null {
  if (kv.length === 0) return null;
  const h = new RedisHash();
  if (forceTable) h.convert();
  const hl = { maxEntries: limits.hashMaxEntries, maxValue: limits.hashMaxValue };
  for (let i = 0; i < kv.length; i += 2) {
    if (!h.set(kv[i], kv[i + 1], hl)) throw new RdbError('Duplicate hash fields detected');
  }
  return h;
}
