/**
 * Listpacks kept packed after an RDB load (hashes, sorted sets, quicklist
 * nodes): listpackScan must accept exactly what the decoder accepts, with the
 * same errors, and answer -1 whenever keeping the bytes could hide a
 * duplicate or an unreadable score; a packed value must read as the eagerly
 * decoded one, save back byte for byte, and re-encode once changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listpackDecode, listpackEncode, listpackScan } from '../../src/persist/rdb/listpack.js';
import { readValue, DEFAULT_LIMITS } from '../../src/persist/rdb/value-reader.js';
import { writeValue, valueType } from '../../src/persist/rdb/value-writer.js';
import { RdbInput } from '../../src/persist/rdb/rdb-input.js';
import { RdbOutput } from '../../src/persist/rdb/rdb-output.js';
import { RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, QUICKLIST_NODE_CONTAINER_PACKED } from '../../src/persist/rdb/rdb-format.js';
import { RedisHash } from '../../src/datatypes/hash.js';
import { SortedSet } from '../../src/datatypes/sorted-set.js';
import { List } from '../../src/datatypes/list.js';
import { Rng } from '../differential/generator.js';

function scan(lp: Buffer, pairs = false, scores = false): number {
  return listpackScan(lp, 0, lp.length, pairs, scores);
}

function outcome(f: () => unknown): string {
  try {
    const r = f();
    return `ok ${Array.isArray(r) ? r.length : String(r)}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
}

/** A listpack with one raw entry spliced in: `entry` is encoding + data, the backlen is added. */
function withRawEntries(entries: number[][]): Buffer {
  const body: number[] = [];
  for (const e of entries) {
    assert.ok(e.length <= 127);
    body.push(...e, e.length);
  }
  const total = 6 + body.length + 1;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(total, 0);
  b.writeUInt16LE(entries.length, 4);
  Buffer.from(body).copy(b, 6);
  b[total - 1] = 0xff;
  return b;
}
const str = (s: string): number[] => [0x80 | s.length, ...Buffer.from(s, 'latin1')];

test('listpackScan counts what the decoder decodes and fails where it fails, with the same error', () => {
  const rng = new Rng(20261124);
  const pick = (): string => {
    const r = rng.int(6);
    if (r === 0) return String(rng.int(2 ** 31) - 2 ** 30);
    if (r === 1) return String(rng.int(200) - 100);
    if (r === 2) return 'x'.repeat(rng.int(70));
    if (r === 3) return String.fromCharCode(...Array.from({ length: rng.int(12) }, () => rng.int(256)));
    if (r === 4) return '9223372036854775807';
    return `m${rng.int(1000)}`;
  };
  let failures = 0;
  for (let round = 0; round < 3000; round++) {
    const items = Array.from({ length: rng.int(12) }, pick);
    const lp = Buffer.from(listpackEncode(items));
    assert.equal(scan(lp), items.length);
    // Corrupt it: a flipped byte, or a truncation with the header fixed up.
    const bad = Buffer.from(lp);
    if (rng.int(2) === 0) bad[rng.int(bad.length)] ^= 1 << rng.int(8);
    const cut = rng.int(3) === 0 ? bad.subarray(0, Math.max(1, rng.int(bad.length))) : bad;
    const dec = outcome(() => listpackDecode(cut));
    const sc = outcome(() => listpackScan(cut, 0, cut.length, false, false));
    assert.equal(sc, dec, `items ${JSON.stringify(items)} corrupted to ${cut.toString('hex')}`);
    if (dec.startsWith('error')) failures++;
  }
  assert.ok(failures > 500, `only ${failures} corrupted listpacks were refused`);
});

test('listpackScan with pairs: distinct keys count, a repeated or ambiguous key is -1', () => {
  assert.equal(scan(listpackEncode(['f1', 'v', 'f2', 'v', '7', 'v', '-7', 'v', '', 'v']), true), 10);
  assert.equal(scan(listpackEncode(['f1', 'a', 'f1', 'b']), true), -1);
  assert.equal(scan(listpackEncode(['123456789012', 'a', '5', 'b', '123456789012', 'c']), true), -1);
  // Values may repeat; only even entries are keys.
  assert.equal(scan(listpackEncode(['a', 'same', 'b', 'same']), true), 4);
  // The same integer in two encodings (7-bit and 16-bit): a duplicate.
  assert.equal(scan(withRawEntries([[0x05], str('v'), [0xf1, 0x05, 0x00], str('w')]), true), -1);
  // A key stored as the string "12" (lpAppend would store an integer): only a decode can compare it.
  assert.equal(scan(withRawEntries([str('12'), str('v')]), true), -1);
  assert.equal(scan(withRawEntries([str('12a'), str('v')]), true), 2);
  // Without pairs nothing is a key.
  assert.equal(scan(listpackEncode(['f1', 'a', 'f1', 'b'])), 4);
  // Up to 256 keys are probed; more are left to the decoder.
  const many: string[] = [];
  for (let i = 0; i < 256; i++) many.push(`field:${i}`, String(i));
  assert.equal(scan(listpackEncode(many), true), 512);
  assert.equal(scan(listpackEncode([...many, 'field:17', 'again']), true), -1);
  assert.equal(scan(listpackEncode([...many, 'field:256', 'new']), true), -1);
});

test('listpackScan with scores: a score stored as a string must read as a number', () => {
  for (const s of ['1.5', '-0.25', '1e300', '1.0000000000000001e+300', 'inf', '-inf', '+inf', '3.', '.5', '2E-7']) {
    assert.equal(scan(listpackEncode(['m', s]), true, true), 2, s);
  }
  for (const s of ['nan', 'abc', '1.5x', '', '1e', '--1', ' 1', '0x10', 'infinity']) {
    assert.equal(scan(listpackEncode(['m', s]), true, true), -1, s);
  }
  assert.equal(scan(listpackEncode(['m', '12', 'n', '-3']), true, true), 4);
});

/** readValue of one RDB value: the type byte's payload, as the loader sees it. */
function load(type: number, payload: (o: RdbOutput) => void) {
  const o = new RdbOutput(false);
  payload(o);
  return readValue(type, new RdbInput(o.take()), DEFAULT_LIMITS);
}

function save(v: NonNullable<ReturnType<typeof load>>): Buffer {
  const o = new RdbOutput(false);
  writeValue(o, v, { listMaxListpackSize: -2 });
  return o.take();
}

test('a loaded listpack hash stays packed, reads as decoded, saves byte for byte, re-encodes once changed', () => {
  // Not Reddish's own encoding: "big" as a 64-bit integer where lpAppend picks 32 bits. Saved verbatim anyway.
  const lp = withRawEntries([str('f1'), str('v1'), str('big'), [0xf4, 7, 0, 0, 0, 0, 0, 0, 0]]);
  const h = load(RDB_TYPE_HASH_LISTPACK, (o) => o.bytes(lp)) as RedisHash;
  assert.ok(h instanceof RedisHash);
  assert.equal(h.packedListpack(), lp.toString('latin1'));
  assert.equal(h.size, 2);
  assert.equal(h.encoding(), 'listpack');
  const copy = h.dup();
  const saved = save(h);
  assert.equal(valueType(h), RDB_TYPE_HASH_LISTPACK);
  assert.deepEqual(readValue(RDB_TYPE_HASH_LISTPACK, new RdbInput(saved), DEFAULT_LIMITS), h);
  assert.ok(saved.includes(lp));
  assert.deepEqual([...h.map], [['f1', 'v1'], ['big', '7']]);
  assert.equal(h.packedListpack(), null);
  assert.equal(h.size, 2);
  h.set('f3', 'v3', { maxEntries: 128, maxValue: 64 });
  assert.deepEqual(save(h), save(hashOf([['f1', 'v1'], ['big', '7'], ['f3', 'v3']])));
  // The copy made while packed is untouched by the writes to the original.
  assert.deepEqual([...(copy as RedisHash).map], [['f1', 'v1'], ['big', '7']]);
  // Duplicated fields: refused as before (the scan sends it to the full decode).
  assert.throws(() => load(RDB_TYPE_HASH_LISTPACK, (o) => o.bytes(listpackEncode(['f', '1', 'f', '2']))), /Duplicate hash fields/);
});

function hashOf(pairs: Array<[string, string]>): RedisHash {
  const h = new RedisHash();
  for (const [f, v] of pairs) h.set(f, v, { maxEntries: 128, maxValue: 64 });
  return h;
}

test('a loaded listpack sorted set stays packed and reads as decoded', () => {
  const lp = listpackEncode(['c', '-3', 'a', '1.5', 'b', '2', 'e', '1.0000000000000001e+300', 'd', 'inf']);
  const z = load(RDB_TYPE_ZSET_LISTPACK, (o) => o.bytes(lp)) as SortedSet;
  assert.equal(z.packedListpack(), lp.toString('latin1'));
  assert.equal(z.length, 5);
  assert.ok(save(z).includes(lp));
  assert.equal(z.score('e'), 1e300);
  assert.equal(z.packedListpack(), null);
  assert.deepEqual([...z.entries()].map((n) => [n.member, n.score]), [['c', -3], ['a', 1.5], ['b', 2], ['e', 1e300], ['d', Infinity]]);
  assert.ok(save(z).includes(lp)); // re-encoded from the skiplist: the same bytes
  // An unreadable score is refused as before.
  assert.throws(() => load(RDB_TYPE_ZSET_LISTPACK, (o) => o.bytes(listpackEncode(['m', 'abc']))), /bad score/);
  assert.throws(() => load(RDB_TYPE_ZSET_LISTPACK, (o) => o.bytes(listpackEncode(['m', '1', 'm', '2']))), /duplicate member/);
});

test('a loaded quicklist keeps its nodes packed, drops empty ones, and reads as decoded', () => {
  const a = listpackEncode(['x', '1', 'y']);
  const empty = listpackEncode([]);
  const b = listpackEncode(['-5', 'z'.repeat(100)]);
  const l = load(RDB_TYPE_LIST_QUICKLIST_2, (o) => {
    o.len(3);
    for (const n of [a, empty, b]) {
      o.len(QUICKLIST_NODE_CONTAINER_PACKED);
      o.bytes(n);
    }
  }) as List;
  assert.deepEqual(l.packedNodes(), [a.toString('latin1'), b.toString('latin1')]);
  assert.equal(l.length, 5);
  const saved = save(l);
  assert.ok(saved.includes(a) && saved.includes(b) && !saved.includes(empty));
  const copy = l.dup();
  assert.equal(l.get(4), 'z'.repeat(100));
  assert.equal(l.packedNodes(), null);
  l.pushHead('first');
  assert.deepEqual(l.toArray(), ['first', 'x', '1', 'y', '-5', 'z'.repeat(100)]);
  assert.deepEqual(copy.toArray(), ['x', '1', 'y', '-5', 'z'.repeat(100)]);
});

test('changing a packed value without reading it first drops the packed bytes', () => {
  const l = load(RDB_TYPE_LIST_QUICKLIST_2, (o) => {
    o.len(1);
    o.len(QUICKLIST_NODE_CONTAINER_PACKED);
    o.bytes(listpackEncode(['a', 'b']));
  }) as List;
  l.clear();
  assert.equal(l.packedNodes(), null);
  assert.equal(l.length, 0);
  const z = load(RDB_TYPE_ZSET_LISTPACK, (o) => o.bytes(listpackEncode(['m', '1', 'n', '2.5']))) as SortedSet;
  z.convertToSkiplist();
  assert.equal(z.packedListpack(), null);
  assert.equal(z.encoding(), 'skiplist');
  const again = readValue(valueType(z), new RdbInput(save(z)), DEFAULT_LIMITS) as SortedSet;
  assert.deepEqual([...again.entries()].map((n) => [n.member, n.score]), [['m', 1], ['n', 2.5]]);
});
