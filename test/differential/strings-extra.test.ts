/**
 * INCRBYFLOAT (x87 long double arithmetic and "%.17Lf" printing) and LCS,
 * edge cases, compared byte for byte with Redis 7.0.
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

/** Increments applied to a fresh key, then to a running total. */
const INCREMENTS = [
  '0', '1', '-1', '0.1', '0.2', '0.3', '10.5', '-0', '+0', '-0.0', '0.0', '1e5', '1E5', '1e-5', '5.0e3', '3.0e-3', '.5', '5.', '-.5', '+.5', '+1.5',
  '0.1234567890123456789', '1.00000000000000000001', '123456789012345678901234567890', '1e20', '1e21', '1e30', '-1e30', '9007199254740993',
  '18446744073709551615', '18446744073709551617', '9223372036854775807', '-9223372036854775808', '1.7976931348623157e308', '1e308', '1e309',
  '1e4000', '-1e4000', '1e4932', '1e4933', '1e-300', '1e-4940', '1e-4950', '1e-5000', '0e99999', '0x10', '0x1p3', '0x1.8p1', '-0x.8', '0X1P-2',
  '0x', '0x1p', 'inf', '-inf', 'Infinity', '+INF', 'nan', 'NaN', '-nan', 'abc', '', ' 1', '1 ', '  1', '1e', '1e+', '1.5.5', '--1', '+-1', '1_0',
  '0.000000000000000001', '0.000000000000000005', '0.000000000000000015', '-0.000000000000000001', '0.00000000000000001', '3.14159265358979323846264338327950288',
  '2.5', '1.1', '100.01', '99999999999999999.5', '0.30000000000000004', '1e-17', '5e-18', '7', '00012', '1e0005', '1e-0', '12345678.123456789',
];

function incrScripts(): Record<string, string[][]> {
  const fresh: string[][] = [];
  for (const inc of INCREMENTS) fresh.push(['DEL', 'k'], ['INCRBYFLOAT', 'k', inc], ['GET', 'k']);
  const chain: string[][] = [['SET', 'c', '0']];
  for (const inc of INCREMENTS) chain.push(['INCRBYFLOAT', 'c', inc]);
  const from: string[][] = [];
  for (const start of ['10.5', '1', '-1', '1e308', '1.5e4000', '0.1', '3', '-0', '12345678901234567890', '1e-4940']) {
    for (const inc of ['0.1', '-0.1', '1e308', '-1e308', '1e-20', '1e4932', '-1e4932', '0.3', '-3', '1e18']) {
      from.push(['SET', 'f', start], ['INCRBYFLOAT', 'f', inc], ['GET', 'f']);
    }
  }
  return { 'INCRBYFLOAT on a fresh key': fresh, 'INCRBYFLOAT chained': chain, 'INCRBYFLOAT from stored values': from };
}

const SCRIPTS: Record<string, string[][]> = {
  ...incrScripts(),
  'INCRBYFLOAT stored values and errors': [
    ['SET', 'k', '10.5'], ['INCRBYFLOAT', 'k', '0.1'], ['INCRBYFLOAT', 'k', '0.1'], ['INCRBYFLOAT', 'k', '-0.2'], ['INCRBYFLOAT', 'k', '-10.5'], ['GET', 'k'],
    ['SET', 'k', '1e308'], ['INCRBYFLOAT', 'k', '1e308'], ['INCRBYFLOAT', 'k', '1e308'], ['STRLEN', 'k'],
    ['SET', 'k', '1e4932'], ['INCRBYFLOAT', 'k', '1e4932'], ['GET', 'k'], ['INCRBYFLOAT', 'k', '-1e4932'], ['STRLEN', 'k'],
    ['SET', 'k', 'abc'], ['INCRBYFLOAT', 'k', '1'], ['INCRBYFLOAT', 'k', 'abc'], ['SET', 'k', ' 1'], ['INCRBYFLOAT', 'k', '1'],
    ['SET', 'k', '1 '], ['INCRBYFLOAT', 'k', '1'], ['SET', 'k', ''], ['INCRBYFLOAT', 'k', '1'], ['SET', 'k', 'inf'], ['INCRBYFLOAT', 'k', '1'],
    ['INCRBYFLOAT', 'k', 'abc'], ['SET', 'k', 'nan'], ['INCRBYFLOAT', 'k', '1'], ['SET', 'k', '-inf'], ['INCRBYFLOAT', 'k', 'inf'],
    ['SET', 'k', '1\x002'], ['INCRBYFLOAT', 'k', '1'], ['INCRBYFLOAT', 'n', '1\x002'], ['SET', 'k', '5'], ['INCRBYFLOAT', 'k', 'inf'], ['INCRBYFLOAT', 'k', '-inf'],
    ['GET', 'k'], ['SET', 'k', '0x1p-2'], ['INCRBYFLOAT', 'k', '1'], ['SET', 'k', '1'.repeat(5119)], ['INCRBYFLOAT', 'k', '1'],
    ['SET', 'k', '1'.repeat(5120)], ['INCRBYFLOAT', 'k', '1'], ['INCRBYFLOAT', 'x', '0.' + '0'.repeat(5000) + '1'], ['INCRBYFLOAT', 'x', '1'.repeat(5120)],
    ['SET', 't', '1', 'EX', '100'], ['INCRBYFLOAT', 't', '1.5'], ['TTL', 't'], ['APPEND', 'a', '1.5'], ['INCRBYFLOAT', 'a', '1'], ['GET', 'a'],
    ['SETRANGE', 'r', '0', '2.5'], ['INCRBYFLOAT', 'r', '0.5'], ['INCRBYFLOAT', 'k'], ['INCRBYFLOAT', 'k', '1', '2'],
  ],
  'INCRBYFLOAT integer-looking results': [
    ['INCRBYFLOAT', 'i', '1e17'], ['INCRBYFLOAT', 'i', '1'], ['INCRBYFLOAT', 'i', '0.5'], ['INCRBYFLOAT', 'i', '1e18'], ['INCRBYFLOAT', 'i', '1e19'],
    ['INCRBYFLOAT', 'i', '0.25'], ['SET', 'i', '9223372036854775807'], ['INCRBYFLOAT', 'i', '1'], ['INCRBYFLOAT', 'i', '0.5'],
    ['SET', 'i', '18446744073709551616'], ['INCRBYFLOAT', 'i', '1'], ['INCRBYFLOAT', 'i', '2'], ['INCRBYFLOAT', 'i', '3'],
    ['SET', 'i', '36893488147419103232'], ['INCRBYFLOAT', 'i', '1'], ['INCRBYFLOAT', 'i', '4'], ['INCRBYFLOAT', 'i', '5'], ['INCR', 'i'],
  ],
  'LCS': [
    ['SET', 'a', 'ohmytext'], ['SET', 'b', 'mynewtext'], ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'LEN'], ['LCS', 'a', 'b', 'IDX'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'a', 'b', 'idx', 'minmatchlen', '-5', 'withmatchlen'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '0'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '100'],
    ['LCS', 'a', 'b', 'LEN', 'IDX'], ['LCS', 'a', 'b', 'IDX', 'LEN'], ['LCS', 'a', 'b', 'LEN', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'LEN', 'MINMATCHLEN', '2'],
    ['LCS', 'a', 'b', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'MINMATCHLEN'], ['LCS', 'a', 'b', 'MINMATCHLEN', 'x'], ['LCS', 'a', 'b', 'FOO'],
    ['LCS', 'a', 'b', 'MINMATCHLEN', 'x', 'FOO'], ['LCS', 'a', 'b', 'FOO', 'LEN', 'IDX'], ['LCS', 'a', 'b', 'LEN', 'LEN'],
    ['LCS', 'a', 'nokey'], ['LCS', 'nokey', 'a', 'IDX'], ['LCS', 'nokey', 'nokey2', 'LEN'], ['LCS', 'nokey', 'nokey2', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a', 'a', 'IDX'],
    ['SET', 'c', 'abcdefghij'], ['SET', 'd', 'jihgfedcba'], ['LCS', 'c', 'd'], ['LCS', 'c', 'd', 'IDX', 'WITHMATCHLEN'],
    ['SET', 'e', 'aaaaabbbbbaaaaa'], ['SET', 'f', 'aabbaabbaa'], ['LCS', 'e', 'f'], ['LCS', 'e', 'f', 'IDX', 'WITHMATCHLEN'], ['LCS', 'f', 'e', 'IDX'],
    ['SET', 'g', 'xyz'], ['SET', 'h', 'abc'], ['LCS', 'g', 'h'], ['LCS', 'g', 'h', 'IDX'], ['LCS', 'g', 'h', 'LEN'],
    ['SET', 'i', 'The quick brown fox jumps over the lazy dog'], ['SET', 'j', 'A quick brown dog jumps over the lazy fox!'],
    ['LCS', 'i', 'j'], ['LCS', 'i', 'j', 'IDX', 'MINMATCHLEN', '3', 'WITHMATCHLEN'], ['LCS', 'j', 'i', 'IDX'],
    ['SET', 'bin1', '\x00\xff\x01\x02\xfe\r\n'], ['SET', 'bin2', '\xff\x00\x02\r\n\xfe'], ['LCS', 'bin1', 'bin2'], ['LCS', 'bin1', 'bin2', 'IDX', 'WITHMATCHLEN'],
    ['SET', 'n1', '1234567'], ['SET', 'n2', '3456'], ['LCS', 'n1', 'n2', 'IDX'], ['SET', 'em', ''], ['LCS', 'em', 'a'], ['LCS', 'em', 'em', 'IDX'],
    ['LCS', 'a'], ['LCS'],
  ],
  'LCS memory limit': [
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1048576'], ['SET', 'x', 'a'.repeat(600)], ['SET', 'y', 'b'.repeat(600)], ['LCS', 'x', 'y'], ['LCS', 'x', 'y', 'LEN'],
    ['SET', 'y', 'ab'.repeat(200)], ['LCS', 'x', 'y', 'LEN'], ['LCS', 'x', 'y', 'IDX', 'MINMATCHLEN', '2'], ['LCS', 'x', 'y', 'IDX', 'FOO'],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'], ['SET', 'y', 'b'.repeat(600)], ['LCS', 'x', 'y', 'LEN'],
  ],
};

/** Scripts that need a non-string key; they run once Reddish has lists. */
const WRONGTYPE_SCRIPTS: Record<string, string[][]> = {
  'wrong type': [
    ['LPUSH', 'l', 'x'], ['INCRBYFLOAT', 'l', '1'], ['INCRBYFLOAT', 'l', 'abc'], ['SET', 'a', 'foo'], ['LCS', 'a', 'l'], ['LCS', 'l', 'a', 'LEN'],
    ['LCS', 'l', 'nokey', 'FOO'], ['LCS', 'nokey', 'l', 'IDX', 'LEN'],
  ],
};

test('INCRBYFLOAT and LCS match Redis 7.0 byte for byte (RESP2 and RESP3)', async () => {
  const probe = await pair.reddishClient.call('LPUSH', '__probe__', 'x');
  await pair.reddishClient.call('DEL', '__probe__');
  const scripts = probe.startsWith('-ERR unknown command') ? SCRIPTS : { ...SCRIPTS, ...WRONGTYPE_SCRIPTS };
  const d = await runScripts(pair, scripts);
  assert.equal(d.length, 0, formatDivergences(d, 60));
});
