/**
 * BZPOPMIN, BZPOPMAX and BZMPOP on one connection against Redis 7.0: served
 * at once, timing out (short timeouts), errors, and inside MULTI.
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
  'served at once': [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['BZPOPMIN', 'nokey', 'z', '0'], ['BZPOPMAX', 'z', '0'], ['BZPOPMIN', 'z', 'z', '1'],
    ['ZADD', 'y', '-inf', 'lo', '+inf', 'hi', '1.5', 'mid'], ['BZMPOP', '0', '2', 'none', 'y', 'MIN', 'COUNT', '2'], ['BZMPOP', '0', '1', 'y', 'MAX', 'COUNT', '10'],
    ['EXISTS', 'y'], ['ZADD', 'w', '1', 'x'], ['BZMPOP', '0.5', '1', 'w', 'MAX'],
  ],
  'timeouts and errors': [
    ['BZPOPMIN', 'e', '0.01'], ['BZPOPMAX', 'e', '0.01'], ['BZMPOP', '0.01', '1', 'e', 'MIN'], ['BZPOPMIN', 'e', '-1'], ['BZPOPMIN', 'e', 'x'],
    ['SET', 's', 'v'], ['BZPOPMIN', 's', '0'], ['BZMPOP', '0', '1', 's', 'MIN'], ['BZMPOP', '0', '0', 'z', 'MIN'], ['BZMPOP', '0', '1', 'z', 'FOO'],
    ['BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '0'], ['BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '1', 'COUNT', '2'], ['BZMPOP', 'x', '1', 'z', 'MIN'],
    ['BZMPOP', '0', '2', 'z'], ['BZPOPMIN', 'z'],
  ],
  'inside MULTI they do not block': [
    ['MULTI'], ['BZPOPMIN', 'e', '0'], ['BZMPOP', '0', '1', 'e', 'MAX'], ['ZADD', 'e', '1', 'm'], ['BZPOPMAX', 'e', '0'], ['EXEC'],
  ],
};

test('blocking sorted-set pops match Redis 7.0 (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS);
  assert.equal(d.length, 0, formatDivergences(d));
});
