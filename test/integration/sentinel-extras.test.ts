/**
 * Reddish Sentinel beyond the core flows: notification and client-reconfig
 * scripts called with Redis's arguments, TILT after the process was stopped,
 * password-protected servers and Sentinels, and down-after-milliseconds 500
 * under a heavy write load without a false failover.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  startTopology, startServer, startSentinel, monitorLines, subscribeEvents, waitFor, sentinelCmd, stopAll, topologyLogs, infoField,
  type Topology, type Proc, type EventLog,
} from '../support/sentinel-topology.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

after(async () => {
  await stopAll();
});

describe('sentinel scripts', () => {
  let t: Topology | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-scripts-'));
  after(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs notification-script for warnings and client-reconfig-script on a failover, with Redis arguments', async () => {
    const notify = join(dir, 'notify.sh');
    const reconf = join(dir, 'reconf.sh');
    writeFileSync(notify, `#!/bin/sh\necho "$@" >> ${join(dir, 'notify.log')}\n`);
    writeFileSync(reconf, `#!/bin/sh\necho "$@" >> ${join(dir, 'reconf.log')}\n`);
    chmodSync(notify, 0o755);
    chmodSync(reconf, 0o755);
    t = await startTopology({
      sentinels: ['reddish'], replicas: 1, quorum: 1, downAfterMs: 1000,
      extraSentinelConf: [`sentinel notification-script mymaster ${notify}`, `sentinel client-reconfig-script mymaster ${reconf}`],
    });
    const topo = t;
    const oldPort = topo.master.port;
    const newPort = topo.replicas[0].port;
    assert.equal(await sentinelCmd(topo.sentinels[0].port, 'SENTINEL', 'FAILOVER', 'mymaster'), 'OK');
    const reconfLog = join(dir, 'reconf.log');
    const line = await waitFor('client-reconfig-script called', () => existsSync(reconfLog) && readFileSync(reconfLog, 'utf8').trim(), 20000);
    assert.equal(line.split('\n')[0], `mymaster leader start 127.0.0.1 ${oldPort} 127.0.0.1 ${newPort}`);
    const notifyLog = join(dir, 'notify.log');
    const lines = await waitFor('notification-script saw +switch-master', () => {
      const text = existsSync(notifyLog) ? readFileSync(notifyLog, 'utf8') : '';
      return text.includes('+switch-master') && text.split('\n');
    }, 20000);
    assert.ok(lines.includes(`+switch-master mymaster 127.0.0.1 ${oldPort} 127.0.0.1 ${newPort}`), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('+try-failover master mymaster 127.0.0.1 ')), lines.join('\n'));
    // Nothing left queued once they ran.
    await waitFor('scripts queue drained', async () => (await sentinelCmd(topo.sentinels[0].port, 'SENTINEL', 'PENDING-SCRIPTS') as unknown[]).length === 0, 10000);
  });

  it('refuses SENTINEL SET of a script path while deny-scripts-reconfig is on', async () => {
    const reply = await sentinelCmd(t!.sentinels[0].port, 'SENTINEL', 'SET', 'mymaster', 'notification-script', '/bin/true').catch((e: Error) => e.message);
    assert.match(String(reply), /^ERR Reconfiguration of scripts path is denied for security reasons/);
  });
});

describe('sentinel TILT', () => {
  let t: Topology | undefined;
  let ev: EventLog | undefined;
  after(async () => {
    ev?.close();
    await t?.stop();
  });

  it('enters TILT after being stopped for longer than the tilt trigger, and does not act on stale timings', async () => {
    t = await startTopology({ sentinels: ['reddish'], replicas: 1, quorum: 1, downAfterMs: 1000 });
    const s = t.sentinels[0];
    ev = await subscribeEvents(s.port);
    s.proc.kill('SIGSTOP');
    await sleep(3000);
    s.proc.kill('SIGCONT');
    await ev.waitEvent('+tilt', '#tilt mode entered', 10000);
    const infoText = String(await sentinelCmd(s.port, 'INFO', 'sentinel'));
    assert.equal(infoField(infoText, 'sentinel_tilt'), '1');
    assert.ok(!ev.events.some((e) => e.channel === '+sdown' || e.channel === '+odown'), 'no down state judged from the pause');
  });
});

describe('sentinel with passwords', () => {
  // The processes are stopped by stopAll() above.
  it('monitors password-protected servers (auth-pass) and talks to password-protected peers (requirepass)', async () => {
    const auth = ['requirepass secret', 'masterauth secret'];
    const master = await startServer('reddish', { confLines: auth });
    await startServer('reddish', { replicaOf: master.port, confLines: auth });
    const lines = [...monitorLines(master.port, { quorum: 2, downAfterMs: 1000 }), 'sentinel auth-pass mymaster secret', 'requirepass sentinelpw'];
    const sentinels: Proc[] = await Promise.all([0, 1, 2].map(() => startSentinel('reddish', lines)));
    const c = new Redis({ port: sentinels[0].port, host: '127.0.0.1', password: 'sentinelpw', lazyConnect: true });
    try {
      await c.connect();
      await waitFor('replica and peers discovered through passwords', async () => {
        const reps = (await c.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
        const peers = (await c.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][];
        const ok = reps.length === 1 && reps[0][reps[0].indexOf('flags') + 1] === 'slave' && peers.length === 2;
        return ok && peers.every((p) => !p[p.indexOf('flags') + 1].includes('disconnected'));
      }, 30000);
      const m = (await c.call('SENTINEL', 'MASTER', 'mymaster')) as string[];
      assert.equal(m[m.indexOf('flags') + 1], 'master');
    } finally {
      c.disconnect();
    }
    // Without the password a client is refused, as by a password-protected redis-sentinel.
    await assert.rejects(sentinelCmd(sentinels[0].port, 'SENTINEL', 'MASTERS'), /NOAUTH/);
  });
});

const benchAvailable = spawnSync('redis-benchmark', ['--version']).status === 0;

describe('down-after-milliseconds 500 under load', { skip: benchAvailable ? false : 'redis-benchmark not installed' }, () => {
  let t: Topology | undefined;
  let ev: EventLog | undefined;
  after(async () => {
    ev?.close();
    await t?.stop();
  });

  it('gives no false +sdown / failover while the master is saturated by redis-benchmark', async () => {
    t = await startTopology({ replicas: 2, quorum: 2, downAfterMs: 500, failoverTimeoutMs: 10000 });
    const topo = t;
    ev = await subscribeEvents(topo.sentinels.map((s) => s.port));
    const bench = spawn('redis-benchmark', ['-p', String(topo.master.port), '-c', '50', '-P', '16', '-n', '100000000', '-t', 'set,lpush', '-r', '100000', '-d', '64', '-q'], { stdio: 'ignore' });
    try {
      await sleep(12000);
    } finally {
      bench.kill('SIGKILL');
    }
    const bad = ev.events.filter((e) => ['+sdown', '+odown', '+try-failover', '+switch-master'].includes(e.channel) && e.message.includes(`127.0.0.1 ${topo.master.port}`) && e.message.startsWith('master'));
    assert.deepEqual(bad, [], `false down states under load\n${topologyLogs(topo)}`);
    // And the master really was loaded: the replicas followed a stream of writes.
    const offset = Number(infoField(String(await sentinelCmd(topo.master.port, 'INFO', 'replication')), 'master_repl_offset'));
    assert.ok(offset > 10_000_000, `master_repl_offset ${offset}`);
  });
});
