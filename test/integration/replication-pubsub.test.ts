/**
 * PUBLISH travels down the replication stream (Redis forces PROPAGATE_REPL
 * for it outside cluster mode) so subscribers of a replica hear what is
 * published on the master, but it never reaches the AOF. Checked for a
 * Reddish master with a Reddish and a redis-server replica, and for a
 * redis-server master with a Reddish replica; the offset a PUBLISH adds is
 * compared with what redis-server's master adds for the same command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startOnDir, type DirServer } from '../support/server-on-dir.js';
import { redisAvailable, type ServerKind } from '../support/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  srv: DirServer;
  c: Redis;
  dir: string;
}

const started: Node[] = [];
const subscribers: Redis[] = [];

async function node(kind: ServerKind, extra: string[] = []): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `repl-pubsub-${kind}-`));
  const srv = await startOnDir(kind, dir, ['--save', '', '--repl-diskless-sync-delay', '0', ...extra]);
  const n = { srv, c: new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1 }), dir };
  started.push(n);
  return n;
}

async function stopAll(): Promise<void> {
  for (const s of subscribers.splice(0)) s.disconnect();
  for (const n of started.splice(0)) {
    n.c.disconnect();
    await n.srv.kill('SIGKILL');
    rmSync(n.dir, { recursive: true, force: true });
  }
}

function field(info: string, name: string): string {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1].trim() ?? '';
}

async function offset(n: Node): Promise<number> {
  return Number(field(await n.c.info('replication'), 'master_repl_offset'));
}

async function attach(master: Node, replica: Node): Promise<void> {
  await replica.c.replicaof('127.0.0.1', master.srv.port);
  for (const end = Date.now() + 20000; ; await sleep(50)) {
    const [mi, ri] = await Promise.all([master.c.info('replication'), replica.c.info('replication')]);
    if (field(ri, 'master_link_status') === 'up' && field(ri, 'slave_repl_offset') === field(mi, 'master_repl_offset')) return;
    if (Date.now() > end) throw new Error(`replica not in sync:\n${ri}\n${replica.srv.output().slice(-1500)}`);
  }
}

/** A subscriber on `n` collecting "channel message" lines (patterns too). */
async function subscribe(n: Node): Promise<string[]> {
  const s = new Redis({ port: n.srv.port, host: '127.0.0.1' });
  subscribers.push(s);
  const got: string[] = [];
  s.on('message', (ch: string, m: string) => got.push(`${ch} ${m}`));
  s.on('pmessage', (p: string, ch: string, m: string) => got.push(`${p}: ${ch} ${m}`));
  await s.subscribe('news');
  await s.psubscribe('sport.*');
  return got;
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await sleep(10)) if (Date.now() > end) throw new Error(`timed out: ${what}`);
}

/** What the master publishes, plain, in MULTI and from a script; and what a subscriber of it hears. */
async function publishAll(master: Node): Promise<void> {
  assert.equal(await master.c.publish('news', 'plain'), 0);
  await master.c.multi().set('k', 'v').publish('news', 'in-multi').exec();
  await master.c.eval("redis.call('PUBLISH', 'sport.tennis', 'from-script'); return redis.call('INCR', 'n')", 0);
  await master.c.select(3);
  await master.c.publish('news', 'db3');
  await master.c.select(0);
}
const HEARD = ['news plain', 'news in-multi', 'sport.*: sport.tennis from-script', 'news db3'];

for (const replicaKind of ['reddish', 'redis'] as const) {
  test(`a ${replicaKind} replica's subscribers hear what a reddish master publishes; the master's AOF holds no PUBLISH`, { skip: replicaKind === 'redis' && !redisAvailable() }, async () => {
    try {
      const master = await node('reddish', ['--appendonly', 'yes']);
      const replica = await node(replicaKind);
      await attach(master, replica);
      const got = await subscribe(replica);
      await publishAll(master);
      await until('the replica subscriber to hear four messages', () => got.length >= HEARD.length);
      await sleep(100);
      assert.deepEqual(got, HEARD);
      assert.equal(await replica.c.get('k'), 'v');
      // Stream and replica agree byte for byte (the replica counts what it applied).
      await attach(master, replica);

      const aofDir = join(master.dir, 'appendonlydir');
      const aof = readdirSync(aofDir).filter((f) => f.includes('.incr.')).map((f) => readFileSync(join(aofDir, f), 'latin1')).join('');
      assert.match(aof, /\bINCR\b/i);
      assert.doesNotMatch(aof, /PUBLISH/i);
    } finally {
      await stopAll();
    }
  });
}

test('a reddish replica of a redis-server master relays its PUBLISHes to subscribers', { skip: !redisAvailable() }, async () => {
  try {
    const master = await node('redis');
    const replica = await node('reddish');
    await attach(master, replica);
    const got = await subscribe(replica);
    await publishAll(master);
    await until('the replica subscriber to hear four messages', () => got.length >= HEARD.length);
    await sleep(100);
    assert.deepEqual(got, HEARD);
    await attach(master, replica);
  } finally {
    await stopAll();
  }
});

test('a PUBLISH adds to the replication offset what redis-server adds; one sent to a replica adds nothing', { skip: !redisAvailable() }, async () => {
  try {
    const growth: Record<string, number[]> = {};
    for (const kind of ['reddish', 'redis'] as const) {
      const master = await node(kind);
      const replica = await node('reddish');
      await attach(master, replica);
      const before = await offset(master);
      await master.c.publish('news', 'x'.repeat(37));
      const afterOne = await offset(master);
      await master.c.multi().set('a', '1').publish('news', 'y').exec();
      growth[kind] = [afterOne - before, (await offset(master)) - afterOne];
      // A PUBLISH sent to the replica itself (Sentinel's hello) is local: the
      // replica's offset must stay the master's, or it never looks in sync.
      await replica.c.publish('news', 'on-the-replica');
      await attach(master, replica);
    }
    assert.deepEqual(growth.reddish, growth.redis);
    assert.ok(growth.reddish[0] > 0);
  } finally {
    await stopAll();
  }
});
