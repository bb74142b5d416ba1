/**
 * Cluster replies byte for byte against a real Redis 7.0 cluster of the same
 * shape: three masters made by `redis-cli --cluster create` from three
 * redis-server and three Reddish processes, the same commands sent to the
 * node at the same position in each, replies compared after naming node ids
 * and ports by their position (the only things that differ between the two).
 *
 * Covers CLUSTER KEYSLOT on thousands of random keys, MOVED, ASK, TRYAGAIN,
 * CROSSSLOT (plain, in MULTI/EXEC, EVAL), CLUSTERDOWN (unbound slot, cluster
 * down, reads allowed when down), SELECT, and the CLUSTER subcommands' replies
 * and error texts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { redisAvailable } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { startPair, runScripts } from '../differential/harness.js';
import { bulkText, clusterCreate, cmd, startClusterNodes, waitUntil, type TestCluster } from '../support/cluster-nodes.js';

interface Side {
  cluster: TestCluster;
  ids: string[];
  ports: number[];
  conns: RawClient[];
}

const sides: Record<'redis' | 'reddish', Side> = {} as Record<'redis' | 'reddish', Side>;

async function setUp(kind: 'redis' | 'reddish'): Promise<Side> {
  const cluster = await startClusterNodes(kind, 3, { nodeTimeout: 3000 });
  const r = await clusterCreate(cluster.nodes, 0);
  assert.equal(r.status, 0, r.out);
  const ports = cluster.nodes.map((n) => n.port);
  for (const p of ports) {
    await waitUntil(`cluster_state:ok on ${kind} ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'));
  }
  const ids = await Promise.all(ports.map(async (p) => bulkText(await cmd(p, 'CLUSTER', 'MYID'))));
  const conns = await Promise.all(ports.map((p) => RawClient.connect(p)));
  return { cluster, ids, ports, conns };
}

before(async () => {
  if (!redisAvailable()) throw new Error('redis-server is not installed: cluster differential tests need it');
  const [redis, reddish] = await Promise.all([setUp('redis'), setUp('reddish')]);
  sides.redis = redis;
  sides.reddish = reddish;
});

after(async () => {
  for (const s of Object.values(sides)) {
    for (const c of s.conns) c.close();
    await s.cluster.stop();
  }
});

/** Node ids and ports named by position, so the two clusters' replies compare. */
function normalize(raw: string, side: Side): string {
  let out = raw;
  side.ids.forEach((id, i) => (out = out.split(id).join(`<id${i}>`)));
  side.ports.forEach((p, i) => (out = out.split(`:${p}`).join(`:<port${i}>`)));
  side.cluster.nodes.forEach((n, i) => (out = out.split(`@${n.busPort}`).join(`@<bus${i}>`)));
  return out;
}

type Step = [node: number, argv: (ids: string[]) => string[]];

async function compareSteps(steps: Step[]): Promise<string[]> {
  const diffs: string[] = [];
  for (const [node, build] of steps) {
    const got: Record<string, string> = {};
    for (const kind of ['redis', 'reddish'] as const) {
      const side = sides[kind];
      got[kind] = normalize(await side.conns[node].call(...build(side.ids)), side);
    }
    if (got.redis !== got.reddish) {
      diffs.push(`node ${node} ${JSON.stringify(build(['<id0>', '<id1>', '<id2>']))}: redis ${JSON.stringify(got.redis)} reddish ${JSON.stringify(got.reddish)}`);
    }
  }
  return diffs;
}

const s = (...argv: string[]) => (): string[] => argv;

test('CLUSTER KEYSLOT agrees with redis-server on random keys and hash-tag edge cases', async () => {
  const keys = ['', '{', '}', '{}', '{}{}', '{a', 'a}', '}{a}', '{{a}}', 'a{b}c{d}', 'foo{}{bar}', '{user1000}.following', 'x{y{z}}'];
  let seed = 12345;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const alphabet = 'ab{}xyz\x00\xff';
  for (let i = 0; i < 3000; i++) {
    let k = '';
    const len = rand(12);
    for (let j = 0; j < len; j++) k += i % 2 === 0 ? alphabet[rand(alphabet.length)] : String.fromCharCode(rand(256));
    keys.push(k);
  }
  const replies: Record<string, string> = {};
  for (const kind of ['redis', 'reddish'] as const) {
    const c = sides[kind].conns[0];
    c.write(keys.map((k) => RawClient.encode(['CLUSTER', 'KEYSLOT', k])).join(''));
    let all = '';
    for (let i = 0; i < keys.length; i++) all += (await c.readReply()).raw;
    replies[kind] = all;
  }
  assert.equal(replies.reddish, replies.redis);
});

test('CLUSTER NODES, INFO and SHARDS describe the same cluster', async () => {
  const views: Record<string, { nodes: string[]; info: string; shards: string[] }> = {};
  for (const kind of ['redis', 'reddish'] as const) {
    const side = sides[kind];
    const c = side.conns[1];
    // ping-sent and pong-received are times; everything else must match.
    const nodes = normalize(bulkText(await c.call('CLUSTER', 'NODES')), side)
      .split('\n')
      .map((l) => l.split(' ').map((f, i) => (i === 4 || i === 5 ? 'T' : f)).join(' '))
      .sort();
    const info = bulkText(await c.call('CLUSTER', 'INFO')).split('\r\n').slice(0, 9).join('\n');
    await c.call('HELLO', '3');
    // Shards come in the node table's order, which is a hash order in Redis: compare them as a set.
    const shardsRaw = normalize(await c.call('CLUSTER', 'SHARDS'), side);
    await c.call('HELLO', '2');
    const shards = shardsRaw.split('%2\r\n').slice(1).sort();
    views[kind] = { nodes, info, shards };
  }
  assert.deepEqual(views.reddish.nodes, views.redis.nodes);
  assert.equal(views.reddish.info, views.redis.info);
  assert.deepEqual(views.reddish.shards, views.redis.shards);
});

test('MOVED, CROSSSLOT, transactions and scripts redirect as Redis does', async () => {
  // Slots: "bar" 5061 and "hello" 866 on node 0, "foo" 12182 on node 2.
  const diffs = await compareSteps([
    [0, s('GET', 'foo')],
    [0, s('SET', 'bar', 'x')],
    [0, s('GET', 'bar')],
    [0, s('MSET', 'a', '1', 'b', '2')],
    [0, s('MGET', '{a}x', '{a}y')],
    [0, s('MSET', '{bar}1', 'x', '{bar}2', 'y')],
    [0, s('CLUSTER', 'COUNTKEYSINSLOT', '5061')],
    [0, s('DEL', '{bar}1', '{bar}2')],
    [0, s('CLUSTER', 'GETKEYSINSLOT', '5061', '10')],
    [0, s('MULTI')],
    [0, s('SET', 'foo', '1')],
    [0, s('SET', 'bar', '2')],
    [0, s('EXEC')],
    [0, s('MULTI')],
    [0, s('SET', 'bar', '1')],
    [0, s('SET', 'hello', '2')],
    [0, s('EXEC')],
    [0, s('GET', 'hello')],
    [0, s('MULTI')],
    [0, s('SET', 'bar', '1')],
    [0, s('GET', '{bar}z')],
    [0, s('EXEC')],
    [0, s('EVAL', 'return 1', '2', 'bar', 'hello')],
    [0, s('EVAL', 'return 1', '1', 'foo')],
    [0, s('EVAL', "return redis.call('get', KEYS[1])", '1', 'bar')],
    [0, s('SELECT', '1')],
    [0, s('SELECT', '0')],
    [0, s('SWAPDB', '0', '1')],
    [0, s('PING')],
    [1, s('GET', 'bar')],
    [1, s('READONLY')],
    [1, s('GET', 'bar')],
    [1, s('READWRITE')],
  ]);
  assert.deepEqual(diffs, []);
});

test('ASK, ASKING and TRYAGAIN while a slot migrates', async () => {
  const diffs = await compareSteps([
    [0, s('SET', 'bar', 'v')],
    [0, (ids) => ['CLUSTER', 'SETSLOT', '5061', 'MIGRATING', ids[1]]],
    [0, s('GET', 'bar')],
    [0, s('GET', '{bar}missing')],
    [0, s('MGET', 'bar', '{bar}missing')],
    [0, s('EXISTS', '{bar}missing')],
    [1, (ids) => ['CLUSTER', 'SETSLOT', '5061', 'IMPORTING', ids[0]]],
    [1, s('GET', 'bar')],
    [1, s('ASKING')],
    [1, s('GET', 'bar')],
    [1, s('GET', 'bar')],
    [1, s('ASKING')],
    [1, s('MGET', 'bar', '{bar}x')],
    [1, s('ASKING')],
    [1, s('MULTI')],
    [1, s('SET', '{bar}new', '1')],
    [1, s('EXEC')],
    [1, s('DEL', '{bar}new')],
    [1, s('ASKING')],
    [1, s('DEL', '{bar}new')],
    [1, s('CLUSTER', 'SETSLOT', '5061', 'STABLE')],
    [0, s('CLUSTER', 'SETSLOT', '5061', 'STABLE')],
    [0, s('DEL', 'bar')],
  ]);
  assert.deepEqual(diffs, []);
});

test('CLUSTERDOWN for an unbound slot, a cluster down, and reads allowed when down', async () => {
  const state = async (kind: 'redis' | 'reddish', want: string) => {
    const p = sides[kind].ports[0];
    await waitUntil(`${kind} cluster_state:${want}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes(`cluster_state:${want}`));
  };
  let diffs = await compareSteps([
    [0, s('SET', 'bar', 'v')],
    [0, s('CLUSTER', 'DELSLOTS', '0')],
  ]);
  await Promise.all([state('redis', 'fail'), state('reddish', 'fail')]);
  diffs = diffs.concat(await compareSteps([
    [0, s('GET', '')],
    [0, s('GET', 'bar')],
    [0, s('GET', 'foo')],
    [0, s('PING')],
    [0, s('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes')],
    [0, s('GET', 'bar')],
    [0, s('SET', 'bar', 'w')],
    [0, s('GET', 'foo')],
    [0, s('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'no')],
    [0, s('CLUSTER', 'ADDSLOTS', '0')],
  ]));
  await Promise.all([state('redis', 'ok'), state('reddish', 'ok')]);
  diffs = diffs.concat(await compareSteps([[0, s('GET', 'bar')], [0, s('DEL', 'bar')]]));
  assert.deepEqual(diffs, []);
});

test('CLUSTER subcommand replies and errors', async () => {
  const diffs = await compareSteps([
    [0, s('CLUSTER', 'MEET', '1', '2', '3', '4')],
    [0, s('CLUSTER', 'MEET', '127.0.0.1', 'x')],
    [0, s('CLUSTER', 'MEET', '127.0.0.1', '1', 'y')],
    [0, s('CLUSTER', 'MEET', '127.0.0.x', '1')],
    [0, s('CLUSTER', 'MEET', '127.0.0.1', '0')],
    [0, s('CLUSTER', 'RESET', 'a', 'b')],
    [0, s('CLUSTER', 'RESET', 'foo')],
    [0, s('CLUSTER', 'COUNTKEYSINSLOT', 'x')],
    [0, s('CLUSTER', 'COUNTKEYSINSLOT', '16384')],
    [0, s('CLUSTER', 'GETKEYSINSLOT', 'x', '1')],
    [0, s('CLUSTER', 'GETKEYSINSLOT', '1', 'x')],
    [0, s('CLUSTER', 'GETKEYSINSLOT', '1', '-1')],
    [0, s('CLUSTER', 'SETSLOT', 'x', 'migrating')],
    [0, s('CLUSTER', 'SETSLOT', '1', 'migrating')],
    [0, s('CLUSTER', 'SETSLOT', '1', 'migrating', 'abc')],
    [0, s('CLUSTER', 'SETSLOT', '6000', 'migrating', 'abc')],
    [0, s('CLUSTER', 'SETSLOT', '1', 'importing', 'abc')],
    [0, s('CLUSTER', 'SETSLOT', '6000', 'importing', 'abc')],
    [0, s('CLUSTER', 'SETSLOT', '1', 'node', 'abc')],
    [0, s('CLUSTER', 'SETSLOT', '1', 'stable', 'x')],
    [0, s('CLUSTER', 'SETSLOT', '1', 'bogus')],
    [0, s('CLUSTER', 'ADDSLOTS', '1', 'x')],
    [0, s('CLUSTER', 'ADDSLOTS', '1')],
    [0, s('CLUSTER', 'ADDSLOTS', '-1')],
    [0, s('CLUSTER', 'DELSLOTS', '1', '1')],
    [0, s('CLUSTER', 'DELSLOTSRANGE', '1', '2', '3')],
    [0, s('CLUSTER', 'ADDSLOTSRANGE', '5', '1')],
    [0, s('CLUSTER', 'ADDSLOTSRANGE', '1', '2')],
    [0, s('CLUSTER', 'FORGET', 'abc')],
    [0, (ids) => ['CLUSTER', 'FORGET', ids[0]]],
    [0, s('CLUSTER', 'REPLICATE', 'abc')],
    [0, (ids) => ['CLUSTER', 'REPLICATE', ids[0]]],
    [0, (ids) => ['CLUSTER', 'REPLICATE', ids[1]]],
    [0, s('CLUSTER', 'REPLICAS', 'abc')],
    [0, (ids) => ['CLUSTER', 'REPLICAS', ids[1]]],
    [0, (ids) => ['CLUSTER', 'SLAVES', ids[2]]],
    [0, s('CLUSTER', 'COUNT-FAILURE-REPORTS', 'abc')],
    [0, (ids) => ['CLUSTER', 'COUNT-FAILURE-REPORTS', ids[1]]],
    [0, s('CLUSTER', 'SET-CONFIG-EPOCH', '-1')],
    [0, s('CLUSTER', 'SET-CONFIG-EPOCH', 'x')],
    [0, s('CLUSTER', 'SET-CONFIG-EPOCH', '5')],
    [0, s('CLUSTER', 'BUMPEPOCH')],
    [0, s('CLUSTER', 'KEYSLOT')],
    [0, s('CLUSTER', 'INFO', 'extra')],
    [0, s('CLUSTER', 'NONSENSE')],
    [0, s('CLUSTER', 'HELP')],
    [0, s('CLUSTER', 'FAILOVER')],
    [0, s('CLUSTER', 'FAILOVER', 'bogus')],
    [0, s('CLUSTER', 'FAILOVER', 'force', 'x')],
    [0, s('CLUSTER', 'FAILOVER', 'TAKEOVER')],
    [0, s('CLUSTER', 'MYID')],
    [0, s('CLUSTER', 'SLOTS')],
    [0, s('CLUSTER', 'SAVECONFIG')],
    [0, s('SET', 'bar', '1')],
    [0, s('CLUSTER', 'FLUSHSLOTS')],
    [0, s('CLUSTER', 'RESET')],
    [0, s('DEL', 'bar')],
  ]);
  assert.deepEqual(diffs, []);
});

test('without cluster-enabled, cluster commands say so', async () => {
  const pair = await startPair();
  try {
    const diffs = await runScripts(pair, {
      disabled: [['CLUSTER', 'INFO'], ['CLUSTER', 'KEYSLOT', 'x'], ['CLUSTER', 'NOPE'], ['READONLY'], ['READWRITE'], ['ASKING'], ['SELECT', '1']],
    });
    assert.deepEqual(diffs, []);
  } finally {
    await pair.stop();
  }
});

test('MOVE and COPY ... DB are refused in cluster mode as Redis does', async () => {
  // "bar" 5061 is on node 0.
  const diffs = await compareSteps([
    [0, s('SET', 'bar', 'v')],
    [0, s('MOVE', 'bar', '1')],
    [0, s('MOVE', 'bar', '0')],
    [0, s('MOVE', 'bar', 'x')],
    [0, s('MOVE', 'nokey', '1')],
    [0, s('COPY', 'bar', '{bar}2', 'DB', '1')],
    [0, s('COPY', 'bar', '{bar}2', 'DB', '1', 'REPLACE')],
    [0, s('COPY', 'bar', '{bar}2', 'DB', '99')],
    [0, s('COPY', 'bar', '{bar}2', 'DB', '-1')],
    [0, s('COPY', 'bar', '{bar}2', 'DB', 'x')],
    [0, s('COPY', 'bar', '{bar}2', 'DB', '0')],
    [0, s('COPY', 'bar', '{bar}2', 'DB', '0', 'REPLACE')],
    [0, s('COPY', 'bar', '{bar}3', 'DB', '1', 'FOO')],
    [0, s('DEL', 'bar', '{bar}2')],
  ]);
  assert.deepEqual(diffs, []);
});
