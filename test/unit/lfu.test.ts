/**
 * The LFU counter arithmetic (keyspace/lfu.ts) against evict.c's rules, and
 * the eviction time bound of maxmemory-eviction-tenacity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LFU_INIT_VAL, lfuDecrAndReturn, lfuField, lfuLogIncr, lfuMinutes, lfuTimeElapsed, lfuTouch, lruIdleSeconds,
} from '../../src/keyspace/lfu.js';
import { evictionTimeLimitMs } from '../../src/keyspace/eviction.js';

test('the field packs 16 bits of minutes above an 8-bit counter', () => {
  const min = lfuMinutes(1_700_000_000);
  assert.equal(min, Math.floor(1_700_000_000 / 60) % 65536);
  const f = lfuField(min);
  assert.equal(f >>> 8, min);
  assert.equal(f & 255, LFU_INIT_VAL);
  assert.equal(lfuField(min, 200) & 255, 200);
});

test('elapsed minutes wrap once at 16 bits', () => {
  assert.equal(lfuTimeElapsed(10, 15), 5);
  assert.equal(lfuTimeElapsed(65530, 4), 65535 - 65530 + 4);
});

test('LFULogIncr: certain up to LFU_INIT_VAL, then 1/((c-5)*factor+1), saturating at 255', () => {
  for (let c = 0; c <= LFU_INIT_VAL; c++) assert.equal(lfuLogIncr(c, 10, 0.999999), c + 1);
  // counter 6, factor 10: p = 1/11
  assert.equal(lfuLogIncr(6, 10, 1 / 11 - 1e-9), 7);
  assert.equal(lfuLogIncr(6, 10, 1 / 11 + 1e-9), 6);
  // factor 0: always increments
  assert.equal(lfuLogIncr(100, 0, 0.999), 101);
  assert.equal(lfuLogIncr(255, 0, 0), 255);
});

test('LFULogIncr with the default factor needs many accesses to climb', () => {
  let c = LFU_INIT_VAL;
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 1000; i++) c = lfuLogIncr(c, 10, rand());
  // Redis's table (redis.conf): factor 10 gives ~18 after 1K hits from 0.
  assert.ok(c >= 12 && c <= 25, `counter after 1000 hits: ${c}`);
});

test('LFUDecrAndReturn: one off per decay period, floored at 0, disabled by decay time 0', () => {
  const now = 1000;
  const f = lfuField(now - 3, 10);
  assert.equal(lfuDecrAndReturn(f, now, 1), 7);
  assert.equal(lfuDecrAndReturn(f, now, 2), 9);
  assert.equal(lfuDecrAndReturn(f, now, 0), 10);
  assert.equal(lfuDecrAndReturn(lfuField(now - 50, 10), now, 1), 0);
  // The stored field is an LRU time after a policy switch: still a counter in 0..255.
  const v = lfuDecrAndReturn(1_700_000_123, now, 1);
  assert.ok(v >= 0 && v <= 255);
});

test('an access decays first, then increments, and stamps the time', () => {
  const now = 500;
  const f = lfuTouch(lfuField(now - 2, 6), now, 1, 10, 0);
  assert.equal(f >>> 8, now);
  assert.equal(f & 255, 5); // 6 decayed by 2 to 4, then +1 for sure
});

test('idle time reads the 24-bit fields as estimateObjectIdleTime does', () => {
  assert.equal(lruIdleSeconds(1_700_000_100, 1_700_000_000), 100);
  const clock = 1 << 24; // low 24 bits are 0: the field wrapped past the clock
  assert.equal(lruIdleSeconds(clock + 5, (1 << 24) - 10), 5 + 9);
});

test('maxmemory-eviction-tenacity: 50 us per step to 10, +15% per step after, no bound at 100', () => {
  assert.equal(evictionTimeLimitMs(0), 0);
  assert.equal(evictionTimeLimitMs(10), 0.5);
  assert.ok(Math.abs(evictionTimeLimitMs(11) - 0.575) < 1e-9);
  assert.equal(evictionTimeLimitMs(100), Infinity);
});
