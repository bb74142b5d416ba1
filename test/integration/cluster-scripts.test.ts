/**
 * redis.call / redis.pcall inside EVAL and FCALL in cluster mode
 * (scriptVerifyClusterState), byte for byte against a real Redis 7.0 cluster
 * of the same shape: three masters and a replica of the first.
 *
 * Keys used (slot, owner): a 15495 node 2; b 3300, f 3168 node 0 (both local
 * to node 0, different slots).
 *  - a key served elsewhere: "non local key" (also for CROSSSLOT inside one
 *    command); EVAL's declared KEYS elsewhere: MOVED before the script runs;
 *  - a script with a shebang (and every function) is bound to one slot: the
 *    declared keys', else the first one it touches; allow-cross-slot-keys
 *    lifts that, as does the pre-7.0 mode (no shebang);
 *  - ASKING and READONLY of the caller apply to the script's commands;
 *  - cluster down: "execute a command while the cluster is down", and with
 *    cluster-allow-reads-when-down the write variant.
 */
import { test, before, after } from 'node:test';
import { startAll } from '../support/start-all.js';
import assert from 'node:assert/strict';
import { redisAvailable } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { bulkText, cmd, waitUntil } from '../support/cluster-nodes.js';
import { normalizeReply, startShape, type ShapedCluster } from '../support/cluster-shape.js';

const sides: Partial<Record<'redis' | 'reddish', ShapedCluster>> = {};

before(async () => {
  if (!redisAvailable()) throw new Error('redis-server is not installed: cluster script tests compare with it');
  const [redis, reddish] = await startAll([startShape('redis', 3, [0]), startShape('reddish', 3, [0])], (s) => s.cluster.stop());
  sides.redis = redis;
  sides.reddish = reddish;
});

after(async () => {
  await Promise.all(Object.values(sides).map((s) => s.cluster.stop()));
});

/** Commands sent in order on one connection to node `node`; `ids` are the cluster's node ids. */
type Session = [node: number, commands: (ids: string[]) => string[][]];

async function runSession(s: ShapedCluster, [node, build]: Session): Promise<string[]> {
  const c = await RawClient.connect(s.ports[node]);
  try {
    const out: string[] = [];
    for (const argv of build(s.ids)) out.push(normalizeReply(await c.call(...argv), s));
    return out;
  } finally {
    c.close();
  }
}

/** Runs each session on both clusters; returns Redis's replies after checking Reddish's are the same bytes. */
async function compare(sessions: Session[]): Promise<string[][]> {
  const all: string[][] = [];
  for (const session of sessions) {
    const want = await runSession(sides.redis!, session);
    const got = await runSession(sides.reddish!, session);
    assert.deepEqual(got, want, `session ${JSON.stringify(session[1](['<id0>', '<id1>', '<id2>', '<id3>']))}`);
    all.push(want);
  }
  return all;
}

const one = (...argv: string[]): Session => [0, () => [argv]];
const NON_LOCAL = 'ERR Script attempted to access a non local key in a cluster node';
const CROSS = 'ERR Script attempted to access keys that do not hash to the same slot';

test('EVAL: non local keys, declared keys elsewhere, one slot per script', async () => {
  const r = await compare([
    one('EVAL', "return redis.call('get','a')", '0'),
    one('EVAL', "return redis.pcall('get','a')", '0'),
    one('EVAL', "return redis.call('get','a')", '1', 'a'),
    one('EVAL', "return redis.call('mget','b','f')", '0'),
    one('EVAL', "return redis.pcall('mget','b','f')", '0'),
    // No shebang: the pre-7.0 mode may touch several local slots.
    one('EVAL', "redis.call('get','b'); return redis.call('get','f')", '0'),
    one('EVAL', "return redis.call('get','f')", '1', 'b'),
    // A shebang binds the script to one slot.
    one('EVAL', "#!lua\nredis.call('get','b'); return redis.call('get','f')", '0'),
    one('EVAL', "#!lua\nreturn redis.call('get','f')", '1', 'b'),
    one('EVAL', "#!lua\nreturn redis.pcall('get','f')", '1', 'b'),
    one('EVAL', "#!lua\nreturn redis.call('get','a')", '1', 'b'),
    one('EVAL', "#!lua\nredis.call('ping'); redis.call('set','{b}1','x'); return redis.call('get','b')", '0'),
    // ... unless it allows cross-slot keys (declared keys must still share a slot).
    one('EVAL', "#!lua flags=allow-cross-slot-keys\nredis.call('get','b'); return redis.call('get','f')", '0'),
    one('EVAL', "#!lua flags=allow-cross-slot-keys\nreturn redis.call('get','f')", '2', 'b', 'f'),
    one('EVAL', "#!lua flags=allow-cross-slot-keys\nreturn redis.call('mget','b','f')", '0'),
    one('EVAL', "#!lua flags=allow-cross-slot-keys\nreturn redis.call('get','a')", '0'),
    // A read-only script's write fails on its own check first.
    one('EVAL', "#!lua flags=no-writes\nreturn redis.call('set','a','1')", '0'),
  ]);
  assert.match(r[0][0], new RegExp(`^-${NON_LOCAL} script: [0-9a-f]{40}, on @user_script:1\\.\r\n$`));
  assert.equal(r[1][0], `-${NON_LOCAL}\r\n`);
  assert.equal(r[2][0], `-MOVED 15495 127.0.0.1:<port2>\r\n`);
  assert.equal(r[5][0], '$-1\r\n');
  assert.match(r[7][0], new RegExp(`^-${CROSS} script: `));
  assert.equal(r[9][0], `-${CROSS}\r\n`);
  assert.equal(r[12][0], '$-1\r\n');
});

test('FCALL: functions are bound to one slot unless flagged allow-cross-slot-keys', async () => {
  const lib = [
    '#!lua name=clib',
    "redis.register_function('g', function(keys, args) return redis.call('get', args[1]) end)",
    "redis.register_function{function_name='gx', callback=function(keys, args) return redis.call('get', args[1]) end, flags={'allow-cross-slot-keys'}}",
    "redis.register_function('two', function(keys, args) redis.call('get', args[1]); return redis.call('get', args[2]) end)",
    "redis.register_function{function_name='twox', callback=function(keys, args) redis.call('get', args[1]); return redis.call('get', args[2]) end, flags={'allow-cross-slot-keys'}}",
  ].join('\n');
  for (const s of Object.values(sides)) {
    for (const p of s.ports.slice(0, 3)) assert.equal(await cmd(p, 'FUNCTION', 'LOAD', 'REPLACE', lib), '$4\r\nclib\r\n');
  }
  const r = await compare([
    one('FCALL', 'g', '0', 'a'),
    one('FCALL', 'g', '0', 'b'),
    one('FCALL', 'g', '1', 'b', 'f'),
    one('FCALL', 'gx', '1', 'b', 'f'),
    one('FCALL', 'two', '0', 'b', 'f'),
    one('FCALL', 'twox', '0', 'b', 'f'),
    one('FCALL', 'two', '0', 'b', 'a'),
    one('FCALL', 'g', '1', 'a'),
  ]);
  assert.equal(r[0][0], `-${NON_LOCAL} script: g, on @user_function:2.\r\n`);
  assert.equal(r[2][0], `-${CROSS} script: g, on @user_function:2.\r\n`);
  assert.equal(r[3][0], '$-1\r\n');
  assert.equal(r[5][0], '$-1\r\n');
});

test("ASKING and READONLY reach the script's commands", async () => {
  for (const s of Object.values(sides)) assert.equal(await cmd(s.ports[1], 'CLUSTER', 'SETSLOT', '3300', 'IMPORTING', s.ids[0]), '+OK\r\n');
  const get = "#!lua\nreturn redis.call('get','b')";
  const r = await compare([
    [1, () => [['ASKING'], ['EVAL', get, '0'], ['EVAL', get, '0']]],
    [1, () => [['ASKING'], ['EVAL', "return redis.call('get',KEYS[1])", '1', 'b']]],
    [1, () => [['ASKING'], ['EVAL', "return redis.call('mget','b','{b}x')", '0']]],
    [3, () => [['READONLY'], ['EVAL_RO', "return redis.call('get',KEYS[1])", '1', 'b'], ['EVAL_RO', "return redis.call('get','a')", '0'],
      ['EVAL', "return redis.call('get','b')", '0'], ['EVAL', "return redis.call('set','b','1')", '0'],
      ['EVAL', "#!lua flags=no-writes\nreturn redis.call('get','b')", '0'], ['READWRITE'], ['EVAL', "return redis.call('get','b')", '0']]],
  ]);
  for (const s of Object.values(sides)) assert.equal(await cmd(s.ports[1], 'CLUSTER', 'SETSLOT', '3300', 'STABLE'), '+OK\r\n');
  assert.deepEqual(r[0].slice(1), ['$-1\r\n', `-${NON_LOCAL} script: a1d55a8d71c356c00bb32c68c1eb085128a91fa0, on @user_script:2.\r\n`]);
  assert.equal(r[3][1], '$-1\r\n');
  assert.match(r[3][7], /^-ERR Script attempted to access a non local key/);
});

test('cluster down: scripts get the cluster-down errors', async () => {
  // Node 2 serves a third of the slots and has no replica: killing it takes the cluster down.
  await Promise.all(Object.values(sides).map(async (s) => {
    await s.cluster.nodes[2].server.kill('SIGKILL');
    await waitUntil(`${s.kind} cluster to fail`, async () => bulkText(await cmd(s.ports[0], 'CLUSTER', 'INFO')).includes('cluster_state:fail'), 30000);
  }));
  const r = await compare([
    one('EVAL', "return redis.call('get','f')", '0'),
    one('EVAL', "return redis.pcall('get','f')", '0'),
    one('EVAL', "return redis.call('ping')", '0'),
    one('EVAL', "return redis.call('get','f')", '1', 'f'),
    [0, () => [['CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes'],
      ['EVAL', "return redis.call('get','f')", '0'], ['EVAL', "return redis.call('set','f','1')", '0'],
      ['EVAL', "return redis.pcall('set','f','1')", '1', 'f'], ['CONFIG', 'SET', 'cluster-allow-reads-when-down', 'no']]],
  ]);
  assert.match(r[0][0], /^-ERR Script attempted to execute a command while the cluster is down script: /);
  assert.equal(r[1][0], '-ERR Script attempted to execute a command while the cluster is down\r\n');
  assert.equal(r[2][0], '+PONG\r\n');
  assert.equal(r[3][0], '-CLUSTERDOWN The cluster is down\r\n');
  assert.equal(r[4][1], '$-1\r\n');
  assert.equal(r[4][3], '-ERR Script attempted to execute a write command while the cluster is down and readonly\r\n');
});
