/**
 * keyspace/key-table.ts against a JS Map as the model: random operations,
 * with iterators started at random points and advanced a step at a time
 * while the table is changed under them (inserts, deletes, growth,
 * gradual index growth, compaction, shrinking, clear), must give exactly what the Map's own
 * iterators give. The snapshot writer, the expiry cycle and the idle repack
 * walk all rely on those semantics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTable, keyHash } from '../../src/keyspace/key-table.js';

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random operations and live iterators match a Map', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    // Every other seed grows its index gradually from 32 slots up, with lookups, deletes and iterators mid-way.
    const t = new KeyTable<number>({ growAtOnce: seed % 2 === 0 ? 16 : undefined });
    const m = new Map<string, number>();
    const iters: Array<{ a: Iterator<[string, number]>; b: Iterator<[string, number]> }> = [];
    // Key spaces of different sizes make tables that grow, churn and shrink.
    const space = [8, 100, 3000][seed % 3];
    for (let step = 0; step < 6000; step++) {
      const x = r();
      const key = `k${Math.floor(r() * space)}`;
      if (x < 0.45) {
        const v = step;
        t.set(key, v);
        m.set(key, v);
      } else if (x < 0.85) {
        assert.equal(t.delete(key), m.delete(key), `seed ${seed} step ${step} delete ${key}`);
      } else if (x < 0.87) {
        // Mass deletion: what makes the table compact and shrink.
        for (const k of [...m.keys()]) {
          if (r() < 0.9) {
            assert.equal(t.delete(k), true);
            m.delete(k);
          }
        }
      } else if (x < 0.875) {
        t.clear();
        m.clear();
      } else if (x < 0.9) {
        if (iters.length < 6) iters.push({ a: t.entries(), b: m.entries() });
      } else {
        for (const it of iters) {
          const n = 1 + Math.floor(r() * 20);
          for (let i = 0; i < n; i++) {
            const ra = it.a.next();
            const rb = it.b.next();
            assert.deepEqual(ra, rb, `seed ${seed} step ${step}: iterator diverged`);
            if (rb.done === true) break;
          }
        }
      }
      assert.equal(t.size, m.size);
      assert.equal(t.get(key), m.get(key));
      assert.equal(t.has(key), m.has(key));
    }
    assert.deepEqual([...t], [...m]);
    assert.deepEqual([...t.keys()], [...m.keys()]);
    assert.deepEqual([...t.values()], [...m.values()]);
    // Each live iterator runs to the end exactly as the Map's does.
    for (const it of iters) {
      for (;;) {
        const ra = it.a.next();
        assert.deepEqual(ra, it.b.next());
        if (ra.done === true) break;
      }
    }
  }
});

test('an exhausted iterator stays exhausted, as a Map iterator does', () => {
  const t = new KeyTable<number>();
  t.set('a', 1);
  const it = t.keys();
  assert.deepEqual(it.next(), { done: false, value: 'a' });
  assert.equal(it.next().done, true);
  t.set('b', 2);
  assert.equal(it.next().done, true);
});

test('reserve sizes for a load; binary keys, empty key and long keys', () => {
  const t = new KeyTable<string>();
  t.reserve(50000);
  const keys = ['', '\0', '\xff\xfe', 'x'.repeat(100000), 'a\r\nb'];
  for (let i = 0; i < 50000; i++) keys.push(`key:${i}`);
  for (const k of keys) t.set(k, k);
  assert.equal(t.size, keys.length);
  for (const k of keys) assert.equal(t.get(k), k);
  assert.equal(t.get('key:50000'), undefined);
  assert.deepEqual([...t.keys()], keys);
});

test('keyHash depends on content only, and spreads sequential keys over the low bits', () => {
  assert.equal(keyHash('key:1'), keyHash(['key', '1'].join(':')));
  const buckets = new Uint32Array(1024);
  for (let i = 0; i < 100000; i++) buckets[keyHash(`key:${i}`) & 1023]++;
  // ~98 per bucket (sd ~10) whatever the seed; a weak mix of the low bits would leave some near 0.
  assert.ok(Math.min(...buckets) > 40 && Math.max(...buckets) < 160, `${Math.min(...buckets)}..${Math.max(...buckets)}`);
});

test('a large table grows its index gradually and finds every key throughout', () => {
  const t = new KeyTable<number>({ growAtOnce: 64 });
  const n = 200000;
  for (let i = 0; i < n; i++) {
    t.set(`k${i}`, i);
    // Keys inserted before the growth started, still in the old index, and the one just added.
    if (i % 997 === 0) for (let j = 0; j <= i; j += 1013) assert.equal(t.get(`k${j}`), (j + 1) % 3 === 0 && j < i ? undefined : j);
    assert.equal(t.get(`k${i}`), i);
    if (i % 3 === 0) assert.equal(t.delete(`k${i - 1}`), i > 0);
  }
  let live = 0;
  for (let i = 0; i < n; i++) {
    const want = i % 3 === 2 && i < n - 1 ? undefined : i;
    assert.equal(t.get(`k${i}`), want, `k${i}`);
    if (want !== undefined) live++;
  }
  assert.equal(t.size, live);
});

test('randomKey draws live keys uniformly, holes and all', () => {
  const t = new KeyTable<number>();
  assert.equal(t.randomKey(), undefined);
  for (let i = 0; i < 400; i++) t.set(`k${i}`, i);
  // 390 of 400 deleted: a small table keeps its holes until a draw compacts it.
  for (let i = 0; i < 390; i++) t.delete(`k${i}`);
  const seen = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const k = t.randomKey()!;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), [...t.keys()].sort());
  // 2000 expected each; a 10% band is over 4 standard deviations wide.
  for (const [k, n] of seen) assert.ok(n > 1800 && n < 2200, `${k}: ${n}`);
  t.clear();
  assert.equal(t.randomKey(), undefined);
});

test('scan returns every key present throughout, across growth, deletes, compaction and inserts, and ends', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const r = rng(seed);
    const t = new KeyTable<number>({ growAtOnce: seed % 2 === 0 ? 16 : undefined });
    const n = 1000 + Math.floor(r() * 3000);
    for (let i = 0; i < n; i++) t.set(`k${i}`, i);
    // Keys that stay for the whole scan; the others may be deleted, re-added or overwritten.
    const stable = new Set<string>();
    for (let i = 0; i < n; i++) if (r() < 0.15) stable.add(`k${i}`);
    const seen = new Map<string, number>();
    let cursor = 0;
    let calls = 0;
    let extra = n;
    do {
      const step = t.scan(cursor, 1 + Math.floor(r() * 50));
      for (const k of step.keys) seen.set(k, (seen.get(k) ?? 0) + 1);
      cursor = step.next;
      // Between calls: deletions, new keys, overwrites; now and then nearly
      // everything else goes at once, which compacts the table.
      if (r() < 0.05) for (const k of [...t.keys()]) if (!stable.has(k)) t.delete(k);
      for (let j = 0; j < 40; j++) {
        const k = `k${Math.floor(r() * n)}`;
        const x = r();
        if (stable.has(k)) t.set(k, -1); // an overwrite keeps its place
        else if (x < 0.6) t.delete(k);
        else if (x < 0.8) t.set(k, j);
        else t.set(`new${extra++}`, j);
      }
      assert.ok(++calls < 100000, 'the scan must end');
    } while (cursor !== 0);
    // At least once; twice only when a compaction moved it below the cursor after it was returned.
    for (const k of stable) assert.ok((seen.get(k) ?? 0) >= 1, `seed ${seed}: ${k} never returned`);
  }
});

test('a scan without compaction returns each key once', () => {
  const t = new KeyTable<number>();
  for (let i = 0; i < 10000; i++) t.set(`k${i}`, i);
  for (let i = 0; i < 10000; i += 3) t.delete(`k${i}`);
  const present = t.size;
  const seen: string[] = [];
  let cursor = 0;
  do {
    const step = t.scan(cursor, 7);
    seen.push(...step.keys);
    cursor = step.next;
    t.set(`new${seen.length}`, 0); // added behind the walk: not returned
  } while (cursor !== 0);
  assert.equal(seen.length, present);
  assert.equal(new Set(seen).size, present);
  assert.ok(seen.every((k) => k.startsWith('k')));
});
