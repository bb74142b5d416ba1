/**
 * The cluster bus without redis-cli: nodes that each own a third of the slots
 * with the same configEpoch (0) are joined by CLUSTER MEET to one of them;
 * gossip must converge every node's CLUSTER NODES and the epoch collisions
 * must resolve into distinct epochs. Then CLUSTER REPLICATE turns a fresh node
 * into a replica through the ordinary replication code, FORGET removes it
 * everywhere and RESET HARD gives it a new identity. Finally a master without
 * replicas is killed (FAIL, cluster down) and restarted on its nodes.conf,
 * with its id and slots.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RawClient } from '../support/raw-client.js';
import { bulkText, cmd, startClusterNodes, startMember, waitUntil, type TestCluster } from '../support/cluster-nodes.js';

let cluster: TestCluster;
let ports: number[];
let ids: string[];

before(async () => {
  cluster = await startClusterNodes('reddish', 4, { nodeTimeout: 2000, args: ['--repl-diskless-sync-delay', '0'] });
  ports = cluster.nodes.map((n) => n.port);
  ids = await Promise.all(ports.map(async (p) => bulkText(await cmd(p, 'CLUSTER', 'MYID'))));
});

after(async () => {
  await cluster?.stop();
});

async function lines(port: number): Promise<string[][]> {
  return bulkText(await cmd(port, 'CLUSTER', 'NODES')).trim().split('\n').map((l) => l.split(' '));
}

test('MEET to one node converges every CLUSTER NODES, and equal epochs are separated', async () => {
  const ranges = [['0', '5460'], ['5461', '10922'], ['10923', '16383']];
  for (let i = 0; i < 3; i++) assert.equal(await cmd(ports[i], 'CLUSTER', 'ADDSLOTSRANGE', ...ranges[i]), '+OK\r\n');
  for (const i of [1, 2]) {
    assert.equal(await cmd(ports[i], 'CLUSTER', 'MEET', '127.0.0.1', String(ports[0]), String(cluster.nodes[0].busPort)), '+OK\r\n');
  }
  const signature = (ls: string[][]) => ls.map((f) => `${f[0]} ${f[1]} ${f[2].replace('myself,', '')} ${f[7]} ${f.slice(8).join(',')}`).sort().join('\n');
  await waitUntil('three nodes that agree, with distinct epochs', async () => {
    const views = await Promise.all(ports.slice(0, 3).map(lines));
    if (!views.every((v) => v.length === 3 && v.every((f) => f[7] === 'connected' && !f[2].includes('handshake')))) return false;
    if (!views.every((v) => signature(v) === signature(views[0]))) return false;
    const epochs = views[0].map((f) => f[6]);
    return new Set(epochs).size === 3 && views.every((v) => v.map((f) => `${f[0]}=${f[6]}`).sort().join() === views[0].map((f) => `${f[0]}=${f[6]}`).sort().join());
  });
  for (const p of ports.slice(0, 3)) {
    await waitUntil(`cluster_state:ok on ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  }
  const info = bulkText(await cmd(ports[0], 'CLUSTER', 'INFO'));
  assert.match(info, /cluster_known_nodes:3\r\ncluster_size:3\r\n/);
  assert.match(info, /cluster_stats_messages_meet_received:\d+/);
  // Each node recorded the cluster in its nodes.conf (CLUSTER NODES without the link details).
  const conf = readFileSync(`${cluster.nodes[1].dir}/nodes.conf`, 'latin1');
  assert.match(conf, /\nvars currentEpoch \d+ lastVoteEpoch 0\n$/);
  assert.equal(conf.split('\n').filter((l) => l.includes(' master ') || l.includes('myself,master')).length, 3);
});

test('CLUSTER REPLICATE makes a fresh node a replica that syncs; its key index follows', async () => {
  assert.equal(await cmd(ports[3], 'CLUSTER', 'MEET', '127.0.0.1', String(ports[0]), String(cluster.nodes[0].busPort)), '+OK\r\n');
  await waitUntil('the fourth node to know the masters', async () => (await lines(ports[3])).filter((f) => f[2] === 'master').length === 3);
  assert.equal(await cmd(ports[3], 'CLUSTER', 'REPLICATE', ids[3]), "-ERR Can't replicate myself\r\n");
  assert.equal(await cmd(ports[3], 'CLUSTER', 'REPLICATE', ids[0]), '+OK\r\n');
  await waitUntil('every node to see the replica', async () => {
    for (const p of ports.slice(0, 3)) {
      const r = (await lines(p)).find((f) => f[0] === ids[3]);
      if (r === undefined || r[2] !== 'slave' || r[3] !== ids[0]) return false;
    }
    return true;
  });
  const replicas = await cmd(ports[0], 'CLUSTER', 'REPLICAS', ids[0]);
  assert.ok(replicas.startsWith('*1\r\n$') && replicas.includes(`\r\n${ids[3]} 127.0.0.1:${ports[3]}@`), replicas);
  const c = await RawClient.connect(ports[0]);
  try {
    assert.equal(await c.call('SET', 'hello', 'world'), '+OK\r\n');
  } finally {
    c.close();
  }
  await waitUntil('the replica to have the key', async () => (await cmd(ports[3], 'CLUSTER', 'COUNTKEYSINSLOT', '866')) === ':1\r\n');
  assert.match(bulkText(await cmd(ports[3], 'INFO', 'replication')), /role:slave\r\nmaster_host:127\.0\.0\.1\r\nmaster_port:\d+\r\nmaster_link_status:up/);
  assert.equal(await cmd(ports[3], 'CLUSTER', 'GETKEYSINSLOT', '866', '5'), '*1\r\n$5\r\nhello\r\n');
  assert.equal(await cmd(ports[3], 'GET', 'hello'), `-MOVED 866 127.0.0.1:${ports[0]}\r\n`);
});

test('FORGET everywhere removes a node; RESET HARD gives it a new id and an empty table', async () => {
  for (const p of ports.slice(0, 3)) assert.equal(await cmd(p, 'CLUSTER', 'FORGET', ids[3]), '+OK\r\n');
  assert.equal(await cmd(ports[3], 'CLUSTER', 'FORGET', ids[0]), "-ERR Can't forget my master!\r\n");
  assert.equal(await cmd(ports[3], 'CLUSTER', 'RESET', 'HARD'), '+OK\r\n');
  const newId = bulkText(await cmd(ports[3], 'CLUSTER', 'MYID'));
  assert.notEqual(newId, ids[3]);
  assert.deepEqual((await lines(ports[3])).map((f) => f[2]), ['myself,master']);
  assert.equal(await cmd(ports[3], 'DBSIZE'), ':0\r\n');
  // The forgotten node's gossip may not bring it back (60 s blacklist), and it no longer meets anyone.
  await new Promise((r) => setTimeout(r, 1500));
  for (const p of ports.slice(0, 3)) {
    const known = (await lines(p)).map((f) => f[0]);
    assert.equal(known.length, 3);
    assert.ok(!known.includes(ids[3]) && !known.includes(newId));
  }
});

test('a master without replicas goes FAIL when killed; restarted on its nodes.conf it keeps its id and slots', async () => {
  const victim = cluster.nodes[1];
  const before = (await lines(victim.port)).find((f) => f[2].startsWith('myself'))!;
  await victim.server.kill('SIGKILL');
  await waitUntil('the others to flag it FAIL', async () => (await lines(ports[0])).find((f) => f[0] === ids[1])![2] === 'master,fail');
  assert.match(bulkText(await cmd(ports[0], 'CLUSTER', 'INFO')), /cluster_state:fail/);
  assert.equal(await cmd(ports[0], 'GET', 'foo'), '-CLUSTERDOWN The cluster is down\r\n');
  cluster.nodes[1] = await startMember('reddish', victim.dir, victim.port, victim.busPort, victim.args);
  const mine = (await lines(victim.port)).find((f) => f[2].startsWith('myself'))!;
  assert.equal(mine[0], ids[1]);
  assert.deepEqual(mine.slice(8), before.slice(8));
  assert.equal(mine[6], before[6], 'same configEpoch');
  await waitUntil('the cluster to be ok again', async () => {
    for (const p of ports.slice(0, 3)) if (!bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
    return true;
  }, 30000);
  assert.ok((await lines(ports[0])).find((f) => f[0] === ids[1])![7] === 'connected');
});
