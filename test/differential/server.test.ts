/**
 * Server and introspection commands compared byte for byte with Redis 7.0:
 * DEBUG DIGEST / DIGEST-VALUE on identical datasets, DEBUG PROTOCOL in RESP2
 * and RESP3, CLIENT SETNAME/GETNAME and the error texts of CLIENT, SLOWLOG,
 * LATENCY, MEMORY and DEBUG subcommands.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';

let pair: Pair;
before(async () => {
  pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair?.stop();
});

const SCRIPTS: Record<string, string[][]> = {
  'DEBUG DIGEST on identical datasets': [
    ['DEBUG', 'DIGEST'], ['SET', 'a', '1'], ['DEBUG', 'DIGEST'], ['SET', 'b', 'hello world'], ['PEXPIREAT', 'b', '99999999999999'],
    ['DEBUG', 'DIGEST'], ['SET', 'bin\x00\xff', '\x00\x01\xfe\xff'], ['APPEND', 'a', 'xyz'], ['SETRANGE', 'r', '5', 'abc'],
    ['DEBUG', 'DIGEST'], ['SELECT', '5'], ['SET', 'a', '1'], ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 'a', 'nokey'],
    ['SELECT', '0'], ['DEBUG', 'DIGEST-VALUE', 'a', 'b', 'bin\x00\xff', 'r'], ['DEBUG', 'DIGEST-VALUE'], ['FLUSHALL'], ['DEBUG', 'DIGEST'],
  ],
  'DEBUG PROTOCOL': ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'FOO'].map(
    (t) => ['DEBUG', 'PROTOCOL', t],
  ),
  'DEBUG errors and misc': [
    ['DEBUG'], ['DEBUG', 'FOO'], ['DEBUG', 'OBJECT'], ['DEBUG', 'OBJECT', 'nokey'], ['DEBUG', 'PROTOCOL'], ['DEBUG', 'HELP'],
    ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', 'abc'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], ['DEBUG', 'ERROR', 'foo bar'],
    ['DEBUG', 'DIGEST', 'x'], ['DEBUG', 'CHANGE-REPL-ID'], ['DEBUG', 'POPULATE', '3'], ['MGET', 'key:0', 'key:2', 'key:3'],
    ['DEBUG', 'POPULATE', '2', 'p', '12'], ['GET', 'p:1'], ['DEBUG', 'POPULATE', '-1'], ['DEBUG', 'DIGEST'],
  ],
  'CLIENT names': [
    ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'x\n'], ['CLIENT', 'SETNAME', '\x01'], ['CLIENT', 'SETNAME'],
    ['CLIENT', 'SETNAME', 'conn-1'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'GETNAME', 'x'],
  ],
  'CLIENT errors': [
    ['CLIENT'], ['CLIENT', 'FOO'], ['CLIENT', 'ID', 'x'], ['CLIENT', 'HELP'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'ID', '99999'],
    ['CLIENT', 'KILL', 'ID', 'abc'], ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'TYPE', 'foo'], ['CLIENT', 'KILL', 'FOO', 'bar'],
    ['CLIENT', 'KILL', 'SKIPME', 'maybe'], ['CLIENT', 'KILL', 'ID', '1', 'TYPE'], ['CLIENT', 'KILL', 'USER', 'nobody'],
    ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1'], ['CLIENT', 'KILL', 'LADDR', '1.1.1.1:1'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'],
    ['CLIENT', 'LIST', 'TYPE', 'foo'], ['CLIENT', 'LIST', 'ID', 'abc'], ['CLIENT', 'LIST', 'ID', '99999'], ['CLIENT', 'LIST', 'FOO'],
    ['CLIENT', 'LIST', 'TYPE'], ['CLIENT', 'LIST', 'TYPE', 'master'], ['CLIENT', 'PAUSE', 'abc'], ['CLIENT', 'PAUSE', '-1'],
    ['CLIENT', 'PAUSE', '10', 'FOO'], ['CLIENT', 'REPLY', 'FOO'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'NO-EVICT', 'on'],
    ['CLIENT', 'NO-EVICT', 'off'], ['CLIENT', 'UNBLOCK', '1'], ['CLIENT', 'UNBLOCK', 'abc'], ['CLIENT', 'UNBLOCK', '1', 'FOO'],
    ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'GETREDIR'], ['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'UNPAUSE'],
  ],
  'SLOWLOG': [
    ['SLOWLOG', 'RESET'], ['SLOWLOG', 'LEN'], ['SLOWLOG', 'GET'], ['SLOWLOG', 'GET', 'abc'], ['SLOWLOG', 'GET', '-5'], ['SLOWLOG', 'GET', '-1'],
    ['SLOWLOG', 'FOO'], ['SLOWLOG'], ['SLOWLOG', 'HELP'], ['SLOWLOG', 'LEN', 'x'],
  ],
  'LATENCY and MEMORY': [
    ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'foo'], ['LATENCY', 'GRAPH', 'foo'], ['LATENCY', 'RESET'], ['LATENCY', 'RESET', 'a', 'b'],
    ['LATENCY', 'DOCTOR'], ['LATENCY', 'HELP'], ['LATENCY', 'HISTOGRAM', 'nosuch'], ['LATENCY', 'FOO'], ['MEMORY', 'PURGE'], ['MEMORY', 'FOO'],
    ['MEMORY', 'HELP'], ['MEMORY', 'DOCTOR'], ['SET', 'k', 'hello world'], ['SET', 'n', '12'], ['SET', 'big', 'x'.repeat(100)],
    ['MEMORY', 'USAGE', 'k'], ['MEMORY', 'USAGE', 'n'], ['MEMORY', 'USAGE', 'big'], ['MEMORY', 'USAGE', 'nokey'], ['MEMORY', 'USAGE', 'k', 'SAMPLES'],
    ['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', '0'], ['MEMORY', 'USAGE', 'k', 'FOO'],
    ['INFO', 'foo'], ['INFO', 'keyspace'], ['INFO', 'cluster'], ['INFO', 'modules'],
  ],
};

test('server commands match Redis 7.0 byte for byte (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS);
  assert.equal(d.length, 0, formatDivergences(d));
});
