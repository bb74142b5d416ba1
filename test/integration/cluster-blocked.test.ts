/**
 * Clients blocked on keys when the cluster changes under them
 * (clusterRedirectBlockedClientIfNeeded, disconnectAllBlockedClients),
 * against a real Redis 7.0 cluster of the same shape: three masters and a
 * replica of the first. Keys {b}* are in slot 3300 (node 0), j in slot 3564
 * (node 0), c in slot 7365 (node 1).
 *
 *  - slot moved away with CLUSTER SETSLOT ... NODE: every kind of blocked
 *    command gets -MOVED and the connection goes on; while the slot is only
 *    MIGRATING nothing happens (a slot must be empty to be given away, so
 *    XREADGROUP, whose group dies with its stream, is answered -UNBLOCKED
 *    when the stream is deleted, before the move);
 *  - a READONLY client blocked by XREAD on the replica stays, and is served
 *    by what replication brings;
 *  - a master turned replica by a failover answers -UNBLOCKED and closes;
 *  - cluster down: -CLUSTERDOWN The cluster is down.
 */
import { test, before, after } from 'node:test';
import { startAll } from '../support/start-all.js';
import assert from 'node:assert/strict';
import { redisAvailable } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { bulkText, cmd, waitUntil } from '../support/cluster-nodes.js';
import { normalizeReply, startShape, type ShapedCluster } from '../support/cluster-shape.js';

type Kind = 'redis' | 'reddish';
const sides: Partial<Record<Kind, ShapedCluster>> = {};
const KINDS: Kind[] = ['redis', 'reddish'];

before(async () => {
  if (!redisAvailable()) throw new Error('redis-server is not installed: cluster blocking tests compare with it');
  const [redis, reddish] = await startAll([startShape('redis', 3, [0]), startShape('reddish', 3, [0])], (s) => s.cluster.stop());
  sides.redis = redis;
  sides.reddish = reddish;
});

after(async () => {
  await Promise.all(Object.values(sides).map((s) => s.cluster.stop()));
});

/** A connection that sent a blocking command (after `setup`, whose replies are checked to be +OK). */
async function blockOn(port: number, argv: string[], setup: string[][] = []): Promise<RawClient> {
  const c = await RawClient.connect(port);
  for (const s of setup) assert.equal(await c.call(...s), '+OK\r\n');
  c.write(RawClient.encode(argv));
  return c;
}

/** Fails if a reply arrives within `ms` (the client must still be blocked). */
async function stillBlocked(c: RawClient, ms: number): Promise<void> {
  await assert.rejects(c.readReply(ms), /timeout waiting for reply/);
}

/** Waits until every node sees `slot` owned by node `owner`. */
async function slotOwnedBy(s: ShapedCluster, slot: number, owner: number): Promise<void> {
  await waitUntil(`${s.kind} slot ${slot} on node ${owner} everywhere`, async () => {
    for (const p of s.ports) {
      const reply = await cmd(p, 'CLUSTER', 'SLOTS');
      if (!ownsIn(reply, slot, s.ports[owner])) return false;
    }
    return true;
  });
}

/** CLUSTER SLOTS (raw RESP) lists `slot` in a range whose master is on `port`. */
function ownsIn(raw: string, slot: number, port: number): boolean {
  // Each range: *N :start :end *3 $9 127.0.0.1 :port $40 id ...
  const re = /\*\d+\r\n:(\d+)\r\n:(\d+)\r\n\*\d+\r\n\$\d+\r\n[^\r]*\r\n:(\d+)\r\n/g;
  for (const m of raw.matchAll(re)) {
    if (Number(m[1]) <= slot && slot <= Number(m[2])) return Number(m[3]) === port;
  }
  return false;
}

test('slot moved away: every blocked command gets -MOVED, not while only migrating', async () => {
  const blocked = [
    ['BLPOP', '{b}l1', '{b}l2', '0'],
    ['BRPOP', '{b}l1', '0'],
    ['BLMOVE', '{b}l1', '{b}l3', 'LEFT', 'RIGHT', '0'],
    ['BLMPOP', '0', '1', '{b}l2', 'LEFT'],
    ['BZPOPMIN', '{b}z', '0'],
    ['XREAD', 'BLOCK', '0', 'STREAMS', '{b}s', '$'],
    ['XREADGROUP', 'GROUP', 'g', 'me', 'BLOCK', '0', 'STREAMS', '{b}s', '>'],
  ];
  const results = await Promise.all(KINDS.map(async (kind) => {
    const s = sides[kind]!;
    const [p0, p1] = s.ports;
    assert.equal(await cmd(p0, 'XGROUP', 'CREATE', '{b}s', 'g', '$', 'MKSTREAM'), '+OK\r\n');
    // The stream is a key of the slot: the slot must be empty to be given away.
    const conns = await Promise.all(blocked.map((argv) => blockOn(p0, argv)));
    await stillBlocked(conns[0], 300);
    assert.equal(await cmd(p0, 'DEL', '{b}s'), ':1\r\n');
    // XREADGROUP's group goes with its stream: a waiter is answered at once (-UNBLOCKED), before any move.
    const xrg = normalizeReply((await conns[6].readReply(5000)).raw, s);
    assert.equal(await cmd(p1, 'CLUSTER', 'SETSLOT', '3300', 'IMPORTING', s.ids[0]), '+OK\r\n');
    assert.equal(await cmd(p0, 'CLUSTER', 'SETSLOT', '3300', 'MIGRATING', s.ids[1]), '+OK\r\n');
    // Only migrating: the keys may still be pushed here, the clients wait.
    await stillBlocked(conns[0], 1200);
    assert.equal(await cmd(p0, 'CLUSTER', 'SETSLOT', '3300', 'NODE', s.ids[1]), '+OK\r\n');
    assert.equal(await cmd(p1, 'CLUSTER', 'SETSLOT', '3300', 'NODE', s.ids[1]), '+OK\r\n');
    const replies = await Promise.all(conns.slice(0, 6).map(async (c) => normalizeReply((await c.readReply(5000)).raw, s)));
    // The connections go on.
    const after = await Promise.all(conns.slice(0, 6).map((c) => c.call('PING')));
    for (const c of conns) c.close();
    await slotOwnedBy(s, 3300, 1);
    return { replies, xrg, after };
  }));
  const [redis, reddish] = results;
  assert.deepEqual(redis.replies, Array(6).fill('-MOVED 3300 127.0.0.1:<port1>\r\n'));
  assert.equal(redis.xrg, '-UNBLOCKED the stream key no longer exists\r\n');
  assert.deepEqual(reddish, redis);
});

test('READONLY XREAD on the replica stays blocked and is served through replication', async () => {
  const results = await Promise.all(KINDS.map(async (kind) => {
    const s = sides[kind]!;
    const c = await blockOn(s.ports[3], ['XREAD', 'BLOCK', '0', 'STREAMS', 'j', '$'], [['READONLY']]);
    await stillBlocked(c, 1500);
    assert.match(await cmd(s.ports[0], 'XADD', 'j', '1-1', 'f', 'v'), /^\$3\r\n1-1\r\n$/);
    const r = (await c.readReply(5000)).raw;
    c.close();
    return r;
  }));
  assert.equal(results[0], '*1\r\n*2\r\n$1\r\nj\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
  assert.equal(results[1], results[0]);
});

test('a master turned replica by a failover unblocks its clients with -UNBLOCKED and closes them', async () => {
  const results = await Promise.all(KINDS.map(async (kind) => {
    const s = sides[kind]!;
    const c = await blockOn(s.ports[0], ['BLPOP', '{j}2', '0']);
    await stillBlocked(c, 300);
    assert.equal(await cmd(s.ports[3], 'CLUSTER', 'FAILOVER'), '+OK\r\n');
    const r = await c.readUntilClose(15000);
    await waitUntil(`${kind} node 0 to be a replica`, async () => bulkText(await cmd(s.ports[0], 'INFO', 'replication')).includes('role:slave'));
    return r;
  }));
  assert.equal(results[0], '-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n');
  assert.equal(results[1], results[0]);
});

test('cluster down: blocked clients get -CLUSTERDOWN', async () => {
  const results = await Promise.all(KINDS.map(async (kind) => {
    const s = sides[kind]!;
    const c = await blockOn(s.ports[1], ['BZPOPMIN', 'c', '0']);
    await stillBlocked(c, 300);
    // Node 2 has no replica: without it the cluster is down.
    await s.cluster.nodes[2].server.kill('SIGKILL');
    const r = (await c.readReply(20000)).raw;
    const ping = await c.call('PING');
    c.close();
    return [r, ping];
  }));
  assert.deepEqual(results[0], ['-CLUSTERDOWN The cluster is down\r\n', '+PONG\r\n']);
  assert.deepEqual(results[1], results[0]);
});
