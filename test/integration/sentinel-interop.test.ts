/**
 * Sentinel across implementations: Redis's redis-sentinel monitoring Reddish
 * servers, Reddish sentinels monitoring redis-server, and a mixed quorum of
 * two Reddish sentinels and one redis-sentinel. Each: discovery, then kill -9
 * of the master under a sentinel-client write load, a new master, no
 * WAIT-acknowledged write lost, and the old master back as a replica.
 *
 * SENTINEL_IMPL=redis turns every sentinel into redis-sentinel (to validate
 * the tests while the Reddish sentinel is being written).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Impl,
  type Topology,
  type EventLog,
  failoverDownAfterMs,
  inOrder,
  masterAddr,
  missingKeys,
  redisSentinelAvailable,
  role,
  sentinelCmd,
  sentinelReplicas,
  sentinelSentinels,
  setMaster,
  startTopology,
  startWriteLoad,
  stopAll,
  subscribeEvents,
  topologyLogs,
  waitFailoverDone,
  waitFor,
  waitMasterSwitched,
  waitSynced,
} from '../support/sentinel-topology.js';

const SKIP = redisSentinelAvailable() ? false : 'redis-sentinel / redis-server not installed';

after(async () => {
  await stopAll();
});

async function withLogs<T>(t: Topology, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as Error;
    err.message += `\n${topologyLogs(t)}`;
    throw err;
  }
}

/** Every sentinel sees the master, both replicas and the other sentinels (with their SENTINEL MYID as runid). */
async function checkDiscovery(t: Topology): Promise<void> {
  const ids = await Promise.all(t.sentinels.map(async (s) => String(await sentinelCmd(s.port, 'SENTINEL', 'MYID'))));
  for (const [i, s] of t.sentinels.entries()) {
    assert.equal(await masterAddr(s.port), `127.0.0.1:${t.master.port}`);
    const reps = await sentinelReplicas(s.port);
    assert.deepEqual(reps.map((r) => `${r.ip}:${r.port} ${r.flags} ${r['master-link-status']}`).sort(),
      t.replicas.map((r) => `127.0.0.1:${r.port} slave ok`).sort(), `replicas seen by ${s.impl} sentinel ${i}`);
    const sens = await sentinelSentinels(s.port);
    assert.deepEqual(sens.map((x) => `${x.ip}:${x.port} ${x.runid} ${x.flags}`).sort(),
      t.sentinels.map((o, j) => ({ o, id: ids[j] })).filter((x) => x.o !== s).map((x) => `127.0.0.1:${x.o.port} ${x.id} sentinel`).sort(),
      `sentinels seen by ${s.impl} sentinel ${i}`);
    assert.equal(await sentinelCmd(s.port, 'SENTINEL', 'CKQUORUM', 'mymaster'), 'OK 3 usable Sentinels. Quorum and failover authorization can be reached');
  }
}

/** kill -9 of the master under load: a new master, every sentinel follows, the old master comes back as a replica. */
async function killMasterFailover(t: Topology, diag: (s: string) => void): Promise<void> {
  let ev: EventLog | undefined;
  const load = startWriteLoad(t.sentinels.map((s) => s.port));
  try {
    ev = await subscribeEvents(t.sentinels.map((s) => s.port));
    const old = t.master;
    await waitFor('300 WAIT-acknowledged writes', () => load.waited.size >= 300, 20000);
    const killedAt = Date.now();
    await old.kill('SIGKILL');
    const sw = await ev.waitEvent('+switch-master', new RegExp(`^mymaster 127\\.0\\.0\\.1 ${old.port} 127\\.0\\.0\\.1 (\\d+)$`), 30000);
    const newPort = Number(sw.split(' ')[4]);
    diag(`+switch-master ${Date.now() - killedAt} ms after the kill`);
    assert.ok(t.replicas.some((r) => r.port === newPort), 'a replica was promoted');
    await waitMasterSwitched(t, `127.0.0.1:${newPort}`);
    setMaster(t, newPort);
    assert.equal((await role(newPort))[0], 'master');
    const switchAt = Date.now();
    const ackedAtSwitch = load.acked.length;
    await waitFor('the client writes to the new master, WAIT acknowledged', () =>
      load.acked.length >= ackedAtSwitch + 200 && load.waitOkAt.some((x) => x > switchAt), 30000);
    await load.stop();

    const end = await ev.waitRecord('+failover-end', `master mymaster 127.0.0.1 ${old.port}`, 30000);
    const leader = t.sentinels.find((s) => s.port === end.sentinel);
    diag(`failover led by the ${leader?.impl} sentinel :${end.sentinel}`);
    const bad = inOrder(ev.channels(end.sentinel), ['+odown', '+try-failover', '+elected-leader', '+selected-slave', '+promoted-slave', '+failover-end', '+switch-master']);
    assert.equal(bad, undefined, bad);
    for (const s of t.sentinels.filter((x) => x.port !== end.sentinel)) {
      const bad2 = inOrder(ev.channels(s.port), ['+config-update-from', '+switch-master']);
      assert.equal(bad2, undefined, `${s.impl} sentinel :${s.port}: ${bad2}`);
    }
    await waitFailoverDone(t, `127.0.0.1:${newPort}`);

    const missing = new Set(await missingKeys(newPort, load.acked));
    const lostWaited = [...load.waited].filter((i) => missing.has(i));
    diag(`acked ${load.acked.length}, WAIT-acknowledged ${load.waited.size}; lost ${missing.size} acked, ${lostWaited.length} WAIT-acknowledged`);
    assert.deepEqual(lostWaited, [], 'no WAIT-acknowledged write lost');

    // The other replica follows the new master; the old master, restarted, is converted into a replica.
    for (const r of t.replicas.filter((x) => x !== old)) await waitSynced(newPort, r.port, 30000);
    await old.restart();
    await ev.waitEvent('+convert-to-slave', `slave 127.0.0.1:${old.port} 127.0.0.1 ${old.port} @ mymaster 127.0.0.1 ${newPort}`, 40000);
    await waitSynced(newPort, old.port, 30000);
    assert.deepEqual(await missingKeys(old.port, load.waited), []);
    await waitFor('every sentinel lists both replicas of the new master as healthy', async () => {
      for (const s of t.sentinels) {
        const reps = await sentinelReplicas(s.port);
        const ok = reps.filter((r) => r.flags === 'slave' && r['master-port'] === String(newPort)).map((r) => Number(r.port)).sort();
        if (JSON.stringify(ok) !== JSON.stringify(t.replicas.map((r) => r.port).sort())) return false;
      }
      return true;
    }, 30000);
  } finally {
    await load.stop();
    ev?.close();
  }
}

function scenario(title: string, servers: Impl, sentinels: Impl[]): void {
  describe(title, { skip: SKIP }, () => {
    let t: Topology;
    before(async () => {
      t = await startTopology({ servers, sentinels, replicas: 2, quorum: 2, downAfterMs: failoverDownAfterMs(sentinels), failoverTimeoutMs: 10000 });
    });
    after(async () => {
      await t?.stop();
    });
    it('discovery: every sentinel sees the replicas and the other sentinels', async () => {
      await withLogs(t, () => checkDiscovery(t));
    });
    it('kill -9 of the master: failover, the client follows, the old master rejoins as a replica', async (tc) => {
      await withLogs(t, () => killMasterFailover(t, (s) => tc.diagnostic(s)));
    });
  });
}

scenario('redis-sentinel x3 monitoring Reddish servers', 'reddish', ['redis', 'redis', 'redis']);
scenario('Reddish sentinels x3 monitoring redis-server', 'redis', ['reddish', 'reddish', 'reddish']);
scenario('mixed quorum: 2 Reddish sentinels + 1 redis-sentinel over Reddish servers', 'reddish', ['reddish', 'reddish', 'redis']);
