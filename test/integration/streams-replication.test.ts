/**
 * What stream commands propagate, end to end: a seeded consumer-group
 * workload on a Reddish master (appendonly, appendfsync always) — XADD with
 * generated IDs and approximate trims, XTRIM, XDEL, XSETID, XGROUP in all its
 * forms, XREADGROUP (NOACK too, and clients blocked until an XADD serves
 * them), XACK, XCLAIM, XAUTOCLAIM over deleted entries, MULTI blocks — then:
 *
 *   - a Reddish replica and a real Redis 7.0 replica of that master end with
 *     the master's DEBUG DIGEST, its pending entries, and XINFO STREAM FULL
 *     equal to each other (both apply what was propagated; seen-times aside);
 *   - the master restarted from its AOF ends where the replicas are;
 *   - after BGREWRITEAOF in command form (aof-use-rdb-preamble no) and
 *     another restart, the digest is still the same.
 *
 * The workload reads no consumer's history (XREADGROUP with an ID): Redis
 * does not propagate the delivery counts those reads bump, so the master and
 * its replicas legitimately differ there.
 *
 * Reproduce: REDDISH_SEED=<seed> node scripts/run-tests.mjs streams-replication
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnDir, type DirServer } from '../support/server-on-dir.js';
import { redisAvailable, type ServerKind } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { Rng, chooseSeed } from '../differential/generator.js';
import { maskTimes } from './streams-mask.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const withRedis = redisAvailable();

interface Node {
  srv: DirServer;
  c: RawClient;
  dir: string;
}

const nodes: Node[] = [];
const dirs: string[] = [];

after(async () => {
  for (const n of nodes.splice(0)) {
    n.c.close();
    await n.srv.kill('SIGKILL');
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(kind: ServerKind, args: string[], dir?: string): Promise<Node> {
  const d = dir ?? mkdtempSync(join(tmpdir(), `streams-repl-${kind}-`));
  if (dir === undefined) dirs.push(d);
  const srv = await startOnDir(kind, d, ['--save', '', '--repl-diskless-sync-delay', '0', ...args]);
  const c = await RawClient.connect(srv.port);
  for (let i = 0; ; i++) {
    if ((await c.call('PING')) === '+PONG\r\n') break;
    if (i > 400) throw new Error(`not ready:\n${srv.output()}`);
    await sleep(25);
  }
  const n = { srv, c, dir: d };
  nodes.push(n);
  return n;
}

async function stop(n: Node): Promise<void> {
  n.c.close();
  await n.srv.kill('SIGKILL');
  nodes.splice(nodes.indexOf(n), 1);
}

function field(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : '';
}

async function synced(master: Node, replica: Node): Promise<void> {
  for (let i = 0; ; i++) {
    const mi = await master.c.call('INFO', 'replication');
    const ri = await replica.c.call('INFO', 'replication');
    if (field(ri, 'master_link_status') === 'up' && field(ri, 'slave_repl_offset') === field(mi, 'master_repl_offset')) return;
    if (i > 800) throw new Error(`replica not in sync:\n${mi}\n${ri}\n${replica.srv.output().slice(-2000)}`);
    await sleep(25);
  }
}

const KEYS = ['jobs', 'events'];
const GROUPS = ['workers', 'audit', 'waiters'];
const CONSUMERS = ['w1', 'w2', 'w3'];

/**
 * The workload's clock: explicit IDs count up from well past the wall clock,
 * so XADD * (which then continues from the last ID) never fails either; `ids`
 * keeps the IDs added so far, for commands that name entries.
 */
interface Clock {
  ms: number;
  ids: string[];
}

/** One step of the workload: commands, or (null) a blocked XREADGROUP served by an XADD. */
function step(rng: Rng, clock: Clock): string[][] | null {
  const key = rng.pick(KEYS);
  const g = rng.pick(GROUPS);
  const c = rng.pick(CONSUMERS);
  const someId = (): string => (clock.ids.length > 0 && rng.chance(0.9) ? rng.pick(clock.ids) : `${clock.ms - rng.int(50)}-${rng.int(3)}`);
  switch (rng.weighted<string>([
    ['add', 30], ['addtrim', 5], ['read', 20], ['noack', 4], ['ack', 12], ['claim', 6], ['autoclaim', 5], ['del', 5], ['trim', 3],
    ['group', 5], ['setid', 1], ['multi', 3], ['blocked', 3],
  ])) {
    case 'add':
      clock.ms += rng.int(3);
      return [['XADD', key, rng.chance(0.2) ? '*' : `${clock.ms}-*`, 'job', String(rng.int(1000)), 'data', 'x'.repeat(rng.int(50))]];
    case 'addtrim':
      clock.ms += 1;
      return [['XADD', key, rng.chance(0.5) ? 'MAXLEN' : 'MINID', '~', rng.chance(0.5) ? String(rng.int(40)) : someId(), `${clock.ms}-*`, 'job', 'x']];
    case 'read':
      return [['XREADGROUP', 'GROUP', g, c, 'COUNT', String(rng.range(1, 4)), 'STREAMS', key, '>']];
    case 'noack':
      return [['XREADGROUP', 'GROUP', g, c, 'COUNT', String(rng.range(1, 3)), 'NOACK', 'STREAMS', key, '>']];
    case 'ack':
      return [['XACK', key, g, someId(), someId()]];
    case 'claim': {
      const argv = ['XCLAIM', key, g, c, '0', someId(), someId()];
      if (rng.chance(0.3)) argv.push('IDLE', String(rng.int(5000)));
      if (rng.chance(0.3)) argv.push('RETRYCOUNT', String(rng.int(9)));
      if (rng.chance(0.3)) argv.push('JUSTID');
      if (rng.chance(0.2)) argv.push('LASTID', someId());
      return [argv];
    }
    case 'autoclaim':
      return [['XAUTOCLAIM', key, g, c, '0', '0', 'COUNT', String(rng.range(1, 5)), ...(rng.chance(0.5) ? ['JUSTID'] : [])]];
    case 'del':
      return [['XDEL', key, someId(), someId()]];
    case 'trim':
      return [['XTRIM', key, 'MAXLEN', rng.chance(0.5) ? '~' : '=', String(rng.int(60))]];
    case 'group': {
      const r = rng.int(5);
      if (r === 0) return [['XGROUP', 'CREATE', key, g, rng.chance(0.5) ? '$' : '0', 'MKSTREAM']];
      if (r === 1) return [['XGROUP', 'SETID', key, g, someId()]];
      if (r === 2) return [['XGROUP', 'CREATECONSUMER', key, g, c]];
      if (r === 3) return [['XGROUP', 'DELCONSUMER', key, g, c]];
      return [['XGROUP', 'DESTROY', key, g], ['XGROUP', 'CREATE', key, g, '0', 'MKSTREAM']];
    }
    case 'setid':
      clock.ms += 5;
      return [['XSETID', key, `${clock.ms}-0`]];
    case 'multi':
      clock.ms += 1;
      return [['MULTI'], ['XADD', key, `${clock.ms}-*`, 'a', 'b'], ['XREADGROUP', 'GROUP', g, c, 'STREAMS', key, '>'], ['XDEL', key, someId()], ['EXEC']];
    default:
      return null;
  }
}

/** Blocks a reader on a stream through a group (NOACK or not), then serves it with an XADD. */
async function blockedRead(master: Node, rng: Rng, clock: Clock): Promise<void> {
  const key = rng.pick(KEYS);
  // A group of its own, caught up with the stream, so the read blocks.
  const g = 'waiters';
  await master.c.call('XGROUP', 'CREATE', key, g, '$', 'MKSTREAM');
  await master.c.call('XGROUP', 'SETID', key, g, '$');
  const b = await RawClient.connect(master.srv.port);
  try {
    const noack = rng.chance(0.3) ? ['NOACK'] : [];
    b.write(RawClient.encode(['XREADGROUP', 'GROUP', g, `blocked${rng.int(3)}`, ...noack, 'BLOCK', '0', 'STREAMS', key, '>']));
    for (let i = 0; ; i++) {
      if (/blocked_clients:1/.test(await master.c.call('INFO', 'clients'))) break;
      if (i > 400) throw new Error('reader never blocked');
      await sleep(5);
    }
    clock.ms += 1;
    await master.c.call('XADD', key, `${clock.ms}-*`, 'wake', 'up');
    await b.readReply();
  } finally {
    b.close();
  }
}

async function streamState(n: Node): Promise<string[]> {
  const out: string[] = [];
  for (const k of KEYS) {
    out.push(maskTimes(await n.c.call('XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'), ['XINFO']));
  }
  return out;
}

/** Every group's pending entries as XPENDING lists them (idle times masked). */
async function pending(n: Node): Promise<string[]> {
  const out: string[] = [];
  for (const k of KEYS) {
    for (const g of GROUPS) out.push(maskTimes(await n.c.call('XPENDING', k, g, '-', '+', '1000000'), ['XPENDING']));
  }
  return out;
}

test('a consumer-group workload replicates and replays from the AOF to the same streams', async () => {
  const seed = chooseSeed();
  const rng = new Rng(seed);
  const master = await start('reddish', ['--appendonly', 'yes', '--appendfsync', 'always']);
  const replica = await start('reddish', ['--replicaof', '127.0.0.1', String(master.srv.port)]);
  const redisReplica = withRedis ? await start('redis', ['--replicaof', '127.0.0.1', String(master.srv.port)]) : null;
  await synced(master, replica);
  if (redisReplica) await synced(master, redisReplica);

  const clock: Clock = { ms: Date.now() + 10_000_000, ids: [] };
  for (const k of KEYS) for (const g of GROUPS) await master.c.call('XGROUP', 'CREATE', k, g, '$', 'MKSTREAM');
  for (let i = 0; i < 600; i++) {
    const cmds = step(rng, clock);
    if (cmds === null) {
      await blockedRead(master, rng, clock);
      continue;
    }
    for (const c of cmds) {
      const r = await master.c.call(...c);
      const id = /^\$\d+\r\n(\d+-\d+)\r\n$/.exec(r);
      if (c[0] === 'XADD' && id !== null) clock.ids.push(id[1]);
      if (clock.ids.length > 60) clock.ids.shift();
    }
  }
  await synced(master, replica);
  if (redisReplica) await synced(master, redisReplica);

  const digest = await master.c.call('DEBUG', 'DIGEST');
  assert.notEqual(digest, `+${'0'.repeat(40)}\r\n`, `seed ${seed}: the workload left no data`);
  const masterPending = await pending(master);
  assert.ok(masterPending.some((p) => p !== '*0\r\n'), `seed ${seed}: the workload left nothing pending`);
  assert.equal(await replica.c.call('DEBUG', 'DIGEST'), digest, `seed ${seed}: Reddish replica digest`);
  assert.deepEqual(await pending(replica), masterPending, `seed ${seed}: Reddish replica PELs`);
  const replicaState = await streamState(replica);
  if (redisReplica) {
    assert.equal(await redisReplica.c.call('DEBUG', 'DIGEST'), digest, `seed ${seed}: Redis replica digest`);
    assert.deepEqual(await pending(redisReplica), masterPending, `seed ${seed}: Redis replica PELs`);
    assert.deepEqual(replicaState, await streamState(redisReplica), `seed ${seed}: Reddish and Redis replicas' XINFO STREAM FULL`);
  }

  // The AOF replays to the same state.
  const dir = master.dir;
  await stop(master);
  const again = await start('reddish', ['--appendonly', 'yes'], dir);
  assert.equal(await again.c.call('DEBUG', 'DIGEST'), digest, `seed ${seed}: digest after AOF replay`);
  assert.deepEqual(await streamState(again), replicaState, `seed ${seed}: XINFO STREAM FULL after AOF replay`);

  // Rewritten as commands, it still does.
  assert.equal(await again.c.call('CONFIG', 'SET', 'aof-use-rdb-preamble', 'no'), '+OK\r\n');
  await again.c.call('BGREWRITEAOF');
  for (let i = 0; ; i++) {
    const p = await again.c.call('INFO', 'persistence');
    if (field(p, 'aof_rewrite_in_progress') === '0' && field(p, 'aof_rewrite_scheduled') === '0' && field(p, 'aof_last_bgrewrite_status') === 'ok') break;
    if (i > 800) throw new Error(`rewrite did not finish:\n${p}`);
    await sleep(25);
  }
  await stop(again);
  const third = await start('reddish', ['--appendonly', 'yes'], dir);
  assert.equal(await third.c.call('DEBUG', 'DIGEST'), digest, `seed ${seed}: digest after the rewritten AOF`);
});
