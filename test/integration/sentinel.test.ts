/**
 * Sentinel end to end: 1 master + 2 replicas + 3 sentinels (quorum 2,
 * down-after 1000 ms) per `describe`. Discovery and the introspection
 * commands, a manual SENTINEL FAILOVER, kill -9 of the master under a write
 * load with a sentinel-aware client, a sentinel restarted on its rewritten
 * config, and +sdown/-sdown events.
 *
 * The sentinel implementation is chosen by SENTINEL_IMPL (default reddish);
 * the servers by SENTINEL_SERVERS (default reddish). With SENTINEL_IMPL=redis
 * the same tests run against Debian's redis-sentinel.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Impl,
  client,
  type Topology,
  defaultServers,
  failoverDownAfterMs,
  infoField,
  info,
  kv,
  masterAddr,
  missingKeys,
  readConf,
  redisSentinelAvailable,
  role,
  sentinelCmd,
  sentinelMaster,
  sentinelReplicas,
  sentinelSentinels,
  setMaster,
  inOrder,
  waitFailoverDone,
  startTopology,
  startWriteLoad,
  stopAll,
  subscribeEvents,
  topologyLogs,
  waitDiscovery,
  waitFor,
  waitMasterSwitched,
  waitSynced,
  type EventLog,
} from '../support/sentinel-topology.js';

const IMPL: Impl = (process.env.SENTINEL_IMPL as Impl | undefined) ?? 'reddish';
const SERVERS: Impl = defaultServers();
const SKIP = (IMPL === 'redis' || SERVERS === 'redis') && !redisSentinelAvailable() ? 'redis-sentinel / redis-server not installed' : false;
const HEX40 = /^[0-9a-f]{40}$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 1 master + 2 replicas + 3 sentinels; the describes that fail over use FAILOVER_DOWN_AFTER_MS (see there). */
function topo(downAfterMs = 1000): Promise<Topology> {
  return startTopology({ servers: SERVERS, sentinels: [IMPL, IMPL, IMPL], replicas: 2, quorum: 2, downAfterMs, failoverTimeoutMs: 10000 });
}

/** An assertion that prints the logs of the whole topology when it fails. */
async function withLogs<T>(t: Topology, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as Error;
    err.message += `\n${topologyLogs(t)}`;
    throw err;
  }
}

after(async () => {
  await stopAll();
});

describe(`sentinel (${IMPL} sentinels, ${SERVERS} servers): discovery and introspection`, { skip: SKIP }, () => {
  let t: Topology;
  before(async () => {
    t = await topo();
  });
  after(async () => {
    await t?.stop();
  });

  it('every sentinel knows both replicas, the two other sentinels and the master address', async () => {
    const masterInfo = await info(t.master.port, 'server');
    const masterRunId = infoField(masterInfo, 'run_id');
    const myids = await Promise.all(t.sentinels.map(async (s) => String(await sentinelCmd(s.port, 'SENTINEL', 'MYID'))));
    for (const id of myids) assert.match(id, HEX40);
    assert.equal(new Set(myids).size, 3, 'three different sentinel ids');
    for (const [i, s] of t.sentinels.entries()) {
      const reps = await sentinelReplicas(s.port);
      assert.deepEqual(reps.map((r) => `${r.name} ${r.ip} ${r.port} ${r.flags}`).sort(),
        t.replicas.map((r) => `127.0.0.1:${r.port} 127.0.0.1 ${r.port} slave`).sort());
      for (const r of reps) {
        assert.equal(r['master-host'], '127.0.0.1');
        assert.equal(r['master-port'], String(t.master.port));
        assert.equal(r['master-link-status'], 'ok');
        assert.equal(r['role-reported'], 'slave');
        assert.match(r.runid, HEX40);
      }
      const sens = await sentinelSentinels(s.port);
      const others = t.sentinels.map((o, j) => ({ o, id: myids[j] })).filter((x) => x.o !== s);
      assert.deepEqual(sens.map((x) => `${x.name} ${x.ip} ${x.port} ${x.runid} ${x.flags}`).sort(),
        others.map((x) => `${x.id} 127.0.0.1 ${x.o.port} ${x.id} sentinel`).sort(), `SENTINEL SENTINELS on sentinel ${i}`);
      assert.deepEqual(await sentinelCmd(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster'), ['127.0.0.1', String(t.master.port)]);
      assert.equal(await sentinelCmd(s.port, 'SENTINEL', 'CKQUORUM', 'mymaster'), 'OK 3 usable Sentinels. Quorum and failover authorization can be reached');
      const m = await sentinelMaster(s.port);
      assert.equal(m.runid, masterRunId, 'the master run id from its INFO');
    }
  });

  it('SENTINEL MASTER has the fields of Redis 7.0, in order', async () => {
    const reply = (await sentinelCmd(t.sentinels[0].port, 'SENTINEL', 'MASTER', 'mymaster')) as unknown[];
    const keys = reply.filter((_, i) => i % 2 === 0);
    assert.deepEqual(keys, [
      'name', 'ip', 'port', 'runid', 'flags', 'link-pending-commands', 'link-refcount', 'last-ping-sent', 'last-ok-ping-reply',
      'last-ping-reply', 'down-after-milliseconds', 'info-refresh', 'role-reported', 'role-reported-time', 'config-epoch',
      'num-slaves', 'num-other-sentinels', 'quorum', 'failover-timeout', 'parallel-syncs',
    ]);
    const m = kv(reply);
    assert.equal(m.name, 'mymaster');
    assert.equal(m.ip, '127.0.0.1');
    assert.equal(m.port, String(t.master.port));
    assert.equal(m.flags, 'master');
    assert.equal(m['role-reported'], 'master');
    assert.equal(m['down-after-milliseconds'], '1000');
    assert.equal(m['config-epoch'], '0');
    assert.equal(m['num-slaves'], '2');
    assert.equal(m['num-other-sentinels'], '2');
    assert.equal(m.quorum, '2');
    assert.equal(m['failover-timeout'], '10000');
    assert.equal(m['parallel-syncs'], '1');
    for (const k of ['link-pending-commands', 'link-refcount', 'last-ping-sent', 'last-ok-ping-reply', 'last-ping-reply', 'info-refresh', 'role-reported-time']) {
      assert.match(m[k], /^\d+$/, k);
    }
    // SENTINEL MASTERS: the same, as a one-element array.
    const masters = (await sentinelCmd(t.sentinels[0].port, 'SENTINEL', 'MASTERS')) as unknown[];
    assert.equal(masters.length, 1);
    assert.equal(kv(masters[0]).name, 'mymaster');
  });

  it('INFO sentinel, INFO server, ROLE, PING, SENTINEL MYID and IS-MASTER-DOWN-BY-ADDR', async () => {
    const s = t.sentinels[1].port;
    const inf = String(await sentinelCmd(s, 'INFO', 'sentinel'));
    assert.match(inf, /^# Sentinel\r\n/);
    assert.equal(infoField(inf, 'sentinel_masters'), '1');
    assert.equal(infoField(inf, 'sentinel_tilt'), '0');
    assert.equal(infoField(inf, 'sentinel_running_scripts'), '0');
    assert.equal(infoField(inf, 'sentinel_scripts_queue_length'), '0');
    assert.equal(infoField(inf, 'master0'), `name=mymaster,status=ok,address=127.0.0.1:${t.master.port},slaves=2,sentinels=3`);
    const srv = String(await sentinelCmd(s, 'INFO', 'server'));
    assert.equal(infoField(srv, 'redis_mode'), 'sentinel');
    assert.equal(infoField(srv, 'tcp_port'), String(s));
    assert.deepEqual(await sentinelCmd(s, 'ROLE'), ['sentinel', ['mymaster']]);
    assert.equal(await sentinelCmd(s, 'PING'), 'PONG');
    assert.match(String(await sentinelCmd(s, 'SENTINEL', 'MYID')), HEX40);
    assert.deepEqual(await sentinelCmd(s, 'SENTINEL', 'IS-MASTER-DOWN-BY-ADDR', '127.0.0.1', String(t.master.port), '0', '*'), [0, '*', 0]);
  });

  it('errors: unknown master, unknown subcommand, data commands', async () => {
    const s = t.sentinels[2].port;
    for (const sub of ['MASTER', 'REPLICAS', 'SLAVES', 'SENTINELS', 'CKQUORUM', 'FAILOVER']) {
      await assert.rejects(sentinelCmd(s, 'SENTINEL', sub, 'nosuch'), { message: 'ERR No such master with that name' }, sub);
    }
    assert.equal(await sentinelCmd(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'nosuch'), null);
    await assert.rejects(sentinelCmd(s, 'SENTINEL', 'NOPE'), { message: "ERR unknown subcommand 'NOPE'. Try SENTINEL HELP." });
    await assert.rejects(sentinelCmd(s, 'GET', 'x'), { message: "ERR unknown command 'GET', with args beginning with: 'x' " });
  });
});

describe(`sentinel (${IMPL} sentinels, ${SERVERS} servers): SENTINEL FAILOVER`, { skip: SKIP }, () => {
  let t: Topology;
  let ev: EventLog | undefined;
  before(async () => {
    t = await topo(failoverDownAfterMs([IMPL]));
  });
  after(async () => {
    ev?.close();
    await t?.stop();
  });

  it('promotes a replica, every sentinel switches, the old master follows the new one, the data is kept', async (tc) => {
    await withLogs(t, async () => {
      const old = t.master;
      const oldReplicas = [...t.replicas];
      ev = await subscribeEvents(t.sentinels.map((s) => s.port));
      const c = client(old.port);
      await c.connect();
      try {
        const p = c.pipeline();
        for (let i = 0; i < 500; i++) p.set(`key:${i}`, `value:${i}`);
        await p.exec();
      } finally {
        c.disconnect();
      }
      for (const r of oldReplicas) await waitSynced(old.port, r.port);

      assert.equal(await sentinelCmd(t.sentinels[1].port, 'SENTINEL', 'FAILOVER', 'mymaster'), 'OK');
      const sw = await ev.waitEvent('+switch-master', new RegExp(`^mymaster 127\\.0\\.0\\.1 ${old.port} 127\\.0\\.0\\.1 (\\d+)$`), 30000);
      const newPort = Number(sw.split(' ')[4]);
      assert.ok(oldReplicas.some((r) => r.port === newPort), 'a replica was promoted');
      await waitMasterSwitched(t, `127.0.0.1:${newPort}`);
      setMaster(t, newPort);
      assert.equal((await role(newPort))[0], 'master');

      // The leader (the sentinel asked to fail over) publishes every step, in order; the others learn the new configuration.
      const end = await ev.waitRecord('+failover-end', `master mymaster 127.0.0.1 ${old.port}`, 30000);
      assert.equal(end.sentinel, t.sentinels[1].port, 'the sentinel that got SENTINEL FAILOVER leads it');
      tc.diagnostic(`leader events: ${ev.channels(end.sentinel).join(' ')}`);
      const bad = inOrder(ev.channels(end.sentinel), ['+new-epoch', '+try-failover', '+elected-leader', '+failover-state-select-slave',
        '+selected-slave', '+failover-state-send-slaveof-noone', '+failover-state-wait-promotion', '+promoted-slave',
        '+failover-state-reconf-slaves', '+slave-reconf-sent', '+slave-reconf-done', '+failover-end', '+switch-master']);
      assert.equal(bad, undefined, bad);
      for (const s of [t.sentinels[0], t.sentinels[2]]) {
        const bad2 = inOrder(ev.channels(s.port), ['+new-epoch', '+config-update-from', '+switch-master']);
        assert.equal(bad2, undefined, bad2);
      }
      assert.equal(await ev.waitEvent('+promoted-slave', /./), `slave 127.0.0.1:${newPort} 127.0.0.1 ${newPort} @ mymaster 127.0.0.1 ${old.port}`);
      await waitFailoverDone(t, `127.0.0.1:${newPort}`);
      const m = await sentinelMaster(t.sentinels[2].port);
      assert.equal(m.port, String(newPort));
      assert.ok(Number(m['config-epoch']) >= 1, `config-epoch ${m['config-epoch']}`);

      // The other replica, then the old master, follow the new master.
      for (const r of t.replicas) {
        await waitFor(`:${r.port} replica of :${newPort}`, async () => {
          const ro = await role(r.port);
          return ro[0] === 'slave' && Number(ro[2]) === newPort && ro[3] === 'connected';
        }, 40000);
      }
      await ev.waitEvent('+convert-to-slave', `slave 127.0.0.1:${old.port} 127.0.0.1 ${old.port} @ mymaster 127.0.0.1 ${newPort}`, 5000);
      for (const r of t.replicas) await waitSynced(newPort, r.port);
      assert.deepEqual(await missingKeysS(newPort), []);
      assert.deepEqual(await missingKeysS(old.port), []);

      // Sentinel persisted every change with CONFIG REWRITE.
      assert.doesNotMatch(readConf(t.master), /^replicaof /m, `new master's redis.conf:\n${readConf(t.master)}`);
      for (const r of t.replicas) assert.match(readConf(r), new RegExp(`^replicaof 127\\.0\\.0\\.1 ${newPort}$`, 'm'), `redis.conf of :${r.port}`);

      const want = t.replicas.map((r) => `${r.port} slave`).sort();
      for (const s of t.sentinels) {
        let seen: string[] = [];
        await waitFor(`sentinel :${s.port} lists ${want.join(', ')}`, async () => {
          seen = (await sentinelReplicas(s.port)).map((r) => `${r.port} ${r.flags}`).sort();
          return JSON.stringify(seen) === JSON.stringify(want);
        }, 20000).catch((e: Error) => {
          throw new Error(`${e.message}; seen ${seen.join(', ')}`);
        });
      }
    });
  });
});

/** key:0..499 with value:i, as the failover test wrote them. */
async function missingKeysS(port: number): Promise<string[]> {
  const keys = Array.from({ length: 500 }, (_, i) => `key:${i}`);
  const vals = (await sentinelCmd(port, 'MGET', ...keys)) as (string | null)[];
  return keys.filter((k, i) => vals[i] !== `value:${i}`);
}

describe(`sentinel (${IMPL} sentinels, ${SERVERS} servers): kill -9 of the master under load`, { skip: SKIP }, () => {
  let t: Topology;
  let ev: EventLog | undefined;
  before(async () => {
    t = await topo(failoverDownAfterMs([IMPL]));
  });
  after(async () => {
    ev?.close();
    await t?.stop();
  });

  it('elects a new master, the sentinel client follows it, no WAIT-acknowledged write is lost; the old master rejoins as a replica', async (tc) => {
    await withLogs(t, async () => {
      const old = t.master;
      ev = await subscribeEvents(t.sentinels.map((s) => s.port));
      const load = startWriteLoad(t.sentinels.map((s) => s.port));
      try {
        await waitFor('500 WAIT-acknowledged writes before the kill', () => load.waited.size >= 500, 20000);
        const killedAt = Date.now();
        await old.kill('SIGKILL');

        const sw = await ev.waitEvent('+switch-master', new RegExp(`^mymaster 127\\.0\\.0\\.1 ${old.port} 127\\.0\\.0\\.1 (\\d+)$`), 30000);
        const newPort = Number(sw.split(' ')[4]);
        const switchedAfter = Date.now() - killedAt;
        tc.diagnostic(`+switch-master ${switchedAfter} ms after the kill`);
        assert.ok(switchedAfter < 15000, `new master elected in ${switchedAfter} ms`);
        assert.ok(t.replicas.some((r) => r.port === newPort));
        await waitMasterSwitched(t, `127.0.0.1:${newPort}`);
        setMaster(t, newPort);
        assert.ok(ev.events.some((e) => e.channel === '+sdown' && e.message === `master mymaster 127.0.0.1 ${old.port}`), '+sdown of the master');
        assert.ok(ev.events.some((e) => e.channel === '+odown' && e.message.startsWith(`master mymaster 127.0.0.1 ${old.port} #quorum `)), '+odown of the master');

        // The client reconnects by itself and keeps writing, with WAIT acknowledged by the remaining replica.
        const switchAt = Date.now();
        const ackedAtSwitch = load.acked.length;
        await waitFor('writes and a successful WAIT on the new master', () =>
          load.acked.length >= ackedAtSwitch + 300 && load.waitOkAt.some((x) => x > switchAt), 30000);
      } finally {
        await load.stop();
      }
      const missing = await missingKeys(t.master.port, load.acked);
      const missingSet = new Set(missing);
      const lostWaited = [...load.waited].filter((i) => missingSet.has(i));
      tc.diagnostic(`acked ${load.acked.length} writes, ${load.waited.size} WAIT-acknowledged; lost: ${missing.length} acked (not WAIT-acknowledged), ${lostWaited.length} WAIT-acknowledged; client errors: ${load.errors.length}`);
      assert.deepEqual(lostWaited, [], 'no WAIT-acknowledged write lost');

      // The leader's view of the failover, in order.
      const end = await ev.waitRecord('+failover-end', `master mymaster 127.0.0.1 ${old.port}`, 30000);
      tc.diagnostic(`leader events: ${ev.channels(end.sentinel).join(' ')}`);
      const bad = inOrder(ev.channels(end.sentinel), ['+sdown', '+odown', '+try-failover', '+elected-leader', '+selected-slave',
        '+promoted-slave', '+failover-state-reconf-slaves', '+failover-end', '+switch-master']);
      assert.equal(bad, undefined, bad);
      await waitFailoverDone(t, `127.0.0.1:${t.master.port}`);
      // One failover only: the new master is never taken for down (redis-sentinel's race, see failoverDownAfterMs).
      await sleep(2500);
      const spurious = ev.events.filter((e) => e.channel === '+sdown' && e.message === `master mymaster 127.0.0.1 ${t.master.port}`);
      assert.deepEqual(spurious, [], 'no +sdown of the new master');

      // The old master comes back on its dir and config: the sentinels turn it into a replica of the new master.
      await old.restart();
      await ev.waitEvent('+convert-to-slave', `slave 127.0.0.1:${old.port} 127.0.0.1 ${old.port} @ mymaster 127.0.0.1 ${t.master.port}`, 40000);
      await waitFor(`old master :${old.port} replica of :${t.master.port}`, async () => {
        const ro = await role(old.port);
        return ro[0] === 'slave' && Number(ro[2]) === t.master.port && ro[3] === 'connected';
      }, 20000);
      await waitSynced(t.master.port, old.port);
      assert.deepEqual(await missingKeys(old.port, load.waited), [], 'the old master has every WAIT-acknowledged write');
      assert.equal(await sentinelCmd(old.port, 'DBSIZE'), await sentinelCmd(t.master.port, 'DBSIZE'));
      await waitFor('sentinels list the old master as a healthy replica', async () => {
        const reps = await sentinelReplicas(t.sentinels[1].port);
        return reps.some((r) => r.port === String(old.port) && r.flags === 'slave' && r['master-port'] === String(t.master.port));
      }, 20000);
    });
  });
});

describe(`sentinel (${IMPL} sentinels, ${SERVERS} servers): a restarted sentinel resumes from its config`, { skip: SKIP }, () => {
  let t: Topology;
  let ev: EventLog | undefined;
  before(async () => {
    t = await topo();
  });
  after(async () => {
    ev?.close();
    await t?.stop();
  });

  it('rewrites its config with myid, epoch, known replicas and sentinels; keeps its id across kill -9', async () => {
    await withLogs(t, async () => {
      const [s0, s1] = t.sentinels;
      const myid = String(await sentinelCmd(s0.port, 'SENTINEL', 'MYID'));
      const otherIds = await Promise.all(t.sentinels.slice(1).map(async (s) => String(await sentinelCmd(s.port, 'SENTINEL', 'MYID'))));
      // The conf is flushed when the sentinel learns of replicas and sentinels.
      const want = [
        new RegExp(`^sentinel myid ${myid}$`, 'm'),
        /^sentinel current-epoch 0$/m,
        ...t.replicas.map((r) => new RegExp(`^sentinel known-replica mymaster 127\\.0\\.0\\.1 ${r.port}$`, 'm')),
        ...t.sentinels.slice(1).map((s, i) => new RegExp(`^sentinel known-sentinel mymaster 127\\.0\\.0\\.1 ${s.port} ${otherIds[i]}$`, 'm')),
        new RegExp(`^sentinel monitor mymaster 127\\.0\\.0\\.1 ${t.master.port} 2$`, 'm'),
      ];
      await waitFor('sentinel.conf rewritten with the discovered state', () => want.every((re) => re.test(readConf(s0))), 20000)
        .catch((e: Error) => {
          throw new Error(`${e.message}\n${readConf(s0)}\nmissing: ${want.filter((re) => !re.test(readConf(s0))).join(' ')}`);
        });

      ev = await subscribeEvents(s1.port);
      await s0.kill('SIGKILL');
      await ev.waitEvent('+sdown', `sentinel ${myid} 127.0.0.1 ${s0.port} @ mymaster 127.0.0.1 ${t.master.port}`, 20000);
      await s0.restart();
      assert.equal(await sentinelCmd(s0.port, 'SENTINEL', 'MYID'), myid, 'same id after the restart');
      await waitDiscovery(t);
      await ev.waitEvent('-sdown', `sentinel ${myid} 127.0.0.1 ${s0.port} @ mymaster 127.0.0.1 ${t.master.port}`, 20000);
      const sens = await sentinelSentinels(s1.port);
      assert.ok(sens.some((x) => x.runid === myid && x.port === String(s0.port) && x.flags === 'sentinel'));
      assert.equal(await masterAddr(s0.port), `127.0.0.1:${t.master.port}`);
      assert.equal(await sentinelCmd(s0.port, 'SENTINEL', 'CKQUORUM', 'mymaster'), 'OK 3 usable Sentinels. Quorum and failover authorization can be reached');
    });
  });
});

describe(`sentinel (${IMPL} sentinels, ${SERVERS} servers): +sdown / -sdown events`, { skip: SKIP }, () => {
  let t: Topology;
  let ev: EventLog | undefined;
  before(async () => {
    t = await topo();
  });
  after(async () => {
    ev?.close();
    await t?.stop();
  });

  it('a SIGSTOPped replica is subjectively down, and up again after SIGCONT; no failover', async () => {
    await withLogs(t, async () => {
      const r = t.replicas[0];
      const s = t.sentinels[2];
      ev = await subscribeEvents(s.port);
      const what = `slave 127.0.0.1:${r.port} 127.0.0.1 ${r.port} @ mymaster 127.0.0.1 ${t.master.port}`;
      const stoppedAt = Date.now();
      await r.kill('SIGSTOP');
      try {
        await ev.waitEvent('+sdown', what, 15000);
        const after = Date.now() - stoppedAt;
        assert.ok(after >= 900, `+sdown only after down-after-milliseconds (${after} ms)`);
        const reps = await sentinelReplicas(s.port);
        assert.equal(reps.find((x) => x.port === String(r.port))?.flags, 's_down,slave');
        const inf = String(await sentinelCmd(s.port, 'INFO', 'sentinel'));
        assert.equal(infoField(inf, 'master0'), `name=mymaster,status=ok,address=127.0.0.1:${t.master.port},slaves=2,sentinels=3`);
      } finally {
        await r.kill('SIGCONT');
      }
      await ev.waitEvent('-sdown', what, 15000);
      await waitFor('replica flags back to "slave"', async () => (await sentinelReplicas(s.port)).find((x) => x.port === String(r.port))?.flags === 'slave', 15000);
      await sleep(200);
      assert.equal(ev.events.filter((e) => e.channel === '+switch-master' || e.channel === '+odown').length, 0, 'no failover');
      assert.equal(await masterAddr(s.port), `127.0.0.1:${t.master.port}`);
    });
  });
});
