/**
 * The RDB codec's building blocks: CRC64 (checked against Redis's check value
 * and against the trailer of a dump.rdb written by a real redis-server) and
 * LZF (round trips; streams of Redis's format decode).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc64, Crc64 } from '../../src/persist/rdb/crc64.js';
import { lzfCompress, lzfDecompress } from '../../src/persist/rdb/lzf.js';
import { Rng } from '../differential/generator.js';
import { redisAvailable, startServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

test('crc64 of "123456789" is Redis\'s check value 0xe9c6d914c4b8d9ca', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  // Fed in pieces, the same.
  assert.equal(new Crc64().update(Buffer.from('1234')).update(Buffer.from('56789')).value(), 0xe9c6d914c4b8d9can);
});

test('crc64 matches the trailer of a dump.rdb written by redis-server', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  const srv = await startServer('redis');
  try {
    const c = await RawClient.connect(srv.port);
    await c.call('SET', 'greeting', 'hello world');
    await c.call('RPUSH', 'list', 'a', 'b', 'c');
    await c.call('SET', 'long', 'x'.repeat(1000)); // LZF-compressed in the file
    assert.equal(await c.call('SAVE'), '+OK\r\n');
    c.close();
    const rdb = readFileSync(join(srv.dir, 'dump.rdb'));
    assert.equal(rdb.subarray(0, 5).toString('latin1'), 'REDIS');
    const body = rdb.subarray(0, rdb.length - 8);
    assert.deepEqual(new Crc64().update(body).bytes(), rdb.subarray(rdb.length - 8));
    // The long value was stored LZF-compressed (RDB_ENC_LZF after the key): decode Redis's own stream.
    const at = rdb.indexOf(Buffer.from('\x04long\xc3', 'latin1'));
    assert.ok(at > 0, 'compressed string found');
    let p = at + 6;
    const readLen = (): number => {
      const b = rdb[p];
      if (b >> 6 === 0) return (p++, b & 0x3f);
      if (b >> 6 === 1) return ((p += 2), ((b & 0x3f) << 8) | rdb[p - 1]);
      const v = rdb.readUInt32BE(p + 1);
      p += 5;
      return v;
    };
    const clen = readLen();
    const len = readLen();
    assert.equal(len, 1000);
    assert.deepEqual(lzfDecompress(rdb.subarray(p, p + clen), len), Buffer.from('x'.repeat(1000)));
  } finally {
    await srv.stop();
  }
});

test('LZF: random and repetitive data round-trip; invalid streams are refused', () => {
  const rng = new Rng(7);
  for (let round = 0; round < 200; round++) {
    const n = 4 + rng.int(5000);
    const b = Buffer.alloc(n);
    const alphabet = 1 + rng.int(8);
    for (let i = 0; i < n; i++) b[i] = rng.next() < 0.8 ? 97 + rng.int(alphabet) : rng.int(256);
    const c = lzfCompress(b, n + 64);
    assert.ok(c !== null, 'compressible within n + 64');
    assert.deepEqual(lzfDecompress(c!, n), b, `round ${round}`);
  }
  const rep = Buffer.from('abcabcabcabcabcabcabcabcabcabcabcabcabcabc'.repeat(50));
  const c = lzfCompress(rep)!;
  assert.ok(c.length < rep.length / 10);
  assert.deepEqual(lzfDecompress(c, rep.length), rep);
  // A back reference before the start of the output, and a wrong length.
  assert.equal(lzfDecompress(Buffer.from([0x20, 0x05]), 3), null);
  assert.equal(lzfDecompress(Buffer.from([0x01, 0x61, 0x62]), 3), null);
});

test('LZF: a literal run followed by a long back reference decodes', () => {
  // A literal "a", then a back reference of length 19 at offset 1 (7 in the control byte plus an extra length byte).
  const stream = Buffer.from([0x00, 0x61, 0xe0, 19 - 2 - 7, 0x00]);
  assert.deepEqual(lzfDecompress(stream, 20), Buffer.from('a'.repeat(20)));
});
