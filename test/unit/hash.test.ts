/**
 * The hash structure (datatypes/hash.ts): encodings, order, conversion,
 * copying, scanning and random picks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisHash } from '../../src/datatypes/hash.js';

const LIM = { maxEntries: 4, maxValue: 8 };

test('a new hash is a listpack; set reports new fields; updates keep position', () => {
  const h = new RedisHash();
  assert.equal(h.kind, 'hash');
  assert.equal(h.encoding(), 'listpack');
  assert.equal(h.set('a', '1', LIM), true);
  assert.equal(h.set('b', '2', LIM), true);
  assert.equal(h.set('a', '3', LIM), false);
  assert.deepEqual([...h.map], [['a', '3'], ['b', '2']]);
  assert.equal(h.delete('a'), true);
  assert.equal(h.delete('a'), false);
  h.set('a', '4', LIM);
  assert.deepEqual([...h.map.keys()], ['b', 'a']);
  assert.equal(h.size, 2);
  assert.equal(h.get('a'), '4');
  assert.equal(h.get('zz'), undefined);
  assert.equal(h.has('b'), true);
});

test('conversion: entry count, long field or value, tryConversion; one way', () => {
  const h = new RedisHash();
  for (const f of ['a', 'b', 'c', 'd']) h.set(f, 'v', LIM);
  assert.equal(h.encoding(), 'listpack');
  h.set('e', 'v', LIM);
  assert.equal(h.encoding(), 'hashtable');
  for (const f of ['a', 'b', 'c', 'd']) h.delete(f);
  assert.equal(h.encoding(), 'hashtable');

  const v = new RedisHash();
  v.set('f', '12345678', LIM);
  assert.equal(v.encoding(), 'listpack');
  v.set('f', '123456789', LIM);
  assert.equal(v.encoding(), 'hashtable');

  const f = new RedisHash();
  f.set('123456789', 'v', LIM);
  assert.equal(f.encoding(), 'hashtable');

  const t = new RedisHash();
  t.tryConversion(['x', 'short', 'waytoolongvalue'], 1, 1, LIM);
  assert.equal(t.encoding(), 'listpack');
  t.tryConversion(['x', 'short', 'waytoolongvalue'], 1, 2, LIM);
  assert.equal(t.encoding(), 'hashtable');
});

test('dup is deep and keeps encoding and order', () => {
  const h = new RedisHash();
  h.set('x', '1', LIM);
  h.set('y', '2', LIM);
  const d = h.dup();
  d.set('z', '3', LIM);
  assert.equal(h.size, 2);
  assert.deepEqual([...d.map.keys()], ['x', 'y', 'z']);
  for (const k of ['a', 'b', 'c']) h.set(k, 'v', LIM);
  assert.equal(h.encoding(), 'hashtable');
  assert.equal(h.dup().encoding(), 'hashtable');
});

test('scan: listpack whole with cursor 0; hashtable iterates to the end, fields present throughout seen once', () => {
  const lp = new RedisHash();
  lp.set('a', '1', LIM);
  lp.set('b', '2', LIM);
  assert.deepEqual(lp.scan(0, 1), { next: 0, fields: ['a', 'b'] });

  const big = { maxEntries: 8, maxValue: 64 };
  const h = new RedisHash();
  for (let i = 0; i < 1000; i++) h.set(`f${i}`, 'v', big);
  assert.equal(h.encoding(), 'hashtable');
  const seen = new Map<string, number>();
  let cursor = 0;
  let calls = 0;
  do {
    const s = h.scan(cursor, 10);
    for (const f of s.fields) seen.set(f, (seen.get(f) ?? 0) + 1);
    cursor = s.next;
    // churn: delete and re-add some, add new
    h.delete(`f${calls * 3 + 1}`);
    h.set(`new${calls}`, 'v', big);
    calls++;
    assert.ok(calls < 10000);
  } while (cursor !== 0);
  for (let i = 0; i < 1000; i++) {
    if (i % 3 === 1 && (i - 1) / 3 < calls) continue;
    assert.equal(seen.get(`f${i}`), 1, `f${i}`);
  }
});

test('random picks: fields of the hash; unique picks are distinct, listpack ones in order', () => {
  const h = new RedisHash();
  assert.equal(h.randomField(), undefined);
  const lim = { maxEntries: 100, maxValue: 64 };
  for (let i = 0; i < 50; i++) h.set(`f${i}`, String(i), lim);
  for (let i = 0; i < 200; i++) assert.ok(h.has(h.randomField()!));
  for (let n = 1; n < 50; n += 7) {
    const u = h.randomUniqueFields(n);
    assert.equal(u.length, n);
    assert.equal(new Set(u).size, n);
    const idx = u.map((f) => Number(f.slice(1)));
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
  }
  h.convert();
  for (const n of [1, 5, 20, 40, 49]) {
    const u = h.randomUniqueFields(n);
    assert.equal(new Set(u).size, n);
    for (const f of u) assert.ok(h.has(f));
  }
  for (let i = 0; i < 45; i++) h.delete(`f${i}`);
  for (let i = 0; i < 100; i++) assert.ok(h.has(h.randomField()!));
});

// ---- in-process: propagation, dirty counter, keyspace events -----------------

import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server.js';
import { Client } from '../../src/net/client.js';
import { processCommand } from '../../src/dispatch/process-command.js';
import type { Effect } from '../../src/propagate/propagate.js';

function setup() {
  const server = new Server(new Config());
  const c = new Client(server, null, 1);
  const effects: string[][] = [];
  server.propagator.subscribe((e: readonly Effect[]) => {
    for (const x of e) effects.push([...x.argv]);
  });
  const events: string[] = [];
  // 'new' and 'keymiss' are classes of their own (n, m flags), not the command's events.
  server.ks.onEvent = (type, event, key) => {
    if (type !== 'new' && type !== 'keymiss') events.push(`${type}:${event}:${key}`);
  };
  const run = (...argv: string[]) => {
    processCommand(c, argv);
    return c.reply.take();
  };
  return { server, effects, events, run };
}

test('HINCRBYFLOAT is propagated as HSET with the result; other writes as typed', () => {
  const { effects, run } = setup();
  assert.equal(run('HINCRBYFLOAT', 'h', 'f', '10.5'), '$4\r\n10.5\r\n');
  assert.equal(run('HINCRBYFLOAT', 'h', 'f', '0.1'), '$4\r\n10.6\r\n');
  run('HSET', 'h', 'a', '1');
  run('HINCRBY', 'h', 'a', '2');
  run('HGET', 'h', 'a');
  run('HINCRBYFLOAT', 'h', 'a', 'x');
  run('HDEL', 'h', 'zz');
  assert.deepEqual(effects, [
    ['HSET', 'h', 'f', '10.5'],
    ['HSET', 'h', 'f', '10.6'],
    ['HSET', 'h', 'a', '1'],
    ['HINCRBY', 'h', 'a', '2'],
  ]);
});

test('dirty grows by fields written or deleted, as server.dirty does', () => {
  const { server, run } = setup();
  const d0 = server.ks.dirty;
  run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
  assert.equal(server.ks.dirty - d0, 3);
  run('HSET', 'h', 'a', '1');
  assert.equal(server.ks.dirty - d0, 4);
  run('HSETNX', 'h', 'a', '1');
  assert.equal(server.ks.dirty - d0, 4);
  run('HDEL', 'h', 'a', 'b', 'zz');
  assert.equal(server.ks.dirty - d0, 6);
  run('HDEL', 'h', 'c');
  assert.equal(server.ks.dirty - d0, 7);
  assert.equal(run('EXISTS', 'h'), ':0\r\n');
});

test('keyspace events: hset, hdel (+ del when emptied), hincrby, hincrbyfloat', () => {
  const { events, run } = setup();
  run('HSET', 'h', 'a', '1');
  run('HMSET', 'h', 'b', '2');
  run('HSETNX', 'h', 'c', '3');
  run('HSETNX', 'h', 'c', '3');
  run('HINCRBY', 'h', 'a', '1');
  run('HINCRBYFLOAT', 'h', 'a', '1.5');
  run('HDEL', 'h', 'a', 'nope');
  run('HDEL', 'h', 'nope');
  run('HDEL', 'h', 'b', 'c');
  assert.deepEqual(events, [
    'hash:hset:h', 'hash:hset:h', 'hash:hset:h', 'hash:hincrby:h', 'hash:hincrbyfloat:h', 'hash:hdel:h', 'hash:hdel:h', 'generic:del:h',
  ]);
});
