/**
 * Property tests of the compact encodings and their one-way conversions
 * (listpack → hashtable, intset → hashtable, listpack → skiplist), against
 * plain models: through random operations with random thresholds, a value
 * always holds exactly the model's contents (and, while compact, in the
 * model's order), it is compact exactly while no threshold has been crossed,
 * and it never converts back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../differential/generator.js';
import { RedisHash } from '../../src/datatypes/hash.js';
import { SetValue } from '../../src/datatypes/set.js';
import { SortedSet, ZADD_IN_NONE } from '../../src/datatypes/sorted-set.js';

const SEEDS = 40;
const OPS = 400;

function word(r: Rng, maxLen: number): string {
  const len = r.int(maxLen + 1);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + r.int(6));
  return s;
}

test('hash: listpack while under both limits, in insertion order; hashtable for good once over', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = new Rng(seed);
    const limits = { maxEntries: 1 + r.int(20), maxValue: 1 + r.int(8) };
    const h = new RedisHash();
    const model = new Map<string, string>();
    let crossed = false;
    for (let op = 0; op < OPS; op++) {
      const f = word(r, limits.maxValue + 2);
      if (r.next() < 0.7) {
        const v = word(r, limits.maxValue + 2);
        if (f.length > limits.maxValue || v.length > limits.maxValue) crossed = true;
        assert.equal(h.set(f, v, limits), !model.has(f), `seed ${seed}: set's reply`);
        model.set(f, v);
        if (model.size > limits.maxEntries) crossed = true;
      } else {
        assert.equal(h.delete(f), model.delete(f), `seed ${seed}: delete's reply`);
      }
      assert.equal(h.encoding(), crossed ? 'hashtable' : 'listpack', `seed ${seed} op ${op}`);
      assert.equal(h.size, model.size);
      if (!crossed) assert.deepEqual([...h.map], [...model], `seed ${seed}: listpack order`);
    }
    for (const [f, v] of model) assert.equal(h.get(f), v);
    const copy = h.dup();
    assert.equal(copy.encoding(), h.encoding());
    assert.deepEqual([...copy.map], [...h.map]);
  }
});

test('set: intset (ascending) while every member is an integer and under the limit; hashtable for good once not', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = new Rng(seed);
    const maxIntset = 1 + r.int(30);
    let s: SetValue | null = null;
    const model = new Set<string>();
    let crossed = false;
    for (let op = 0; op < OPS; op++) {
      const m = r.next() < 0.9 ? String(r.int(60) - 20) : word(r, 3);
      if (r.next() < 0.7) {
        if (s === null) s = SetValue.forMember(m);
        if (!/^(0|-?[1-9][0-9]*)$/.test(m)) crossed = true;
        assert.equal(s.add(m, maxIntset), !model.has(m));
        model.add(m);
        if (model.size > maxIntset) crossed = true;
      } else if (s !== null) {
        assert.equal(s.remove(m), model.delete(m));
      }
      if (s === null) continue;
      assert.equal(s.encoding(), crossed ? 'hashtable' : 'intset', `seed ${seed} op ${op}`);
      assert.equal(s.size, model.size);
      const members = s.members();
      if (!crossed) assert.deepEqual(members, [...model].sort((a, b) => Number(a) - Number(b)), `seed ${seed}: intset order`);
      else assert.deepEqual([...members].sort(), [...model].sort());
    }
  }
});

test('sorted set: listpack while under both limits, skiplist for good once over; always ordered by (score, member)', () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = new Rng(seed);
    const limits = { entries: 1 + r.int(20), value: 1 + r.int(8) };
    let z: SortedSet | null = null;
    const model = new Map<string, number>();
    let crossed = false;
    for (let op = 0; op < OPS; op++) {
      const m = word(r, limits.value + 2);
      if (r.next() < 0.7) {
        const score = r.int(10) - 3;
        if (z === null) {
          z = SortedSet.create(limits, m.length);
          if (m.length > limits.value) crossed = true;
        }
        if (!model.has(m) && (model.size + 1 > limits.entries || m.length > limits.value)) crossed = true;
        z.add(score, m, ZADD_IN_NONE, limits);
        model.set(m, score);
      } else if (z !== null) {
        assert.equal(z.delete(m), model.delete(m));
      }
      if (z === null) continue;
      assert.equal(z.encoding(), crossed ? 'skiplist' : 'listpack', `seed ${seed} op ${op}`);
      assert.equal(z.length, model.size);
      const expected = [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const got: Array<[string, number]> = [];
      for (let n = z.zsl.first; n !== null; n = n.next[0]) got.push([n.member, n.score]);
      assert.deepEqual(got, expected, `seed ${seed} op ${op}: order`);
    }
  }
});
