/**
 * String commands, edge cases, compared byte for byte with Redis 7.0.
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
  'SET and GET basics': [
    ['SET', 'k', 'v'], ['GET', 'k'], ['GET', 'missing'], ['SET', 'k', ''], ['GET', 'k'], ['SET', '', 'empty key'], ['GET', ''],
    ['SET', 'bin\x00\xff\r\n', '\x00\x01\xfe\xff'], ['GET', 'bin\x00\xff\r\n'], ['STRLEN', 'bin\x00\xff\r\n'],
  ],
  'SET options': [
    ['SET', 'k', 'v', 'NX'], ['SET', 'k', 'v2', 'NX'], ['SET', 'k', 'v3', 'XX'], ['GET', 'k'], ['SET', 'n', 'v', 'XX'],
    ['SET', 'k', 'v4', 'GET'], ['SET', 'nokey', 'v', 'GET'], ['SET', 'k', 'v', 'NX', 'XX'], ['SET', 'k', 'v', 'EX', '10', 'PX', '100'],
    ['SET', 'k', 'v', 'EX', '0'], ['SET', 'k', 'v', 'EX', '-1'], ['SET', 'k', 'v', 'EX', 'abc'], ['SET', 'k', 'v', 'PX', '9223372036854775807'],
    ['SET', 'k', 'v', 'EX', '9223372036854775807'], ['SET', 'k', 'v', 'KEEPTTL', 'EX', '1'], ['SET', 'k', 'v', 'EX'], ['SET', 'k', 'v', 'FOO'],
    ['SET', 'k', 'v', 'ex', '100'], ['TTL', 'k'], ['SET', 'k', 'v2', 'KEEPTTL'], ['TTL', 'k'], ['SET', 'k', 'v3'], ['TTL', 'k'],
    ['SET', 'k', 'v', 'NX', 'GET'], ['SET', 'k', 'v', 'XX', 'GET'], ['SET', 'k', 'v', 'EXAT', '1'], ['GET', 'k'], ['SET', 'k', 'v', 'PXAT', '99999999999999'], ['TTL', 'k'],
    ['SET', 'k', 'v', 'GET', 'GET'], ['SET'], ['SET', 'k'],
  ],
  'SETNX SETEX PSETEX GETSET GETDEL GETEX': [
    ['SETNX', 'a', '1'], ['SETNX', 'a', '2'], ['GET', 'a'], ['SETEX', 'b', '100', 'x'], ['TTL', 'b'], ['SETEX', 'b', '0', 'x'], ['SETEX', 'b', 'x', 'x'],
    ['PSETEX', 'c', '100000', 'y'], ['TTL', 'c'], ['PSETEX', 'c', '-5', 'y'], ['GETSET', 'a', '3'], ['GETSET', 'z', '1'], ['TTL', 'b'],
    ['GETSET', 'b', 'new'], ['TTL', 'b'], ['GETDEL', 'a'], ['GETDEL', 'a'], ['EXISTS', 'a'], ['GETEX', 'b', 'EX', '50'], ['TTL', 'b'],
    ['GETEX', 'b', 'PERSIST'], ['TTL', 'b'], ['GETEX', 'b', 'PX', '0'], ['GETEX', 'b', 'FOO'], ['GETEX', 'nokey', 'EX', '1'], ['GETEX', 'b', 'EX', '1', 'PERSIST'],
    ['GETEX', 'b', 'EXAT', '1'], ['EXISTS', 'b'],
  ],
  'MGET MSET MSETNX': [
    ['MSET', 'a', '1', 'b', '2'], ['MGET', 'a', 'b', 'c'], ['MSET', 'a'], ['MSET', 'a', '1', 'b'], ['MSETNX', 'a', '5', 'd', '6'], ['MSETNX', 'd', '6', 'e', '7'],
    ['MGET', 'd', 'e'], ['MSETNX', 'x'],
  ],
  'INCR family': [
    ['INCR', 'n'], ['INCRBY', 'n', '10'], ['DECR', 'n'], ['DECRBY', 'n', '5'], ['INCRBY', 'n', '-100'], ['SET', 'n', '9223372036854775806'], ['INCR', 'n'], ['INCR', 'n'],
    ['SET', 'n', '-9223372036854775808'], ['DECR', 'n'], ['SET', 'n', ' 1'], ['INCR', 'n'], ['SET', 'n', '01'], ['INCR', 'n'], ['SET', 'n', '1.5'], ['INCR', 'n'],
    ['SET', 'n', '+1'], ['INCR', 'n'], ['SET', 'n', '-0'], ['INCR', 'n'], ['SET', 'n', '0'], ['INCRBY', 'n', 'abc'], ['INCRBY', 'n', '9223372036854775808'],
    ['DECRBY', 'n', '-9223372036854775808'], ['INCRBY', 'n', '-9223372036854775808'], ['GET', 'n'], ['SET', 'big', '12345678901234567'], ['INCR', 'big'],
    ['SET', 'e', ''], ['INCR', 'e'],
  ],
  'APPEND STRLEN GETRANGE SETRANGE': [
    ['APPEND', 's', 'hello'], ['APPEND', 's', ' world'], ['GET', 's'], ['STRLEN', 's'], ['STRLEN', 'nope'], ['GETRANGE', 's', '0', '4'], ['GETRANGE', 's', '-5', '-1'],
    ['GETRANGE', 's', '5', '2'], ['GETRANGE', 's', '-1', '-5'], ['GETRANGE', 's', '0', '100'], ['GETRANGE', 's', '-100', '2'], ['GETRANGE', 'nope', '0', '1'],
    ['SUBSTR', 's', '1', '3'], ['GETRANGE', 's', 'a', '1'], ['SETRANGE', 's', '6', 'WORLD'], ['GET', 's'], ['SETRANGE', 's', '20', 'x'], ['GET', 's'],
    ['SETRANGE', 'new', '3', 'abc'], ['GET', 'new'], ['SETRANGE', 'new2', '0', ''], ['EXISTS', 'new2'], ['SETRANGE', 's', '-1', 'x'], ['SETRANGE', 's', '1', ''],
    ['SETRANGE', 's', '536870912', 'x'], ['APPEND', 'n', '1'], ['INCR', 'n'], ['APPEND', 'n', '2'], ['GET', 'n'], ['INCR', 'n'],
  ],
};

test('string commands match Redis 7.0 byte for byte (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS);
  assert.equal(d.length, 0, formatDivergences(d));
});
