/**
 * Streams in RDB files and DUMP payloads (rdb.c's OBJ_STREAM cases), and in
 * an AOF rewrite's command form (aof.c rewriteStreamObject).
 *
 * RDB_TYPE_STREAM_LISTPACKS_2 (19), as Redis 7.0 writes it:
 *
 *   len(nodes), then per node: raw string of the 16-byte big-endian master
 *     ID, raw string of the node's listpack (stream-node.ts shows its layout)
 *   len(length) len(last ms) len(last seq) len(first ms) len(first seq)
 *   len(max-deleted ms) len(max-deleted seq) len(entries-added)
 *   len(groups), then per group: name, len(last ms) len(last seq),
 *     len(entries-read, -1 as 2^64-1), the PEL (len, then 16-byte raw ID,
 *     int64 LE delivery time, len(delivery count) each), the consumers (len,
 *     then name, int64 LE seen time, len + 16-byte raw IDs of its PEL)
 *
 * Type 15 (6.x) lacks the first/max-deleted/entries-added trio and the
 * groups' entries-read, which are then derived as Redis derives them; type 21
 * (7.2) adds each consumer's active time after its seen time, which 7.0 has
 * no use for. Node boundaries are kept as the file has them.
 */
import { Stream } from '../../datatypes/stream.js';
import { StreamNode, FLAG_DELETED, FLAG_SAMEFIELDS } from '../../datatypes/stream-node.js';
import { Nack, type ConsumerGroup } from '../../datatypes/stream-groups.js';
import {
  addDelta, big, cmpID, decodeID, encodeID, formatID, u64, U64_MAX, type U64,
} from '../../datatypes/stream-id.js';
import { RdbOutput } from './rdb-output.js';
import { RdbInput } from './rdb-input.js';
import { RdbError } from './rdb-error.js';
import { listpackDecode, listpackEncode } from './listpack.js';
import { RDB_64BITLEN, RDB_32BITLEN, RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_3 } from './rdb-format.js';

/** rdbSaveLen for any uint64 (a long long is written as its two's complement). */
function lenU64(out: RdbOutput, v: U64): void {
  if (typeof v === 'number' && v >= 0 && v <= 0xffffffff) return out.len(v);
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, big(v)));
  out.byte(RDB_64BITLEN);
  out.raw(b);
}

/** rdbLoadLen as an unsigned 64-bit value. */
function readLenU64(inp: RdbInput): U64 {
  const first = inp.byte();
  const type = first >> 6;
  if (type === 0) return first & 0x3f;
  if (type === 1) return ((first & 0x3f) << 8) | inp.byte();
  if (first === RDB_32BITLEN) return inp.bytes(4).readUInt32BE(0);
  if (first === RDB_64BITLEN) return u64(inp.bytes(8).readBigUInt64BE(0));
  throw new RdbError(`Unknown length encoding ${first} in rdbLoadLen()`);
}

/** A long long read back from its uint64 length form. */
function signed(v: U64): U64 {
  return typeof v === 'bigint' ? u64(BigInt.asIntN(64, v)) : v;
}

function rawID(ms: U64, seq: U64): Buffer {
  return encodeID(ms, seq);
}

// ---- writing ---------------------------------------------------------------------

/** rdbSaveObject for a stream (type 19). */
export function writeStream(out: RdbOutput, s: Stream): void {
  out.len(s.nodes.length);
  for (const n of s.nodes) {
    out.bytes(rawID(n.masterMs, n.masterSeq));
    out.bytes(listpackEncode(n.listpackItems()));
  }
  lenU64(out, s.length);
  lenU64(out, s.lastMs);
  lenU64(out, s.lastSeq);
  lenU64(out, s.firstMs);
  lenU64(out, s.firstSeq);
  lenU64(out, s.maxDelMs);
  lenU64(out, s.maxDelSeq);
  lenU64(out, s.entriesAdded);
  const groups = s.groupList();
  out.len(groups.length);
  for (const g of groups) {
    out.string(g.name);
    lenU64(out, g.lastMs);
    lenU64(out, g.lastSeq);
    lenU64(out, g.entriesRead);
    out.len(g.pel.size);
    for (const n of g.pel.entries) {
      out.raw(rawID(n.ms, n.seq));
      out.millis(n.deliveryTime);
      lenU64(out, n.deliveryCount);
    }
    const consumers = g.consumerList();
    out.len(consumers.length);
    for (const c of consumers) {
      out.string(c.name);
      out.millis(c.seenTime);
      out.len(c.pel.size);
      for (const n of c.pel.entries) out.raw(rawID(n.ms, n.seq));
    }
  }
}

// ---- reading ---------------------------------------------------------------------

/** One node from its master ID and listpack, validated as streamValidateListpackIntegrity (deep) does. */
function readNode(key: Buffer, blob: Buffer): StreamNode {
  if (key.length !== 16) throw new RdbError('Stream node key entry is not the size of a stream ID');
  const master = decodeID(key);
  const items = listpackDecode(blob);
  if (items.length === 0) throw new RdbError('Empty listpack inside stream');
  const bad = (): never => {
    throw new RdbError('Stream listpack integrity check failed.');
  };
  let p = 0;
  const int = (): number => {
    if (p >= items.length) bad();
    const v = Number(items[p++]);
    if (!Number.isSafeInteger(v)) bad();
    return v;
  };
  const count = int();
  const deleted = int();
  const nf = int();
  if (count < 0 || deleted < 0 || nf < 0 || p + nf > items.length) bad();
  const fields = items.slice(p, p + nf);
  p += nf;
  if (int() !== 0) bad();
  const node = new StreamNode(master.ms, master.seq, fields);
  let lastMs: U64 | null = null;
  let lastSeq: U64 = 0;
  for (let e = 0; e < count + deleted; e++) {
    const flags = int();
    if (p + 2 > items.length) bad();
    const ms = addDelta(master.ms, deltaOf(items[p++]));
    const seq = addDelta(master.seq, deltaOf(items[p++]));
    if (lastMs !== null && cmpID(ms, seq, lastMs, lastSeq) <= 0) bad();
    lastMs = ms;
    lastSeq = seq;
    const same = (flags & FLAG_SAMEFIELDS) !== 0;
    let argv: string[];
    if (same) {
      if (p + nf > items.length) bad();
      argv = [];
      for (let j = 0; j < nf; j++) argv.push(fields[j], items[p + j]);
      p += nf;
      if (int() !== nf + 3) bad();
    } else {
      const n = int();
      if (n < 0 || p + 2 * n > items.length) bad();
      argv = items.slice(p, p + 2 * n);
      p += 2 * n;
      if (int() !== 2 * n + 4) bad();
    }
    node.push(ms, seq, argv, 0, argv.length, same);
    if (flags & FLAG_DELETED) node.markDeleted(node.size - 1);
  }
  if (p !== items.length || node.live !== count || node.deleted !== deleted) bad();
  return node;
}

/** A listpack delta as the int64 it is. */
function deltaOf(s: string): number | bigint {
  const v = Number(s);
  if (Number.isSafeInteger(v)) return v;
  if (!/^-?\d+$/.test(s)) throw new RdbError('Stream listpack integrity check failed.');
  return BigInt(s);
}

function readID(inp: RdbInput): { ms: U64; seq: U64 } {
  const ms = readLenU64(inp);
  const seq = readLenU64(inp);
  return { ms, seq };
}

/** rdbLoadObject for types 15, 19 and 21. */
export function readStream(type: number, inp: RdbInput): Stream {
  const s = new Stream();
  const nodes = inp.len();
  for (let i = 0; i < nodes; i++) {
    const key = inp.stringBuffer();
    const blob = inp.stringBuffer();
    const node = readNode(key, blob);
    const prev = s.nodes[s.nodes.length - 1];
    if (prev !== undefined && cmpID(prev.masterMs, prev.masterSeq, node.masterMs, node.masterSeq) >= 0) {
      throw new RdbError('Listpack re-added with existing key');
    }
    s.nodes.push(node);
  }
  const length = readLenU64(inp);
  if (typeof length !== 'number') throw new RdbError('Stream object metadata loading failed.');
  s.length = length;
  const last = readID(inp);
  s.lastMs = last.ms;
  s.lastSeq = last.seq;
  if (type === RDB_TYPE_STREAM_LISTPACKS) {
    // As 7.0 migrates a 6.x stream: an empty one gets the max ID here.
    const first = s.edgeID(true, true);
    s.firstMs = first.ms;
    s.firstSeq = first.seq;
    s.entriesAdded = s.length;
  } else {
    const first = readID(inp);
    s.firstMs = first.ms;
    s.firstSeq = first.seq;
    const del = readID(inp);
    s.maxDelMs = del.ms;
    s.maxDelSeq = del.seq;
    s.entriesAdded = signed(readLenU64(inp));
  }
  let live = 0;
  for (const n of s.nodes) live += n.live;
  if (live !== s.length) throw new RdbError('Stream length inconsistent with rax entries');
  const groups = inp.len();
  for (let i = 0; i < groups; i++) {
    const name = inp.string();
    const id = readID(inp);
    const entriesRead = type === RDB_TYPE_STREAM_LISTPACKS ? s.estimateDistance(id) : signed(readLenU64(inp));
    const g = s.createGroup(name, id, entriesRead);
    if (g === null) throw new RdbError(`Duplicated consumer group name ${name}`);
    readGroupPels(type, inp, g);
  }
  return s;
}

function readGroupPels(type: number, inp: RdbInput, g: ConsumerGroup): void {
  const pel = inp.len();
  for (let i = 0; i < pel; i++) {
    const id = decodeID(inp.bytes(16));
    const time = inp.millis();
    const count = readLenU64(inp);
    if (!g.pel.insert(new Nack(id.ms, id.seq, time, count, null))) {
      throw new RdbError('Duplicated global PEL entry loading stream consumer group');
    }
  }
  const consumers = inp.len();
  for (let c = 0; c < consumers; c++) {
    const name = inp.string();
    const seen = inp.millis();
    if (type === RDB_TYPE_STREAM_LISTPACKS_3) inp.millis(); // active time (7.2)
    const consumer = g.createConsumer(name, seen);
    if (consumer === null) throw new RdbError('Duplicate stream consumer detected.');
    const n = inp.len();
    for (let i = 0; i < n; i++) {
      const id = decodeID(inp.bytes(16));
      const nack = g.pel.get(id.ms, id.seq);
      if (nack === undefined) throw new RdbError('Consumer entry not found in group global PEL');
      nack.consumer = consumer;
      if (!consumer.pel.insert(nack)) throw new RdbError('Duplicated consumer PEL entry  loading a stream consumer group');
    }
  }
  for (const n of g.pel.entries) if (n.consumer === null) throw new RdbError('Stream CG PEL entry without consumer');
}

// ---- AOF rewrite ------------------------------------------------------------------

/**
 * rewriteStreamObject: XADD per entry (or the XADD MAXLEN 0 trick for an
 * empty stream), XSETID for the bookkeeping, then per group XGROUP CREATE
 * ... ENTRIESREAD, an XCLAIM ... JUSTID FORCE per pending entry of each
 * consumer and XGROUP CREATECONSUMER for a consumer with none.
 */
export function streamAsCommands(key: string, s: Stream): string[][] {
  const out: string[][] = [];
  if (s.length > 0) {
    s.walk({ ms: 0, seq: 0 }, { ms: U64_MAX, seq: U64_MAX }, false, 0, (node, i) => {
      const argv = ['XADD', key, formatID(node.ms[i], node.seq[i])];
      const nf = node.numFields(i);
      for (let j = 0; j < nf; j++) argv.push(node.field(i, j), node.value(i, j));
      out.push(argv);
    });
  } else {
    out.push(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  out.push([
    'XSETID', key, formatID(s.lastMs, s.lastSeq), 'ENTRIESADDED', String(s.entriesAdded),
    'MAXDELETEDID', formatID(s.maxDelMs, s.maxDelSeq),
  ]);
  for (const g of s.groupList()) {
    out.push(['XGROUP', 'CREATE', key, g.name, formatID(g.lastMs, g.lastSeq), 'ENTRIESREAD', String(g.entriesRead)]);
    for (const c of g.consumerList()) {
      if (c.pel.size === 0) {
        out.push(['XGROUP', 'CREATECONSUMER', key, g.name, c.name]);
        continue;
      }
      for (const n of c.pel.entries) {
        out.push([
          'XCLAIM', key, g.name, c.name, '0', formatID(n.ms, n.seq), 'TIME', String(n.deliveryTime),
          'RETRYCOUNT', String(n.deliveryCount), 'JUSTID', 'FORCE',
        ]);
      }
    }
  }
  return out;
}
