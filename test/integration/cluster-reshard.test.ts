/**
 * Live resharding of a Reddish cluster with the real redis-cli: `--cluster
 * reshard` moves 1000 slots between masters while an ioredis Cluster client
 * writes (no write lost: every counter ends at the number of INCRs that
 * succeeded), `--cluster add-node` as a master and with --cluster-slave,
 * `--cluster rebalance` gives the empty master its share, `--cluster del-node`
 * removes a node once it serves nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Cluster as IORedisCluster } from 'ioredis';
import { RawClient } from '../support/raw-client.js';
import { bulkText, clusterCreate, cmd, nodesOf, type NodeLine, run, startClusterNodes, waitUntil, type TestCluster } from '../support/cluster-nodes.js';

let cluster: TestCluster;
let ports: number[];

function slotCount(n: NodeLine): number {
  let total = 0;
  for (const r of n.slots) {
    if (r.startsWith('[')) continue; // an open migration, not a served slot
    const [a, b] = r.split('-').map(Number);
    total += (b ?? a) - a + 1;
  }
  return total;
}

async function idOf(port: number): Promise<string> {
  return (await nodesOf(port)).find((n) => n.flags.includes('myself'))!.id;
}

async function checkOk(port: number): Promise<string> {
  const r = await run('redis-cli', ['--cluster', 'check', `127.0.0.1:${port}`]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /\[OK\] All nodes agree about slots configuration\./);
  assert.match(r.out, /\[OK\] All 16384 slots covered\./);
  assert.doesNotMatch(r.out, /\[ERR\]|\[WARNING\]/);
  return r.out;
}

before(async () => {
  cluster = await startClusterNodes('reddish', 5, { nodeTimeout: 3000, args: ['--repl-diskless-sync-delay', '0'] });
  ports = cluster.nodes.map((n) => n.port);
  const r = await clusterCreate(cluster.nodes.slice(0, 3), 0);
  assert.equal(r.status, 0, r.out);
  for (const p of ports.slice(0, 3)) {
    await waitUntil(`cluster_state:ok on ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  }
});

after(async () => {
  await cluster?.stop();
});

test('reshard moves 1000 slots while ioredis writes: no write lost', async () => {
  const from = await idOf(ports[0]);
  const to = await idOf(ports[1]);
  const c = new IORedisCluster([{ host: '127.0.0.1', port: ports[2] }], { retryDelayOnTryAgain: 20, retryDelayOnMoved: 10 });
  const keys = Array.from({ length: 200 }, (_, i) => `counter:${i}`);
  const done = new Map<string, number>();
  let stop = false;
  let failures = 0;
  const writer = (async () => {
    while (!stop) {
      for (const k of keys) {
        try {
          await c.incr(k);
          done.set(k, (done.get(k) ?? 0) + 1);
        } catch {
          failures++;
        }
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const r = await run('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${ports[0]}`, '--cluster-from', from,
    '--cluster-to', to, '--cluster-slots', '1000', '--cluster-yes', '--cluster-pipeline', '10']);
  stop = true;
  await writer;
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Moving slot \d+ from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+/);
  assert.equal(failures, 0);
  // The moved slots are now served by the target, with their keys.
  const view = await nodesOf(ports[2]);
  assert.equal(slotCount(view.find((n) => n.id === to)!) - slotCount(view.find((n) => n.id === from)!), 2000 + 1);
  for (const k of keys) assert.equal(Number(await c.get(k)), done.get(k) ?? 0, k);
  c.disconnect();
  await checkOk(ports[1]);
});

test('add-node as master and as replica, rebalance, del-node', async () => {
  let r = await run('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${ports[3]}`, `127.0.0.1:${ports[0]}`]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /\[OK\] New node added correctly\./);
  const newId = await idOf(ports[3]);
  // redis-cli loads the cluster from the entry node: it must know the new master first.
  await waitUntil('the new master to be known', async () =>
    (await nodesOf(ports[0])).some((n) => n.id === newId && n.flags.includes('master') && !n.flags.includes('handshake')));
  // The next add-node checks that every node (the new one too) agrees about the slots; it learns them from the masters' pings.
  await waitUntil('the new master to know every slot', async () =>
    (await nodesOf(ports[3])).reduce((sum, n) => sum + slotCount(n), 0) === 16384);
  r = await run('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${ports[4]}`, `127.0.0.1:${ports[0]}`,
    '--cluster-slave', '--cluster-master-id', newId]);
  assert.equal(r.status, 0, r.out);
  const replicaId = await idOf(ports[4]);
  await waitUntil('the new replica to be known as one', async () =>
    (await nodesOf(ports[0])).some((n) => n.id === replicaId && n.flags.includes('slave') && n.master === newId));
  await waitUntil('the new node to join the cluster', async () => bulkText(await cmd(ports[3], 'CLUSTER', 'INFO')).includes('cluster_state:ok'));

  // A weight of 0.3 keeps the move to ~1500 slots (test time).
  r = await run('redis-cli', ['--cluster', 'rebalance', `127.0.0.1:${ports[0]}`, '--cluster-use-empty-masters',
    '--cluster-weight', `${newId}=0.3`, '--cluster-yes']);
  assert.equal(r.status, 0, r.out);
  await waitUntil('the new master to serve slots everywhere', async () =>
    (await Promise.all(ports.slice(0, 3).map(nodesOf))).every((v) => slotCount(v.find((n) => n.id === newId)!) > 1000));
  await checkOk(ports[0]);

  // A node serving nothing can go: the replica.
  r = await run('redis-cli', ['--cluster', 'del-node', `127.0.0.1:${ports[0]}`, replicaId]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Sending CLUSTER RESET SOFT to the deleted node\./);
  await waitUntil('the others to forget the deleted node', async () =>
    (await Promise.all(ports.slice(0, 4).map(nodesOf))).every((v) => !v.some((n) => n.id === replicaId)));
  await checkOk(ports[3]);
});

test('a key of a migrating slot answers TRYAGAIN while its MIGRATE is in flight', async () => {
  // A target that accepts and never answers keeps the MIGRATE in flight until its timeout.
  const sockets: net.Socket[] = [];
  const silent = net.createServer((sock) => sockets.push(sock));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const silentPort = (silent.address() as net.AddressInfo).port;
  const key = 'inflight';
  const slot = Number((await cmd(ports[0], 'CLUSTER', 'KEYSLOT', key)).slice(1, -2));
  const owner = (await nodesOf(ports[0])).find((n) => n.flags.includes('master') && n.slots.some((r) => {
    const [a, b] = r.split('-').map(Number);
    return slot >= a && slot <= (b ?? a);
  }))!;
  const other = (await nodesOf(ports[0])).find((n) => n.flags.includes('master') && n.id !== owner.id)!;
  const mover = await RawClient.connect(owner.port);
  const client = await RawClient.connect(owner.port);
  try {
    assert.equal(await client.call('SET', key, 'v1'), '+OK\r\n');
    assert.equal(await client.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', other.id), '+OK\r\n');
    mover.write(RawClient.encode(['MIGRATE', '127.0.0.1', String(silentPort), key, '0', '1500']));
    await waitUntil('the MIGRATE to reach the target', async () => sockets.length > 0);
    assert.equal(await client.call('SET', key, 'v2'), '-TRYAGAIN Multiple keys request during rehashing of slot\r\n');
    assert.equal(await client.call('GET', key), '-TRYAGAIN Multiple keys request during rehashing of slot\r\n');
    // The MIGRATE fails (timeout): the key stays here and is served again.
    assert.match((await mover.readReply(10000)).raw, /^-IOERR/);
    assert.equal(await client.call('GET', key), '$2\r\nv1\r\n');
    assert.equal(await client.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE'), '+OK\r\n');
    assert.equal(await client.call('DEL', key), ':1\r\n');
  } finally {
    mover.close();
    client.close();
    for (const sock of sockets) sock.destroy();
    silent.close();
  }
});
