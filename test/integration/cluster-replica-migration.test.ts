/**
 * Replica migration (clusterHandleSlaveMigration) and what
 * cluster-allow-replica-migration governs in Redis 7.0.
 *
 * A Reddish cluster of three masters: node 0 with replicas 3 and 4, node 1
 * with replica 5, node 2 with replica 6. Replica 5 is killed, leaving node 1
 * orphaned:
 *  - with cluster-migration-barrier 2, node 0 (two working replicas) keeps
 *    them both; so it does with the barrier at 1 and
 *    cluster-allow-replica-migration no;
 *  - with the barrier at 1 and migration allowed, the replica of node 0 with the smaller id
 *    moves to node 1 after the migration delay, and syncs from it.
 *
 * A master whose last slot is taken away (SETSLOT ... NODE, as resharding
 * does) becomes a replica of the taker, unless cluster-allow-replica-migration
 * is no: checked on Reddish and on real Redis alike.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { redisAvailable } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { bulkText, cmd, nodesOf, startClusterNodes, waitUntil, type TestCluster } from '../support/cluster-nodes.js';
import { startShape, type ShapedCluster } from '../support/cluster-shape.js';

let shape: ShapedCluster | undefined;

before(async () => {
  shape = await startShape('reddish', 3, [0, 0, 1, 2]);
});

after(async () => {
  await shape?.cluster.stop();
});

/** The master id each node's view gives `id` ('-' for a master), from every node in `ports`. */
async function mastersOf(ports: number[], id: string): Promise<string[]> {
  return Promise.all(ports.map(async (p) => (await nodesOf(p)).find((n) => n.id === id)?.master ?? '?'));
}

const infoField = (text: string, name: string) => text.match(new RegExp(`^${name}:(.*)\r?$`, 'm'))?.[1];

test('an orphaned master gets a replica of the richest master, not below the migration barrier', async () => {
  const s = shape!;
  const { ports, ids } = s;
  // A key served by node 1, to see the migrated replica sync it.
  assert.equal(await cmd(ports[1], 'SET', 'c', 'from-node-1'), '+OK\r\n');
  for (const p of [ports[3], ports[4]]) assert.equal(await cmd(p, 'CONFIG', 'SET', 'cluster-migration-barrier', '2'), '+OK\r\n');
  await s.cluster.nodes[5].server.kill('SIGKILL');
  const live = [0, 1, 2, 3, 4, 6].map((i) => ports[i]);
  await waitUntil('replica 5 to be FAIL everywhere', async () => {
    for (const p of live) if (!(await nodesOf(p)).find((n) => n.id === ids[5])?.flags.includes('fail')) return false;
    return true;
  }, 20000);
  // Past the migration delay (5 s) with margin: with two working replicas and a barrier of 2, nobody moves.
  await new Promise((r) => setTimeout(r, 7000));
  for (const i of [3, 4]) assert.deepEqual(await mastersOf(live, ids[i]), live.map(() => ids[0]), `replica ${i} moved`);

  // Barrier back to 1, but replica migration turned off: still nobody moves.
  for (const p of [ports[3], ports[4]]) {
    assert.equal(await cmd(p, 'CONFIG', 'SET', 'cluster-allow-replica-migration', 'no'), '+OK\r\n');
    assert.equal(await cmd(p, 'CONFIG', 'SET', 'cluster-migration-barrier', '1'), '+OK\r\n');
  }
  await new Promise((r) => setTimeout(r, 6000));
  for (const i of [3, 4]) assert.deepEqual(await mastersOf(live, ids[i]), live.map(() => ids[0]), `replica ${i} moved`);
  for (const p of [ports[3], ports[4]]) assert.equal(await cmd(p, 'CONFIG', 'SET', 'cluster-allow-replica-migration', 'yes'), '+OK\r\n');
  // Redis picks the replica with the smallest id among the richest masters' replicas.
  const mover = ids[3] < ids[4] ? 3 : 4;
  const stayer = mover === 3 ? 4 : 3;
  // (No lower bound on the wait: as in Redis, a master's orphaned time is only refreshed while a
  // migration is under consideration, so the one recorded while the replicas were being attached
  // may still count.)
  await waitUntil(`replica ${mover} to follow node 1 everywhere`, async () =>
    (await mastersOf(live, ids[mover])).every((m) => m === ids[1]), 25000);
  assert.deepEqual(await mastersOf(live, ids[stayer]), live.map(() => ids[0]));
  await waitUntil(`replica ${mover} to sync from node 1`, async () =>
    infoField(bulkText(await cmd(ports[mover], 'INFO', 'replication')), 'master_link_status') === 'up', 20000);
  const info = bulkText(await cmd(ports[mover], 'INFO', 'replication'));
  assert.equal(infoField(info, 'master_port'), String(ports[1]));
  const c = await RawClient.connect(ports[mover]);
  try {
    assert.equal(await c.call('READONLY'), '+OK\r\n');
    assert.equal(await c.call('GET', 'c'), '$11\r\nfrom-node-1\r\n');
    // What it held of node 0's shard went with the full sync.
    assert.equal(await c.call('DBSIZE'), ':1\r\n');
  } finally {
    c.close();
  }
});

/**
 * Three masters: node 0 serves 0-16381, node 1 slot 16382, node 2 slot
 * 16383 with cluster-allow-replica-migration no. Both small slots are moved
 * to node 0 the way redis-cli reshards; returns each node's role afterwards
 * as "master" or "replica of <index>".
 */
async function lastSlotMoves(kind: 'redis' | 'reddish'): Promise<string[]> {
  const cluster: TestCluster = await startClusterNodes(kind, 3, { nodeTimeout: 2000 });
  try {
    const ports = cluster.nodes.map((n) => n.port);
    const ids = await Promise.all(ports.map(async (p) => bulkText(await cmd(p, 'CLUSTER', 'MYID'))));
    assert.equal(await cmd(ports[0], 'CLUSTER', 'ADDSLOTSRANGE', '0', '16381'), '+OK\r\n');
    assert.equal(await cmd(ports[1], 'CLUSTER', 'ADDSLOTS', '16382'), '+OK\r\n');
    assert.equal(await cmd(ports[2], 'CLUSTER', 'ADDSLOTS', '16383'), '+OK\r\n');
    for (let i = 0; i < 3; i++) assert.equal(await cmd(ports[i], 'CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)), '+OK\r\n');
    assert.equal(await cmd(ports[2], 'CONFIG', 'SET', 'cluster-allow-replica-migration', 'no'), '+OK\r\n');
    for (const i of [1, 2]) {
      assert.equal(await cmd(ports[0], 'CLUSTER', 'MEET', '127.0.0.1', String(ports[i]), String(cluster.nodes[i].busPort)), '+OK\r\n');
    }
    await waitUntil(`${kind} cluster ok`, async () => {
      for (const p of ports) {
        if (!bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        if ((await nodesOf(p)).filter((n) => n.flags.includes('master') && !n.flags.includes('handshake')).length !== 3) return false;
      }
      return true;
    }, 20000);
    for (const [slot, from] of [[16382, 1], [16383, 2]]) {
      assert.equal(await cmd(ports[0], 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', ids[from]), '+OK\r\n');
      assert.equal(await cmd(ports[from], 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', ids[0]), '+OK\r\n');
      assert.equal(await cmd(ports[0], 'CLUSTER', 'SETSLOT', String(slot), 'NODE', ids[0]), '+OK\r\n');
      // Node 0 announces the slot at once: the source may already have turned replica (both servers race so).
      const r = await cmd(ports[from], 'CLUSTER', 'SETSLOT', String(slot), 'NODE', ids[0]);
      assert.ok(r === '+OK\r\n' || (from === 1 && r === '-ERR Please use SETSLOT only with masters.\r\n'), r);
    }
    await waitUntil(`${kind} node 1 to replicate node 0`, async () =>
      (await nodesOf(ports[0])).find((n) => n.id === ids[1])?.master === ids[0], 20000);
    // Give node 2 time to have turned replica, were it going to.
    await new Promise((r) => setTimeout(r, 1500));
    const view = await nodesOf(ports[0]);
    return ids.map((id) => {
      const n = view.find((x) => x.id === id)!;
      return n.master === '-' ? `master slots=${n.slots.join(',') || 'none'}` : `replica of ${ids.indexOf(n.master)}`;
    });
  } finally {
    await cluster.stop();
  }
}

test('a master losing its last slot turns replica unless cluster-allow-replica-migration is no (as Redis)', async () => {
  if (!redisAvailable()) throw new Error('redis-server is not installed: this test compares with it');
  const [redis, reddish] = await Promise.all([lastSlotMoves('redis'), lastSlotMoves('reddish')]);
  assert.deepEqual(redis, ['master slots=0-16383', 'replica of 0', 'master slots=none']);
  assert.deepEqual(reddish, redis);
});
