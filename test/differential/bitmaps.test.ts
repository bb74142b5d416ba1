/**
 * Bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
 * BITFIELD_RO), edge cases, compared byte for byte with Redis 7.0.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

const ONES = '\xff\xff\xff';

const SCRIPTS: Record<string, string[][]> = {
  'SETBIT GETBIT offsets and values': [
    ['SETBIT', 'b', '0', '1'], ['GET', 'b'], ['SETBIT', 'b', '7', '1'], ['GET', 'b'], ['SETBIT', 'b', '8', '1'], ['GET', 'b'], ['STRLEN', 'b'],
    ['GETBIT', 'b', '0'], ['GETBIT', 'b', '1'], ['GETBIT', 'b', '7'], ['GETBIT', 'b', '8'], ['GETBIT', 'b', '9'], ['GETBIT', 'b', '100'],
    ['GETBIT', 'b', '4294967295'], ['GETBIT', 'b', '4294967296'], ['GETBIT', 'b', '-1'], ['GETBIT', 'b', 'x'], ['GETBIT', 'b', '1.5'],
    ['GETBIT', 'nokey', '0'], ['GETBIT', 'nokey', '-1'], ['GETBIT', 'nokey', '99999999999999999999'],
    ['SETBIT', 'b', '0', '0'], ['SETBIT', 'b', '0', '0'], ['GET', 'b'], ['SETBIT', 'b', '0', '2'], ['SETBIT', 'b', '0', '-1'], ['SETBIT', 'b', '0', 'x'],
    ['SETBIT', 'b', '0', ''], ['SETBIT', 'b', '0', '01'], ['SETBIT', 'b', '-1', '1'], ['SETBIT', 'b', '4294967296', '1'], ['SETBIT', 'b', '9223372036854775807', '1'],
    ['SETBIT', 'b', '9223372036854775808', '1'], ['SETBIT', 'b', 'abc', '5'], ['SETBIT', 'b', '+1', '1'],
    ['SETBIT', 'n', '100', '0'], ['STRLEN', 'n'], ['GET', 'n'], ['SETBIT', 'n', '81', '1'], ['GET', 'n'],
    ['SET', 's', 'abc'], ['SETBIT', 's', '1', '0'], ['GET', 's'], ['SETBIT', 's', '30', '1'], ['GET', 's'], ['GETBIT', 's', '30'],
    ['SET', 'i', '123'], ['GETBIT', 'i', '2'], ['GETBIT', 'i', '3'], ['SETBIT', 'i', '7', '0'], ['GET', 'i'],
    ['SET', 't', 'x', 'EX', '100'], ['SETBIT', 't', '100', '1'], ['TTL', 't'],
    ['SETBIT', 'b'], ['GETBIT', 'b'], ['SETBIT', 'b', '1', '1', '1'],
  ],
  'SETBIT with a small proto-max-bulk-len': [
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1048576'], ['SETBIT', 'p', '8388607', '1'], ['STRLEN', 'p'], ['SETBIT', 'p', '8388608', '1'],
    ['GETBIT', 'p', '8388608'], ['GETBIT', 'p', '8388607'], ['BITFIELD', 'p', 'GET', 'u8', '8388608'], ['BITFIELD', 'p', 'GET', 'u8', '#1048576'],
    ['BITFIELD', 'p', 'GET', 'u8', '#1048575'], ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'],
  ],
  'SETBIT and WATCH: an unchanged bit is no write': [
    ['SET', 'w', 'a'], ['WATCH', 'w'], ['SETBIT', 'w', '1', '1'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'w'], ['SETBIT', 'w', '0', '1'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'w'], ['SETBIT', 'w', '100', '0'], ['MULTI'], ['PING'], ['EXEC'], ['STRLEN', 'w'],
    ['WATCH', 'w'], ['SETBIT', 'w', '100', '0'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'w'], ['BITFIELD', 'w', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '10'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'w'], ['BITFIELD', 'w', 'SET', 'u8', '0', '0'], ['MULTI'], ['PING'], ['EXEC'],
    ['WATCH', 'w'], ['BITFIELD', 'w', 'GET', 'u8', '0'], ['MULTI'], ['PING'], ['EXEC'],
  ],
  'BITCOUNT': [
    ['SET', 's', 'foobar'], ['BITCOUNT', 's'], ['BITCOUNT', 's', '0', '0'], ['BITCOUNT', 's', '1', '1'], ['BITCOUNT', 's', '0', '-1'],
    ['BITCOUNT', 's', '-2', '-1'], ['BITCOUNT', 's', '-1', '-2'], ['BITCOUNT', 's', '-100', '-1'], ['BITCOUNT', 's', '-100', '-50'],
    ['BITCOUNT', 's', '2', '1'], ['BITCOUNT', 's', '5', '100'], ['BITCOUNT', 's', '6', '100'], ['BITCOUNT', 's', '100', '200'],
    ['BITCOUNT', 's', '0', '0', 'BYTE'], ['BITCOUNT', 's', '0', '0', 'BIT'], ['BITCOUNT', 's', '1', '1', 'bit'], ['BITCOUNT', 's', '5', '30', 'BIT'],
    ['BITCOUNT', 's', '0', '-1', 'BIT'], ['BITCOUNT', 's', '-5', '-1', 'BIT'], ['BITCOUNT', 's', '-1', '-5', 'BIT'], ['BITCOUNT', 's', '3', '3', 'BIT'],
    ['BITCOUNT', 's', '9', '10', 'BIT'], ['BITCOUNT', 's', '7', '8', 'BIT'], ['BITCOUNT', 's', '0', '47', 'BIT'], ['BITCOUNT', 's', '47', '47', 'BIT'],
    ['BITCOUNT', 's', '-100', '2', 'BIT'], ['BITCOUNT', 's', '40', '1000', 'BIT'], ['BITCOUNT', 's', '20', '10', 'BIT'],
    ['BITCOUNT', 's', '0', '1', 'FOO'], ['BITCOUNT', 's', '-1', '-2', 'FOO'], ['BITCOUNT', 's', '0'], ['BITCOUNT', 's', '0', '1', 'BIT', 'x'],
    ['BITCOUNT', 's', 'a', '1'], ['BITCOUNT', 's', '1', 'a'], ['BITCOUNT', 's', '1.0', '2'],
    ['BITCOUNT', 's', '-9223372036854775807', '-9223372036854775808'], ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807'],
    ['BITCOUNT', 's', '9223372036854775807', '9223372036854775807', 'BIT'], ['BITCOUNT', 's', '-9223372036854775808', '-1', 'BIT'],
    ['BITCOUNT', 'nokey'], ['BITCOUNT', 'nokey', '0', '1'], ['BITCOUNT', 'nokey', 'a', 'b'], ['BITCOUNT', 'nokey', '0'], ['BITCOUNT', 'nokey', '0', '1', 'FOO'],
    ['SET', 'e', ''], ['BITCOUNT', 'e'], ['BITCOUNT', 'e', '0', '-1'], ['BITCOUNT', 'e', '0', '0', 'BIT'], ['BITCOUNT', 'e', '-1', '0'],
    ['SET', 'o', ONES], ['BITCOUNT', 'o'], ['BITCOUNT', 'o', '1', '22', 'BIT'], ['SET', 'num', '12345'], ['BITCOUNT', 'num'], ['BITCOUNT', 'num', '1', '2'],
    ['BITCOUNT'],
  ],
  'BITCOUNT on a long bitmap': [
    ['SETBIT', 'big', '0', '1'], ['SETBIT', 'big', '12345', '1'], ['SETBIT', 'big', '99999', '1'], ['SETBIT', 'big', '99998', '1'], ['BITCOUNT', 'big'],
    ['BITCOUNT', 'big', '1', '-1'], ['BITCOUNT', 'big', '1', '99998', 'BIT'], ['BITCOUNT', 'big', '1', '99997', 'BIT'], ['BITCOUNT', 'big', '12345', '12345', 'BIT'],
    ['BITPOS', 'big', '1', '1'], ['BITPOS', 'big', '1', '12346', '-1', 'BIT'], ['BITPOS', 'big', '0', '0', '0', 'BIT'], ['BITPOS', 'big', '1', '-1'],
    ['BITPOS', 'big', '1', '-1', '-1', 'BIT'],
  ],
  'BITPOS': [
    ['SET', 's', '\xff\xf0\x00'], ['BITPOS', 's', '0'], ['BITPOS', 's', '1'], ['BITPOS', 's', '0', '0'], ['BITPOS', 's', '1', '1'], ['BITPOS', 's', '1', '2'],
    ['BITPOS', 's', '0', '1', '1'], ['BITPOS', 's', '0', '0', '0'], ['BITPOS', 's', '1', '2', '-1'], ['BITPOS', 's', '0', '-1'], ['BITPOS', 's', '1', '-1'],
    ['BITPOS', 's', '1', '-2', '-1'], ['BITPOS', 's', '1', '-1', '-2'], ['BITPOS', 's', '0', '-1', '-2'], ['BITPOS', 's', '1', '5', '2'], ['BITPOS', 's', '1', '100'],
    ['BITPOS', 's', '0', '100'], ['BITPOS', 's', '1', '-100', '-50'], ['BITPOS', 's', '1', '-100'],
    ['BITPOS', 's', '1', '0', '-1', 'BIT'], ['BITPOS', 's', '0', '0', '-1', 'BIT'], ['BITPOS', 's', '0', '3', '10', 'BIT'], ['BITPOS', 's', '0', '3', '11', 'BIT'],
    ['BITPOS', 's', '0', '12', '23', 'BIT'], ['BITPOS', 's', '1', '12', '23', 'BIT'], ['BITPOS', 's', '1', '3', '5', 'BIT'], ['BITPOS', 's', '0', '3', '5', 'BIT'],
    ['BITPOS', 's', '1', '9', '9', 'bit'], ['BITPOS', 's', '0', '12', '12', 'BIT'], ['BITPOS', 's', '1', '-5', '-1', 'BIT'], ['BITPOS', 's', '0', '-13', '-12', 'BIT'],
    ['BITPOS', 's', '0', '0', '0', 'BYTE'], ['BITPOS', 's', '0', '1', '2', 'BYTE'], ['BITPOS', 's', '1', '0', '-1', 'FOO'], ['BITPOS', 's', '1', '0', '1', 'BIT', 'x'],
    ['BITPOS', 's', '2'], ['BITPOS', 's', '-1'], ['BITPOS', 's', 'a'], ['BITPOS', 's', '1', 'a'], ['BITPOS', 's', '1', '0', 'a'], ['BITPOS', 's', '1', 'a', '0', 'FOO'],
    ['BITPOS', 's', '1', '0', 'a', 'FOO'], ['BITPOS', 's', '1', '9223372036854775807'], ['BITPOS', 's', '0', '-9223372036854775808'],
    ['BITPOS', 's', '0', '0', '9223372036854775807', 'BIT'], ['BITPOS', 's', '1', '-9223372036854775808', '-9223372036854775807'],
    ['SET', 'o', ONES], ['BITPOS', 'o', '0'], ['BITPOS', 'o', '0', '1'], ['BITPOS', 'o', '0', '0', '-1'], ['BITPOS', 'o', '0', '1', '2'], ['BITPOS', 'o', '0', '0', '1'],
    ['BITPOS', 'o', '0', '5', '-1', 'BIT'], ['BITPOS', 'o', '0', '5', '17', 'BIT'], ['BITPOS', 'o', '0', '5'], ['BITPOS', 'o', '1', '5', '4', 'BIT'], ['BITPOS', 'o', '1'],
    ['BITPOS', 'o', '0', '-1'], ['BITPOS', 'o', '0', '-1', '-1'], ['BITPOS', 'o', '0', '20'], ['BITPOS', 'o', '0', '20', '22'],
    ['SET', 'z', '\x00\x00\x00'], ['BITPOS', 'z', '1'], ['BITPOS', 'z', '0'], ['BITPOS', 'z', '1', '1'], ['BITPOS', 'z', '1', '0', '-1', 'BIT'], ['BITPOS', 'z', '0', '7', '7', 'BIT'],
    ['SET', 'e', ''], ['BITPOS', 'e', '0'], ['BITPOS', 'e', '1'], ['BITPOS', 'e', '0', '0'], ['BITPOS', 'e', '0', '0', '-1'], ['BITPOS', 'e', '0', '0', '0', 'BIT'],
    ['BITPOS', 'nokey', '0'], ['BITPOS', 'nokey', '1'], ['BITPOS', 'nokey', '1', 'a'], ['BITPOS', 'nokey', '0', '5', '10'], ['BITPOS', 'nokey', '1', '0', '1', 'FOO'],
    ['BITPOS', 'nokey', '2'], ['SET', 'num', '1234'], ['BITPOS', 'num', '0'], ['BITPOS', 'num', '1', '1', '2'],
    ['BITPOS', 'k'],
  ],
  'BITOP': [
    ['SET', 'a', 'foobar'], ['SET', 'b', 'abc'], ['SET', 'c', '\xff'], ['BITOP', 'AND', 'd', 'a', 'b'], ['GET', 'd'], ['BITOP', 'OR', 'd', 'a', 'b'], ['GET', 'd'],
    ['BITOP', 'XOR', 'd', 'a', 'b'], ['GET', 'd'], ['BITOP', 'NOT', 'd', 'a'], ['GET', 'd'], ['BITOP', 'and', 'd', 'a', 'b', 'c'], ['GET', 'd'],
    ['BITOP', 'or', 'd', 'a', 'nokey'], ['GET', 'd'], ['BITOP', 'and', 'd', 'a', 'nokey'], ['GET', 'd'], ['BITOP', 'xor', 'd', 'nokey', 'a', 'c'], ['GET', 'd'],
    ['BITOP', 'AND', 'd', 'a'], ['GET', 'd'], ['BITOP', 'XOR', 'd', 'a', 'a'], ['GET', 'd'], ['STRLEN', 'd'],
    ['BITOP', 'NOT', 'd', 'a', 'b'], ['BITOP', 'NOT', 'd'], ['BITOP', 'NAND', 'd', 'a'], ['BITOP', 'DIFF', 'd', 'a', 'b'], ['BITOP', 'ONE', 'd', 'a', 'b'],
    ['SET', 'd', 'x', 'EX', '100'], ['BITOP', 'OR', 'd', 'nokey', 'nokey2'], ['EXISTS', 'd'], ['BITOP', 'NOT', 'd', 'nokey'], ['EXISTS', 'd'],
    ['SET', 'd', 'x', 'EX', '100'], ['BITOP', 'OR', 'd', 'a'], ['TTL', 'd'], ['GET', 'd'],
    ['SET', 'e', ''], ['BITOP', 'OR', 'd', 'e'], ['EXISTS', 'd'], ['BITOP', 'NOT', 'd', 'e'], ['EXISTS', 'd'],
    ['BITOP', 'NOT', 'a', 'a'], ['GET', 'a'],
    ['SET', 'n1', '12'], ['SET', 'n2', '3'], ['BITOP', 'AND', 'd', 'n1', 'n2'], ['GET', 'd'], ['BITOP', 'OR', 'd'], ['BITOP', 'OR'],
    ['SETBIT', 'x', '100', '1'], ['BITOP', 'OR', 'y', 'x', 'a'], ['GET', 'y'], ['BITOP', 'AND', 'y', 'x', 'a'], ['GET', 'y'], ['BITCOUNT', 'y'],
  ],
  'BITFIELD basics': [
    ['BITFIELD', 'f', 'SET', 'u8', '0', '255'], ['GET', 'f'], ['BITFIELD', 'f', 'GET', 'u8', '0'], ['BITFIELD', 'f', 'GET', 'i8', '0'], ['BITFIELD', 'f', 'GET', 'u4', '4'],
    ['BITFIELD', 'f', 'GET', 'u8', '4'], ['BITFIELD', 'f', 'GET', 'i64', '0'], ['BITFIELD', 'f', 'GET', 'u63', '0'], ['BITFIELD', 'f', 'GET', 'u1', '1000000'],
    ['BITFIELD', 'f', 'SET', 'i8', '8', '-1', 'GET', 'u16', '0', 'INCRBY', 'u16', '0', '1', 'GET', 'u16', '0'], ['GET', 'f'],
    ['BITFIELD', 'f', 'SET', 'u8', '#1', '65', 'SET', 'u8', '#2', '66', 'GET', 'u8', '#2', 'GET', 'i4', '#3'], ['GET', 'f'],
    ['BITFIELD', 'f', 'SET', 'u8', '#0', '1', 'SET', 'u8', '3', '1'], ['GET', 'f'],
    ['BITFIELD', 'f'], ['BITFIELD', 'nokey'], ['EXISTS', 'nokey'], ['BITFIELD', 'nokey', 'GET', 'u8', '0', 'GET', 'i64', '100'], ['EXISTS', 'nokey'],
    ['BITFIELD', 'g', 'INCRBY', 'i5', '100', '1'], ['GET', 'g'], ['STRLEN', 'g'], ['BITFIELD', 'g', 'GET', 'i5', '100'],
    ['BITFIELD', 'h', 'SET', 'i64', '0', '-9223372036854775808'], ['BITFIELD', 'h', 'GET', 'i64', '0'], ['BITFIELD', 'h', 'GET', 'u63', '0'],
    ['BITFIELD', 'h', 'GET', 'u63', '1'], ['BITFIELD', 'h', 'SET', 'i64', '3', '9223372036854775807'], ['GET', 'h'],
    ['SET', 'num', '42'], ['BITFIELD', 'num', 'GET', 'u16', '0'], ['BITFIELD', 'num', 'INCRBY', 'u8', '8', '1'], ['GET', 'num'],
    ['SET', 't', 'x', 'EX', '100'], ['BITFIELD', 't', 'SET', 'u8', '16', '1'], ['TTL', 't'], ['GET', 't'],
  ],
  'BITFIELD argument errors': [
    ['BITFIELD', 'f', 'GET', 'u64', '0'], ['BITFIELD', 'f', 'GET', 'i65', '0'], ['BITFIELD', 'f', 'GET', 'i0', '0'], ['BITFIELD', 'f', 'GET', 'u0', '0'],
    ['BITFIELD', 'f', 'GET', 'x8', '0'], ['BITFIELD', 'f', 'GET', 'I8', '0'], ['BITFIELD', 'f', 'GET', 'U8', '0'], ['BITFIELD', 'f', 'GET', 'i', '0'],
    ['BITFIELD', 'f', 'GET', 'i08', '0'], ['BITFIELD', 'f', 'GET', 'i+8', '0'], ['BITFIELD', 'f', 'GET', 'i-8', '0'], ['BITFIELD', 'f', 'GET', '', '0'], ['BITFIELD', 'f', 'GET', 'u8\x00x', '0'], ['BITFIELD', 'f', 'GET', 'u\x008', '0'],
    ['BITFIELD', 'f', 'GET', 'u8', '-1'], ['BITFIELD', 'f', 'GET', 'u8', 'a'], ['BITFIELD', 'f', 'GET', 'u8', '#-1'], ['BITFIELD', 'f', 'GET', 'u8', '##1'],
    ['BITFIELD', 'f', 'GET', 'u8', '#'], ['BITFIELD', 'f', 'GET', 'u8', '4294967296'], ['BITFIELD', 'f', 'GET', 'u8', '#536870912'],
    ['BITFIELD', 'f', 'GET', 'u8', '#536870911'], ['BITFIELD', 'f', 'GET', 'i64', '#1152921504606846976'], ['BITFIELD', 'f', 'GET', 'i64', '#9223372036854775807'],
    ['BITFIELD', 'f', 'GET', 'u8', '#9223372036854775807'], ['BITFIELD', 'f', 'GET', 'i2', '#4611686018427387904'],
    ['BITFIELD', 'f', 'GET', 'u8'], ['BITFIELD', 'f', 'GET'], ['BITFIELD', 'f', 'SET', 'u8', '0'], ['BITFIELD', 'f', 'INCRBY', 'u8', '0'],
    ['BITFIELD', 'f', 'SET', 'u8', '0', 'x'], ['BITFIELD', 'f', 'INCRBY', 'u8', '0', '1.5'], ['BITFIELD', 'f', 'SET', 'u8', '0', '9223372036854775808'],
    ['BITFIELD', 'f', 'OVERFLOW'], ['BITFIELD', 'f', 'OVERFLOW', 'foo'], ['BITFIELD', 'f', 'OVERFLOW', 'wrap', 'OVERFLOW', 'sat'], ['BITFIELD', 'f', 'FOO'],
    ['BITFIELD', 'f', 'GET', 'u8', '0', 'FOO', 'u8', '0'], ['BITFIELD', 'f', 'SET', 'u8', '0', '1', 'GET', 'u64', '0'], ['EXISTS', 'f'],
    ['BITFIELD', 'f', 'SET', 'u8', '0', '1', 'OVERFLOW', 'bad'], ['EXISTS', 'f'], ['BITFIELD', 'f', 'get', 'u8', '0', 'set', 'u8', '0', '1', 'incrby', 'u8', '0', '1'],
    ['BITFIELD'],
  ],
  'BITFIELD overflow unsigned': [
    ['BITFIELD', 'u', 'SET', 'u8', '0', '255', 'INCRBY', 'u8', '0', '1'], ['BITFIELD', 'u', 'INCRBY', 'u8', '0', '-1'], ['BITFIELD', 'u', 'INCRBY', 'u8', '0', '300'],
    ['BITFIELD', 'u', 'INCRBY', 'u8', '0', '-300'], ['BITFIELD', 'u', 'SET', 'u8', '0', '256'], ['BITFIELD', 'u', 'SET', 'u8', '0', '-1'], ['BITFIELD', 'u', 'GET', 'u8', '0'],
    ['BITFIELD', 'u', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '300', 'GET', 'u8', '0', 'SET', 'u8', '0', '-5', 'GET', 'u8', '0'],
    ['BITFIELD', 'u', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '10', 'INCRBY', 'u8', '0', '-1000', 'INCRBY', 'u8', '0', '-1', 'INCRBY', 'u8', '0', '9223372036854775807'],
    ['BITFIELD', 'u', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '300', 'SET', 'u8', '0', '-1', 'SET', 'u8', '0', '7', 'INCRBY', 'u8', '0', '249', 'INCRBY', 'u8', '0', '-8'],
    ['BITFIELD', 'u', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '248', 'INCRBY', 'u8', '0', '1', 'GET', 'u8', '0'],
    ['BITFIELD', 'u', 'OVERFLOW', 'WRAP', 'INCRBY', 'u3', '5', '7', 'INCRBY', 'u3', '5', '-9', 'SET', 'u3', '5', '-9223372036854775808'], ['GET', 'u'],
    ['BITFIELD', 'v', 'SET', 'u63', '0', '9223372036854775807', 'INCRBY', 'u63', '0', '1', 'GET', 'u63', '0'],
    ['BITFIELD', 'v', 'SET', 'u63', '0', '-1', 'GET', 'u63', '0', 'INCRBY', 'u63', '0', '-9223372036854775808', 'INCRBY', 'u63', '0', '9223372036854775807'],
    ['BITFIELD', 'v', 'OVERFLOW', 'SAT', 'SET', 'u63', '0', '-1', 'INCRBY', 'u63', '0', '5', 'INCRBY', 'u63', '0', '-9223372036854775808', 'INCRBY', 'u63', '0', '-1'],
    ['BITFIELD', 'v', 'OVERFLOW', 'FAIL', 'INCRBY', 'u63', '0', '9223372036854775807', 'INCRBY', 'u63', '0', '-1', 'SET', 'u63', '3', '-1'],
    ['BITFIELD', 'v', 'OVERFLOW', 'SAT', 'SET', 'u1', '0', '2', 'INCRBY', 'u1', '1', '-2', 'GET', 'u2', '0'], ['GET', 'v'],
  ],
  'BITFIELD overflow signed': [
    ['BITFIELD', 's', 'SET', 'i8', '0', '127', 'INCRBY', 'i8', '0', '1'], ['BITFIELD', 's', 'INCRBY', 'i8', '0', '-1'], ['BITFIELD', 's', 'INCRBY', 'i8', '0', '-300'],
    ['BITFIELD', 's', 'SET', 'i8', '0', '128'], ['BITFIELD', 's', 'SET', 'i8', '0', '-129'], ['BITFIELD', 's', 'GET', 'i8', '0'], ['BITFIELD', 's', 'SET', 'i8', '0', '9223372036854775807'],
    ['BITFIELD', 's', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '300', 'GET', 'i8', '0', 'SET', 'i8', '0', '-300', 'GET', 'i8', '0', 'INCRBY', 'i8', '0', '-1', 'INCRBY', 'i8', '0', '255'],
    ['BITFIELD', 's', 'OVERFLOW', 'FAIL', 'SET', 'i8', '0', '128', 'SET', 'i8', '0', '-128', 'INCRBY', 'i8', '0', '-1', 'INCRBY', 'i8', '0', '255', 'INCRBY', 'i8', '0', '256'],
    ['BITFIELD', 's', 'SET', 'i1', '0', '1', 'GET', 'i1', '0', 'OVERFLOW', 'SAT', 'SET', 'i1', '0', '1', 'INCRBY', 'i1', '0', '-5', 'OVERFLOW', 'FAIL', 'INCRBY', 'i1', '0', '1'],
    ['BITFIELD', 'w', 'SET', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '-9223372036854775808'],
    ['BITFIELD', 'w', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '-9223372036854775808',
      'INCRBY', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '1'],
    ['BITFIELD', 'w', 'OVERFLOW', 'FAIL', 'SET', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '9223372036854775807',
      'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', '9223372036854775807'],
    ['BITFIELD', 'w', 'OVERFLOW', 'WRAP', 'SET', 'i63', '1', '-1', 'INCRBY', 'i63', '1', '9223372036854775807', 'SET', 'i63', '1', '9223372036854775807', 'GET', 'i63', '1'],
    ['BITFIELD', 'w', 'OVERFLOW', 'SAT', 'SET', 'i63', '1', '-9223372036854775808', 'SET', 'i63', '1', '9223372036854775807', 'INCRBY', 'i32', '7', '-9223372036854775808'],
    ['GET', 'w'], ['BITFIELD', 'w', 'GET', 'i13', '3', 'GET', 'u13', '3', 'GET', 'i64', '5', 'GET', 'u7', '60'],
  ],
  'BITFIELD FAIL on missing and short keys': [
    ['BITFIELD', 'm', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '10'], ['EXISTS', 'm'], ['GET', 'm'],
    ['SET', 'n', 'a'], ['BITFIELD', 'n', 'OVERFLOW', 'FAIL', 'SET', 'u8', '40', '1000'], ['GET', 'n'], ['STRLEN', 'n'],
    ['SETBIT', 'q', '0', '1'], ['BITFIELD', 'q', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '64', '-1'], ['STRLEN', 'q'],
  ],
  'BITFIELD_RO': [
    ['SET', 'f', 'hello'], ['BITFIELD_RO', 'f', 'GET', 'u8', '0', 'GET', 'i16', '#1'], ['BITFIELD_RO', 'f'], ['BITFIELD_RO', 'f', 'SET', 'u8', '0', '1'],
    ['BITFIELD_RO', 'f', 'INCRBY', 'u8', '0', '1'], ['BITFIELD_RO', 'f', 'OVERFLOW', 'SAT'], ['BITFIELD_RO', 'f', 'OVERFLOW', 'bad', 'GET', 'u8', '0'],
    ['BITFIELD_RO', 'f', 'GET', 'u64', '0'], ['BITFIELD_RO', 'f', 'GET', 'u8', '0', 'SET', 'u64', '0', '1'], ['BITFIELD_RO', 'nokey', 'GET', 'u8', '0'],
    ['BITFIELD_RO', 'nokey', 'SET', 'u8', '0', '1'],
    ['BITFIELD_RO', 'f', 'FOO'], ['BITFIELD_RO'], ['GET', 'f'],
  ],
};

/** Scripts that need a non-string key; they run once Reddish has lists. */
const WRONGTYPE_SCRIPTS: Record<string, string[][]> = {
  'wrong type': [
    ['LPUSH', 'l', 'x'], ['SETBIT', 'l', '0', '1'], ['SETBIT', 'l', '-1', '1'], ['SETBIT', 'l', '0', '2'], ['GETBIT', 'l', '0'], ['GETBIT', 'l', 'x'],
    ['BITCOUNT', 'l'], ['BITCOUNT', 'l', 'a', 'b'], ['BITCOUNT', 'l', '0'], ['BITPOS', 'l', '1'], ['BITPOS', 'l', '2'], ['BITPOS', 'l', '1', 'a'],
    ['SET', 'a', 'foo'], ['BITOP', 'OR', 'd', 'a', 'l'], ['BITOP', 'OR', 'l', 'a'], ['TYPE', 'l'], ['GET', 'l'], ['LPUSH', 'l2', 'x'],
    ['BITFIELD', 'l2', 'GET', 'u8', '0'], ['BITFIELD', 'l2', 'SET', 'u8', '0', '1'], ['BITFIELD', 'l2'], ['BITFIELD', 'l2', 'GET', 'u64', '0'],
    ['BITFIELD_RO', 'l2', 'GET', 'u8', '0'], ['BITFIELD_RO', 'l2', 'SET', 'u8', '0', '1'],
  ],
};

test('bitmap commands match Redis 7.0 byte for byte (RESP2 and RESP3)', async () => {
  const probe = await pair.reddishClient.call('LPUSH', '__probe__', 'x');
  await pair.reddishClient.call('DEL', '__probe__');
  const scripts = probe.startsWith('-ERR unknown command') ? SCRIPTS : { ...SCRIPTS, ...WRONGTYPE_SCRIPTS };
  const d = await runScripts(pair, scripts);
  assert.equal(d.length, 0, formatDivergences(d, 60));
});
