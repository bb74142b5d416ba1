/**
 * Lua numbers as Redis's Lua 5.1 has them, byte for byte against Redis 7.0:
 * hex numerals of any size read as doubles (BullMQ's priority scripts compute
 * with 0x100000000), NaN printed as glibc prints x86's default NaN, and
 * big values through tostring, tonumber and replies.
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

const e = (body: string): string[] => ['EVAL', body, '0'];

test('hex numerals, NaN and big numbers match Redis 7.0', async () => {
  const d = await runScripts(pair, {
    numbers: [
      e('return 0x100000000'), e('return tostring(0x100000000)'), e('return tostring(0xffffffff)'), e('return -0x10'),
      e('return tostring(0xffffffffffffffffff)'), e('return 0x7fffffffffffffff'), e('return tostring(0x1F + 0xa)'),
      e("return tostring(tonumber('0x1F'))"), e("return tostring(tonumber(' 0x1F '))"), e("return tostring(tonumber('0x'))"),
      e("return tostring(tonumber('0xg'))"), e("return tostring(tonumber('-0x10'))"), e("return '0x10' + 1"),
      e('return 10 * 0x100000000 + 1 % 0x100000000'), e('return math.floor(42949672961 / 0x100000000)'),
      e('return tostring(0/0)'), e('return tostring(5 % 0)'), e('return tostring(math.huge - math.huge)'),
      e('return tostring(2^53 + 1)'), e('return 2^53'), e('return tostring(-2^63)'), e('return tostring(1e15)'), e('return tostring(1e16)'),
      e("redis.call('ZADD', 'z', 10 * 0x100000000 + 7, 'job'); return redis.call('ZSCORE', 'z', 'job')"),
    ],
  });
  assert.equal(d.length, 0, formatDivergences(d));
});
