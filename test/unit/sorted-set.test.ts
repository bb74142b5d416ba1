/**
 * Property tests of the sorted-set skiplist and value against a naive model:
 * a sorted array of (score, member). Random inserts, score updates, deletes
 * and range deletions; after each step the structure's invariants (links,
 * spans, backward pointers, order) are checked, and ranks, rank lookups and
 * score/lex ranges compared with the model. Then, in-process, the commands'
 * propagation and keyspace events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Skiplist, type LexRange, type ScoreRange, lexGteMin, lexLteMax, valueGteMin, valueLteMax } from '../../src/datatypes/skiplist.js';
import { SortedSet, ZADD_IN_GT, ZADD_IN_INCR, ZADD_IN_LT, ZADD_IN_NX, ZADD_IN_XX, ZADD_OUT_ADDED, ZADD_OUT_NAN, ZADD_OUT_NOP, ZADD_OUT_UPDATED } from '../../src/datatypes/sorted-set.js';
import { Rng } from '../differential/generator.js';
import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server.js';
import { Client } from '../../src/net/client.js';
import { processCommand } from '../../src/dispatch/process-command.js';
import type { Effect } from '../../src/propagate/propagate.js';
import { SORT_TYPES } from '../../src/commands/sort.js';
import { setElements } from '../../src/commands/sets.js';

type Pair = [number, string];

function cmp(a: Pair, b: Pair): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

class Model {
  items: Pair[] = [];
  has(m: string): Pair | undefined {
    return this.items.find((p) => p[1] === m);
  }
  insert(s: number, m: string): void {
    this.items.push([s, m]);
    this.items.sort(cmp);
  }
  remove(m: string): void {
    this.items = this.items.filter((p) => p[1] !== m);
  }
}

function listOf(z: Skiplist): Pair[] {
  const out: Pair[] = [];
  for (let n = z.first; n !== null; n = n.next[0]) out.push([n.score, n.member]);
  return out;
}

function member(r: Rng): string {
  return r.weighted<() => string>([
    [() => String.fromCharCode(97 + r.int(20)), 4],
    [() => 'm' + r.int(200), 4],
    [() => String.fromCharCode(...Array.from({ length: r.range(0, 4) }, () => r.int(256))), 1],
  ])();
}

function score(r: Rng): number {
  return r.weighted<() => number>([
    [() => r.int(10), 6], // many ties
    [() => r.next() * 100 - 50, 3],
    [() => r.pick([Infinity, -Infinity, 0, -0, 1e300, -1e-300]), 1],
  ])();
}

function scoreRange(r: Rng): ScoreRange {
  const a = score(r);
  const b = r.chance(0.2) ? a : score(r);
  return { min: Math.min(a, b), max: r.chance(0.1) ? Math.min(a, b) - 1 : Math.max(a, b), minex: r.chance(0.3), maxex: r.chance(0.3) };
}

function lexBound(r: Rng) {
  const k = r.int(10);
  if (k === 0) return { inf: -1 as const, s: '' };
  if (k === 1) return { inf: 1 as const, s: '' };
  return { inf: 0 as const, s: member(r) };
}

function lexRange(r: Rng): LexRange {
  return { min: lexBound(r), max: lexBound(r), minex: r.chance(0.4), maxex: r.chance(0.4) };
}

function checkAgainst(z: Skiplist, model: Model, r: Rng): void {
  z.check();
  assert.deepEqual(listOf(z), model.items);
  const len = model.items.length;
  assert.equal(z.length, len);
  for (let k = 0; k < 5 && len > 0; k++) {
    const i = r.int(len);
    const [s, m] = model.items[i];
    assert.equal(z.getRank(s, m), i + 1, 'rank');
    const n = z.getByRank(i + 1)!;
    assert.equal(n.member, m, 'byRank');
  }
  assert.equal(z.getByRank(len + 1), null);
  assert.equal(z.getRank(12345.5, 'nope'), 0);
  const sr = scoreRange(r);
  const inRange = model.items.filter((p) => valueGteMin(p[0], sr) && valueLteMax(p[0], sr));
  const first = z.firstInRange(sr);
  const last = z.lastInRange(sr);
  assert.equal(first?.member, inRange[0]?.[1], `first in ${JSON.stringify(sr)}`);
  assert.equal(last?.member, inRange[inRange.length - 1]?.[1], `last in ${JSON.stringify(sr)}`);
}

test('skiplist matches a sorted-array model under random inserts, updates and deletes', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const r = new Rng(seed);
    const z = new Skiplist();
    z.random = () => r.next();
    const model = new Model();
    for (let step = 0; step < 400; step++) {
      const op = r.int(10);
      const m = member(r);
      const cur = model.has(m);
      if (op < 5) {
        if (cur === undefined) {
          const s = score(r);
          z.insert(s, m);
          model.insert(s, m);
        } else {
          const s = score(r);
          const n = z.updateScore(cur[0], m, s);
          assert.equal(n.score, s);
          model.remove(m);
          model.insert(s, m);
        }
      } else if (op < 8) {
        if (cur !== undefined) {
          if (cur[0] + 0.5 !== cur[0]) assert.equal(z.delete(cur[0] + 0.5, m), null, 'wrong score deletes nothing');
          assert.equal(z.delete(cur[0], m)?.member, m);
          model.remove(m);
        } else {
          assert.equal(z.delete(score(r), m), null);
        }
      } else if (op === 8) {
        const sr = scoreRange(r);
        const gone: string[] = [];
        const n = z.deleteRangeByScore(sr, (x) => gone.push(x.member));
        const expect = model.items.filter((p) => valueGteMin(p[0], sr) && valueLteMax(p[0], sr)).map((p) => p[1]);
        assert.deepEqual(gone, expect);
        assert.equal(n, expect.length);
        for (const g of gone) model.remove(g);
      } else {
        const len = model.items.length;
        if (len > 0) {
          const a = r.range(1, len);
          const b = r.range(a, Math.min(len, a + r.int(5)));
          const gone: string[] = [];
          z.deleteRangeByRank(a, b, (x) => gone.push(x.member));
          assert.deepEqual(gone, model.items.slice(a - 1, b).map((p) => p[1]));
          for (const g of gone) model.remove(g);
        }
      }
      checkAgainst(z, model, r);
    }
  }
});

test('lex ranges over equal scores match the model (skiplist descent and linear walk)', () => {
  for (let seed = 100; seed < 130; seed++) {
    const r = new Rng(seed);
    const z = new Skiplist();
    z.random = () => r.next();
    const model = new Model();
    for (let i = 0; i < 150; i++) {
      const m = member(r);
      if (model.has(m)) continue;
      z.insert(0, m);
      model.insert(0, m);
    }
    for (let k = 0; k < 60; k++) {
      const lr = lexRange(r);
      const inRange = model.items.filter((p) => lexGteMin(p[1], lr) && lexLteMax(p[1], lr));
      assert.equal(z.firstInLexRange(lr)?.member, inRange[0]?.[1]);
      assert.equal(z.lastInLexRange(lr)?.member, inRange[inRange.length - 1]?.[1]);
      assert.equal(z.firstInLexRangeLinear(lr)?.member, inRange[0]?.[1]);
      assert.equal(z.lastInLexRangeLinear(lr)?.member, inRange[inRange.length - 1]?.[1]);
    }
    const lr = lexRange(r);
    const gone: string[] = [];
    const useLinear = r.chance(0.5);
    if (useLinear) z.deleteRangeByLexLinear(lr, (x) => gone.push(x.member));
    else z.deleteRangeByLex(lr, (x) => gone.push(x.member));
    assert.deepEqual(gone, model.items.filter((p) => lexGteMin(p[1], lr) && lexLteMax(p[1], lr)).map((p) => p[1]));
    for (const g of gone) model.remove(g);
    z.check();
    assert.deepEqual(listOf(z), model.items);
  }
});

test('SortedSet.add follows zsetAdd: flags, NaN, conversion limits, -0 in a listpack', () => {
  const limits = { entries: 3, value: 5 };
  const z = new SortedSet(true);
  assert.equal(z.add(1, 'a', 0, limits), ZADD_OUT_ADDED);
  assert.equal(z.add(1, 'a', 0, limits), 0);
  assert.equal(z.add(2, 'a', ZADD_IN_NX, limits), ZADD_OUT_NOP);
  assert.equal(z.add(2, 'b', ZADD_IN_XX, limits), ZADD_OUT_NOP);
  assert.equal(z.add(0, 'a', ZADD_IN_GT, limits), ZADD_OUT_NOP);
  assert.equal(z.add(5, 'a', ZADD_IN_GT, limits), ZADD_OUT_UPDATED);
  assert.equal(z.add(6, 'a', ZADD_IN_LT, limits), ZADD_OUT_NOP);
  assert.equal(z.add(Infinity, 'a', ZADD_IN_INCR, limits), ZADD_OUT_UPDATED);
  assert.equal(z.add(-Infinity, 'a', ZADD_IN_INCR, limits), ZADD_OUT_NAN);
  assert.equal(z.add(NaN, 'q', 0, limits), ZADD_OUT_NAN);
  assert.equal(z.add(-0, 'z', 0, limits), ZADD_OUT_ADDED);
  assert.ok(Object.is(z.score('z'), 0), 'a listpack keeps -0 as 0');
  assert.equal(z.encoding(), 'listpack');
  z.add(1, 'toolong', 0, limits);
  assert.equal(z.encoding(), 'skiplist');
  z.add(-0, 'y', 0, limits);
  assert.ok(Object.is(z.score('y'), -0), 'a skiplist keeps -0');
  const w = new SortedSet(true);
  for (const m of ['a', 'b', 'c']) w.add(1, m, 0, limits);
  assert.equal(w.encoding(), 'listpack');
  w.add(1, 'd', 0, limits);
  assert.equal(w.encoding(), 'skiplist');
  w.delete('d');
  w.delete('c');
  assert.equal(w.encoding(), 'skiplist', 'conversion is one-way');
  const d = w.dup();
  assert.equal(d.encoding(), 'skiplist');
  assert.deepEqual(d.members(), w.members());
  d.add(9, 'new', 0, limits);
  assert.equal(w.score('new'), undefined, 'dup shares nothing');
});

test('ranks, counts and the ZSCAN log of a SortedSet agree with the model', () => {
  const r = new Rng(7);
  const limits = { entries: 1000, value: 64 };
  for (const listpack of [true, false]) {
    const z = new SortedSet(listpack);
    const model = new Model();
    for (let i = 0; i < 300; i++) {
      const m = member(r);
      const s = r.int(20);
      const cur = model.has(m);
      if (r.chance(0.2) && cur) {
        z.delete(m);
        model.remove(m);
        continue;
      }
      z.add(s, m, 0, limits);
      if (cur) model.remove(m);
      model.insert(s, m);
    }
    z.zsl.check();
    const items = model.items;
    items.forEach(([, m], i) => {
      assert.equal(z.rank(m, false), i);
      assert.equal(z.rank(m, true), items.length - 1 - i);
      assert.equal(z.nodeAt(i, false)!.member, m);
      assert.equal(z.nodeAt(items.length - 1 - i, true)!.member, m);
    });
    for (let k = 0; k < 50; k++) {
      const sr = scoreRange(r);
      assert.equal(z.countInRange(sr), items.filter((p) => valueGteMin(p[0], sr) && valueLteMax(p[0], sr)).length);
    }
    // A full ZSCAN returns every member that stayed, despite deletions between steps.
    const seen = new Set<string>();
    const stay = new Set(items.map((p) => p[1]));
    let cursor = 0;
    let guard = 0;
    do {
      const step = z.scan(cursor, 7);
      for (const n of step.nodes) seen.add(n.member);
      cursor = step.next;
      const victim = items[r.int(items.length)]?.[1];
      if (victim !== undefined && r.chance(0.3) && z.delete(victim)) stay.delete(victim);
      z.add(r.int(5), 'late' + guard, 0, limits);
    } while (cursor !== 0 && ++guard < 10000);
    for (const m of stay) assert.ok(seen.has(m), `ZSCAN missed ${JSON.stringify(m)}`);
  }
});

// ---- propagation and keyspace events, in-process -------------------------------


function serverSetup() {
  const server = new Server(new Config());
  const c = new Client(server, null, 1);
  const effects: string[][] = [];
  server.propagator.subscribe((e: readonly Effect[]) => {
    for (const x of e) effects.push([...x.argv]);
  });
  const events: string[] = [];
  const prev = server.ks.onEvent;
  server.ks.onEvent = (type, event, key, db) => {
    // 'new' and 'keymiss' are classes of their own (n, m flags), not the command's events.
    if (type !== 'new' && type !== 'keymiss') events.push(`${type}:${event}:${key}`);
    if (prev) prev(type, event, key, db);
  };
  const run = (...argv: string[]) => {
    processCommand(c, argv);
    return c.reply.take();
  };
  return { server, effects, events, run };
}

test('sorted-set writes propagate as Redis does; no-ops are not propagated', () => {
  const { effects, run } = serverSetup();
  run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
  run('ZADD', 'z', '1', 'a'); // no change
  run('ZADD', 'z', 'XX', '5', 'nope'); // no change
  run('ZINCRBY', 'z', '1', 'a');
  run('ZADD', 'z', 'INCR', '1', 'b');
  run('ZPOPMIN', 'z', '0'); // nothing popped
  run('ZPOPMIN', 'z');
  run('ZMPOP', '2', 'nokey', 'z', 'MAX', 'COUNT', '10');
  run('ZRANGESTORE', 'dst', 'nokey', '0', '-1'); // empty, dst missing: no change
  run('ZREM', 'nokey', 'a');
  assert.deepEqual(effects, [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'],
    ['ZINCRBY', 'z', '1', 'a'],
    ['ZADD', 'z', 'INCR', '1', 'b'],
    ['ZPOPMIN', 'z'],
    ['ZPOPMAX', 'z', '3'],
  ]);
});

test('sorted-set keyspace events carry Redis names and the zset class', () => {
  const { events, run } = serverSetup();
  run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
  run('ZINCRBY', 'z', '1', 'a');
  run('ZREM', 'z', 'a');
  run('ZADD', 'z', '1', 'x', '9', 'y');
  run('ZREMRANGEBYSCORE', 'z', '0', '1');
  run('ZREMRANGEBYRANK', 'z', '0', '0');
  run('ZPOPMAX', 'z');
  run('ZUNIONSTORE', 'u', '1', 'z');
  run('ZRANGESTORE', 'r', 'z', '0', '-1');
  run('ZPOPMIN', 'z', '5');
  run('ZINTERSTORE', 'u', '1', 'z');
  assert.deepEqual(events, [
    'zset:zadd:z', 'zset:zincr:z', 'zset:zrem:z', 'zset:zadd:z', 'zset:zremrangebyscore:z', 'zset:zremrangebyrank:z', 'zset:zpopmax:z',
    'zset:zunionstore:u', 'zset:zrangestore:r', 'zset:zpopmin:z', 'generic:del:z', 'generic:del:u',
  ]);
});

test('ZUNION/ZINTER/ZDIFF take plain sets as inputs, every member scoring 1', () => {
  // The lead wires SORT_TYPES.elements.set in the server; registered here if not yet.
  if (!SORT_TYPES.elements.has('set')) SORT_TYPES.elements.set('set', setElements);
  const { run } = serverSetup();
  run('SADD', 's', 'a', 'b', '7');
  run('ZADD', 'z', '5', 'a', '2', 'c', '3', '7');
  assert.equal(run('ZUNION', '2', 's', 'z', 'WITHSCORES'), '*8\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n$1\r\n7\r\n$1\r\n4\r\n$1\r\na\r\n$1\r\n6\r\n');
  assert.equal(run('ZINTER', '2', 's', 'z', 'WEIGHTS', '10', '1', 'AGGREGATE', 'MAX'), '*2\r\n$1\r\n7\r\n$1\r\na\r\n');
  assert.equal(run('ZDIFF', '2', 's', 'z', 'WITHSCORES'), '*2\r\n$1\r\nb\r\n$1\r\n1\r\n');
  assert.equal(run('ZINTERCARD', '2', 'z', 's'), ':2\r\n');
});
