/**
 * A six-node Reddish cluster made the way users make one: the real
 * `redis-cli --cluster create ... --cluster-replicas 1`, then checked with
 * `redis-cli --cluster check`, used with `redis-cli -c`, ioredis' Cluster and
 * node-redis' createCluster, read from a replica after READONLY; a master
 * killed is replaced by its replica (election), comes back as a replica of it,
 * and CLUSTER FAILOVER swaps the two back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster as IORedisCluster } from 'ioredis';
import { createCluster } from 'redis';
import { RawClient } from '../support/raw-client.js';
import { bulkText, clusterCreate, cmd, run, startClusterNodes, startMember, waitUntil, type TestCluster } from '../support/cluster-nodes.js';

let cluster: TestCluster;
let ports: number[];

interface NodeLine {
  id: string;
  addr: string;
  flags: string[];
  master: string;
  link: string;
  slots: string[];
}

function parseNodes(text: string): NodeLine[] {
  return text.trim().split('\n').map((l) => {
    const f = l.split(' ');
    return { id: f[0], addr: f[1].split('@')[0], flags: f[2].split(','), master: f[3], link: f[7], slots: f.slice(8) };
  });
}

async function nodesOf(port: number): Promise<NodeLine[]> {
  return parseNodes(bulkText(await cmd(port, 'CLUSTER', 'NODES')));
}

before(async () => {
  cluster = await startClusterNodes('reddish', 6, { nodeTimeout: 2000, args: ['--repl-diskless-sync-delay', '0'] });
  ports = cluster.nodes.map((n) => n.port);
});

after(async () => {
  await cluster?.stop();
});

test('redis-cli --cluster create builds 3 masters with a replica each', async () => {
  const r = await clusterCreate(cluster.nodes, 1);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /\[OK\] All nodes agree about slots configuration\./);
  assert.match(r.out, /\[OK\] All 16384 slots covered\./);
  for (const p of ports) {
    await waitUntil(`cluster_state:ok on ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  }
  // Every node comes to see the same six nodes: three masters owning all slots, three replicas of
  // distinct masters (a replica's role reaches the others with its next PING).
  const settled = (v: NodeLine[]) => v.filter((n) => n.flags.includes('slave') && n.master !== '-').length === 3;
  await waitUntil('every node to know the replicas', async () => (await Promise.all(ports.map(nodesOf))).every(settled));
  const views = await Promise.all(ports.map(nodesOf));
  for (const v of views) {
    assert.equal(v.length, 6);
    const masters = v.filter((n) => n.flags.includes('master'));
    const replicas = v.filter((n) => n.flags.includes('slave'));
    assert.equal(masters.length, 3);
    assert.deepEqual(new Set(replicas.map((r) => r.master)), new Set(masters.map((m) => m.id)));
    assert.ok(v.every((n) => n.link === 'connected'));
    const norm = (x: NodeLine[]) => x.map((n) => `${n.id} ${n.addr} ${n.flags.filter((f) => f !== 'myself')} ${n.master} ${n.slots.join(',')}`).sort();
    assert.deepEqual(norm(v), norm(views[0]));
  }
});

test('redis-cli --cluster check finds all slots covered and nothing wrong', async () => {
  const r = await run('redis-cli', ['--cluster', 'check', `127.0.0.1:${ports[0]}`]);
  assert.equal(r.status, 0, r.out);
  // redis-cli colours its output with ANSI escapes.
  const out = r.out.replace(/\x1b\[[0-9;]*m/g, '');
  assert.match(out, /\[OK\] All nodes agree about slots configuration\./);
  assert.match(out, /\[OK\] All 16384 slots covered\./);
  assert.doesNotMatch(out, /\[ERR\]|\[WARNING\]/);
  assert.equal((out.match(/^M: /gm) ?? []).length, 3);
  assert.equal((out.match(/^S: /gm) ?? []).length, 3);
});

test('redis-cli -c follows MOVED for keys all over the slots', async () => {
  const keys = ['foo', 'bar', 'hello', 'user:1000', '{tag}a', 'zzz'];
  for (const [i, k] of keys.entries()) {
    const set = await run('redis-cli', ['-c', '-p', String(ports[i % 3]), 'SET', k, `v-${k}`]);
    assert.equal(set.out.trim(), 'OK', set.out);
  }
  for (const [i, k] of keys.entries()) {
    const get = await run('redis-cli', ['-c', '-p', String(ports[(i + 1) % 3]), 'GET', k]);
    assert.equal(get.out.trim(), `v-${k}`);
  }
});

test('ioredis Cluster: hundreds of SET/GET over every master, MULTI and MGET on one slot', async () => {
  const c = new IORedisCluster([{ host: '127.0.0.1', port: ports[0] }], { enableOfflineQueue: true });
  try {
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => c.set(`io:${i}`, `value-${i}`)));
    const values = await Promise.all(Array.from({ length: n }, (_, i) => c.get(`io:${i}`)));
    assert.deepEqual(values, Array.from({ length: n }, (_, i) => `value-${i}`));
    const owners = new Set<number>();
    for (let i = 0; i < n; i++) {
      const slot = Number(await c.cluster('KEYSLOT', `io:${i}`));
      owners.add(slot < 5461 ? 0 : slot < 10923 ? 1 : 2);
    }
    assert.equal(owners.size, 3, 'the keys spread over the three masters');
    const tx = await c.multi().set('{acct}:a', '1').incr('{acct}:a').exec();
    assert.deepEqual(tx, [[null, 'OK'], [null, 2]]);
    assert.deepEqual(await c.mget('{acct}:a', '{acct}:b'), ['2', null]);
    await assert.rejects(c.mset('x1', '1', 'x2', '2'), /CROSSSLOT/);
  } finally {
    c.disconnect();
  }
});

test('node-redis createCluster reads and writes', async () => {
  const c = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${ports[1]}` }] });
  c.on('error', () => {});
  await c.connect();
  try {
    for (let i = 0; i < 50; i++) await c.set(`nr:${i}`, String(i));
    for (let i = 0; i < 50; i++) assert.equal(await c.get(`nr:${i}`), String(i));
  } finally {
    await c.disconnect();
  }
});

test('a replica serves reads after READONLY and redirects without it', async () => {
  const views = await nodesOf(ports[0]);
  const replica = views.find((n) => n.flags.includes('slave'))!;
  const master = views.find((n) => n.id === replica.master)!;
  const replicaPort = Number(replica.addr.split(':')[1]);
  const masterPort = Number(master.addr.split(':')[1]);
  const [start] = master.slots[0].split('-').map(Number);
  // A key in the master's first slot range.
  let key = '';
  for (let i = 0; ; i++) {
    const slot = Number((await cmd(masterPort, 'CLUSTER', 'KEYSLOT', `k${i}`)).slice(1));
    if (slot >= start && master.slots.some((r) => { const [a, b = a] = r.split('-').map(Number); return slot >= a && slot <= b; })) {
      key = `k${i}`;
      break;
    }
  }
  assert.equal(await cmd(masterPort, 'SET', key, 'replicated'), '+OK\r\n');
  const rc = await RawClient.connect(replicaPort);
  try {
    assert.match(await rc.call('GET', key), new RegExp(`^-MOVED \\d+ 127\\.0\\.0\\.1:${masterPort}\r\n$`));
    assert.equal(await rc.call('READONLY'), '+OK\r\n');
    await waitUntil('the write to reach the replica', async () => (await rc.call('GET', key)) === '$10\r\nreplicated\r\n');
    assert.match(await rc.call('SET', key, 'x'), /^-MOVED /);
    assert.equal(await rc.call('READWRITE'), '+OK\r\n');
    assert.match(await rc.call('GET', key), /^-MOVED /);
  } finally {
    rc.close();
  }
});

test('a killed master is failed over to its replica; restarted, it rejoins as a replica', async () => {
  const victim = cluster.nodes[2];
  const id = bulkText(await cmd(victim.port, 'CLUSTER', 'MYID'));
  const before = (await nodesOf(ports[0])).find((n) => n.id === id)!;
  const replica = (await nodesOf(ports[0])).find((n) => n.master === id)!;
  const replicaPort = Number(replica.addr.split(':')[1]);
  // A key the victim serves, written (and replicated) before the crash.
  let key = '';
  for (let i = 0; key === ''; i++) {
    const r = await cmd(victim.port, 'SET', `fo${i}`, 'survives');
    if (r === '+OK\r\n') key = `fo${i}`;
  }
  await waitUntil('the key to reach the replica', async () => {
    const rc = await RawClient.connect(replicaPort);
    try {
      await rc.call('READONLY');
      return (await rc.call('GET', key)) === '$8\r\nsurvives\r\n';
    } finally {
      rc.close();
    }
  });
  await victim.server.kill('SIGKILL');
  await waitUntil('the replica to win the election', async () => {
    const me = (await nodesOf(replicaPort)).find((n) => n.flags.includes('myself'))!;
    return me.flags.includes('master') && me.slots.join(' ') === before.slots.join(' ');
  }, 30000);
  for (const p of ports.filter((x) => x !== victim.port)) {
    await waitUntil(`cluster_state:ok on ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  }
  const line = (await nodesOf(ports[0])).find((n) => n.id === id)!;
  assert.ok(line.flags.includes('fail'), line.flags.join());
  assert.equal(await cmd(replicaPort, 'GET', key), '$8\r\nsurvives\r\n');

  const restarted = await startMember('reddish', victim.dir, victim.port, victim.busPort, victim.args);
  cluster.nodes[2] = restarted;
  assert.equal(bulkText(await cmd(victim.port, 'CLUSTER', 'MYID')), id, 'the id comes back from nodes.conf');
  await waitUntil('the old master to follow the new one', async () => {
    const me = (await nodesOf(victim.port)).find((n) => n.flags.includes('myself'))!;
    return me.flags.includes('slave') && me.master === replica.id;
  });
  await waitUntil('the others to see it as a replica', async () => {
    const seen = (await nodesOf(ports[0])).find((n) => n.id === id)!;
    return seen.flags.join() === 'slave' && seen.master === replica.id && seen.link === 'connected';
  });
});

test('CLUSTER FAILOVER on a replica swaps roles with its master without losing writes', async () => {
  const views = await nodesOf(ports[0]);
  const oldId = bulkText(await cmd(cluster.nodes[2].port, 'CLUSTER', 'MYID'));
  const old = views.find((n) => n.id === oldId)!;
  assert.ok(old.flags.includes('slave'));
  const masterPort = Number(views.find((n) => n.id === old.master)!.addr.split(':')[1]);
  const replicaPort = cluster.nodes[2].port;
  assert.equal(await cmd(masterPort, 'CLUSTER', 'FAILOVER'), '-ERR You should send CLUSTER FAILOVER to a replica\r\n');
  await waitUntil('the replica to be in sync', async () => /master_link_status:up/.test(bulkText(await cmd(replicaPort, 'INFO', 'replication'))));
  let key = '';
  for (let i = 0; key === ''; i++) if ((await cmd(masterPort, 'SET', `mf${i}`, 'kept')) === '+OK\r\n') key = `mf${i}`;
  assert.equal(await cmd(replicaPort, 'CLUSTER', 'FAILOVER', 'NOW'), '-ERR syntax error\r\n');
  // A plain FAILOVER needs the replica's bus link to its master up and the master not failed (as in
  // Redis); under load the link may still be reconnecting after a missed pong.
  await waitUntil("the replica's bus link to its master", async () => {
    const line = bulkText(await cmd(replicaPort, 'CLUSTER', 'NODES')).split('\n').find((l) => l.startsWith(`${old.master} `));
    const f = line?.split(' ') ?? [];
    return f[7] === 'connected' && !/fail/.test(f[2] ?? 'fail');
  });
  assert.equal(await cmd(replicaPort, 'CLUSTER', 'FAILOVER'), '+OK\r\n');
  await waitUntil('the roles to swap', async () => {
    const v = await nodesOf(ports[0]);
    return v.find((n) => n.id === old.id)!.flags.join() === 'master' && v.find((n) => n.id === old.master)!.master === old.id;
  });
  assert.equal(await cmd(replicaPort, 'GET', key), '$4\r\nkept\r\n');
  assert.match(await cmd(masterPort, 'GET', key), /^-MOVED \d+ 127\.0\.0\.1:\d+\r\n$/);
});
