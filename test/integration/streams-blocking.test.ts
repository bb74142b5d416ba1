/**
 * XREAD BLOCK and XREADGROUP BLOCK against Redis 7.0: the same scenario runs
 * on both servers — a client blocks, another connection does something to
 * the key — and what the blocked client receives (raw bytes), whether it is
 * still blocked, and the stream's state afterwards must be equal.
 *
 * Covers serving on XADD (also inside MULTI, with COUNT, through a group,
 * NOACK, RESP3 maps), the `$` of the moment of blocking, readers through a
 * group answered -UNBLOCKED when the key is deleted (DEL, FLUSHALL, FLUSHDB,
 * RENAME away, expiry, overwrite by another type) and -NOGROUP when the group
 * goes (XGROUP DESTROY, SWAPDB), plain readers that stay blocked on those,
 * a stream whose new entries were deleted again (served an empty list),
 * timeouts and CLIENT UNBLOCK.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, type Pair } from '../differential/harness.js';
import { RawClient } from '../support/raw-client.js';
import { redisAvailable, type RunningServer } from '../support/servers.js';
import { maskTimes } from './streams-mask.js';

const skip = redisAvailable() ? false : 'redis-server is not installed';

let pair: Pair;
before(async () => {
  if (!skip) pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Scenario {
  setup: string[][];
  block: string[];
  trigger: string[][];
  resp?: 2 | 3;
  /** The client is answered by its own timeout: wait for it rather than release it. */
  timesOut?: boolean;
}

const GROUP = ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>'];
const BASE = [['XADD', 's', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 's', 'g', '$']];

const SCENARIOS: Record<string, Scenario> = {
  'XREADGROUP served by XADD': { setup: BASE, block: GROUP, trigger: [['XADD', 's', '2-1', 'a', 'b']] },
  'XREADGROUP served in RESP3': { setup: BASE, block: GROUP, trigger: [['XADD', 's', '2-1', 'a', 'b']], resp: 3 },
  'XREADGROUP NOACK served': {
    setup: BASE, block: ['XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>'], trigger: [['XADD', 's', '2-1', 'a', 'b']],
  },
  'XREADGROUP COUNT 1 served by a MULTI of two XADDs': {
    setup: BASE,
    block: ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>'],
    trigger: [['MULTI'], ['XADD', 's', '2-1', 'a', 'b'], ['XADD', 's', '3-1', 'a', 'b'], ['EXEC']],
  },
  'XREADGROUP on two keys, served by the second': {
    setup: [...BASE, ['XADD', 's2', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 's2', 'g', '$']],
    block: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's2', 's', '>', '>'],
    trigger: [['XADD', 's', '2-1', 'a', 'b']],
  },
  'XREADGROUP answered -UNBLOCKED on DEL': { setup: BASE, block: GROUP, trigger: [['DEL', 's']] },
  'XREADGROUP answered -UNBLOCKED on FLUSHALL': { setup: BASE, block: GROUP, trigger: [['FLUSHALL']] },
  'XREADGROUP answered -UNBLOCKED on FLUSHDB': { setup: BASE, block: GROUP, trigger: [['FLUSHDB']] },
  'XREADGROUP answered -UNBLOCKED on RENAME away': { setup: BASE, block: GROUP, trigger: [['RENAME', 's', 't']] },
  'XREADGROUP answered -UNBLOCKED on expiry': { setup: BASE, block: GROUP, trigger: [['PEXPIRE', 's', '1'], ['SLEEP'], ['EXISTS', 's']] },
  'XREADGROUP answered -UNBLOCKED when the key becomes a string': { setup: BASE, block: GROUP, trigger: [['DEL', 's'], ['SET', 's', 'x']] },
  'XREADGROUP answered -NOGROUP on XGROUP DESTROY': { setup: BASE, block: GROUP, trigger: [['XGROUP', 'DESTROY', 's', 'g']] },
  'XREADGROUP answered -NOGROUP when the key is recreated in a MULTI': {
    setup: BASE, block: GROUP, trigger: [['MULTI'], ['DEL', 's'], ['XADD', 's', '2-1', 'a', 'b'], ['EXEC']],
  },
  'XREADGROUP answered -NOGROUP after SWAPDB': {
    setup: BASE, block: GROUP, trigger: [['SELECT', '1'], ['XADD', 's', '9-9', 'a', 'b'], ['SELECT', '0'], ['SWAPDB', '0', '1']],
  },
  'XREADGROUP served by a stream RENAMEd onto the key': {
    setup: BASE, block: GROUP, trigger: [['XADD', 't', '9-9', 'a', 'b'], ['XGROUP', 'CREATE', 't', 'g', '0'], ['RENAME', 't', 's']],
  },
  'XREADGROUP stays blocked on XGROUP SETID, XSETID, CREATECONSUMER': {
    setup: BASE, block: GROUP,
    trigger: [['XGROUP', 'SETID', 's', 'g', '0'], ['XSETID', 's', '5-5'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c']],
  },
  'XREADGROUP served an empty list when the new entry is deleted in the same MULTI': {
    setup: BASE, block: GROUP, trigger: [['MULTI'], ['XADD', 's', '2-1', 'a', 'b'], ['XDEL', 's', '2-1'], ['EXEC']],
  },
  'XREAD served by XADD after $': { setup: BASE, block: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], trigger: [['XADD', 's', '2-1', 'a', 'b']] },
  'XREAD $ on a missing key served when it is created': {
    setup: [], block: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], trigger: [['XADD', 's', '0-5', 'x', 'y']],
  },
  'XREAD in RESP3 served on the second key': {
    setup: BASE, block: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', 's2', '$', '$'], trigger: [['XADD', 's2', '2-1', 'a', 'b']], resp: 3,
  },
  'XREAD stays blocked on DEL, then served by a new stream': {
    setup: BASE, block: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], trigger: [['DEL', 's'], ['XADD', 's', '0-5', 'x', 'y'], ['XADD', 's', '2-5', 'x', 'y']],
  },
  'XREAD stays blocked when the key becomes a string or its group goes': {
    setup: BASE, block: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], trigger: [['XGROUP', 'DESTROY', 's', 'g'], ['DEL', 's'], ['SET', 's', 'x']],
  },
  'XREAD served an empty list when the new entry is deleted in the same MULTI': {
    setup: BASE, block: ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], trigger: [['MULTI'], ['XADD', 's', '2-1', 'a', 'b'], ['XDEL', 's', '2-1'], ['EXEC']],
  },
  'XREAD times out': { setup: BASE, block: ['XREAD', 'BLOCK', '50', 'STREAMS', 's', '$'], trigger: [], timesOut: true },
  'XREADGROUP times out': {
    setup: BASE, block: ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '50', 'STREAMS', 's', '>'], trigger: [], timesOut: true,
  },
};

/** blocked_clients from INFO clients. */
async function blockedClients(c: RawClient): Promise<number> {
  const raw = await c.call('INFO', 'clients');
  const m = /blocked_clients:(\d+)/.exec(raw);
  return m ? Number(m[1]) : -1;
}

async function waitBlocked(c: RawClient, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await blockedClients(c)) === n) return;
    await sleep(5);
  }
  throw new Error(`never saw ${n} blocked clients`);
}

interface Outcome {
  replies: string[];
  /** What the blocked client got, or "(still blocked)" after being released with CLIENT UNBLOCK. */
  blocked: string;
  after: string;
}

async function run(server: RunningServer, control: RawClient, sc: Scenario): Promise<Outcome> {
  const resp = sc.resp ?? 2;
  await control.call('SELECT', '0');
  await control.call('FLUSHALL');
  for (const c of sc.setup) await control.call(...c);
  const b = await RawClient.connect(server.port);
  try {
    await b.call('HELLO', String(resp));
    const id = (await b.call('CLIENT', 'ID')).slice(1, -2);
    b.write(RawClient.encode(sc.block));
    await waitBlocked(control, 1);
    const replies: string[] = [];
    for (const c of sc.trigger) {
      // SLEEP: let the key's TTL pass (the outcome is compared, not the timing).
      if (c[0] === 'SLEEP') await sleep(120);
      else replies.push(await control.call(...c));
    }
    let blocked: string;
    if (sc.timesOut === true) {
      blocked = (await b.readReply()).raw;
    } else if ((await blockedClients(control)) === 1) {
      await control.call('CLIENT', 'UNBLOCK', id);
      blocked = `(still blocked) ${(await b.readReply()).raw}`;
    } else {
      blocked = (await b.readReply()).raw;
    }
    const after = (await control.call('EXISTS', 's')) === ':1\r\n' ? await control.call('XINFO', 'STREAM', 's', 'FULL') : '(no s)';
    return { replies, blocked: maskTimes(blocked, sc.block), after: maskTimes(after, ['XINFO']) };
  } finally {
    b.close();
  }
}

test('blocked stream readers see what they see in Redis 7.0', { skip }, async () => {
  const problems: string[] = [];
  for (const [name, sc] of Object.entries(SCENARIOS)) {
    const redis = await run(pair.redis, pair.redisClient, sc);
    const reddish = await run(pair.reddish, pair.reddishClient, sc);
    if (JSON.stringify(redis) !== JSON.stringify(reddish)) {
      problems.push(`${name}\n   redis:   ${JSON.stringify(redis)}\n   reddish: ${JSON.stringify(reddish)}`);
    }
  }
  assert.deepEqual(problems, []);
});
