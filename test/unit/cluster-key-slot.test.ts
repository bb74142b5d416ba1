/**
 * Hash slots: CRC16-XMODEM and the hash-tag rule, on the reference vectors
 * of the Redis Cluster specification. (test/integration/cluster-differential
 * compares many random keys with a real redis-server.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16, keyHashSlot } from '../../src/cluster/key-slot.js';

test('CRC16 is the XMODEM variant (check value of "123456789" is 0x31C3)', () => {
  assert.equal(crc16('123456789'), 0x31c3);
  assert.equal(crc16(''), 0);
});

test('a key without braces hashes whole', () => {
  assert.equal(keyHashSlot('foo'), 12182);
  assert.equal(keyHashSlot('bar'), 5061);
  assert.equal(keyHashSlot(''), 0);
});

test('only the first {...} with content counts', () => {
  assert.equal(keyHashSlot('{user1000}.following'), keyHashSlot('user1000'));
  assert.equal(keyHashSlot('{user1000}.followers'), keyHashSlot('user1000'));
  assert.equal(keyHashSlot('foo{bar}{zap}'), keyHashSlot('bar'));
  assert.equal(keyHashSlot('foo{{bar}}zap'), keyHashSlot('{bar'));
  assert.equal(keyHashSlot('{foo}bar'), 12182);
});

test('empty or unclosed tags hash the whole key', () => {
  assert.equal(keyHashSlot('foo{}{bar}'), crc16('foo{}{bar}') & 0x3fff);
  assert.equal(keyHashSlot('{}foo'), 9500);
  assert.equal(keyHashSlot('foo{bar'), crc16('foo{bar') & 0x3fff);
  assert.equal(keyHashSlot('foo}bar{'), crc16('foo}bar{') & 0x3fff);
});

test('keys are bytes: latin1 strings hash every byte', () => {
  const key = Buffer.from([0xff, 0x00, 0x7b, 0x41, 0x7d]).toString('latin1');
  assert.equal(keyHashSlot(key), keyHashSlot('A'));
  assert.ok(keyHashSlot('\xff\xfe') >= 0 && keyHashSlot('\xff\xfe') < 16384);
});
