/**
 * The stream structure (datatypes/stream*.ts) and its RDB codec: ID parsing
 * as string2ull does it, exact u64 arithmetic, node layout and listpack byte
 * accounting, deletion and trimming semantics, the read-counter estimates,
 * PELs, radix tree node counts, deep copies, and RDB round trips (including
 * the 6.x type 15 layout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stream, TRIM_MAXLEN, TRIM_MINID, INVALID_ENTRIES_READ, type TrimArgs } from '../../src/datatypes/stream.js';
import { StreamNode, FLAG_DELETED } from '../../src/datatypes/stream-node.js';
import { Nack, Pel } from '../../src/datatypes/stream-groups.js';
import { raxNodeCount } from '../../src/datatypes/stream-rax.js';
import {
  parseStreamID, parseU64, nextID, prevID, idString, encodeID, deltaInt64, addDelta, MAX_ID, MIN_ID, U64_MAX,
} from '../../src/datatypes/stream-id.js';
import { listpackEncode } from '../../src/persist/rdb/listpack.js';
import { readStream, writeStream, streamAsCommands } from '../../src/persist/rdb/stream-codec.js';
import { RdbOutput } from '../../src/persist/rdb/rdb-output.js';
import { RdbInput } from '../../src/persist/rdb/rdb-input.js';
import { RdbError } from '../../src/persist/rdb/rdb-error.js';
import { RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2 } from '../../src/persist/rdb/rdb-format.js';
import { Rng } from '../differential/generator.js';

const BIG = 1 << 30;

function ids(s: Stream): string[] {
  const out: string[] = [];
  s.walk(MIN_ID, MAX_ID, false, 0, (n, i) => {
    out.push(`${n.ms[i]}-${n.seq[i]}`);
  });
  return out;
}

test('string2ull as stream IDs read it: strict digits, then strtoull with its quirks', () => {
  assert.equal(parseU64('0'), 0);
  assert.equal(parseU64('123'), 123);
  assert.equal(parseU64('007'), 7);
  assert.equal(parseU64(' 5'), 5);
  assert.equal(parseU64('+5'), 5);
  assert.equal(parseU64('-0'), 0);
  assert.equal(parseU64('-05'), 18446744073709551611n);
  assert.equal(parseU64('-5'), null); // string2ll accepts it, and a negative value is refused
  assert.equal(parseU64('5 '), null);
  assert.equal(parseU64(''), null);
  assert.equal(parseU64('+'), null);
  assert.equal(parseU64('0x10'), null);
  assert.equal(parseU64('9007199254740993'), 9007199254740993n);
  assert.equal(parseU64('18446744073709551615'), U64_MAX);
  assert.equal(parseU64('18446744073709551616'), null);
});

test('stream ID forms: - and + unless strict, incomplete IDs, <ms>-* only for XADD, C-string view', () => {
  assert.deepEqual(parseStreamID('-', 0, false), { ms: 0, seq: 0, seqGiven: true });
  assert.deepEqual(parseStreamID('+', 0, false), { ms: U64_MAX, seq: U64_MAX, seqGiven: true });
  assert.equal(parseStreamID('-', 0, true), null);
  assert.equal(parseStreamID('+', 0, true), null);
  assert.deepEqual(parseStreamID('5', U64_MAX, true), { ms: 5, seq: U64_MAX, seqGiven: true });
  assert.deepEqual(parseStreamID('5-*', 0, true, true), { ms: 5, seq: 0, seqGiven: false });
  assert.equal(parseStreamID('5-*', 0, true), null);
  assert.equal(parseStreamID('5-3-1', 0, true), null);
  assert.equal(parseStreamID('-5-3', 0, true), null);
  assert.deepEqual(parseStreamID('5--03', 0, true), { ms: 5, seq: 18446744073709551613n, seqGiven: true });
  assert.deepEqual(parseStreamID('7-1\0junk', 0, true), { ms: 7, seq: 1, seqGiven: true });
  assert.equal(parseStreamID('1'.repeat(128), 0, true), null);
});

test('ID arithmetic is exact over the whole u64 range', () => {
  assert.equal(nextID(MAX_ID), null);
  assert.equal(prevID(MIN_ID), null);
  assert.equal(idString(nextID({ ms: 1, seq: U64_MAX })!), '2-0');
  assert.equal(idString(prevID({ ms: 2, seq: 0 })!), '1-18446744073709551615');
  assert.equal(idString(nextID({ ms: 9007199254740991, seq: 9007199254740991 })!), '9007199254740991-9007199254740992');
  assert.equal(encodeID(U64_MAX, 1).toString('hex'), 'ffffffffffffffff0000000000000001');
  // A listpack delta is the uint64 difference read as int64, and decodes back.
  assert.equal(deltaInt64(3, 5), -2);
  assert.equal(deltaInt64(U64_MAX, 0), -1);
  assert.equal(addDelta(0, -1), U64_MAX);
  assert.equal(addDelta(5, deltaInt64(3, 5)), 3);
});

test('a node knows its listpack size exactly (SAMEFIELDS, tombstones, integers, negative deltas)', () => {
  const rng = new Rng(7);
  const s = new Stream();
  let ms = 1;
  for (let i = 0; i < 400; i++) {
    ms += rng.int(3);
    const seq = rng.int(5);
    if (ms === Number(s.lastMs) && seq <= Number(s.lastSeq)) continue;
    const fv: string[] = [];
    const n = rng.range(1, 3);
    for (let j = 0; j < n; j++) {
      fv.push(rng.chance(0.7) ? 'f' : `f${j}`, rng.pick(['', 'x'.repeat(rng.int(80)), String(rng.int(100000) - 50000), '-0', '007', 'x'.repeat(5000)]));
    }
    s.append(ms, seq, fv, 0, fv.length, 4096, 7);
    if (rng.chance(0.1)) s.deleteEntry(s.lastMs, s.lastSeq);
  }
  s.append(U64_MAX, 0, ['f', 'v'], 0, 2, 4096, 7);
  assert.ok(s.nodes.length > 10);
  for (const node of s.nodes) assert.equal(node.bytes, listpackEncode(node.listpackItems()).length);
});

test('nodes split by entries (tombstones count) and by bytes', () => {
  const s = new Stream();
  for (let i = 1; i <= 10; i++) s.append(i, 0, ['f', 'v'], 0, 2, BIG, 4);
  assert.deepEqual(s.nodes.map((n) => n.size), [4, 4, 2]);
  s.deleteEntry(9, 0);
  s.append(11, 0, ['f', 'v'], 0, 2, BIG, 4);
  s.append(12, 0, ['f', 'v'], 0, 2, BIG, 4);
  assert.deepEqual(s.nodes.map((n) => n.size), [4, 4, 4]);
  const t = new Stream();
  // 100 bytes: an entry whose raw size would reach the limit starts a node.
  t.append(1, 0, ['f', 'x'.repeat(40)], 0, 2, 100, 0);
  t.append(2, 0, ['f', 'x'.repeat(40)], 0, 2, 100, 0);
  assert.equal(t.nodes.length, 2);
  assert.equal(t.nodes[0].shrunk, true);
});

test('XDEL marks entries; the node goes with its last live entry; first ID and last valid ID follow', () => {
  const s = new Stream();
  for (let i = 1; i <= 6; i++) s.append(i, 0, ['f', String(i)], 0, 2, BIG, 3);
  assert.equal(s.deleteEntry(2, 0), true);
  assert.equal(s.deleteEntry(2, 0), false);
  assert.equal(s.nodes[0].isDeleted(1), true);
  assert.equal(s.nodes[0].deleted, 1);
  s.deleteEntry(1, 0);
  s.deleteEntry(3, 0);
  assert.equal(s.nodes.length, 1);
  s.refreshFirstID();
  assert.equal(idString(s.firstID), '4-0');
  s.deleteEntry(6, 0);
  assert.equal(idString(s.lastValidID()), '5-0');
  assert.equal(idString(s.lastID), '6-0');
  assert.deepEqual(ids(s), ['4-0', '5-0']);
});

test('trimming: approximate removes whole nodes only; exact marks entries; MINID compares tombstones too', () => {
  const mk = (): Stream => {
    const s = new Stream();
    for (let i = 1; i <= 10; i++) s.append(i, 0, ['f', 'v'], 0, 2, BIG, 4);
    return s;
  };
  const args = (a: Partial<TrimArgs>): TrimArgs => ({ strategy: TRIM_MAXLEN, approx: false, limit: 0, maxlen: 0, minid: MIN_ID, ...a });
  let s = mk();
  assert.equal(s.trim(args({ approx: true, maxlen: 5 })), 4);
  assert.equal(s.length, 6);
  s = mk();
  assert.equal(s.trim(args({ maxlen: 5 })), 5);
  assert.deepEqual(ids(s), ['6-0', '7-0', '8-0', '9-0', '10-0']);
  assert.equal(s.nodes[0].deleted, 1);
  assert.equal(idString(s.firstID), '6-0');
  s = mk();
  assert.equal(s.trim(args({ approx: true, maxlen: 0, limit: 5 })), 4);
  s = mk();
  assert.equal(s.trim(args({ strategy: TRIM_MINID, minid: { ms: 7, seq: 0 } })), 6);
  assert.deepEqual(ids(s), ['7-0', '8-0', '9-0', '10-0']);
  s = mk();
  // The first node ends with the tombstone 4-0, which is not below 4-0: the node stays.
  s.deleteEntry(4, 0);
  assert.equal(s.trim(args({ strategy: TRIM_MINID, approx: true, minid: { ms: 4, seq: 0 } })), 0);
  assert.equal(idString(s.edgeID(true, false)), '1-0');
  assert.equal(s.trim(args({ strategy: TRIM_MINID, approx: true, minid: { ms: 9, seq: 0 } })), 7);
  assert.equal(idString(s.edgeID(true, false)), '9-0');
});

test('the read counter estimate and the lag, as Redis computes them', () => {
  const s = new Stream();
  assert.equal(s.estimateDistance({ ms: 5, seq: 0 }), 0);
  for (let i = 1; i <= 5; i++) s.append(i, 0, ['f', 'v'], 0, 2, BIG, 100);
  assert.equal(s.estimateDistance({ ms: 5, seq: 0 }), 5);
  assert.equal(s.estimateDistance({ ms: 9, seq: 0 }), INVALID_ENTRIES_READ);
  assert.equal(s.estimateDistance({ ms: 1, seq: 0 }), 1);
  assert.equal(s.estimateDistance({ ms: 0, seq: 5 }), 0);
  assert.equal(s.estimateDistance({ ms: 3, seq: 0 }), INVALID_ENTRIES_READ);
  const g = s.createGroup('g', { ms: 0, seq: 0 }, INVALID_ENTRIES_READ)!;
  assert.equal(s.lag(g), 5);
  assert.equal(s.advanceGroup(g, 1, 0), true);
  assert.equal(g.entriesRead, 1);
  s.deleteEntry(3, 0);
  s.maxDelMs = 3;
  assert.equal(s.lag(g), null);
  assert.equal(s.advanceGroup(g, 2, 0), true);
  assert.equal(g.entriesRead, INVALID_ENTRIES_READ);
});

test('a PEL stays ordered; a group copy shares nothing', () => {
  const p = new Pel();
  for (const seq of [5, 1, 3, 9, 7]) assert.equal(p.insert(new Nack(1, seq, 0, 1, null)), true);
  assert.equal(p.insert(new Nack(1, 3, 0, 1, null)), false);
  assert.deepEqual(p.entries.map((n) => n.seq), [1, 3, 5, 7, 9]);
  assert.equal(p.remove(1, 5)?.seq, 5);
  assert.equal(p.get(1, 5), undefined);
  assert.equal(p.lowerBound(1, 4), 2);
  const s = new Stream();
  s.append(1, 1, ['f', 'v'], 0, 2, BIG, 100);
  const g = s.createGroup('g', MIN_ID, 0)!;
  const c = g.createConsumer('alice', 10)!;
  const n = new Nack(1, 1, 5, 1, c);
  g.pel.insert(n);
  c.pel.insert(n);
  const copy = s.dup();
  const g2 = copy.group('g')!;
  g2.ack(1, 1);
  assert.equal(g.pel.size, 1);
  assert.equal(c.pel.size, 1);
  assert.equal(g2.consumers.get('alice')!.pel.size, 0);
  copy.append(2, 0, ['f', 'v'], 0, 2, BIG, 100);
  assert.equal(s.length, 1);
});

test('radix tree node counts of the node keys', () => {
  const k = (ms: number, seq = 0): string => encodeID(ms, seq).toString('latin1');
  assert.equal(raxNodeCount([]), 1);
  assert.equal(raxNodeCount([k(1)]), 2);
  assert.equal(raxNodeCount([k(0, 1), k(0, 2)]), 4); // compressed root up to the last byte, two leaves
  assert.equal(raxNodeCount([k(0, 1), k(0, 2), k(0, 3)]), 5);
  assert.equal(raxNodeCount([k(1), k(2)]), 6); // below the branch, each side's run is a node above its leaf
  assert.equal(raxNodeCount([k(1), k(2), k(2, 1)]), 8);
});

function roundTrip(s: Stream, type = RDB_TYPE_STREAM_LISTPACKS_2): Stream {
  const out = new RdbOutput(true);
  writeStream(out, s);
  return readStream(type, new RdbInput(out.take()));
}

function shape(s: Stream): unknown {
  return {
    nodes: s.nodes.map((n) => [idString({ ms: n.masterMs, seq: n.masterSeq }), n.listpackItems()]),
    meta: [s.length, idString(s.lastID), idString(s.firstID), idString(s.maxDeletedID), String(s.entriesAdded)],
    groups: s.groupList().map((g) => ({
      name: g.name, last: idString(g.lastID), read: String(g.entriesRead),
      pel: g.pel.entries.map((n) => [n.ms, n.seq, n.deliveryTime, String(n.deliveryCount), n.consumer?.name]),
      consumers: g.consumerList().map((c) => [c.name, c.seenTime, c.pel.entries.map((n) => n.seq)]),
    })),
  };
}

test('RDB round trip keeps nodes, tombstones, bookkeeping, groups, PELs and consumers', () => {
  const s = new Stream();
  for (let i = 1; i <= 20; i++) s.append(i, i % 3, i % 2 ? ['a', String(i)] : ['b', 'x'.repeat(i), 'c', '-7'], 0, i % 2 ? 2 : 4, BIG, 6);
  s.deleteEntry(4, 1);
  s.deleteEntry(5, 2);
  s.maxDelMs = 5;
  s.maxDelSeq = 2;
  s.append(U64_MAX, 3, ['z', 'z'], 0, 2, BIG, 6);
  const g = s.createGroup('g', { ms: 7, seq: 1 }, INVALID_ENTRIES_READ)!;
  s.createGroup('h', MIN_ID, 9007199254740993n);
  const c = g.createConsumer('bob', 1700000000000)!;
  g.createConsumer('idle', 1700000000001);
  for (const [ms, seq] of [[1, 1], [2, 2], [7, 1]] as const) {
    const n = new Nack(ms, seq, 1700000000123, 18446744073709551615n, c);
    g.pel.insert(n);
    c.pel.insert(n);
  }
  const back = roundTrip(s);
  assert.deepEqual(shape(back), shape(s));
  assert.equal(back.nodes[0].deleted, s.nodes[0].deleted);
  const empty = new Stream();
  empty.lastMs = 5;
  assert.deepEqual(shape(roundTrip(empty)), shape(empty));
});

test('a 6.x stream (type 15) gets Redis 7.0 derived first ID, entries-added and read counters', () => {
  const s = new Stream();
  for (let i = 1; i <= 4; i++) s.append(i, 0, ['f', 'v'], 0, 2, BIG, 100);
  const out = new RdbOutput(false);
  out.len(1);
  out.bytes(encodeID(1, 0));
  out.bytes(listpackEncode(s.nodes[0].listpackItems()));
  out.len(4);
  out.len(4);
  out.len(0); // last ID 4-0
  out.len(1);
  out.string('g');
  out.len(2);
  out.len(0); // group at 2-0
  out.len(0); // empty PEL
  out.len(0); // no consumers
  const back = readStream(RDB_TYPE_STREAM_LISTPACKS, new RdbInput(out.take()));
  assert.equal(idString(back.firstID), '1-0');
  assert.equal(back.entriesAdded, 4);
  assert.equal(back.group('g')!.entriesRead, INVALID_ENTRIES_READ);
});

test('corrupt stream payloads are RdbErrors', () => {
  const s = new Stream();
  s.append(1, 0, ['f', 'v'], 0, 2, BIG, 100);
  const out = new RdbOutput(false);
  writeStream(out, s);
  const good = out.take();
  const bad = Buffer.from(good);
  bad[bad.length - 5] ^= 0x7f; // inside the bookkeeping lengths
  assert.throws(() => readStream(RDB_TYPE_STREAM_LISTPACKS_2, new RdbInput(bad)), RdbError);
  const lp = listpackEncode(['1', '0', '1', 'f', '0', '2', '0', '0', 'v', '4']); // wrong lp-count
  const o2 = new RdbOutput(false);
  o2.len(1);
  o2.bytes(encodeID(1, 0));
  o2.bytes(lp);
  assert.throws(() => readStream(RDB_TYPE_STREAM_LISTPACKS_2, new RdbInput(o2.take())), RdbError);
  const node = new StreamNode(0, 0, []);
  assert.equal(node.bytes, listpackEncode(node.listpackItems()).length);
  assert.equal(FLAG_DELETED, 1);
});

test('the AOF rewrite form: XADDs, XSETID, groups, pending entries and idle consumers', () => {
  const s = new Stream();
  s.append(1, 1, ['f', 'v'], 0, 2, BIG, 100);
  const g = s.createGroup('g', { ms: 1, seq: 1 }, 1)!;
  const c = g.createConsumer('alice', 5)!;
  g.createConsumer('bob', 6);
  const n = new Nack(1, 1, 1000, 2, c);
  g.pel.insert(n);
  c.pel.insert(n);
  assert.deepEqual(streamAsCommands('k', s), [
    ['XADD', 'k', '1-1', 'f', 'v'],
    ['XSETID', 'k', '1-1', 'ENTRIESADDED', '1', 'MAXDELETEDID', '0-0'],
    ['XGROUP', 'CREATE', 'k', 'g', '1-1', 'ENTRIESREAD', '1'],
    ['XCLAIM', 'k', 'g', 'alice', '0', '1-1', 'TIME', '1000', 'RETRYCOUNT', '2', 'JUSTID', 'FORCE'],
    ['XGROUP', 'CREATECONSUMER', 'k', 'g', 'bob'],
  ]);
  assert.deepEqual(streamAsCommands('e', new Stream())[0], ['XADD', 'e', 'MAXLEN', '0', '0-1', 'x', 'y']);
});
