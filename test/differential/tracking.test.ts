/**
 * Client-side caching (CLIENT TRACKING and friends), compared byte for byte
 * with Redis 7.0 over scripted sequences on three connections A, B and C.
 *
 * A step sends one or more commands on one connection in a single write,
 * followed by a `PING sync-N` marker; then every other connection is synced
 * with its own PING. Everything each connection received up to its marker's
 * answer is that step's transcript, so invalidation pushes are compared with
 * their exact position relative to command replies (a tracking client's own
 * invalidations follow its command's reply; BCAST ones come once the event
 * loop turn is over). Several commands in one step keep CLIENT CACHING's
 * "next command" meaning intact, since the marker PING would otherwise be
 * that next command.
 *
 * Client ids differ between the servers: `$A`, `$B`, `$C` in a command stand
 * for that connection's id, and ids in GETREDIR / TRACKINGINFO / CLIENT ID
 * replies and in tracking-redir-broken pushes are replaced by those names.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, show, type Pair } from './harness.js';
import { RawClient } from '../support/raw-client.js';
import type { RespValue } from '../../src/protocol/resp-value.js';

type Conn = 'A' | 'B' | 'C';
type Step =
  | { on: Conn; cmds: string[][]; ids?: boolean }
  | { sleep: number }
  | { close: Conn };

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

/** One step: commands pipelined on one connection. */
const on = (c: Conn, ...cmds: string[][]): Step => ({ on: c, cmds });
const A = (...cmd: string[]): Step => on('A', cmd);
const B = (...cmd: string[]): Step => on('B', cmd);
const C = (...cmd: string[]): Step => on('C', cmd);
/** A step whose integer replies are client ids. */
const Aid = (...cmd: string[]): Step => ({ on: 'A', cmds: [cmd], ids: true });

function isMarker(v: RespValue, tag: string): boolean {
  if (v.type === 'bulk') return v.value === tag;
  if (v.type === 'array' && v.value !== null && v.value.length === 2) {
    const [a, b] = v.value;
    return a.type === 'bulk' && a.value === 'pong' && b.type === 'bulk' && b.value === tag;
  }
  return false;
}

async function readUntilMarker(c: RawClient, tag: string): Promise<string> {
  let out = '';
  for (;;) {
    const r = await c.readReply(3000);
    if (isMarker(r.value, tag)) return out;
    out += r.raw;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a scenario on one server; returns one transcript per command step. */
async function runOn(port: number, steps: Step[], setup: Partial<Record<Conn, string[][]>>): Promise<string[]> {
  const conns: Record<Conn, RawClient> = {
    A: await RawClient.connect(port),
    B: await RawClient.connect(port),
    C: await RawClient.connect(port),
  };
  const ids = {} as Record<Conn, string>;
  const closed = new Set<Conn>();
  try {
    for (const n of ['A', 'B', 'C'] as Conn[]) {
      const r = await conns[n].call('CLIENT', 'ID');
      ids[n] = r.slice(1, -2);
    }
    await conns.A.call('FLUSHALL');
    await conns.A.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
    const subst = (a: string) => (a === '$A' || a === '$B' || a === '$C' ? ids[a.slice(1) as Conn] : a);
    for (const n of ['A', 'B', 'C'] as Conn[]) for (const cmd of setup[n] ?? []) await conns[n].call(...cmd.map(subst));
    const names = (s: string, all: boolean) => {
      const byId = new Map(Object.entries(ids).map(([k, v]) => [v, `$${k}`]));
      s = s.replace(/(redirect\r\n:|tracking-redir-broken\r\n:)(\d+)/g, (m, p, id) => p + (byId.get(id) ?? id));
      if (all) s = s.replace(/^:(\d+)\r\n/gm, (m, id) => `:${byId.get(id) ?? id}\r\n`);
      return s;
    };
    const out: string[] = [];
    let n = 0;
    for (const st of steps) {
      if ('sleep' in st) {
        await sleep(st.sleep);
        continue;
      }
      if ('close' in st) {
        conns[st.close].close();
        closed.add(st.close);
        await sleep(50);
        continue;
      }
      const me = conns[st.on];
      const tag = `sync-${++n}`;
      me.write(st.cmds.map((c) => RawClient.encode(c.map(subst))).join('') + RawClient.encode(['PING', tag]));
      const parts = [`${st.on}:${names(await readUntilMarker(me, tag), st.ids === true)}`];
      for (const o of ['A', 'B', 'C'] as Conn[]) {
        if (o === st.on || closed.has(o)) continue;
        const t = `sync-${++n}`;
        conns[o].write(RawClient.encode(['PING', t]));
        parts.push(`${o}:${names(await readUntilMarker(conns[o], t), false)}`);
      }
      out.push(parts.join(' '));
    }
    return out;
  } finally {
    for (const c of Object.values(conns)) c.close();
    await sleep(20);
  }
}

async function compare(name: string, steps: Step[], setup: Partial<Record<Conn, string[][]>> = {}): Promise<void> {
  const [a, b] = await Promise.all([runOn(pair.redis.port, steps, setup), runOn(pair.reddish.port, steps, setup)]);
  const cmds = steps.filter((s) => 'on' in s) as Array<{ on: Conn; cmds: string[][] }>;
  const problems: string[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      problems.push(`[${name}] step ${i} ${cmds[i].on} ${JSON.stringify(cmds[i].cmds)}\n   redis:   ${show(a[i])}\n   reddish: ${show(b[i])}`);
    }
  }
  assert.equal(problems.length, 0, problems.slice(0, 15).join('\n'));
}

const RESP3: string[][] = [['HELLO', '3']];

test('default mode in RESP3: reads remembered, writes invalidate, own writes after the reply', async () => {
  await compare(
    'default',
    [
      A('CLIENT', 'TRACKING', 'ON'),
      A('CLIENT', 'TRACKINGINFO'),
      Aid('CLIENT', 'GETREDIR'),
      A('GET', 'k'),
      B('SET', 'k', 'v1'),
      B('SET', 'k', 'v2'),
      A('GET', 'k'),
      A('MGET', 'a', 'b', 'c'),
      B('MSET', 'a', '1', 'b', '2', 'x', '3'),
      B('DEL', 'nonexistent', 'c'),
      A('EXISTS', 'c'),
      A('STRLEN', 'k'),
      A('TTL', 'missing'),
      B('LPUSH', 'c', 'x'),
      B('SET', 'missing', '1'),
      A('SET', 'k', 'mine'),
      A('GET', 'k'),
      A('APPEND', 'k', '!'),
      // a transaction: the invalidations follow EXEC's whole reply
      on('A', ['GET', 'k'], ['MULTI'], ['GET', 'k'], ['SET', 'k', 'in-multi'], ['GET', 'k'], ['INCR', 'n'], ['EXEC']),
      B('SET', 'k', 'after'),
      // wrong-type reads are remembered too
      A('LRANGE', 'k', '0', '-1'),
      B('DEL', 'k'),
      A('HGETALL', 'h'),
      A('ZRANGE', 'z', '0', '-1'),
      A('SMEMBERS', 's'),
      B('HSET', 'h', 'f', 'v'),
      B('ZADD', 'z', '1', 'm'),
      B('SADD', 's', 'm'),
      A('GET', 'k'),
      B('RENAME', 'h', 'k'),
      A('GET', 'a'),
      A('GET', 'b'),
      A('FLUSHALL'),
      B('SET', 'a', '1'),
      A('GET', 'a'),
      B('FLUSHDB'),
      B('SET', 'a', '1'),
      A('GET', 'a'),
      B('SELECT', '1'),
      B('SET', 'a', 'other-db'),
      B('FLUSHALL'),
      A('CLIENT', 'TRACKING', 'OFF'),
      A('CLIENT', 'TRACKINGINFO'),
      Aid('CLIENT', 'GETREDIR'),
      B('SET', 'a', '2'),
    ],
    { A: RESP3 },
  );
});

test('RESP2 without redirect: tracking is on but nothing can be pushed', async () => {
  await compare('resp2', [
    A('CLIENT', 'TRACKING', 'ON'),
    A('GET', 'k'),
    B('SET', 'k', '1'),
    A('CLIENT', 'TRACKINGINFO'),
    A('FLUSHALL'),
    Aid('CLIENT', 'GETREDIR'),
  ]);
});

test('BCAST with prefixes, NOLOOP, prefix errors', async () => {
  await compare(
    'bcast',
    [
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'b'),
      A('CLIENT', 'TRACKINGINFO'),
      B('SET', 'a1', 'x'),
      B('MSET', 'a2', 'x', 'b1', 'y', 'c1', 'z'),
      B('DEL', 'a1', 'a2', 'c1'),
      A('SET', 'a3', '1'),
      A('GET', 'b1'),
      on('B', ['SET', 'b9', '1'], ['SET', 'b2', '1'], ['SET', 'a9', '1'], ['SET', 'b2', '2'], ['SET', 'c9', '1']),
      on('B', ['MULTI'], ['SET', 'b2', '1'], ['SET', 'a9', '1'], ['SET', 'b0', '1'], ['EXEC']),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'c', 'NOLOOP'),
      A('CLIENT', 'TRACKINGINFO'),
      A('SET', 'c1', '1'),
      B('SET', 'c2', '2'),
      A('MSET', 'c3', '1', 'a5', '2'),
      on('A', ['SET', 'a6', '1']),
      on('B', ['SET', 'a6', '2']),
      // a key changed by both: NOLOOP keeps it unless the client changed it last
      on('A', ['SET', 'a7', '1'], ['SET', 'a8', '1']),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'cd'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'xy'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'x'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', '', 'PREFIX', 'q'),
      A('CLIENT', 'TRACKING', 'ON'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTIN'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTOUT'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'd', 'PREFIX', 'e'),
      A('CLIENT', 'TRACKINGINFO'),
      C('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a'),
      B('SET', 'a1', 'both'),
      B('SET', 'e1', 'one'),
      A('FLUSHALL'),
      A('CLIENT', 'TRACKING', 'OFF'),
      A('CLIENT', 'TRACKINGINFO'),
      B('SET', 'a1', 'C only'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST'),
      A('CLIENT', 'TRACKINGINFO'),
      B('SET', 'zz', '1'),
      B('SET', '', 'empty key'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'q'),
      C('CLIENT', 'TRACKING', 'OFF'),
      B('FLUSHALL'),
    ],
    { A: RESP3, C: RESP3 },
  );
});

test('OPTIN / OPTOUT with CLIENT CACHING', async () => {
  await compare(
    'optin-optout',
    [
      A('CLIENT', 'TRACKING', 'ON', 'OPTIN'),
      A('GET', 'r'),
      B('SET', 'r', '1'),
      on('A', ['CLIENT', 'CACHING', 'YES'], ['GET', 'r']),
      B('SET', 'r', '2'),
      on('A', ['CLIENT', 'CACHING', 'YES'], ['CLIENT', 'TRACKINGINFO'], ['GET', 'r'], ['GET', 's']),
      B('MSET', 'r', '3', 's', '3'),
      // CACHING covers a whole transaction, and may be queued inside it
      on('A', ['CLIENT', 'CACHING', 'YES'], ['MULTI'], ['GET', 'm1'], ['GET', 'm2'], ['EXEC'], ['GET', 'm3']),
      B('MSET', 'm1', '1', 'm2', '1', 'm3', '1'),
      on('A', ['MULTI'], ['CLIENT', 'CACHING', 'YES'], ['GET', 'q1'], ['EXEC']),
      B('SET', 'q1', '1'),
      A('CLIENT', 'CACHING', 'NO'),
      A('CLIENT', 'CACHING', 'MAYBE'),
      A('CLIENT', 'CACHING', 'YES'),
      A('CLIENT', 'TRACKINGINFO'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTOUT'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTIN', 'NOLOOP'),
      A('CLIENT', 'TRACKINGINFO'),
      A('CLIENT', 'TRACKING', 'OFF'),
      A('CLIENT', 'CACHING', 'YES'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTOUT'),
      A('GET', 'n'),
      B('SET', 'n', '1'),
      on('A', ['CLIENT', 'CACHING', 'NO'], ['GET', 'n'], ['GET', 'o']),
      B('MSET', 'n', '2', 'o', '2'),
      on('A', ['CLIENT', 'CACHING', 'NO'], ['CLIENT', 'TRACKINGINFO'], ['PING'], ['GET', 'p']),
      B('SET', 'p', '1'),
      A('CLIENT', 'CACHING', 'YES'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTIN'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'),
    ],
    { A: RESP3 },
  );
});

test('NOLOOP in default mode, and expiry', async () => {
  await compare(
    'noloop',
    [
      A('CLIENT', 'TRACKING', 'ON', 'NOLOOP'),
      A('CLIENT', 'TRACKINGINFO'),
      A('GET', 'k'),
      A('SET', 'k', '1'),
      A('GET', 'k'),
      B('SET', 'k', '2'),
      A('MGET', 'k', 'j'),
      on('A', ['MULTI'], ['SET', 'k', '3'], ['GET', 'j'], ['EXEC']),
      C('SET', 'j', '1'),
      // a key that expires: the deletion invalidates it
      B('SET', 'e', 'v', 'PX', '30'),
      A('GET', 'e'),
      C('GET', 'e'),
      { sleep: 300 },
      A('GET', 'e'),
      C('CLIENT', 'TRACKING', 'ON'),
      B('SET', 'e2', 'v', 'PX', '30'),
      C('GET', 'e2'),
      // long enough for the active expiry cycle of both servers to delete it
      { sleep: 400 },
      C('GET', 'e2'),
      B('SET', 'e2', 'again'),
    ],
    { A: RESP3, C: RESP3 },
  );
});

test('REDIRECT to a RESP2 subscriber, to a RESP3 client, and a broken redirect', async () => {
  await compare(
    'redirect',
    [
      B('SUBSCRIBE', '__redis__:invalidate'),
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$B'),
      Aid('CLIENT', 'GETREDIR'),
      A('CLIENT', 'TRACKINGINFO'),
      A('GET', 'k'),
      A('MGET', 'k', 'j'),
      A('SET', 'k', '1'),
      C('SET', 'j', '1'),
      A('GET', 'k'),
      A('FLUSHALL'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'REDIRECT', '$B'),
      A('CLIENT', 'TRACKING', 'OFF'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'REDIRECT', '$B', 'PREFIX', 'k', 'NOLOOP'),
      A('SET', 'k2', '1'),
      C('SET', 'k3', '1'),
      A('CLIENT', 'TRACKING', 'OFF'),
      // redirect to C, a RESP3 client not subscribed: pushes
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$C'),
      A('GET', 'x'),
      B('UNSUBSCRIBE'),
      B('SET', 'x', '1'),
      A('GET', 'x'),
      A('FLUSHDB'),
      A('GET', 'x'),
      { close: 'C' },
      B('SET', 'x', '2'),
      A('CLIENT', 'TRACKINGINFO'),
      A('GET', 'x'),
      A('SET', 'x', '3'),
      // a RESP2 redirect target that is not subscribed gets nothing
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$B'),
      A('CLIENT', 'TRACKINGINFO'),
      A('GET', 'y'),
      A('SET', 'y', '1'),
    ],
    { A: RESP3, C: RESP3 },
  );
});

test('REDIRECT from a RESP2 client', async () => {
  await compare('redirect-resp2', [
    B('SUBSCRIBE', '__redis__:invalidate', 'other'),
    A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$B'),
    A('GET', 'k'),
    C('SET', 'k', '1'),
    A('FLUSHALL'),
    A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$B', 'NOLOOP'),
    A('GET', 'k'),
    A('SET', 'k', '2'),
    A('GET', 'k'),
    C('SET', 'k', '3'),
  ]);
});

test('CLIENT TRACKING argument errors', async () => {
  await compare(
    'errors',
    [
      A('CLIENT', 'TRACKING'),
      A('CLIENT', 'TRACKING', 'MAYBE'),
      A('CLIENT', 'TRACKING', 'MAYBE', 'FOO'),
      A('CLIENT', 'TRACKING', 'ON', 'FOO'),
      A('CLIENT', 'TRACKING', 'ON', 'PREFIX'),
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT'),
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc'),
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'),
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '-1'),
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '999999'),
      A('CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$B', 'REDIRECT', '$B'),
      A('CLIENT', 'TRACKING', 'ON', 'PREFIX', 'x'),
      A('CLIENT', 'TRACKING', 'OFF', 'PREFIX', 'x'),
      A('CLIENT', 'TRACKING', 'OFF', 'FOO'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN', 'OPTOUT'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'),
      A('CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a', 'BCAST', 'PREFIX', 'ab'),
      A('CLIENT', 'TRACKINGINFO'),
      A('CLIENT', 'TRACKING', 'on', 'optin', 'noloop', 'redirect', '$B'),
      A('CLIENT', 'TRACKINGINFO'),
      A('CLIENT', 'TRACKING', 'ON', 'OPTOUT'),
      A('CLIENT', 'TRACKING', 'ON', 'BCAST'),
      A('CLIENT', 'CACHING'),
      A('CLIENT', 'CACHING', 'YES', 'NO'),
      A('CLIENT', 'GETREDIR', 'X'),
      A('CLIENT', 'TRACKINGINFO', 'X'),
      A('CLIENT', 'TRACKING', 'OFF'),
      A('CLIENT', 'CACHING', 'NO'),
      A('CLIENT', 'TRACKING', 'OFF'),
    ],
    { A: RESP3 },
  );
});
