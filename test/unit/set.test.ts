/**
 * The set value type on its own: encodings and conversions, ordering, removal,
 * random picks, SSCAN cursors and dup().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SetValue } from '../../src/datatypes/set.js';
import { setElements, setMemoryUsage } from '../../src/commands/sets.js';

test('integers make an intset kept in ascending order', () => {
  const s = SetValue.forMember('5');
  assert.equal(s.encoding(), 'intset');
  for (const m of ['5', '-3', '100', '9223372036854775807', '-9223372036854775808', '0', '5']) s.add(m, 512);
  assert.equal(s.size, 6);
  assert.deepEqual(s.members(), ['-9223372036854775808', '-3', '0', '5', '100', '9223372036854775807']);
  assert.ok(s.has('100') && s.has('9223372036854775807') && !s.has('01') && !s.has('1.0') && !s.has('x'));
  assert.equal(s.remove('01'), false);
  assert.equal(s.remove('0'), true);
  assert.equal(s.remove('0'), false);
  assert.deepEqual(setElements(s), ['-9223372036854775808', '-3', '5', '100', '9223372036854775807']);
});

test('a non-integer or too many entries converts to a hashtable, never back', () => {
  const s = SetValue.intset();
  s.add('1', 3);
  s.add('2', 3);
  s.add('3', 3);
  assert.equal(s.encoding(), 'intset');
  s.add('4', 3);
  assert.equal(s.encoding(), 'hashtable');
  s.remove('4');
  s.remove('3');
  assert.equal(s.encoding(), 'hashtable');
  assert.ok(s.has('1') && !s.has('4'));
  const t = SetValue.from(['1', 'x', '2'], 512);
  assert.equal(t.encoding(), 'hashtable');
  assert.deepEqual(t.members().sort(), ['1', '2', 'x']);
  assert.equal(SetValue.forMember('x').encoding(), 'hashtable');
  assert.equal(SetValue.forMember('01').encoding(), 'hashtable');
  const z = SetValue.forMember('1');
  z.add('1', 0);
  assert.equal(z.encoding(), 'hashtable');
});

test('hashtable removal keeps every other member reachable', () => {
  const s = SetValue.hashtable();
  for (let i = 0; i < 100; i++) s.add(`m${i}`, 512);
  for (let i = 0; i < 100; i += 2) assert.ok(s.remove(`m${i}`));
  assert.equal(s.size, 50);
  for (let i = 0; i < 100; i++) assert.equal(s.has(`m${i}`), i % 2 === 1);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(s.random());
  assert.equal(seen.size, 50);
});

test('SSCAN cursor visits every member present throughout, and ends', () => {
  const s = SetValue.hashtable();
  for (let i = 0; i < 200; i++) s.add(`m${i}`, 512);
  const seen = new Set<string>();
  let cursor = 0n;
  let steps = 0;
  do {
    const r = s.scan(cursor, 9);
    for (const m of r.members) seen.add(m);
    cursor = r.next;
    // churn
    s.remove(`m${steps}`);
    s.add(`n${steps}`, 512);
    steps++;
  } while (cursor !== 0n && steps < 10000);
  assert.equal(cursor, 0n);
  for (let i = steps; i < 200; i++) assert.ok(seen.has(`m${i}`), `m${i}`);
  const i = SetValue.from(['3', '1', '2'], 512);
  assert.deepEqual(i.scan(5n, 1), { next: 0n, members: ['1', '2', '3'] });
  assert.deepEqual(SetValue.hashtable().scan(0n, 10), { next: 0n, members: [] });
});

test('dup shares nothing and keeps the encoding', () => {
  const a = SetValue.from(['1', '2'], 512);
  const b = a.dup();
  b.add('3', 512);
  assert.equal(a.size, 2);
  assert.equal(b.encoding(), 'intset');
  const h = SetValue.from(['x', 'y'], 512);
  const h2 = h.dup();
  h2.remove('x');
  assert.ok(h.has('x') && !h2.has('x'));
  assert.equal(h2.encoding(), 'hashtable');
});

test('memory usage grows with the intset width', () => {
  const a = SetValue.from(['1', '2', '3', '4'], 512);
  const b = SetValue.from(['1', '2', '3', '4000000000'], 512);
  assert.ok(setMemoryUsage(b, 5) > setMemoryUsage(a, 5));
  assert.equal(setMemoryUsage(a, 5), 16 + 16);
});

// ---- propagation, through an in-process server -------------------------------------

import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server.js';
import { Client } from '../../src/net/client.js';
import { processCommand } from '../../src/dispatch/process-command.js';
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
  return { effects, run };
}

test('SPOP propagates SREMs (in MULTI/EXEC for a count), or DEL when it empties the set', () => {
  const { effects, run } = setup();
  run('SADD', 's', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10');
  effects.length = 0;
  run('SPOP', 's');
  assert.equal(effects.length, 1);
  assert.equal(effects[0][0].argv[0], 'SREM');
  effects.length = 0;
  run('SPOP', 's', '2'); // case 2: random pops
  assert.deepEqual(effects[0].map((e) => e.argv[0]), ['MULTI', 'SREM', 'SREM', 'EXEC']);
  effects.length = 0;
  run('SPOP', 's', '6'); // case 3: keeps 1 in a new set
  assert.deepEqual(effects[0].map((e) => e.argv[0]), ['MULTI', 'SREM', 'SREM', 'SREM', 'SREM', 'SREM', 'SREM', 'EXEC']);
  assert.equal(run('SCARD', 's'), ':1\r\n');
  effects.length = 0;
  run('SPOP', 's', '5');
  assert.deepEqual(effects, [[{ db: 0, argv: ['DEL', 's'] }]]);
  effects.length = 0;
  run('SPOP', 's', '5');
  run('SREM', 'nope', 'x');
  run('SINTERSTORE', 'd', 'nope');
  assert.deepEqual(effects, []);
});
