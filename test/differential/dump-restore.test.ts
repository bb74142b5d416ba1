/**
 * DUMP, RESTORE and MIGRATE against Redis 7.0:
 * - scripts compared byte for byte: DUMP payloads of every encoding whose
 *   byte order is deterministic, RESTORE's options, TTLs and errors, the
 *   encodings a RESTORE picks under the config limits, keyspace events;
 * - payloads crossing servers: DUMP in Redis → RESTORE in Reddish and the
 *   reverse, for every type and encoding, with TTLs, the restored value
 *   compared with the original (contents, encoding, TTL);
 * - MIGRATE run from a Redis source and from a Reddish source against the
 *   same targets (a Redis and a Reddish, open or with a password), the
 *   replies and the state of source and target compared, including the
 *   target's errors, an unreachable port, a target that never answers and
 *   one that hangs up;
 * - in process: what RESTORE and MIGRATE propagate, a key written while its
 *   MIGRATE is in flight, and pipelined commands after a parked MIGRATE.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { freePort } from '../support/free-port.js';
import { toPlain } from '../../src/protocol/resp-value.js';
import { Crc64 } from '../../src/persist/rdb/crc64.js';
import type { Client } from '../../src/net/client.js';
import { inProcessServer } from '../support/in-process.js';

let pair: Pair;
/** MIGRATE targets: open, and with requirepass. */
let targets: { redis: RunningServer; reddish: RunningServer; redisAuth: RunningServer; reddishAuth: RunningServer };
before(async () => {
  pair = await startPair();
  const [redis, reddish, redisAuth, reddishAuth] = await Promise.all([
    startServer('redis'), startServer('reddish'),
    startServer('redis', ['--requirepass', 'secret']), startServer('reddish', ['--requirepass', 'secret']),
  ]);
  targets = { redis, reddish, redisAuth, reddishAuth };
});
after(async () => {
  await pair?.stop();
  if (targets) await Promise.all(Object.values(targets).map((s) => s.stop()));
});

// ---- helpers ----------------------------------------------------------------

async function cmd(c: RawClient, ...args: string[]): Promise<unknown> {
  c.write(RawClient.encode(args));
  return toPlain((await c.readReply()).value);
}

/** A payload around `body`, with the version and CRC64 footer. */
function payload(body: number[] | Buffer, version = 10): string {
  const b = Buffer.concat([Buffer.from(body), Buffer.from([version & 0xff, version >> 8])]);
  return Buffer.concat([b, new Crc64().update(b).bytes()]).toString('latin1');
}

/** A deterministic pseudo-random latin1 string (incompressible). */
function noise(n: number, seed = 7): string {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += String.fromCharCode((x >> 16) & 0xff);
  }
  return s;
}

const range = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

/**
 * One value of every type and encoding, as the commands that build it
 * (key `k`). `ordered`: its DUMP bytes do not depend on hash-table order, so
 * they can be compared with Redis's byte for byte. Two known differences of
 * the RDB writer (src/persist/rdb, not DUMP's own) are marked and tested
 * apart: `compressed`, the payload holds an LZF blob, and lzf.ts compresses
 * validly but not with lzf_c.c's exact choices; `nodes`, a list of several
 * quicklist nodes, which value-writer.ts cuts by an estimate of Redis's fill.
 */
const VALUES: Array<{ name: string; build: string[][]; ordered: boolean; compressed?: boolean; nodes?: boolean }> = [
  { name: 'string int', build: [['SET', 'k', '12345']], ordered: true },
  { name: 'string negative int', build: [['SET', 'k', '-42']], ordered: true },
  { name: 'string int64', build: [['SET', 'k', '9223372036854775807']], ordered: true },
  { name: 'string not canonical', build: [['SET', 'k', '007']], ordered: true },
  { name: 'string short', build: [['SET', 'k', 'hello']], ordered: true },
  { name: 'string empty', build: [['SET', 'k', '']], ordered: true },
  { name: 'string embstr', build: [['SET', 'k', 'y'.repeat(44)]], ordered: true, compressed: true },
  { name: 'string raw', build: [['SET', 'k', 'x'.repeat(45)]], ordered: true, compressed: true },
  { name: 'string LZF', build: [['SET', 'k', 'abc'.repeat(300)]], ordered: true, compressed: true },
  { name: 'string incompressible', build: [['SET', 'k', noise(500)]], ordered: true },
  { name: 'string binary', build: [['SET', 'k', '\x00\xff\r\n\x80bin']], ordered: true },
  { name: 'string edited in place', build: [['SET', 'k', 'abc'], ['APPEND', 'k', 'def'], ['SETRANGE', 'k', '20', 'z']], ordered: true, compressed: true },
  { name: 'list small', build: [['RPUSH', 'k', 'a', 'b', '1', '-2', '300000', 'x'.repeat(70)]], ordered: true },
  { name: 'list several nodes', build: [['RPUSH', 'k', ...range(3000, (i) => (i % 3 === 0 ? String(i) : `item:${i}`))]], ordered: true, nodes: true },
  { name: 'list big element', build: [['RPUSH', 'k', 'a', 'b'.repeat(20000), 'c']], ordered: true, compressed: true },
  { name: 'hash listpack', build: [['HSET', 'k', 'f1', 'v1', 'n', '17', 'e', '']], ordered: true },
  { name: 'hash hashtable (entries)', build: [['HSET', 'k', ...range(400, (i) => (i % 2 ? `v${i}` : `f${i}`))]], ordered: false },
  { name: 'hash hashtable (value)', build: [['HSET', 'k', 'f', 'v'.repeat(100), 'g', '1']], ordered: false },
  { name: 'set intset', build: [['SADD', 'k', '3', '1', '-5', '70000', '5000000000']], ordered: true, compressed: true },
  { name: 'set hashtable', build: [['SADD', 'k', 'a', 'b', 'c', '1']], ordered: false },
  { name: 'set big intset → hashtable', build: [['SADD', 'k', ...range(600, (i) => String(i * 3))]], ordered: false },
  { name: 'zset listpack', build: [['ZADD', 'k', '1', 'a', '1.5', 'b', '-inf', 'c', '+inf', 'd', '-0.25', 'e', '100', 'f']], ordered: true },
  { name: 'zset skiplist (entries)', build: [['ZADD', 'k', ...range(400, (i) => (i % 2 ? `m${i}` : String(i / 7)))]], ordered: true },
  { name: 'zset skiplist (value)', build: [['ZADD', 'k', '1', 'm'.repeat(80), '2', 'b']], ordered: true, compressed: true },
];

/** Everything observable about a key: type, encoding, contents (unordered ones sorted), TTL to the second. */
async function describe(c: RawClient, key: string): Promise<string> {
  const type = (await cmd(c, 'TYPE', key)) as string;
  const enc = await cmd(c, 'OBJECT', 'ENCODING', key);
  const pttl = Number(await cmd(c, 'PTTL', key));
  let content: unknown;
  switch (type) {
    case 'string': content = await cmd(c, 'GET', key); break;
    case 'list': content = await cmd(c, 'LRANGE', key, '0', '-1'); break;
    case 'set': content = ((await cmd(c, 'SMEMBERS', key)) as string[]).sort(); break;
    case 'hash': {
      const kv = (await cmd(c, 'HGETALL', key)) as string[];
      const pairs: string[] = [];
      for (let i = 0; i < kv.length; i += 2) pairs.push(`${kv[i]}=${kv[i + 1]}`);
      content = pairs.sort();
      break;
    }
    case 'zset': content = await cmd(c, 'ZRANGE', key, '0', '-1', 'WITHSCORES'); break;
    default: content = null;
  }
  const ttl = pttl < 0 ? pttl : Math.round(pttl / 1000);
  return JSON.stringify({ type, enc, ttl, content });
}

// ---- scripts compared byte for byte -------------------------------------------

test('DUMP payloads are byte-identical for every order-independent encoding', async () => {
  const scripts: Record<string, string[][]> = {};
  for (const v of VALUES) {
    if (!v.ordered || v.nodes) continue;
    const dump: string[][] = [...v.build, ['OBJECT', 'ENCODING', 'k']];
    // LZF output is compared apart (see VALUES); without compression every byte must agree.
    if (v.compressed) dump.push(['CONFIG', 'SET', 'rdbcompression', 'no'], ['DUMP', 'k'], ['CONFIG', 'SET', 'rdbcompression', 'yes']);
    else dump.push(['DUMP', 'k']);
    scripts[`DUMP ${v.name}`] = dump;
  }
  scripts['DUMP missing, arity'] = [['DUMP', 'nope'], ['DUMP'], ['DUMP', 'a', 'b']];
  scripts['DUMP list with list-max-listpack-size 5'] = [
    ['CONFIG', 'SET', 'list-max-listpack-size', '5'], ['RPUSH', 'l', ...range(23, String)], ['DUMP', 'l'],
    ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
  ];
  const d = await runScripts(pair, scripts);
  assert.equal(d.length, 0, formatDivergences(d));
});

test('DUMP payloads with LZF blobs and multi-node lists, byte for byte', async () => {
  const scripts: Record<string, string[][]> = {};
  for (const v of VALUES) if (v.compressed || v.nodes) scripts[`DUMP ${v.name}`] = [...v.build, ['DUMP', 'k']];
  // rdb.c loads a listpack hash payload keeping its encoding whatever hash-max-listpack-value says (value-reader.ts converts).
  const r = pair.redisClient;
  await cmd(r, 'HELLO', '2');
  await cmd(r, 'FLUSHALL');
  await cmd(r, 'HSET', 'h', 'a', 'x'.repeat(10));
  const H = (await cmd(r, 'DUMP', 'h')) as string;
  scripts['listpack hash payload under a lower hash-max-listpack-value'] = [
    ['CONFIG', 'SET', 'hash-max-listpack-value', '5'], ['RESTORE', 'h', '0', H], ['OBJECT', 'ENCODING', 'h'],
    ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
  ];
  const d = await runScripts(pair, scripts, { resp: [2] });
  assert.equal(d.length, 0, formatDivergences(d, 4));
});

const FUTURE_MS = '4102444800123'; // 2100-01-01

/**
 * OBJECT IDLETIME can tick between the two servers: the script's idle times
 * are multiples of 5, compared in 5-second steps. PTTL to the second.
 */
function normalize(raw: string, c: string[]): string {
  const name = c.map((x) => x.toUpperCase()).join(' ');
  if (name.startsWith('OBJECT IDLETIME') && /^:\d+\r\n$/.test(raw)) return ':~' + Math.floor(Number(raw.slice(1, -2)) / 5);
  if (name.startsWith('PTTL') && /^:\d{4,}\r\n$/.test(raw)) return ':' + Math.round(Number(raw.slice(1, -2)) / 1000) + 's';
  return raw;
}

test('RESTORE: options, TTLs, IDLETIME, FREQ, REPLACE and every error, as Redis', async () => {
  // Payloads made by Redis itself.
  const r = pair.redisClient;
  await cmd(r, 'SELECT', '0');
  await cmd(r, 'FLUSHALL');
  await cmd(r, 'SET', 's', 'hello');
  await cmd(r, 'HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
  await cmd(r, 'SADD', 'set', '1', '2', '3', '4');
  await cmd(r, 'ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
  await cmd(r, 'RPUSH', 'l', 'x', 'y');
  const S = (await cmd(r, 'DUMP', 's')) as string;
  const H = (await cmd(r, 'DUMP', 'h')) as string;
  const SET = (await cmd(r, 'DUMP', 'set')) as string;
  const Z = (await cmd(r, 'DUMP', 'z')) as string;
  const L = (await cmd(r, 'DUMP', 'l')) as string;
  const body = Buffer.from(S, 'latin1').subarray(0, S.length - 10);
  const badCrc = S.slice(0, -1) + String.fromCharCode(S.charCodeAt(S.length - 1) ^ 1);

  const scripts: Record<string, string[][]> = {
    'basic, BUSYKEY, REPLACE': [
      ['RESTORE', 'k', '0', S], ['GET', 'k'], ['TTL', 'k'], ['OBJECT', 'ENCODING', 'k'], ['RESTORE', 'k', '0', S], ['RESTORE', 'k', '0', H, 'REPLACE'],
      ['TYPE', 'k'], ['HGETALL', 'k'], ['RESTORE', 'k', '0', S, 'replace'], ['GET', 'k'],
      ['RESTORE-ASKING', 'ra', '0', L], ['LRANGE', 'ra', '0', '-1'], ['DBSIZE'],
    ],
    'every type restores': [
      ['RESTORE', 's', '0', S], ['RESTORE', 'h', '0', H], ['RESTORE', 'set', '0', SET], ['RESTORE', 'z', '0', Z], ['RESTORE', 'l', '0', L],
      ['GET', 's'], ['HGETALL', 'h'], ['SMEMBERS', 'set'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['LRANGE', 'l', '0', '-1'],
      ['OBJECT', 'ENCODING', 'h'], ['OBJECT', 'ENCODING', 'set'], ['OBJECT', 'ENCODING', 'z'], ['OBJECT', 'ENCODING', 'l'],
      ['DUMP', 's'], ['DUMP', 'h'], ['DUMP', 'set'], ['DUMP', 'z'], ['DUMP', 'l'],
    ],
    'TTL and ABSTTL': [
      ['RESTORE', 'a', '100000', S], ['PTTL', 'a'], ['RESTORE', 'b', FUTURE_MS, S, 'ABSTTL'], ['PTTL', 'b'],
      ['RESTORE', 'c', '1', S, 'ABSTTL'], ['EXISTS', 'c'], ['RESTORE', 'a', '1', S, 'ABSTTL', 'REPLACE'], ['EXISTS', 'a'],
      ['RESTORE', 'd', '0', S, 'ABSTTL'], ['TTL', 'd'], ['RESTORE', 'e', '9223372036854775807', S], ['EXISTS', 'e'],
      ['RESTORE', 'f', '-1', S], ['RESTORE', 'f', 'x', S], ['RESTORE', 'f', '1.5', S], ['RESTORE', 'f', '', S],
      ['RESTORE', 'b', '-1', S], ['RESTORE', 'b', '-1', S, 'REPLACE'], ['DBSIZE'],
    ],
    'IDLETIME and FREQ': [
      ['RESTORE', 'a', '0', S, 'IDLETIME', '1000'], ['OBJECT', 'IDLETIME', 'a'],
      ['RESTORE', 'b', '0', S, 'IDLETIME', '0'], ['OBJECT', 'IDLETIME', 'b'],
      ['RESTORE', 'c', '0', S, 'IDLETIME', '1000000000000'], ['OBJECT', 'IDLETIME', 'c'],
      ['RESTORE', 'x', '0', S, 'IDLETIME', '-1'], ['RESTORE', 'x', '0', S, 'IDLETIME', 'abc'], ['RESTORE', 'x', '0', S, 'IDLETIME'],
      ['RESTORE', 'd', '0', S, 'FREQ', '100'], ['EXISTS', 'd'], ['RESTORE', 'x', '0', S, 'FREQ', '256'], ['RESTORE', 'x', '0', S, 'FREQ', '-1'],
      ['RESTORE', 'x', '0', S, 'FREQ', 'z'], ['RESTORE', 'x', '0', S, 'IDLETIME', '5', 'FREQ', '5'], ['RESTORE', 'x', '0', S, 'FREQ', '5', 'IDLETIME', '5'],
      ['RESTORE', 'x', '0', S, 'BOGUS'], ['RESTORE', 'x', '0', S, 'REPLACE', 'ABSTTL', 'IDLETIME', '10', 'REPLACE'], ['OBJECT', 'IDLETIME', 'x'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'], ['RESTORE', 'e', '0', S, 'FREQ', '7'], ['RESTORE', 'f', '0', S, 'IDLETIME', '7'],
      ['EXISTS', 'e', 'f'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ],
    'bad payloads': [
      ['SET', 'k', 'v'], ['RESTORE', 'k', '0', 'garbage'], ['RESTORE', 'n', '0', 'garbage'], ['RESTORE', 'n', '0', ''], ['RESTORE', 'n', '0', 'x'.repeat(9)],
      ['RESTORE', 'n', '0', badCrc], ['RESTORE', 'n', '-1', badCrc], ['RESTORE', 'n', '0', payload(body, 11)], ['RESTORE', 'n', '0', payload(body, 9)],
      ['GET', 'n'], ['RESTORE', 'o', '0', payload(body, 1)], ['RESTORE', 'p', '0', payload(body, 0)],
      ['RESTORE', 'n', '0', payload([8, 1, 65])], ['RESTORE', 'n', '0', payload([200])], ['RESTORE', 'n', '0', payload([0, 30, 65, 66])],
      ['RESTORE', 'n', '0', payload([0, 0xc0, 5])], ['GET', 'n'], ['RESTORE', 'n2', '0', payload([0, 0xc3, 3, 10, 1, 2, 3])],
      ['RESTORE', 'n2', '0', payload([7, 0])], ['RESTORE', 'n2', '0', payload([16, 7, 7, 0, 0, 0, 0, 0, 0xff])],
      ['RESTORE', 'n2', '0', payload([2, 0])], ['RESTORE', 'n2', '0', payload([4, 0])], ['RESTORE', 'n2', '0', payload([5, 0])],
      ['RESTORE', 'n2', '0', payload([0, 2, 65, 66, 99, 99])], ['GET', 'n2'],
      ['RESTORE', 'n', '0', badCrc, 'REPLACE'], ['RESTORE', 'k', '0', payload([200]), 'REPLACE'], ['GET', 'k'],
      ['RESTORE'], ['RESTORE', 'k'], ['RESTORE', 'k', '0'], ['DBSIZE'],
    ],
    'encodings follow the config limits': [
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'], ['CONFIG', 'SET', 'set-max-intset-entries', '2'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'],
      ['RESTORE', 'h', '0', H], ['RESTORE', 'set', '0', SET], ['RESTORE', 'z', '0', Z],
      ['OBJECT', 'ENCODING', 'h'], ['OBJECT', 'ENCODING', 'set'], ['OBJECT', 'ENCODING', 'z'], ['DUMP', 'z'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'], ['CONFIG', 'SET', 'set-max-intset-entries', '512'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ],
    'inside MULTI': [['MULTI'], ['RESTORE', 'm', '0', S], ['RESTORE', 'm', '0', S], ['DUMP', 'm'], ['EXEC'], ['GET', 'm']],
  };
  const d = await runScripts(pair, scripts, { normalize });
  assert.equal(d.length, 0, formatDivergences(d));

  // A logically expired key does not make RESTORE answer BUSYKEY.
  const out: unknown[][] = [];
  for (const c of [pair.redisClient, pair.reddishClient]) {
    await cmd(c, 'SET', 'v', 'x', 'PX', '1');
    await new Promise((res) => setTimeout(res, 20));
    out.push([await cmd(c, 'RESTORE', 'v', '0', S), await cmd(c, 'GET', 'v')]);
  }
  assert.deepEqual(out[1], out[0]);
  assert.deepEqual(out[0], ['OK', 'hello']);
});

test('RESTORE, DEL by an expired REPLACE, and MIGRATE fire the keyspace events Redis fires', async () => {
  const servers = [pair.redis, pair.reddish];
  const transcripts: string[][] = [];
  for (const srv of servers) {
    const c = await RawClient.connect(srv.port);
    const sub = await RawClient.connect(srv.port);
    await cmd(c, 'FLUSHALL');
    await cmd(c, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    await cmd(sub, 'PSUBSCRIBE', '__key*__:*');
    await cmd(c, 'SET', 's', 'v');
    const P = (await cmd(c, 'DUMP', 's')) as string;
    await cmd(c, 'RESTORE', 'a', '0', P);
    await cmd(c, 'RESTORE', 'a', '0', P, 'REPLACE');
    await cmd(c, 'RESTORE', 'a', '100000', P, 'REPLACE');
    await cmd(c, 'RESTORE', 'a', '1', P, 'REPLACE', 'ABSTTL');
    await cmd(c, 'RESTORE', 'b', '1', P, 'ABSTTL');
    await cmd(c, 'MIGRATE', '127.0.0.1', String(targets.redis.port), 's', '5', '5000', 'REPLACE');
    await cmd(c, 'SET', 'end', '1');
    const seen: string[] = [];
    for (;;) {
      const m = (await sub.readReply()).value;
      const plain = toPlain(m) as string[];
      seen.push(plain.join(' '));
      if (plain[2] === '__keyspace@0__:end') break;
    }
    await cmd(c, 'CONFIG', 'SET', 'notify-keyspace-events', '');
    c.close();
    sub.close();
    transcripts.push(seen);
  }
  const t = await RawClient.connect(targets.redis.port);
  await cmd(t, 'FLUSHALL');
  t.close();
  assert.deepEqual(transcripts[1], transcripts[0]);
});

// ---- payloads crossing servers ------------------------------------------------

/**
 * Every value built in `from`, DUMPed, and RESTOREd (with its TTL) both
 * into `to` and back into `from`: the two restored keys must agree (value,
 * encoding, TTL) and hold the original contents. RESTORE with ttl 0 leaves
 * no TTL; with rdbcompression off on both, the restored value DUMPs to the
 * very payload it came from.
 */
async function crossServer(from: RawClient, to: RawClient): Promise<string[]> {
  const problems: string[] = [];
  for (const compression of ['yes', 'no']) {
    for (const c of [from, to]) {
      await cmd(c, 'HELLO', '2');
      await cmd(c, 'CONFIG', 'SET', 'rdbcompression', compression);
    }
    for (const v of VALUES) {
      const name = `${v.name} (rdbcompression ${compression})`;
      await cmd(from, 'FLUSHALL');
      await cmd(to, 'FLUSHALL');
      for (const c of v.build) await cmd(from, ...c);
      await cmd(from, 'PEXPIRE', 'k', '500000');
      const p = (await cmd(from, 'DUMP', 'k')) as string;
      const ttl = String(await cmd(from, 'PTTL', 'k'));
      const r1 = await cmd(to, 'RESTORE', 'k', ttl, p);
      const r2 = await cmd(to, 'RESTORE', 'plain', '0', p);
      const r3 = await cmd(from, 'RESTORE', 'again', ttl, p);
      if (r1 !== 'OK' || r2 !== 'OK' || r3 !== 'OK') {
        problems.push(`${name}: RESTORE answered ${String(r1)} / ${String(r2)} / ${String(r3)}`);
        continue;
      }
      // The same payload restored by both servers: same value, encoding and TTL.
      const a = await describe(from, 'again');
      const b = await describe(to, 'k');
      if (a !== b) problems.push(`${name}:\n  source ${a.slice(0, 300)}\n  target ${b.slice(0, 300)}`);
      // And the value is the one that was dumped.
      const content = (d: string) => (JSON.parse(d) as { content: unknown }).content;
      if (JSON.stringify(content(await describe(from, 'k'))) !== JSON.stringify(content(b))) problems.push(`${name}: restored contents differ from the original`);
      const noTtl = JSON.parse(await describe(to, 'plain')) as { ttl: number };
      if (noTtl.ttl !== -1) problems.push(`${name}: RESTORE with ttl 0 left a TTL`);
      if (compression === 'no' && v.ordered && !v.nodes && (await cmd(to, 'DUMP', 'k')) !== p) {
        problems.push(`${name}: DUMP after RESTORE differs from the source's payload`);
      }
    }
  }
  for (const c of [from, to]) await cmd(c, 'CONFIG', 'SET', 'rdbcompression', 'yes');
  return problems;
}

test('DUMP in Redis → RESTORE in Reddish, every type and encoding', async () => {
  const problems = await crossServer(pair.redisClient, pair.reddishClient);
  assert.deepEqual(problems, []);
});

test('DUMP in Reddish → RESTORE in Redis, every type and encoding', async () => {
  const problems = await crossServer(pair.reddishClient, pair.redisClient);
  assert.deepEqual(problems, []);
});

// ---- MIGRATE --------------------------------------------------------------------

type Where = 'src' | 'dst';
type MStep = [Where, ...string[]];

/**
 * Runs the steps with Redis as the source, then with Reddish, against the
 * same target (flushed, its other connections killed, in between) and
 * returns both transcripts. `$PORT` stands for the target's port, `$DEAD`
 * for a port nobody listens on, `$HANG` / `$SLAM` for the fake targets.
 */
async function migrateTranscripts(target: RunningServer, steps: MStep[], subst: Record<string, string> = {}, auth?: string) {
  const out: string[][] = [];
  for (const source of [pair.redis, pair.reddish]) {
    const src = await RawClient.connect(source.port);
    const dst = await RawClient.connect(target.port);
    if (auth) await cmd(dst, 'AUTH', auth);
    await cmd(src, 'FLUSHALL');
    await cmd(dst, 'FLUSHALL');
    // Drops the previous source's cached connection (and makes the next one reconnect, or retry, as its own cache dictates).
    await cmd(dst, 'CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    const lines: string[] = [];
    for (const [where, ...argv] of steps) {
      const args = argv.map((a) => subst[a] ?? (a === '$PORT' ? String(target.port) : a));
      const c = where === 'src' ? src : dst;
      c.write(RawClient.encode(args));
      const r = await c.readReply(10000);
      lines.push(`${where} ${args.slice(0, 6).join(' ')} -> ${JSON.stringify(r.raw)}`);
    }
    src.close();
    dst.close();
    out.push(lines);
  }
  return { redis: out[0], reddish: out[1] };
}

function assertSame(t: { redis: string[]; reddish: string[] }): void {
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(t.redis.length, t.reddish.length); i++) {
    if (t.redis[i] !== t.reddish[i]) diffs.push(`redis:   ${t.redis[i]}\nreddish: ${t.reddish[i]}`);
  }
  assert.equal(diffs.length, 0, diffs.join('\n'));
}

const MIGRATE_STEPS: MStep[] = [
  ['src', 'SET', 'a', '1'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'a', '0', '5000'], ['src', 'EXISTS', 'a'], ['dst', 'GET', 'a'], ['dst', 'TTL', 'a'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'nokey', '0', '5000'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '0', '5000', 'KEYS', 'nokey', 'nokey2'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '0', '5000', 'KEYS'],
  // the target's BUSYKEY, then REPLACE
  ['src', 'SET', 'b', '2'], ['dst', 'SET', 'b', 'x'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'b', '0', '5000'], ['src', 'EXISTS', 'b'], ['dst', 'GET', 'b'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'b', '0', '5000', 'REPLACE'], ['src', 'EXISTS', 'b'], ['dst', 'GET', 'b'],
  // COPY
  ['src', 'RPUSH', 'c', 'x', 'y'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'c', '0', '5000', 'COPY'], ['src', 'LRANGE', 'c', '0', '-1'], ['dst', 'LRANGE', 'c', '0', '-1'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'c', '0', '5000', 'COPY'], ['src', 'RPUSH', 'c', 'z'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'c', '0', '5000', 'copy', 'replace'], ['dst', 'LRANGE', 'c', '0', '-1'], ['src', 'EXISTS', 'c'],
  // KEYS, with a missing key and a BUSYKEY in the middle: the keys around it still move
  ['src', 'MSET', 'k1', '1', 'k2', '2', 'k3', '3'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '0', '5000', 'KEYS', 'k1', 'nokey', 'k2', 'k3'],
  ['src', 'EXISTS', 'k1', 'k2', 'k3'], ['dst', 'MGET', 'k1', 'k2', 'k3'],
  ['dst', 'SET', 'k5', 'x'], ['src', 'MSET', 'k4', '4', 'k5', '5', 'k6', '6'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '0', '5000', 'KEYS', 'k4', 'k5', 'k6'],
  ['src', 'EXISTS', 'k4'], ['src', 'EXISTS', 'k5'], ['src', 'EXISTS', 'k6'], ['dst', 'MGET', 'k4', 'k5', 'k6'],
  ['src', 'MSET', 'k7', '7', 'k8', '8'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '0', '5000', 'KEYS', 'k7', 'k7', 'k8'], ['src', 'EXISTS', 'k7', 'k8'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'k8', '0', '5000', 'KEYS', 'k8'],
  // the destination db, one out of range, SELECT again after an error
  ['src', 'SET', 'd', 'db3'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'd', '3', '5000'], ['dst', 'SELECT', '3'], ['dst', 'GET', 'd'], ['dst', 'SELECT', '0'],
  ['src', 'SET', 'e', '1'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'e', '99', '5000'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'e', '-1', '5000'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'e', '3', '5000'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'e', '3', '5000'], ['dst', 'SELECT', '3'], ['dst', 'DBSIZE'], ['dst', 'SELECT', '0'],
  // TTLs travel as relative milliseconds
  ['src', 'SET', 't', 'v', 'PX', '100000'], ['src', 'HSET', 'th', 'f', 'v'], ['src', 'EXPIRE', 'th', '5000'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '0', '5000', 'REPLACE', 'KEYS', 't', 'th'], ['dst', 'TTL', 't'], ['dst', 'TTL', 'th'], ['dst', 'HGETALL', 'th'],
  // timeout 0 and negative mean 1000 ms
  ['src', 'SET', 'z', '1'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'z', '0', '0'], ['src', 'SET', 'z', '2'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'z', '0', '-5', 'REPLACE'],
  ['dst', 'GET', 'z'],
  // errors found before connecting
  ['src', 'SET', 'q', '1'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0', '5000', 'AUTH'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0', '5000', 'AUTH2', 'u'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0', '5000', 'BOGUS'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0', '5000', 'KEYS', 'q'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0', 'abc'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', 'abc', '5000'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'nokey', 'abc', '5000'], ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0', '5000', 'COPY', 'REPLACE', 'AUTH', 'pw', 'BOGUS'],
  // an unreachable target
  ['src', 'MIGRATE', '127.0.0.1', '$DEAD', 'q', '0', '500'], ['src', 'EXISTS', 'q'],
  ['src', 'MIGRATE', '127.0.0.1', 'notaport', 'q', '0', '500'],
  ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'q', '0', '5000'], ['dst', 'GET', 'q'], ['dst', 'DBSIZE'],
];

let deadPort = '';
before(async () => {
  deadPort = String(await freePort());
});

for (const kind of ['redis', 'reddish'] as const) {
  test(`MIGRATE from Redis and from Reddish to a ${kind} target: same replies, same data`, async () => {
    const t = await migrateTranscripts(targets[kind], MIGRATE_STEPS, { $DEAD: deadPort });
    assertSame(t);
  });

  test(`MIGRATE every type and encoding to a ${kind} target`, async () => {
    const steps: MStep[] = [];
    VALUES.forEach((v, i) => {
      for (const c of v.build) steps.push(['src', c[0], `v${i}`, ...c.slice(2)]);
      steps.push(['src', 'PEXPIRE', `v${i}`, '300000']);
    });
    steps.push(['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '2', '5000', 'KEYS', ...VALUES.map((_, i) => `v${i}`)]);
    steps.push(['src', 'DBSIZE'], ['dst', 'SELECT', '2'], ['dst', 'DBSIZE']);
    VALUES.forEach((v, i) => {
      steps.push(['dst', 'OBJECT', 'ENCODING', `v${i}`], ['dst', 'TTL', `v${i}`]);
      // A target keeps a list's quicklist nodes as the payload cut them (value-writer.ts's estimate).
      if (v.ordered && !v.nodes) steps.push(['dst', 'DUMP', `v${i}`]);
    });
    steps.push(['dst', 'FLUSHALL'], ['dst', 'SELECT', '0']);
    const t = await migrateTranscripts(targets[kind], steps);
    assertSame(t);
  });

  test(`MIGRATE AUTH and AUTH2 to a ${kind} target with requirepass`, async () => {
    const T = kind === 'redis' ? targets.redisAuth : targets.reddishAuth;
    const steps: MStep[] = [
      ['src', 'MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'a', '0', '5000'], ['src', 'EXISTS', 'a'],
      ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'a', '0', '5000', 'AUTH', 'wrong'], ['src', 'EXISTS', 'a'],
      ['src', 'MIGRATE', '127.0.0.1', '$PORT', '', '0', '5000', 'AUTH2', 'nobody', 'secret', 'KEYS', 'a', 'b'],
      ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'a', '0', '5000', 'AUTH', 'secret'], ['src', 'EXISTS', 'a'], ['dst', 'GET', 'a'],
      ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'b', '0', '5000', 'AUTH2', 'default', 'secret'], ['dst', 'GET', 'b'],
      // the cached connection stays authenticated
      ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'c', '0', '5000'], ['dst', 'GET', 'c'],
      ['src', 'MIGRATE', '127.0.0.1', '$PORT', 'd', '0', '5000', 'AUTH', 'wrong'], ['src', 'EXISTS', 'd'], ['dst', 'EXISTS', 'd'],
    ];
    const t = await migrateTranscripts(T, steps, {}, 'secret');
    assertSame(t);
  });
}

/** A fake target: `hang` reads and never answers, `slam` hangs up on every request. */
async function fakeTarget(mode: 'hang' | 'slam'): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    n++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.on('data', () => {
      if (mode === 'slam') s.destroy();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    connections: () => n,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

test('MIGRATE to a target that never answers, and to one that hangs up: same errors, retries and data', async () => {
  for (const mode of ['hang', 'slam'] as const) {
    const counts: number[] = [];
    const transcripts: string[][] = [];
    for (const source of [pair.redis, pair.reddish]) {
      const fake = await fakeTarget(mode);
      const src = await RawClient.connect(source.port);
      await cmd(src, 'FLUSHALL');
      await cmd(src, 'MSET', 'a', '1', 'b', '2');
      const lines = [
        String(await cmd(src, 'MIGRATE', '127.0.0.1', String(fake.port), 'a', '0', '300')),
        String(await cmd(src, 'MIGRATE', '127.0.0.1', String(fake.port), '', '0', '300', 'KEYS', 'a', 'b')),
        String(await cmd(src, 'EXISTS', 'a', 'b')),
      ];
      counts.push(fake.connections());
      transcripts.push(lines);
      src.close();
      await fake.close();
    }
    assert.deepEqual(transcripts[1], transcripts[0], mode);
    assert.equal(counts[1], counts[0], `${mode}: connections made (Redis's retry rule)`);
  }
});

test('commands pipelined after a MIGRATE wait for its reply and run in order', async () => {
  const c = await RawClient.connect(pair.reddish.port);
  await cmd(c, 'FLUSHALL');
  await cmd(c, 'SET', 'p', 'v');
  c.write(
    RawClient.encode(['MIGRATE', '127.0.0.1', String(targets.reddish.port), 'p', '0', '5000']) +
      RawClient.encode(['EXISTS', 'p']) + RawClient.encode(['SET', 'p', 'again']) + RawClient.encode(['GET', 'p']),
  );
  const replies = [];
  for (let i = 0; i < 4; i++) replies.push((await c.readReply()).raw);
  assert.deepEqual(replies, ['+OK\r\n', ':0\r\n', '+OK\r\n', '$5\r\nagain\r\n']);
  // Meanwhile other clients were served: the MIGRATE parked only its own client.
  const t = await RawClient.connect(targets.reddish.port);
  assert.equal(await cmd(t, 'GET', 'p'), 'v');
  await cmd(t, 'FLUSHALL');
  t.close();
  c.close();
});

// ---- in process: propagation ------------------------------------------------------

function inProcess() {
  const base = inProcessServer();
  /** The reply of a parked command, once it comes. */
  const later = async (c: Client) => {
    const end = Date.now() + 5000;
    while (c.parked !== null) {
      if (Date.now() > end) throw new Error('no reply');
      await new Promise((r) => setTimeout(r, 5));
    }
    return c.reply.take();
  };
  return { ...base, later };
}

test('RESTORE propagates an absolute TTL with ABSTTL, and DEL when REPLACE meets a past TTL', () => {
  const { effects, client, run } = inProcess();
  const c = client();
  run(c, 'SET', 's', 'v');
  const dump = run(c, 'DUMP', 's');
  const p = dump.slice(dump.indexOf('\r\n') + 2, -2);
  effects.length = 0;
  assert.equal(run(c, 'RESTORE', 'a', '0', p), '+OK\r\n');
  const before = Date.now();
  assert.equal(run(c, 'RESTORE', 'b', '100000', p, 'REPLACE'), '+OK\r\n');
  assert.equal(run(c, 'RESTORE', 'c', FUTURE_MS, p, 'ABSTTL'), '+OK\r\n');
  assert.equal(run(c, 'RESTORE', 'a', '1', p, 'ABSTTL', 'REPLACE'), '+OK\r\n');
  assert.equal(run(c, 'RESTORE', 'x', '1', p, 'ABSTTL'), '+OK\r\n');
  assert.equal(run(c, 'RESTORE', 'x', '0', 'bad'), '-ERR DUMP payload version or checksum are wrong\r\n');
  assert.equal(effects.length, 4);
  assert.deepEqual(effects[0], [['RESTORE', 'a', '0', p]]);
  const [name, key, at, payloadArg, replace, abs] = effects[1][0];
  assert.deepEqual([name, key, payloadArg, replace, abs], ['RESTORE', 'b', p, 'REPLACE', 'ABSTTL']);
  assert.ok(Number(at) >= before + 100000 && Number(at) <= Date.now() + 100000, at);
  assert.deepEqual(effects[2], [['RESTORE', 'c', FUTURE_MS, p, 'ABSTTL']]);
  assert.deepEqual(effects[3], [['DEL', 'a']]);
});

test('MIGRATE propagates one DEL of the moved keys; COPY and errors propagate nothing', async () => {
  const { server, effects, client, run, later } = inProcess();
  const port = String(targets.redis.port);
  const c = client();
  run(c, 'MSET', 'a', '1', 'b', '2', 'c', '3');
  effects.length = 0;
  assert.equal(run(c, 'MIGRATE', '127.0.0.1', port, '', '0', '5000', 'KEYS', 'a', 'nokey', 'b'), '');
  assert.equal(await later(c), '+OK\r\n');
  assert.deepEqual(effects, [[['DEL', 'a', 'b']]]);
  effects.length = 0;
  run(c, 'MIGRATE', '127.0.0.1', port, 'c', '0', '5000', 'COPY');
  assert.equal(await later(c), '+OK\r\n');
  run(c, 'MIGRATE', '127.0.0.1', port, 'c', '0', '5000');
  assert.equal(await later(c), '-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n');
  assert.deepEqual(effects, []);
  assert.equal(server.ks.dbs[0].keys.has('c'), true);
  // Stats see the whole exchange as one call.
  const st = server.commands.lookup('migrate')!.stats;
  assert.equal(st.calls, 3);
  assert.equal(st.failedCalls, 1);
  const t = await RawClient.connect(targets.redis.port);
  await cmd(t, 'FLUSHALL');
  t.close();
});

test('a key written while its MIGRATE is in flight is kept, and not in the DEL', async () => {
  const { effects, client, run, later } = inProcess();
  const port = String(targets.redis.port);
  const c = client();
  const other = client();
  run(c, 'MSET', 'a', '1', 'b', '2');
  effects.length = 0;
  assert.equal(run(c, 'MIGRATE', '127.0.0.1', port, '', '0', '5000', 'KEYS', 'a', 'b'), '');
  // The exchange needs the network: this write lands while the client is parked.
  assert.equal(run(other, 'APPEND', 'a', 'x'), ':2\r\n');
  assert.equal(await later(c), '+OK\r\n');
  assert.equal(run(other, 'GET', 'a'), '$2\r\n1x\r\n');
  assert.equal(run(other, 'EXISTS', 'b'), ':0\r\n');
  assert.deepEqual(effects, [[['APPEND', 'a', 'x']], [['DEL', 'b']]]);
  const t = await RawClient.connect(targets.redis.port);
  assert.deepEqual(await cmd(t, 'MGET', 'a', 'b'), ['1', '2']);
  await cmd(t, 'FLUSHALL');
  t.close();
});
