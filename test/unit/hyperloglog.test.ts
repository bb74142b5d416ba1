/**
 * The HyperLogLog byte layer on its own: MurmurHash64A against a BigInt
 * reference, register indexing, the sparse opcode editor against the dense
 * one, promotion, validation and the cached cardinality.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bytes } from '../../src/datatypes/bytes.js';
import {
  HLL_DENSE, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, createHll, decodeSparse, denseGet, denseRegisters,
  denseSetRaw, hllAdd, hllCount, hllCountRaw, hllMerge, hllPatLen, isValidHll, murmurHash64A, readCache, selfTest, sparseSet,
  sparseToDense, writeCache, cacheValid, invalidateCache,
} from '../../src/datatypes/hyperloglog.js';
import { Rng } from '../differential/generator.js';

const M = 0xc6a4a7935bd1e995n;
const U64 = (1n << 64n) - 1n;

/** MurmurHash64A written straight from the algorithm with BigInt. */
function murmurRef(data: Buffer, seed: number): bigint {
  const len = data.length;
  let h = (BigInt(seed) ^ (BigInt(len) * M)) & U64;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = data.readBigUInt64LE(i);
    k = (k * M) & U64;
    k ^= k >> 47n;
    k = (k * M) & U64;
    h ^= k;
    h = (h * M) & U64;
  }
  const rem = len & 7;
  if (rem) {
    for (let j = rem - 1; j >= 0; j--) h ^= BigInt(data[blocks + j]) << BigInt(8 * j);
    h = (h * M) & U64;
  }
  h ^= h >> 47n;
  h = (h * M) & U64;
  h ^= h >> 47n;
  return h;
}

function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

test('MurmurHash64A matches the 64-bit reference for every length and both input forms', () => {
  const r = new Rng(1234);
  for (let n = 0; n < 3000; n++) {
    const b = randomBytes(r, n % 70);
    const want = murmurRef(b, 0xadc83b19);
    assert.equal(murmurHash64A(b, 0xadc83b19), want);
    assert.equal(murmurHash64A(b.toString('latin1'), 0xadc83b19), want);
  }
  assert.equal(murmurHash64A('', 0), murmurRef(Buffer.alloc(0), 0));
});

test('register index and pattern length come from the hash as Redis computes them', () => {
  const r = new Rng(99);
  for (let n = 0; n < 2000; n++) {
    const b = randomBytes(r, r.range(0, 20));
    const h = murmurRef(b, 0xadc83b19);
    let rest = (h >> 14n) | (1n << 50n);
    let count = 1;
    while ((rest & 1n) === 0n) {
      count++;
      rest >>= 1n;
    }
    assert.deepEqual(hllPatLen(b), [Number(h & 16383n), count]);
  }
});

test('a new HLL is the 18-byte sparse XZERO:16384', () => {
  const b = createHll();
  assert.equal(b.toString(), 'HYLL\x01\x00\x00\x00' + '\x00'.repeat(8) + '\x7f\xff');
  assert.equal(decodeSparse(b), 'Z:16384');
  assert.ok(isValidHll(b.buf, b.length));
  assert.equal(hllCount(b.buf, b.length), 0);
});

test('dense register packing round-trips without disturbing neighbours', () => {
  const buf = new Uint8Array(HLL_DENSE_SIZE);
  const r = new Rng(5);
  const want = new Uint8Array(HLL_REGISTERS);
  for (let i = 0; i < HLL_REGISTERS; i++) {
    want[i] = r.int(64);
    denseSetRaw(buf, HLL_HDR_SIZE, i, want[i]);
  }
  for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(denseGet(buf, HLL_HDR_SIZE, i), want[i]);
});

test('sparse edits agree with a dense HLL fed the same elements, through promotion', () => {
  for (const maxBytes of [3000, 100, 25]) {
    const sparse = createHll();
    const dense = createHll();
    assert.ok(sparseToDense(dense));
    assert.equal(dense.length, HLL_DENSE_SIZE);
    const r = new Rng(maxBytes);
    let promoted = false;
    for (let n = 1; n <= 5000; n++) {
      const e = `x${r.int(100000)}`;
      const a = hllAdd(sparse, e, maxBytes);
      const b = hllAdd(dense, e, maxBytes);
      assert.equal(a, b, `element ${n}`);
      if (sparse.buf[4] === HLL_SPARSE) assert.ok(sparse.length <= Math.max(maxBytes, 18));
      else promoted = true;
      if (n % 250 === 0 || n < 40) {
        assert.equal(hllCount(sparse.buf, sparse.length), hllCount(dense.buf, dense.length));
        const copy = new Bytes(sparse.toString());
        assert.ok(sparseToDense(copy));
        assert.deepEqual(denseRegisters(copy.buf), denseRegisters(dense.buf));
      }
    }
    assert.ok(promoted);
  }
});

test('sparse opcodes: a split XZERO, merged VALs, in-place raises', () => {
  const b = createHll();
  assert.equal(sparseSet(b, 1000, 2, 3000), 1);
  assert.equal(decodeSparse(b), 'Z:1000 v:2,1 Z:15383');
  assert.equal(sparseSet(b, 1001, 2, 3000), 1);
  assert.equal(decodeSparse(b), 'Z:1000 v:2,2 Z:15382');
  assert.equal(sparseSet(b, 1001, 2, 3000), 0);
  assert.equal(sparseSet(b, 1001, 1, 3000), 0);
  assert.equal(sparseSet(b, 1001, 3, 3000), 1);
  assert.equal(decodeSparse(b), 'Z:1000 v:2,1 v:3,1 Z:15382');
  assert.equal(sparseSet(b, 1010, 5, 3000), 1);
  assert.equal(decodeSparse(b), 'Z:1000 v:2,1 v:3,1 z:8 v:5,1 Z:15373');
  assert.equal(sparseSet(b, 0, 1, 3000), 1);
  assert.equal(decodeSparse(b), 'v:1,1 Z:999 v:2,1 v:3,1 z:8 v:5,1 Z:15373');
  assert.equal(sparseSet(b, 16383, 32, 3000), 1);
  assert.equal(decodeSparse(b), 'v:1,1 Z:999 v:2,1 v:3,1 z:8 v:5,1 Z:15372 v:32,1');
  assert.equal(b.buf[4], HLL_SPARSE);
  // A value a VAL opcode cannot hold turns it dense.
  assert.equal(sparseSet(b, 7, 33, 3000), 1);
  assert.equal(b.buf[4], HLL_DENSE);
  assert.equal(b.length, HLL_DENSE_SIZE);
  const regs = denseRegisters(b.buf);
  assert.deepEqual([regs[0], regs[7], regs[1000], regs[1001], regs[1010], regs[16383]], [1, 33, 2, 3, 5, 32]);
});

test('corrupt sparse streams are refused', () => {
  const hdr = 'HYLL\x01\x00\x00\x00' + '\x00'.repeat(8);
  for (const body of ['\x7f\xfe', '\x7f\xff\x00', '\x7f\xff\x80', '', '\x7f']) {
    const b = new Bytes(hdr + body);
    assert.equal(hllCount(b.buf, b.length), null, JSON.stringify(body));
    assert.equal(sparseToDense(b), false);
    assert.equal(b.length, hdr.length + body.length);
    assert.equal(hllMerge(new Uint8Array(HLL_REGISTERS), b.buf, b.length), false);
  }
  assert.equal(sparseSet(new Bytes(hdr), 5, 1, 3000), -1);
  assert.equal(sparseSet(new Bytes(hdr + '\x7f\xfe'), 16383, 1, 3000), -1);
});

test('validation: magic, encoding byte, dense length', () => {
  const ok = (s: string): boolean => isValidHll(Buffer.from(s, 'latin1'), s.length);
  const hdr = (enc: string): string => 'HYLL' + enc + '\x00'.repeat(11);
  assert.ok(ok(hdr('\x01')));
  assert.ok(!ok(hdr('\x01').slice(0, 15)));
  assert.ok(!ok(hdr('\x02')));
  assert.ok(!ok('HYLX' + hdr('\x01').slice(4)));
  assert.ok(!ok(hdr('\x00')));
  assert.ok(ok(hdr('\x00') + '\x00'.repeat(HLL_DENSE_SIZE - 16)));
  assert.ok(!ok(hdr('\x00') + '\x00'.repeat(HLL_DENSE_SIZE - 15)));
});

test('the cached cardinality: little endian, top bit marks it stale', () => {
  const b = createHll();
  assert.ok(cacheValid(b.buf));
  invalidateCache(b.buf);
  assert.ok(!cacheValid(b.buf));
  writeCache(b.buf, 0x0102030405);
  assert.deepEqual([...b.buf.subarray(8, 16)], [5, 4, 3, 2, 1, 0, 0, 0]);
  assert.ok(cacheValid(b.buf));
  assert.equal(readCache(b.buf), 0x0102030405);
  writeCache(b.buf, 0x7fffffffffffffffn);
  assert.equal(readCache(b.buf), 0x7fffffffffffffffn);
});

test('estimates: empty is 0, union counts, accuracy within a few standard errors', () => {
  const raw = new Uint8Array(HLL_REGISTERS);
  assert.equal(hllCountRaw(raw), 0);
  const a = createHll();
  const bb = createHll();
  for (let i = 0; i < 20000; i++) hllAdd(a, `a${i}`, 3000);
  for (let i = 10000; i < 30000; i++) hllAdd(bb, `a${i}`, 3000);
  hllMerge(raw, a.buf, a.length);
  hllMerge(raw, bb.buf, bb.length);
  const u = Number(hllCountRaw(raw));
  assert.ok(Math.abs(u - 30000) < 30000 * 0.0081 * 4, String(u));
  const ca = Number(hllCount(a.buf, a.length));
  assert.ok(Math.abs(ca - 20000) < 20000 * 0.0081 * 4, String(ca));
});

test('PFSELFTEST logic passes (reduced sizes)', () => {
  assert.equal(selfTest(3000, 3, 200000), null);
});
