/**
 * HyperLogLog commands compared byte for byte with Redis 7.0: replies and the
 * raw bytes of the HLL strings themselves (GET), sparse and dense, the cached
 * cardinality, promotion, merges, corrupted values and PFDEBUG.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { Rng, chooseSeed } from './generator.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

const HDR_SPARSE = 'HYLL\x01\x00\x00\x00' + '\x00'.repeat(7) + '\x80';
const HDR_DENSE = 'HYLL\x00\x00\x00\x00' + '\x00'.repeat(7) + '\x80';

/** A dense HLL string whose register i is f(i). */
function dense(f: (i: number) => number): string {
  const regs = Buffer.alloc(12288);
  for (let i = 0; i < 16384; i++) {
    const v = f(i) & 63;
    const bit = i * 6;
    const byte = bit >> 3;
    const fb = bit & 7;
    regs[byte] |= v << fb;
    if (byte + 1 < regs.length) regs[byte + 1] |= v >> (8 - fb);
  }
  return HDR_DENSE + regs.toString('latin1');
}

function elems(prefix: string, from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${from + i}`);
}

/** Adds `total` elements in batches, reading the bytes back after each batch. */
function growing(key: string, prefix: string, total: number, batch: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < total; i += batch) {
    out.push(['PFADD', key, ...elems(prefix, i, Math.min(batch, total - i))]);
    out.push(['GET', key]);
    out.push(['PFDEBUG', 'ENCODING', key]);
    out.push(['STRLEN', key]);
  }
  out.push(['PFCOUNT', key], ['GET', key]);
  return out;
}

const SCRIPTS: Record<string, string[][]> = {
  'PFADD basics and the cache': [
    ['PFADD', 'h', 'a', 'b', 'c'], ['GET', 'h'], ['PFCOUNT', 'h'], ['GET', 'h'], ['PFADD', 'h', 'a'], ['GET', 'h'], ['PFCOUNT', 'h'],
    ['PFADD', 'h'], ['PFADD', 'new'], ['PFADD', 'new'], ['GET', 'new'], ['PFCOUNT', 'new'], ['GET', 'new'], ['PFCOUNT', 'missing'],
    ['PFADD', 'h', 'd'], ['GET', 'h'], ['PFDEBUG', 'ENCODING', 'h'], ['PFDEBUG', 'DECODE', 'h'], ['TYPE', 'h'], ['OBJECT', 'ENCODING', 'h'],
    ['STRLEN', 'h'], ['PFADD', 'h', '', '\x00', '\xff\xfe', 'a'.repeat(100)], ['GET', 'h'], ['PFCOUNT', 'h'], ['PFCOUNT', 'h'], ['GET', 'h'],
    ['PFADD'], ['PFCOUNT'], ['PFMERGE'], ['EXISTS', 'missing'],
    ['PFADD', 't', 'x'], ['EXPIRE', 't', '1000'], ['PFADD', 't', 'y'], ['TTL', 't'], ['PFCOUNT', 't'], ['TTL', 't'],
  ],
  'sparse grows then turns dense (default 3000 bytes)': growing('g', 'el:', 4000, 250),
  'small hll-sparse-max-bytes forces promotion': [
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '30'],
    ...growing('p', 'x', 40, 3),
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '0'],
    ['PFADD', 'q', 'one'], ['GET', 'q'], ['PFADD', 'q', 'two'], ['GET', 'q'], ['PFDEBUG', 'ENCODING', 'q'],
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
  ],
  'single elements one at a time (merge of adjacent VALs)': (() => {
    const out: string[][] = [];
    for (let i = 0; i < 300; i++) out.push(['PFADD', 's', `e${i}`], ...(i % 10 === 0 ? [['GET', 's'], ['PFDEBUG', 'DECODE', 's']] : []));
    out.push(['GET', 's'], ['PFCOUNT', 's'], ['GET', 's']);
    return out;
  })(),
  'large cardinalities': [
    ['PFADD', 'big', ...elems('u', 0, 20000)], ['PFCOUNT', 'big'], ['GET', 'big'],
    ['PFADD', 'big', ...elems('u', 20000, 30000)], ['PFCOUNT', 'big'], ['GET', 'big'],
    ['PFADD', 'big2', ...elems('v', 0, 100000)], ['PFCOUNT', 'big2'], ['PFCOUNT', 'big', 'big2'], ['PFMERGE', 'bb', 'big', 'big2'],
    ['PFCOUNT', 'bb'], ['GET', 'bb'],
  ],
  'PFMERGE and multi-key PFCOUNT': [
    ['PFADD', 's1', 'a', 'b', 'c', 'd'], ['PFADD', 's2', 'c', 'd', 'e', 'f'], ['PFADD', 'd1', ...elems('d', 0, 3000)],
    ['PFADD', 'd2', ...elems('d', 2000, 3000)], ['PFDEBUG', 'ENCODING', 'd1'],
    ['PFCOUNT', 's1', 's2'], ['PFCOUNT', 's1', 'nokey'], ['PFCOUNT', 'nokey', 'nokey2'], ['PFCOUNT', 's1', 'd1'], ['PFCOUNT', 'd1', 'd2'],
    ['GET', 's1'], ['GET', 's2'],
    ['PFMERGE', 'm1', 's1', 's2'], ['GET', 'm1'], ['PFCOUNT', 'm1'], ['PFDEBUG', 'ENCODING', 'm1'],
    ['PFMERGE', 'm2', 's1', 'd1'], ['GET', 'm2'], ['PFDEBUG', 'ENCODING', 'm2'], ['PFCOUNT', 'm2'],
    ['PFMERGE', 'm3', 'd1', 'd2'], ['GET', 'm3'], ['PFCOUNT', 'm3'],
    ['PFMERGE', 's1', 's2'], ['GET', 's1'], ['PFMERGE', 's1', 'd2'], ['GET', 's1'], ['PFDEBUG', 'ENCODING', 's1'],
    ['PFMERGE', 'm4'], ['GET', 'm4'], ['PFMERGE', 'm5', 'nokey'], ['GET', 'm5'], ['PFMERGE', 'm1'], ['GET', 'm1'],
    ['PFADD', 'sp', ...elems('w', 0, 600)], ['PFMERGE', 'm6', 'sp', 's2', 'm1'], ['GET', 'm6'], ['PFDEBUG', 'DECODE', 'm6'],
    ['PFMERGE', 'sp', 'd1'], ['GET', 'sp'],
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '40'], ['PFMERGE', 'm7', 's1', 's2', 'sp'], ['GET', 'm7'], ['PFADD', 'm8', 'a', 'b'],
    ['PFMERGE', 'm8', 's2'], ['GET', 'm8'], ['PFMERGE', 'm9', 'm8', 'm6'], ['GET', 'm9'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
  ],
  'wrong types': [
    ['LPUSH', 'l', 'a'], ['SET', 'str', 'hello'], ['SET', 'num', '12345'], ['SET', 'long', 'x'.repeat(100)],
    ['PFADD', 'l', 'x'], ['PFCOUNT', 'l'], ['PFCOUNT', 'l', 'str'], ['PFMERGE', 'l'], ['PFMERGE', 'd', 'l'], ['EXISTS', 'd'],
    ['PFADD', 'str', 'x'], ['PFCOUNT', 'str'], ['PFADD', 'num'], ['PFCOUNT', 'long'], ['PFMERGE', 'dst', 'str'], ['EXISTS', 'dst'],
    ['PFADD', 'h', 'a'], ['PFCOUNT', 'h', 'l'], ['PFMERGE', 'h', 'l'], ['PFMERGE', 'str', 'h'], ['GET', 'str'],
    ['PFDEBUG', 'ENCODING', 'l'], ['PFDEBUG', 'ENCODING', 'str'], ['PFDEBUG', 'GETREG', 'nokey'],
    ['SET', 'hy', 'HYLL'], ['PFADD', 'hy', 'a'], ['SET', 'hy', 'HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'], ['PFCOUNT', 'hy'],
    ['SET', 'hy', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'], ['PFCOUNT', 'hy'],
    ['SET', 'hy', 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'], ['PFCOUNT', 'hy'], ['PFADD', 'hy', 'z'],
  ],
  'corrupted sparse values': [
    // Registers short of 16384.
    ['SET', 'c1', HDR_SPARSE + '\x7f\xfe'], ['PFCOUNT', 'c1'], ['GET', 'c1'], ['PFADD', 'c1', 'a', 'b'], ['GET', 'c1'], ['PFCOUNT', 'c1'],
    ['PFMERGE', 'd', 'c1'], ['PFCOUNT', 'c1', 'c1'], ['PFDEBUG', 'TODENSE', 'c1'], ['PFDEBUG', 'GETREG', 'c1'], ['PFDEBUG', 'DECODE', 'c1'],
    // Registers past 16384.
    ['SET', 'c2', HDR_SPARSE + '\x7f\xff\x00'], ['PFCOUNT', 'c2'], ['PFADD', 'c2', 'a'], ['PFDEBUG', 'DECODE', 'c2'], ['PFMERGE', 'c2'],
    ['SET', 'c3', HDR_SPARSE + '\x7f\xff\x80'], ['PFCOUNT', 'c3'], ['PFMERGE', 'x', 'c3'], ['PFDEBUG', 'TODENSE', 'c3'],
    // A truncated XZERO, an empty register stream.
    ['SET', 'c4', HDR_SPARSE + '\x7f'], ['PFCOUNT', 'c4'], ['PFADD', 'c4', 'a'], ['PFDEBUG', 'DECODE', 'c4'], ['PFCOUNT', 'c4', 'c4'],
    ['SET', 'c5', HDR_SPARSE], ['PFCOUNT', 'c5'], ['PFADD', 'c5', 'a'], ['PFADD', 'c5'], ['PFDEBUG', 'DECODE', 'c5'], ['PFMERGE', 'c5'],
    // Valid streams Redis would never write: many small opcodes, short XZEROs.
    ['SET', 'c6', HDR_SPARSE + '\x3f'.repeat(256)], ['PFCOUNT', 'c6'], ['PFADD', 'c6', 'a', 'b', 'c'], ['GET', 'c6'], ['PFDEBUG', 'DECODE', 'c6'],
    ['SET', 'c7', HDR_SPARSE + '\x40\x00'.repeat(16384)], ['PFADD', 'c7', 'a', 'b', 'c', 'd'], ['GET', 'c7'], ['PFCOUNT', 'c7'],
    ['SET', 'c8', HDR_SPARSE + '\x83'.repeat(4096)], ['PFCOUNT', 'c8'], ['GET', 'c8'], ['PFADD', 'c8', ...elems('q', 0, 50)], ['GET', 'c8'],
    ['SET', 'c9', HDR_SPARSE + '\xff'.repeat(4096)], ['PFCOUNT', 'c9'], ['PFADD', 'c9', 'x'], ['PFMERGE', 'c10', 'c9', 'c8'], ['GET', 'c10'],
    // A valid cache hides corruption.
    ['SET', 'c11', 'HYLL\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00'], ['PFCOUNT', 'c11'], ['PFADD', 'c11', 'x'],
    ['PFCOUNT', 'c11'], ['GET', 'c11'],
    // Appending to a good HLL.
    ['PFADD', 'c12', 'a', 'b'], ['APPEND', 'c12', '\x00'], ['PFCOUNT', 'c12'], ['PFADD', 'c12', 'c'], ['PFCOUNT', 'c12'], ['GET', 'c12'],
  ],
  'handmade dense values': [
    ['SET', 'z', dense(() => 0)], ['PFCOUNT', 'z'], ['GET', 'z'], ['PFADD', 'z', 'a'], ['PFCOUNT', 'z'], ['GET', 'z'],
    ['SET', 'all1', dense(() => 1)], ['PFCOUNT', 'all1'], ['PFCOUNT', 'all1', 'z'],
    ['SET', 'mix', dense((i) => i % 52)], ['PFCOUNT', 'mix'], ['GET', 'mix'], ['PFCOUNT', 'mix', 'z'],
    ['SET', 'hi', dense((i) => 33 + (i % 31))], ['PFCOUNT', 'hi'], ['PFCOUNT', 'hi', 'z'], ['PFMERGE', 'hm', 'hi'], ['GET', 'hm'],
    ['SET', 'f51', dense(() => 51)], ['PFCOUNT', 'f51'], ['GET', 'f51'], ['PFCOUNT', 'f51', 'f51'],
    ['SET', 'f63', dense(() => 63)], ['PFCOUNT', 'f63'], ['GET', 'f63'], ['PFCOUNT', 'f63'],
    ['SET', 'f20', dense(() => 20)], ['PFCOUNT', 'f20'], ['PFCOUNT', 'f20', 'f20'],
    ['SET', 'f40', dense(() => 40)], ['PFCOUNT', 'f40'],
    ['SET', 'sp', HDR_SPARSE + '\x7f\xff'], ['PFMERGE', 'sp', 'hi'], ['GET', 'sp'], ['PFDEBUG', 'ENCODING', 'sp'],
    ['SET', 'short', dense(() => 1).slice(0, 12303)], ['PFCOUNT', 'short'], ['PFADD', 'short', 'a'],
    ['SET', 'cached', 'HYLL\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00' + dense(() => 3).slice(16)], ['PFCOUNT', 'cached'],
    ['PFADD', 'cached', 'zzz'], ['PFCOUNT', 'cached'], ['GET', 'cached'],
  ],
  'PFDEBUG': [
    ['PFADD', 'h', 'a', 'b', 'c'], ['PFDEBUG', 'ENCODING', 'h'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'decode', 'h'],
    ['PFDEBUG', 'GETREG', 'h'], ['PFDEBUG', 'ENCODING', 'h'], ['GET', 'h'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'TODENSE', 'h'],
    ['PFADD', 'h2', 'x'], ['PFDEBUG', 'TODENSE', 'h2'], ['PFDEBUG', 'TODENSE', 'h2'], ['GET', 'h2'], ['PFCOUNT', 'h2'],
    ['PFDEBUG', 'FOO', 'h2'], ['PFDEBUG', 'FOO\r\nbar', 'h2'], ['PFDEBUG', 'FOO', 'nokey'], ['PFDEBUG', 'GETREG'], ['PFDEBUG', 'GETREG', 'h', 'x'],
    ['PFDEBUG'], ['PFADD', 'e'], ['PFDEBUG', 'DECODE', 'e'], ['PFDEBUG', 'GETREG', 'e'], ['GET', 'e'], ['PFSELFTEST', 'x'],
  ],
  'which commands invalidate WATCH': [
    ['PFADD', 'h', 'a', 'b'],
    ['WATCH', 'h'], ['PFADD', 'h', 'a'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'h'], ['PFADD', 'h', 'c'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'h'], ['PFCOUNT', 'h'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'h'], ['PFCOUNT', 'h'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'h'], ['PFCOUNT', 'h', 'h'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'h'], ['PFDEBUG', 'TODENSE', 'h'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'h'], ['PFMERGE', 'h'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'n'], ['PFMERGE', 'n'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'n2'], ['PFADD', 'n2'], ['MULTI'], ['PING'], ['EXEC'],
    ['MULTI'], ['PFADD', 'm', 'x'], ['PFCOUNT', 'm'], ['PFMERGE', 'm2', 'm'], ['GET', 'm2'], ['EXEC'],
  ],
  'encodings of unshared values': [
    ['PFADD', 'h', 'a'], ['SET', 'copy', HDR_SPARSE + '\x7f\xff'],
    ['OBJECT', 'ENCODING', 'copy'], ['PFCOUNT', 'copy', 'h'], ['OBJECT', 'ENCODING', 'copy'], ['PFCOUNT', 'copy'], ['OBJECT', 'ENCODING', 'copy'],
    ['OBJECT', 'ENCODING', 'h'], ['PFADD', 'fresh'], ['OBJECT', 'ENCODING', 'fresh'],
  ],
};

test('HyperLogLog commands match Redis 7.0 byte for byte (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS);
  assert.equal(d.length, 0, formatDivergences(d));
});

test('PFSELFTEST passes', async () => {
  const r = await pair.reddishClient.call('PFSELFTEST');
  assert.equal(r, '+OK\r\n');
});

test('seeded random PFADD/PFCOUNT/PFMERGE, comparing the bytes', async () => {
  const seed = chooseSeed();
  const r = new Rng(seed);
  const keys = ['a', 'b', 'c', 'd'];
  const cmds: string[][] = [];
  const ele = (): string => {
    if (r.chance(0.1)) return String.fromCharCode(...Array.from({ length: r.range(0, 12) }, () => r.int(256)));
    return `m${r.int(r.chance(0.5) ? 300 : 50000)}`;
  };
  if (r.chance(0.5)) cmds.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', String(r.pick([50, 200, 1000, 3000, 6000]))]);
  for (let i = 0; i < 300; i++) {
    const k = r.pick(keys);
    const op = r.int(10);
    if (op < 6) cmds.push(['PFADD', k, ...Array.from({ length: r.pick([1, 2, 5, 20, 100, 400]) }, ele)]);
    else if (op < 8) cmds.push(['PFCOUNT', ...Array.from({ length: r.range(1, 3) }, () => r.pick(keys))]);
    else cmds.push(['PFMERGE', k, ...Array.from({ length: r.range(0, 3) }, () => r.pick(keys))]);
    cmds.push(['GET', k]);
  }
  for (const k of keys) cmds.push(['GET', k], ['PFCOUNT', k], ['GET', k]);
  cmds.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
  const d = await runScripts(pair, { [`random seed ${seed}`]: cmds }, { resp: [2] });
  assert.equal(d.length, 0, `seed ${seed}\n` + formatDivergences(d, 5));
});
