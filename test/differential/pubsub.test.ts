/**
 * Pub/Sub and keyspace notifications, compared byte for byte with Redis 7.0.
 *
 * Each scenario runs on two connections per server, a subscriber (S) and a
 * publisher (P), in RESP2 and in RESP3. After every step both connections are
 * synchronised with a `PING sync-N` (which also exercises PING's subscribed
 * form), and everything each received up to and including the PING's answer is
 * that step's transcript. Transcripts are compared raw, except where Redis's
 * order is its hash tables' order (UNSUBSCRIBE/SUNSUBSCRIBE from all, PUBSUB
 * CHANNELS, several patterns matching one channel): those are compared as
 * sorted lists.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, show, type Pair } from './harness.js';
import { RawClient } from '../support/raw-client.js';
import type { RespValue } from '../../src/protocol/resp-value.js';

type Norm = 'sortReplies' | 'sortArray' | 'unsubAll';
type Step =
  | { on: 'S' | 'P'; cmd: string[]; norm?: Norm; /** read exactly this many replies, no sync (inside MULTI) */ replies?: number }
  | { sleep: number };

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

const S = (...cmd: string[]): Step => ({ on: 'S', cmd });
const P = (...cmd: string[]): Step => ({ on: 'P', cmd });
const Sn = (norm: Norm, ...cmd: string[]): Step => ({ on: 'S', cmd, norm });
const Pn = (norm: Norm, ...cmd: string[]): Step => ({ on: 'P', cmd, norm });

function isMarker(v: RespValue, tag: string): boolean {
  if (v.type === 'bulk') return v.value === tag;
  if (v.type === 'array' && v.value !== null && v.value.length === 2) {
    const [a, b] = v.value;
    return a.type === 'bulk' && a.value === 'pong' && b.type === 'bulk' && b.value === tag;
  }
  return false;
}

interface Got {
  raw: string;
  value: RespValue;
}

async function sync(c: RawClient, tag: string): Promise<Got[]> {
  c.write(RawClient.encode(['PING', tag]));
  const out: Got[] = [];
  for (;;) {
    const r = await c.readReply(3000);
    out.push(r);
    if (isMarker(r.value, tag)) return out;
  }
}

function bulkOf(v: RespValue | undefined): string | null {
  return v !== undefined && v.type === 'bulk' ? v.value : null;
}

function items(v: RespValue): RespValue[] | null {
  if ((v.type === 'array' || v.type === 'push') && v.value !== null) return v.value;
  return null;
}

function normalize(got: Got[], norm: Norm | undefined): string {
  if (norm === undefined) return got.map((g) => g.raw).join('');
  if (norm === 'sortReplies') return JSON.stringify(got.map((g) => g.raw).sort());
  if (norm === 'sortArray') {
    return JSON.stringify(
      got.map((g) => {
        const it = items(g.value);
        if (it === null) return g.raw;
        return g.raw.slice(0, g.raw.indexOf('\r\n') + 2) + JSON.stringify(it.map((x) => bulkOf(x) ?? '?').sort());
      }),
    );
  }
  // unsubAll: the channel names in sorted order, each reply with its name blanked (counts stay in order).
  const names: string[] = [];
  const shapes = got.map((g) => {
    const it = items(g.value);
    const name = it !== null && it.length === 3 ? bulkOf(it[1]) : null;
    if (name === null) return g.raw;
    names.push(name);
    return g.raw.replace(`$${name.length}\r\n${name}\r\n`, '$?\r\n');
  });
  return JSON.stringify({ names: names.sort(), shapes });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a scenario on one server; returns one transcript per step (S then P). */
async function runOn(port: number, steps: Step[], resp: 2 | 3, setup: string[][]): Promise<string[]> {
  const s = await RawClient.connect(port);
  const p = await RawClient.connect(port);
  try {
    await s.call('HELLO', String(resp));
    await p.call('HELLO', String(resp));
    await p.call('FLUSHALL');
    await p.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    for (const cmd of setup) await p.call(...cmd);
    const out: string[] = [];
    let n = 0;
    for (const st of steps) {
      if ('sleep' in st) {
        await sleep(st.sleep);
        continue;
      }
      const [me, other] = st.on === 'S' ? [s, p] : [p, s];
      if (st.replies !== undefined) {
        me.write(RawClient.encode(st.cmd));
        let t = '';
        for (let i = 0; i < st.replies; i++) t += (await me.readReply(3000)).raw;
        out.push(t);
        continue;
      }
      me.write(RawClient.encode(st.cmd));
      const mine = await sync(me, `sync-${++n}`);
      const theirs = await sync(other, `sync-${++n}`);
      const [gs, gp] = st.on === 'S' ? [mine, theirs] : [theirs, mine];
      out.push(`S:${normalize(gs, st.norm)} P:${normalize(gp, st.norm)}`);
    }
    return out;
  } finally {
    await p.call('CONFIG', 'SET', 'notify-keyspace-events', '').catch(() => undefined);
    s.close();
    p.close();
  }
}

async function compare(name: string, steps: Step[], setup: string[][] = [], resps: Array<2 | 3> = [2, 3]): Promise<void> {
  const problems: string[] = [];
  for (const resp of resps) {
    const [a, b] = await Promise.all([
      runOn(pair.redis.port, steps, resp, setup),
      runOn(pair.reddish.port, steps, resp, setup),
    ]);
    const cmds = steps.filter((s) => !('sleep' in s)) as Array<{ on: string; cmd: string[] }>;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        problems.push(`[${name} RESP${resp}] step ${i} ${cmds[i].on} ${JSON.stringify(cmds[i].cmd)}\n   redis:   ${show(a[i])}\n   reddish: ${show(b[i])}`);
      }
    }
  }
  assert.equal(problems.length, 0, problems.slice(0, 15).join('\n'));
}

// Cleanup between tests: a fresh connection pair each time, so the
// previous scenario's subscriptions are gone once its connections close.
async function settle(): Promise<void> {
  await sleep(50);
}

test('SUBSCRIBE / PSUBSCRIBE / PUBLISH / UNSUBSCRIBE and introspection', async () => {
  await compare('basic', [
    S('SUBSCRIBE', 'a', 'b', 'c'),
    S('SUBSCRIBE', 'a'),
    P('PUBLISH', 'a', 'hello'),
    P('PUBLISH', 'zz', 'nobody'),
    S('PSUBSCRIBE', 'a*', 'news.*'),
    S('PSUBSCRIBE', 'a*'),
    P('PUBLISH', 'a', 'both'),
    P('PUBLISH', 'news.tech', 'x'),
    P('PUBLISH', 'abc', ''),
    P('PUBSUB', 'NUMSUB', 'a', 'b', 'zz', 'a*'),
    P('PUBSUB', 'NUMSUB'),
    P('PUBSUB', 'NUMPAT'),
    Pn('sortArray', 'PUBSUB', 'CHANNELS'),
    Pn('sortArray', 'PUBSUB', 'CHANNELS', '[ab]'),
    P('PUBSUB', 'CHANNELS', 'nomatch*'),
    P('PUBSUB', 'HELP'),
    P('pubsub', 'numpat'),
    S('PING'),
    S('PING', 'hi there'),
    S('GET', 'a'),
    S('SET', 'k', 'v'),
    S('PUBSUB', 'NUMSUB', 'a'),
    S('CONFIG', 'GET', 'maxmemory'),
    S('NOSUCHCOMMAND', 'x'),
    S('PING', 'a', 'b'),
    S('UNSUBSCRIBE', 'b'),
    S('UNSUBSCRIBE', 'nonexistent'),
    S('PUNSUBSCRIBE', 'news.*', 'nope*'),
    P('PUBLISH', 'b', 'gone'),
    P('PUBLISH', 'news.tech', 'gone'),
    Sn('unsubAll', 'UNSUBSCRIBE'),
    P('PUBSUB', 'NUMPAT'),
    S('PUNSUBSCRIBE'),
    S('UNSUBSCRIBE'),
    S('PUNSUBSCRIBE'),
    S('SUNSUBSCRIBE'),
    S('PING'),
    S('GET', 'a'),
    P('PUBLISH', 'a', 'nobody'),
    P('PUBSUB', 'NUMPAT'),
    P('PUBSUB', 'CHANNELS'),
  ]);
  await settle();
});

test('several patterns matching one channel, resubscription order', async () => {
  await compare('patterns', [
    S('PSUBSCRIBE', 'h?llo', 'h[ae]llo', 'h*', '*'),
    Pn('sortReplies', 'PUBLISH', 'hello', 'm1'),
    Pn('sortReplies', 'PUBLISH', 'hallo', 'm2'),
    P('PUBSUB', 'NUMPAT'),
    S('PUNSUBSCRIBE', 'h*'),
    S('PSUBSCRIBE', 'h*'),
    S('PUNSUBSCRIBE'),
    S('PSUBSCRIBE', 'h\\*', 'x[^a-c]y'),
    P('PUBLISH', 'h*', 'lit'),
    P('PUBLISH', 'hx', 'no'),
    P('PUBLISH', 'xdy', 'neg'),
    P('PUBLISH', 'xby', 'no'),
    S('PUNSUBSCRIBE', 'x[^a-c]y'),
    S('PUNSUBSCRIBE'),
  ]);
  await settle();
});

test('shard channels: SSUBSCRIBE / SPUBLISH / SUNSUBSCRIBE / PUBSUB SHARD*', async () => {
  await compare('shard', [
    S('SSUBSCRIBE', 's1', 's2'),
    S('SSUBSCRIBE', 's1'),
    S('SUBSCRIBE', 'c1'),
    S('PSUBSCRIBE', 's*'),
    P('SPUBLISH', 's1', 'm'),
    P('PUBLISH', 's1', 'm'),
    P('SPUBLISH', 'c1', 'm'),
    P('SPUBLISH', 'none', 'm'),
    Pn('sortArray', 'PUBSUB', 'SHARDCHANNELS'),
    P('PUBSUB', 'SHARDCHANNELS', 's2'),
    P('PUBSUB', 'SHARDNUMSUB', 's1', 's2', 's3', 'c1'),
    P('PUBSUB', 'NUMSUB', 's1', 'c1'),
    Pn('sortArray', 'PUBSUB', 'CHANNELS'),
    S('SUNSUBSCRIBE', 's1', 'zz'),
    Sn('unsubAll', 'SUNSUBSCRIBE'),
    S('SUNSUBSCRIBE'),
    S('PING'),
    S('UNSUBSCRIBE'),
    S('PING'),
    S('PUNSUBSCRIBE'),
    S('PING'),
    P('PUBSUB', 'SHARDNUMSUB'),
  ]);
  await settle();
});

test('RESET leaves the subscribed context', async () => {
  await compare('reset', [
    S('SUBSCRIBE', 'a', 'b'),
    S('PSUBSCRIBE', 'p*'),
    S('SSUBSCRIBE', 'sh'),
    S('RESET'),
    P('PUBLISH', 'a', 'x'),
    P('PUBLISH', 'pp', 'x'),
    P('SPUBLISH', 'sh', 'x'),
    P('PUBSUB', 'NUMPAT'),
    P('PUBSUB', 'CHANNELS'),
    P('PUBSUB', 'SHARDCHANNELS'),
    S('GET', 'a'),
    S('PING'),
  ]);
  await settle();
});

test('MULTI with SUBSCRIBE and SSUBSCRIBE; argument errors', async () => {
  await compare('multi', [
    { on: 'S', cmd: ['MULTI'], replies: 1 },
    { on: 'S', cmd: ['SUBSCRIBE', 'x'], replies: 1 },
    { on: 'S', cmd: ['SSUBSCRIBE', 'y'], replies: 1 },
    { on: 'S', cmd: ['PSUBSCRIBE', 'z*'], replies: 1 },
    { on: 'S', cmd: ['EXEC'], replies: 1 },
    P('PUBLISH', 'x', '1'),
    P('PUBLISH', 'zz', '2'),
    S('UNSUBSCRIBE'),
    S('PUNSUBSCRIBE'),
    S('SUBSCRIBE'),
    S('PSUBSCRIBE'),
    S('SSUBSCRIBE'),
    P('PUBLISH', 'a'),
    P('PUBLISH', 'a', 'b', 'c'),
    P('SPUBLISH', 'a'),
    P('PUBSUB'),
    P('PUBSUB', 'FOO'),
    P('PUBSUB', 'CHANNELS', 'a', 'b'),
    P('PUBSUB', 'SHARDCHANNELS', 'a', 'b'),
    P('PUBSUB', 'NUMPAT', 'x'),
    P('PUBSUB', 'HELP', 'x'),
  ]);
  await settle();
});

test('binary channel names and messages', async () => {
  await compare('binary', [
    S('SUBSCRIBE', 'ch\x00\xff', ''),
    S('PSUBSCRIBE', 'ch\x00*'),
    P('PUBLISH', 'ch\x00\xff', 'm\r\n\x00\xfe'),
    P('PUBLISH', '', 'empty channel'),
    P('PUBSUB', 'NUMSUB', 'ch\x00\xff', ''),
    Sn('unsubAll', 'UNSUBSCRIBE'),
    S('PUNSUBSCRIBE'),
  ]);
  await settle();
});

// ---- keyspace notifications ------------------------------------------------

const KS_SCRIPT: Step[] = [
  S('PSUBSCRIBE', '__key*__:*'),
  P('SET', 'foo', 'bar'),
  P('SET', 'foo', 'bar', 'EX', '100'),
  P('SET', 'foo', 'baz', 'KEEPTTL'),
  P('SET', 'foo', 'x', 'NX'),
  P('SET', 'foo', 'y', 'XX', 'GET'),
  P('SETEX', 'k2', '100', 'v'),
  P('PSETEX', 'k3', '100000', 'v'),
  P('SETNX', 'k4', 'v'),
  P('SETNX', 'k4', 'v'),
  P('MSET', 'm1', '1', 'm2', '2'),
  P('MSETNX', 'm3', '1', 'm4', '2'),
  P('GETSET', 'm1', '5'),
  P('GETDEL', 'm2'),
  P('GETDEL', 'm2'),
  P('GETEX', 'm3', 'EX', '100'),
  P('GETEX', 'm3', 'PERSIST'),
  P('GETEX', 'm3'),
  P('APPEND', 'ap', 'x'),
  P('APPEND', 'ap', 'y'),
  P('INCR', 'n'),
  P('DECR', 'n'),
  P('INCRBY', 'n', '5'),
  P('DECRBY', 'n', '2'),
  P('INCRBYFLOAT', 'n', '1.5'),
  P('SETRANGE', 'sr', '3', 'abc'),
  P('SETBIT', 'bits', '7', '1'),
  P('BITOP', 'OR', 'dest', 'bits', 'sr'),
  P('BITFIELD', 'bf', 'SET', 'u8', '0', '255'),
  P('EXPIRE', 'foo', '100'),
  P('PEXPIRE', 'foo', '100000'),
  P('EXPIREAT', 'foo', '4102444800'),
  P('PERSIST', 'foo'),
  P('PERSIST', 'foo'),
  P('EXPIRE', 'k2', '-1'),
  P('RENAME', 'foo', 'foo2'),
  P('RENAMENX', 'foo2', 'foo3'),
  P('COPY', 'foo3', 'foo4'),
  P('MOVE', 'foo4', '1'),
  P('DEL', 'foo3', 'nokey', 'k3'),
  P('UNLINK', 'k4'),
  P('SET', 'sorted', 'x'),
  P('SORT', 'nolist', 'STORE', 'sorted'),
  P('SORT', 'nolist', 'STORE', 'sorted'),
  P('GET', 'nokey'),
  P('SELECT', '1'),
  P('SET', 'in1', 'v'),
  P('SELECT', '0'),
  P('DEBUG', 'SET-ACTIVE-EXPIRE', '0'),
  // A TTL long enough that the SET and both sync PINGs are done before it passes
  // (CI saw the key already expired when the subscriber's PING ran with PX 1).
  P('SET', 'lazy', 'v', 'PX', '40'),
  { sleep: 80 },
  P('GET', 'lazy'),
  P('DEBUG', 'SET-ACTIVE-EXPIRE', '1'),
  P('SET', 'active', 'v', 'PX', '20'),
  { sleep: 400 },
  P('EXISTS', 'active'),
  P('FLUSHALL'),
];

for (const flags of ['KEA', 'AKE', 'K$', 'Eg', 'Kx', 'E$gx', 'KA', 'gE', 'KEl', 'A']) {
  test(`keyspace notifications with notify-keyspace-events ${flags}`, async () => {
    await compare(`ks-${flags}`, [P('CONFIG', 'GET', 'notify-keyspace-events'), ...KS_SCRIPT], [['CONFIG', 'SET', 'notify-keyspace-events', flags]]);
    await settle();
  });
}

// keymiss (m) and new (n) come from Redis's lookupKeyRead and dbAdd (keyspace.ts lookupRead, set, moveKey).
for (const flags of ['KEm', 'KEn', 'KEAmn']) {
  test(`keyspace notifications with notify-keyspace-events ${flags}`, async () => {
    await compare(`ks-${flags}`, [P('CONFIG', 'GET', 'notify-keyspace-events'), ...KS_SCRIPT], [['CONFIG', 'SET', 'notify-keyspace-events', flags]]);
    await settle();
  });
}

test('RESP3 subscriber gets its own keyspace events as pushes', async () => {
  await compare(
    'self',
    [S('SUBSCRIBE', '__keyevent@0__:set'), S('SET', 'a', 'b'), S('GET', 'a'), S('INCR', 'n'), S('UNSUBSCRIBE')],
    [['CONFIG', 'SET', 'notify-keyspace-events', 'E$']],
    [3],
  );
});

test('notify-keyspace-events canonical form', async () => {
  const cases = ['', 'KEA', 'AKE', 'gx$lshzetdn', 'An', 'Am', 'mEK', 'K', 'xgKE', 'KEA$', 'Ag$lshzxeKEtmdn', 'KEb', 'nd'];
  const problems: string[] = [];
  for (const v of cases) {
    for (const c of [pair.redisClient, pair.reddishClient]) await c.call('HELLO', '2');
    const set = await Promise.all([pair.redisClient, pair.reddishClient].map((c) => c.call('CONFIG', 'SET', 'notify-keyspace-events', v)));
    const get = await Promise.all([pair.redisClient, pair.reddishClient].map((c) => c.call('CONFIG', 'GET', 'notify-keyspace-events')));
    if (set[0] !== set[1]) problems.push(`SET ${v}: ${show(set[0])} vs ${show(set[1])}`);
    if (get[0] !== get[1]) problems.push(`GET after ${v}: ${show(get[0])} vs ${show(get[1])}`);
  }
  for (const c of [pair.redisClient, pair.reddishClient]) await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  assert.equal(problems.length, 0, problems.join('\n'));
});
