/**
 * The `reddish` tool as a user runs it: `reddish up` in a directory, then
 * status / health / lag / role / failover against it, a failing health
 * check, `reddish down`, and a second `up` on the same directory that finds
 * the data and the post-failover topology. Also status and health against a
 * real Redis + redis-sentinel deployment, and the programmatic API with an
 * ioredis Sentinel client across a kill -9.
 */
import { describe, it, before, after } from 'node:test';
import { freePortRange } from '../support/free-port.js';
import { retryOnPortClash } from '../support/port-clash.js';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startTopology as harnessTopology, redisSentinelAvailable, stopAll, type Topology as HarnessTopology } from '../support/sentinel-topology.js';
import { startTopology, startServer } from '../../src/api.js';

const here = dirname(fileURLToPath(import.meta.url));
const REDDISH = join(here, '..', '..', '..', 'bin', 'reddish');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  code: number;
  out: string;
  err: string;
}

function reddish(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [REDDISH, ...args], { cwd, env: { ...process.env, REDDISH_SENTINELS: '', ...env } });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}


async function waitOutput(c: ChildProcess, get: () => string, what: RegExp, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!what.test(get())) {
    if (c.exitCode !== null) throw new Error(`exited ${c.exitCode}: ${get()}`);
    if (Date.now() - start > timeoutMs) throw new Error(`timeout waiting for ${what}: ${get()}`);
    await sleep(100);
  }
}

describe('reddish up / status / health / failover / down', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'reddish-up-test-'));
  let port = 0;
  let sport = 0;
  let mport = 0;
  let dport = 0;
  let up: ChildProcess | null = null;
  let upOut = '';

  const startUp = async (): Promise<void> => {
    upOut = '';
    up = spawn(process.execPath, [REDDISH, 'up', '--port', String(port), '--sentinel-port', String(sport), '--metrics-port', String(mport),
      '--dashboard-port', String(dport), '--down-after-ms', '1000', '--failover-timeout-ms', '10000'], { cwd });
    up.stdout!.on('data', (d) => (upOut += d));
    up.stderr!.on('data', (d) => (upOut += d));
    await waitOutput(up, () => upOut, /Ready\. Master name 'mymaster'/, 60000);
  };

  before(async () => {
    await retryOnPortClash(async () => {
      port = await freePortRange(3);
      sport = await freePortRange(3);
      mport = await freePortRange(6);
      dport = await freePortRange(1);
      await startUp();
    }, () => upOut);
  });
  after(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGTERM');
      await new Promise((r) => up!.once('exit', r));
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  it('prints the endpoints and serves a working replicated, monitored topology', async () => {
    for (const p of [port, port + 1, port + 2, sport, sport + 1, sport + 2]) assert.match(upOut, new RegExp(`127\\.0\\.0\\.1:${p}`));
    const r = await reddish(['status', '--json'], cwd);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.master.address, `127.0.0.1:${port}`);
    assert.equal(s.master.role, 'master');
    assert.deepEqual(s.replicas.map((x: { address: string }) => x.address).sort(), [`127.0.0.1:${port + 1}`, `127.0.0.1:${port + 2}`]);
    assert.ok(s.replicas.every((x: { linkStatus: string; role: string }) => x.linkStatus === 'up' && x.role === 'slave'));
    assert.equal(s.sentinels.length, 3);
    assert.ok(s.sentinels.every((x: { quorum: string; master: string }) => x.quorum === 'ok' && x.master === `127.0.0.1:${port}`));
    const table = await reddish(['status'], cwd);
    assert.match(table.out, /address\s+role\s+up\s+link\s+offset/);
    // Every node serves metrics, and the dashboard is up.
    for (let i = 0; i < 6; i++) assert.match(upOut, new RegExp(`http://127\\.0\\.0\\.1:${mport + i}/metrics`));
    const metrics = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
    assert.match(metrics, /^redis_instance_info\{role="master"/m);
    const sentinelMetrics = await (await fetch(`http://127.0.0.1:${mport + 3}/metrics`)).text();
    assert.match(sentinelMetrics, /^redis_sentinel_master_status\{master_name="mymaster",master_address="127\.0\.0\.1:\d+",master_status="ok"\} 1$/m);
    assert.match(upOut, new RegExp(`Dashboard: http://127\\.0\\.0\\.1:${dport}`));
    const page = await fetch(`http://127.0.0.1:${dport}/`);
    assert.equal(page.status, 200);
  });

  it('health passes, lag and role report, --help and usage errors have their exit codes', async () => {
    const h = await reddish(['health'], cwd);
    assert.equal(h.code, 0, h.out + h.err);
    assert.match(h.out, /healthy \(\d+ checks\)/);
    const c = new Redis({ port, host: '127.0.0.1' });
    await c.set('greeting', 'hello');
    c.disconnect();
    const l = await reddish(['lag', '--json'], cwd);
    assert.equal(l.code, 0, l.err);
    assert.equal(JSON.parse(l.out).replicas.length, 2);
    const role = await reddish(['role', `127.0.0.1:${port + 1}`, '--json'], cwd);
    assert.deepEqual({ ...JSON.parse(role.out), offset: 0 }, { role: 'replica', master: `127.0.0.1:${port}`, state: 'connected', offset: 0 });
    const sr = await reddish(['role', `127.0.0.1:${sport}`], cwd);
    assert.equal(sr.out.trim(), 'sentinel of mymaster');
    assert.equal((await reddish(['status', '--help'], cwd)).code, 0);
    assert.equal((await reddish(['status', '--bogus'], cwd)).code, 2);
    assert.equal((await reddish(['nope'], cwd)).code, 2);
    assert.equal((await reddish(['role', '127.0.0.1:1'], cwd)).code, 3);
  });

  it('failover moves the master; health fails while a replica is down', async () => {
    const f = await reddish(['failover'], cwd);
    assert.equal(f.code, 0, f.out + f.err);
    const m = /new master 127\.0\.0\.1:(\d+)/.exec(f.out);
    assert.ok(m, f.out);
    const newMaster = Number(m[1]);
    assert.notEqual(newMaster, port);
    const c = new Redis({ port: newMaster, host: '127.0.0.1' });
    assert.equal(await c.get('greeting'), 'hello');
    c.disconnect();
    // A replica that stops answering makes health fail (exit 1) and say which.
    const replica = [port, port + 1, port + 2].find((p) => p !== newMaster && p !== port)!;
    const pid = Number(spawnSync('pgrep', ['-f', `server-${replica}/redis.conf`]).stdout.toString().trim().split('\n')[0]);
    process.kill(pid, 'SIGSTOP');
    try {
      const h = await reddish(['health', '--quiet'], cwd);
      assert.equal(h.code, 1, h.out);
      assert.match(h.out, new RegExp(`FAIL  replica 127\\.0\\.0\\.1:${replica}`));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });

  it('down stops everything; up again on the same dir keeps the data and the promoted master', async () => {
    const before = JSON.parse((await reddish(['status', '--json'], cwd)).out).master.address as string;
    const d = await reddish(['down'], cwd);
    assert.equal(d.code, 0, d.err);
    await new Promise((r) => (up!.exitCode !== null ? r(null) : up!.once('exit', r)));
    assert.equal(spawnSync('pgrep', ['-f', join(cwd, 'reddish-data')]).status, 1, 'no node left running');
    assert.equal((await reddish(['down'], cwd)).code, 1, 'nothing left to stop');
    await startUp();
    const s = JSON.parse((await reddish(['status', '--json'], cwd)).out);
    assert.equal(s.master.address, before, 'the master promoted before the restart is master again');
    const c = new Redis({ port: Number(before.split(':')[1]), host: '127.0.0.1' });
    assert.equal(await c.get('greeting'), 'hello');
    c.disconnect();
  });
});

describe('reddish status / health against redis-server + redis-sentinel', { skip: redisSentinelAvailable() ? false : 'redis-sentinel not installed' }, () => {
  let t: HarnessTopology | undefined;
  after(async () => {
    await t?.stop();
    await stopAll();
  });

  it('reads the topology through real Sentinels', async () => {
    t = await harnessTopology({ servers: 'redis', sentinels: ['redis', 'redis', 'redis'] });
    const sentinels = t.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
    const r = await reddish(['status', '--json'], tmpdir(), { REDDISH_SENTINELS: sentinels });
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.equal(s.master.address, `127.0.0.1:${t.master.port}`);
    assert.equal(s.replicas.length, 2);
    const h = await reddish(['health', '--sentinel', `127.0.0.1:${t.sentinels[0].port}`], tmpdir());
    assert.equal(h.code, 0, h.out + h.err);
  });
});

describe('programmatic API: startTopology', () => {
  it('gives a Sentinel-aware ioredis client a topology that survives kill -9 of the master', async () => {
    const t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000, failoverTimeoutMs: 10000 });
    const redis = new Redis({ sentinels: t.sentinelAddrs(), name: t.masterName, maxRetriesPerRequest: 50 });
    redis.on('error', () => undefined); // reconnect noise while the master is gone
    try {
      await redis.set('k', 'v');
      assert.equal(await redis.wait(2, 2000), 2);
      const old = await t.master();
      await old.kill();
      const m = await t.waitForFailover({ from: old, timeoutMs: 30000 });
      assert.notEqual(m.port, old.port);
      assert.equal(await redis.get('k'), 'v');
      await redis.set('after', '1');
      const c = m.client();
      assert.equal(await c.call(['GET', 'after']), '1');
      c.close();
    } finally {
      redis.disconnect();
      await t.stop();
    }
  });
});

describe('programmatic API: startServer', () => {
  it('starts one server with config lines and a password, pauses, resumes and removes it', async () => {
    const srv = await startServer({ password: 'pw', config: ['maxmemory 10mb'] });
    try {
      const c = new Redis({ port: srv.port, host: '127.0.0.1', password: 'pw', lazyConnect: true, maxRetriesPerRequest: 1 });
      c.on('error', () => undefined);
      await c.connect();
      assert.deepEqual(await c.config('GET', 'maxmemory'), ['maxmemory', '10485760']);
      srv.pause();
      const stalled = await Promise.race([c.ping().then(() => 'answered'), sleep(500).then(() => 'stalled')]);
      assert.equal(stalled, 'stalled');
      srv.resume();
      assert.equal(await c.ping(), 'PONG');
      c.disconnect();
    } finally {
      await srv.remove();
    }
    assert.equal(srv.running(), false);
  });
});
