/**
 * The `reddish` tool's checks and data tools, run as a user runs them (a
 * child process): test-replication, bench, backup, restore and
 * test-failover against a Reddish topology (through Sentinels and
 * --master), test-failover's SIGKILL path against a local `reddish up`, and
 * status, test-replication, bench, backup and restore against a real Redis +
 * redis-sentinel topology — including a Reddish backup restored into Redis.
 */
import { describe, it, before, after } from 'node:test';
import { freePortRange } from '../support/free-port.js';
import { retryOnPortClash } from '../support/port-clash.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  client, failoverDownAfterMs, info, infoField, redisSentinelAvailable, startTopology, stopAll, topologyLogs, waitFor, waitSynced,
  type Impl, type Topology,
} from '../support/sentinel-topology.js';

const here = dirname(fileURLToPath(import.meta.url));
const REDDISH = join(here, '..', '..', '..', 'bin', 'reddish');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SKIP_REDIS = redisSentinelAvailable() ? false : 'redis-sentinel / redis-server not installed';
/** A copy of a backup Reddish took (set by its test), restored into real Redis at the end. */
let reddishBackup: string | null = null;
const keepDir = mkdtempSync(join(tmpdir(), 'reddish-ops-keep-'));

interface Run {
  code: number;
  out: string;
  err: string;
}

function reddish(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [REDDISH, ...args], { cwd, env: { ...process.env, REDDISH_SENTINELS: '', REDDISH_PASSWORD: '' } });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** Runs the tool with --json and parses stdout; the assertion message carries both streams. */
async function reddishJson(args: string[], cwd: string, wantCode = 0): Promise<Record<string, unknown>> {
  const r = await reddish([...args, '--json'], cwd);
  assert.equal(r.code, wantCode, `reddish ${args.join(' ')} exited ${r.code}\n${r.out}\n${r.err}`);
  return JSON.parse(r.out) as Record<string, unknown>;
}

const sentinelArgs = (t: Topology): string[] => t.sentinels.flatMap((s) => ['--sentinel', `127.0.0.1:${s.port}`]);

async function cmd(port: number, ...args: string[]): Promise<unknown> {
  const c = client(port);
  c.on('error', () => undefined);
  try {
    await c.connect();
    const [name, ...rest] = args;
    return await c.call(name, ...rest);
  } finally {
    c.disconnect();
  }
}

/** A small dataset of every type the tools carry, in two dbs, one key with a TTL. */
async function writeDataset(port: number): Promise<void> {
  const c = client(port);
  c.on('error', () => undefined);
  await c.connect();
  try {
    await c.set('str', 'hello');
    await c.set('int', '12345');
    await c.set('ttl', 'soon', 'PX', 600000);
    await c.rpush('list', 'a', 'b', 'c');
    await c.hset('hash', 'f1', 'v1', 'f2', 'v2');
    await c.sadd('intset', '1', '2', '3');
    await c.sadd('set', 'x', 'y');
    await c.zadd('zset', '1', 'one', '2.5', 'two');
    await c.set('big', 'z'.repeat(5000));
    await c.select(2);
    await c.set('db2key', 'in db 2');
  } finally {
    c.disconnect();
  }
}

async function checkDataset(port: number): Promise<void> {
  assert.equal(await cmd(port, 'GET', 'str'), 'hello');
  assert.equal(await cmd(port, 'GET', 'int'), '12345');
  const ttl = Number(await cmd(port, 'PTTL', 'ttl'));
  assert.ok(ttl > 500000 && ttl <= 600000, `ttl kept: ${ttl}`);
  assert.deepEqual(await cmd(port, 'LRANGE', 'list', '0', '-1'), ['a', 'b', 'c']);
  assert.deepEqual(await cmd(port, 'HGETALL', 'hash'), ['f1', 'v1', 'f2', 'v2']);
  assert.deepEqual(((await cmd(port, 'SMEMBERS', 'intset')) as string[]).sort(), ['1', '2', '3']);
  assert.deepEqual(((await cmd(port, 'SMEMBERS', 'set')) as string[]).sort(), ['x', 'y']);
  assert.deepEqual(await cmd(port, 'ZRANGE', 'zset', '0', '-1', 'WITHSCORES'), ['one', '1', 'two', '2.5']);
  assert.equal(await cmd(port, 'STRLEN', 'big'), 5000);
  const c = client(port);
  c.on('error', () => undefined);
  await c.connect();
  try {
    await c.select(2);
    assert.equal(await c.get('db2key'), 'in db 2');
  } finally {
    c.disconnect();
  }
}

function backupsIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.rdb')).sort() : [];
}

async function withLogs<T>(t: Topology, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    (e as Error).message += `\n${topologyLogs(t, 1500)}`;
    throw e;
  }
}

after(async () => {
  await stopAll();
  rmSync(keepDir, { recursive: true, force: true });
});

describe('reddish test-replication / bench / backup / restore / test-failover on Reddish', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'reddish-ops-tools-'));
  let t: Topology;

  before(async () => {
    t = await startTopology({ servers: 'reddish', sentinels: ['reddish', 'reddish', 'reddish'], downAfterMs: 1000, failoverTimeoutMs: 10000 });
  });
  after(async () => {
    await t?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('every new subcommand has --help', async () => {
    for (const name of ['test-replication', 'test-failover', 'bench', 'backup', 'restore']) {
      const r = await reddish([name, '--help'], cwd);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`^Usage: reddish ${name}`), r.out);
    }
    const main = await reddish(['--help'], cwd);
    for (const name of ['test-replication', 'test-failover', 'bench', 'backup', 'restore']) assert.match(main.out, new RegExp(`\\n  ${name} `));
  });

  it('test-replication through the Sentinels: every replica reads the key, which is then removed', () => withLogs(t, async () => {
    const j = await reddishJson(['test-replication', ...sentinelArgs(t)], cwd);
    assert.equal(j.ok, true);
    assert.equal(j.master, `127.0.0.1:${t.master.port}`);
    const reps = j.replicas as Array<Record<string, unknown>>;
    assert.deepEqual(reps.map((r) => r.address).sort(), t.replicas.map((r) => `127.0.0.1:${r.port}`).sort());
    for (const r of reps) {
      assert.equal(r.ok, true);
      assert.equal(typeof r.ms, 'number');
      assert.equal(r.linkStatus, 'up');
      assert.equal(typeof r.lagBytes, 'number');
    }
    assert.equal(await cmd(t.master.port, 'EXISTS', String(j.key)), 0);
    // The table form, with --master.
    const r = await reddish(['test-replication', '--master', `127.0.0.1:${t.master.port}`], cwd);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /ok: all 2 replicas have the key/);
  }));

  it('test-replication exits 1 naming the replica that does not get the key in time', () => withLogs(t, async () => {
    const stopped = t.replicas[0];
    await stopped.kill('SIGSTOP');
    try {
      const j = await reddishJson(['test-replication', '--master', `127.0.0.1:${t.master.port}`, '--timeout-ms', '500'], cwd, 1);
      assert.equal(j.ok, false);
      const reps = j.replicas as Array<Record<string, unknown>>;
      const bad = reps.find((r) => r.address === `127.0.0.1:${stopped.port}`);
      const good = reps.find((r) => r.address === `127.0.0.1:${t.replicas[1].port}`);
      assert.equal(bad?.ok, false);
      assert.equal(good?.ok, true);
    } finally {
      await stopped.kill('SIGCONT');
    }
    await waitSynced(t.master.port, stopped.port);
  }));

  it('bench runs every test with -c/-n/-P/-r and reports throughput and percentiles', () => withLogs(t, async () => {
    const tests = 'ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset';
    const j = await reddishJson(['bench', ...sentinelArgs(t), '-c', '8', '-n', '3000', '-P', '4', '-r', '1000', '-d', '16', '-t', tests], cwd);
    assert.equal(j.server, `127.0.0.1:${t.master.port}`);
    assert.equal(j.pipeline, 4);
    const res = j.tests as Array<{ test: string; requests: number; rps: number; errors: number; latencyMs: Record<string, number> }>;
    assert.deepEqual(res.map((r) => r.test), ['ping_inline', 'ping_mbulk', 'set', 'get', 'incr', 'lpush', 'rpush', 'lpop', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'mset']);
    for (const r of res) {
      assert.equal(r.requests, 3000, r.test);
      assert.equal(r.errors, 0, r.test);
      assert.ok(r.rps > 0, r.test);
      const l = r.latencyMs;
      assert.ok(l.min <= l.p50 && l.p50 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, `${r.test}: ${JSON.stringify(l)}`);
    }
    // -r: random keys of redis-benchmark's form, 12 digits.
    const keys = (await cmd(t.master.port, 'KEYS', 'key:*')) as string[];
    assert.ok(keys.length > 100 && keys.every((k) => /^key:\d{12}$/.test(k)), `keys: ${keys.slice(0, 5).join(' ')}`);
    // The table form, and -q; a bad test name is a usage error.
    const r = await reddish(['bench', '--master', `127.0.0.1:${t.master.port}`, '-n', '500', '-c', '2', '-t', 'set,get'], cwd);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /SET\s+500\s/);
    assert.match(r.out, /p99\.9 ms/);
    const q = await reddish(['bench', '--host', '127.0.0.1', '-p', String(t.master.port), '-n', '500', '-q', '-t', 'ping_mbulk'], cwd);
    assert.match(q.out, /^PING_MBULK: [\d.]+ requests per second/);
    const bad = await reddish(['bench', '--master', `127.0.0.1:${t.master.port}`, '-t', 'nosuchtest'], cwd);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /unknown test 'nosuchtest'/);
    await cmd(t.master.port, 'FLUSHALL');
  }));

  it('backup takes a verified snapshot from a replica and keeps the newest N; restore brings the data back everywhere', () => withLogs(t, async () => {
    await writeDataset(t.master.port);
    for (const r of t.replicas) await waitSynced(t.master.port, r.port);
    const out = join(cwd, 'backups');
    const first = await reddishJson(['backup', ...sentinelArgs(t), '--out', out], cwd);
    assert.equal(first.sourceRole, 'replica');
    assert.ok(t.replicas.some((r) => first.source === `127.0.0.1:${r.port}`), String(first.source));
    assert.equal(first.checksum, 'ok');
    assert.equal(first.rdbVersion, 10);
    assert.equal(first.keys, 10);
    assert.deepEqual(first.keysPerDb, { db0: 9, db2: 1 });
    assert.ok(existsSync(String(first.file)));
    assert.match(String(first.file), /dump-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.rdb$/);
    // Two more with --keep 2: the oldest goes.
    await reddishJson(['backup', ...sentinelArgs(t), '--out', out, '--keep', '2'], cwd);
    const third = await reddish(['backup', '--master', `127.0.0.1:${t.master.port}`, '--out', out, '--keep', '2'], cwd);
    assert.equal(third.code, 0, third.err);
    assert.match(third.out, /bytes from replica/);
    assert.match(third.out, /removed 1 older backup/);
    const files = backupsIn(out);
    assert.equal(files.length, 2);
    assert.ok(!files.includes(String(first.file).split("/").pop() ?? ""));

    // Restore after losing everything: the master gets the keys, the replicas by replication.
    await cmd(t.master.port, 'FLUSHALL');
    const file = join(out, files[1]);
    const refused = await reddish(['restore', file, ...sentinelArgs(t), '--flush'], cwd);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--yes/);
    const j = await reddishJson(['restore', file, ...sentinelArgs(t), '--flush', '--yes'], cwd);
    assert.equal(j.restored, 10);
    assert.equal(j.errors, 0);
    assert.equal(j.master, `127.0.0.1:${t.master.port}`);
    await checkDataset(t.master.port);
    for (const r of t.replicas) {
      await waitSynced(t.master.port, r.port);
      await checkDataset(r.port);
    }
    // Again without --flush: REPLACE makes it idempotent.
    const again = await reddish(['restore', file, '--master', `127.0.0.1:${t.master.port}`], cwd);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /restored 10 of 10 keys/);
    // Not an RDB file: exit 1, nothing sent.
    const notRdb = await reddish(['restore', join(here, 'ops-tools.test.js'), '--master', `127.0.0.1:${t.master.port}`], cwd);
    assert.equal(notRdb.code, 1);
    assert.match(notRdb.err, /not an RDB file/);
    reddishBackup = join(keepDir, 'reddish.rdb');
    copyFileSync(file, reddishBackup);
  }));

  it('test-failover: SHUTDOWN of the master under load, a timeline, and no WAIT-acknowledged write lost', () => withLogs(t, async () => {
    const old = `127.0.0.1:${t.master.port}`;
    const j = await reddishJson(['test-failover', ...sentinelArgs(t), '--dir', join(cwd, 'none'), '--warmup-ms', '500', '--duration-ms', '1000', '--timeout-ms', '30000'], cwd);
    assert.equal(j.ok, true);
    assert.equal(j.oldMaster, old);
    assert.notEqual(j.newMaster, old);
    assert.ok(t.replicas.some((r) => j.newMaster === `127.0.0.1:${r.port}`));
    assert.equal((j.action as Record<string, string>).kind, 'SHUTDOWN');
    const w = j.writes as Record<string, number>;
    assert.ok(w.acknowledged > 0 && w.waitAcknowledged > 0, JSON.stringify(w));
    assert.equal(w.waitMissing, 0);
    const m = j.milestones as Record<string, number | null>;
    for (const ev of ['+sdown', '+odown', '+switch-master', 'first-write-after']) assert.equal(typeof m[ev], 'number', `${ev} in ${JSON.stringify(m)}`);
    assert.ok((m['+sdown'] ?? 0) <= (m['+switch-master'] ?? 0));
    // The load's keys are cleaned up on the new master.
    const port = Number(String(j.newMaster).split(':')[1]);
    assert.deepEqual(await cmd(port, 'KEYS', 'reddish:test-failover:*'), []);
  }));
});


describe('reddish test-failover against a local `reddish up`: SIGKILL', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'reddish-ops-up-'));
  let up: ChildProcess | null = null;
  let upOut = '';

  before(async () => {
    await retryOnPortClash(async () => {
      upOut = '';
      const port = await freePortRange(3);
      const sport = await freePortRange(3);
      const p = spawn(process.execPath, [REDDISH, 'up', '--port', String(port), '--sentinel-port', String(sport), '--metrics-port', '0', '--dashboard-port', '0', '--down-after-ms', '1000', '--failover-timeout-ms', '10000'], { cwd });
      up = p;
      p.stdout!.on('data', (d) => (upOut += d));
      p.stderr!.on('data', (d) => (upOut += d));
      const start = Date.now();
      while (!/Ready\./.test(upOut)) {
        if (p.exitCode !== null || Date.now() - start > 60000) throw new Error(`reddish up did not get ready:\n${upOut}`);
        await sleep(100);
      }
    }, () => upOut);
  });
  after(async () => {
    if (up && up.exitCode === null) {
      const done = new Promise((r) => up!.once('exit', r));
      up.kill('SIGTERM');
      await Promise.race([done, sleep(20000)]);
      if (up.exitCode === null) up.kill('SIGKILL');
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  it('test-replication, bench, backup and restore against the stack `reddish up` started', async () => {
    const tr = await reddish(['test-replication'], cwd);
    assert.equal(tr.code, 0, tr.out + tr.err);
    const b = await reddish(['bench', '-n', '2000', '-c', '4', '-t', 'set,get', '-q'], cwd);
    assert.equal(b.code, 0, b.out + b.err);
    assert.match(b.out, /SET: .*requests per second/i);
    const bk = await reddishJson(['backup', '--out', join(cwd, 'backups')], cwd);
    assert.equal(bk.checksum, 'ok');
    const rs = await reddishJson(['restore', String(bk.file)], cwd);
    assert.equal(rs.errors, 0);
  });

  it('kills the master process with SIGKILL and counts the writes that survived', async () => {
    const r = await reddish(['test-failover', '--warmup-ms', '500', '--duration-ms', '1000', '--timeout-ms', '30000'], cwd);
    assert.equal(r.code, 0, `${r.out}\n${r.err}\n${upOut}`);
    assert.match(r.out, /SIGKILL to pid \d+ \(a process of the local `reddish up`/);
    assert.match(r.out, /\+switch-master/);
    assert.match(r.out, /WAIT-acknowledged, missing now:\s+0\n/);
    // `reddish up` saw its node die.
    await waitFor('reddish up reports the killed master', () => /server 127\.0\.0\.1:\d+ is not running/.test(upOut), 5000);
    // And the tool's status agrees on the new master.
    const st = await reddishJson(['status'], cwd, 0);
    assert.equal((st.master as Record<string, unknown>).role, 'master');
    // `reddish up` starts the killed node again once the Sentinels name another master: it rejoins as a replica.
    const killed = /server 127\.0\.0\.1:(\d+) is not running/.exec(upOut)![1];
    await waitFor('the killed master restarted', () => new RegExp(`server 127\\.0\\.0\\.1:${killed} restarted`).test(upOut), 30000);
    await waitFor('the old master is a replica with its link up', async () => {
      const s2 = await reddishJson(['status'], cwd, 0);
      const reps = (s2.replicas as Array<Record<string, unknown>>) ?? [];
      return reps.some((x) => x.address === `127.0.0.1:${killed}` && x.role === 'slave' && x.linkStatus === 'up');
    }, 40000);
  });
});

describe('reddish tools against real Redis + redis-sentinel', { skip: SKIP_REDIS }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'reddish-ops-redis-'));
  const impls: Impl[] = ['redis', 'redis', 'redis'];
  let t: Topology;

  before(async () => {
    t = await startTopology({ servers: 'redis', sentinels: impls, downAfterMs: failoverDownAfterMs(impls), failoverTimeoutMs: 10000 });
  });
  after(async () => {
    await t?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('status through the Sentinels', () => withLogs(t, async () => {
    const j = await reddishJson(['status', ...sentinelArgs(t)], cwd);
    assert.equal((j.master as Record<string, unknown>).address, `127.0.0.1:${t.master.port}`);
    assert.equal((j.replicas as unknown[]).length, 2);
    assert.equal((j.sentinels as unknown[]).length, 3);
  }));

  it('test-replication', () => withLogs(t, async () => {
    const j = await reddishJson(['test-replication', ...sentinelArgs(t)], cwd);
    assert.equal(j.ok, true);
    assert.equal((j.replicas as unknown[]).length, 2);
  }));

  it('bench', () => withLogs(t, async () => {
    const j = await reddishJson(['bench', ...sentinelArgs(t), '-c', '4', '-n', '2000', '-P', '8', '-t', 'set,get,lpush,lrange_100,mset'], cwd);
    const res = j.tests as Array<{ test: string; requests: number; errors: number }>;
    assert.deepEqual(res.map((r) => [r.test, r.requests, r.errors]), [['set', 2000, 0], ['get', 2000, 0], ['lpush', 2000, 0], ['lrange_100', 2000, 0], ['mset', 2000, 0]]);
    await cmd(t.master.port, 'FLUSHALL');
  }));

  it('backup from a Redis replica (diskless $EOF transfer), restore into the Redis master, and a Reddish backup into Redis', () => withLogs(t, async () => {
    await writeDataset(t.master.port);
    for (const r of t.replicas) await waitSynced(t.master.port, r.port);
    const out = join(cwd, 'backups');
    const b = await reddishJson(['backup', ...sentinelArgs(t), '--out', out], cwd);
    assert.equal(b.sourceRole, 'replica');
    assert.equal(b.transfer, 'diskless');
    assert.equal(b.checksum, 'ok');
    assert.equal(b.keys, 10);
    await cmd(t.master.port, 'FLUSHALL');
    const j = await reddishJson(['restore', String(b.file), ...sentinelArgs(t), '--flush', '--yes'], cwd);
    assert.equal(j.restored, 10);
    assert.equal(j.errors, 0);
    await checkDataset(t.master.port);
    for (const r of t.replicas) {
      await waitSynced(t.master.port, r.port);
      await checkDataset(r.port);
    }
    assert.equal(infoField(await info(t.master.port), 'connected_slaves'), '2');
    // A backup Reddish took loads into Redis (Redis's DUMP format both ways).
    if (reddishBackup !== null) {
      await cmd(t.master.port, 'FLUSHALL');
      const x = await reddishJson(['restore', reddishBackup, '--master', `127.0.0.1:${t.master.port}`], cwd);
      assert.equal(x.restored, 10);
      await checkDataset(t.master.port);
    }
  }));

  it('test-failover: SHUTDOWN NOSAVE NOW of the Redis master, redis-sentinel fails over, no WAIT-acknowledged write lost', () => withLogs(t, async () => {
    const old = `127.0.0.1:${t.master.port}`;
    const j = await reddishJson(['test-failover', ...sentinelArgs(t), '--dir', join(cwd, 'none'), '--warmup-ms', '500', '--duration-ms', '1000', '--timeout-ms', '40000'], cwd);
    assert.equal(j.ok, true);
    assert.equal(j.oldMaster, old);
    assert.ok(t.replicas.some((r) => j.newMaster === `127.0.0.1:${r.port}`), String(j.newMaster));
    assert.equal((j.action as Record<string, string>).kind, 'SHUTDOWN');
    const w = j.writes as Record<string, number>;
    assert.ok(w.acknowledged > 0 && w.waitAcknowledged > 0, JSON.stringify(w));
    assert.equal(w.waitMissing, 0);
    assert.equal(typeof (j.milestones as Record<string, number | null>)['+switch-master'], 'number');
  }));
});
