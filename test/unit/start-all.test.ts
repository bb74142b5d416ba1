import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAll } from '../support/start-all.js';

test('startAll: all started, in order', async () => {
  const stopped: number[] = [];
  assert.deepEqual(await startAll([Promise.resolve(1), Promise.resolve(2)], async (n) => stopped.push(n)), [1, 2]);
  assert.deepEqual(stopped, []);
});

test('startAll: one fails, the others are stopped and its error is thrown', async () => {
  const stopped: number[] = [];
  const slow = new Promise<number>((r) => setTimeout(() => r(3), 20));
  await assert.rejects(startAll([Promise.resolve(1), Promise.reject(new Error('port taken')), slow], async (n) => stopped.push(n)), /port taken/);
  assert.deepEqual(stopped.sort(), [1, 3]);
});
