/**
 * Routing's key extraction: the compiled fast path for plain index+range key
 * specs and the general path must find the keys COMMAND GETKEYS finds (Redis's
 * key specs), and MIGRATE's keys as its getkeys proc finds them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
// The server module first: commands/index.js on its own meets the sentinel module's import cycle.
import '../../src/server.js';
import { CommandTable } from '../../src/dispatch/command-table.js';
import { ALL_COMMANDS } from '../../src/commands/index.js';
import { getKeysFromCommand } from '../../src/dispatch/key-extraction.js';
import { commandHasKeys, routingKeys } from '../../src/cluster/routing.js';

const table = new CommandTable(ALL_COMMANDS);

const CASES: string[][] = [
  ['GET', 'a'],
  ['SET', 'a', 'b', 'GET'],
  ['MSET', 'a', '1', 'b', '2', 'c', '3'],
  ['MGET', 'a', 'b', 'c'],
  ['DEL', 'a', 'b'],
  ['RENAME', 'a', 'b'],
  ['LMOVE', 'a', 'b', 'LEFT', 'RIGHT'],
  ['BLPOP', 'a', 'b', '0'],
  ['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
  ['ZINTER', '2', 'a', 'b'],
  ['EVAL', 'return 1', '2', 'a', 'b', 'arg'],
  ['EVALSHA', 'abc', '0'],
  ['LMPOP', '2', 'a', 'b', 'LEFT'],
  ['XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', '>'],
  ['GEORADIUS', 'a', '0', '0', '1', 'km', 'STORE', 'd'],
  ['BITOP', 'AND', 'd', 'a', 'b'],
  ['OBJECT', 'ENCODING', 'a'],
  ['MEMORY', 'USAGE', 'a'],
  ['SPUBLISH', 'ch', 'msg'],
  ['PFMERGE', 'd', 'a', 'b'],
];

test('routing finds the keys COMMAND GETKEYS finds', () => {
  let checked = 0;
  for (const argv of CASES) {
    const cmd = table.lookupArgv(argv);
    // Stream commands may not be registered yet in this tree: their keys are checked once they are.
    if (cmd === undefined && argv[0].startsWith('X')) continue;
    assert.ok(cmd, argv[0]);
    checked++;
    const expected = getKeysFromCommand(table, argv);
    assert.ok(Array.isArray(expected), `${argv.join(' ')}: ${String(expected)}`);
    assert.deepEqual(routingKeys(cmd, argv), expected.map((k) => k.key), argv.join(' '));
    assert.ok(commandHasKeys(cmd), argv[0]);
  }
  assert.ok(checked >= CASES.length - 2, 'only the stream commands may be missing');
});

test('SORT routes on its key and its last STORE target, as sortGetKeys finds them', () => {
  // (Reddish's COMMAND GETKEYS does not have sortGetKeys yet, so these are Redis's answers.)
  const cases: Array<[string[], string[]]> = [
    [['SORT', 'a', 'BY', 'w_*', 'STORE', 'd'], ['a', 'd']],
    [['SORT', 'a', 'LIMIT', '0', '1', 'GET', '#', 'STORE', 'x', 'STORE', 'y'], ['a', 'y']],
    [['SORT', 'a', 'BY', 'store'], ['a']],
    [['SORT_RO', 'a', 'BY', 'w_*'], ['a']],
  ];
  for (const [argv, keys] of cases) assert.deepEqual(routingKeys(table.lookupArgv(argv)!, argv), keys, argv.join(' '));
});

test('MIGRATE routes on its key, or on the KEYS list', () => {
  const one = ['MIGRATE', 'h', '1', 'k', '0', '100'];
  const many = ['MIGRATE', 'h', '1', '', '0', '100', 'REPLACE', 'KEYS', 'a', 'b'];
  assert.deepEqual(routingKeys(table.lookupArgv(one)!, one), ['k']);
  assert.deepEqual(routingKeys(table.lookupArgv(many)!, many), ['a', 'b']);
});

test('commands without keys skip routing', () => {
  for (const argv of [['PING'], ['INFO'], ['CLUSTER', 'INFO'], ['MULTI'], ['EXEC'], ['SELECT', '0']]) {
    assert.equal(commandHasKeys(table.lookupArgv(argv)!), false, argv.join(' '));
  }
});
