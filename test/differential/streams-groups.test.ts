/**
 * Consumer groups against Redis 7.0, byte for byte in RESP2 and RESP3 (idle
 * and delivery times masked, see stream-generator.ts): XGROUP (CREATE,
 * CREATECONSUMER, DELCONSUMER, DESTROY, SETID, errors), XREADGROUP, XACK,
 * XPENDING, XCLAIM, XAUTOCLAIM, XINFO, entries-read and lag through XDEL,
 * XTRIM, XSETID, and groups carried by RENAME/COPY.
 *
 * Idle-based choices are made deterministic: every min-idle or IDLE filter is
 * 0 or one hour, and entries are made "old" with XCLAIM IDLE/TIME.
 */
import { test, before, after } from 'node:test';
import type { Pair } from './harness.js';
import { streamPair, expectSameStreams } from './stream-generator.js';

let pair: Pair;
before(async () => {
  pair = await streamPair();
});
after(async () => {
  await pair?.stop();
});

const same = (scripts: Record<string, string[][]>): Promise<void> => expectSameStreams(pair, scripts);

/** Stream `key` with entries 1-0 .. n-0, field f = i. */
function fill(key: string, n: number, from = 1): string[][] {
  return Array.from({ length: n }, (_, i) => ['XADD', key, `${from + i}-0`, 'f', String(from + i)]);
}

const FULL = (k = 's') => ['XINFO', 'STREAM', k, 'FULL'];
const GROUPS = (k = 's') => ['XINFO', 'GROUPS', k];

test('XGROUP: CREATE (MKSTREAM, ENTRIESREAD, $, 0), CREATECONSUMER, DELCONSUMER, DESTROY, SETID, errors', async () => {
  await same({
    create: [
      ['XGROUP', 'CREATE', 's', 'g', '$'], ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      ['TYPE', 's'], ['XLEN', 's'], ...fill('s', 5), ['XGROUP', 'CREATE', 's', 'g0', '0'], ['XGROUP', 'CREATE', 's', 'g2', '2-0', 'ENTRIESREAD', '2'],
      ['XGROUP', 'CREATE', 's', 'g3', '3', 'ENTRIESREAD', '-1'], ['XGROUP', 'CREATE', 's', 'g4', '$', 'entriesread', '5'], ['XGROUP', 'CREATE', 's', 'g5', '0', 'ENTRIESREAD', '9'],
      ['XGROUP', 'CREATE', 's', 'g6', '10-0'], ['XGROUP', 'CREATE', 's', 'g7', '2-0', 'mkstream', 'ENTRIESREAD', '1'], GROUPS(), FULL(),
      ['XGROUP', 'CREATE', 's', 'bad', 'abc'], ['XGROUP', 'CREATE', 's', 'bad', '>'], ['XGROUP', 'CREATE', 's', 'bad', '-'], ['XGROUP', 'CREATE', 's', 'bad', '+'],
      ['XGROUP', 'CREATE', 's', 'bad', '0', 'ENTRIESREAD', '-2'], ['XGROUP', 'CREATE', 's', 'bad', '0', 'ENTRIESREAD', 'x'], ['XGROUP', 'CREATE', 's', 'bad', '0', 'ENTRIESREAD'],
      ['XGROUP', 'CREATE', 's', 'bad', '0', 'FOO'], ['XGROUP', 'CREATE', 's', 'bad'], ['XGROUP', 'CREATE', 's'], ['XGROUP', 'CREATE'],
      ['XGROUP', 'CREATE', 'nokey', 'g', '$'], ['XGROUP', 'CREATE', 'nokey', 'g', 'abc'], ['XGROUP', 'CREATE', 'nokey', 'g', 'abc', 'MKSTREAM'], ['EXISTS', 'nokey'],
      ['XGROUP', 'CREATE', 'm', 'g', '5-5', 'MKSTREAM'], ['XINFO', 'STREAM', 'm'], GROUPS('m'), ['XGROUP', 'CREATE', 'm2', 'g', '0', 'MKSTREAM', 'ENTRIESREAD', '3'],
      GROUPS('m2'), ['XGROUP', 'CREATE', 's', '', '0'], ['XGROUP', 'CREATE', 's', 'g\x00bin', '0'], GROUPS(),
    ],
    consumers: [
      ...fill('s', 4), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c2'], ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'c1'], ['XGROUP', 'CREATECONSUMER', 'nokey', 'g', 'c1'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c', 'x'], ['XINFO', 'CONSUMERS', 's', 'g'],
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '3', 'STREAMS', 's', '>'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'c1'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'c1'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'c2'], ['XGROUP', 'DELCONSUMER', 's', 'nog', 'c2'], ['XGROUP', 'DELCONSUMER', 'nokey', 'g', 'c2'],
      ['XGROUP', 'DELCONSUMER', 's', 'g'], ['XPENDING', 's', 'g'], ['XINFO', 'CONSUMERS', 's', 'g'], GROUPS(), FULL(),
      ['XREADGROUP', 'GROUP', 'g', 'new', 'STREAMS', 's', '0'], ['XINFO', 'CONSUMERS', 's', 'g'], ['XREADGROUP', 'GROUP', 'g', 'new', 'STREAMS', 's', '>'],
      ['XINFO', 'CONSUMERS', 's', 'g'],
    ],
    'destroy and setid': [
      ...fill('s', 5), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'],
      ['XGROUP', 'SETID', 's', 'g', '0'], GROUPS(), ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'], ['XPENDING', 's', 'g'],
      ['XGROUP', 'SETID', 's', 'g', '3-0', 'ENTRIESREAD', '3'], GROUPS(), ['XGROUP', 'SETID', 's', 'g', '$'], GROUPS(),
      ['XGROUP', 'SETID', 's', 'g', '2', 'ENTRIESREAD', '-1'], GROUPS(), ['XGROUP', 'SETID', 's', 'g', '100-0'], GROUPS(),
      ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '-5'], ['XGROUP', 'SETID', 's', 'g', 'x'], ['XGROUP', 'SETID', 's', 'nog', '0'],
      ['XGROUP', 'SETID', 'nokey', 'g', '0'], ['XGROUP', 'SETID', 's', 'g'], ['XGROUP', 'SETID', 's', 'g', '0', 'FOO'], ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '3', 'X'],
      ['XGROUP', 'DESTROY', 's', 'g'], ['XGROUP', 'DESTROY', 's', 'g'], ['XGROUP', 'DESTROY', 'nokey', 'g'], ['XGROUP', 'DESTROY', 's'],
      ['XGROUP', 'DESTROY', 's', 'g', 'x'], GROUPS(), ['XPENDING', 's', 'g'], ['EXISTS', 's'],
    ],
    'help and unknown': [
      ['XGROUP', 'HELP'], ['XGROUP', 'help'], ['XGROUP', 'FOO'], ['XGROUP', 'FOO', 'x'], ['XGROUP'], ['XGROUP', 'HELP', 'x'],
      ['XINFO', 'HELP'], ['XINFO', 'FOO'], ['XINFO'], ['XINFO', 'STREAM'],
    ],
  });
});

test('XREADGROUP: >, history, NOACK, COUNT, several streams, deleted entries, errors', async () => {
  await same({
    reads: [
      ...fill('s', 6), ...fill('t', 3, 10), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 't', 'g', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '2', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '1', 'STREAMS', 's', 't', '>', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '1-0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 's', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', 't', '0', '0'], ['XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', 's', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c3', 'NOACK', 'COUNT', '2', 'STREAMS', 's', '>'], ['XPENDING', 's', 'g'], ['XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', 's', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', 't', '>', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '0', 'STREAMS', 't', '>'], ['XREADGROUP', 'group', 'g', 'c1', 'count', '10', 'noack', 'streams', 't', '0'],
      // A pending entry deleted: history shows it as nil.
      ['XDEL', 's', '1-0', '2-0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 's', '0'],
      ['XPENDING', 's', 'g', '-', '+', '10'], ['XADD', 's', '7-0', 'f', '7'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '1', 'NOACK', 'STREAMS', 's', '>'],
      ['XINFO', 'CONSUMERS', 's', 'g'], FULL(), GROUPS(), GROUPS('t'),
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '18446744073709551615-18446744073709551615'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '5'],
    ],
    errors: [
      ...fill('s', 3), ['XGROUP', 'CREATE', 's', 'g', '0'], ['SET', 'str', 'x'],
      ['XREADGROUP', 'GROUP', 'nog', 'c', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nokey', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'nokey', '>', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's'], ['XREADGROUP', 'GROUP', 'g', 'STREAMS', 's', '>'], ['XREADGROUP', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'x'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 'x', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '-1', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'FOO', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'str', '>', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '-'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '(1'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 's', '>', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 's', '>', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'GROUP', 'g', 'd', 'STREAMS', 's', '>'], ['XINFO', 'CONSUMERS', 's', 'g'], ['XPENDING', 's', 'g'],
      ['XREADGROUP', 'GROUP', 'g', 'c'], ['XREADGROUP'],
    ],
  });
});

test('XACK and XPENDING: summary, extended, IDLE, consumer filter, exclusive ranges, errors', async () => {
  await same({
    xack: [
      ...fill('s', 6), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '3', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'], ['XACK', 's', 'g', '1-0'], ['XACK', 's', 'g', '1-0'], ['XACK', 's', 'g', '2-0', '5-0', '99-0', '2-0'],
      ['XACK', 's', 'g', 'x'], ['XACK', 's', 'g', '3-0', 'x'], ['XACK', 's', 'nog', '3-0'], ['XACK', 'nokey', 'g', '3-0'], ['XACK', 's', 'g'], ['XACK', 's', 'g', '3'],
      ['XACK', 'nokey', 'g', 'x'], ['XPENDING', 's', 'g'], ['XINFO', 'CONSUMERS', 's', 'g'], ['XACK', 's', 'g', '4-0', '6-0'], ['XPENDING', 's', 'g'], FULL(),
    ],
    xpending: [
      ...fill('s', 8), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 's', 'empty', '0'],
      ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '3', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '3', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c0', 'COUNT', '1', 'STREAMS', 's', '>'],
      // Two entries made an hour and more idle, so the IDLE filter has something to choose.
      ['XCLAIM', 's', 'g', 'c1', '0', '2-0', 'IDLE', '7200000'], ['XCLAIM', 's', 'g', 'c2', '0', '5-0', 'TIME', '1000'],
      ['XPENDING', 's', 'g'], ['XPENDING', 's', 'empty'], ['XPENDING', 's', 'g', '-', '+', '10'], ['XPENDING', 's', 'g', '-', '+', '2'],
      ['XPENDING', 's', 'g', '-', '+', '0'], ['XPENDING', 's', 'g', '-', '+', '-1'], ['XPENDING', 's', 'g', '(1-0', '(5-0', '10'], ['XPENDING', 's', 'g', '2', '4', '10'],
      ['XPENDING', 's', 'g', '+', '-', '10'], ['XPENDING', 's', 'g', '-', '+', '10', 'c1'], ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'],
      ['XPENDING', 's', 'g', 'IDLE', '3600000', '-', '+', '10'], ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10', 'c2'],
      ['XPENDING', 's', 'g', 'idle', '3600000', '-', '+', '10', 'c1'], ['XPENDING', 's', 'empty', '-', '+', '10'],
      ['XPENDING', 's', 'g', 'IDLE', '-1', '-', '+', '10'], ['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '10'], ['XPENDING', 's', 'g', 'IDLE', '10'],
      ['XPENDING', 's', 'g', '-', '+'], ['XPENDING', 's', 'g', '-'], ['XPENDING', 's', 'g', '-', '+', 'x'], ['XPENDING', 's', 'g', 'x', '+', '10'],
      ['XPENDING', 's', 'g', '(-', '+', '10'], ['XPENDING', 's', 'g', '-', '+', '10', 'c1', 'extra'], ['XPENDING', 's', 'nog'], ['XPENDING', 'nokey', 'g'],
      ['XPENDING', 'nokey', 'g', '-', '+', '10'], ['XPENDING', 's'], ['XPENDING', 's', 'g', '(18446744073709551615-18446744073709551615', '+', '10'],
      ['XPENDING', 's', 'g', '-', '(0-0', '10'], ['XPENDING', 's', 'g', '-', '+', '9223372036854775807'],
    ],
  });
});

test('XCLAIM: every option, deleted entries, min-idle, errors', async () => {
  const setup = [
    ...fill('s', 8), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '4', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '2', 'STREAMS', 's', '>'],
  ];
  const pend = ['XPENDING', 's', 'g', '-', '+', '20'];
  await same({
    options: [
      ...setup, ['XCLAIM', 's', 'g', 'c3', '0', '1-0'], pend, ['XCLAIM', 's', 'g', 'c3', '0', '2-0', '3-0', 'JUSTID'], pend,
      ['XCLAIM', 's', 'g', 'c3', '3600000', '4-0'], ['XCLAIM', 's', 'g', 'c2', '0', '4-0', 'IDLE', '7200000'], ['XCLAIM', 's', 'g', 'c3', '3600000', '4-0', 'JUSTID'], pend,
      ['XCLAIM', 's', 'g', 'c1', '0', '5-0', 'TIME', '12345', 'RETRYCOUNT', '7'], pend, FULL(), ['XCLAIM', 's', 'g', 'c1', '0', '6-0', 'RETRYCOUNT', '0', 'JUSTID'], pend,
      ['XCLAIM', 's', 'g', 'c4', '0', '7-0'], ['XCLAIM', 's', 'g', 'c4', '0', '7-0', 'FORCE'], pend, ['XCLAIM', 's', 'g', 'c4', '0', '8-0', 'FORCE', 'JUSTID'],
      ['XCLAIM', 's', 'g', 'c4', '0', '99-0', 'FORCE'], pend, ['XCLAIM', 's', 'g', 'c4', '0', '1-0', 'LASTID', '50-0'], GROUPS(),
      ['XCLAIM', 's', 'g', 'c4', '0', '1-0', 'LASTID', '2-0'], GROUPS(), ['XCLAIM', 's', 'g', 'c4', '0', '1-0', 'IDLE', '100', 'TIME', '99999'], FULL(),
      ['XCLAIM', 's', 'g', 'c4', '0', '1-0', 'TIME', '1000', 'IDLE', '7200000'], ['XPENDING', 's', 'g', 'IDLE', '3600000', '-', '+', '10'],
      ['XCLAIM', 's', 'g', 'c5', '0', '1-0', '2-0', 'x-0'], ['XCLAIM', 's', 'g', 'c5', '0', '1-0', 'justid', 'force', 'retrycount', '2', 'idle', '0'], pend,
      ['XINFO', 'CONSUMERS', 's', 'g'],
    ],
    deleted: [
      ...setup, ['XDEL', 's', '2-0', '3-0'], ['XCLAIM', 's', 'g', 'c3', '0', '1-0', '2-0', '3-0'], pend, ['XCLAIM', 's', 'g', 'c3', '0', '4-0', '2-0', 'JUSTID'],
      pend, ['XCLAIM', 's', 'g', 'c3', '0', '2-0', 'FORCE'], pend, ['XDEL', 's', '5-0'], ['XCLAIM', 's', 'g', 'c3', '0', '5-0', 'JUSTID'], pend,
      ['XINFO', 'CONSUMERS', 's', 'g'], FULL(),
    ],
    errors: [
      ...setup, ['XCLAIM', 's', 'g', 'c', 'x', '1-0'], ['XCLAIM', 's', 'g', 'c', '-1', '1-0'], ['XCLAIM', 's', 'g', 'c', '0', 'x'],
      ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'IDLE', 'x'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'IDLE'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'TIME', 'x'],
      ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'RETRYCOUNT', 'x'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'RETRYCOUNT', '-1'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'LASTID', 'x'],
      ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'FOO'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'IDLE', '-5'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'TIME', '-5'],
      ['XCLAIM', 's', 'nog', 'c', '0', '1-0'], ['XCLAIM', 'nokey', 'g', 'c', '0', '1-0'], ['XCLAIM', 's', 'g', 'c', '0'], ['XCLAIM', 's', 'g', 'c'],
      ['XCLAIM', 's', 'g', 'c', '9223372036854775807', '1-0'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'RETRYCOUNT', '9223372036854775807', 'JUSTID'],
      ['XCLAIM', 's', 'g', 'c', '0', 'JUSTID'], ['XCLAIM', 's', 'g', 'c', '0', '1-0', 'JUSTID', '2-0'], pend, ['XINFO', 'CONSUMERS', 's', 'g'],
    ],
  });
});

test('XAUTOCLAIM: cursor, COUNT, JUSTID, min-idle, entries deleted meanwhile, errors', async () => {
  const setup = [
    ...fill('s', 10), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '6', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
  ];
  const pend = ['XPENDING', 's', 'g', '-', '+', '20'];
  await same({
    cursor: [
      ...setup, ['XAUTOCLAIM', 's', 'g', 'c3', '0', '0', 'COUNT', '3'], pend, ['XAUTOCLAIM', 's', 'g', 'c3', '0', '4-0', 'COUNT', '3', 'JUSTID'],
      ['XAUTOCLAIM', 's', 'g', 'c3', '0', '7-0'], ['XAUTOCLAIM', 's', 'g', 'c3', '0', '(7-0', 'COUNT', '1'], ['XAUTOCLAIM', 's', 'g', 'c3', '0', '-'],
      ['XAUTOCLAIM', 's', 'g', 'c3', '0', '+'], ['XAUTOCLAIM', 's', 'g', 'c3', '3600000', '0'], ['XCLAIM', 's', 'g', 'c1', '0', '2-0', '8-0', 'IDLE', '7200000'],
      ['XAUTOCLAIM', 's', 'g', 'c4', '3600000', '0'], pend, ['XAUTOCLAIM', 's', 'g', 'c4', '0', '0', 'COUNT', '100'], ['XINFO', 'CONSUMERS', 's', 'g'], FULL(),
      ['XAUTOCLAIM', 's', 'g', 'c5', '0', '99-0'], ['XAUTOCLAIM', 's', 'empty', 'c5', '0', '0'],
    ],
    deleted: [
      ...setup, ['XDEL', 's', '2-0', '3-0', '6-0'], ['XAUTOCLAIM', 's', 'g', 'c3', '0', '0', 'COUNT', '2'], pend, ['XAUTOCLAIM', 's', 'g', 'c3', '0', '0', 'COUNT', '5'],
      pend, ['XDEL', 's', '9-0'], ['XAUTOCLAIM', 's', 'g', 'c3', '0', '0', 'JUSTID'], pend, ['XINFO', 'CONSUMERS', 's', 'g'], GROUPS(),
      ['XTRIM', 's', 'MAXLEN', '0'], ['XAUTOCLAIM', 's', 'g', 'c1', '0', '0'], pend, FULL(),
    ],
    errors: [
      ...setup, ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '0'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '-1'],
      ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', 'x'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '9223372036854775807'],
      ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT', '1000000'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'COUNT'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'FOO'],
      ['XAUTOCLAIM', 's', 'g', 'c', 'x', '0'], ['XAUTOCLAIM', 's', 'g', 'c', '-1', '0'], ['XAUTOCLAIM', 's', 'g', 'c', '0', 'x'], ['XAUTOCLAIM', 's', 'nog', 'c', '0', '0'],
      ['XAUTOCLAIM', 'nokey', 'g', 'c', '0', '0'], ['XAUTOCLAIM', 's', 'g', 'c', '0'], ['XAUTOCLAIM', 's', 'g', 'c', '0', '0', 'JUSTID', 'JUSTID'], pend,
    ],
  });
});

test('XINFO STREAM (FULL, COUNT), GROUPS, CONSUMERS and their errors', async () => {
  await same({
    xinfo: [
      ...fill('s', 15), ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 's', 'g2', '$'], ['XREADGROUP', 'GROUP', 'g1', 'c1', 'COUNT', '12', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g1', 'c2', 'COUNT', '1', 'STREAMS', 's', '>'], ['XGROUP', 'CREATECONSUMER', 's', 'g2', 'idle'],
      ['XINFO', 'STREAM', 's'], FULL(), ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '3'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0'],
      ['XINFO', 'STREAM', 's', 'full', 'count', '1'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '-1'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 'x'],
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT'], ['XINFO', 'STREAM', 's', 'FULL', 'FOO'], ['XINFO', 'STREAM', 's', 'FOO'], ['XINFO', 'STREAM', 's', 'COUNT', '1'],
      ['XINFO', 'GROUPS', 's'], ['XINFO', 'CONSUMERS', 's', 'g1'], ['XINFO', 'CONSUMERS', 's', 'g2'], ['XINFO', 'CONSUMERS', 's', 'nog'],
      ['XINFO', 'CONSUMERS', 'nokey', 'g1'], ['XINFO', 'CONSUMERS', 's'], ['XINFO', 'GROUPS', 'nokey'], ['XINFO', 'STREAM', 'nokey'],
      ['XINFO', 'STREAM', 'nokey', 'FULL'], ['XINFO', 'GROUPS'], ['XINFO', 'GROUPS', 's', 'x'], ['XINFO', 'CONSUMERS', 's', 'g1', 'x'],
      ['XADD', 'e', '1-0', 'f', 'v'], ['XDEL', 'e', '1-0'], ['XINFO', 'STREAM', 'e'], FULL('e'), ['XINFO', 'GROUPS', 'e'],
    ],
  });
});

test('entries-read and lag through XDEL, XTRIM, XSETID, SETID and ENTRIESREAD (7.0 rules)', async () => {
  const rd = (g: string, n = '1') => ['XREADGROUP', 'GROUP', g, 'c', 'COUNT', n, 'STREAMS', 's', '>'];
  await same({
    'lag basics': [
      ['XGROUP', 'CREATE', 's', 'g0', '0', 'MKSTREAM'], GROUPS(), ...fill('s', 5), ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 's', 'g2', '$'],
      ['XGROUP', 'CREATE', 's', 'g3', '3-0'], GROUPS(), rd('g0', '2'), rd('g1'), rd('g3'), GROUPS(), rd('g0', '10'), rd('g1', '10'), GROUPS(),
      ['XADD', 's', '6-0', 'f', '6'], GROUPS(), rd('g2'), GROUPS(),
    ],
    'xdel before and after the group': [
      ...fill('s', 10), ['XGROUP', 'CREATE', 's', 'a', '0'], ['XGROUP', 'CREATE', 's', 'b', '0'], rd('a', '3'), rd('b', '6'), GROUPS(),
      ['XDEL', 's', '2-0'], GROUPS(), ['XDEL', 's', '5-0'], GROUPS(), rd('a', '1'), GROUPS(), rd('a', '10'), GROUPS(), ['XDEL', 's', '10-0'], GROUPS(),
      ['XADD', 's', '11-0', 'f', '11'], GROUPS(), rd('b', '10'), GROUPS(), ['XGROUP', 'CREATE', 's', 'late', '0'], GROUPS(), rd('late', '2'), GROUPS(),
      ['XINFO', 'STREAM', 's'],
    ],
    'xtrim and the first entry': [
      ...fill('s', 10), ['XGROUP', 'CREATE', 's', 'a', '0'], ['XGROUP', 'CREATE', 's', 'b', '0'], rd('b', '4'), ['XTRIM', 's', 'MAXLEN', '7'], GROUPS(),
      rd('a', '1'), GROUPS(), ['XTRIM', 's', 'MINID', '6-0'], GROUPS(), rd('b', '1'), GROUPS(), ['XGROUP', 'CREATE', 's', 'c', '0'], GROUPS(),
      ['XGROUP', 'CREATE', 's', 'd', '5-0'], GROUPS(), ['XGROUP', 'CREATE', 's', 'e', '8-0'], GROUPS(), ['XTRIM', 's', 'MAXLEN', '0'], GROUPS(),
      ['XADD', 's', '20-0', 'f', 'v'], GROUPS(), ['XINFO', 'STREAM', 's'],
    ],
    'xsetid and maxdeletedid': [
      ...fill('s', 5), ['XGROUP', 'CREATE', 's', 'a', '0'], rd('a', '2'), ['XSETID', 's', '5-0', 'ENTRIESADDED', '10', 'MAXDELETEDID', '3-0'], GROUPS(),
      ['XSETID', 's', '5-0', 'ENTRIESADDED', '10', 'MAXDELETEDID', '0-0'], GROUPS(), ['XSETID', 's', '9-0', 'MAXDELETEDID', '1-5'], GROUPS(), rd('a', '1'), GROUPS(),
      ['XGROUP', 'CREATE', 's', 'b', '$'], GROUPS(), ['XSETID', 's', '20-0'], GROUPS(), ['XADD', 's', '21-0', 'f', 'v'], GROUPS(), rd('b'), GROUPS(),
      ['XINFO', 'STREAM', 's'],
    ],
    'setid and entriesread': [
      ...fill('s', 8), ['XGROUP', 'CREATE', 's', 'a', '0', 'ENTRIESREAD', '2'], GROUPS(), ['XGROUP', 'CREATE', 's', 'b', '4-0', 'ENTRIESREAD', '100'], GROUPS(),
      ['XGROUP', 'SETID', 's', 'a', '3-0', 'ENTRIESREAD', '3'], GROUPS(), rd('a', '2'), GROUPS(), ['XGROUP', 'SETID', 's', 'a', '$'], GROUPS(),
      ['XGROUP', 'SETID', 's', 'a', '0'], GROUPS(), ['XGROUP', 'SETID', 's', 'a', '6-0'], GROUPS(), ['XDEL', 's', '7-0'], GROUPS(), rd('a', '5'), GROUPS(),
      ['XGROUP', 'SETID', 's', 'b', '2-0', 'ENTRIESREAD', '0'], GROUPS(), ['XGROUP', 'SETID', 's', 'b', '8-0', 'ENTRIESREAD', '8'], GROUPS(),
      ['XGROUP', 'SETID', 's', 'b', '99-0'], GROUPS(),
    ],
  });
});

test('groups survive RENAME and COPY; DEL forgets them; TYPE and OBJECT ENCODING', async () => {
  await same({
    keys: [
      ...fill('s', 5), ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>'],
      ['XCLAIM', 's', 'g', 'd', '0', '1-0', 'TIME', '4242', 'RETRYCOUNT', '3'], ['RENAME', 's', 't'], FULL('t'), ['XPENDING', 't', 'g', '-', '+', '10'],
      ['COPY', 't', 'u'], ['XACK', 'u', 'g', '1-0'], ['XGROUP', 'CREATE', 'u', 'h', '$'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'u', '>'],
      FULL('t'), FULL('u'), ['XINFO', 'CONSUMERS', 't', 'g'], ['XINFO', 'CONSUMERS', 'u', 'g'], ['TYPE', 'u'], ['OBJECT', 'ENCODING', 'u'],
      ['DEL', 't'], ['XINFO', 'GROUPS', 't'], ['XADD', 't', '1-0', 'f', 'v'], ['XINFO', 'GROUPS', 't'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 't', '>'],
      ['COPY', 'u', 't', 'REPLACE'], GROUPS('t'), ['RENAME', 'u', 'u'], GROUPS('u'), ['MOVE', 'u', '2'], ['SELECT', '2'], FULL('u'), ['SELECT', '0'],
    ],
  });
});
