/**
 * The compact blob encodings RDB carries: listpack (encode + decode), ziplist,
 * intset and zipmap. Hand-computed bytes pin every integer width and length
 * boundary; random mixes round-trip; malformed blobs throw RdbError; and a
 * real redis-server 7.0 is the reference: its DUMP payloads must equal our
 * listpack/intset bytes, and the ziplists and zipmaps built here (which 7.0
 * no longer writes) are RESTOREd into it with deep sanitization, so Redis
 * reads the same items our decoders do and refuses the blobs they refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listpackDecode, listpackEncode } from '../../src/persist/rdb/listpack.js';
import { ziplistDecode } from '../../src/persist/rdb/ziplist.js';
import { intsetDecode, intsetEncode } from '../../src/persist/rdb/intset.js';
import { zipmapDecode } from '../../src/persist/rdb/zipmap.js';
import { RdbError } from '../../src/persist/rdb/rdb-error.js';
import { Crc64 } from '../../src/persist/rdb/crc64.js';
import { lzfDecompress } from '../../src/persist/rdb/lzf.js';
import { Rng } from '../differential/generator.js';
import { redisAvailable, startServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import type { RespValue } from '../../src/protocol/resp-value.js';

// ---------------------------------------------------------------- test data

const INT_EDGES = [
  '0', '1', '12', '13', '127', '128', '-1', '-128', '-129', '255', '256',
  '-4096', '-4097', '4095', '4096', '-32768', '-32769', '32767', '32768',
  String(2 ** 23 - 1), String(-(2 ** 23)), String(2 ** 23), String(-(2 ** 23) - 1),
  '2147483647', '-2147483648', '2147483648', '-2147483649',
  '9007199254740993', '-9007199254740993',
  '9223372036854775807', '-9223372036854775808',
];
/** Look like numbers but are not canonical int64s: stored as strings. */
const NOT_INTS = [
  '-0', '007', '00', '-01', '+5', ' 1', '1 ', '1.5', '-', '0x10', '1e3',
  '18446744073709551616', '9223372036854775808', '-9223372036854775809', '123456789012345678901', '',
];
const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
const LONG_STRINGS = ['a'.repeat(63), 'b'.repeat(64), 'c'.repeat(4095), 'd'.repeat(4096), 'e'.repeat(70000), ALL_BYTES];

function randomBytes(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(256));
  return s;
}

function randomItem(rng: Rng): string {
  switch (rng.int(7)) {
    case 0:
      return rng.pick(INT_EDGES);
    case 1:
      return rng.pick(NOT_INTS);
    case 2: // an integer of random magnitude and sign
      return String((rng.chance(0.5) ? -1 : 1) * Math.floor(rng.next() * 2 ** rng.int(53)));
    case 3: {
      const v = (BigInt(rng.int(2 ** 31)) << 32n) | BigInt(rng.int(2 ** 32));
      return (rng.chance(0.5) ? -v : v).toString();
    }
    case 4:
      return randomBytes(rng, rng.int(80));
    case 5:
      return randomBytes(rng, rng.pick([62, 63, 64, 65, 4094, 4095, 4096, 4097]));
    default:
      return 'k' + rng.int(1000);
  }
}

// ------------------------------------------------------------------ listpack

/** A listpack entry as hand-computed from listpack.c's rules. */
const ENTRY_BYTES: Array<[string, number[]]> = [
  ['0', [0x00]],
  ['127', [0x7f]],
  ['128', [0xc0, 0x80]],
  ['-1', [0xdf, 0xff]],
  ['-4096', [0xd0, 0x00]],
  ['4095', [0xcf, 0xff]],
  ['4096', [0xf1, 0x00, 0x10]],
  ['-4097', [0xf1, 0xff, 0xef]],
  ['-32768', [0xf1, 0x00, 0x80]],
  ['32767', [0xf1, 0xff, 0x7f]],
  ['32768', [0xf2, 0x00, 0x80, 0x00]],
  [String(2 ** 23 - 1), [0xf2, 0xff, 0xff, 0x7f]],
  [String(-(2 ** 23)), [0xf2, 0x00, 0x00, 0x80]],
  ['2147483647', [0xf3, 0xff, 0xff, 0xff, 0x7f]],
  ['-2147483648', [0xf3, 0x00, 0x00, 0x00, 0x80]],
  ['2147483648', [0xf4, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00]],
  ['9223372036854775807', [0xf4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  ['-9223372036854775808', [0xf4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80]],
  ['', [0x80]],
  ['-0', [0x82, 0x2d, 0x30]],
  ['+5', [0x82, 0x2b, 0x35]],
  ['007', [0x83, 0x30, 0x30, 0x37]],
];

test('listpack: every integer width and short string encodes as listpack.c does', () => {
  for (const [item, entry] of ENTRY_BYTES) {
    const lp = listpackEncode([item]);
    const total = 6 + entry.length + 1 + 1;
    const expected = Buffer.from([total, 0, 0, 0, 1, 0, ...entry, entry.length, 0xff]);
    assert.deepEqual(lp, expected, JSON.stringify(item));
    assert.deepEqual(listpackDecode(lp), [item]);
  }
  assert.deepEqual(listpackEncode([]), Buffer.from([7, 0, 0, 0, 0, 0, 0xff]));
  assert.deepEqual(listpackDecode(listpackEncode([])), []);
});

test('listpack: string length headers and backlen sizes at their boundaries', () => {
  // [string length, encoding header, backlen bytes] — the entry size is header + length.
  const cases: Array<[number, number[], number[]]> = [
    [63, [0xbf], [64]],
    [64, [0xe0, 0x40], [66]],
    [125, [0xe0, 125], [127]], // entry of 127 bytes: 1-byte backlen
    [126, [0xe0, 126], [0x01, 0x80]], // 128 bytes: 2
    [4095, [0xef, 0xff], [0x20, 0x81]],
    [4096, [0xf0, 0x00, 0x10, 0x00, 0x00], [0x20, 0x85]],
    [16377, [0xf0, 0xf9, 0x3f, 0x00, 0x00], [0x7f, 0xfe]], // 16382 bytes: 2
    [16378, [0xf0, 0xfa, 0x3f, 0x00, 0x00], [0x00, 0xff, 0xff]], // 16383 bytes: 3 (lpEncodeBacklen's `<`)
    [70000, [0xf0, 0x70, 0x11, 0x01, 0x00], [0x04, 0xa2, 0xf5]],
  ];
  for (const [len, header, backlen] of cases) {
    const s = 'x'.repeat(len);
    const lp = listpackEncode([s]);
    assert.equal(lp.length, 6 + header.length + len + backlen.length + 1, `length ${len}`);
    assert.equal(lp.readUInt32LE(0), lp.length);
    assert.deepEqual([...lp.subarray(6, 6 + header.length)], header, `header ${len}`);
    assert.deepEqual([...lp.subarray(6 + header.length + len, lp.length - 1)], backlen, `backlen ${len}`);
    assert.deepEqual(listpackDecode(lp), [s]);
  }
});

test('listpack: edge items and random mixes round-trip', () => {
  const edges = [...INT_EDGES, ...NOT_INTS, ...LONG_STRINGS];
  assert.deepEqual(listpackDecode(listpackEncode(edges)), edges);
  const rng = new Rng(42);
  for (let round = 0; round < 300; round++) {
    const items = Array.from({ length: rng.int(60) }, () => randomItem(rng));
    const lp = listpackEncode(items);
    assert.deepEqual(listpackDecode(lp), items, `round ${round}`);
    assert.equal(lp.readUInt16LE(4), items.length);
  }
  // A Uint8Array that is a view into a larger buffer decodes too.
  const lp = listpackEncode(['a', '1', 'b']);
  const wrapped = new Uint8Array(lp.length + 10);
  wrapped.set(lp, 5);
  assert.deepEqual(listpackDecode(wrapped.subarray(5, 5 + lp.length)), ['a', '1', 'b']);
});

test('listpack: the element count saturates at 65535 (unknown) and is then counted', () => {
  const below = listpackEncode(Array.from({ length: 65534 }, () => '7'));
  assert.equal(below.readUInt16LE(4), 65534);
  const at = listpackEncode(Array.from({ length: 65535 }, () => '7'));
  assert.equal(at.readUInt16LE(4), 65535);
  const items = Array.from({ length: 70000 }, (_, i) => String(i));
  const lp = listpackEncode(items);
  assert.equal(lp.readUInt16LE(4), 65535);
  assert.deepEqual(listpackDecode(lp), items);
});

test('listpack: a non-latin1 item is refused rather than silently truncated', () => {
  assert.throws(() => listpackEncode(['caf\u00e9', '\u20ac']), RangeError);
});

/** A copy of `lp` with `f` applied, for building malformed blobs. */
function mangle(buf: Buffer, f: (b: Buffer) => void): Buffer {
  const b = Buffer.from(buf);
  f(b);
  return b;
}

// Entries at 6 ("hello": 6 + 1 backlen byte), 13 ("1": 1 + 1), 15 (202 + 2), 219 (2 + 1); an even count, so a valid hash.
const BASE_LISTPACK = listpackEncode(['hello', '1', 'x'.repeat(200), 'w']);

function malformedListpacks(): Array<[string, Buffer]> {
  const lp = BASE_LISTPACK;
  const withTotal = (b: Buffer): Buffer => mangle(b, (m) => m.writeUInt32LE(m.length, 0));
  return [
    ['shorter than the header', Buffer.from([7, 0, 0, 0, 0, 0])],
    ['total bytes too large', mangle(lp, (m) => m.writeUInt32LE(lp.length + 1, 0))],
    ['total bytes too small', mangle(lp, (m) => m.writeUInt32LE(lp.length - 1, 0))],
    ['truncated', withTotal(Buffer.concat([lp.subarray(0, lp.length - 5), Buffer.from([0xff])]))],
    ['no terminator', mangle(lp, (m) => (m[m.length - 1] = 0xfe))],
    ['string overruns', mangle(lp, (m) => (m[15] = 0xe0 | 0x0f))],
    ['32-bit string length huge', withTotal(Buffer.from([0, 0, 0, 0, 1, 0, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff]))],
    ['invalid encoding byte', mangle(lp, (m) => (m[13] = 0xf5))],
    ['backlen mismatch', mangle(lp, (m) => (m[12] = 5))],
    ['backlen continuation runs past the entry', mangle(lp, (m) => (m[14] = 0x81))],
    ['element count mismatch', mangle(lp, (m) => m.writeUInt16LE(2, 4))],
    ['terminator before the end', withTotal(Buffer.concat([lp, Buffer.from([0xff])]))],
  ];
}

test('listpack: malformed blobs throw RdbError', () => {
  for (const [what, blob] of malformedListpacks()) {
    assert.throws(() => listpackDecode(blob), RdbError, what);
  }
  assert.throws(() => listpackDecode(Buffer.alloc(0)), /listpack: /);
});

// ------------------------------------------------------------------- ziplist

/** A ziplist built by ziplist.c's rules (Redis 7.0 no longer writes them). */
function ziplistEncode(items: readonly string[], opts: { largePrevlen?: boolean; zllen?: number } = {}): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  let offset = 10;
  let tail = 10;
  for (const s of items) {
    const prevlen = prev < 254 && !opts.largePrevlen ? Buffer.from([prev]) : Buffer.from([0xfe, 0, 0, 0, 0]);
    if (prevlen.length === 5) prevlen.writeUInt32LE(prev, 1);
    let body: Buffer;
    const isInt = /^(0|-?[1-9][0-9]*)$/.test(s) && s.length <= 20 && BigInt(s) >= -(1n << 63n) && BigInt(s) < 1n << 63n;
    if (isInt) {
      const v = BigInt(s);
      if (v >= 0n && v <= 12n) body = Buffer.from([0xf1 + Number(v)]);
      else if (v >= -128n && v <= 127n) body = Buffer.from([0xfe, Number(v) & 0xff]);
      else if (v >= -32768n && v <= 32767n) (body = Buffer.alloc(3)), (body[0] = 0xc0), body.writeInt16LE(Number(v), 1);
      else if (v >= -(1n << 23n) && v < 1n << 23n) (body = Buffer.alloc(4)), (body[0] = 0xf0), body.writeIntLE(Number(v), 1, 3);
      else if (v >= -(1n << 31n) && v < 1n << 31n) (body = Buffer.alloc(5)), (body[0] = 0xd0), body.writeInt32LE(Number(v), 1);
      else (body = Buffer.alloc(9)), (body[0] = 0xe0), body.writeBigInt64LE(v, 1);
    } else {
      const data = Buffer.from(s, 'latin1');
      const n = data.length;
      const hdr = n <= 0x3f ? Buffer.from([n]) : n <= 0x3fff ? Buffer.from([0x40 | (n >> 8), n & 0xff]) : Buffer.from([0x80, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
      body = Buffer.concat([hdr, data]);
    }
    const entry = Buffer.concat([prevlen, body]);
    entries.push(entry);
    tail = offset;
    offset += entry.length;
    prev = entry.length;
  }
  const header = Buffer.alloc(10);
  header.writeUInt32LE(offset + 1, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(opts.zllen ?? Math.min(items.length, 0xffff), 8);
  return Buffer.concat([header, ...entries, Buffer.from([0xff])]);
}

const ZIPLIST_EDGES = [
  ...INT_EDGES, ...NOT_INTS, '-1', '-12', '-127', String(2 ** 23 - 1),
  'f'.repeat(16383), 'g'.repeat(16384), ...LONG_STRINGS.filter((s) => s.length !== 70000), 'y'.repeat(300),
];

test('ziplist: every encoding decodes; edge items and random mixes round-trip', () => {
  // Hand-written: "ab", 5 (immediate), -2 (int8), 1000 (int16).
  const hand = Buffer.from([
    0x18, 0, 0, 0, 0x13, 0, 0, 0, 4, 0,
    0x00, 0x02, 0x61, 0x62, //
    0x04, 0xf6, //
    0x02, 0xfe, 0xfe, //
    0x03, 0xc0, 0xe8, 0x03, //
    0xff,
  ]);
  assert.deepEqual(ziplistDecode(hand), ['ab', '5', '-2', '1000']);
  assert.deepEqual(ziplistDecode(ziplistEncode([])), []);
  assert.deepEqual(ziplistDecode(ziplistEncode(ZIPLIST_EDGES)), ZIPLIST_EDGES);
  // Redis may leave a 5-byte prevlen holding a small value (cascade update avoidance).
  assert.deepEqual(ziplistDecode(ziplistEncode(['a', 'b', '3'], { largePrevlen: true })), ['a', 'b', '3']);
  // zllen 65535 means "count them".
  assert.deepEqual(ziplistDecode(ziplistEncode(['a', 'b'], { zllen: 0xffff })), ['a', 'b']);
  // 10______ is a 32-bit length whatever the low six bits hold (ZIP_ENTRY_ENCODING masks them).
  const str32 = ziplistEncode(['z'.repeat(20000)]);
  str32[11] = 0x80 | 0x15;
  assert.deepEqual(ziplistDecode(str32), ['z'.repeat(20000)]);
  const rng = new Rng(5);
  for (let round = 0; round < 200; round++) {
    const items = Array.from({ length: rng.int(40) }, () => randomItem(rng));
    assert.deepEqual(ziplistDecode(ziplistEncode(items)), items, `round ${round}`);
  }
});

// Entries at 10 (prevlen, 1 + 5 string), 17 (prevlen, 0xc0 + 2), 21 (prevlen, 2 + 300 string).
const BASE_ZIPLIST = ziplistEncode(['hello', '1000', 'x'.repeat(300)]);

function malformedZiplists(): Array<[string, Buffer]> {
  const zl = BASE_ZIPLIST;
  const withBytes = (b: Buffer): Buffer => mangle(b, (m) => m.writeUInt32LE(m.length, 0));
  return [
    ['shorter than the header', Buffer.from([10, 0, 0, 0, 10, 0, 0, 0, 0, 0])],
    ['zlbytes wrong', mangle(zl, (m) => m.writeUInt32LE(zl.length + 1, 0))],
    ['no terminator', mangle(zl, (m) => (m[m.length - 1] = 0))],
    ['zltail wrong', mangle(zl, (m) => m.writeUInt32LE(17, 4))],
    ['zllen wrong', mangle(zl, (m) => m.writeUInt16LE(4, 8))],
    ['first prevlen not zero', mangle(zl, (m) => (m[10] = 1))],
    ['prevlen mismatch', mangle(zl, (m) => (m[17] = 6))],
    ['string overruns', mangle(zl, (m) => (m[11] = 0x7f))],
    ['32-bit string length huge', withBytes(Buffer.from([0, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff]))],
    ['invalid encoding byte', mangle(zl, (m) => (m[18] = 0xc1))],
    ['truncated', withBytes(Buffer.concat([zl.subarray(0, zl.length - 10), Buffer.from([0xff])]))],
    ['terminator before the end', withBytes(Buffer.concat([zl, Buffer.from([0xff])]))],
  ];
}

test('ziplist: malformed blobs throw RdbError', () => {
  for (const [what, blob] of malformedZiplists()) assert.throws(() => ziplistDecode(blob), RdbError, what);
});

// -------------------------------------------------------------------- intset

test('intset: the width is the smallest that fits every value; round trips', () => {
  const cases: Array<[Array<number | bigint>, number]> = [
    [[], 2],
    [[-32768, 0, 32767], 2],
    [[1, 32768], 4],
    [[-32769], 4],
    [[-2147483648, 2147483647], 4],
    [[2147483648], 8],
    [[-2147483649n, 5n], 8],
    [[-(1n << 63n), -1, 0, (1n << 63n) - 1n], 8],
  ];
  for (const [values, width] of cases) {
    const b = intsetEncode(values);
    assert.equal(b.readUInt32LE(0), width, String(values));
    assert.equal(b.readUInt32LE(4), values.length);
    assert.equal(b.length, 8 + width * values.length);
    if (values.length) assert.deepEqual(intsetDecode(b), values.map((v) => v.toString()));
  }
  assert.deepEqual(intsetEncode([1, 2, 3]), Buffer.from([2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0]));
  assert.deepEqual(intsetEncode([-2, 70000]), Buffer.from([4, 0, 0, 0, 2, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x70, 0x11, 0x01, 0x00]));
  const rng = new Rng(11);
  for (let round = 0; round < 100; round++) {
    const set = new Set<bigint>();
    const scale = rng.pick([8, 15, 31, 62]);
    for (let i = 1 + rng.int(100); i > 0; i--) set.add(BigInt(Math.floor(rng.next() * 2 ** Math.min(scale, 52))) * (rng.chance(0.5) ? -1n : 1n) * (scale === 62 ? 1024n : 1n));
    const values = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(intsetDecode(intsetEncode(values)), values.map(String), `round ${round}`);
  }
  assert.throws(() => intsetEncode([1n << 63n]), RangeError);
});

function malformedIntsets(): Array<[string, Buffer]> {
  return [
    ['shorter than the header', Buffer.from([2, 0, 0, 0, 0, 0, 0])],
    ['invalid encoding', Buffer.from([3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0])],
    ['length larger than the blob', Buffer.from([2, 0, 0, 0, 2, 0, 0, 0, 1, 0])],
    ['length smaller than the blob', Buffer.from([2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0])],
    ['empty', Buffer.from([2, 0, 0, 0, 0, 0, 0, 0])],
    ['out of order', Buffer.from([2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0])],
    ['duplicate', Buffer.from([4, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])],
  ];
}

test('intset: malformed blobs throw RdbError', () => {
  for (const [what, blob] of malformedIntsets()) assert.throws(() => intsetDecode(blob), RdbError, what);
});

// -------------------------------------------------------------------- zipmap

/** A zipmap as zipmap.c lays it out; `free` gives each value's trailing unused bytes. */
function zipmapEncode(pairs: ReadonlyArray<[string, string]>, free: (i: number) => number = () => 0, zmlen?: number): Buffer {
  const len = (n: number): Buffer => {
    if (n < 254) return Buffer.from([n]);
    const b = Buffer.from([254, 0, 0, 0, 0]);
    b.writeUInt32LE(n, 1);
    return b;
  };
  const parts: Buffer[] = [Buffer.from([zmlen ?? Math.min(pairs.length, 254)])];
  pairs.forEach(([k, v], i) => {
    const f = free(i);
    parts.push(len(k.length), Buffer.from(k, 'latin1'), len(v.length), Buffer.from([f]), Buffer.from(v, 'latin1'), Buffer.alloc(f, 0x2e));
  });
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

const ZIPMAP_PAIRS: Array<[string, string]> = [
  ['name', 'foo'],
  ['', 'empty field'],
  ['empty value', ''],
  ['k'.repeat(253), 'v'.repeat(253)],
  ['K'.repeat(254), 'V'.repeat(300)],
  ['bin', ALL_BYTES],
  ['num', '12345'],
];

test('zipmap: pairs decode, with free space, long lengths and an unknown count', () => {
  // zipmap.c's own example: "\x02\x03foo\x03\x00bar\x05hello\x05\x00world\xff".
  assert.deepEqual(zipmapDecode(Buffer.from('\x02\x03foo\x03\x00bar\x05hello\x05\x00world\xff', 'latin1')), ['foo', 'bar', 'hello', 'world']);
  const flat = ZIPMAP_PAIRS.flat();
  assert.deepEqual(zipmapDecode(zipmapEncode(ZIPMAP_PAIRS)), flat);
  assert.deepEqual(zipmapDecode(zipmapEncode(ZIPMAP_PAIRS, (i) => i % 5)), flat);
  assert.deepEqual(zipmapDecode(zipmapEncode(ZIPMAP_PAIRS, () => 0, 254)), flat);
  // The 4-byte length is little-endian.
  const big = zipmapEncode([['K'.repeat(0x0102), 'v']]);
  assert.deepEqual([...big.subarray(1, 6)], [254, 0x02, 0x01, 0, 0]);
  assert.deepEqual(zipmapDecode(big), ['K'.repeat(0x0102), 'v']);
});

// Key length at 1, value length at 5, free at 6, "bar" at 7, its free byte at 10.
const BASE_ZIPMAP = zipmapEncode([['foo', 'bar'], ['hello', 'world']], () => 1);

function malformedZipmaps(): Array<[string, Buffer]> {
  const zm = BASE_ZIPMAP;
  return [
    ['shorter than the header', Buffer.from([0xff])],
    ['no terminator', mangle(zm, (m) => (m[m.length - 1] = 0))],
    ['empty', Buffer.from([0, 0xff])],
    ['count mismatch', mangle(zm, (m) => (m[0] = 3))],
    ['key overruns', mangle(zm, (m) => (m[1] = 200))],
    ['value overruns', mangle(zm, (m) => (m[5] = 200))],
    ['free overruns', mangle(zm, (m) => (m[6] = 200))],
    ['big length overruns', Buffer.from([1, 254, 0xff, 0xff, 0xff, 0x7f, 0xff])],
    ['truncated', Buffer.concat([zm.subarray(0, 10), Buffer.from([0xff])])],
  ];
}

test('zipmap: malformed blobs throw RdbError', () => {
  for (const [what, blob] of malformedZipmaps()) assert.throws(() => zipmapDecode(blob), RdbError, what);
});

// ------------------------------------------------------ against redis-server

/** Reads RDB lengths and strings (LZF included) from a DUMP payload. */
class RdbReader {
  p = 0;
  constructor(readonly buf: Buffer) {}
  byte(): number {
    return this.buf[this.p++];
  }
  len(): number {
    const b = this.byte();
    if (b >> 6 === 0) return b & 0x3f;
    if (b >> 6 === 1) return ((b & 0x3f) << 8) | this.byte();
    if (b === 0x80) return (this.p += 4), this.buf.readUInt32BE(this.p - 4);
    if (b === 0x81) return (this.p += 8), Number(this.buf.readBigUInt64BE(this.p - 8));
    throw new Error(`unexpected length byte 0x${b.toString(16)}`);
  }
  string(): Buffer {
    if (this.buf[this.p] === 0xc3) {
      this.p++;
      const clen = this.len();
      const len = this.len();
      const out = lzfDecompress(this.buf.subarray(this.p, this.p + clen), len);
      assert.ok(out, 'valid LZF');
      this.p += clen;
      return out;
    }
    const n = this.len();
    this.p += n;
    return this.buf.subarray(this.p - n, this.p);
  }
  /** The DUMP trailer: RDB version and CRC64 over everything before it. */
  end(): void {
    assert.equal(this.buf.length, this.p + 10, 'payload fully consumed');
    assert.deepEqual(new Crc64().update(this.buf.subarray(0, this.p + 2)).bytes(), this.buf.subarray(this.p + 2));
  }
}

function rdbString(blob: Buffer): Buffer {
  const n = blob.length;
  const hdr = n < 64 ? Buffer.from([n]) : n < 16384 ? Buffer.from([0x40 | (n >> 8), n & 0xff]) : Buffer.from([0x80, 0, 0, 0, 0]);
  if (hdr.length === 5) hdr.writeUInt32BE(n, 1);
  return Buffer.concat([hdr, blob]);
}

/** A RESTORE payload: type, the blob as an RDB string, RDB version 10, CRC64. */
function restorePayload(type: number, blob: Buffer): string {
  const body = Buffer.concat([Buffer.from([type]), rdbString(blob), Buffer.from([10, 0])]);
  return Buffer.concat([body, new Crc64().update(body).bytes()]).toString('latin1');
}

async function reply(c: RawClient, ...args: string[]): Promise<Flat> {
  c.write(RawClient.encode(args));
  return flatten((await c.readReply()).value);
}

type Flat = string | null | Flat[];
function flatten(v: RespValue): Flat {
  switch (v.type) {
    case 'bulk':
    case 'simple':
      return v.value;
    case 'error':
      return `ERR:${v.value}`;
    case 'integer':
      return String(v.value);
    case 'array':
      return v.value === null ? null : v.value.map(flatten);
    case 'null':
      return null;
    default:
      throw new Error(`unexpected reply ${v.type}`);
  }
}

async function dump(c: RawClient, key: string): Promise<RdbReader> {
  const v = await reply(c, 'DUMP', key);
  assert.equal(typeof v, 'string', `DUMP ${key}`);
  return new RdbReader(Buffer.from(v as string, 'latin1'));
}

/** Unique fields for a hash, each paired with a value. */
function hashItems(rng: Rng, n: number, pool: readonly string[] = []): string[] {
  const fields = new Set<string>(pool);
  while (fields.size < n + pool.length) fields.add(randomItem(rng));
  const out: string[] = [];
  for (const f of fields) out.push(f, rng.chance(0.3) ? rng.pick(LONG_STRINGS) : randomItem(rng));
  return out;
}

test('against redis-server: DUMPed listpacks equal listpackEncode; intsets equal intsetEncode', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  const srv = await startServer('redis');
  try {
    const c = await RawClient.connect(srv.port);
    for (const [k, v] of [['hash-max-listpack-value', '100000'], ['hash-max-listpack-entries', '10000'], ['list-max-listpack-size', '-5']]) {
      assert.equal(await reply(c, 'CONFIG', 'SET', k, v), 'OK');
    }

    // The brief's small values, short enough to be stored uncompressed.
    await reply(c, 'HSET', 'h', 'a', '1', 'b', 'hello', 'c', '-5000');
    let r = await dump(c, 'h');
    assert.equal(r.byte(), 16);
    let blob = r.string();
    r.end();
    assert.deepEqual(blob, listpackEncode(['a', '1', 'b', 'hello', 'c', '-5000']));
    assert.deepEqual(listpackDecode(blob), ['a', '1', 'b', 'hello', 'c', '-5000']);

    await reply(c, 'ZADD', 'z', '1', 'a', '2.5', 'b', '-5000', 'c', '0', 'd', '3000000000', 'e');
    r = await dump(c, 'z');
    assert.equal(r.byte(), 17);
    blob = r.string();
    r.end();
    const zitems = ['c', '-5000', 'd', '0', 'a', '1', 'b', '2.5', 'e', '3000000000'];
    assert.deepEqual(blob, listpackEncode(zitems));
    assert.deepEqual(listpackDecode(blob), zitems);

    // Every edge item as a field and as a value, then random mixes (LZF-compressed payloads included).
    const rng = new Rng(99);
    const pools = [[...INT_EDGES, ...NOT_INTS, ...LONG_STRINGS], [], [], [], []];
    for (const [i, pool] of pools.entries()) {
      const items = hashItems(rng, 5 + rng.int(60), pool);
      await reply(c, 'DEL', 'h');
      await reply(c, 'HSET', 'h', ...items);
      r = await dump(c, 'h');
      assert.equal(r.byte(), 16);
      blob = r.string();
      r.end();
      assert.deepEqual(listpackDecode(blob), items, `hash ${i}`);
      assert.ok(blob.equals(listpackEncode(items)), `hash ${i}: listpackEncode equals Redis's bytes`);
    }

    // A list (quicklist of listpacks) holding every width, and entries at the backlen thresholds.
    const litems = [...INT_EDGES, ...NOT_INTS, ...LONG_STRINGS, 'p'.repeat(16377), 'q'.repeat(16378), 'r'.repeat(125), 's'.repeat(126)];
    await reply(c, 'RPUSH', 'l', ...litems);
    r = await dump(c, 'l');
    assert.equal(r.byte(), 18);
    const got: string[] = [];
    for (let nodes = r.len(); nodes > 0; nodes--) {
      assert.equal(r.len(), 2, 'packed node');
      const node = r.string();
      const items = listpackDecode(node);
      assert.ok(node.equals(listpackEncode(items)), 'node bytes equal listpackEncode');
      got.push(...items);
    }
    r.end();
    assert.deepEqual(got, litems);

    // Intsets of each width.
    const sets: Array<[string[], number]> = [
      [['1', '2', '3'], 2],
      [['-70000', '5', '70000'], 4],
      [['-9223372036854775808', '0', '9223372036854775807'], 8],
      [Array.from({ length: 300 }, (_, i) => String(i * 7 - 1000)), 2],
    ];
    for (const [members, width] of sets) {
      await reply(c, 'DEL', 's');
      await reply(c, 'SADD', 's', ...members);
      r = await dump(c, 's');
      assert.equal(r.byte(), 11);
      blob = r.string();
      r.end();
      assert.equal(blob.readUInt32LE(0), width);
      assert.deepEqual(blob, intsetEncode(members.map((m) => BigInt(m))));
      assert.deepEqual(intsetDecode(blob), members);
    }
    c.close();
  } finally {
    await srv.stop();
  }
});

test('against redis-server: RESTOREd ziplists and zipmaps read as our decoders read them', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  const srv = await startServer('redis', ['--sanitize-dump-payload', 'yes']);
  try {
    const c = await RawClient.connect(srv.port);
    for (const [k, v] of [['hash-max-listpack-value', '100000'], ['hash-max-listpack-entries', '10000'], ['zset-max-listpack-value', '100000']]) {
      assert.equal(await reply(c, 'CONFIG', 'SET', k, v), 'OK');
    }
    const restore = async (key: string, type: number, blob: Buffer): Promise<Flat> => {
      await reply(c, 'DEL', key);
      return reply(c, 'RESTORE', key, '0', restorePayload(type, blob));
    };

    // A list ziplist (type 10) with every encoding.
    const zl = ziplistEncode(ZIPLIST_EDGES);
    assert.equal(await restore('l', 10, zl), 'OK');
    assert.deepEqual(await reply(c, 'LRANGE', 'l', '0', '-1'), ziplistDecode(zl));

    // Hash ziplists (type 13): Redis converts them to listpacks, which must equal listpackEncode.
    const rng = new Rng(3);
    for (let round = 0; round < 5; round++) {
      const items = hashItems(rng, 3 + rng.int(40), round === 0 ? [...INT_EDGES, ...NOT_INTS] : []);
      const blob = ziplistEncode(items, { largePrevlen: round === 1 });
      assert.equal(await restore('h', 13, blob), 'OK', `hash ${round}`);
      assert.deepEqual(ziplistDecode(blob), items);
      assert.deepEqual(await reply(c, 'HGETALL', 'h'), items, `hash ${round}`);
      const r = await dump(c, 'h');
      assert.equal(r.byte(), 16);
      const lp = r.string();
      r.end();
      assert.ok(lp.equals(listpackEncode(items)), `hash ${round}: converted listpack equals listpackEncode`);
    }

    // A zset ziplist (type 12): member, score pairs by score.
    const zitems = ['c', '-5000', 'd', '0', 'a', '1', 'b', '2.5', 'e', '3000000000'];
    assert.equal(await restore('z', 12, ziplistEncode(zitems)), 'OK');
    assert.deepEqual(await reply(c, 'ZRANGE', 'z', '0', '-1', 'WITHSCORES'), ziplistDecode(ziplistEncode(zitems)));

    // Zipmaps (type 9), with free space and 5-byte lengths.
    for (const [i, blob] of [zipmapEncode(ZIPMAP_PAIRS), zipmapEncode(ZIPMAP_PAIRS, (k) => k % 4, 254)].entries()) {
      assert.equal(await restore('m', 9, blob), 'OK', `zipmap ${i}`);
      assert.deepEqual(await reply(c, 'HGETALL', 'm'), zipmapDecode(blob), `zipmap ${i}`);
    }

    // What our decoders refuse, Redis (deep sanitization) refuses too; the unmangled blobs load.
    assert.equal(await restore('h', 16, BASE_LISTPACK), 'OK');
    assert.equal(await restore('l', 10, BASE_ZIPLIST), 'OK');
    assert.equal(await restore('s', 11, intsetEncode([1, 2, 70000])), 'OK');
    assert.equal(await restore('m', 9, BASE_ZIPMAP), 'OK');
    const refused = async (what: string, key: string, type: number, blob: Buffer): Promise<void> => {
      const res = await restore(key, type, blob);
      assert.equal(res, 'ERR:ERR Bad data format', `${what}: Redis refuses it`);
    };
    for (const [what, blob] of malformedListpacks()) await refused(`listpack ${what}`, 'h', 16, blob);
    for (const [what, blob] of malformedZiplists()) await refused(`ziplist ${what}`, 'l', 10, blob);
    for (const [what, blob] of malformedIntsets()) await refused(`intset ${what}`, 's', 11, blob);
    for (const [what, blob] of malformedZipmaps()) await refused(`zipmap ${what}`, 'm', 9, blob);
    c.close();
  } finally {
    await srv.stop();
  }
});
