/**
 * The write path: every write reaches the effect stream as its deterministic
 * effect (DESIGN.md §2). An in-process server, a socketless client, and a
 * clock the test moves; the effects are recorded from the propagator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server.js';
import { Client } from '../../src/net/client.js';
import { processCommand } from '../../src/dispatch/process-command.js';
import { clock } from '../../src/keyspace/clock.js';
import type { Effect } from '../../src/propagate/propagate.js';

function setup() {
  const server = new Server(new Config());
  const c = new Client(server, null, 1);
  const effects: Effect[][] = [];
  server.propagator.subscribe((e) => effects.push(e.map((x) => ({ db: x.db, argv: [...x.argv] }))));
  const run = (...argv: string[]) => {
    processCommand(c, argv);
    return c.reply.take();
  };
  return { server, c, effects, run };
}

test('SET is propagated as typed; a read is not propagated', () => {
  const { effects, run } = setup();
  assert.equal(run('SET', 'k', 'v'), '+OK\r\n');
  run('GET', 'k');
  assert.deepEqual(effects, [[{ db: 0, argv: ['SET', 'k', 'v'] }]]);
});

test('a write that changes nothing is not propagated (SETNX on an existing key)', () => {
  const { effects, run } = setup();
  run('SET', 'k', 'v');
  assert.equal(run('SETNX', 'k', 'x'), ':0\r\n');
  assert.equal(effects.length, 1);
});

test('EXPIRE becomes PEXPIREAT with an absolute time; SET EX becomes SET PXAT', () => {
  const saved = clock.now;
  clock.now = () => 1_000_000;
  try {
    const { effects, run } = setup();
    run('SET', 'k', 'v');
    run('EXPIRE', 'k', '10');
    run('SET', 'j', 'v', 'EX', '5');
    assert.deepEqual(effects.slice(1).map((e) => e[0].argv), [
      ['PEXPIREAT', 'k', '1010000'],
      ['SET', 'j', 'v', 'PXAT', '1005000'],
    ]);
  } finally {
    clock.now = saved;
  }
});

test('EXPIRE in the past deletes the key and is propagated as DEL', () => {
  const { effects, run } = setup();
  run('SET', 'k', 'v');
  assert.equal(run('EXPIRE', 'k', '-1'), ':1\r\n');
  assert.deepEqual(effects[1], [{ db: 0, argv: ['DEL', 'k'] }]);
});

test('a lazily expired key is propagated as DEL before the command that found it', () => {
  const saved = clock.now;
  let now = 1_000_000;
  clock.now = () => now;
  try {
    const { effects, run } = setup();
    run('SET', 'k', 'v', 'PX', '100');
    now += 1000;
    assert.equal(run('GET', 'k'), '$-1\r\n');
    assert.deepEqual(effects[1], [{ db: 0, argv: ['DEL', 'k'] }]);
    run('SET', 'j', 'v', 'PX', '100');
    now += 1000;
    run('SET', 'j', 'w', 'NX');
    // The expiry and the SET that followed it travel together, atomically.
    assert.deepEqual(effects[3].map((e) => e.argv), [['MULTI'], ['DEL', 'j'], ['SET', 'j', 'w', 'NX'], ['EXEC']]);
  } finally {
    clock.now = saved;
  }
});

test('GETDEL is propagated as DEL, GETSET as SET, GETEX PERSIST as PERSIST', () => {
  const { effects, run } = setup();
  run('SET', 'k', 'v');
  run('GETSET', 'k', 'w');
  run('GETDEL', 'k');
  run('SET', 'k', 'v', 'PXAT', '99999999999999');
  run('GETEX', 'k', 'PERSIST');
  assert.deepEqual(effects.slice(1).map((e) => e[0].argv), [
    ['SET', 'k', 'w'],
    ['DEL', 'k'],
    ['SET', 'k', 'v', 'PXAT', '99999999999999'],
    ['PERSIST', 'k'],
  ]);
});

test('MULTI/EXEC propagates its writes wrapped in MULTI/EXEC, with SELECTed db', () => {
  const { effects, run } = setup();
  run('MULTI');
  run('SET', 'a', '1');
  run('SELECT', '3');
  run('INCR', 'b');
  run('GET', 'a');
  run('EXEC');
  assert.deepEqual(effects, [[
    { db: 0, argv: ['MULTI'] },
    { db: 0, argv: ['SET', 'a', '1'] },
    { db: 3, argv: ['INCR', 'b'] },
    { db: 3, argv: ['EXEC'] },
  ]]);
});

test('active expiry deletes expired keys in the background and propagates DEL', () => {
  const saved = clock.now;
  let now = 1_000_000;
  clock.now = () => now;
  try {
    const { server, effects, run } = setup();
    for (let i = 0; i < 50; i++) run('SET', `k${i}`, 'v', 'PX', '10');
    run('SET', 'keep', 'v');
    effects.length = 0;
    now += 100;
    server.cron.activeExpireCycle();
    assert.equal(server.ks.dbs[0].size, 1);
    assert.equal(effects.length, 50);
    assert.deepEqual(effects[0][0].argv[0], 'DEL');
    assert.equal(server.ks.stats.expiredKeys, 50);
  } finally {
    clock.now = saved;
  }
});

test('PFCOUNT refreshing its cached cardinality is propagated, as any command that changed data; a plain read is not', () => {
  const { effects, run } = setup();
  run('PFADD', 'h', 'a', 'b', 'c');
  assert.equal(run('PFCOUNT', 'h'), ':3\r\n');
  assert.equal(run('PFCOUNT', 'h'), ':3\r\n');
  assert.deepEqual(effects.map((e) => e[0].argv), [['PFADD', 'h', 'a', 'b', 'c'], ['PFCOUNT', 'h']]);
});
