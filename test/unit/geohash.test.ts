/**
 * The geohash library on its own: scores, decoding, GEOHASH strings, the
 * search cells, the number formatting geo replies use, pqsort, and the
 * correctly rounded sin/cos/asin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crAsin, crCos, crSin, decodeScore, doubleToU64, estimateStepsByRadius, formatDistance, formatFixed, formatHuman, geoScore, geohashGetDistance,
  geohashString, pqsort, searchRanges, ShapeType,
} from '../../src/datatypes/geohash.js';
import { Rng } from '../differential/generator.js';

test('GEOADD scores, decoding and GEOHASH strings are Redis\'s', () => {
  // Values from the Redis documentation and redis-cli.
  assert.equal(geoScore(13.361389, 38.115556), 3479099956230698);
  assert.equal(geoScore(15.087269, 37.502669), 3479447370796909);
  assert.equal(geohashString(3479099956230698), 'sqc8b49rny0');
  assert.equal(geohashString(3479447370796909), 'sqdtr74hyu0');
  const [x, y] = decodeScore(3479099956230698);
  assert.equal(formatHuman(x), '13.36138933897018433');
  assert.equal(formatHuman(y), '38.11555639549629859');
  assert.equal(geoScore(200, 0), null);
  assert.equal(geoScore(0, 85.06), null);
  // The edges: 180 sets the bit past the 26 of a coordinate.
  assert.ok(geoScore(180, 0)! >= 2 ** 53);
});

test('GEODIST Palermo-Catania', () => {
  const [x1, y1] = decodeScore(3479099956230698);
  const [x2, y2] = decodeScore(3479447370796909);
  assert.equal(formatDistance(geohashGetDistance(x1, y1, x2, y2)), '166274.1516');
  assert.equal(formatDistance(geohashGetDistance(x1, y1, x2, y2) / 1000), '166.2742');
});

test('double to uint64 as x86-64 converts it', () => {
  assert.equal(doubleToU64(5.9), 5n);
  assert.equal(doubleToU64(-1), (1n << 64n) - 1n);
  assert.equal(doubleToU64(-0.5), 0n);
  assert.equal(doubleToU64(Infinity), 0n);
  assert.equal(doubleToU64(-Infinity), 1n << 63n);
  assert.equal(doubleToU64(2 ** 63), 1n << 63n);
  assert.equal(doubleToU64(1e30), 0n);
});

test('printf %f and the human long double format', () => {
  assert.equal(formatFixed(0.03125, 4), '0.0312'); // exact tie: half to even
  assert.equal(formatFixed(0.09375, 4), '0.0938');
  assert.equal(formatFixed(200, 6), '200.000000');
  assert.equal(formatFixed(-0, 4), '-0.0000');
  assert.equal(formatFixed(1e22, 2), '10000000000000000000000.00');
  assert.equal(formatFixed(-1e-7, 4), '-0.0000');
  assert.equal(formatFixed(Infinity, 6), 'inf');
  assert.equal(formatHuman(-0), '0');
  assert.equal(formatHuman(180), '180');
  assert.equal(formatHuman(0.5), '0.5');
  assert.equal(formatHuman(-1e-20), '0');
});

test('search steps and cells', () => {
  assert.equal(estimateStepsByRadius(0, 0), 26);
  assert.equal(estimateStepsByRadius(1e9, 0), 1);
  assert.equal(estimateStepsByRadius(1000, 0), 14);
  assert.equal(estimateStepsByRadius(1000, 70), 13);
  assert.equal(estimateStepsByRadius(1000, -85), 12);
  const shape = { type: ShapeType.Circular, lon: 15, lat: 37, conversion: 1000, radius: 200, width: 0, height: 0 };
  const ranges = searchRanges(shape);
  assert.ok(ranges.length >= 1 && ranges.length <= 9);
  for (const [min, max] of ranges) assert.ok(min < max);
  // Palermo and Catania lie in one of the ranges.
  for (const s of [3479099956230698, 3479447370796909]) assert.ok(ranges.some(([a, b]) => s >= a && s < b));
});

test('pqsort sorts the requested prefix', () => {
  const r = new Rng(7);
  for (let iter = 0; iter < 300; iter++) {
    const n = r.range(1, 120);
    const a = Array.from({ length: n }, () => r.int(20));
    const sorted = [...a].sort((x, y) => x - y);
    const k = r.range(0, n - 1);
    const b = [...a];
    pqsort(b, (x, y) => (x > y ? 1 : x === y ? 0 : -1), 0, k);
    assert.deepEqual(b.slice(0, k + 1), sorted.slice(0, k + 1));
    assert.deepEqual([...b].sort((x, y) => x - y), sorted);
  }
});

test('sin, cos, asin agree with Math to an ulp and are exact at easy points', () => {
  const r = new Rng(11);
  for (let i = 0; i < 20000; i++) {
    const x = (r.next() * 2 - 1) * 3.2;
    assert.ok(Math.abs(crSin(x) - Math.sin(x)) <= 2.3e-16);
    assert.ok(Math.abs(crCos(x) - Math.cos(x)) <= 2.3e-16);
    const y = r.next();
    assert.ok(Math.abs(crAsin(y) - Math.asin(y)) <= 4.5e-16);
  }
  assert.equal(crSin(0), 0);
  assert.equal(crCos(0), 1);
  assert.equal(crAsin(1), Math.PI / 2);
  assert.equal(crSin(Math.PI / 6), 0.49999999999999994);
});
