/**
 * maxmemory's replies, byte for byte against Redis 7.0: with `maxmemory 1`
 * and noeviction every denyoom command (and anything queued in MULTI, and a
 * script that may write) answers -OOM while reads and deletions still work;
 * OBJECT FREQ and OBJECT IDLETIME refuse under the other kind of policy; a
 * new key's LFU counter starts at 5 and its first read always bumps it.
 * Eviction under load is in test/integration/eviction.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

const SCRIPTS: Record<string, string[][]> = {
  'noeviction over maxmemory refuses denyoom commands only': [
    ['SET', 'a', '1'],
    ['RPUSH', 'l', 'x'],
    ['CONFIG', 'SET', 'maxmemory', '1'],
    ['SET', 'b', '2'],
    ['APPEND', 'a', 'x'],
    ['INCR', 'a'],
    ['RPUSH', 'l', 'y'],
    ['GET', 'a'],
    ['LPOP', 'l'],
    ['EXPIRE', 'a', '100'],
    ['DEL', 'a'],
    ['EXISTS', 'a'],
    ['MULTI'],
    ['GET', 'a'],
    ['EXEC'],
    ['MULTI'],
    ['DISCARD'],
    ['EVAL', "return redis.call('set','x','1')", '0'],
    ['EVAL', "return redis.call('get','x')", '0'],
    ['EVAL', "#!lua\nreturn redis.call('set','x','1')", '0'],
    ['EVAL', '#!lua flags=no-writes\nreturn 1', '0'],
    ['EVAL', "#!lua flags=allow-oom\nreturn redis.call('set','x','1')", '0'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['SET', 'b', '2'],
    ['GET', 'x'],
  ],
  'OBJECT FREQ and IDLETIME under the wrong kind of policy': [
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'],
    ['SET', 'k', 'v'],
    ['OBJECT', 'FREQ', 'k'],
    ['OBJECT', 'FREQ', 'missing'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu'],
    ['OBJECT', 'IDLETIME', 'k'],
    ['OBJECT', 'IDLETIME', 'missing'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['OBJECT', 'FREQ', 'k'],
  ],
  'OBJECT FREQ of a new key under allkeys-lfu': [
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
    ['SET', 'n', 'v'],
    ['OBJECT', 'FREQ', 'n'],
    ['GET', 'n'],
    ['OBJECT', 'FREQ', 'n'],
    ['RPUSH', 'list', 'a'],
    ['OBJECT', 'FREQ', 'list'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
  ],
};

test('maxmemory replies match redis-server', async () => {
  const d = await runScripts(pair, SCRIPTS);
  assert.equal(d.length, 0, formatDivergences(d));
});

test('an OOM-refused command counts in rejected_calls and errorstats on both', async () => {
  const count = async (c: typeof pair.redisClient) => {
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('CONFIG', 'SET', 'maxmemory', '1');
    await c.call('SET', 'z', '1');
    await c.call('CONFIG', 'SET', 'maxmemory', '0');
    const info = await c.call('INFO', 'all');
    return [/cmdstat_set:.*rejected_calls=(\d+)/.exec(info)?.[1], /errorstat_OOM:count=(\d+)/.exec(info)?.[1]];
  };
  assert.deepEqual(await count(pair.reddishClient), await count(pair.redisClient));
});
