/**
 * Replication end to end, with real redis-server on either side: full sync
 * of a mixed dataset, the live stream, partial resync after a cut link, and
 * promotion with REPLICAOF NO ONE followed by a partial resync to the new
 * master; then Reddish-only topologies (chains, restarts, pauses, WAIT,
 * min-replicas-to-write). Equality is checked with DEBUG DIGEST, which Reddish
 * computes exactly as Redis does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startOnDir, type DirServer } from '../support/server-on-dir.js';
import { redisAvailable, type ServerKind } from '../support/servers.js';
import { Rng } from '../differential/generator.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REPL_ARGS = ['--save', '', '--repl-diskless-sync-delay', '0'];

interface Node {
  kind: ServerKind;
  srv: DirServer;
  c: Redis;
  dir: string;
}

const started: Node[] = [];

async function node(kind: ServerKind, extra: string[] = [], password?: string): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `repl-${kind}-`));
  const srv = await startOnDir(kind, dir, [...REPL_ARGS, ...extra]);
  const c = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1, password });
  const n = { kind, srv, c, dir };
  started.push(n);
  return n;
}

async function stopAll(): Promise<void> {
  for (const n of started.splice(0)) {
    n.c.disconnect();
    await n.srv.kill('SIGKILL');
    rmSync(n.dir, { recursive: true, force: true });
  }
}

function field(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : '';
}

async function replInfo(n: Node): Promise<string> {
  return n.c.info('replication');
}

/** Until the replica's link is up and its offset equals the master's. */
async function synced(master: Node, replica: Node, timeoutMs = 20000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const [mi, ri] = await Promise.all([replInfo(master), replInfo(replica)]);
    if (field(ri, 'master_link_status') === 'up' && field(ri, 'slave_repl_offset') === field(mi, 'master_repl_offset')) return;
    if (Date.now() - start > timeoutMs) {
      throw new Error(`not in sync:\n${mi}\n${ri}\n--- master log\n${master.srv.output().slice(-2000)}\n--- replica log\n${replica.srv.output().slice(-2000)}`);
    }
    await sleep(50);
  }
}

async function digest(n: Node): Promise<string> {
  return String(await n.c.call('DEBUG', 'DIGEST'));
}

async function stats(n: Node): Promise<{ full: number; ok: number; err: number }> {
  const s = await n.c.info('stats');
  return { full: Number(field(s, 'sync_full')), ok: Number(field(s, 'sync_partial_ok')), err: Number(field(s, 'sync_partial_err')) };
}

/** Every type, several dbs, TTLs: one pipeline of writes derived from `seed`. */
async function writeMixed(c: Redis, seed: number, n = 1500): Promise<void> {
  const rng = new Rng(seed);
  const p = c.pipeline();
  for (let i = 0; i < n; i++) {
    const k = `k${rng.int(400)}`;
    switch (rng.int(12)) {
      case 0: p.set(`s:${k}`, `v${rng.int(1e6)}`); break;
      case 1: p.incrby(`n:${k}`, rng.int(100)); break;
      case 2: p.rpush(`l:${k}`, `a${i}`, `b${i}`); break;
      case 3: p.lpop(`l:${k}`); break;
      case 4: p.hset(`h:${k}`, `f${rng.int(200)}`, `v${i}`); break;
      case 5: p.sadd(`st:${k}`, String(rng.int(1000))); break;
      case 6: p.spop(`st:${k}`); break;
      case 7: p.zadd(`z:${k}`, rng.int(1000) / 7, `m${rng.int(300)}`); break;
      case 8: p.zincrby(`z:${k}`, 1.5, `m${rng.int(300)}`); break;
      case 9: p.del(`s:${k}`); break;
      case 10: p.pexpire(`h:${k}`, 100000 + rng.int(100000)); break;
      default: p.select(rng.int(3)); break;
    }
  }
  p.select(0);
  await p.exec();
}

async function replicaOf(r: Node, m: Node): Promise<void> {
  await r.c.replicaof('127.0.0.1', m.srv.port);
}

async function interop(masterKind: ServerKind, replicaKind: ServerKind): Promise<void> {
  try {
    const m = await node(masterKind);
    await writeMixed(m.c, 1);
    const r = await node(replicaKind);
    await replicaOf(r, m);
    await synced(m, r);
    assert.equal(await digest(r), await digest(m), 'after the full sync');
    // The live stream, including a transaction and keys that expire on the master.
    await writeMixed(m.c, 2);
    await m.c.multi().set('tx1', '1').incr('tx2').exec();
    // Long enough to read it on the replica on a loaded CI machine (a replica hides logically expired keys).
    await m.c.set('short', 'lived', 'PX', 1500);
    await synced(m, r);
    assert.equal(await r.c.get('short'), 'lived');
    await sleep(1700);
    await m.c.get('short'); // the master expires it and sends DEL
    await synced(m, r);
    assert.equal(await r.c.exists('short'), 0);
    assert.equal(await digest(r), await digest(m), 'after the stream');
    // A cut link continues from the backlog.
    const before = await stats(m);
    assert.ok(Number(await m.c.client('KILL', 'TYPE', 'replica')) >= 1);
    await writeMixed(m.c, 3, 200);
    await synced(m, r);
    const after = await stats(m);
    assert.equal(after.full, before.full, 'no second full sync');
    assert.equal(after.ok, before.ok + 1, 'a partial resync');
    assert.equal(await digest(r), await digest(m), 'after the partial resync');
    // Writes to the replica are refused.
    await assert.rejects(r.c.set('x', '1'), /READONLY You can't write against a read only replica/);
  } finally {
    await stopAll();
  }
}

test('a Redis replica follows a Reddish master: full sync, stream, expiry, partial resync', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  await interop('reddish', 'redis');
});

test('a Reddish replica follows a Redis master: full sync, stream, expiry, partial resync', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  await interop('redis', 'reddish');
});

test('Reddish master and replica: full sync, stream, expiry, partial resync', async () => {
  await interop('reddish', 'reddish');
});

/** Master A with replicas B and C; B is promoted and C continues from it partially. */
async function promotion(aKind: ServerKind, bKind: ServerKind, cKind: ServerKind): Promise<void> {
  try {
    const a = await node(aKind);
    const b = await node(bKind);
    const c = await node(cKind);
    await writeMixed(a.c, 4);
    await replicaOf(b, a);
    await replicaOf(c, a);
    await synced(a, b);
    await synced(a, c);
    await writeMixed(a.c, 5, 300);
    await synced(a, b);
    await synced(a, c);
    assert.equal(await b.c.replicaof('NO', 'ONE'), 'OK');
    const bi = await replInfo(b);
    assert.equal(field(bi, 'role'), 'master');
    assert.equal(field(bi, 'master_replid2'), field(await replInfo(a), 'master_replid'));
    const before = await stats(b);
    await replicaOf(c, b);
    await b.c.set('after-promotion', '1');
    await synced(b, c);
    const after = await stats(b);
    assert.equal(after.full, before.full, `${cKind} did not need a full sync from ${bKind}`);
    assert.equal(after.ok, before.ok + 1, 'partial resync accepted by the new master');
    assert.equal(await c.c.get('after-promotion'), '1');
    assert.equal(await digest(c), await digest(b));
  } finally {
    await stopAll();
  }
}

test('promotion: REPLICAOF NO ONE on a Reddish replica, a Redis replica continues from it partially', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  await promotion('reddish', 'reddish', 'redis');
});

test('promotion: REPLICAOF NO ONE on a Redis replica, a Reddish replica continues from it partially', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  await promotion('redis', 'redis', 'reddish');
});

test('1 master, 2 replicas and a chained replica under load; a killed replica and a paused one catch up', async () => {
  try {
    const m = await node('reddish');
    const r1 = await node('reddish', ['--repl-timeout', '2']);
    const r2 = await node('reddish');
    const r3 = await node('reddish');
    await replicaOf(r1, m);
    await replicaOf(r2, m);
    await replicaOf(r3, r2); // chained
    await synced(m, r1);
    await synced(m, r2);
    await synced(r2, r3);
    let seed = 10;
    const load = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) await writeMixed(m.c, seed++, 300);
    };
    await load(5);
    // kill -9 a replica mid-load and bring it back on its own dir: it resyncs.
    await r2.srv.kill('SIGKILL');
    await load(3);
    r2.srv = await startOnDir('reddish', r2.dir, [...REPL_ARGS, '--replicaof', '127.0.0.1', String(m.srv.port)]);
    r2.c.disconnect();
    r2.c = new Redis({ port: r2.srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    // The chained replica's master came back on a new port: point it there.
    await replicaOf(r3, r2);
    // Pause a replica for longer than the master's repl-timeout view of it... and its own (2 s).
    r1.srv.proc.kill('SIGSTOP');
    await load(3);
    await sleep(2500);
    r1.srv.proc.kill('SIGCONT');
    await load(3);
    await synced(m, r1, 30000);
    await synced(m, r2, 30000);
    await synced(r2, r3, 30000);
    const d = await digest(m);
    assert.equal(await digest(r1), d);
    assert.equal(await digest(r2), d);
    assert.equal(await digest(r3), d);
    const roles = await m.c.call('ROLE') as unknown[];
    assert.equal(roles[0], 'master');
    assert.equal((roles[2] as unknown[]).length, 2);
  } finally {
    await stopAll();
  }
});

test('WAIT counts acknowledging replicas; min-replicas-to-write refuses writes without them', async () => {
  try {
    const m = await node('reddish', ['--min-replicas-max-lag', '2']);
    assert.equal(await m.c.set('a', '1'), 'OK');
    assert.equal(await m.c.call('WAIT', '1', '100'), 0);
    const r1 = await node('reddish');
    const r2 = await node('reddish');
    await replicaOf(r1, m);
    await replicaOf(r2, m);
    await synced(m, r1);
    await synced(m, r2);
    await m.c.set('b', '2');
    assert.equal(await m.c.call('WAIT', '2', '2000'), 2);
    assert.equal(await m.c.call('WAIT', '5', '200'), 2, 'times out with the count reached');
    await assert.rejects(r1.c.call('WAIT', '1', '10'), /WAIT cannot be used with replica instances/);
    await m.c.config('SET', 'min-replicas-to-write', '2');
    assert.equal(await m.c.set('c', '3'), 'OK');
    await r2.srv.kill('SIGKILL');
    await sleep(3500); // its last ACK ages past min-replicas-max-lag
    await assert.rejects(m.c.set('d', '4'), /NOREPLICAS Not enough good replicas to write\./);
    assert.equal(await m.c.get('c'), '3', 'reads still served');
    await m.c.config('SET', 'min-replicas-to-write', '1');
    assert.equal(await m.c.set('d', '4'), 'OK');
  } finally {
    await stopAll();
  }
});

/** FAILOVER on the master: the replica takes over, the old master follows it partially. */
async function failover(masterKind: ServerKind, replicaKind: ServerKind): Promise<void> {
  try {
    const m = await node(masterKind);
    const r = await node(replicaKind);
    await writeMixed(m.c, 20);
    await replicaOf(r, m);
    await synced(m, r);
    assert.equal(await m.c.call('FAILOVER', 'TO', '127.0.0.1', String(r.srv.port), 'TIMEOUT', '5000'), 'OK');
    const start = Date.now();
    for (;;) {
      const [mi, ri] = await Promise.all([replInfo(m), replInfo(r)]);
      if (field(mi, 'role') === 'slave' && field(mi, 'master_failover_state') === 'no-failover' &&
          field(mi, 'master_link_status') === 'up' && field(ri, 'role') === 'master') break;
      if (Date.now() - start > 15000) throw new Error(`failover did not complete:\n${mi}\n${ri}\n${m.srv.output().slice(-1500)}\n${r.srv.output().slice(-1500)}`);
      await sleep(50);
    }
    const st = await stats(r);
    assert.equal(st.full, 0, 'the old master continued partially: no full sync served by the new master');
    assert.equal(st.ok, 1);
    await r.c.set('after-failover', 'yes');
    await synced(r, m);
    assert.equal(await m.c.get('after-failover'), 'yes');
    assert.equal(await digest(m), await digest(r));
  } finally {
    await stopAll();
  }
}

test('FAILOVER from a Reddish master to a Redis replica', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  await failover('reddish', 'redis');
});

test('FAILOVER from a Redis master to a Reddish replica', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  await failover('redis', 'reddish');
});

test('CLIENT LIST shows the replication links (flags=S on the master, flags=M on the replica); killing the master link resyncs partially', async () => {
  try {
    const m = await node('reddish');
    const r = await node('reddish');
    await replicaOf(r, m);
    await m.c.set('a', '1');
    await synced(m, r);
    assert.match(String(await m.c.call('CLIENT', 'LIST', 'TYPE', 'replica')), /flags=S /);
    assert.match(String(await r.c.call('CLIENT', 'LIST', 'TYPE', 'master')), /flags=M /);
    const before = await stats(m);
    assert.equal(await r.c.client('KILL', 'TYPE', 'master'), 1);
    await m.c.set('b', '2');
    await synced(m, r, 10000);
    assert.equal(await r.c.get('b'), '2');
    const after = await stats(m);
    assert.equal(after.full, before.full);
    assert.equal(after.ok, before.ok + 1);
  } finally {
    await stopAll();
  }
});

test('masterauth, replica-serve-stale-data no and repl-backlog-ttl', async () => {
  try {
    const m = await node('reddish', ['--requirepass', 'secret', '--repl-backlog-ttl', '1'], 'secret');
    await m.c.set('k', 'v');
    const wrong = await node('reddish', ['--masterauth', 'nope']);
    await replicaOf(wrong, m);
    const r = await node('reddish', ['--masterauth', 'secret', '--replica-serve-stale-data', 'no']);
    await replicaOf(r, m);
    await synced(m, r);
    assert.equal(await r.c.get('k'), 'v');
    await sleep(300);
    assert.equal(field(await replInfo(wrong), 'master_link_status'), 'down');
    assert.match(wrong.srv.output(), /Unable to AUTH to MASTER: WRONGPASS/);
    // The master goes away: stale reads are refused, INFO (a "stale" command) still answers.
    m.srv.proc.kill('SIGSTOP');
    await r.c.config('SET', 'repl-timeout', '1');
    for (let i = 0; i < 100 && field(await replInfo(r), 'master_link_status') === 'up'; i++) await sleep(50);
    await assert.rejects(r.c.get('k'), /MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'\./);
    assert.equal(field(await replInfo(r), 'role'), 'slave');
    m.srv.proc.kill('SIGCONT');
    // Without replicas for repl-backlog-ttl seconds, the master frees its backlog.
    await r.c.replicaof('NO', 'ONE');
    await wrong.c.replicaof('NO', 'ONE');
    let active = '1';
    for (let i = 0; i < 80 && active === '1'; i++) {
      await sleep(50);
      active = field(await replInfo(m), 'repl_backlog_active');
    }
    assert.equal(active, '0');
  } finally {
    await stopAll();
  }
});
