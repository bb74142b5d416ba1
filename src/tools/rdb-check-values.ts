/**
 * The value half of reddish-check-rdb: walks one value of any type Redis 7.0
 * knows (streams and module values included, which Reddish cannot load)
 * with the checks rdbLoadObject makes under sanitize-dump-payload yes, and
 * fails the way redis-check-rdb does:
 *  - a short read is RdbTruncated (from RdbInput), which the caller reports
 *    as "Unexpected EOF reading RDB file";
 *  - rdbReportCorruptRDB / rdbReportReadError is a CheckCorrupt carrying
 *    Redis's reason and the rdb.c line of Redis 7.0.15 that reports it, since
 *    redis-check-rdb prints "function at rdb.c:<line>" and people compare
 *    that output. The lines are those of Debian's 7.0.15-1~deb12u10, whose
 *    security patches moved them (by 1 from ~2189 to ~2510, by 8 at 2611)
 *    from earlier builds; lines not seen to move are as before.
 * Nothing is built; only positions and the integrity rules matter here.
 */
import { RdbInput, RdbTruncated } from '../persist/rdb/rdb-input.js';
import { lzfDecompress } from '../persist/rdb/lzf.js';
import { listpackDecode, canonicalInt64 } from '../persist/rdb/listpack.js';
import { ziplistDecode } from '../persist/rdb/ziplist.js';
import { intsetDecode } from '../persist/rdb/intset.js';
import { zipmapDecode } from '../persist/rdb/zipmap.js';
import { RdbError } from '../persist/rdb/rdb-error.js';
import {
  RDB_TYPE_STRING, RDB_TYPE_LIST, RDB_TYPE_SET, RDB_TYPE_ZSET, RDB_TYPE_HASH, RDB_TYPE_ZSET_2, RDB_TYPE_MODULE_PRE_GA,
  RDB_TYPE_MODULE_2, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_SET_INTSET, RDB_TYPE_ZSET_ZIPLIST,
  RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_STREAM_LISTPACKS_2, RDB_ENCVAL, RDB_ENC_INT8, RDB_ENC_INT16, RDB_ENC_INT32,
  RDB_ENC_LZF, RDB_32BITLEN, RDB_64BITLEN, QUICKLIST_NODE_CONTAINER_PLAIN, QUICKLIST_NODE_CONTAINER_PACKED,
} from '../persist/rdb/rdb-format.js';

/** rdbReportError in check mode: the reason and the rdb.c line that raised it (7.0.15). */
export class CheckCorrupt extends Error {
  constructor(readonly reason: string, readonly line: number) {
    super(reason);
  }
}

/** redis-check-rdb's rdb_type_string in 7.0 (19 names; type 7 and 8 have none). */
const TYPE_NAMES = [
  'string', 'list-linked', 'set-hashtable', 'zset-v1', 'hash-hashtable', 'zset-v2', 'module-value', '', '',
  'hash-zipmap', 'list-ziplist', 'set-intset', 'zset-ziplist', 'hash-ziplist', 'quicklist', 'stream',
  'hash-listpack', 'zset-listpack', 'quicklist-v2',
];

export function typeName(t: number): string {
  return t >= 0 && t < TYPE_NAMES.length ? TYPE_NAMES[t] : 'unknown';
}

/** rdbIsObjectType as 7.0 has it: the 7.2 types (20, 21) are not values yet. */
export function isObjectType70(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

/** moduleTypeNameByID: the 9-character name packed in the top 54 bits of a module id. */
export function moduleTypeName(id: bigint): string {
  const cset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let v = id >> 10n;
  let name = '';
  for (let j = 0; j < 9; j++) {
    name = cset[Number(v & 63n)] + name;
    v >>= 6n;
  }
  return name;
}

const RDB_LENERR = (1n << 64n) - 1n;

/** rdbLoadLen: a length; an "encoded" first byte yields its low 6 bits, as Redis does when not asked. */
export function readLenBig(inp: RdbInput): bigint {
  const first = inp.byte();
  const type = first >> 6;
  let v: bigint;
  if (type === RDB_ENCVAL || type === 0) v = BigInt(first & 0x3f);
  else if (type === 1) v = BigInt(((first & 0x3f) << 8) | inp.byte());
  else if (first === RDB_32BITLEN) v = BigInt(inp.bytes(4).readUInt32BE(0));
  else if (first === RDB_64BITLEN) v = inp.bytes(8).readBigUInt64BE(0);
  else throw new CheckCorrupt(`Unknown length encoding ${type} in rdbLoadLen()`, 236);
  // RDB_LENERR is how rdbLoadLen signals failure, so that value reads as one.
  if (v === RDB_LENERR) throw new RdbTruncated();
  return v;
}

/** A length as a number; huge ones stay huge (the reads they drive run out of file). */
export function readLen(inp: RdbInput): number {
  return Number(readLenBig(inp));
}

/** rdbGenericLoadStringObject: the raw bytes (integers as decimal text, LZF expanded). */
export function readString(inp: RdbInput): Buffer {
  const first = inp.byte();
  if (first >> 6 !== RDB_ENCVAL) {
    inp.pos--; // let readLenBig read the whole length
    const len = readLen(inp);
    return inp.bytes(len);
  }
  const enc = first & 0x3f;
  switch (enc) {
    case RDB_ENC_INT8:
      return Buffer.from(String(inp.bytes(1).readInt8(0)), 'latin1');
    case RDB_ENC_INT16:
      return Buffer.from(String(inp.bytes(2).readInt16LE(0)), 'latin1');
    case RDB_ENC_INT32:
      return Buffer.from(String(inp.bytes(4).readInt32LE(0)), 'latin1');
    case RDB_ENC_LZF: {
      const clen = readLen(inp);
      const len = readLen(inp);
      const packed = inp.bytes(clen);
      // lzf_decompress returns 0 on any error and Redis compares with len: an empty target always "succeeds".
      if (len === 0) return Buffer.alloc(0);
      const out = lzfDecompress(packed, len);
      if (out === null) throw new CheckCorrupt('Invalid LZF compressed string', 413);
      return out;
    }
    default:
      throw new CheckCorrupt(`Unknown RDB string encoding type ${enc}`, 529);
  }
}

/** A C string view of bytes (printf's %s stops at the first NUL). */
export function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.toString('latin1', 0, nul === -1 ? b.length : nul);
}

/** Runs a read whose short read Redis reports with its own message (rdbReportReadError). */
function orFail<T>(read: () => T, reason: string, line: number): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RdbTruncated) throw new CheckCorrupt(reason, line);
    throw e;
  }
}

/** A decoder's entries, its complaint turned into Redis's integrity message. */
function validated(decode: () => string[], reason: string, line: number): string[] {
  try {
    return decode();
  } catch (e) {
    if (e instanceof RdbError && !(e instanceof RdbTruncated)) throw new CheckCorrupt(reason, line);
    throw e;
  }
}

/** lpPairsValidateIntegrityAndDups / ziplistPairsConvertAndValidateIntegrity: even count, unique fields. */
function pairsOk(items: string[]): boolean {
  if (items.length % 2 !== 0) return false;
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i += 2) {
    if (seen.has(items[i])) return false;
    seen.add(items[i]);
  }
  return true;
}

/** A pairs blob (hash or zset encodings): decodes, then checks the pairing. */
function pairs(decode: () => string[], reason: string, line: number): string[] {
  const items = validated(decode, reason, line);
  if (!pairsOk(items)) throw new CheckCorrupt(reason, line);
  return items;
}

/** rdbLoadDoubleValue (ZSET v1 scores): 253-255 are nan/inf/-inf; text sscanf("%lg") cannot read is a failed load. */
function readStringDouble(inp: RdbInput): number {
  const n = inp.byte();
  if (n === 253) return NaN;
  if (n === 254) return Infinity;
  if (n === 255) return -Infinity;
  const s = inp.bytes(n).toString('latin1');
  if (!/^\s*[+-]?(\d|\.\d|inf|nan)/i.test(s)) throw new RdbTruncated(); // Redis returns -1: a plain load failure
  return /^\s*[+-]?nan/i.test(s) ? NaN : parseFloat(s.replace(/^\s*([+-]?)inf.*/i, '$1Infinity'));
}

/** An empty value: rdbLoadObject returns NULL, which redis-check-rdb reports as a short read. */
function emptyKey(): never {
  throw new RdbTruncated();
}

// Redis 7.0's defaults, which decide the encoding paths (and so the reporting line).
const SET_MAX_INTSET_ENTRIES = 512;
const HASH_MAX_LISTPACK_ENTRIES = 512; // the compiled default (redis.conf's example says 128)
const HASH_MAX_LISTPACK_VALUE = 64;

/** Walks the value of `type` at the reader's position, as rdbLoadObject reads it. */
export function checkValue(type: number, inp: RdbInput): void {
  switch (type) {
    case RDB_TYPE_STRING:
      readString(inp);
      return;
    case RDB_TYPE_LIST: {
      const n = readLen(inp);
      if (n === 0) emptyKey();
      for (let i = 0; i < n; i++) readString(inp);
      return;
    }
    case RDB_TYPE_SET:
      return checkSet(inp);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
      return checkZset(type, inp);
    case RDB_TYPE_HASH:
      return checkHash(inp);
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
      return checkQuicklist(type, inp);
    case RDB_TYPE_HASH_ZIPMAP: {
      const kv = validated(() => zipmapDecode(readString(inp)), 'Zipmap integrity check failed.', 2130);
      const seen = new Set<string>();
      for (let i = 0; i < kv.length; i += 2) {
        if (seen.has(kv[i])) throw new CheckCorrupt(`Hash zipmap with dup elements, or big length (${kv[i].length})`, 2154);
        seen.add(kv[i]);
      }
      return;
    }
    case RDB_TYPE_LIST_ZIPLIST: {
      const blob = readString(inp);
      if (validated(() => ziplistDecode(blob), 'List ziplist integrity check failed.', 2189).length === 0) emptyKey();
      return;
    }
    case RDB_TYPE_SET_INTSET: {
      const blob = readString(inp);
      validated(() => intsetDecode(blob), 'Intset integrity check failed.', 2214);
      return;
    }
    case RDB_TYPE_ZSET_ZIPLIST: {
      const blob = readString(inp);
      if (pairs(() => ziplistDecode(blob), 'Zset ziplist integrity check failed.', 2228).length === 0) emptyKey();
      return;
    }
    case RDB_TYPE_ZSET_LISTPACK: {
      const blob = readString(inp);
      if (pairs(() => listpackDecode(blob), 'Zset listpack integrity check failed.', 2255).length === 0) emptyKey();
      return;
    }
    case RDB_TYPE_HASH_ZIPLIST: {
      const blob = readString(inp);
      if (pairs(() => ziplistDecode(blob), 'Hash ziplist integrity check failed.', 2274).length === 0) emptyKey();
      return;
    }
    case RDB_TYPE_HASH_LISTPACK: {
      const blob = readString(inp);
      if (pairs(() => listpackDecode(blob), 'Hash listpack integrity check failed.', 2301).length === 0) emptyKey();
      return;
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
      return checkStream(type, inp);
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2: {
      const id = orFail(() => readLenBig(inp), 'Short read module id', 2614);
      const name = moduleTypeName(id);
      // The checker has no modules: a v1 value cannot be skipped, a v2 one is self-describing.
      if (type === RDB_TYPE_MODULE_PRE_GA) {
        throw new CheckCorrupt(`The RDB file contains module data I can't load: no matching module type '${name}'`, 2628);
      }
      checkModuleValue(inp, name);
      return;
    }
    default:
      throw new CheckCorrupt(`Unknown RDB encoding type ${type}`, 0);
  }
}

function checkSet(inp: RdbInput): void {
  const n = readLen(inp);
  if (n === 0) emptyKey();
  // Small sets start as an intset and become a hash table at the first non-integer.
  let intset = n <= SET_MAX_INTSET_ENTRIES;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const m = readString(inp).toString('latin1');
    if (intset && canonicalInt64(m) !== null) {
      if (seen.has(m)) throw new CheckCorrupt('Duplicate set members detected', 1809);
      seen.add(m);
      continue;
    }
    intset = false;
    if (seen.has(m)) throw new CheckCorrupt('Duplicate set members detected', 1829);
    seen.add(m);
  }
}

function checkZset(type: number, inp: RdbInput): void {
  const n = readLen(inp);
  if (n === 0) emptyKey();
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const m = readString(inp).toString('latin1');
    const score = type === RDB_TYPE_ZSET_2 ? inp.binaryDouble() : readStringDouble(inp);
    if (Number.isNaN(score)) throw new CheckCorrupt('Zset with NAN score detected', 1882);
    if (seen.has(m)) throw new CheckCorrupt('Duplicate zset fields detected', 1894);
    seen.add(m);
  }
}

function checkHash(inp: RdbInput): void {
  const n = readLen(inp);
  if (n === 0) emptyKey();
  // A small hash is built as a listpack with a duplicate search; a long field or value converts it.
  let table = n > HASH_MAX_LISTPACK_ENTRIES;
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const f = readString(inp);
    const v = readString(inp);
    const key = f.toString('latin1');
    if (seen.has(key)) throw new CheckCorrupt(table ? 'Duplicate hash fields detected' : 'Hash with dup elements', table ? 2019 : 1951);
    seen.add(key);
    if (f.length > HASH_MAX_LISTPACK_VALUE || v.length > HASH_MAX_LISTPACK_VALUE) table = true;
  }
}

function checkQuicklist(type: number, inp: RdbInput): void {
  const nodes = readLen(inp);
  if (nodes === 0) emptyKey();
  let items = 0;
  for (let i = 0; i < nodes; i++) {
    let container = QUICKLIST_NODE_CONTAINER_PACKED;
    if (type === RDB_TYPE_LIST_QUICKLIST_2) {
      container = readLen(inp);
      if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
        throw new CheckCorrupt('Quicklist integrity check failed.', 2048);
      }
    }
    const blob = readString(inp);
    if (blob.length === 0) emptyKey(); // rdbLoadObject treats a zero-length node as a failed read
    if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
      items++;
      continue;
    }
    items += type === RDB_TYPE_LIST_QUICKLIST_2
      ? validated(() => listpackDecode(blob), 'Listpack integrity check failed.', 2071).length
      : validated(() => ziplistDecode(blob), 'Ziplist integrity check failed.', 2081).length;
  }
  if (items === 0) emptyKey(); // empty nodes are skipped; a list of only those is empty
}

/** rdbLoadCheckModuleValue: opcode-tagged fields until the EOF opcode. */
export function checkModuleValue(inp: RdbInput, name: string): void {
  for (;;) {
    // Redis loops forever on a short read here; reporting it as one is the useful answer.
    const opcode = readLen(inp);
    if (opcode === 0) return; // RDB_MODULE_OPCODE_EOF
    if (opcode === 1 || opcode === 2) orFail(() => readLenBig(inp), `Error reading integer from module ${name} value`, 1540);
    else if (opcode === 5) orFail(() => readString(inp), `Error reading string from module ${name} value`, 1546);
    else if (opcode === 3) orFail(() => inp.bytes(4), `Error reading float from module ${name} value`, 1553);
    else if (opcode === 4) orFail(() => inp.bytes(8), `Error reading double from module ${name} value`, 1559);
    // Unknown opcodes are skipped, as Redis does.
  }
}

const STREAM_ITEM_FLAG_SAMEFIELDS = 2n;

/** streamValidateListpackIntegrity (deep): the master entry, then every entry with its lp-count. */
function streamListpackOk(blob: Buffer): boolean {
  let items: string[];
  try {
    // Only the header's size is checked up front, never its element count: mark that unknown.
    const copy = Buffer.from(blob);
    if (copy.length >= 6) copy.writeUInt16LE(0xffff, 4);
    items = listpackDecode(copy);
  } catch (e) {
    if (e instanceof RdbError) return false;
    throw e;
  }
  let p = 0;
  const int = (): bigint | null => {
    if (p >= items.length) return null;
    const v = canonicalInt64(items[p++]);
    return v === null ? null : BigInt(v);
  };
  const skip = (k: bigint): boolean => {
    if (BigInt(items.length - p) < k) return false;
    p += Number(k);
    return true;
  };
  const count = int();
  const deleted = int();
  const masterFields = int();
  if (count === null || deleted === null || masterFields === null || !skip(masterFields)) return false;
  if (int() !== 0n) return false;
  for (let e = count + deleted; e > 0n; e--) {
    const flags = int();
    if (flags === null || int() === null || int() === null) return false;
    let fields = masterFields;
    let extra = 3n;
    if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) {
      const f = int();
      if (f === null || !skip(f * 2n)) return false;
      fields = f;
      extra += f + 1n;
    } else if (!skip(fields)) return false;
    if (int() !== fields + extra) return false;
  }
  return p === items.length;
}

function checkStream(type: number, inp: RdbInput): void {
  const v2 = type === RDB_TYPE_STREAM_LISTPACKS_2;
  const listpacks = orFail(() => readLen(inp), 'Stream listpacks len loading failed.', 2327);
  const nodes = new Set<string>();
  for (let i = 0; i < listpacks; i++) {
    const nodekey = orFail(() => readString(inp), 'Stream master ID loading failed: invalid encoding or I/O error.', 2338);
    if (nodekey.length !== 16) throw new CheckCorrupt('Stream node key entry is not the size of a stream ID', 2343);
    const lp = orFail(() => readString(inp), 'Stream listpacks loading failed.', 2355);
    if (!streamListpackOk(lp)) throw new CheckCorrupt('Stream listpack integrity check failed.', 2362);
    const k = nodekey.toString('hex');
    if (nodes.has(k)) throw new CheckCorrupt('Listpack re-added with existing key', 2385);
    nodes.add(k);
  }
  const length = orFail(() => {
    const len = readLenBig(inp);
    for (let j = 0; j < (v2 ? 7 : 2); j++) readLenBig(inp); // last id, then first id, max deleted id, entries added
    return len;
  }, 'Stream object metadata loading failed.', 2424);
  if (length !== 0n && nodes.size === 0) throw new CheckCorrupt('Stream length inconsistent with rax entries', 2430);
  const groups = orFail(() => readLen(inp), 'Stream cgroup count loading failed.', 2438);
  const groupNames = new Set<string>();
  for (let g = 0; g < groups; g++) {
    const name = orFail(() => readString(inp), 'Error reading the consumer group name from Stream', 2449);
    orFail(() => [readLenBig(inp), readLenBig(inp)], 'Stream cgroup ID loading failed.', 2458);
    if (v2) orFail(() => readLenBig(inp), 'Stream cgroup offset loading failed.', 2469);
    const gname = name.toString('latin1');
    if (groupNames.has(gname)) throw new CheckCorrupt(`Duplicated consumer group name ${cString(name)}`, 2480);
    groupNames.add(gname);
    checkGroupPels(inp);
  }
}

/** A consumer group's global PEL, then its consumers and their PELs (which must point into it). */
function checkGroupPels(inp: RdbInput): void {
  const pelSize = orFail(() => readLen(inp), 'Stream PEL size loading failed.', 2495);
  const owner = new Map<string, boolean>(); // raw id -> claimed by a consumer
  for (let i = 0; i < pelSize; i++) {
    const id = orFail(() => inp.bytes(16), 'Stream PEL ID loading failed.', 2502).toString('hex');
    orFail(() => [inp.millis(), readLenBig(inp)], 'Stream PEL NACK loading failed.', 2510);
    if (owner.has(id)) throw new CheckCorrupt('Duplicated global PEL entry loading stream consumer group', 2515);
    owner.set(id, false);
  }
  const consumers = orFail(() => readLen(inp), 'Stream consumers num loading failed.', 2527);
  const names = new Set<string>();
  for (let c = 0; c < consumers; c++) {
    const name = orFail(() => readString(inp), 'Error reading the consumer name from Stream group.', 2534).toString('latin1');
    if (names.has(name)) throw new CheckCorrupt('Duplicate stream consumer detected.', 2543);
    names.add(name);
    orFail(() => inp.millis(), 'Stream short read reading seen time.', 2549);
    const n = orFail(() => readLen(inp), 'Stream consumer PEL num loading failed.', 2558);
    const mine = new Set<string>();
    for (let i = 0; i < n; i++) {
      const id = orFail(() => inp.bytes(16), 'Stream short read reading PEL streamID.', 2566).toString('hex');
      if (!owner.has(id)) throw new CheckCorrupt('Consumer entry not found in group global PEL', 2573);
      owner.set(id, true);
      if (mine.has(id)) throw new CheckCorrupt('Duplicated consumer PEL entry  loading a stream consumer group', 2584);
      mine.add(id);
    }
  }
  for (const claimed of owner.values()) {
    if (!claimed) throw new CheckCorrupt('Stream CG PEL entry without consumer', 2611);
  }
}
