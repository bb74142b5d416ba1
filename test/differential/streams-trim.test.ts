/**
 * Node boundaries and approximate trimming, against Redis 7.0 in RESP2 and
 * RESP3. `~` removes whole internal nodes only, so what it removes depends on
 * where nodes end: after stream-node-max-entries entries or when a node's
 * listpack would pass stream-node-max-bytes (exact listpack sizes matter:
 * integers encoded small, fields shared with the node's master entry, big
 * values). XINFO STREAM's radix-tree-keys counts the nodes.
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

const INFO = ['XINFO', 'STREAM', 's'];
const DEFAULTS = [['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096']];

/** n entries from ms `from`, their fields and values from `fv(i)`. */
function adds(n: number, fv: (i: number) => string[], from = 1, key = 's'): string[][] {
  return Array.from({ length: n }, (_, i) => ['XADD', key, `${from + i}-0`, ...fv(from + i)]);
}

/** Every command followed by XINFO STREAM, so each step's node count is compared. */
function withInfo(cmds: string[][]): string[][] {
  return cmds.flatMap((c) => [c, INFO]);
}

test('approximate trimming of 350 small entries in 100-entry nodes', async () => {
  await same({
    maxlen: [
      ...DEFAULTS, ...adds(350, (i) => ['f', String(i)]), INFO,
      ...withInfo([
        ['XTRIM', 's', 'MAXLEN', '~', '300'], ['XTRIM', 's', 'MAXLEN', '~', '251'], ['XTRIM', 's', 'MAXLEN', '~', '250'], ['XTRIM', 's', 'MAXLEN', '~', '149'],
        ['XADD', 's', 'MAXLEN', '~', '100', '351-0', 'f', 'x'], ['XTRIM', 's', 'MAXLEN', '~', '0'],
      ]),
      ['XRANGE', 's', '-', '+', 'COUNT', '3'], ['XREVRANGE', 's', '+', '-', 'COUNT', '3'],
    ],
    'limit': [
      ...DEFAULTS, ...adds(350, (i) => ['f', String(i)]),
      ...withInfo([
        ['XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '150'], ['XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '99'], ['XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '100'],
        ['XTRIM', 's', 'MINID', '~', '330', 'LIMIT', '1000'], ['XTRIM', 's', 'MAXLEN', '~', '10', 'LIMIT', '0'], ['XTRIM', 's', 'MAXLEN', '=', '10'],
      ]),
      ['XRANGE', 's', '-', '+'],
    ],
    minid: [
      ...DEFAULTS, ...adds(350, (i) => ['f', String(i)]),
      ...withInfo([
        ['XTRIM', 's', 'MINID', '~', '50'], ['XTRIM', 's', 'MINID', '~', '101'], ['XTRIM', 's', 'MINID', '~', '201-0'], ['XTRIM', 's', 'MINID', '~', '202'],
        ['XADD', 's', 'MINID', '~', '400', '400-0', 'f', 'x'], ['XTRIM', 's', 'MINID', '400'],
      ]),
    ],
    'deleted entries in nodes': [
      ...DEFAULTS, ...adds(250, (i) => ['f', String(i)]),
      ...Array.from({ length: 60 }, (_, i) => ['XDEL', 's', `${i * 4 + 1}-0`]),
      ...withInfo([['XTRIM', 's', 'MAXLEN', '~', '150'], ['XTRIM', 's', 'MAXLEN', '~', '120'], ['XTRIM', 's', 'MINID', '~', '205']]),
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '5'], ['XRANGE', 's', '-', '+', 'COUNT', '5'],
    ],
  });
});

test('node bytes: big values, shared and differing fields, small integers, entries over 4 KB', async () => {
  const v = (n: number, c = 'v') => c.repeat(n);
  await same({
    'big values': [
      ...DEFAULTS, ...adds(40, (i) => ['f', v(700 + (i % 7) * 90)]), INFO,
      ...withInfo([['XTRIM', 's', 'MAXLEN', '~', '33'], ['XTRIM', 's', 'MAXLEN', '~', '20'], ['XTRIM', 's', 'MINID', '~', '30']]),
      ['XRANGE', 's', '-', '+', 'COUNT', '1'],
    ],
    'over the node size': [
      ...DEFAULTS, ...adds(6, (i) => ['f', v(5000 + i)]), INFO, ...adds(3, (i) => ['f', String(i)], 7), INFO, ['XADD', 's', '10-0', 'f', v(9000)], INFO,
      ...withInfo([['XTRIM', 's', 'MAXLEN', '~', '5'], ['XTRIM', 's', 'MAXLEN', '~', '1']]),
    ],
    'master entry fields': [
      // Same fields as a node's first entry are stored compressed; other fields whole.
      ...DEFAULTS, ['CONFIG', 'SET', 'stream-node-max-bytes', '300'],
      ...adds(60, (i) => (i % 3 === 0 ? ['a', String(i), 'b', 'x'] : i % 3 === 1 ? ['a', String(i * 1000), 'b', 'y'] : ['c', `s${i}`])), INFO,
      ...adds(30, (i) => ['a', String(-i * 7777777), 'b', i % 2 ? '0123' : '123'], 61), INFO,
      ...adds(20, (i) => ['n', String(2 ** (i + 10)), 'm', String(-(2 ** (i + 20)))], 91), INFO,
      ...withInfo([['XTRIM', 's', 'MAXLEN', '~', '70'], ['XTRIM', 's', 'MINID', '~', '80'], ['XTRIM', 's', 'MAXLEN', '~', '25']]),
      ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '3'], ...DEFAULTS,
    ],
  });
});

test('stream-node-max-entries and stream-node-max-bytes variations, and the default LIMIT', async () => {
  await same({
    'five per node': [
      ...DEFAULTS, ['CONFIG', 'SET', 'stream-node-max-entries', '5'], ...adds(703, (i) => ['f', String(i)]), INFO,
      // The default LIMIT for `~` is 100 × stream-node-max-entries.
      ...withInfo([['XTRIM', 's', 'MAXLEN', '~', '0'], ['XTRIM', 's', 'MAXLEN', '~', '37'], ['XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '12']]),
      ...adds(50, (i) => ['f', String(i)], 1000), INFO, ['CONFIG', 'SET', 'stream-node-max-entries', '100'], ...adds(50, (i) => ['f', String(i)], 2000), INFO,
      ['XTRIM', 's', 'MAXLEN', '~', '60'], INFO, ...DEFAULTS,
    ],
    'trimming on every add': [
      ...DEFAULTS, ['CONFIG', 'SET', 'stream-node-max-entries', '10'],
      ...Array.from({ length: 300 }, (_, i) => ['XADD', 's', 'MAXLEN', '~', '35', `${i + 1}-0`, 'f', String(i)]), INFO, ['XLEN', 's'],
      ...Array.from({ length: 60 }, (_, i) => ['XADD', 's', 'MINID', '~', `${280 + i}`, `${301 + i}-0`, 'g', String(i)]), INFO, ...DEFAULTS,
    ],
    'no limits': [
      ...DEFAULTS, ['CONFIG', 'SET', 'stream-node-max-entries', '0'], ['CONFIG', 'SET', 'stream-node-max-bytes', '0'], ...adds(250, (i) => ['f', String(i)]), INFO,
      ['XTRIM', 's', 'MAXLEN', '~', '10'], INFO, ['CONFIG', 'SET', 'stream-node-max-bytes', '1kb'], ...adds(30, (i) => ['f', 'x'.repeat(100)], 300), INFO,
      ['XTRIM', 's', 'MAXLEN', '~', '10'], INFO, ['CONFIG', 'SET', 'stream-node-max-entries', '3'], ['CONFIG', 'SET', 'stream-node-max-bytes', '0'],
      ...adds(10, (i) => ['f', String(i)], 400), INFO, ['XTRIM', 's', 'MAXLEN', '~', '4'], INFO, ['XTRIM', 's', 'MAXLEN', '~', '0'], INFO,
      ['CONFIG', 'GET', 'stream-node-max-entries'], ['CONFIG', 'GET', 'stream-node-max-bytes'], ...DEFAULTS,
    ],
    'config errors': [
      ['CONFIG', 'SET', 'stream-node-max-entries', '-1'], ['CONFIG', 'SET', 'stream-node-max-entries', 'x'], ['CONFIG', 'SET', 'stream-node-max-bytes', '-1'],
      ['CONFIG', 'SET', 'stream-node-max-bytes', '1gb'], ['CONFIG', 'GET', 'stream-node-max-bytes'], ...DEFAULTS, ['CONFIG', 'GET', 'stream-node-max-bytes'],
    ],
  });
});
