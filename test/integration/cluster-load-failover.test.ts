/**
 * A six-node Reddish cluster (3 masters, 3 replicas, made by the real
 * `redis-cli --cluster create --cluster-replicas 1`) under a mixed workload
 * from an ioredis Cluster and a node-redis createCluster client at once,
 * through
 *   1. a live reshard of 1000 slots (`redis-cli --cluster reshard`),
 *   2. kill -9 of the master that received them: its replica must be promoted
 *      within cluster-node-timeout + 2 s and cluster_state:ok come back on
 *      every node by itself,
 *   3. the old master restarted on its nodes.conf: it must rejoin as a
 *      replica of the promoted node and sync.
 * Every acknowledged write is read back at the end. Replication is
 * asynchronous, so writes acknowledged by the killed master just before it
 * died may be lost (Redis loses them too); any other loss fails the test.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster as IORedisCluster } from 'ioredis';
import { bulkText, clusterCreate, cmd, nodesOf, run, startClusterNodes, startMember, waitUntil, type NodeLine, type TestCluster } from '../support/cluster-nodes.js';
import { ioredisDriver, nodeRedisDriver, runWorkload, type Workload } from '../support/cluster-workload.js';
import { readBack } from '../support/cluster-ledger.js';
import { servedSlots, watchFailover } from '../support/cluster-failover-watch.js';
import { keyHashSlot } from '../../src/cluster/key-slot.js';

const NODE_TIMEOUT = 2000;
/** How long before the kill an acknowledged write may have been that the replica never got. */
const LOSS_WINDOW_MS = 1000;

let cluster: TestCluster;
let ports: number[];
let workloads: Workload[] = [];
/** Shared by the steps below, in order. */
const run$ = {
  victimIndex: -1,
  victimId: '',
  victimSlots: '',
  replicaId: '',
  replicaPort: 0,
  killAt: 0,
  okAt: 0,
  restartAt: 0,
  rejoinedAt: 0,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (s: string): void => console.log(`# [cluster-load-failover] ${s}`);

async function idOf(port: number): Promise<string> {
  return bulkText(await cmd(port, 'CLUSTER', 'MYID'));
}

function inRanges(slot: number, ranges: string): boolean {
  return ranges.split(' ').some((r) => {
    const [a, b] = r.split('-').map(Number);
    return slot >= a && slot <= (b ?? a);
  });
}

before(async () => {
  cluster = await startClusterNodes('reddish', 6, { nodeTimeout: NODE_TIMEOUT, args: ['--repl-diskless-sync-delay', '0'] });
  ports = cluster.nodes.map((n) => n.port);
  const r = await clusterCreate(cluster.nodes, 1);
  assert.equal(r.status, 0, r.out);
  for (const p of ports) {
    await waitUntil(`cluster_state:ok on ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 30000);
  }
  const settled = (v: NodeLine[]) => v.filter((n) => n.flags.includes('slave') && n.master !== '-').length === 3;
  await waitUntil('every node to know the replicas', async () => (await Promise.all(ports.map(nodesOf))).every(settled), 30000);
});

after(async () => {
  await Promise.all(workloads.map((w) => w.stop().catch(() => undefined)));
  await cluster?.stop();
});

test('ioredis and node-redis run a mixed workload through a live reshard of 1000 slots', async () => {
  const masters = (await nodesOf(ports[0])).filter((n) => n.flags.includes('master'));
  const [from, to] = masters;
  workloads = [
    runWorkload(ioredisDriver(ports[0]), 'io', { loops: 4, pauseMs: 1 }),
    runWorkload(await nodeRedisDriver(ports[1]), 'nr', { loops: 4, pauseMs: 1 }),
  ];
  await sleep(1500);
  const start = Date.now();
  const r = await run('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${from.port}`, '--cluster-from', from.id,
    '--cluster-to', to.id, '--cluster-slots', '1000', '--cluster-yes', '--cluster-pipeline', '10'], 120000);
  const end = Date.now();
  assert.equal(r.status, 0, r.out);
  for (const w of workloads) {
    const l = w.ledger;
    log(`${l.name}: reshard took ${end - start} ms; ${l.ackedBetween(start, end)} writes acknowledged during it, ${l.errorsBetween(start, end)} errors` +
      (l.errors.length ? ` (first: ${l.errors[0].message})` : ''));
    assert.ok(l.ackedBetween(start, end) > 0, `${l.name} made progress during the reshard`);
  }
  // ioredis retries TRYAGAIN and follows ASK/MOVED: the reshard costs it nothing.
  assert.equal(workloads[0].ledger.errorsBetween(start, end), 0, workloads[0].ledger.errors.map((e) => e.message).join('\n'));
  await waitUntil('every node to agree on the new owner', async () => {
    const views = await Promise.all(ports.map(nodesOf));
    return views.every((v) => servedSlots(v.find((n) => n.id === to.id)!) === servedSlots(views[0].find((n) => n.id === to.id)!));
  }, 30000);
  run$.victimId = to.id;
  run$.victimIndex = ports.indexOf(to.port);
});

test('kill -9 of a master under load: its replica is promoted within node timeout + 2 s, cluster_state:ok returns', async () => {
  assert.notEqual(run$.victimIndex, -1, 'the reshard step ran');
  const victim = cluster.nodes[run$.victimIndex];
  const view = await nodesOf(ports[(run$.victimIndex + 1) % 6]);
  run$.victimSlots = servedSlots(view.find((n) => n.id === run$.victimId)!);
  const replica = view.find((n) => n.master === run$.victimId)!;
  run$.replicaId = replica.id;
  run$.replicaPort = replica.port;
  await waitUntil('the replica to be in sync', async () => /master_link_status:up/.test(bulkText(await cmd(replica.port, 'INFO', 'replication'))));
  await sleep(1000);
  run$.killAt = Date.now();
  await victim.server.kill('SIGKILL');
  const survivors = ports.filter((p) => p !== victim.port);
  const times = await watchFailover(survivors, replica.port, replica.id, run$.victimSlots, run$.killAt, 60000);
  run$.okAt = run$.killAt + times.okMs;
  log(`failover: replica promoted ${times.promotedMs} ms after kill -9, all survivors agree at ${times.agreedMs} ms, cluster_state:ok everywhere at ${times.okMs} ms (node timeout ${NODE_TIMEOUT} ms)`);
  const replicaLog = cluster.nodes.find((n) => n.port === replica.port)!.server.output();
  assert.ok(times.promotedMs <= NODE_TIMEOUT + 2000, `promotion took ${times.promotedMs} ms\n${replicaLog.split('\n').slice(-40).join('\n')}`);
  // The victim is FAIL for everybody.
  for (const p of survivors) assert.ok((await nodesOf(p)).find((n) => n.id === run$.victimId)!.flags.includes('fail'), `FAIL on ${p}`);
  // Clients carry on: ioredis finds the new master by itself (node-redis needs a MOVED, which the restart below gives it).
  await sleep(2000);
  const io = workloads[0].ledger;
  const toPromoted = io.writes.filter((w) => w.ackAt > run$.okAt && inRanges(keyHashSlot(w.key), run$.victimSlots)).length;
  log(`after the failover, before the restart: ioredis acknowledged ${toPromoted} writes on the promoted master's slots; ` +
    workloads.map((w) => `${w.ledger.name} ${w.ledger.errorsBetween(run$.killAt, Date.now())} errors since the kill`).join(', '));
  assert.ok(toPromoted > 0, 'ioredis writes to the promoted master');
});

test('the restarted old master rejoins as a replica of the promoted node and syncs', async () => {
  assert.notEqual(run$.killAt, 0, 'the failover step ran');
  const old = cluster.nodes[run$.victimIndex];
  run$.restartAt = Date.now();
  const restarted = await startMember('reddish', old.dir, old.port, old.busPort, old.args);
  cluster.nodes[run$.victimIndex] = restarted;
  assert.equal(await idOf(old.port), run$.victimId, 'the id comes back from nodes.conf');
  await waitUntil('the old master to follow the promoted node', async () => {
    const me = (await nodesOf(old.port)).find((n) => n.flags.includes('myself'))!;
    return me.flags.includes('slave') && me.master === run$.replicaId;
  }, 30000);
  await waitUntil('its replication link to be up', async () => {
    const info = bulkText(await cmd(old.port, 'INFO', 'replication'));
    return /master_link_status:up/.test(info) && info.includes(`master_port:${run$.replicaPort}`);
  }, 30000);
  run$.rejoinedAt = Date.now();
  for (const p of ports) {
    await waitUntil(`cluster_state:ok on ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 30000);
    await waitUntil(`${p} to see the old master as a replica`, async () => {
      const n = (await nodesOf(p)).find((x) => x.id === run$.victimId)!;
      return n.flags.includes('slave') && !n.flags.includes('fail') && n.master === run$.replicaId;
    }, 30000);
  }
  log(`restart: rejoined as a replica and in sync ${run$.rejoinedAt - run$.restartAt} ms after the restart`);
});

test('every acknowledged write survives but those acknowledged just before the kill', async () => {
  assert.notEqual(run$.rejoinedAt, 0, 'the restart step ran');
  await sleep(2000);
  const stopAt = Date.now();
  await Promise.all(workloads.map((w) => w.stop()));
  const ledgers = workloads.map((w) => w.ledger);
  workloads = [];
  for (const l of ledgers) {
    const late = l.writes.filter((w) => w.ackAt > run$.rejoinedAt && inRanges(keyHashSlot(w.key), run$.victimSlots)).length;
    log(`${l.name}: ${l.ops} steps, ${l.writes.length} writes + ${[...l.counters.values()].reduce((a, t) => a + t.length, 0)} INCRs acknowledged, ` +
      `${l.errors.length} errors (${l.errorsBetween(run$.killAt, run$.okAt)} in the failover window), ${l.staleReads.length} stale reads; ` +
      `${late} writes on the promoted master's slots after the rejoin`);
    if (l.errors.length) log(`${l.name} errors: ${l.errorSummary()}`);
    assert.ok(l.ackedBetween(run$.rejoinedAt, stopAt) > 0, `${l.name} continued after the failover`);
    assert.ok(late > 0, `${l.name} writes to the promoted master`);
  }
  // The rejoined replica holds what its master holds.
  const oldPort = ports[run$.victimIndex];
  await waitUntil('the rejoined replica to hold the same keys as its master', async () =>
    (await cmd(oldPort, 'DBSIZE')) === (await cmd(run$.replicaPort, 'DBSIZE')), 30000);

  const reader = new IORedisCluster([{ host: '127.0.0.1', port: ports[(run$.victimIndex + 1) % 6] }]);
  try {
    const rep = await readBack(reader, ledgers);
    const lostIncrs = rep.lostIncrs.reduce((a, x) => a + x.missing, 0);
    const beforeKill = (t: number) => run$.killAt - t;
    log(`acknowledged: ${rep.acked}; lost: ${rep.lost.length} writes and ${lostIncrs} INCRs` +
      (rep.lost.length ? `, acknowledged ${Math.min(...rep.lost.map((x) => beforeKill(x.ackAt)))}-${Math.max(...rep.lost.map((x) => beforeKill(x.ackAt)))} ms before the kill` : ''));
    const acked = ledgers.reduce((a, l) => a + l.ackedBetween(run$.killAt - LOSS_WINDOW_MS, run$.killAt), 0);
    log(`writes acknowledged in the last ${LOSS_WINDOW_MS} ms before the kill: ${acked}`);
    for (const x of rep.lost) {
      assert.ok(inRanges(x.slot, run$.victimSlots), `lost ${x.what} in slot ${x.slot}, not the killed master's`);
      const age = beforeKill(x.ackAt);
      assert.ok(age >= 0 && age <= LOSS_WINDOW_MS, `lost ${x.what}, acknowledged ${age} ms before the kill`);
    }
    for (const x of rep.lostIncrs) {
      assert.ok(inRanges(x.slot, run$.victimSlots), `lost INCRs of ${x.key} in slot ${x.slot}, not the killed master's`);
      const late = x.acks.filter((t) => beforeKill(t) >= 0 && beforeKill(t) <= LOSS_WINDOW_MS).length;
      assert.ok(x.missing <= late, `${x.key} lost ${x.missing} INCRs, only ${late} acknowledged in the last ${LOSS_WINDOW_MS} ms before the kill`);
    }
  } finally {
    reader.disconnect();
  }
});
