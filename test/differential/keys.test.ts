/**
 * Generic key commands, compared byte for byte with Redis 7.0: DEL, UNLINK,
 * EXISTS, TYPE, TOUCH, RENAME(NX), KEYS, COPY, MOVE, OBJECT, the EXPIRE and
 * TTL families, PERSIST, SELECT, SWAPDB, DBSIZE, FLUSHDB, and SORT as far as
 * strings and missing keys reach. Replies whose order is Redis's hash order
 * (KEYS, a single-call SCAN) are compared as sorted lists; PTTL is compared in
 * whole seconds. SCAN's cursor behaviour, RANDOMKEY and OBJECT IDLETIME are
 * covered in test/integration/scan.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, show, type Pair } from './harness.js';
import { decode, type RespValue } from '../../src/protocol/resp-value.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

function parse(raw: string): RespValue | undefined {
  try {
    return decode(Buffer.from(raw, 'latin1'), 0)?.value;
  } catch {
    return undefined;
  }
}

function sortedBulks(v: RespValue): string | null {
  if (v.type !== 'array' || v.value === null) return null;
  const items: string[] = [];
  for (const x of v.value) {
    if (x.type !== 'bulk') return null;
    items.push(x.value);
  }
  return JSON.stringify(items.sort());
}

/** Order-insensitive KEYS and SCAN, PTTL to the second. */
function normalize(raw: string, cmd: string[]): string {
  const name = cmd[0].toUpperCase();
  if (name === 'KEYS') {
    const v = parse(raw);
    const s = v && sortedBulks(v);
    if (s) return 'keys:' + s;
  } else if (name === 'SCAN') {
    const v = parse(raw);
    if (v && v.type === 'array' && v.value && v.value.length === 2 && v.value[0].type === 'bulk') {
      const s = sortedBulks(v.value[1]);
      if (s) return `scan:${v.value[0].value}:${s}`;
    }
  } else if (name === 'PTTL' && /^:\d{4,}\r\n$/.test(raw)) {
    return ':' + Math.round(Number(raw.slice(1, -2)) / 1000) + 's';
  }
  return raw;
}

const FUTURE_S = '4102444800'; // 2100-01-01
const FUTURE_MS = '4102444800123';
const LONG = 'x'.repeat(45);
const EMB = 'y'.repeat(44);

const SCRIPTS: Record<string, string[][]> = {
  'DEL UNLINK EXISTS TYPE TOUCH': [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['EXISTS', 'a', 'a', 'nope', 'b'], ['TOUCH', 'a', 'b', 'nope'], ['TYPE', 'a'], ['TYPE', 'nope'],
    ['DEL', 'a', 'a', 'nope'], ['EXISTS', 'a'], ['UNLINK', 'b', 'c', 'x'], ['DBSIZE'], ['DEL'], ['UNLINK'], ['EXISTS'], ['TYPE'], ['TYPE', 'a', 'b'],
    ['TOUCH'], ['SET', '', 'empty'], ['EXISTS', ''], ['DEL', ''], ['SET', 'bin\x00\xff', 'v'], ['TYPE', 'bin\x00\xff'], ['DEL', 'bin\x00\xff'],
  ],
  'RENAME RENAMENX': [
    ['RENAME', 'nope', 'x'], ['RENAMENX', 'nope', 'x'], ['RENAME', 'nope', 'nope'], ['RENAMENX', 'nope', 'nope'],
    ['SET', 'a', '1'], ['RENAME', 'a', 'a'], ['RENAMENX', 'a', 'a'], ['GET', 'a'],
    ['RENAME', 'a', 'b'], ['EXISTS', 'a'], ['GET', 'b'], ['SET', 'c', '3'], ['RENAMENX', 'b', 'c'], ['GET', 'b'], ['GET', 'c'],
    ['RENAMENX', 'b', 'd'], ['GET', 'd'], ['EXISTS', 'b'],
    ['EXPIRE', 'd', '100'], ['RENAME', 'd', 'e'], ['TTL', 'e'], ['TTL', 'd'], ['SET', 'f', 'f', 'EX', '50'], ['RENAME', 'e', 'f'], ['TTL', 'f'], ['GET', 'f'],
    ['SET', 'g', 'g'], ['RENAME', 'g', 'f'], ['TTL', 'f'], ['GET', 'f'], ['SET', 'h', 'h', 'EX', '70'], ['RENAMENX', 'h', 'i'], ['TTL', 'i'],
    ['RENAME', 'a'], ['RENAME', 'a', 'b', 'c'], ['RENAMENX', 'a'], ['DBSIZE'],
  ],
  'KEYS': [
    ['KEYS', '*'], ['MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'h*llo', '6', 'h\\llo', '7', 'key:1', '8', 'key:2', '9', 'KEY:3', '10'],
    ['KEYS', '*'], ['KEYS', 'h?llo'], ['KEYS', 'h*llo'], ['KEYS', 'h[ae]llo'], ['KEYS', 'h[^e]llo'], ['KEYS', 'h[a-b]llo'], ['KEYS', 'h[b-a]llo'],
    ['KEYS', 'h\\*llo'], ['KEYS', 'h\\\\llo'], ['KEYS', 'key:*'], ['KEYS', 'KEY:*'], ['KEYS', 'nomatch*'], ['KEYS', ''], ['KEYS', 'hello'], ['KEYS', '[hk]*'],
    ['KEYS', 'h[a'], ['KEYS', '*o'], ['KEYS', '**'], ['KEYS'], ['KEYS', 'a', 'b'],
  ],
  'COPY': [
    ['COPY', 'nope', 'x'], ['SET', 'a', 'va'], ['COPY', 'a', 'a'], ['COPY', 'a', 'a', 'DB', '0'], ['COPY', 'a', 'a', 'DB', '1'], ['SELECT', '1'], ['GET', 'a'],
    ['SELECT', '0'], ['COPY', 'a', 'b'], ['GET', 'b'], ['COPY', 'a', 'b'], ['SET', 'a', 'new'], ['COPY', 'a', 'b', 'REPLACE'], ['GET', 'b'],
    ['COPY', 'a', 'b', 'replace', 'replace'], ['EXPIRE', 'a', '100'], ['COPY', 'a', 'c'], ['TTL', 'c'], ['COPY', 'a', 'b', 'REPLACE'], ['TTL', 'b'],
    ['COPY', 'a', 'd', 'DB', '99'], ['COPY', 'a', 'd', 'DB', '-1'], ['COPY', 'a', 'd', 'DB', 'x'], ['COPY', 'a', 'd', 'DB', '2147483648'],
    ['COPY', 'a', 'd', 'DB', '16'], ['COPY', 'a', 'd', 'DB'], ['COPY', 'a', 'd', 'FOO'], ['COPY', 'a', 'd', 'DB', '2', 'REPLACE'], ['SELECT', '2'], ['TTL', 'd'],
    ['GET', 'd'], ['SELECT', '0'], ['APPEND', 'ap', 'xyz'], ['APPEND', 'ap', 'w'], ['COPY', 'ap', 'ap2'], ['APPEND', 'ap2', '!'], ['GET', 'ap'], ['GET', 'ap2'],
    ['OBJECT', 'ENCODING', 'ap2'], ['SET', 'n', '12'], ['COPY', 'n', 'n2'], ['OBJECT', 'ENCODING', 'n2'], ['COPY', 'nope', 'a', 'REPLACE'], ['COPY', 'a'],
  ],
  'MOVE': [
    ['MOVE', 'nope', '1'], ['SET', 'a', '1'], ['MOVE', 'a', '0'], ['MOVE', 'a', '16'], ['MOVE', 'a', '-1'], ['MOVE', 'a', 'x'], ['MOVE', 'a', '99999999999'],
    ['MOVE', 'nope', '0'], ['EXPIRE', 'a', '100'], ['MOVE', 'a', '1'], ['EXISTS', 'a'], ['SELECT', '1'], ['GET', 'a'], ['TTL', 'a'], ['SET', 'b', 'in1'],
    ['SELECT', '0'], ['SET', 'b', 'in0'], ['MOVE', 'b', '1'], ['GET', 'b'], ['SELECT', '1'], ['GET', 'b'], ['MOVE', 'a', '0'], ['SELECT', '0'], ['TTL', 'a'],
    ['MOVE', 'a'], ['MOVE', 'a', '1', '2'],
  ],
  'OBJECT ENCODING REFCOUNT': [
    ['MSET', 'i1', '123', 'i2', '-5', 'i3', '01', 'i4', '12345678901234567890', 'i5', '9223372036854775807', 'i6', '-9223372036854775808',
      'i7', '9223372036854775808', 'i8', '+1', 'i9', '-0', 'i10', '0', 'i11', '9999', 'i12', '10000', 'i13', ' 1', 'i14', '1.5'],
    ['OBJECT', 'ENCODING', 'i1'], ['OBJECT', 'ENCODING', 'i2'], ['OBJECT', 'ENCODING', 'i3'], ['OBJECT', 'ENCODING', 'i4'], ['OBJECT', 'ENCODING', 'i5'],
    ['OBJECT', 'ENCODING', 'i6'], ['OBJECT', 'ENCODING', 'i7'], ['OBJECT', 'ENCODING', 'i8'], ['OBJECT', 'ENCODING', 'i9'], ['OBJECT', 'ENCODING', 'i10'],
    ['OBJECT', 'ENCODING', 'i13'], ['OBJECT', 'ENCODING', 'i14'],
    ['OBJECT', 'REFCOUNT', 'i1'], ['OBJECT', 'REFCOUNT', 'i2'], ['OBJECT', 'REFCOUNT', 'i10'], ['OBJECT', 'REFCOUNT', 'i11'], ['OBJECT', 'REFCOUNT', 'i12'],
    ['OBJECT', 'REFCOUNT', 'i3'], ['OBJECT', 'REFCOUNT', 'i5'],
    ['SET', 'e', ''], ['OBJECT', 'ENCODING', 'e'], ['SET', 'emb', EMB], ['OBJECT', 'ENCODING', 'emb'], ['SET', 'long', LONG], ['OBJECT', 'ENCODING', 'long'],
    ['OBJECT', 'REFCOUNT', 'long'], ['OBJECT', 'REFCOUNT', 'emb'],
    ['APPEND', 'ap', '12'], ['OBJECT', 'ENCODING', 'ap'], ['APPEND', 'ap', '3'], ['OBJECT', 'ENCODING', 'ap'], ['SETRANGE', 'sr', '0', 'ab'], ['OBJECT', 'ENCODING', 'sr'],
    ['INCR', 'cnt'], ['OBJECT', 'ENCODING', 'cnt'], ['OBJECT', 'REFCOUNT', 'cnt'], ['INCRBY', 'cnt', '20000'], ['OBJECT', 'REFCOUNT', 'cnt'],
    ['GETSET', 'gs', '7'], ['OBJECT', 'REFCOUNT', 'gs'], ['SETEX', 'sx', '100', '3'], ['OBJECT', 'ENCODING', 'sx'], ['RENAME', 'i1', 'r1'], ['OBJECT', 'ENCODING', 'r1'],
    ['OBJECT', 'ENCODING', 'nope'], ['OBJECT', 'REFCOUNT', 'nope'], ['OBJECT', 'IDLETIME', 'nope'], ['OBJECT', 'FREQ', 'nope'], ['OBJECT', 'FREQ', 'emb'],
    ['OBJECT', 'HELP'], ['OBJECT', 'help'], ['OBJECT', 'FOO', 'k'], ['OBJECT'], ['OBJECT', 'ENCODING'], ['OBJECT', 'ENCODING', 'a', 'b'], ['OBJECT', 'HELP', 'x'],
    ['OBJECT', 'REFCOUNT'], ['OBJECT', 'FREQ'], ['OBJECT', 'IDLETIME'],
  ],
  'OBJECT under eviction policies': [
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'], ['SET', 'k', 'v'], ['OBJECT', 'FREQ', 'k'], ['OBJECT', 'IDLETIME', 'k'], ['OBJECT', 'IDLETIME', 'nope'],
    ['OBJECT', 'FREQ', 'nope'], ['SET', 'n', '5'], ['OBJECT', 'REFCOUNT', 'n'],
    ['CONFIG', 'SET', 'maxmemory', '100000000'], ['SET', 'n2', '5'], ['OBJECT', 'REFCOUNT', 'n2'], ['OBJECT', 'ENCODING', 'n2'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'], ['SET', 'n3', '5'], ['OBJECT', 'REFCOUNT', 'n3'], ['OBJECT', 'FREQ', 'k'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'], ['SET', 'n4', '5'], ['OBJECT', 'REFCOUNT', 'n4'],
    ['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['SET', 'n5', '5'], ['OBJECT', 'REFCOUNT', 'n5'],
  ],
  'EXPIRE family and options': [
    ['EXPIRE', 'nope', '10'], ['SET', 'k', 'v'], ['EXPIRE', 'k', '100'], ['TTL', 'k'], ['PTTL', 'k'], ['EXPIRE', 'k', '100', 'NX'], ['EXPIRE', 'k', '200', 'XX'],
    ['TTL', 'k'], ['EXPIRE', 'k', '150', 'GT'], ['EXPIRE', 'k', '300', 'GT'], ['TTL', 'k'], ['EXPIRE', 'k', '400', 'LT'], ['EXPIRE', 'k', '50', 'LT'], ['TTL', 'k'],
    ['PERSIST', 'k'], ['EXPIRE', 'k', '100', 'XX'], ['EXPIRE', 'k', '100', 'GT'], ['EXPIRE', 'k', '100', 'LT'], ['TTL', 'k'], ['EXPIRE', 'k', '100', 'NX'], ['TTL', 'k'],
    ['EXPIRE', 'k', '10', 'NX', 'XX'], ['EXPIRE', 'k', '10', 'GT', 'LT'], ['EXPIRE', 'k', '10', 'NX', 'GT'], ['EXPIRE', 'k', '10', 'XX', 'GT'], ['TTL', 'k'],
    ['EXPIRE', 'k', '10', 'FOO'], ['EXPIRE', 'k', 'abc'], ['EXPIRE', 'k', '1.5'], ['EXPIRE', 'k', '9223372036854775807'], ['PEXPIRE', 'k', '9223372036854775807'],
    ['EXPIREAT', 'k', '9223372036854775807'], ['PEXPIREAT', 'k', '9007199254740991'], ['EXPIRE', 'k', '-9223372036854775808'], ['TTL', 'k'],
    ['PEXPIRE', 'k', '100000'], ['PTTL', 'k'], ['TTL', 'k'], ['EXPIREAT', 'k', FUTURE_S], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', FUTURE_MS], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'], ['PEXPIREAT', 'k', FUTURE_MS, 'GT'], ['PEXPIREAT', 'k', '4102444800124', 'GT'],
    ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'nope'], ['PEXPIRETIME', 'nope'], ['SET', 'p', 'v'], ['EXPIRETIME', 'p'], ['PEXPIRETIME', 'p'], ['TTL', 'p'], ['PTTL', 'p'],
    ['TTL', 'nope'], ['PTTL', 'nope'], ['PERSIST', 'p'], ['PERSIST', 'nope'], ['EXPIRE', 'p', '0'], ['EXISTS', 'p'], ['SET', 'p', 'v'], ['EXPIRE', 'p', '-5'],
    ['EXISTS', 'p'], ['SET', 'p', 'v'], ['EXPIREAT', 'p', '1'], ['EXISTS', 'p'], ['SET', 'p', 'v'], ['PEXPIREAT', 'p', '0'], ['EXISTS', 'p'], ['SET', 'p', 'v'],
    ['PEXPIRE', 'p', '-1'], ['EXISTS', 'p'], ['SET', 'q', 'v'], ['EXPIRE', 'q', '-1', 'NX'], ['EXISTS', 'q'], ['EXPIRE', 'q', '-1', 'XX'], ['EXISTS', 'q'],
    ['EXPIRE', 'k'], ['EXPIRE'], ['TTL'], ['TTL', 'a', 'b'], ['PERSIST'], ['EXPIRETIME'], ['SET', 'k', 'v2'], ['TTL', 'k'],
    ['SET', 'r', 'v', 'EX', '100'], ['EXPIRE', 'r', '200', 'gt'], ['EXPIRE', 'r', '50', 'lt'], ['TTL', 'r'], ['EXPIRE', 'r', '10', 'nx'], ['EXPIRE', 'r', '10', 'xx'],
    ['TTL', 'r'], ['PEXPIRE', 'r', '10000', 'LT', 'XX'], ['TTL', 'r'], ['EXPIRE', 'r', '10', 'NX', 'NX'], ['EXPIRE', 'r', '10', 'XX', 'XX'], ['TTL', 'r'],
  ],
  'SELECT SWAPDB DBSIZE FLUSHDB': [
    ['SET', 'a', '0'], ['SELECT', '1'], ['SET', 'a', '1'], ['SET', 'b', '1'], ['DBSIZE'], ['SELECT', '0'], ['DBSIZE'], ['SWAPDB', '0', '1'], ['DBSIZE'], ['GET', 'a'],
    ['GET', 'b'], ['SWAPDB', '0', '0'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0'], ['SWAPDB', 'a', '0'], ['SWAPDB', '0', 'b'], ['SWAPDB', '0'],
    ['SELECT', '16'], ['SELECT', '-1'], ['SELECT', 'x'], ['SELECT', '1.0'], ['SELECT'], ['SELECT', '15'], ['SET', 'z', 'z'], ['DBSIZE'], ['FLUSHDB'], ['DBSIZE'],
    ['SELECT', '0'], ['DBSIZE'], ['FLUSHDB', 'ASYNC'], ['DBSIZE'], ['FLUSHDB', 'SYNC'], ['FLUSHDB', 'FOO'], ['FLUSHDB', 'ASYNC', 'SYNC'], ['SELECT', '1'],
    ['GET', 'a'], ['SWAPDB', '1', '0'], ['GET', 'a'], ['DBSIZE'], ['SWAPDB', '2147483648', '0'], ['SWAPDB', '0', '2147483648'],
  ],
  'SCAN and RANDOMKEY that do not depend on order': [
    ['SCAN', '0'], ['RANDOMKEY'], ['SET', 'only', '1'], ['RANDOMKEY'], ['SCAN', '0'], ['MSET', 'a', '1', 'b', '2', 'c', '3', 'k1', '1', 'k2', '2'],
    ['SCAN', '0'], ['SCAN', '0', 'MATCH', 'k*'], ['SCAN', '0', 'MATCH', 'k*', 'COUNT', '100'], ['SCAN', '0', 'TYPE', 'string'], ['SCAN', '0', 'TYPE', 'STRING'],
    ['SCAN', '0', 'TYPE', 'list'], ['SCAN', '0', 'TYPE', 'foo'], ['SCAN', '0', 'MATCH', '*', 'COUNT', '1000', 'TYPE', 'string'],
    ['SCAN', 'abc'], ['SCAN', '1.5'], ['SCAN', ' 0'], ['SCAN', '0 '], ['SCAN', '18446744073709551616'], ['SCAN', '-18446744073709551616'], ['SCAN', '+'],
    ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'x'], ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'TYPE'],
    ['SCAN', '0', 'FOO', 'bar'], ['SCAN', 'x', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '0', 'FOO'], ['SCAN'], ['RANDOMKEY', 'x'],
  ],
  'SORT on missing and string keys': [
    ['SORT', 'nope'], ['SORT_RO', 'nope'], ['SORT', 'nope', 'DESC', 'ALPHA', 'LIMIT', '0', '10'], ['SORT', 'nope', 'BY', 'nosort', 'GET', '#', 'GET', 'w_*'],
    ['SORT', 'nope', 'BY', 'w_*->f', 'GET', 'h_*->f'], ['SORT', 'nope', 'LIMIT', '-5', '-5'], ['SORT', 'nope', 'asc', 'desc', 'alpha', 'alpha'],
    ['SET', 'dst', 'x'], ['SORT', 'nope', 'STORE', 'dst'], ['EXISTS', 'dst'], ['SORT', 'nope', 'STORE', 'dst'], ['SORT', 'nope', 'GET', '#', 'STORE', 'dst'],
    ['SET', 's', 'str'], ['SORT', 's'], ['SORT_RO', 's'], ['SORT', 's', 'ALPHA'], ['SORT', 's', 'BY', 'nosort'], ['SORT', 's', 'STORE', 'dst2'], ['EXISTS', 'dst2'],
    ['SORT', 's', 'LIMIT', 'a', '1'], ['SORT', 's', 'LIMIT', '0', 'b'], ['SORT', 's', 'LIMIT', '0'], ['SORT', 's', 'LIMIT'], ['SORT', 's', 'BY'], ['SORT', 's', 'GET'],
    ['SORT', 's', 'STORE'], ['SORT', 's', 'FOO'], ['SORT_RO', 's', 'STORE', 'd'], ['SORT_RO', 'nope', 'STORE', 'd'], ['SORT', 'nope', 'FOO'],
    ['SORT', 'nope', 'LIMIT', '1.5', '2'], ['SORT', 'nope', 'LIMIT', '0', '9223372036854775808'], ['SORT', 's', 'DESC', 'FOO'], ['SORT'], ['SORT_RO'],
    ['SET', 'dst', 'x'], ['SORT', 's', 'STORE', 'dst'], ['GET', 'dst'], ['SORT', 'nope', 'STORE', 's'], ['EXISTS', 's'],
  ],
  'SORT converts a listpack sorted set to a skiplist, even when it fails': [
    ['ZADD', 'z1', '1', '30', '2', '10'], ['SORT', 'z1'], ['OBJECT', 'ENCODING', 'z1'],
    ['ZADD', 'z2', '1', 'a', '2', 'b'], ['SORT', 'z2'], ['OBJECT', 'ENCODING', 'z2'],
    ['ZADD', 'z3', '1', 'a'], ['SORT_RO', 'z3', 'BY', 'nosort'], ['OBJECT', 'ENCODING', 'z3'], ['SORT', 'z3', 'FOO'], ['OBJECT', 'ENCODING', 'z3'],
    ['ZADD', 'z4', '1', 'a'], ['SORT', 'z4', 'FOO'], ['OBJECT', 'ENCODING', 'z4'],
  ],
};

test('generic key commands match Redis 7.0 byte for byte (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS, { normalize });
  assert.equal(d.length, 0, formatDivergences(d));
});

/** Scripts that need time to pass between commands: `null` is a 30 ms pause. */
const TIMED: Record<string, Array<string[] | null>> = {
  'logically expired keys': [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['PEXPIRE', 'a', '5'], ['PEXPIRE', 'b', '5'], null, ['KEYS', '*'], ['EXISTS', 'a'], ['TTL', 'b'],
    ['RENAME', 'b', 'x'], ['COPY', 'c', 'a'], ['GET', 'a'], ['SET', 'm', 'v', 'PX', '5'], null, ['MOVE', 'm', '1'], ['OBJECT', 'ENCODING', 'm'], ['FLUSHDB'],
    ['SET', 'd', '1', 'PX', '5'], null, ['SCAN', '0'], ['RANDOMKEY'], ['SORT', 'd'], ['TYPE', 'd'], ['DBSIZE'],
  ],
};

test('commands over logically expired keys match Redis 7.0', async () => {
  const out: string[] = [];
  for (const [name, cmds] of Object.entries(TIMED)) {
    for (const c of [pair.redisClient, pair.reddishClient]) {
      await c.call('HELLO', '2');
      await c.call('SELECT', '0');
      await c.call('FLUSHALL');
    }
    for (const cmd of cmds) {
      if (cmd === null) {
        await new Promise((r) => setTimeout(r, 30));
        continue;
      }
      const [a, b] = await Promise.all([pair.redisClient.call(...cmd), pair.reddishClient.call(...cmd)]);
      if (normalize(a, cmd) !== normalize(b, cmd)) out.push(`[${name}] ${JSON.stringify(cmd)}\n   redis:   ${show(a)}\n   reddish: ${show(b)}`);
    }
  }
  assert.equal(out.length, 0, out.join('\n'));
});
