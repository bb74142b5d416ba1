/**
 * Blocking XREAD and XREADGROUP against Redis 7.0.15, with several raw
 * clients per server, in RESP2 and RESP3: woken by XADD from another client,
 * `$`, timeouts, BLOCK 0, several streams, several clients on one stream (who
 * gets what), MULTI, CLIENT UNBLOCK, and what a blocked XREADGROUP gets when
 * its stream is deleted, replaced or renamed, or its group destroyed.
 *
 * Steps are synchronised on the server's own count of blocked clients (INFO
 * clients), never on sleeps; a client that should be blocked but is not shows
 * up as a transcript difference, not as a hang.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { show, type Pair } from './harness.js';
import { normalizeStreamReply, streamPair } from './stream-generator.js';
import { RawClient } from '../support/raw-client.js';

let pair: Pair;
before(async () => {
  pair = await streamPair();
});
after(async () => {
  await pair?.stop();
});

type Step =
  /** Send and read the reply now. */
  | { c: string; call: string[] }
  /** Send a command that should block; its reply is read by a later `read`. */
  | { c: string; send: string[] }
  /** Read the reply of an earlier `send`. */
  | { c: string; read: true }
  /** Wait until the server counts this many blocked clients (up to 3 s, then note it). */
  | { blocked: number }
  /** CLIENT UNBLOCK of client `target`, sent by `c`. */
  | { c: string; unblock: string; how?: 'TIMEOUT' | 'ERROR' };

const call = (c: string, ...cmd: string[]): Step => ({ c, call: cmd });
const send = (c: string, ...cmd: string[]): Step => ({ c, send: cmd });
const read = (c: string): Step => ({ c, read: true });
const blocked = (n: number): Step => ({ blocked: n });

async function blockedClients(ctl: RawClient): Promise<number> {
  const raw = await ctl.call('INFO', 'clients');
  const m = /blocked_clients:(\d+)/.exec(raw);
  return m ? Number(m[1]) : -1;
}

/** Runs the steps on one server; returns one transcript line per step that produces output. */
async function run(port: number, resp: '2' | '3', steps: Step[]): Promise<string[]> {
  const clients = new Map<string, RawClient>();
  const pending = new Map<string, string[]>();
  /** Clients whose sent command is not answered yet, and answers that came while they should have been blocked. */
  const awaiting = new Set<string>();
  const early = new Map<string, string>();
  const ids = new Map<string, string>();
  const ctl = await RawClient.connect(port);
  const client = async (name: string): Promise<RawClient> => {
    let c = clients.get(name);
    if (!c) {
      c = await RawClient.connect(port);
      clients.set(name, c);
      await c.call('HELLO', resp);
      const id = await c.call('CLIENT', 'ID');
      ids.set(name, id.slice(1, -2));
    }
    return c;
  };
  const out: string[] = [];
  try {
    await ctl.call('FLUSHALL');
    for (const st of steps) {
      if ('blocked' in st) {
        const end = Date.now() + 3000;
        let n = await blockedClients(ctl);
        while (n !== st.blocked && Date.now() < end && early.size === 0) {
          await new Promise((r) => setTimeout(r, 5));
          // A client that answered already will not block: no use waiting for the count.
          for (const name of awaiting) {
            const r = await clients.get(name)!.readReply(1).then((x) => x.raw, () => null);
            if (r !== null) early.set(name, r);
          }
          n = await blockedClients(ctl);
        }
        out.push(`blocked_clients ${n === st.blocked ? 'reached' : `is ${n}, not`} ${st.blocked}`);
        // Out of step: what follows would only wait and differ.
        if (n !== st.blocked) break;
        continue;
      }
      const c = await client(st.c);
      if ('call' in st) {
        out.push(`${st.c} ${JSON.stringify(st.call)} → ${normalizeStreamReply(await c.call(...st.call), st.call)}`);
      } else if ('send' in st) {
        c.write(RawClient.encode(st.send));
        pending.set(st.c, st.send);
        awaiting.add(st.c);
      } else if ('read' in st) {
        const cmd = pending.get(st.c) ?? [];
        const r = early.get(st.c) ?? (await c.readReply(5000).then((x) => x.raw, (e: Error) => `<${e.message}>`));
        early.delete(st.c);
        awaiting.delete(st.c);
        out.push(`${st.c} reads ${JSON.stringify(cmd)} → ${normalizeStreamReply(r, cmd)}`);
        if (r.startsWith('<')) break;
      } else {
        await client(st.unblock);
        const cmd = ['CLIENT', 'UNBLOCK', ids.get(st.unblock) ?? '?', ...(st.how ? [st.how] : [])];
        out.push(`${st.c} CLIENT UNBLOCK ${st.unblock} ${st.how ?? ''} → ${await c.call(...cmd)}`);
      }
    }
    return out;
  } finally {
    for (const c of clients.values()) c.close();
    ctl.close();
  }
}

async function same(scenarios: Record<string, Step[]>): Promise<void> {
  const problems: string[] = [];
  for (const resp of ['2', '3'] as const) {
    for (const [name, steps] of Object.entries(scenarios)) {
      const [a, b] = await Promise.all([run(pair.redis.port, resp, steps), run(pair.reddish.port, resp, steps)]);
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i] !== b[i]) {
          problems.push(`[${name} RESP${resp}] line ${i}\n   redis:   ${show(a[i] ?? '<none>')}\n   reddish: ${show(b[i] ?? '<none>')}`);
          break; // later lines follow from the first difference
        }
      }
    }
  }
  assert.equal(problems.length, 0, problems.join('\n'));
}

test('XREAD BLOCK: woken by XADD, $, BLOCK 0, timeouts, several streams, MULTI', async () => {
  await same({
    'woken by xadd': [
      call('A', 'XADD', 's', '1-0', 'f', 'v'), send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(1),
      call('A', 'XADD', 's', '2-0', 'f', 'v', 'g', 'w'), read('B'), blocked(0),
      send('B', 'XREAD', 'COUNT', '1', 'BLOCK', '5000', 'STREAMS', 's', '2-0'), blocked(1), call('A', 'XADD', 's', '3-0', 'a', 'b'), read('B'),
      call('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '0'), call('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '1'),
    ],
    'missing key created': [
      send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 'nokey', '$'), blocked(1), call('A', 'SET', 'other', 'x'), call('A', 'XADD', 'nokey', 'NOMKSTREAM', '1-0', 'f', 'v'),
      blocked(1), call('A', 'XADD', 'nokey', '5-0', 'f', 'v'), read('B'), send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 'new', '0'), blocked(1),
      call('A', 'XGROUP', 'CREATE', 'new', 'g', '$', 'MKSTREAM'), blocked(1), call('A', 'XADD', 'new', '1-1', 'f', 'v'), read('B'),
    ],
    timeouts: [
      call('A', 'XADD', 's', '1-0', 'f', 'v'), send('B', 'XREAD', 'BLOCK', '50', 'STREAMS', 's', '$'), read('B'),
      send('B', 'XREAD', 'COUNT', '3', 'BLOCK', '30', 'STREAMS', 's', 'nokey', '$', '$'), read('B'),
      call('A', 'XGROUP', 'CREATE', 's', 'g', '$'), send('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '40', 'STREAMS', 's', '>'), read('B'),
      call('A', 'XINFO', 'CONSUMERS', 's', 'g'), send('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '40', 'STREAMS', 's', '0'), read('B'),
    ],
    'several streams': [
      call('A', 'XADD', 'a', '1-0', 'f', 'v'), call('A', 'XADD', 'b', '1-0', 'f', 'v'),
      send('B', 'XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'a', 'b', 'c', '$', '$', '$'), blocked(1), call('A', 'XADD', 'b', '2-0', 'f', 'v'), read('B'),
      send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'c', '$', '0'), blocked(1), call('A', 'XADD', 'c', '1-0', 'x', 'y'), read('B'),
      // A transaction adding to two watched streams: one reply with what is there at EXEC.
      send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', '$', '$'), blocked(1), call('A', 'MULTI'), call('A', 'XADD', 'b', '3-0', 'f', 'v'),
      call('A', 'XADD', 'a', '2-0', 'f', 'v'), call('A', 'XADD', 'b', '4-0', 'f', 'v'), call('A', 'EXEC'), read('B'),
    ],
    'added then deleted': [
      // An entry added and deleted in one transaction: the waiter is served what is left.
      call('A', 'XADD', 's', '1-0', 'f', 'v'), send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(1), call('A', 'MULTI'),
      call('A', 'XADD', 's', '2-0', 'f', 'v'), call('A', 'XDEL', 's', '2-0'), call('A', 'EXEC'), read('B'),
      send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(1), call('A', 'XTRIM', 's', 'MAXLEN', '0'), blocked(1), call('A', 'XSETID', 's', '7-0'),
      blocked(1), call('A', 'DEL', 's'), blocked(1), call('A', 'SET', 's', 'string'), blocked(1), call('A', 'DEL', 's'),
      // Recreated: only an entry after the ID `$` stood for when it blocked (2-0) serves it.
      call('A', 'XADD', 's', '1-5', 'f', 'v'), blocked(1), call('A', 'XADD', 's', '9-0', 'f', 'v'), read('B'), call('A', 'DEL', 's'),
      send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '0'), blocked(1), call('A', 'LPUSH', 's', 'x'), blocked(1), call('A', 'DEL', 's'),
      call('A', 'XADD', 's', '1-0', 'f', 'v'), read('B'),
    ],
    'in multi': [
      call('B', 'MULTI'), call('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), call('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'),
      call('B', 'EXEC'), call('A', 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'), call('B', 'MULTI'),
      call('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'), call('B', 'XREAD', 'BLOCK', '100', 'STREAMS', 's', '$'), call('B', 'EXEC'),
      call('A', 'EVAL', "return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', KEYS[1], '$')", '1', 's'),
    ],
    'client unblock': [
      send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(1), { c: 'A', unblock: 'B' }, read('B'),
      send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(1), { c: 'A', unblock: 'B', how: 'ERROR' }, read('B'),
      call('A', 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'), send('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'), blocked(1),
      { c: 'A', unblock: 'B', how: 'TIMEOUT' }, read('B'), { c: 'A', unblock: 'B' }, call('B', 'PING'),
    ],
  });
});

test('several clients blocked on one stream: who gets what', async () => {
  await same({
    xread: [
      call('A', 'XADD', 's', '1-0', 'f', 'v'), send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(1),
      send('C', 'XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(2), send('D', 'XREAD', 'BLOCK', '0', 'STREAMS', 'other', 's', '$', '1-0'), blocked(3),
      call('A', 'MULTI'), call('A', 'XADD', 's', '2-0', 'f', 'v'), call('A', 'XADD', 's', '3-0', 'f', 'v'), call('A', 'EXEC'), read('B'), read('C'), read('D'), blocked(0),
    ],
    xreadgroup: [
      call('A', 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'), send('B', 'XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>'), blocked(1),
      send('C', 'XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>'), blocked(2),
      send('D', 'XREADGROUP', 'GROUP', 'g', 'c3', 'BLOCK', '0', 'STREAMS', 's', '>'), blocked(3),
      call('A', 'XADD', 's', '1-0', 'f', 'v'), read('B'), blocked(2), call('A', 'MULTI'), call('A', 'XADD', 's', '2-0', 'f', 'v'), call('A', 'XADD', 's', '3-0', 'f', 'v'),
      call('A', 'XADD', 's', '4-0', 'f', 'v'), call('A', 'EXEC'), read('C'), read('D'), blocked(0), call('A', 'XPENDING', 's', 'g'), call('A', 'XINFO', 'GROUPS', 's'),
      call('A', 'XINFO', 'CONSUMERS', 's', 'g'),
    ],
    'xread and xreadgroup together': [
      call('A', 'XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'), call('A', 'XGROUP', 'CREATE', 's', 'h', '$'),
      send('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'), blocked(1), send('C', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(2),
      send('D', 'XREADGROUP', 'GROUP', 'h', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'), blocked(3), call('A', 'XADD', 's', '7-7', 'f', 'v'), read('B'), read('C'), read('D'),
      call('A', 'XPENDING', 's', 'g'), call('A', 'XPENDING', 's', 'h'), call('A', 'XINFO', 'GROUPS', 's'),
    ],
  });
});

test('blocked XREADGROUP: woken by XADD, and when its stream or group goes away (7.0.15)', async () => {
  const setup = [call('A', 'XADD', 's', '1-0', 'f', 'v'), call('A', 'XGROUP', 'CREATE', 's', 'g', '$')];
  const block = [send('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'), blocked(1)];
  await same({
    woken: [
      ...setup, ...block, call('A', 'XADD', 's', '2-0', 'f', 'v'), read('B'), call('A', 'XPENDING', 's', 'g', '-', '+', '10'),
      send('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 's', '0'), read('B'), ...block, call('A', 'XACK', 's', 'g', '2-0'),
      blocked(1), call('A', 'XGROUP', 'SETID', 's', 'g', '0'), blocked(1), call('A', 'XADD', 's', '3-0', 'f', 'v'), read('B'), blocked(0),
    ],
    'stream deleted': [...setup, ...block, call('A', 'DEL', 's'), read('B'), blocked(0), call('A', 'EXISTS', 's')],
    'stream unlinked by flushall': [...setup, ...block, call('A', 'FLUSHALL'), read('B'), blocked(0)],
    'stream replaced by a string': [...setup, ...block, call('A', 'SET', 's', 'x'), read('B'), blocked(0)],
    'stream renamed away': [...setup, ...block, call('A', 'RENAME', 's', 't'), read('B'), blocked(0), call('A', 'XINFO', 'GROUPS', 't')],
    'stream replaced by another': [
      ...setup, call('A', 'XADD', 't', '9-0', 'f', 'v'), ...block, call('A', 'RENAME', 't', 's'), read('B'), blocked(0),
    ],
    'stream emptied': [
      ...setup, ...block, call('A', 'XTRIM', 's', 'MAXLEN', '0'), blocked(1), call('A', 'XDEL', 's', '1-0'), blocked(1), call('A', 'XSETID', 's', '5-0'),
      blocked(1), call('A', 'XADD', 's', '6-0', 'f', 'v'), read('B'),
    ],
    'group destroyed': [...setup, ...block, call('A', 'XGROUP', 'DESTROY', 's', 'g'), read('B'), blocked(0)],
    'group destroyed and recreated': [
      ...setup, ...block, call('A', 'MULTI'), call('A', 'XGROUP', 'DESTROY', 's', 'g'), call('A', 'XGROUP', 'CREATE', 's', 'g', '0'), call('A', 'EXEC'), read('B'),
      blocked(0),
    ],
    'consumer deleted': [
      ...setup, ...block, call('A', 'XGROUP', 'DELCONSUMER', 's', 'g', 'c'), blocked(1), call('A', 'XADD', 's', '2-0', 'f', 'v'), read('B'),
      call('A', 'XINFO', 'CONSUMERS', 's', 'g'),
    ],
    'two streams, one deleted': [
      ...setup, call('A', 'XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM'),
      send('B', 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', 't', '>', '>'), blocked(1), call('A', 'DEL', 't'), read('B'), blocked(0),
    ],
    'xread on a deleted stream keeps waiting': [
      call('A', 'XADD', 's', '1-0', 'f', 'v'), send('B', 'XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), blocked(1), call('A', 'DEL', 's'), blocked(1),
      call('A', 'XADD', 's', '2-0', 'f', 'v'), read('B'),
    ],
  });
});
