/**
 * Stream commands without consumer groups, compared byte for byte with
 * Redis 7.0 in RESP2 and RESP3: XADD (explicit, `ms-*`, `*`, NOMKSTREAM,
 * trimming options, every error), XLEN, XRANGE/XREVRANGE, XDEL, XTRIM,
 * XSETID, XREAD (non-blocking), and streams under DEL/RENAME/COPY/TYPE/
 * OBJECT ENCODING/DUMP. Groups are in streams-groups.test.ts, node
 * boundaries in streams-trim.test.ts.
 *
 * REDDISH_VS_REDIS=1 runs it Redis against Redis (see stream-generator.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Pair } from './harness.js';
import { normalizeStreamReply, streamPair, expectSameStreams } from './stream-generator.js';
import { RawClient } from '../support/raw-client.js';

let pair: Pair;
before(async () => {
  pair = await streamPair();
});
after(async () => {
  await pair?.stop();
});

const same = (scripts: Record<string, string[][]>): Promise<void> => expectSameStreams(pair, scripts);

/** XADD key id f v for each id. */
function adds(key: string, ids: string[], ...fv: string[]): string[][] {
  return ids.map((id, i) => ['XADD', key, id, ...(fv.length ? fv : ['f', String(i)])]);
}

test('normalizer masks only time-like values', () => {
  const now = 1_800_000_000_000;
  const n = (raw: string, cmd: string[]) => normalizeStreamReply(raw, cmd, now);
  const pending = (idle: number, count: number) => `*1\r\n*4\r\n$3\r\n1-1\r\n$2\r\nc1\r\n:${idle}\r\n:${count}\r\n`;
  assert.equal(n(pending(3, 1), ['XPENDING']), n(pending(250, 1), ['XPENDING']));
  assert.notEqual(n(pending(3, 1), ['XPENDING']), n(pending(3, 2), ['XPENDING']));
  assert.notEqual(n(pending(3, 1), ['XPENDING']), n(pending(-3, 1), ['XPENDING']));
  const id = (ms: number, seq = 0) => `$${`${ms}-${seq}`.length}\r\n${ms}-${seq}\r\n`;
  assert.equal(n(id(now + 5), ['XADD']), n(id(now + 9, 3), ['XADD']));
  assert.notEqual(n(id(5), ['XADD']), n(id(6), ['XADD']));
  const consumer = (idle: number, pend: number) => `%3\r\n+name\r\n$2\r\nc1\r\n+pending\r\n:${pend}\r\n+idle\r\n:${idle}\r\n`;
  assert.equal(n(consumer(1, 2), ['XINFO']), n(consumer(99, 2), ['XINFO']));
  assert.notEqual(n(consumer(1, 2), ['XINFO']), n(consumer(1, 3), ['XINFO']));
  // Delivery times: masked near now, exact far from it (set with XCLAIM TIME).
  const full = (t: number) => `*2\r\n$7\r\npending\r\n*1\r\n*3\r\n$3\r\n1-1\r\n:${t}\r\n:1\r\n`;
  assert.equal(n(full(now - 10), ['XINFO']), n(full(now + 10), ['XINFO']));
  assert.notEqual(n(full(1000), ['XINFO']), n(full(5000), ['XINFO']));
  // The same integers elsewhere are not touched; null kinds stay distinct.
  assert.notEqual(n(':5\r\n', ['XLEN']), n(':6\r\n', ['XLEN']));
  assert.notEqual(n('$-1\r\n', ['XADD']), n('_\r\n', ['XADD']));
});

test('XADD: explicit IDs, ms-*, incomplete IDs, overflow, and every ID error', async () => {
  await same({
    ids: [
      ['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', '1-2', 'f', 'v', 'a', 'b'], ['XADD', 's', '1-2', 'x', 'y'], ['XADD', 's', '1-1', 'x', 'y'],
      ['XADD', 's', '0-5', 'x', 'y'], ['XADD', 's', '2', 'f', 'v'], ['XADD', 's', '2-*', 'f', 'v'], ['XADD', 's', '2-*', 'f', 'v'],
      ['XADD', 's', '3-*', 'f', 'v'], ['XADD', 's', '1-*', 'f', 'v'], ['XADD', 's', '3-*', 'f', 'v'], ['XADD', 's', '00004-00', 'f', 'v'],
      ['XADD', 's', '5-18446744073709551615', 'f', 'v'], ['XADD', 's', '5-*', 'f', 'v'], ['XADD', 's', '6-*', 'same', 'x', 'same', 'y'],
      ['XADD', 's', '7-0', '', ''], ['XADD', 's', '8-0', 'bin\x00\xff', 'val\r\n\x01'], ['XLEN', 's'], ['XRANGE', 's', '-', '+'],
      ['XADD', 's', '18446744073709551615-18446744073709551614', 'f', 'v'], ['XADD', 's', '18446744073709551615-*', 'f', 'v'],
      ['XADD', 's', '18446744073709551615-*', 'f', 'v'], ['XADD', 's', '*', 'f', 'v'], ['XADD', 's', '18446744073709551615-18446744073709551615', 'f', 'v'],
      ['XLEN', 's'], ['XINFO', 'STREAM', 's'],
    ],
    'zero and garbage': [
      ['XADD', 'e', '0-0', 'f', 'v'], ['XADD', 'e', '0', 'f', 'v'], ['XADD', 'e', '0-*', 'f', 'v'], ['XADD', 'e', '0-*', 'f', 'v'], ['XADD', 'e', '0-0', 'f', 'v'],
      ['XADD', 'g', 'abc', 'f', 'v'], ['XADD', 'g', '1-abc', 'f', 'v'], ['XADD', 'g', '1-', 'f', 'v'], ['XADD', 'g', '-1', 'f', 'v'],
      ['XADD', 'g', '1--1', 'f', 'v'], ['XADD', 'g', '-', 'f', 'v'], ['XADD', 'g', '+', 'f', 'v'], ['XADD', 'g', '', 'f', 'v'],
      ['XADD', 'g', ' 1-1', 'f', 'v'], ['XADD', 'g', '1-1 ', 'f', 'v'], ['XADD', 'g', '1-2-3', 'f', 'v'], ['XADD', 'g', '*-1', 'f', 'v'],
      ['XADD', 'g', '*-*', 'f', 'v'], ['XADD', 'g', '**', 'f', 'v'], ['XADD', 'g', '1.5-1', 'f', 'v'], ['XADD', 'g', '+1-1', 'f', 'v'],
      ['XADD', 'g', '18446744073709551616-0', 'f', 'v'], ['XADD', 'g', '1-18446744073709551616', 'f', 'v'], ['XADD', 'g', '18446744073709551616-*', 'f', 'v'],
      ['XADD', 'g', '>', 'f', 'v'], ['XADD', 'g', '$', 'f', 'v'], ['XADD', 'g', '(1-1', 'f', 'v'], ['EXISTS', 'g'],
    ],
    arity: [
      ['XADD'], ['XADD', 's'], ['XADD', 's', '1-1'], ['XADD', 's', '1-1', 'f'], ['XADD', 's', '1-1', 'f', 'v', 'g'], ['XADD', 's', 'NOMKSTREAM', '1-1'],
      ['XADD', 's', 'MAXLEN', '1', '1-1', 'f'], ['XADD', 's', '*'], ['xadd', 's', '*', 'f'], ['EXISTS', 's'],
    ],
    wrongtype: [
      ['SET', 'str', 'x'], ['XADD', 'str', '1-1', 'f', 'v'], ['XADD', 'str', 'NOMKSTREAM', '1-1', 'f', 'v'], ['XADD', 'str', '*', 'f', 'v'],
      ['XLEN', 'str'], ['XRANGE', 'str', '-', '+'], ['XREVRANGE', 'str', '+', '-'], ['XDEL', 'str', '1-1'], ['XTRIM', 'str', 'MAXLEN', '1'],
      ['XSETID', 'str', '1-1'], ['XREAD', 'STREAMS', 'str', '0'], ['XINFO', 'STREAM', 'str'], ['XGROUP', 'CREATE', 'str', 'g', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>'], ['XACK', 'str', 'g', '1-1'], ['XPENDING', 'str', 'g'],
      ['XCLAIM', 'str', 'g', 'c', '0', '1-1'], ['XAUTOCLAIM', 'str', 'g', 'c', '0', '0'], ['XINFO', 'GROUPS', 'str'], ['XINFO', 'CONSUMERS', 'str', 'g'],
      // A bad ID against a string key: which check wins.
      ['XADD', 'str', 'bad', 'f', 'v'], ['XADD', 'str', '0-0', 'f', 'v'], ['XRANGE', 'str', 'x', '+'], ['XDEL', 'str', 'bad'],
    ],
  });
});

test('XADD with `*`: IDs from the clock, masked; past a future top it continues from there', async () => {
  await same({
    clock: [
      ['XADD', 'c', '*', 'f', 'v'], ['XADD', 'c', '*', 'f', 'v'], ['XLEN', 'c'], ['XRANGE', 'c', '-', '+'], ['XADD', 'c', '1-1', 'f', 'v'],
      ['XADD', 'c', '5-*', 'f', 'v'], ['XADD', 'c', 'MAXLEN', '1', '*', 'g', 'w'], ['XRANGE', 'c', '-', '+'], ['XINFO', 'STREAM', 'c'],
      ['XADD', 'c', 'NOMKSTREAM', '*', 'a', 'b'], ['XADD', 'none', 'NOMKSTREAM', '*', 'a', 'b'], ['EXISTS', 'none'],
    ],
    'future top': [
      ['XADD', 'f', '99999999999999-5', 'a', 'b'], ['XADD', 'f', '*', 'a', 'b'], ['XADD', 'f', '*', 'a', 'b'], ['XADD', 'f', '99999999999999-*', 'a', 'b'],
      ['XADD', 'f', '99999999999998-*', 'a', 'b'], ['XRANGE', 'f', '-', '+'],
      ['XADD', 'm', '18446744073709551615-0', 'a', 'b'], ['XADD', 'm', '*', 'a', 'b'], ['XADD', 'm', '*', 'a', 'b'], ['XRANGE', 'm', '-', '+'],
    ],
  });
});

test('XADD `*` IDs are increasing and carry the wall clock (each server on its own)', async () => {
  for (const c of [pair.redisClient, pair.reddishClient]) {
    await c.call('HELLO', '2');
    await c.call('FLUSHALL');
    const t0 = Date.now();
    const ids: Array<[bigint, bigint]> = [];
    for (let i = 0; i < 20; i++) {
      const raw = await c.call('XADD', 'clock', '*', 'i', String(i));
      const m = /^\$\d+\r\n(\d+)-(\d+)\r\n$/.exec(raw);
      assert.ok(m, `XADD * replied ${JSON.stringify(raw)}`);
      ids.push([BigInt(m[1]), BigInt(m[2])]);
    }
    const t1 = Date.now();
    for (let i = 0; i < ids.length; i++) {
      const [ms, seq] = ids[i];
      assert.ok(ms >= BigInt(t0) && ms <= BigInt(t1), `ID ms ${ms} outside [${t0}, ${t1}]`);
      if (i > 0) {
        const [pms, pseq] = ids[i - 1];
        assert.ok(ms > pms ? seq === 0n : ms === pms && seq === pseq + 1n, `IDs ${pms}-${pseq} then ${ms}-${seq}`);
      }
    }
  }
});

test('XADD options: NOMKSTREAM, MAXLEN/MINID with = ~ LIMIT, and their errors', async () => {
  const base = adds('s', ['1-0', '2-0', '3-0', '4-0', '5-0']);
  await same({
    nomkstream: [
      ['XADD', 'n', 'NOMKSTREAM', '1-1', 'f', 'v'], ['EXISTS', 'n'], ['XADD', 'n', 'nomkstream', 'MAXLEN', '0', '1-1', 'f', 'v'], ['EXISTS', 'n'],
      ['XADD', 'n', '1-1', 'f', 'v'], ['XADD', 'n', 'NOMKSTREAM', '1-2', 'f', 'v'], ['XADD', 'n', 'NOMKSTREAM', 'NOMKSTREAM', '1-3', 'f', 'v'], ['XLEN', 'n'],
      ['XADD', 'z', 'MAXLEN', '0', '1-1', 'f', 'v'], ['EXISTS', 'z'], ['XLEN', 'z'], ['XINFO', 'STREAM', 'z'], ['TYPE', 'z'],
    ],
    maxlen: [
      ...base, ['XADD', 's', 'MAXLEN', '3', '6-0', 'f', 'v'], ['XRANGE', 's', '-', '+'], ['XADD', 's', 'MAXLEN', '=', '2', '7-0', 'f', 'v'],
      ['XRANGE', 's', '-', '+'], ['XADD', 's', 'maxlen', '~', '1', '8-0', 'f', 'v'], ['XLEN', 's'], ['XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '0', '9-0', 'f', 'v'],
      ['XLEN', 's'], ['XADD', 's', 'MAXLEN', '1', '10-0', 'f', 'v'], ['XRANGE', 's', '-', '+'], ['XINFO', 'STREAM', 's'],
    ],
    minid: [
      ...base, ['XADD', 's', 'MINID', '3', '6-0', 'f', 'v'], ['XRANGE', 's', '-', '+'], ['XADD', 's', 'MINID', '=', '5-0', '7-0', 'f', 'v'],
      ['XRANGE', 's', '-', '+'], ['XADD', 's', 'minid', '~', '7', '8-0', 'f', 'v'], ['XLEN', 's'], ['XADD', 's', 'MINID', '100', '9-0', 'f', 'v'],
      ['XRANGE', 's', '-', '+'], ['XINFO', 'STREAM', 's'], ['XADD', 's', 'MINID', '(5', '10-0', 'f', 'v'], ['XADD', 's', 'MINID', '-', '10-0', 'f', 'v'],
      ['XADD', 's', 'MINID', '+', '11-0', 'f', 'v'], ['XLEN', 's'],
    ],
    'trim errors': [
      ...base, ['XADD', 's', 'MAXLEN', '-1', '6-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', 'abc', '6-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '1.5', '6-0', 'f', 'v'],
      ['XADD', 's', 'MAXLEN', '2', 'LIMIT', '10', '6-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '=', '2', 'LIMIT', '10', '6-0', 'f', 'v'],
      ['XADD', 's', 'MAXLEN', '~', '2', 'LIMIT', '-1', '6-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '~', '2', 'LIMIT', 'x', '6-0', 'f', 'v'],
      ['XADD', 's', 'MAXLEN', '1', 'MINID', '1', '6-0', 'f', 'v'], ['XADD', 's', 'MINID', '1', 'MAXLEN', '1', '6-0', 'f', 'v'],
      ['XADD', 's', 'MINID', 'abc', '6-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '~', '6-0', 'f', 'v'], ['XADD', 's', 'LIMIT', '5', '6-0', 'f', 'v'],
      ['XADD', 's', 'MAXLEN', '9223372036854775808', '6-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '9223372036854775807', '6-0', 'f', 'v'],
      ['XADD', 's', 'MAXLEN', '~', '2', 'LIMIT', '9223372036854775807', '7-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '~', '~', '2', '8-0', 'f', 'v'],
      ['XADD', 's', 'MAXLEN', '=', '~', '2', '8-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '2', 'MAXLEN', '3', '8-0', 'f', 'v'], ['XLEN', 's'],
      ['XADD', 's', 'MAXLEN', '1', '0-1', 'f', 'v'], ['XLEN', 's'], ['XADD', 's', 'FOO', '9-0', 'f', 'v'], ['XADD', 'new', 'MAXLEN', '-1', '1-1', 'f', 'v'],
      ['EXISTS', 'new'],
    ],
  });
});

test('XLEN, XRANGE and XREVRANGE: COUNT, exclusive and incomplete IDs, -/+, empty ranges, errors', async () => {
  const fill = adds('r', ['1-0', '1-1', '1-2', '2-0', '3-5', '5-0', '5-1', '10-0', '18446744073709551615-0', '18446744073709551615-18446744073709551615']);
  const q = (...a: string[]) => ['XRANGE', 'r', ...a];
  const rq = (...a: string[]) => ['XREVRANGE', 'r', ...a];
  await same({
    ranges: [
      ...fill, ['XLEN', 'r'], ['XLEN', 'nokey'], q('-', '+'), q('-', '+', 'COUNT', '2'), q('-', '+', 'COUNT', '0'), q('-', '+', 'COUNT', '-1'),
      q('-', '+', 'count', '100'), q('1', '1'), q('1', '2'), q('(1', '+'), q('(1-1', '+'), q('-', '(5-0'), q('(1-0', '(5-1'), q('(1', '(2'),
      q('5', '3'), q('+', '-'), q('3-5', '3-5'), q('3-5', '(3-5'), q('(3-5', '3-5'), q('(3-4', '(3-6'), q('18446744073709551615', '+'),
      q('(18446744073709551615-18446744073709551614', '+'), q('-', '(0-1'), q('(0-0', '+'), q('0', '0'), q('-', '-'), q('+', '+'),
      q('-', '+', 'COUNT', '2', 'COUNT', '3'), q('1-1', '5'), q('1-1', '5-0', 'COUNT', '3'),
      rq('+', '-'), rq('+', '-', 'COUNT', '3'), rq('5', '1'), rq('(5-1', '(1-0'), rq('1', '5'), rq('-', '+'), rq('5', '5'), rq('(2', '-'),
      rq('+', '(18446744073709551615-0'), rq('(0-1', '-'), rq('+', '-', 'COUNT', '0'),
      ['XRANGE', 'nokey', '-', '+'], ['XREVRANGE', 'nokey', '+', '-'],
    ],
    errors: [
      ...fill, q('(18446744073709551615-18446744073709551615', '+'), q('-', '(0-0'), q('(-', '+'), q('-', '(+'), q('abc', '+'), q('-', 'abc'),
      q('-', '+', 'COUNT'), q('-', '+', 'COUNT', 'x'), q('-', '+', 'FOO'), q('-', '+', 'COUNT', '1', 'FOO'), q('-'), ['XRANGE', 'r'],
      rq('(0-0', '-'), rq('+', '(18446744073709551615-18446744073709551615'), rq('x', '-'), rq('+', '-', 'COUNT', '1.5'),
      q('1-x', '+'), q('-1', '+'), q('1-', '+'), ['XLEN'], ['XLEN', 'r', 'x'], ['XRANGE', 'nokey', 'x', '+'], ['XRANGE', 'nokey', '(-', '+'],
      q('(0-0', '(0-0'), q('(18446744073709551615-18446744073709551615', '(0-0'),
    ],
  });
});

test('XDEL: entries, misses, invalid IDs; an emptied stream lives on; XTRIM', async () => {
  const fill = adds('d', ['1-0', '2-0', '3-0', '4-0', '5-0', '6-0']);
  await same({
    xdel: [
      ...fill, ['XDEL', 'd', '2-0'], ['XDEL', 'd', '2-0'], ['XDEL', 'd', '3', '4-0', '99-0', '3-0'], ['XDEL', 'd', 'abc'], ['XDEL', 'd', '1-0', 'abc'],
      ['XLEN', 'd'], ['XRANGE', 'd', '-', '+'], ['XDEL', 'nokey', '1-1'], ['XDEL', 'nokey', 'bad'], ['XDEL', 'd'], ['XINFO', 'STREAM', 'd'],
      ['XDEL', 'd', '1-0', '5-0', '6-0'], ['XLEN', 'd'], ['EXISTS', 'd'], ['TYPE', 'd'], ['XINFO', 'STREAM', 'd'], ['XADD', 'd', '6-0', 'f', 'v'],
      ['XADD', 'd', '6-1', 'f', 'v'], ['XDEL', 'd', '6-1', '6-1'], ['XINFO', 'STREAM', 'd'], ['XRANGE', 'd', '-', '+'], ['XDEL', 'd', '-'], ['XDEL', 'd', '+'],
      ['XDEL', 'd', '18446744073709551615-18446744073709551615'],
    ],
    xtrim: [
      ...fill, ['XTRIM', 'd', 'MAXLEN', '4'], ['XRANGE', 'd', '-', '+'], ['XTRIM', 'd', 'MAXLEN', '=', '3'], ['XTRIM', 'd', 'MAXLEN', '~', '1'],
      ['XTRIM', 'd', 'MINID', '5'], ['XRANGE', 'd', '-', '+'], ['XTRIM', 'd', 'minid', '=', '6-0'], ['XTRIM', 'd', 'MINID', '~', '7'],
      ['XTRIM', 'd', 'MAXLEN', '~', '0', 'LIMIT', '10'], ['XLEN', 'd'], ['XTRIM', 'd', 'MAXLEN', '0'], ['XLEN', 'd'], ['EXISTS', 'd'],
      ['XINFO', 'STREAM', 'd'], ['XTRIM', 'nokey', 'MAXLEN', '0'], ['EXISTS', 'nokey'],
    ],
    'xtrim errors': [
      ...fill, ['XTRIM', 'd'], ['XTRIM', 'd', 'MAXLEN'], ['XTRIM', 'd', 'FOO', '1'], ['XTRIM', 'd', 'MAXLEN', '-1'], ['XTRIM', 'd', 'MAXLEN', 'x'],
      ['XTRIM', 'd', 'MINID', 'x'], ['XTRIM', 'd', 'MAXLEN', '1', 'LIMIT', '1'], ['XTRIM', 'd', 'MAXLEN', '~', '1', 'LIMIT', '-1'],
      ['XTRIM', 'd', 'MAXLEN', '~', '1', 'LIMIT'], ['XTRIM', 'd', 'MAXLEN', '1', 'MINID', '1'], ['XTRIM', 'd', 'MAXLEN', '1', 'FOO'],
      ['XTRIM', 'd', 'LIMIT', '1'], ['XTRIM', 'nokey', 'MAXLEN', 'x'], ['XTRIM', 'nokey', 'FOO', '1'], ['XLEN', 'd'],
    ],
  });
});

test('XSETID: IDs, ENTRIESADDED, MAXDELETEDID and their errors', async () => {
  const fill = adds('x', ['1-0', '2-0', '3-0']);
  const info = ['XINFO', 'STREAM', 'x'];
  await same({
    xsetid: [
      ...fill, ['XSETID', 'x', '5-0'], info, ['XADD', 'x', '4-0', 'f', 'v'], ['XADD', 'x', '5-*', 'f', 'v'], ['XSETID', 'x', '5-1'],
      ['XSETID', 'x', '5-0'], ['XSETID', 'x', '2-0'], ['XSETID', 'x', '10-0', 'ENTRIESADDED', '100', 'MAXDELETEDID', '7-0'], info,
      ['XSETID', 'x', '10-0', 'ENTRIESADDED', '3'], ['XSETID', 'x', '10-0', 'ENTRIESADDED', '4'], ['XSETID', 'x', '10-0', 'ENTRIESADDED', '-1'],
      ['XSETID', 'x', '10-0', 'MAXDELETEDID', '11-0'], ['XSETID', 'x', '10-0', 'MAXDELETEDID', '10-0'], ['XSETID', 'x', '10-0', 'MAXDELETEDID', 'x'],
      ['XSETID', 'x', '10-0', 'ENTRIESADDED', 'x'], ['XSETID', 'x', '10-0', 'ENTRIESADDED'], ['XSETID', 'x', '10-0', 'FOO'], ['XSETID', 'x', 'abc'],
      ['XSETID', 'x', '$'], ['XSETID', 'x', '*'], ['XSETID', 'x'], ['XSETID', 'nokey', '1-0'], ['XSETID', 'nokey', 'bad'], info,
      ['XSETID', 'x', '18446744073709551615-18446744073709551615'], ['XADD', 'x', '*', 'f', 'v'], info,
      ['XSETID', 'x', '20', 'entriesadded', '1000', 'maxdeletedid', '0-0'], info,
    ],
    'empty stream': [
      ['XADD', 'e', '5-0', 'f', 'v'], ['XDEL', 'e', '5-0'], ['XSETID', 'e', '1-0'], ['XSETID', 'e', '0-0'], ['XINFO', 'STREAM', 'e'],
      ['XSETID', 'e', '0-0', 'ENTRIESADDED', '0'], ['XSETID', 'e', '0-0', 'ENTRIESADDED', '0', 'MAXDELETEDID', '0-0'], ['XINFO', 'STREAM', 'e'],
      ['XADD', 'e', '0-1', 'f', 'v'], ['XINFO', 'STREAM', 'e'], ['XSETID', 'e', '3-3', 'ENTRIESADDED', '1', 'MAXDELETEDID', '3-3'], ['XINFO', 'STREAM', 'e'],
    ],
  });
});

test('XREAD without BLOCK: COUNT, several streams, $, incomplete IDs, errors, inside MULTI', async () => {
  const fill = [...adds('a', ['1-0', '2-0', '3-0']), ...adds('b', ['1-5', '7-0'], 'x', 'y')];
  await same({
    xread: [
      ...fill, ['XREAD', 'STREAMS', 'a', '0'], ['XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', '0', '0'], ['XREAD', 'STREAMS', 'a', 'b', '2', '1'],
      ['XREAD', 'STREAMS', 'a', 'b', '3-0', '7-0'], ['XREAD', 'STREAMS', 'a', 'nokey', 'b', '0', '0', '0'], ['XREAD', 'STREAMS', 'a', '$'],
      ['XREAD', 'COUNT', '0', 'STREAMS', 'a', '0'], ['XREAD', 'COUNT', '-1', 'STREAMS', 'a', '0'], ['XREAD', 'streams', 'a', 'a', '0', '2-0'],
      ['XREAD', 'STREAMS', 'a', '18446744073709551615-18446744073709551615'], ['XREAD', 'STREAMS', 'nokey', '0'], ['XREAD', 'STREAMS', 'nokey', '$'],
      ['XREAD', 'COUNT', '1', 'COUNT', '2', 'STREAMS', 'a', '0'], ['XREAD', 'STREAMS', 'a', '1-0'], ['XREAD', 'STREAMS', 'b', '1'],
      ['XREAD', 'BLOCK', '0', 'COUNT', '1', 'STREAMS', 'a', '0'],
    ],
    errors: [
      ...fill, ['XREAD', 'STREAMS', 'a'], ['XREAD', 'STREAMS', 'a', 'b', '0'], ['XREAD', 'STREAMS'], ['XREAD'], ['XREAD', 'COUNT', 'x', 'STREAMS', 'a', '0'],
      ['XREAD', 'STREAMS', 'a', '>'], ['XREAD', 'STREAMS', 'a', 'x'], ['XREAD', 'FOO', 'STREAMS', 'a', '0'], ['XREAD', 'BLOCK', '-1', 'STREAMS', 'a', '0'],
      ['XREAD', 'BLOCK', 'x', 'STREAMS', 'a', '0'], ['XREAD', 'COUNT', '1', 'a', '0'], ['XREAD', 'STREAMS', 'a', '(0'], ['XREAD', 'STREAMS', 'a', '-'],
      ['XREAD', 'STREAMS', 'a', '+'], ['XREAD', 'COUNT'], ['XREAD', 'STREAMS', 'nokey', 'x'], ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 'a', '0'],
      ['XREAD', 'NOACK', 'STREAMS', 'a', '0'],
    ],
    multi: [
      ...fill, ['MULTI'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$'], ['XREAD', 'BLOCK', '100', 'STREAMS', 'a', 'nokey', '3-0', '0'],
      ['XADD', 'a', '4-0', 'f', 'v'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'a', '3-0'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$'], ['EXEC'],
      ['MULTI'], ['XADD', 'a', '1-0', 'f', 'v'], ['XLEN', 'a'], ['EXEC'],
      // An arity error while queuing discards the transaction.
      ['MULTI'], ['XADD', 'a', '9-0', 'f', 'v'], ['XREAD', 'STREAMS', 'a'], ['EXEC'], ['XLEN', 'a'],
    ],
  });
});

test('streams under DEL, RENAME, COPY, MOVE, TYPE, OBJECT ENCODING, EXISTS, DUMP', async () => {
  const fill = [...adds('s', ['1-0', '2-0', '3-0']), ['XDEL', 's', '2-0'], ['XSETID', 's', '9-0', 'ENTRIESADDED', '10', 'MAXDELETEDID', '4-0']];
  await same({
    keys: [
      ...fill, ['TYPE', 's'], ['OBJECT', 'ENCODING', 's'], ['EXISTS', 's'], ['RENAME', 's', 't'], ['XINFO', 'STREAM', 't'], ['EXISTS', 's'],
      ['COPY', 't', 'u'], ['XADD', 'u', '10-0', 'f', 'v'], ['XINFO', 'STREAM', 't'], ['XINFO', 'STREAM', 'u'], ['COPY', 't', 'u'],
      ['COPY', 't', 'u', 'REPLACE'], ['XINFO', 'STREAM', 'u'], ['SET', 'str', 'x'], ['RENAME', 't', 'str'], ['TYPE', 'str'], ['XLEN', 'str'],
      ['MOVE', 'str', '1'], ['SELECT', '1'], ['XINFO', 'STREAM', 'str'], ['SELECT', '0'], ['DEL', 'u'], ['EXISTS', 'u'], ['XLEN', 'u'],
      ['XADD', 'u', '1-0', 'f', 'v'], ['XINFO', 'STREAM', 'u'], ['RANDOMKEY'], ['SCAN', '0', 'TYPE', 'stream'], ['DBSIZE'],
      ['XADD', 'big', '1-0', 'f', 'v'.repeat(100)], ['OBJECT', 'ENCODING', 'big'], ['UNLINK', 'big'],
    ],
    // Without groups nothing in a stream's payload depends on the clock.
    dump: [
      ...fill, ['DUMP', 's'], ['XADD', 'm', '1-0', 'a', '1', 'b', 'x'], ['XADD', 'm', '1-1', 'a', '2', 'b', 'y'], ['XADD', 'm', '2-0', 'c', '-5'],
      ['XADD', 'm', '3-0', 'a', '99999999999', 'b', ''], ['XADD', 'm', '4-0', 'a', 'v'.repeat(200)], ['DUMP', 'm'], ['XDEL', 'm', '1-1'], ['DUMP', 'm'],
      ['DUMP', 'nokey'], ['RESTORE', 'm2', '0', '\x00'], ['XADD', 'e', '1-0', 'f', 'v'], ['XDEL', 'e', '1-0'], ['DUMP', 'e'],
    ],
  });
  // RESTORE of each server's own DUMP payload, with groups (whose times differ): compare the restored stream.
  for (const resp of ['2', '3']) {
    const replies: string[][] = [];
    for (const c of [pair.redisClient, pair.reddishClient]) {
      const got: string[] = [];
      const call = async (...a: string[]) => {
        const raw = await c.call(...a);
        got.push(normalizeStreamReply(raw, a));
        return raw;
      };
      await c.call('HELLO', resp);
      await c.call('FLUSHALL');
      for (const cmd of fill) await call(...cmd);
      await call('XGROUP', 'CREATE', 's', 'g', '0');
      await call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>');
      await call('XCLAIM', 's', 'g', 'c2', '0', '1-0', 'TIME', '12345', 'RETRYCOUNT', '4');
      c.write(RawClient.encode(['DUMP', 's']));
      const dump = await c.readReply();
      assert.equal(dump.value.type, 'bulk', `DUMP s: ${dump.raw}`);
      const payload = dump.value.type === 'bulk' ? dump.value.value : '';
      await call('RESTORE', 's', '0', payload);
      await call('RESTORE', 'r', '0', payload);
      await call('XINFO', 'STREAM', 'r', 'FULL');
      await call('XPENDING', 'r', 'g', '-', '+', '10');
      await call('RESTORE', 'r', '0', payload, 'REPLACE');
      await call('XINFO', 'GROUPS', 'r');
      replies.push(got);
    }
    assert.deepEqual(replies[1], replies[0], `RESP${resp}: own DUMP → RESTORE`);
  }
});
