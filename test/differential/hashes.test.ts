/**
 * Hash commands compared with Redis 7.0: edge cases in both encodings
 * (thresholds crossed, CONFIG SET forcing conversion), errors, wrong types,
 * then a seeded random command mix.
 *
 * Order: a listpack hash answers in insertion order in both servers, so its
 * HGETALL/HKEYS/HVALS/HSCAN/HRANDFIELD replies are compared byte for byte. A
 * hashtable's order is Redis's dict order, which cannot be matched: those
 * replies are compared sorted (scripts name such keys "big..."; the random mix
 * asks Redis for the encoding first). HRANDFIELD below the hash's size is
 * random: only its shape, and uniqueness for positive counts, are compared.
 *
 * Reproduce a random-mix failure: REDDISH_SEED=<seed> node scripts/run-tests.mjs hashes
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, show, type Pair } from './harness.js';
import { Rng, chooseSeed } from './generator.js';
import { RawClient } from '../support/raw-client.js';
import { decode, type RespValue } from '../../src/protocol/resp-value.js';
import { RedisHash } from '../../src/datatypes/hash.js';
import { hashDigest, hashMemoryUsage } from '../../src/commands/hashes.js';
import { VALUE_DIGESTS, keyValueDigest } from '../../src/observe/digest.js';
import { Database } from '../../src/keyspace/database.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair?.stop();
});

const RESET = [
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'],
  ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
];

function parse(raw: string): RespValue {
  return decode(Buffer.from(raw, 'latin1'), 0)!.value;
}

function canon(v: RespValue): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
}

/** Sorts an order-dependent reply: pairs stay together for HGETALL/HSCAN/WITHVALUES. */
function sortReply(v: RespValue, pairs: boolean): string {
  if (v.type === 'map') return 'map:' + v.value.map(([a, b]) => canon(a) + '=' + canon(b)).sort().join(',');
  if (v.type !== 'array' || v.value === null) return canon(v);
  const items = v.value;
  const out: string[] = [];
  if (pairs && items.every((x) => x.type !== 'array')) {
    for (let i = 0; i < items.length; i += 2) out.push(canon(items[i]) + '=' + canon(items[i + 1]));
  } else {
    for (const x of items) out.push(x.type === 'array' && x.value ? x.value.map(canon).join('=') : canon(x));
  }
  return `array${items.length}:` + out.sort().join(',');
}

const ORDERED = new Set(['HGETALL', 'HKEYS', 'HVALS']);

/** Scripts' normalizer: only keys named big* are hashtable-encoded and compared sorted. */
function normalizeScript(raw: string, cmd: string[]): string {
  const name = cmd[0].toUpperCase();
  if (ORDERED.has(name) && cmd[1]?.startsWith('big')) return sortReply(parse(raw), name === 'HGETALL');
  return raw;
}

const many = (prefix: string, n: number, start = 0) => Array.from({ length: n }, (_, i) => [`${prefix}${i + start}`, `v${i + start}`]).flat();
const V64 = 'x'.repeat(64);
const V65 = 'x'.repeat(65);

const SCRIPTS: Record<string, string[][]> = {
  'basics (listpack, insertion order)': [
    ['HSET', 'h', 'f1', 'v1'], ['HSET', 'h', 'f2', 'v2', 'f3', 'v3'], ['HSET', 'h', 'f1', 'new', 'f4', 'v4'], ['HGETALL', 'h'],
    ['HKEYS', 'h'], ['HVALS', 'h'], ['HLEN', 'h'], ['HGET', 'h', 'f1'], ['HGET', 'h', 'nope'], ['HGET', 'nokey', 'f'],
    ['HMGET', 'h', 'f1', 'nope', 'f3'], ['HMGET', 'nokey', 'a', 'b'], ['HSTRLEN', 'h', 'f1'], ['HSTRLEN', 'h', 'nope'], ['HSTRLEN', 'nokey', 'x'],
    ['HEXISTS', 'h', 'f2'], ['HEXISTS', 'h', 'zz'], ['HEXISTS', 'nokey', 'f'], ['HLEN', 'nokey'], ['HGETALL', 'nokey'], ['HKEYS', 'nokey'], ['HVALS', 'nokey'],
    ['TYPE', 'h'], ['OBJECT', 'ENCODING', 'h'], ['HDEL', 'h', 'f2'], ['HSET', 'h', 'f2', 'again'], ['HGETALL', 'h'],
    ['HDEL', 'h', 'nope', 'f1', 'f1'], ['HDEL', 'nokey', 'a'], ['HDEL', 'h', 'f3', 'f4', 'f2', 'f9'], ['EXISTS', 'h'], ['HGETALL', 'h'],
    ['HMSET', 'm', 'a', '1', 'b', '2'], ['HMSET', 'm', 'a', '3'], ['HGETALL', 'm'], ['HSETNX', 'm', 'a', 'x'], ['HSETNX', 'm', 'c', 'x'], ['HSETNX', 'n', 'f', 'v'],
    ['HGETALL', 'm'], ['HGETALL', 'n'], ['HSET', 'e', '', ''], ['HGET', 'e', ''], ['HSTRLEN', 'e', ''], ['HGETALL', 'e'],
    ['HSET', 'bin', '\x00\xff\r\n', '\x01\x02'], ['HGETALL', 'bin'], ['HSET', 'ints', '1', '2', '-5', '100000', '9223372036854775807', '01'], ['HGETALL', 'ints'],
    ['HSET', 'h2', 'a', '1', 'a', '2', 'a', '3'], ['HGETALL', 'h2'], ['HLEN', 'h2'],
  ],
  'arity and wrong type': [
    ['HSET', 'h'], ['HSET', 'h', 'f'], ['HSET', 'h', 'f', 'v', 'g'], ['HMSET', 'h', 'f'], ['HMSET', 'h', 'f', 'v', 'x'], ['HGET', 'h'], ['HDEL', 'h'],
    ['HSETNX', 'h', 'f'], ['HINCRBY', 'h', 'f'], ['HMGET', 'h'], ['HSCAN', 'h'], ['HRANDFIELD'], ['HGETALL'], ['HLEN', 'a', 'b'], ['EXISTS', 'h'],
    ['SET', 's', 'x'], ['HSET', 's', 'f', 'v'], ['HSET', 's', 'f'], ['HMSET', 's', 'f', 'v'], ['HSETNX', 's', 'f', 'v'], ['HGET', 's', 'f'], ['HMGET', 's', 'f'],
    ['HDEL', 's', 'f'], ['HLEN', 's'], ['HSTRLEN', 's', 'f'], ['HEXISTS', 's', 'f'], ['HKEYS', 's'], ['HVALS', 's'], ['HGETALL', 's'],
    ['HINCRBY', 's', 'f', '1'], ['HINCRBY', 's', 'f', 'x'], ['HINCRBYFLOAT', 's', 'f', '1'], ['HINCRBYFLOAT', 's', 'f', 'x'], ['HRANDFIELD', 's'],
    ['HRANDFIELD', 's', '1'], ['HRANDFIELD', 's', 'x'], ['HRANDFIELD', 's', '1', 'foo'], ['HSCAN', 's', '0'], ['HSCAN', 's', 'x'], ['HSCAN', 's', '0', 'COUNT', 'x'],
    ['GET', 's'], ['HSET', 'h', 'f', 'v'], ['GET', 'h'], ['INCR', 'h'], ['TYPE', 'h'],
  ],
  'HINCRBY': [
    ['HINCRBY', 'h', 'n', '5'], ['HINCRBY', 'h', 'n', '-10'], ['HGET', 'h', 'n'], ['HINCRBY', 'new', 'f', '0'], ['HGETALL', 'new'],
    ['HINCRBY', 'h', 'n', 'x'], ['HINCRBY', 'h', 'n', '1.5'], ['HINCRBY', 'h', 'n', ''], ['HINCRBY', 'h', 'n', '9223372036854775808'],
    ['HSET', 'h', 'big', '9223372036854775806'], ['HINCRBY', 'h', 'big', '1'], ['HINCRBY', 'h', 'big', '1'], ['HGET', 'h', 'big'],
    ['HSET', 'h', 'small', '-9223372036854775807'], ['HINCRBY', 'h', 'small', '-1'], ['HINCRBY', 'h', 'small', '-1'],
    ['HINCRBY', 'h', 'small', '9223372036854775807'], ['HINCRBY', 'h', 'small', '-9223372036854775808'],
    ['HSET', 'h', 's', 'abc', 'f', '1.5', 'sp', ' 1', 'z', '01', 'neg0', '-0', 'e', ''], ['HINCRBY', 'h', 's', '1'], ['HINCRBY', 'h', 'f', '1'],
    ['HINCRBY', 'h', 'sp', '1'], ['HINCRBY', 'h', 'z', '1'], ['HINCRBY', 'h', 'neg0', '1'], ['HINCRBY', 'h', 'e', '1'], ['HGETALL', 'h'],
    ['HSET', 'h', 'p', '9007199254740993'], ['HINCRBY', 'h', 'p', '9007199254740993'], ['HGETALL', 'h'], ['OBJECT', 'ENCODING', 'h'],
  ],
  'HINCRBYFLOAT': [
    ['HINCRBYFLOAT', 'bigf', 'f', '10.5'], ['HINCRBYFLOAT', 'bigf', 'f', '0.1'], ['HINCRBYFLOAT', 'bigf', 'f', '-5'], ['HINCRBYFLOAT', 'bigf', 'g', '3.0e3'],
    ['HINCRBYFLOAT', 'bigf', 'g', '1e-5'], ['HINCRBYFLOAT', 'bigf', 'f', 'abc'], ['HINCRBYFLOAT', 'bigf', 'f', 'inf'], ['HINCRBYFLOAT', 'bigf', 'f', '-inf'],
    ['HINCRBYFLOAT', 'bigf', 'f', 'nan'], ['HINCRBYFLOAT', 'bigf', 'f', ''], ['HINCRBYFLOAT', 'bigf', 'f', ' 1'], ['HINCRBYFLOAT', 'bigf', 'f', '1e5000'],
    ['HSET', 'bigf', 'i', 'inf', 's', 'abc', 'big', '1e5000', 'int', '9223372036854775807', 'x', '1.7976931348623157e308'],
    ['HINCRBYFLOAT', 'bigf', 'i', '1'], ['HINCRBYFLOAT', 'bigf', 's', '1'], ['HINCRBYFLOAT', 'bigf', 'big', '1'], ['HINCRBYFLOAT', 'bigf', 'int', '1'],
    ['HINCRBYFLOAT', 'bigf', 'x', '1.7976931348623157e308'], ['HINCRBYFLOAT', 'bigf', 'x', '1e4000'], ['HINCRBYFLOAT', 'bigf', 'x', '1'],
    ['HINCRBYFLOAT', 'bigf', 'z', '0.333333333333333333'], ['HINCRBYFLOAT', 'bigf', 'z', '-0.333333333333333333'], ['HINCRBYFLOAT', 'bigf', 'y', '-0'],
    ['HINCRBYFLOAT', 'bigf', 'w', '1e-4000'], ['HINCRBYFLOAT', 'bigf', 'w', '1e4000'], ['HINCRBYFLOAT', 'bigf', 'w', '-1e4000'],
    ['HINCRBYFLOAT', 'bigf', 'hx', '0x10'], ['HINCRBYFLOAT', 'bigf', 'tiny', '1e-4940'], ['HINCRBYFLOAT', 'bigf', 'tiny', '1e4930'],
    ['HINCRBYFLOAT', 'bigf', 'e', '5.'], ['HINCRBYFLOAT', 'bigf', 'e', '.5'], ['HGETALL', 'bigf'], ['HINCRBYFLOAT', 'new', 'f', '1.5'], ['HGETALL', 'new'],
  ],
  'encoding by value length': [
    ['HSET', 'a', 'f', V64], ['OBJECT', 'ENCODING', 'a'], ['HSET', 'a', V64, 'v'], ['OBJECT', 'ENCODING', 'a'], ['HGETALL', 'a'],
    ['HSET', 'big1', 'f', V65], ['OBJECT', 'ENCODING', 'big1'], ['HSET', 'big2', V65, 'v'], ['OBJECT', 'ENCODING', 'big2'],
    ['HSET', 'big3', 'a', '1'], ['HSETNX', 'big3', 'b', V65], ['OBJECT', 'ENCODING', 'big3'],
    ['HSET', 'c', 'a', '1'], ['HSETNX', 'c', 'a', V65], ['OBJECT', 'ENCODING', 'c'],
    ['HSET', 'big4', 'a', '1', 'b', '2', 'c', V65], ['HDEL', 'big4', 'c'], ['OBJECT', 'ENCODING', 'big4'], ['HGETALL', 'big4'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '3'], ['HSET', 'd', 'abc', '123'], ['OBJECT', 'ENCODING', 'd'], ['HINCRBY', 'd', 'abc', '1000'],
    ['OBJECT', 'ENCODING', 'd'], ['HSET', 'big5', 'n', '999'], ['HINCRBYFLOAT', 'big5', 'n', '0.5'], ['OBJECT', 'ENCODING', 'big5'],
    ['HSET', 'big6', 'n', '1'], ['HINCRBY', 'big6', 'long', '1'], ['OBJECT', 'ENCODING', 'big6'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '0'], ['HSET', 'e', '', ''], ['OBJECT', 'ENCODING', 'e'], ['HSET', 'big7', 'a', ''], ['OBJECT', 'ENCODING', 'big7'],
    ...RESET,
  ],
  'encoding by entry count': [
    ['HSET', 'big', ...many('f', 512)], ['OBJECT', 'ENCODING', 'big'], ['HLEN', 'big'], ['HSET', 'big', 'f0', 'x'], ['OBJECT', 'ENCODING', 'big'],
    ['HSET', 'big', 'extra', 'x'], ['OBJECT', 'ENCODING', 'big'], ['HLEN', 'big'], ['HDEL', 'big', ...many('f', 500).filter((_, i) => i % 2 === 0)],
    ['OBJECT', 'ENCODING', 'big'], ['HGETALL', 'big'], ['HKEYS', 'big'], ['HVALS', 'big'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '4'], ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4'], ['OBJECT', 'ENCODING', 'h'],
    ['HSETNX', 'big2', 'a', '1'], ['HSET', 'big2', 'b', '1', 'c', '1', 'd', '1'], ['HSETNX', 'big2', 'e', '1'], ['OBJECT', 'ENCODING', 'big2'],
    ['HDEL', 'big2', 'a', 'b', 'c'], ['OBJECT', 'ENCODING', 'big2'], ['HGETALL', 'big2'],
    ['HINCRBY', 'h', 'e', '1'], ['OBJECT', 'ENCODING', 'h'], ['HLEN', 'h'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'], ['HSET', 'big3', 'a', '1'], ['OBJECT', 'ENCODING', 'big3'],
    ['CONFIG', 'SET', 'hash-max-ziplist-entries', '2'], ['HSET', 'big4', 'a', '1', 'b', '2', 'c', '3'], ['OBJECT', 'ENCODING', 'big4'],
    ...RESET,
    ['COPY', 'big', 'bigcopy'], ['OBJECT', 'ENCODING', 'bigcopy'], ['HGETALL', 'bigcopy'], ['HSET', 'h2', 'x', '1', 'y', '2'], ['COPY', 'h2', 'h3'],
    ['OBJECT', 'ENCODING', 'h3'], ['HSET', 'h3', 'z', '3'], ['HGETALL', 'h2'], ['HGETALL', 'h3'], ['RENAME', 'h3', 'h4'], ['HGETALL', 'h4'],
  ],
  'HRANDFIELD': [
    ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '5'], ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'], ['HRANDFIELD', 'nokey', 'x'],
    ['HRANDFIELD', 'nokey', '5', 'foo'], ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'], ['HRANDFIELD', 'h', '0'], ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '3'], ['HRANDFIELD', 'h', '10'], ['HRANDFIELD', 'h', '3', 'WITHVALUES'], ['HRANDFIELD', 'h', '100', 'withvalues'],
    ['HRANDFIELD', 'h', '9223372036854775807'], ['HRANDFIELD', 'h', '-9223372036854775808'], ['HRANDFIELD', 'h', '-9223372036854775807', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES'], ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'], ['HRANDFIELD', 'h', '1', 'WITHVALUES', 'x'], ['HRANDFIELD', 'h', '1', 'WITHSCORES'],
    ['HRANDFIELD', 'h', '1.5'], ['HSET', 'one', 'f', 'v'], ['HRANDFIELD', 'one'], ['HRANDFIELD', 'one', '-3'], ['HRANDFIELD', 'one', '-3', 'WITHVALUES'],
    ['HRANDFIELD', 'one', '1', 'WITHVALUES'], ['HRANDFIELD', 'one', '2'],
  ],
  'HSCAN': [
    ['HSCAN', 'nokey', '0'], ['HSCAN', 'nokey', '0', 'COUNT', '0'], ['HSCAN', 'nokey', 'x'], ['HSET', 'h', 'a1', '1', 'b1', '2', 'a2', '3', 'c', '4'],
    ['HSCAN', 'h', '0'], ['HSCAN', 'h', '0', 'COUNT', '1'], ['HSCAN', 'h', '0', 'MATCH', 'a*'], ['HSCAN', 'h', '0', 'match', '*'], ['HSCAN', 'h', '0', 'MATCH', 'zz'],
    ['HSCAN', 'h', '0', 'MATCH', 'a*', 'COUNT', '100'], ['HSCAN', 'h', '123'], ['HSCAN', 'h', '-1'], ['HSCAN', 'h', '18446744073709551616'], ['HSCAN', 'h', ' 0'],
    ['HSCAN', 'h', '0', 'COUNT'], ['HSCAN', 'h', '0', 'COUNT', '0'], ['HSCAN', 'h', '0', 'COUNT', '-1'], ['HSCAN', 'h', '0', 'COUNT', 'x'],
    ['HSCAN', 'h', '0', 'TYPE', 'hash'], ['HSCAN', 'h', '0', 'FOO', 'bar'], ['HSCAN', 'h', '0', 'MATCH'], ['HSCAN', 'h', ''],
  ],
  'keyspace interplay': [
    ['HSET', 'h', 'f', 'v'], ['EXPIRE', 'h', '1000'], ['HSET', 'h', 'g', 'w'], ['TTL', 'h'], ['HINCRBY', 'h', 'n', '1'], ['TTL', 'h'],
    ['HINCRBYFLOAT', 'h', 'n', '1.5'], ['TTL', 'h'], ['HDEL', 'h', 'f', 'g', 'n'], ['TTL', 'h'], ['EXISTS', 'h'],
    ['HSET', 'h', 'a', '1'], ['DEL', 'h'], ['HGET', 'h', 'a'], ['HSET', 'h', 'a', '1'], ['RENAME', 'h', 'h2'], ['HGETALL', 'h2'],
    ['SORT', 'l', 'BY', 'nosort', 'GET', 'h2->a'],
  ],
};

test('hash commands match Redis 7.0 byte for byte (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS, { normalize: normalizeScript });
  assert.equal(d.length, 0, formatDivergences(d));
});

async function q(c: RawClient, ...args: string[]): Promise<{ raw: string; value: RespValue }> {
  c.write(RawClient.encode(args));
  return c.readReply();
}

/** Collects every field/value a full HSCAN iteration returns (deduplicated). */
async function fullScan(c: RawClient, key: string, count: string): Promise<{ pairs: Map<string, string>; calls: number }> {
  const pairs = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  do {
    const { value } = await q(c, 'HSCAN', key, cursor, 'COUNT', count);
    if (value.type !== 'array' || value.value === null) throw new Error(`HSCAN: ${canon(value)}`);
    const [cur, items] = value.value;
    cursor = (cur as { value: string }).value;
    const arr = (items as { value: RespValue[] }).value;
    for (let i = 0; i < arr.length; i += 2) pairs.set((arr[i] as { value: string }).value, (arr[i + 1] as { value: string }).value);
    if (++calls > 100000) throw new Error('HSCAN does not end');
  } while (cursor !== '0');
  return { pairs, calls };
}

test('HSCAN over a hashtable returns every field present throughout, and ends', async () => {
  const c = pair.reddishClient;
  await c.call('FLUSHALL');
  await c.call('HSET', 'big', ...many('f', 2000));
  const { pairs, calls } = await fullScan(c, 'big', '7');
  assert.equal(pairs.size, 2000);
  assert.ok(calls > 100, `expected many calls, got ${calls}`);
  // Mutate during the scan: fields present throughout are still all seen.
  let cursor = '0';
  const seen = new Set<string>();
  let i = 0;
  do {
    const { value } = await q(c, 'HSCAN', 'big', cursor, 'COUNT', '13');
    const [cur, items] = (value as { value: RespValue[] }).value;
    cursor = (cur as { value: string }).value;
    const arr = (items as { value: RespValue[] }).value;
    for (let j = 0; j < arr.length; j += 2) seen.add((arr[j] as { value: string }).value);
    // delete some odd fields, add new ones
    await c.call('HDEL', 'big', `f${2 * i + 1}`);
    await c.call('HSET', 'big', `new${i}`, 'x', `new${i}b`, 'y');
    i++;
  } while (cursor !== '0');
  for (let k = 0; k < 2000; k += 2) assert.ok(seen.has(`f${k}`), `f${k} missing`);
  const r = await fullScan(c, 'big', '1000');
  const hlen = (await q(c, 'HLEN', 'big')).value;
  assert.equal(hlen.type, 'integer');
  assert.equal(BigInt(r.pairs.size), (hlen as { value: bigint }).value);
});

test('hashDigest and hashMemoryUsage agree with Redis (DEBUG DIGEST-VALUE, MEMORY USAGE)', async () => {
  VALUE_DIGESTS.hash = hashDigest;
  const c = pair.redisClient;
  await c.call('HELLO', '2');
  await c.call('FLUSHALL');
  const db = new Database(0);
  const cases: Array<[string, string[]]> = [
    ['small', ['a', '1', 'b', 'hello', 'c', '', '-7', '100000', 'x'.repeat(63), 'long value '.repeat(5)]],
    ['ints', ['1', '2', '300', '-70000', '9000000000', '12345678', '4095', '-4096']],
    ['big', many('field', 600)],
    ['bigv', ['f', 'x'.repeat(100), 'g', 'y'.repeat(40)]],
  ];
  const lim = { maxEntries: 512, maxValue: 64 };
  for (const [key, args] of cases) {
    await c.call('HSET', key, ...args);
    const h = new RedisHash();
    for (let i = 0; i < args.length; i += 2) h.set(args[i], args[i + 1], lim);
    h.tryConversion(args, 0, args.length - 1, lim);
    const want = (await q(c, 'DEBUG', 'DIGEST-VALUE', key)).value as { value: RespValue[] };
    db.keys.set(key, { value: h, lru: 0, snap: 0 });
    assert.equal(keyValueDigest(db, key), (want.value[0] as { value: string }).value, `digest of ${key}`);
    const enc = ((await q(c, 'OBJECT', 'ENCODING', key)).value as { value: string }).value;
    assert.equal(h.encoding(), enc, `encoding of ${key}`);
    const mem = Number(((await q(c, 'MEMORY', 'USAGE', key)).value as { value: bigint }).value);
    const ours = hashMemoryUsage(h, 5) + 8 + 24 /* key sds (short: 3+len+1 <= 8) and dictEntry */;
    if (h.isListpack()) assert.equal(ours, mem, `MEMORY USAGE of ${key}`);
    else assert.ok(Math.abs(ours - mem) / mem < 0.15, `MEMORY USAGE of ${key}: ours ${ours}, redis ${mem}`);
  }
});

// ---- seeded random mix --------------------------------------------------------

const HKEYS_ = ['h0', 'h1', 'h2', 'h3', 's0'];
const FIELDS = ['a', 'b', 'c', 'd', 'e', 'f', 'n', 'x', '', 'long', '1', '2'];
const VALUES = ['1', '0', '-1', 'v', '', 'hello', '1.5', '10.5', '9223372036854775807', '-9223372036854775808', 'abc', '3.0e3', 'inf'];
const INCRS = ['1', '-1', '5', '100', '9223372036854775807', '-9223372036854775808', 'x', '1.5', ''];
const FINCRS = ['0.1', '-0.3', '1.5', '1e-5', '10', '3.0e3', '-1e10', 'abc', 'inf', '1e5000', '.5'];

function field(r: Rng): string {
  return r.chance(0.05) ? 'x'.repeat(r.range(30, 80)) : r.pick(FIELDS);
}
function value(r: Rng): string {
  return r.chance(0.05) ? 'v'.repeat(r.range(30, 80)) : r.pick(VALUES);
}

function genHash(r: Rng): string[] {
  const key = r.pick(HKEYS_);
  return r.weighted<() => string[]>([
    [() => ['HSET', key, ...Array.from({ length: r.range(1, 4) }, () => [field(r), value(r)]).flat(), ...(r.chance(0.03) ? ['odd'] : [])], 10],
    [() => ['HMSET', key, field(r), value(r)], 2],
    [() => ['HSETNX', key, field(r), value(r)], 3],
    [() => ['HGET', key, field(r)], 5],
    [() => ['HMGET', key, ...Array.from({ length: r.range(1, 4) }, () => field(r))], 3],
    [() => ['HDEL', key, ...Array.from({ length: r.range(1, 3) }, () => field(r))], 5],
    [() => ['HLEN', key], 2],
    [() => ['HSTRLEN', key, field(r)], 2],
    [() => ['HEXISTS', key, field(r)], 2],
    [() => ['HGETALL', key], 3],
    [() => ['HKEYS', key], 2],
    [() => ['HVALS', key], 2],
    [() => ['HINCRBY', key, field(r), r.pick(INCRS)], 4],
    [() => ['HINCRBYFLOAT', key, field(r), r.pick(FINCRS)], 4],
    [() => ['HRANDFIELD', key, ...(r.chance(0.3) ? [] : [String(r.range(-8, 8)), ...(r.chance(0.5) ? ['WITHVALUES'] : [])])], 3],
    [() => ['HSCAN', key, '0', ...(r.chance(0.3) ? ['MATCH', r.pick(['*', 'a*', '?', '[a-c]', 'x*'])] : [])], 2],
    [() => ['SET', 's0', 'str'], 0.5],
    [() => ['DEL', key], 0.5],
    [() => ['OBJECT', 'ENCODING', key], 1],
    [() => ['CONFIG', 'SET', 'hash-max-listpack-entries', String(r.pick([2, 4, 8, 512]))], 0.3],
    [() => ['CONFIG', 'SET', 'hash-max-listpack-value', String(r.pick([4, 16, 64]))], 0.3],
  ])();
}

/** Reply shape without bulk contents: for random HRANDFIELD picks. */
function shape(v: RespValue): string {
  if (v.type === 'array' && v.value) return `[${v.value.map(shape).join(',')}]`;
  if (v.type === 'bulk') return 'b';
  return canon(v);
}

test('seeded random hash command mix matches Redis 7.0', async () => {
  const seed = chooseSeed();
  const N = Number(process.env.REDDISH_RANDOM_N ?? 3000);
  const a = pair.redisClient;
  const b = pair.reddishClient;
  const diffs: string[] = [];
  for (const resp of ['2', '3']) {
    const r = new Rng(seed + Number(resp));
    for (const c of [a, b]) {
      await c.call('HELLO', resp);
      await c.call('FLUSHALL');
      for (const cmd of RESET) await c.call(...cmd);
    }
    for (let i = 0; i < N && diffs.length < 10; i++) {
      const cmd = genHash(r);
      const name = cmd[0];
      let enc = '';
      let size = 0;
      if (ORDERED.has(name) || name === 'HSCAN' || name === 'HRANDFIELD') {
        const [ea, eb] = await Promise.all([q(a, 'OBJECT', 'ENCODING', cmd[1]), q(b, 'OBJECT', 'ENCODING', cmd[1])]);
        if (ea.raw !== eb.raw) diffs.push(`[RESP${resp}] encoding of ${cmd[1]} before ${JSON.stringify(cmd)}: redis ${show(ea.raw)} reddish ${show(eb.raw)}`);
        enc = ea.value.type === 'bulk' ? ea.value.value : '';
        const l = await q(a, 'HLEN', cmd[1]);
        size = l.value.type === 'integer' ? Number(l.value.value) : 0;
      }
      const [ra, rb] = await Promise.all([q(a, ...cmd), q(b, ...cmd)]);
      let na = ra.raw;
      let nb = rb.raw;
      if (name === 'HRANDFIELD' && cmd.length >= 3 && ra.value.type === 'array') {
        const n = Number(cmd[2]);
        if (n < 0 || n < size) {
          na = shape(ra.value);
          nb = shape(rb.value);
          if (n > 0 && rb.value.type === 'array' && rb.value.value) {
            const items = rb.value.value.map((x) => (x.type === 'array' ? canon(x.value![0]) : canon(x)));
            const fieldsOnly = cmd.length === 4 && resp === '2' ? items.filter((_, k) => k % 2 === 0) : items;
            if (new Set(fieldsOnly).size !== fieldsOnly.length) diffs.push(`[RESP${resp}] HRANDFIELD repeated a field: ${show(rb.raw)}`);
          }
        } else if (enc === 'hashtable') {
          na = sortReply(ra.value, cmd.length === 4);
          nb = sortReply(rb.value, cmd.length === 4);
        }
      } else if (name === 'HRANDFIELD' && ra.value.type === 'bulk') {
        na = shape(ra.value);
        nb = shape(rb.value);
      } else if (enc === 'hashtable' && ORDERED.has(name)) {
        na = sortReply(ra.value, name === 'HGETALL');
        nb = sortReply(rb.value, name === 'HGETALL');
      } else if (enc === 'hashtable' && name === 'HSCAN' && ra.value.type === 'array') {
        // Cursors differ: compare complete iterations instead.
        const [fa, fb] = await Promise.all([fullScan(a, cmd[1], '10'), fullScan(b, cmd[1], '10')]);
        na = [...fa.pairs].sort().join(',');
        nb = [...fb.pairs].sort().join(',');
      }
      if (na !== nb) diffs.push(`[RESP${resp} seed ${seed} #${i}] ${JSON.stringify(cmd)}\n   redis:   ${show(ra.raw)}\n   reddish: ${show(rb.raw)}`);
    }
    // Whole dataset: every hash's contents.
    for (const k of HKEYS_) {
      const [ga, gb] = await Promise.all([q(a, 'HGETALL', k), q(b, 'HGETALL', k)]);
      const x = ga.value.type === 'error' ? ga.raw : sortReply(ga.value, true);
      const y = gb.value.type === 'error' ? gb.raw : sortReply(gb.value, true);
      if (x !== y) diffs.push(`[RESP${resp} seed ${seed}] final HGETALL ${k}: redis ${show(ga.raw)} reddish ${show(gb.raw)}`);
    }
  }
  for (const c of [a, b]) for (const cmd of RESET) await c.call(...cmd);
  assert.equal(diffs.length, 0, `seed ${seed}\n` + diffs.join('\n'));
});
