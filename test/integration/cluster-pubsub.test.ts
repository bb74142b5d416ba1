/**
 * Pub/Sub in a Reddish cluster of three masters with a replica each: PUBLISH
 * on any node reaches the subscribers of every node (over the bus), while its
 * reply counts the local receivers only; SSUBSCRIBE and SPUBLISH go to the
 * shard that serves the channel's slot (MOVED elsewhere), and an SPUBLISH
 * reaches the subscribers on that master and its replica but no other node.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../support/raw-client.js';
import { bulkText, clusterCreate, cmd, nodesOf, type NodeLine, startClusterNodes, waitUntil, type TestCluster } from '../support/cluster-nodes.js';

let cluster: TestCluster;
let ports: number[];
const opened: RawClient[] = [];

async function connect(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  opened.push(c);
  return c;
}

const push = (kind: string, channel: string, message: string): string =>
  `*3\r\n$${kind.length}\r\n${kind}\r\n$${channel.length}\r\n${channel}\r\n$${message.length}\r\n${message}\r\n`;

before(async () => {
  cluster = await startClusterNodes('reddish', 6, { nodeTimeout: 3000, args: ['--repl-diskless-sync-delay', '0'] });
  ports = cluster.nodes.map((n) => n.port);
  const r = await clusterCreate(cluster.nodes, 1);
  assert.equal(r.status, 0, r.out);
  for (const p of ports) {
    await waitUntil(`cluster_state:ok on ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  }
  // Every node knows every other (the bus links PUBLISH travels on).
  await waitUntil('a full mesh', async () =>
    (await Promise.all(ports.map(nodesOf))).every((v) => v.length === 6 && v.filter((n) => n.flags.includes('slave') && n.master !== '-').length === 3));
});

after(async () => {
  for (const c of opened) c.close();
  await cluster?.stop();
});

test('PUBLISH on one node reaches the subscribers of every node', async () => {
  const subs = await Promise.all(ports.map(connect));
  for (const s of subs) assert.equal(await s.call('SUBSCRIBE', 'news'), '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n');
  const psub = await connect(ports[3]);
  assert.equal(await psub.call('PSUBSCRIBE', 'n*'), '*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n');
  const pub = await connect(ports[1]);
  // The reply counts this node's receivers only, as Redis's does.
  assert.equal(await pub.call('PUBLISH', 'news', 'hello\xff'), ':1\r\n');
  for (const s of subs) assert.equal((await s.readReply()).raw, push('message', 'news', 'hello\xff'));
  assert.equal((await psub.readReply()).raw, '*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$6\r\nhello\xff\r\n');
  assert.equal(await pub.call('PUBLISH', 'other', 'x'), ':0\r\n');
});

test('SSUBSCRIBE and SPUBLISH are routed by slot and stay in the shard', async () => {
  const channel = 'orders';
  const slot = Number((await cmd(ports[0], 'CLUSTER', 'KEYSLOT', channel)).slice(1, -2));
  const view = await nodesOf(ports[0]);
  const owns = (n: NodeLine) => n.slots.some((r) => {
    const [a, b] = r.split('-').map(Number);
    return slot >= a && slot <= (b ?? a);
  });
  const master = view.find((n) => n.flags.includes('master') && owns(n))!;
  const replica = view.find((n) => n.master === master.id)!;
  const other = view.find((n) => n.flags.includes('master') && n !== master)!;
  const otherReplica = view.find((n) => n.master === other.id)!;

  const wrong = await connect(other.port);
  assert.equal(await wrong.call('SSUBSCRIBE', channel), `-MOVED ${slot} 127.0.0.1:${master.port}\r\n`);
  assert.equal(await wrong.call('SPUBLISH', channel, 'x'), `-MOVED ${slot} 127.0.0.1:${master.port}\r\n`);

  const onMaster = await connect(master.port);
  const onReplica = await connect(replica.port);
  const onOther = await connect(otherReplica.port);
  for (const s of [onMaster, onReplica]) assert.equal(await s.call('SSUBSCRIBE', channel), `*3\r\n$10\r\nssubscribe\r\n$6\r\n${channel}\r\n:1\r\n`);
  // A plain subscriber of the same name elsewhere is not a shard subscriber.
  assert.equal(await onOther.call('SUBSCRIBE', channel), `*3\r\n$9\r\nsubscribe\r\n$6\r\n${channel}\r\n:1\r\n`);

  const pub = await connect(master.port);
  assert.equal(await pub.call('SPUBLISH', channel, 'paid'), ':1\r\n');
  for (const s of [onMaster, onReplica]) assert.equal((await s.readReply()).raw, push('smessage', channel, 'paid'));
  // The next PUBLISH is the first thing the plain subscriber sees: the SPUBLISH never reached it.
  assert.equal(await pub.call('PUBLISH', channel, 'plain'), ':0\r\n');
  assert.equal((await onOther.readReply()).raw, push('message', channel, 'plain'));
});
