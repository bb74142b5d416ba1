/**
 * The list type on its own, against a plain array as the model: seeded random
 * pushes, pops, indexed reads, overwrites, inserts, removals and trims, with
 * elements from empty to larger than a node, binary bytes included. Every
 * step must leave the list equal to the model, and LRANGE's byte path must
 * give the same elements as get().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { List, SMALL_MAX } from '../../src/datatypes/list.js';
import { NODE_BYTES, NODE_ELEMENTS } from '../../src/datatypes/list-node.js';
import { packListpack } from '../../src/datatypes/packed-listpack.js';
import '../../src/persist/rdb/listpack.js'; // registers the listpack codec packed lists decode with

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function element(r: () => number, i: number): string {
  const kind = r();
  if (kind < 0.6) return `e${i}`;
  if (kind < 0.7) return '';
  if (kind < 0.85) {
    let s = '';
    const n = Math.floor(r() * 40);
    for (let k = 0; k < n; k++) s += String.fromCharCode(Math.floor(r() * 256));
    return s;
  }
  if (kind < 0.98) return `${i}:`.repeat(Math.floor(r() * 200));
  return 'L'.repeat(NODE_BYTES + Math.floor(r() * 3000)); // a node of its own
}

/** Collects replyRange's bulks as strings. */
function rangeViaBytes(l: List, start: number, end: number, reverse: boolean): string[] {
  const out: string[] = [];
  const sink = {
    bulk: (s: string) => out.push(s),
    bulkBytes: (b: Uint8Array, s: number, n: number) => out.push(Buffer.from(b.subarray(s, s + n)).toString('latin1')),
  };
  l.replyRange(sink, start, end, reverse);
  return out;
}

function check(l: List, model: string[], r: () => number): void {
  assert.equal(l.length, model.length);
  if (model.length === 0) return;
  const i = Math.floor(r() * model.length);
  assert.equal(l.get(i), model[i]);
  assert.equal(l.equalsAt(i, model[i]), true);
  assert.equal(l.equalsAt(i, model[i] + 'x'), false);
  const a = Math.floor(r() * model.length);
  const b = Math.min(model.length - 1, a + Math.floor(r() * 50));
  assert.deepEqual(l.range(a, b), model.slice(a, b + 1));
  assert.deepEqual(rangeViaBytes(l, a, b, false), model.slice(a, b + 1));
  assert.deepEqual(rangeViaBytes(l, a, b, true), model.slice(a, b + 1).reverse());
}

// Seeds past 30 keep the list around SMALL_MAX, crossing between an array and nodes.
for (let seed = 1; seed <= 45; seed++) {
  test(`random operations match an array (seed ${seed})`, () => {
    const r = rng(seed * 7919);
    const l = new List();
    const model: string[] = [];
    const keepSmall = seed > 30;
    let next = 0;
    for (let step = 0; step < 3000; step++) {
      let op = r();
      if (keepSmall && model.length > 2 * SMALL_MAX && op < 0.6) op = 0.6 + r() * 0.31;
      if (op < 0.3) {
        const s = element(r, next++);
        l.pushHead(s);
        model.unshift(s);
      } else if (op < 0.6) {
        const s = element(r, next++);
        l.pushTail(s);
        model.push(s);
      } else if (op < 0.68) {
        assert.equal(l.popHead(), model.shift());
      } else if (op < 0.76) {
        assert.equal(l.popTail(), model.pop());
      } else if (op < 0.8 && model.length > 0) {
        const i = Math.floor(r() * model.length);
        const s = element(r, next++);
        l.set(i, s);
        model[i] = s;
      } else if (op < 0.84) {
        const i = Math.floor(r() * (model.length + 1));
        const s = element(r, next++);
        l.insertAt(i, s);
        model.splice(i, 0, s);
      } else if (op < 0.87 && model.length > 0) {
        const idx = [...new Set(Array.from({ length: 1 + Math.floor(r() * 20) }, () => Math.floor(r() * model.length)))].sort((x, y) => x - y);
        l.removeIndexes(idx);
        for (let k = idx.length - 1; k >= 0; k--) model.splice(idx[k], 1);
      } else if (op < 0.89) {
        const n = Math.floor(r() * 30);
        l.trimHead(n);
        model.splice(0, n);
      } else if (op < 0.91) {
        const n = Math.floor(r() * 30);
        l.trimTail(n);
        model.splice(Math.max(0, model.length - n), n);
      } else if (op < 0.912) {
        l.clear();
        model.length = 0;
      } else if (op < 0.93) {
        const d = l.dup();
        assert.deepEqual(d.toArray(), model);
        d.pushTail('only in the copy');
        assert.equal(l.length, model.length);
      } else if (!keepSmall && model.length < 4000) {
        // a run of pushes at one end, to fill nodes past their limits
        const head = r() < 0.5;
        for (let k = 0; k < 1500; k++) {
          const s = `r${next++}`;
          if (head) {
            l.pushHead(s);
            model.unshift(s);
          } else {
            l.pushTail(s);
            model.push(s);
          }
        }
      }
      check(l, model, r);
    }
    assert.deepEqual(l.toArray(), model);
    assert.deepEqual([...l], model);
  });
}

test('a queue (push tail, pop head) keeps no more node slots than it needs', () => {
  const l = new List();
  for (let i = 0; i < 200_000; i++) {
    l.pushTail(`job:${i}`);
    if (i >= 100) assert.equal(l.popHead(), `job:${i - 100}`);
  }
  assert.equal(l.length, 100);
  // Reaches into the private node array: a leak here would be a slot per node ever used.
  const nodes = (l as unknown as { nodes: unknown[] }).nodes;
  assert.ok(nodes.length < 200, `node slots: ${nodes.length}`);
});

test('nodes keep to their byte and element limits', () => {
  const l = new List();
  for (let i = 0; i < 10_000; i++) l.pushTail('x');
  for (let i = 0; i < 10_000; i++) l.pushHead('y'.repeat(100));
  const nodes = (l as unknown as { nodes: Array<{ count: number; bytes: number } | undefined> }).nodes.filter((n) => n !== undefined);
  for (const n of nodes) {
    assert.ok(n.count <= NODE_ELEMENTS, `count ${n.count}`);
    assert.ok(n.count === 1 || n.bytes <= NODE_BYTES, `bytes ${n.bytes}`);
  }
  assert.ok(nodes.length >= 10_000 / NODE_ELEMENTS + (10_000 * 100) / NODE_BYTES);
});

test('a list loaded packed decodes on first access and saves its nodes until then', () => {
  const pack = (items: string[]): string => packListpack(items, items.length)!;
  const nodes = [pack(['a', 'b', '12']), pack(['c'])];
  const l = List.packed(nodes, 4);
  assert.equal(l.length, 4);
  assert.deepEqual(l.packedNodes(), nodes);
  const d = l.dup();
  assert.deepEqual(d.packedNodes(), nodes);
  assert.equal(l.get(3), 'c');
  assert.equal(l.packedNodes(), null);
  assert.deepEqual(l.toArray(), ['a', 'b', '12', 'c']);
  assert.deepEqual(d.toArray(), ['a', 'b', '12', 'c']);
  const p = List.packed([pack(['z'])], 1);
  p.pushHead('y');
  assert.deepEqual(p.toArray(), ['y', 'z']);
});
