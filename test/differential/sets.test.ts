/**
 * Set commands compared byte for byte with Redis 7.0, in RESP2 and RESP3.
 *
 * Redis's hashtable order is its dict's (seeded hash), so replies listing a
 * hashtable set are compared after sorting their elements; intset replies
 * (ascending order) are compared exactly in the 'exact order' scripts. Random
 * replies (SPOP, SRANDMEMBER) are compared by shape, except where they are
 * deterministic (a count covering the whole set, a one-member set).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { Rng, chooseSeed } from './generator.js';
import { SetValue } from '../../src/datatypes/set.js';
import { setDigest, setMemoryUsage } from '../../src/commands/sets.js';
import { VALUE_DIGESTS, xorObjectDigest, newDigest, hex } from '../../src/observe/digest.js';
import type { Database } from '../../src/keyspace/database.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair?.stop();
});

// ---- a small RESP reader, to reorder and reshape replies ----------------------

type Node = { t: string; line?: string; body?: string; kids?: Node[] };

function parse(s: string, pos: { i: number }): Node {
  const t = s[pos.i];
  const eol = s.indexOf('\r\n', pos.i);
  const line = s.slice(pos.i + 1, eol);
  pos.i = eol + 2;
  if (t === '$' || t === '=' || t === '!') {
    const n = Number(line);
    if (n < 0) return { t, line };
    const body = s.slice(pos.i, pos.i + n);
    pos.i += n + 2;
    return { t, line, body };
  }
  if (t === '*' || t === '~' || t === '>' || t === '%' || t === '|') {
    const n = Number(line);
    if (n < 0) return { t, line };
    const count = t === '%' || t === '|' ? 2 * n : n;
    const kids: Node[] = [];
    for (let k = 0; k < count; k++) kids.push(parse(s, pos));
    return { t, line, kids };
  }
  return { t, line };
}

function ser(n: Node): string {
  let out = `${n.t}${n.line}\r\n`;
  if (n.body !== undefined) out += n.body + '\r\n';
  if (n.kids) for (const k of n.kids) out += ser(k);
  return out;
}

function parseRaw(raw: string): Node {
  return parse(raw, { i: 0 });
}

/** Sorts an aggregate's elements (SMEMBERS and friends on a hashtable). */
function sorted(raw: string): string {
  const n = parseRaw(raw);
  if (n.kids) n.kids.sort((a, b) => (ser(a) < ser(b) ? -1 : ser(a) > ser(b) ? 1 : 0));
  return ser(n);
}

/** The shape of a random reply: type and length of an aggregate, type of a scalar. */
function shape(raw: string, repeats = false): string {
  const n = parseRaw(raw);
  if (n.kids && repeats) return `${n.t}${n.line}`;
  if (n.kids) return `${n.t}${n.line} ${new Set(n.kids.map(ser)).size === n.kids.length ? 'uniq' : 'dup'}`;
  if (n.t === '$' && n.body !== undefined) return '$bulk';
  return raw;
}

const LISTING = new Set(['smembers', 'sinter', 'sunion', 'sdiff']);

/** Order-insensitive comparison for listings; shapes for random commands; SSCAN's page sorted. */
function normalize(raw: string, cmd: string[]): string {
  const name = cmd[0].toLowerCase();
  if (raw[0] === '-') return raw;
  if (LISTING.has(name)) return sorted(raw);
  if (name === 'sscan') {
    const n = parseRaw(raw);
    if (n.kids && n.kids[1]?.kids) n.kids[1].kids.sort((a, b) => (ser(a) < ser(b) ? -1 : 1));
    return n.kids ? ser(n) : raw;
  }
  if (name === 'spop' || name === 'srandmember') {
    // A count of 1000 covers every set the tests build: deterministic content.
    if (cmd[2] === '1000') return sorted(raw);
    return shape(raw, cmd[2]?.startsWith('-'));
  }
  return raw;
}

const INTS = Array.from({ length: 20 }, (_, i) => String(i * 7 - 30));

const SCRIPTS: Record<string, string[][]> = {
  'SADD SREM SCARD SISMEMBER SMISMEMBER': [
    ['SADD', 's', 'a', 'b', 'c', 'a'], ['SADD', 's', 'a'], ['SCARD', 's'], ['SCARD', 'nope'], ['SISMEMBER', 's', 'a'], ['SISMEMBER', 's', 'z'],
    ['SISMEMBER', 'nope', 'a'], ['SMISMEMBER', 's', 'a', 'z', 'b'], ['SMISMEMBER', 'nope', 'a', 'b'], ['SMISMEMBER', 's'],
    ['SREM', 's', 'a', 'z'], ['SREM', 's', 'z'], ['SREM', 'nope', 'a'], ['SREM', 's', 'b', 'c', 'd'], ['EXISTS', 's'], ['SADD', 's'], ['SREM', 's'],
    ['SADD', 'bin', '\x00\xff', '', '\r\n'], ['SISMEMBER', 'bin', ''], ['SISMEMBER', 'bin', '\x00\xff'], ['SCARD', 'bin'], ['SMEMBERS', 'bin'],
    ['SADD', 'i', '1', '01', '-0', '+1', ' 1', '1.0'], ['OBJECT', 'ENCODING', 'i'], ['SCARD', 'i'], ['SMEMBERS', 'i'],
  ],
  'wrong types': [
    ['SET', 'str', 'x'], ['SADD', 'str', 'a'], ['SREM', 'str', 'a'], ['SCARD', 'str'], ['SISMEMBER', 'str', 'a'], ['SMISMEMBER', 'str', 'a'],
    ['SMEMBERS', 'str'], ['SPOP', 'str'], ['SPOP', 'str', '2'], ['SPOP', 'str', '-1'], ['SRANDMEMBER', 'str'], ['SRANDMEMBER', 'str', '2'],
    ['SINTER', 'str'], ['SINTER', 'nope', 'str'], ['SINTERCARD', '2', 'nope', 'str'], ['SINTERSTORE', 'd', 'nope', 'str'], ['SUNION', 'nope', 'str'],
    ['SDIFF', 'nope', 'str'], ['SUNIONSTORE', 'd', 'str'], ['SDIFFSTORE', 'd', 'str'], ['SSCAN', 'str', '0'], ['SSCAN', 'str', '0', 'FOO'],
    ['SADD', 's', 'a'], ['SMOVE', 'str', 's', 'a'], ['SMOVE', 's', 'str', 'a'], ['SMOVE', 'nope', 'str', 'a'], ['SMEMBERS', 's'],
    ['SUNIONSTORE', 'str', 's'], ['TYPE', 'str'], ['TYPE', 's'], ['GET', 's'],
  ],
  'encodings': [
    ['CONFIG', 'SET', 'set-max-intset-entries', '4'],
    ['SADD', 'i', '3', '1', '2'], ['OBJECT', 'ENCODING', 'i'], ['SADD', 'i', '4'], ['OBJECT', 'ENCODING', 'i'], ['SADD', 'i', '5'],
    ['OBJECT', 'ENCODING', 'i'], ['SREM', 'i', '5', '4', '3'], ['OBJECT', 'ENCODING', 'i'],
    ['SADD', 'j', '1'], ['SADD', 'j', 'x'], ['OBJECT', 'ENCODING', 'j'], ['SREM', 'j', 'x'], ['OBJECT', 'ENCODING', 'j'],
    ['SADD', 'k', 'x'], ['OBJECT', 'ENCODING', 'k'], ['SADD', 'l', '9223372036854775807', '-9223372036854775808'], ['OBJECT', 'ENCODING', 'l'],
    ['SADD', 'l', '9223372036854775808'], ['OBJECT', 'ENCODING', 'l'], ['TYPE', 'l'],
    ['SUNIONSTORE', 'u', 'j'], ['OBJECT', 'ENCODING', 'u'], ['SINTERSTORE', 'u2', 'i', 'i'], ['OBJECT', 'ENCODING', 'u2'],
    ['SUNIONSTORE', 'u3', 'i', 'k'], ['OBJECT', 'ENCODING', 'u3'],
    ['CONFIG', 'SET', 'set-max-intset-entries', '0'], ['SADD', 'z', '1'], ['OBJECT', 'ENCODING', 'z'], ['SUNIONSTORE', 'z2', 'j'], ['OBJECT', 'ENCODING', 'z2'],
    ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
    ['SADD', 'big', ...INTS], ['OBJECT', 'ENCODING', 'big'], ['COPY', 'big', 'bigc'], ['OBJECT', 'ENCODING', 'bigc'], ['SMEMBERS', 'bigc'],
    ['COPY', 'j', 'jc'], ['OBJECT', 'ENCODING', 'jc'],
  ],
  'exact order (intsets)': [
    ['SADD', 'a', '5', '-3', '100', '0', '9223372036854775807', '-9223372036854775808', '42', '7'], ['SMEMBERS', 'a'],
    ['SADD', 'b', '7', '5', '1000', '0'], ['SINTER', 'a', 'b'], ['SUNION', 'a', 'b'], ['SDIFF', 'a', 'b'], ['SDIFF', 'b', 'a'],
    ['SRANDMEMBER', 'a', '8'], ['SRANDMEMBER', 'a', '100'], ['SSCAN', 'a', '0'], ['SSCAN', 'a', '0', 'COUNT', '1'], ['SSCAN', 'a', '0', 'MATCH', '*7*'],
    ['SSCAN', 'a', '123', 'MATCH', '-*'], ['SINTERSTORE', 'c', 'a', 'b'], ['SMEMBERS', 'c'], ['SPOP', 'b', '4'], ['EXISTS', 'b'],
    ['SADD', 'h', 'x', '3', '1', '2'], ['SREM', 'h', 'x'], ['OBJECT', 'ENCODING', 'h'], ['SUNIONSTORE', 'h2', 'h'], ['OBJECT', 'ENCODING', 'h2'],
    ['SMEMBERS', 'h2'], ['SPOP', 'a', '100'],
  ],
  'SMOVE': [
    ['SADD', 's', 'a', 'b', '1'], ['SMOVE', 's', 'd', 'a'], ['SMEMBERS', 'd'], ['SMOVE', 's', 'd', 'a'], ['SMOVE', 'nope', 'd', 'a'],
    ['SMOVE', 's', 's', 'b'], ['SMOVE', 's', 's', 'zz'], ['SADD', 'd', 'b'], ['SMOVE', 's', 'd', 'b'], ['SMEMBERS', 's'], ['SMEMBERS', 'd'],
    ['SMOVE', 's', 'n', '1'], ['EXISTS', 's'], ['OBJECT', 'ENCODING', 'n'], ['SMOVE', 'n', 'n', '1'], ['SMOVE', 'd', 'n', 'a'],
    ['OBJECT', 'ENCODING', 'n'], ['SMEMBERS', 'n'], ['SMOVE', 's'], ['SET', 'str', 'v'], ['SMOVE', 'nope', 'str', 'x'],
    ['SADD', 'e', 'x'], ['EXPIRE', 'e', '1000'], ['SMOVE', 'e', 'f', 'x'], ['EXISTS', 'e'], ['TTL', 'f'],
  ],
  'SPOP SRANDMEMBER': [
    ['SPOP', 'nope'], ['SPOP', 'nope', '2'], ['SPOP', 'nope', '0'], ['SPOP', 'nope', '-1'], ['SPOP', 'nope', 'x'], ['SPOP', 's', '1', '2'],
    ['SRANDMEMBER', 'nope'], ['SRANDMEMBER', 'nope', '2'], ['SRANDMEMBER', 'nope', '-2'], ['SRANDMEMBER', 'nope', '0'], ['SRANDMEMBER', 's', '1', '2'],
    ['SRANDMEMBER', 'nope', 'x'], ['SRANDMEMBER', 'nope', '-9223372036854775808'], ['SRANDMEMBER', 'nope', '9223372036854775808'],
    ['SADD', 'one', 'm'], ['SRANDMEMBER', 'one'], ['SRANDMEMBER', 'one', '-3'], ['SRANDMEMBER', 'one', '3'], ['SPOP', 'one'], ['EXISTS', 'one'],
    ['SADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'], ['SRANDMEMBER', 's'], ['SRANDMEMBER', 's', '3'], ['SRANDMEMBER', 's', '9'],
    ['SRANDMEMBER', 's', '-30'], ['SRANDMEMBER', 's', '1000'], ['SRANDMEMBER', 's', '0'], ['SPOP', 's', '0'], ['SPOP', 's', '-1'],
    ['SPOP', 's', '1'], ['SCARD', 's'], ['SPOP', 's', '8'], ['SCARD', 's'], ['SPOP', 's'], ['SCARD', 's'], ['SPOP', 's', '1000'], ['EXISTS', 's'],
    ['SADD', 'n', ...INTS], ['SPOP', 'n', '2'], ['SCARD', 'n'], ['SPOP', 'n', '15'], ['SCARD', 'n'], ['OBJECT', 'ENCODING', 'n'],
    ['SADD', 'x', 'x'], ['SPOP', 'x', '9223372036854775807'], ['EXISTS', 'x'],
    ['SADD', 't', 'a', 'b', 'c'], ['EXPIRE', 't', '1000'], ['SPOP', 't', '2'], ['TTL', 't'],
  ],
  'SPOP count leaves an intset behind': [
    ['CONFIG', 'SET', 'set-max-intset-entries', '5'], ['SADD', 'h', ...INTS], ['OBJECT', 'ENCODING', 'h'], ['SPOP', 'h', '17'],
    ['SCARD', 'h'], ['OBJECT', 'ENCODING', 'h'], ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
  ],
  'SINTER SINTERCARD SINTERSTORE': [
    ['SADD', 'a', '1', '2', '3', 'x', 'y'], ['SADD', 'b', '2', '3', 'y', 'z'], ['SADD', 'c', '3', 'y', 'q'], ['SINTER', 'a', 'b'], ['SINTER', 'a', 'b', 'c'],
    ['SINTER', 'a', 'nope'], ['SINTER', 'a'], ['SINTER', 'a', 'a'], ['SINTERCARD', '2', 'a', 'b'], ['SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '1'],
    ['SINTERCARD', '2', 'a', 'b', 'LIMIT', '0'], ['SINTERCARD', '2', 'a', 'b', 'limit', '100'], ['SINTERCARD', '1', 'a'], ['SINTERCARD', '2', 'a', 'nope'],
    ['SINTERCARD', '0', 'a'], ['SINTERCARD', '-1', 'a'], ['SINTERCARD', 'x', 'a'], ['SINTERCARD', '3', 'a', 'b'], ['SINTERCARD', '1', 'a', 'LIMIT'],
    ['SINTERCARD', '1', 'a', 'LIMIT', '-1'], ['SINTERCARD', '1', 'a', 'LIMIT', 'x'], ['SINTERCARD', '1', 'a', 'FOO', '1'], ['SINTERCARD', '1', 'a', 'b'],
    ['SINTERCARD', '9223372036854775808', 'a'],
    ['SINTERSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'], ['SINTERSTORE', 'd', 'a', 'nope'], ['EXISTS', 'd'], ['SINTERSTORE', 'd', 'a', 'b', 'c'],
    ['SMEMBERS', 'd'], ['EXPIRE', 'd', '100'], ['SINTERSTORE', 'd', 'a', 'b'], ['TTL', 'd'], ['SADD', 'e', 'nothing'], ['SINTERSTORE', 'd', 'a', 'e'],
    ['EXISTS', 'd'], ['SINTERSTORE', 'd', 'nope'], ['SET', 'str', 'v'], ['SINTERSTORE', 'str', 'a', 'b'], ['TYPE', 'str'], ['SINTERSTORE', 'a', 'a', 'b'],
    ['SMEMBERS', 'a'],
  ],
  'SUNION SDIFF STORE': [
    ['SADD', 'a', '1', '2', '3', 'x'], ['SADD', 'b', '3', '4', 'x', 'y'], ['SUNION', 'a', 'b'], ['SUNION', 'a', 'nope'], ['SUNION', 'nope'],
    ['SDIFF', 'a', 'b'], ['SDIFF', 'b', 'a'], ['SDIFF', 'a', 'a'], ['SDIFF', 'nope', 'a'], ['SDIFF', 'a', 'nope'], ['SDIFF', 'a'],
    ['SUNIONSTORE', 'u', 'a', 'b'], ['SMEMBERS', 'u'], ['OBJECT', 'ENCODING', 'u'], ['SDIFFSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'],
    ['OBJECT', 'ENCODING', 'd'], ['SDIFFSTORE', 'd', 'a', 'a'], ['EXISTS', 'd'], ['SUNIONSTORE', 'u', 'nope'], ['EXISTS', 'u'],
    ['SUNIONSTORE', 'a', 'a', 'b'], ['SCARD', 'a'], ['SET', 'str', 'x'], ['SDIFFSTORE', 'str', 'b', 'nope'], ['TYPE', 'str'],
    ['SADD', 'big', ...INTS, 'w'], ['SADD', 'small', '-30', '-23'], ['SDIFFSTORE', 'r1', 'big', 'small'], ['OBJECT', 'ENCODING', 'r1'],
    ['SADD', 'm1', '1', '2', '3', 'x'], ['SADD', 'm2', 'x', ...INTS], ['SDIFFSTORE', 'r2', 'm1', 'm2', 'm2', 'm2'], ['OBJECT', 'ENCODING', 'r2'], ['SMEMBERS', 'r2'],
    ['SDIFFSTORE', 'r3', 'm1', 'small'], ['OBJECT', 'ENCODING', 'r3'], ['SMEMBERS', 'r3'],
  ],
  'SSCAN': [
    ['SSCAN', 'nope', '0'], ['SSCAN', 'nope', 'x'], ['SSCAN', 'nope', '0', 'FOO'], ['SADD', 's', 'a', 'b', 'c', 'ab'], ['SSCAN', 's', '0'],
    ['SSCAN', 's', '0', 'MATCH', 'a*'], ['SSCAN', 's', '0', 'COUNT', '100', 'MATCH', '*b'], ['SSCAN', 's', '0', 'COUNT', '0'], ['SSCAN', 's', '0', 'COUNT', 'x'],
    ['SSCAN', 's', '0', 'COUNT'], ['SSCAN', 's', '0', 'TYPE', 'set'], ['SSCAN', 's', ' 0'], ['SSCAN', 's', '-1x'], ['SSCAN', 's', '18446744073709551616'],
    ['SSCAN', 's', '0', 'match', '*', 'count', '5'], ['SADD', 'i', '1', '2', '3'], ['SSCAN', 'i', '7', 'COUNT', '1'], ['SSCAN', 's'],
  ],
  'events-free odds and ends': [
    ['SADD', 's', 'a'], ['SADD', 's', 'b'], ['DEBUG', 'DIGEST-VALUE', 'nope'], ['RENAME', 's', 't'], ['SMEMBERS', 't'], ['SMEMBERS', 's'],
    ['MULTI'], ['SADD', 'q', '1'], ['SPOP', 'q'], ['SCARD', 'q'], ['EXEC'],
  ],
};

test('set commands match Redis 7.0 (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS, { normalize });
  assert.equal(d.length, 0, formatDivergences(d));
});

test('intset replies are in ascending order, exactly as Redis', async () => {
  const d = await runScripts(pair, { 'exact order (intsets)': SCRIPTS['exact order (intsets)'] }, {
    normalize: (raw, cmd) => (/^(spop|srandmember)$/i.test(cmd[0]) && cmd[2] !== '100' ? shape(raw) : raw),
  });
  assert.equal(d.length, 0, formatDivergences(d));
});

test('keyspace events and dirty counts match', async () => {
  const { redisClient: r, reddishClient: m } = pair;
  const script: string[][] = [
    ['SADD', 's', 'a', 'b', 'a'], ['SADD', 's', 'a'], ['SREM', 's', 'a', 'zz'], ['SREM', 's', 'b'], ['SADD', 's', '1', '2', '3'],
    ['SMOVE', 's', 'd', '1'], ['SMOVE', 's', 'd', '9'], ['SADD', 'd', '2'], ['SMOVE', 's', 'd', '2'], ['SMOVE', 's', 'd', '3'],
    ['SADD', 'p', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], ['SPOP', 'p'], ['SPOP', 'p', '2'], ['SPOP', 'p', '3'], ['SPOP', 'p', '10'],
    ['SADD', 'a', '1', '2'], ['SADD', 'b', '2', '3'], ['SINTERSTORE', 'o', 'a', 'b'], ['SUNIONSTORE', 'o', 'a', 'b'], ['SDIFFSTORE', 'o', 'a', 'b'],
    ['SDIFFSTORE', 'o', 'a', 'a'], ['SINTERSTORE', 'o', 'a', 'x'], ['SUNIONSTORE', 'o', 'x'], ['SPOP', 'a', '0'],
  ];
  for (const c of [r, m]) {
    await c.call('HELLO', '2');
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
  }
  const dirty = async (c: typeof r) => /rdb_changes_since_last_save:(\d+)/.exec(await c.call('INFO', 'persistence'))![1];
  const diffs: string[] = [];
  for (const cmd of script) {
    const before = await Promise.all([dirty(r), dirty(m)]);
    await Promise.all([r.call(...cmd), m.call(...cmd)]);
    const after = await Promise.all([dirty(r), dirty(m)]);
    const dr = Number(after[0]) - Number(before[0]);
    const dm = Number(after[1]) - Number(before[1]);
    if (dr !== dm) diffs.push(`${cmd.join(' ')}: dirty redis +${dr} reddish +${dm}`);
  }
  for (const c of [r, m]) await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  assert.deepEqual(diffs, []);
});

test('keyspace event names match', async () => {
  // Subscribed connections of our own, collecting every event text in order.
  const { RawClient } = await import('../support/raw-client.js');
  const subs = await Promise.all([RawClient.connect(pair.redis.port), RawClient.connect(pair.reddish.port)]);
  const { redisClient: r, reddishClient: m } = pair;
  for (const c of [r, m]) {
    await c.call('HELLO', '2');
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
  }
  const got: string[] = [];
  for (const s of subs) got.push(await s.call('PSUBSCRIBE', '__keyevent@0__:*'));
  assert.equal(got[0], got[1]);
  const script: string[][] = [
    ['SADD', 's', 'a', 'b'], ['SADD', 's', 'a'], ['SREM', 's', 'a'], ['SMOVE', 's', 'd', 'b'], ['SADD', 'p', '1', '2', '3', '4'],
    ['SPOP', 'p'], ['SPOP', 'p', '1'], ['SPOP', 'p', '5'], ['SADD', 'a', '1'], ['SINTERSTORE', 'o', 'a', 'a'], ['SUNIONSTORE', 'o', 'a'],
    ['SDIFFSTORE', 'o', 'a'], ['SDIFFSTORE', 'o', 'a', 'a'], ['SREM', 'a', '1'], ['SET', 'done', '1'],
  ];
  for (const cmd of script) await Promise.all([r.call(...cmd), m.call(...cmd)]);
  // Read until the final 'set' event arrives on each side.
  const texts: string[][] = [];
  for (const s of subs) {
    const events: string[] = [];
    for (;;) {
      const { raw } = await s.readReply(3000);
      const n = parseRaw(raw);
      events.push(`${n.kids![2].body} ${n.kids![3].body}`);
      if (n.kids![3].body === 'done') break;
    }
    texts.push(events);
    s.close();
  }
  for (const c of [r, m]) await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  assert.deepEqual(texts[1], texts[0]);
});

test('full SSCAN iteration over a hashtable returns every member once or more', async () => {
  const { reddishClient: m, redisClient: r } = pair;
  for (const c of [r, m]) {
    await c.call('HELLO', '2');
    await c.call('FLUSHALL');
  }
  const members = Array.from({ length: 300 }, (_, i) => `m${i}`);
  for (const c of [r, m]) await c.call('SADD', 'h', ...members);
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const n = parseRaw(await m.call('SSCAN', 'h', cursor, 'COUNT', '7'));
    cursor = n.kids![0].body!;
    for (const k of n.kids![1].kids!) seen.add(k.body!);
    // Churn: members removed and added behind the scan do not disturb it.
    if (calls % 3 === 0) {
      await m.call('SREM', 'h', `m${calls}`);
      await m.call('SADD', 'h', `new${calls}`);
    }
    calls++;
  } while (cursor !== '0' && calls < 1000);
  assert.equal(cursor, '0');
  for (let i = 0; i < members.length; i++) {
    if (i % 3 === 0 && i < calls) continue; // removed during the scan
    assert.ok(seen.has(members[i]), `missing ${members[i]}`);
  }
});

test('DEBUG DIGEST-VALUE and MEMORY USAGE of sets agree with Redis', async () => {
  const r = pair.redisClient;
  await r.call('HELLO', '2');
  await r.call('FLUSHALL');
  VALUE_DIGESTS.set = setDigest;
  const cases: Array<[string, string[]]> = [
    ['i', ['1', '2', '3', '-7']], ['w', ['1', '100000', '-5']], ['l', ['1', '9223372036854775807']],
    ['h', ['a', 'b', 'c', '1']], ['e', ['']],
  ];
  for (const [k, ms] of cases) {
    await r.call('SADD', k, ...ms);
    const v = SetValue.from(ms, 512);
    const d = newDigest();
    const db = { keys: new Map(), expires: new Map() } as unknown as Database;
    xorObjectDigest(db, k, d, v);
    const want = parseRaw(await r.call('DEBUG', 'DIGEST-VALUE', k)).kids![0].line;
    assert.equal(hex(d), want, `digest of ${k}`);
    // MEMORY USAGE = objectComputeSize + the key's sds (8 for a one-letter key) + a dictEntry (24).
    for (let i = 0; i < 20; i++) await r.call('SISMEMBER', k, 'zz'); // lets a rehash finish
    const usage = Number(parseRaw(await r.call('MEMORY', 'USAGE', k)).line);
    assert.equal(setMemoryUsage(v, 5) + 32, usage, `MEMORY USAGE of ${k} (${v.encoding()})`);
  }
});

// ---- randomized mix ------------------------------------------------------------------

const SKEYS = ['s0', 's1', 's2', 's3', 'str'];
const POOL = [...INTS.slice(0, 12), 'a', 'b', 'c', 'hello', '', '\x00x', '9223372036854775807', '-1', '01'];

function members(r: Rng, lo: number, hi: number): string[] {
  return Array.from({ length: r.range(lo, hi) }, () => r.pick(POOL));
}

function genSetCommand(r: Rng): string[][] {
  const k = () => r.pick(SKEYS);
  const ks = (lo: number, hi: number) => Array.from({ length: r.range(lo, hi) }, k);
  return r.weighted<() => string[][]>([
    [() => [['SADD', k(), ...members(r, 1, 6)]], 8],
    [() => [['SREM', k(), ...members(r, 1, 4)]], 4],
    [() => [['SCARD', k()]], 2],
    [() => [['SISMEMBER', k(), r.pick(POOL)]], 2],
    [() => [['SMISMEMBER', k(), ...members(r, 1, 4)]], 2],
    [() => [['SMEMBERS', k()]], 3],
    [() => [['SMOVE', k(), k(), r.pick(POOL)]], 3],
    [() => [['SINTER', ...ks(1, 3)]], 2],
    [() => [['SINTERCARD', '2', k(), k(), ...(r.chance(0.5) ? ['LIMIT', String(r.int(4))] : [])]], 2],
    [() => [['SINTERSTORE', k(), ...ks(1, 3)]], 2],
    [() => [['SUNION', ...ks(1, 3)]], 2],
    [() => [['SUNIONSTORE', k(), ...ks(1, 3)]], 2],
    [() => [['SDIFF', ...ks(1, 3)]], 2],
    [() => [['SDIFFSTORE', k(), ...ks(1, 3)]], 2],
    [() => [['SSCAN', k(), '0', 'COUNT', '100', ...(r.chance(0.3) ? ['MATCH', r.pick(['*1*', 'a', '?', '-*'])] : [])]], 2],
    [() => [['SRANDMEMBER', k(), r.pick(['1000', '-3', '2', '0'])]], 2],
    [() => [['SPOP', k(), '1000']], 1],
    // A random pop on a scratch copy: shape compared, the compared dataset untouched.
    [() => { const src = k(); return [['SUNIONSTORE', 'tmp', src], ['SPOP', 'tmp', String(r.int(6))], ['SPOP', 'tmp'], ['DEL', 'tmp']]; }, 2],
    [() => [['OBJECT', 'ENCODING', k()]], 2],
    [() => [['TYPE', k()]], 1],
    [() => [['CONFIG', 'SET', 'set-max-intset-entries', r.pick(['3', '8', '512'])]], 1],
    [() => [['SET', 'str', r.pick(['x', '1'])]], 1],
    [() => [['COPY', k(), k(), 'REPLACE']], 1],
  ])();
}

test('a seeded random set command mix matches Redis 7.0', async () => {
  const seed = chooseSeed();
  const r = new Rng(seed);
  const cmds: string[][] = [['CONFIG', 'SET', 'set-max-intset-entries', '8']];
  for (let i = 0; i < 1500; i++) cmds.push(...genSetCommand(r));
  for (const k of SKEYS) cmds.push(['SMEMBERS', k], ['OBJECT', 'ENCODING', k], ['TYPE', k]);
  cmds.push(['CONFIG', 'SET', 'set-max-intset-entries', '512']);
  const d = await runScripts(pair, { [`random seed ${seed}`]: cmds }, { normalize });
  assert.equal(d.length, 0, `REDDISH_SEED=${seed}\n` + formatDivergences(d));
});
