/**
 * Sorted-set commands compared byte for byte with Redis 7.0, in RESP2 and
 * RESP3. Most scripts run twice: with the default limits (listpack encoding)
 * and with zset-max-listpack-entries 0 (every set a skiplist), so both
 * encodings are exercised; scripts that cross the limits check OBJECT
 * ENCODING along the way.
 *
 * Replies that are random or in Redis's hash order are normalized, marked by
 * spelling the command in lower case:
 *  - `zscan` (a skiplist ZSCAN): member/score pairs compared sorted;
 *  - `zrandmember` (a random pick): compared by shape (count, nesting, uniqueness).
 * Upper-case ZSCAN/ZRANDMEMBER replies are deterministic and compared exactly.
 * Lex ranges over mixed scores are only deterministic for a listpack (Redis
 * walks a skiplist by its random levels), so they run in listpack mode only.
 *
 * Then a seeded random mix of sorted-set commands (generator.ts's Rng):
 *   REDDISH_SEED=<seed> node scripts/run-tests.mjs sorted-sets
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { Rng, chooseSeed } from './generator.js';
import { decode, type RespValue } from '../../src/protocol/resp-value.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

function parse(raw: string): RespValue | undefined {
  try {
    return decode(Buffer.from(raw, 'latin1'), 0)?.value;
  } catch {
    return undefined;
  }
}

function flat(v: RespValue): string {
  if (v.type === 'array' || v.type === 'set' || v.type === 'push') return v.value === null ? 'nil[]' : `[${v.value.map(flat).join(',')}]`;
  if (v.type === 'bulk' || v.type === 'double' || v.type === 'simple') return JSON.stringify(v.value);
  if (v.type === 'integer') return String(v.value);
  return v.type;
}

/** The shape of a reply: types and nesting, element values dropped. */
function shape(v: RespValue): string {
  if (v.type === 'array' || v.type === 'set') return v.value === null ? 'nil[]' : `${v.type}(${v.value.length})[${v.value.map(shape).join(',')}]`;
  return v.type;
}

function normalize(raw: string, cmd: string[]): string {
  if (cmd[0] === 'zscan') {
    const v = parse(raw);
    if (v && v.type === 'array' && v.value && v.value.length === 2 && v.value[1].type === 'array' && v.value[1].value) {
      const items = v.value[1].value.map(flat);
      const pairs: string[] = [];
      for (let i = 0; i + 1 < items.length; i += 2) pairs.push(items[i] + '=' + items[i + 1]);
      return `zscan:${flat(v.value[0])}:${pairs.sort().join(' ')}`;
    }
  } else if (cmd[0] === 'zrandmember') {
    const v = parse(raw);
    if (v && v.type === 'array' && v.value) {
      const members = v.value.map((x) => (x.type === 'array' && x.value ? flat(x.value[0]) : flat(x)));
      const withScores = cmd.length > 3;
      const names = withScores && v.value.length > 0 && v.value[0].type !== 'array' ? members.filter((_, i) => i % 2 === 0) : members;
      const unique = new Set(names).size === names.length;
      const positive = !cmd[2].startsWith('-');
      return `rand:${shape(v)}:${positive ? unique : '-'}`;
    }
    if (v) return `rand:${shape(v)}`;
  }
  return raw;
}

const LP = [['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64']];
const SL = [['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64']];

/** The script in both encodings; in skiplist mode ZSCAN is compared sorted. */
function both(name: string, cmds: string[][]): Record<string, string[][]> {
  const sl = cmds.map((c) => (c[0] === 'ZSCAN' ? ['zscan', ...c.slice(1)] : c));
  return { [`${name} [listpack]`]: [...LP, ...cmds], [`${name} [skiplist]`]: [...SL, ...sl] };
}

const BASE = ['ZADD', 'z', '1', 'a', '2', 'b', '2', 'c', '3', 'd', '-1.5', 'e', 'inf', 'f', '-inf', 'g', '0', 'h'];
const LEX = ['ZADD', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'f', '0', 'g', '0', 'aa', '0', '', '0', '\xff', '0', 'B'];

const SCRIPTS: Record<string, string[][]> = {
  ...both('ZADD options and errors', [
    ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', '2', 'a'], ['ZADD', 'z', 'CH', '3', 'a', '1', 'b'], ['ZADD', 'z', 'NX', '5', 'a', '5', 'c'],
    ['ZADD', 'z', 'XX', '6', 'a', '6', 'x'], ['ZADD', 'z', 'XX', 'CH', '7', 'a', '7', 'x'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZADD', 'z', 'GT', '1', 'a'], ['ZADD', 'z', 'GT', 'CH', '8', 'a', '0', 'b', '9', 'new'], ['ZADD', 'z', 'LT', 'CH', '100', 'a', '-1', 'b'],
    ['ZADD', 'z', 'LT', '-5', 'lt-new'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZADD', 'z', 'NX', 'XX', '1', 'a'], ['ZADD', 'z', 'GT', 'LT', '1', 'a'], ['ZADD', 'z', 'NX', 'GT', '1', 'a'], ['ZADD', 'z', 'NX', 'LT', '1', 'a'],
    ['ZADD', 'z', 'XX', 'NX', 'GT', '1', 'a'], ['ZADD', 'z', 'INCR', '1', 'a', '2', 'b'], ['ZADD', 'z', 'INCR', 'NX', 'XX', '1', 'a', '2', 'b'],
    ['ZADD', 'z'], ['ZADD', 'z', '1'], ['ZADD', 'z', '1', 'a', '2'], ['ZADD', 'z', 'NX'], ['ZADD', 'z', 'CH', 'INCR'], ['ZADD', 'z', 'x', 'a'],
    ['ZADD', 'z', '1', 'a', 'x', 'b'], ['ZADD', 'z', 'nan', 'a'], ['ZADD', 'z', ' 1', 'a'], ['ZADD', 'z', '1 ', 'a'], ['ZADD', 'z', '', 'a'],
    ['ZADD', 'z', '1e400', 'a'], ['ZADD', 'z', '-1e400', 'a'], ['ZADD', 'z', '1e-400', 'a'], ['ZADD', 'z', '0x10', 'hex'], ['ZADD', 'z', '0X1p4', 'hexp'],
    ['ZADD', 'z', '+inf', 'pinf'], ['ZADD', 'z', '-infinity', 'ninf'], ['ZADD', 'z', '.5', 'dot'], ['ZADD', 'z', '5.', 'dot2'], ['ZADD', 'z', '1e5', 'exp'],
    ['ZADD', 'z', '1.7976931348623157e308', 'max'], ['ZADD', 'z', '4.9e-324', 'denorm'], ['ZADD', 'z', '0.1', 'tenth'], ['ZADD', 'z', '1e18', 'big'],
    ['ZADD', 'z', '-0', 'negzero'], ['ZSCORE', 'z', 'negzero'], ['ZADD', 'z', '123456789.123456789', 'long'], ['ZADD', 'z', '1e-5', 'small'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZCARD', 'z'], ['ZADD', 'z', 'nx', 'ch', 'gt', '1', 'q'], ['ZADD', 'z', 'xx', 'incr', '1', 'nope'],
    ['ZADD', 'new', 'XX', '1', 'a'], ['EXISTS', 'new'], ['ZADD', 'new', 'XX', 'INCR', '1', 'a'], ['EXISTS', 'new'],
    ['SET', 's', 'v'], ['ZADD', 's', '1', 'a'], ['ZADD', 's', 'x', 'a'], ['ZADD', 's', 'NX', 'XX', '1', 'a'], ['ZINCRBY', 's', '1', 'a'],
    ['ZADD', 'bin', '1', '\x00\xff\r\n', '2', ''], ['ZRANGE', 'bin', '0', '-1', 'WITHSCORES'], ['TYPE', 'z'], ['OBJECT', 'ENCODING', 'z'],
  ]),
  ...both('ZADD INCR and ZINCRBY', [
    ['ZADD', 'z', 'INCR', '1', 'a'], ['ZADD', 'z', 'INCR', '2.5', 'a'], ['ZINCRBY', 'z', '-10', 'a'], ['ZINCRBY', 'z', '1', 'b'], ['ZINCRBY', 'z', 'x', 'b'],
    ['ZADD', 'z', 'NX', 'INCR', '1', 'a'], ['ZADD', 'z', 'XX', 'INCR', '1', 'zz'], ['ZADD', 'z', 'GT', 'INCR', '-1', 'a'], ['ZADD', 'z', 'GT', 'INCR', '1', 'a'],
    ['ZADD', 'z', 'LT', 'INCR', '1', 'a'], ['ZADD', 'z', 'LT', 'INCR', '-1', 'a'], ['ZADD', 'z', 'INCR', 'inf', 'a'], ['ZADD', 'z', 'INCR', '-inf', 'a'],
    ['ZINCRBY', 'z', '-inf', 'a'], ['ZSCORE', 'z', 'a'], ['ZINCRBY', 'z', 'inf', 'a'], ['ZINCRBY', 'z', '0.1', 'c'], ['ZINCRBY', 'z', '0.2', 'c'],
    ['ZINCRBY', 'z', '-0', 'nz'], ['ZSCORE', 'z', 'nz'], ['ZADD', 'z', 'CH', 'INCR', '0', 'c'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['ZINCRBY', 'z', '1'], ['ZINCRBY', 'z', '1', 'a', 'b'], ['ZINCRBY', 'n', '1e400', 'a'], ['EXISTS', 'n'],
  ]),
  ...both('ZSCORE ZMSCORE ZCARD ZRANK ZREVRANK', [
    BASE, ['ZSCORE', 'z', 'a'], ['ZSCORE', 'z', 'f'], ['ZSCORE', 'z', 'g'], ['ZSCORE', 'z', 'nope'], ['ZSCORE', 'nokey', 'a'],
    ['ZMSCORE', 'z', 'a', 'nope', 'f', 'g', 'e'], ['ZMSCORE', 'nokey', 'a', 'b'], ['ZMSCORE', 'z'], ['ZCARD', 'z'], ['ZCARD', 'nokey'],
    ['ZRANK', 'z', 'g'], ['ZRANK', 'z', 'b'], ['ZRANK', 'z', 'c'], ['ZRANK', 'z', 'f'], ['ZRANK', 'z', 'nope'], ['ZRANK', 'nokey', 'a'],
    ['ZREVRANK', 'z', 'g'], ['ZREVRANK', 'z', 'f'], ['ZREVRANK', 'z', 'b'], ['ZREVRANK', 'z', 'nope'], ['ZRANK', 'z', 'a', 'WITHSCORE'],
    ['SET', 's', 'v'], ['ZSCORE', 's', 'a'], ['ZMSCORE', 's', 'a'], ['ZCARD', 's'], ['ZRANK', 's', 'a'], ['ZREVRANK', 's', 'a'], ['ZCARD'], ['ZSCORE', 'z'],
  ]),
  ...both('ZRANGE by rank', [
    BASE, ['ZRANGE', 'z', '0', '-1'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGE', 'z', '2', '4', 'withscores'], ['ZRANGE', 'z', '-3', '-1'],
    ['ZRANGE', 'z', '-100', '100'], ['ZRANGE', 'z', '5', '2'], ['ZRANGE', 'z', '8', '10'], ['ZRANGE', 'z', '-1', '-3'], ['ZRANGE', 'z', '0', '0'],
    ['ZRANGE', 'z', '0', '-1', 'REV'], ['ZRANGE', 'z', '1', '3', 'REV', 'WITHSCORES'], ['ZREVRANGE', 'z', '0', '-1'], ['ZREVRANGE', 'z', '0', '2', 'WITHSCORES'],
    ['ZREVRANGE', 'z', '-2', '-1'], ['ZRANGE', 'z', 'a', '1'], ['ZRANGE', 'z', '0', '1.5'], ['ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '1'],
    ['ZRANGE', 'z', '0', '-1', 'LIMIT', '0', '-1'], ['ZRANGE', 'z', '0', '-1', 'FOO'], ['ZRANGE', 'z', '0', '-1', 'REV', 'REV'], ['ZRANGE', 'z', '0', '-1', 'LIMIT', '0'],
    ['ZRANGE', 'z', '0', '-1', 'LIMIT', 'x', '1'], ['ZREVRANGE', 'z', '0', '-1', 'REV'], ['ZREVRANGE', 'z', '0', '-1', 'BYSCORE'], ['ZREVRANGE', 'z', '0', '-1', 'LIMIT', '0', '1'],
    ['ZRANGE', 'nokey', '0', '-1'], ['ZRANGE', 'nokey', 'x', '-1'], ['ZRANGE', 'z', '9223372036854775807', '-9223372036854775808'],
    ['ZRANGE', 'z', '-9223372036854775808', '9223372036854775807'], ['SET', 's', 'v'], ['ZRANGE', 's', '0', '-1'], ['ZRANGE', 'z', '0'],
  ]),
  ...both('ZRANGE by score', [
    BASE, ['ZRANGEBYSCORE', 'z', '-inf', '+inf'], ['ZRANGEBYSCORE', 'z', '-inf', '+inf', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '(1', '3'],
    ['ZRANGEBYSCORE', 'z', '(1', '(3'], ['ZRANGEBYSCORE', 'z', '1', '(2'], ['ZRANGEBYSCORE', 'z', '2', '2'], ['ZRANGEBYSCORE', 'z', '(2', '2'],
    ['ZRANGEBYSCORE', 'z', '3', '1'], ['ZRANGEBYSCORE', 'z', '(-inf', '(inf'], ['ZRANGEBYSCORE', 'z', 'inf', 'inf'], ['ZRANGEBYSCORE', 'z', '-inf', '-inf'],
    ['ZRANGEBYSCORE', 'z', '(inf', '+inf'], ['ZRANGEBYSCORE', 'z', '', ''], ['ZRANGEBYSCORE', 'z', '(', '10'], ['ZRANGEBYSCORE', 'z', ' 1', '10'],
    ['ZRANGEBYSCORE', 'z', '1 ', '10'], ['ZRANGEBYSCORE', 'z', 'nan', '10'], ['ZRANGEBYSCORE', 'z', '((1', '10'], ['ZRANGEBYSCORE', 'z', 'x', '10'],
    ['ZRANGEBYSCORE', 'z', '0x1', '0x2'], ['ZRANGEBYSCORE', 'z', '-1e400', '1e400'], ['ZRANGEBYSCORE', 'z', '0', '1e-400'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '1', '2'],
    ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '0', '0'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '0', '-1'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '0', '-5'],
    ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '-1', '2'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '7', '5'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '8', '5'],
    ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'LIMIT', '100', '5'], ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'WITHSCORES', 'LIMIT', '2', '3'], ['ZRANGEBYSCORE', 'z', '0', '3', 'LIMIT', '1'],
    ['ZRANGEBYSCORE', 'z', '0', '3', 'LIMIT', '1', 'x'], ['ZRANGEBYSCORE', 'z', '0', '3', 'REV'], ['ZRANGEBYSCORE', 'z', '0', '3', 'BYSCORE'], ['ZRANGEBYSCORE', 'z', '0', '3', 'FOO'],
    ['ZREVRANGEBYSCORE', 'z', '+inf', '-inf'], ['ZREVRANGEBYSCORE', 'z', '3', '(1', 'WITHSCORES'], ['ZREVRANGEBYSCORE', 'z', '1', '3'], ['ZREVRANGEBYSCORE', 'z', 'inf', '-inf', 'LIMIT', '1', '3'],
    ['ZREVRANGEBYSCORE', 'z', '(2', '(2'], ['ZREVRANGEBYSCORE', 'z', 'inf', '-inf', 'LIMIT', '-1', '3'],
    ['ZRANGE', 'z', '(1', '3', 'BYSCORE'], ['ZRANGE', 'z', '3', '(1', 'BYSCORE', 'REV', 'WITHSCORES'], ['ZRANGE', 'z', '-inf', 'inf', 'BYSCORE', 'LIMIT', '2', '2'],
    ['ZRANGE', 'z', 'inf', '-inf', 'REV', 'BYSCORE', 'LIMIT', '1', '100'], ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'], ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYSCORE'],
    ['ZRANGE', 'z', 'a', 'b', 'BYSCORE'], ['ZRANGE', 'nokey', '0', '1', 'BYSCORE'], ['ZRANGE', 'nokey', 'a', '1', 'BYSCORE'], ['ZRANGEBYSCORE', 'nokey', '0', '1'],
    ['SET', 's', 'v'], ['ZRANGEBYSCORE', 's', '0', '1'], ['ZRANGEBYSCORE', 's', 'x', '1'], ['ZRANGEBYSCORE', 'z', '0'],
  ]),
  ...both('ZRANGE by lex', [
    LEX, ['ZRANGEBYLEX', 'l', '-', '+'], ['ZRANGEBYLEX', 'l', '[a', '[c'], ['ZRANGEBYLEX', 'l', '(a', '(c'], ['ZRANGEBYLEX', 'l', '[aa', '(d'],
    ['ZRANGEBYLEX', 'l', '-', '[c'], ['ZRANGEBYLEX', 'l', '(c', '+'], ['ZRANGEBYLEX', 'l', '+', '-'], ['ZRANGEBYLEX', 'l', '-', '-'], ['ZRANGEBYLEX', 'l', '+', '+'],
    ['ZRANGEBYLEX', 'l', '[c', '[a'], ['ZRANGEBYLEX', 'l', '[c', '[c'], ['ZRANGEBYLEX', 'l', '(c', '[c'], ['ZRANGEBYLEX', 'l', '[', '['], ['ZRANGEBYLEX', 'l', '(', '+'],
    ['ZRANGEBYLEX', 'l', '[\xff', '+'], ['ZRANGEBYLEX', 'l', 'a', 'c'], ['ZRANGEBYLEX', 'l', '', '+'], ['ZRANGEBYLEX', 'l', '-x', '+'], ['ZRANGEBYLEX', 'l', '-', '+x'],
    ['ZRANGEBYLEX', 'l', '-', '+', 'LIMIT', '2', '3'], ['ZRANGEBYLEX', 'l', '-', '+', 'LIMIT', '0', '-1'], ['ZRANGEBYLEX', 'l', '-', '+', 'LIMIT', '-1', '1'],
    ['ZRANGEBYLEX', 'l', '-', '+', 'LIMIT', '100', '1'], ['ZRANGEBYLEX', 'l', '-', '+', 'WITHSCORES'], ['ZRANGEBYLEX', 'l', '-', '+', 'FOO'],
    ['ZREVRANGEBYLEX', 'l', '+', '-'], ['ZREVRANGEBYLEX', 'l', '[c', '(a'], ['ZREVRANGEBYLEX', 'l', '-', '+'], ['ZREVRANGEBYLEX', 'l', '+', '-', 'LIMIT', '1', '2'],
    ['ZRANGE', 'l', '[a', '[d', 'BYLEX'], ['ZRANGE', 'l', '[d', '[a', 'BYLEX', 'REV'], ['ZRANGE', 'l', '-', '+', 'BYLEX', 'LIMIT', '1', '2'],
    ['ZRANGE', 'l', '-', '+', 'BYLEX', 'WITHSCORES'], ['ZRANGE', 'l', '-', '+', 'BYLEX', 'REV', 'LIMIT', '0', '3'], ['ZRANGEBYLEX', 'nokey', '-', '+'],
    ['ZRANGEBYLEX', 'nokey', 'x', '+'], ['ZLEXCOUNT', 'l', '-', '+'], ['ZLEXCOUNT', 'l', '[b', '(e'], ['ZLEXCOUNT', 'l', '(e', '(b'], ['ZLEXCOUNT', 'l', 'x', '+'],
    ['ZLEXCOUNT', 'nokey', '-', '+'], ['ZLEXCOUNT', 'nokey', 'x', '+'], ['SET', 's', 'v'], ['ZLEXCOUNT', 's', '-', '+'], ['ZRANGEBYLEX', 's', '-', '+'],
  ]),
  'ZRANGEBYLEX over mixed scores (listpack only)': [
    ...LP, ['ZADD', 'm', '1', 'a', '0', 'b', '2', 'c', '0', 'd', '-1', 'e'], ['ZRANGEBYLEX', 'm', '-', '+'], ['ZRANGEBYLEX', 'm', '[b', '[d'],
    ['ZRANGEBYLEX', 'm', '(a', '+'], ['ZREVRANGEBYLEX', 'm', '[d', '[b'], ['ZLEXCOUNT', 'm', '[b', '[d'], ['ZLEXCOUNT', 'm', '[a', '[e'],
    ['ZREMRANGEBYLEX', 'm', '[b', '[d'], ['ZRANGE', 'm', '0', '-1', 'WITHSCORES'],
  ],
  ...both('ZCOUNT', [
    BASE, ['ZCOUNT', 'z', '-inf', '+inf'], ['ZCOUNT', 'z', '(1', '3'], ['ZCOUNT', 'z', '2', '2'], ['ZCOUNT', 'z', '(2', '2'], ['ZCOUNT', 'z', '5', '1'],
    ['ZCOUNT', 'z', 'inf', 'inf'], ['ZCOUNT', 'z', '(-inf', '(inf'], ['ZCOUNT', 'z', 'x', '1'], ['ZCOUNT', 'z', '1', 'nan'], ['ZCOUNT', 'nokey', '0', '1'],
    ['ZCOUNT', 'nokey', 'x', '1'], ['SET', 's', 'v'], ['ZCOUNT', 's', '0', '1'], ['ZCOUNT', 'z', '10', '20'], ['ZCOUNT', 'z', '-20', '-10'],
  ]),
  ...both('ZREM and ZREMRANGEBY*', [
    BASE, ['ZREM', 'z', 'a', 'nope', 'a'], ['ZREM', 'z', 'nope'], ['ZREM', 'nokey', 'a'], ['ZCARD', 'z'], ['ZREMRANGEBYRANK', 'z', '0', '0'],
    ['ZREMRANGEBYRANK', 'z', '-1', '-1'], ['ZREMRANGEBYRANK', 'z', '5', '1'], ['ZREMRANGEBYRANK', 'z', '10', '20'], ['ZREMRANGEBYRANK', 'z', 'x', '1'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZREMRANGEBYSCORE', 'z', '(0', '2'], ['ZREMRANGEBYSCORE', 'z', 'x', '2'], ['ZREMRANGEBYSCORE', 'z', '5', '1'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZREMRANGEBYSCORE', 'z', '-inf', '+inf'], ['EXISTS', 'z'], LEX, ['ZREMRANGEBYLEX', 'l', '[b', '(d'],
    ['ZREMRANGEBYLEX', 'l', 'x', '+'], ['ZREMRANGEBYLEX', 'l', '+', '-'], ['ZRANGE', 'l', '0', '-1'], ['ZREMRANGEBYLEX', 'l', '-', '+'], ['EXISTS', 'l'],
    BASE, ['ZREMRANGEBYRANK', 'z', '0', '-1'], ['EXISTS', 'z'], BASE, ['ZREM', 'z', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], ['EXISTS', 'z'],
    ['ZREMRANGEBYRANK', 'nokey', '0', '-1'], ['ZREMRANGEBYSCORE', 'nokey', '0', '1'], ['ZREMRANGEBYLEX', 'nokey', '-', '+'], ['ZREMRANGEBYLEX', 'nokey', 'x', '+'],
    ['SET', 's', 'v'], ['ZREM', 's', 'a'], ['ZREMRANGEBYRANK', 's', '0', '1'], ['ZREMRANGEBYSCORE', 's', '0', '1'], ['ZREMRANGEBYLEX', 's', '-', '+'], ['ZREM', 'z'],
  ]),
  ...both('ZRANGESTORE', [
    BASE, ['ZRANGESTORE', 'd', 'z', '0', '-1'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'd'], ['ZRANGESTORE', 'd', 'z', '(1', '3', 'BYSCORE'],
    ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', 'd', 'z', '3', '(1', 'BYSCORE', 'REV', 'LIMIT', '0', '1'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', 'd', 'z', '5', '1'], ['EXISTS', 'd'], ['SET', 'd', 'x'], ['EXPIRE', 'd', '100'], ['ZRANGESTORE', 'd', 'z', '0', '1'], ['TTL', 'd'], ['TYPE', 'd'],
    ['ZRANGESTORE', 'd', 'nokey', '0', '-1'], ['EXISTS', 'd'], ['ZRANGESTORE', 'd', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', 'd', 'z', '0', '-1', 'LIMIT', '0', '1'],
    ['ZRANGESTORE', 'z', 'z', '1', '2'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], LEX, ['ZRANGESTORE', 'd', 'l', '[a', '[c', 'BYLEX'], ['ZRANGE', 'd', '0', '-1'],
    ['SET', 's', 'v'], ['ZRANGESTORE', 'd', 's', '0', '-1'], ['ZRANGESTORE', 's', 'z', '0', '-1'], ['TYPE', 's'], ['ZRANGESTORE', 'd', 'z', '0'],
  ]),
  ...both('ZUNION ZINTER ZDIFF and STORE', [
    ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z'], ['ZADD', 'b', '10', 'y', '20', 'z', '30', 'w'], ['ZADD', 'c', 'inf', 'x', '-inf', 'y', '5', 'z'],
    ['ZUNION', '2', 'a', 'b'], ['ZUNION', '2', 'a', 'b', 'WITHSCORES'], ['ZUNION', '3', 'a', 'b', 'c', 'WITHSCORES'], ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '2', '-1', 'WITHSCORES'],
    ['ZUNION', '2', 'a', 'b', 'AGGREGATE', 'MIN', 'WITHSCORES'], ['ZUNION', '2', 'a', 'b', 'AGGREGATE', 'max', 'WITHSCORES'], ['ZUNION', '2', 'a', 'c', 'WEIGHTS', '0', '0', 'WITHSCORES'],
    ['ZUNION', '2', 'c', 'c', 'WITHSCORES'], ['ZUNION', '2', 'c', 'c', 'WEIGHTS', '1', '-1', 'WITHSCORES'], ['ZUNION', '2', 'a', 'c', 'WEIGHTS', 'inf', '1', 'WITHSCORES'],
    ['ZUNION', '1', 'nokey'], ['ZUNION', '2', 'a', 'nokey', 'WITHSCORES'], ['ZINTER', '2', 'a', 'b', 'WITHSCORES'], ['ZINTER', '3', 'a', 'b', 'c', 'WITHSCORES'],
    ['ZINTER', '2', 'a', 'c', 'AGGREGATE', 'MIN', 'WITHSCORES'], ['ZINTER', '2', 'a', 'c', 'WEIGHTS', '0', '1', 'AGGREGATE', 'MAX', 'WITHSCORES'],
    ['ZINTER', '2', 'c', 'c', 'WEIGHTS', '1', '-1', 'WITHSCORES'], ['ZINTER', '2', 'a', 'a', 'WEIGHTS', '2', '3', 'WITHSCORES'], ['ZINTER', '2', 'a', 'nokey'],
    ['ZINTER', '1', 'a', 'WEIGHTS', '0', 'WITHSCORES'], ['ZINTER', '2', 'c', 'a', 'WEIGHTS', '0', '1', 'WITHSCORES'],
    ['ZDIFF', '2', 'a', 'b'], ['ZDIFF', '2', 'a', 'b', 'WITHSCORES'], ['ZDIFF', '1', 'b', 'WITHSCORES'], ['ZDIFF', '2', 'a', 'a'], ['ZDIFF', '3', 'b', 'a', 'nokey', 'WITHSCORES'],
    ['ZDIFF', '2', 'nokey', 'a'], ['ZDIFF', '2', 'a', 'b', 'WEIGHTS', '1', '2'], ['ZDIFF', '2', 'a', 'b', 'AGGREGATE', 'SUM'],
    ['ZUNIONSTORE', 'd', '2', 'a', 'b'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'd'], ['ZINTERSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '0.5'],
    ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['ZDIFFSTORE', 'd', '2', 'b', 'a'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['ZINTERSTORE', 'd', '2', 'a', 'nokey'], ['EXISTS', 'd'],
    ['ZUNIONSTORE', 'a', '2', 'a', 'a'], ['ZRANGE', 'a', '0', '-1', 'WITHSCORES'], ['ZUNIONSTORE', 'd', '2', 'a', 'b', 'WITHSCORES'], ['ZDIFFSTORE', 'd', '1', 'nokey'],
    ['ZUNION', '0', 'a'], ['ZUNION', '-1', 'a'], ['ZUNION', 'x', 'a'], ['ZUNION', '3', 'a', 'b'], ['ZUNIONSTORE', 'd', '0', 'a'], ['ZINTER', '0', 'a'], ['ZDIFF', '0', 'a'],
    ['ZINTERSTORE', 'd', '0', 'a'], ['ZDIFFSTORE', 'd', '0', 'a'], ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1'], ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', 'x'],
    ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', 'nan'], ['ZUNION', '2', 'a', 'b', 'AGGREGATE'], ['ZUNION', '2', 'a', 'b', 'AGGREGATE', 'AVG'], ['ZUNION', '2', 'a', 'b', 'FOO'],
    ['ZUNION', '2', 'a', 'b', 'WITHSCORES', 'WITHSCORES'], ['ZUNION', '2', 'a', 'b', 'WEIGHTS', '1', '2', 'WEIGHTS', '3', '4', 'WITHSCORES'],
    ['SET', 's', 'v'], ['ZUNION', '2', 'a', 's'], ['ZINTER', '2', 's', 'nokey'], ['ZDIFF', '2', 'a', 's'], ['ZUNIONSTORE', 's', '1', 'a'], ['TYPE', 's'],
    ['ZUNION', '2', 's', 'a', 'FOO'], ['ZUNIONSTORE', 'd', '1', 's'],
  ]),
  ...both('ZINTERCARD', [
    ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z'], ['ZADD', 'b', '10', 'y', '20', 'z', '30', 'w'], ['ZINTERCARD', '2', 'a', 'b'], ['ZINTERCARD', '1', 'a'],
    ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'], ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '0'], ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', '-1'], ['ZINTERCARD', '2', 'a', 'b', 'LIMIT', 'x'],
    ['ZINTERCARD', '2', 'a', 'nokey'], ['ZINTERCARD', '0', 'a'], ['ZINTERCARD', '3', 'a', 'b'], ['ZINTERCARD', '2', 'a', 'b', 'WITHSCORES'], ['ZINTERCARD', '2', 'a', 'b', 'WEIGHTS', '1', '1'],
    ['ZINTERCARD', '2', 'a', 'b', 'LIMIT'], ['ZINTERCARD', '2', 'a', 'a', 'LIMIT', '2'], ['SET', 's', 'v'], ['ZINTERCARD', '2', 'a', 's'],
  ]),
  ...both('ZPOPMIN ZPOPMAX ZMPOP', [
    BASE, ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZPOPMIN', 'z', '2'], ['ZPOPMAX', 'z', '1'], ['ZPOPMIN', 'z', '0'], ['ZPOPMIN', 'z', '-1'], ['ZPOPMIN', 'z', 'x'],
    ['ZPOPMIN', 'z', '1', '2'], ['ZPOPMIN', 'nokey'], ['ZPOPMIN', 'nokey', '3'], ['ZPOPMAX', 'z', '100'], ['EXISTS', 'z'], BASE,
    ['ZMPOP', '1', 'z', 'MIN'], ['ZMPOP', '2', 'nokey', 'z', 'MAX', 'COUNT', '3'], ['ZMPOP', '1', 'nokey', 'MIN'], ['ZMPOP', '1', 'z', 'min', 'count', '100'], ['EXISTS', 'z'],
    ['ZMPOP', '0', 'z', 'MIN'], ['ZMPOP', '-1', 'z', 'MIN'], ['ZMPOP', 'x', 'z', 'MIN'], ['ZMPOP', '1', 'z'], ['ZMPOP', '2', 'z', 'MIN'], ['ZMPOP', '1', 'z', 'FOO'],
    ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '0'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', 'x'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '1', 'COUNT', '1'],
    ['ZMPOP', '1', 'z', 'MIN', 'FOO'], ['SET', 's', 'v'], ['ZPOPMIN', 's'], ['ZMPOP', '2', 's', 'z', 'MIN'], ['ZMPOP', '2', 'nokey', 's', 'MIN'], ['ZADD', 'y', '1', 'a'],
    ['ZMPOP', '2', 'y', 's', 'MAX'], ['ZPOPMAX'],
  ]),
  ...both('ZRANDMEMBER', [
    BASE, ['zrandmember', 'z'], ['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '5'], ['ZRANDMEMBER', 'nokey', '5', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '0'],
    ['ZRANDMEMBER', 'z', '0', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '8'], ['ZRANDMEMBER', 'z', '100', 'WITHSCORES'], ['zrandmember', 'z', '1'], ['zrandmember', 'z', '1', 'WITHSCORES'],
    ['zrandmember', 'z', '3'], ['zrandmember', 'z', '7', 'WITHSCORES'], ['zrandmember', 'z', '-5'], ['zrandmember', 'z', '-20', 'WITHSCORES'], ['ZRANDMEMBER', 'z', 'x'],
    ['ZRANDMEMBER', 'z', '1', 'FOO'], ['ZRANDMEMBER', 'z', '1', 'WITHSCORES', 'x'], ['ZRANDMEMBER', 'z', '-9223372036854775808'], ['ZRANDMEMBER', 'z', '9223372036854775807', 'WITHSCORES'],
    ['ZRANDMEMBER', 'z', '-4611686018427387905', 'WITHSCORES'], ['ZRANDMEMBER', 'nokey', '-9223372036854775808'], ['SET', 's', 'v'], ['ZRANDMEMBER', 's'], ['ZRANDMEMBER', 's', '1'],
  ]),
  ...both('ZSCAN', [
    BASE, ['ZSCAN', 'z', '0'], ['ZSCAN', 'z', '0', 'COUNT', '1000'], ['ZSCAN', 'z', '0', 'MATCH', '[a-c]', 'COUNT', '1000'], ['ZSCAN', 'z', '0', 'MATCH', '*', 'COUNT', '100'],
    ['ZSCAN', 'z', 'x'], ['ZSCAN', 'z', '-1', 'COUNT', '0'], ['ZSCAN', 'z', '0', 'COUNT', 'x'], ['ZSCAN', 'z', '0', 'FOO'], ['ZSCAN', 'z', '0', 'TYPE', 'zset'], ['ZSCAN', 'z', '0', 'COUNT'],
    ['ZSCAN', 'nokey', '0'], ['ZSCAN', 'nokey', '0', 'FOO'], ['ZSCAN', 'nokey', 'x'], ['ZADD', 'n', '1e18', 'big', '-0', 'nz', '4611686018427387904', 'edge', '0.1', 'f', '-5', 'neg'],
    ['ZSCAN', 'n', '0', 'COUNT', '1000'], ['SET', 's', 'v'], ['ZSCAN', 's', '0'], ['ZSCAN', 's', 'x'],
  ]),
  'encoding conversions': [
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '3'], ['CONFIG', 'SET', 'zset-max-listpack-value', '5'], ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
    ['OBJECT', 'ENCODING', 'z'], ['ZADD', 'z', '4', 'd'], ['OBJECT', 'ENCODING', 'z'], ['ZREM', 'z', 'a', 'b'], ['OBJECT', 'ENCODING', 'z'], ['ZADD', 'y', '1', 'abcdef'],
    ['OBJECT', 'ENCODING', 'y'], ['ZADD', 'x', '1', 'abcde'], ['OBJECT', 'ENCODING', 'x'], ['ZADD', 'x', '1', 'abcde', '2', 'abcdef'], ['OBJECT', 'ENCODING', 'x'],
    ['ZADD', 'w', '1', 'a', '2', 'abcdefgh'], ['OBJECT', 'ENCODING', 'w'], ['ZADD', 'v', '1', 'abcdefgh', '2', 'a'], ['OBJECT', 'ENCODING', 'v'],
    ['ZADD', 'u', '1', 'a', '2', 'b'], ['ZINCRBY', 'u', '1', 'long-member'], ['OBJECT', 'ENCODING', 'u'], ['ZADD', 't', '-0', 'a'], ['ZSCORE', 't', 'a'],
    ['ZADD', 'z', '-0', 'nz'], ['ZSCORE', 'z', 'nz'], ['ZSCAN', 'z', '0', 'COUNT', '100'].map((x, i) => (i === 0 ? 'zscan' : x)),
    ['ZUNIONSTORE', 'd', '2', 'z', 'w'], ['OBJECT', 'ENCODING', 'd'], ['ZUNIONSTORE', 'd', '1', 'x'], ['OBJECT', 'ENCODING', 'd'], ['ZINTERSTORE', 'd', '2', 'z', 'z'],
    ['OBJECT', 'ENCODING', 'd'], ['ZDIFFSTORE', 'd', '1', 'w'], ['OBJECT', 'ENCODING', 'd'], ['ZRANGESTORE', 'd', 'z', '0', '2'], ['OBJECT', 'ENCODING', 'd'],
    ['ZRANGESTORE', 'd', 'z', '0', '1'], ['OBJECT', 'ENCODING', 'd'], ['ZRANGESTORE', 'd', 'w', '-inf', 'inf', 'BYSCORE'], ['OBJECT', 'ENCODING', 'd'],
    ['ZRANGESTORE', 'd', 'z', '-inf', 'inf', 'BYSCORE', 'LIMIT', '0', '3'], ['OBJECT', 'ENCODING', 'd'], ['COPY', 'z', 'zc'], ['OBJECT', 'ENCODING', 'zc'],
    ['ZRANGE', 'zc', '0', '-1', 'WITHSCORES'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', 'e0', '1', 'a'], ['OBJECT', 'ENCODING', 'e0'],
    ['ZUNIONSTORE', 'd', '1', 'e0'], ['OBJECT', 'ENCODING', 'd'], ['ZADD', 'e0', '-0', 'nz'], ['ZSCORE', 'e0', 'nz'], ['ZUNIONSTORE', 'd', '1', 'e0'], ['ZSCORE', 'd', 'nz'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['ZUNIONSTORE', 'd', '1', 'e0'], ['OBJECT', 'ENCODING', 'd'], ['ZSCORE', 'd', 'nz'], ['ZSCAN', 'd', '0'],
    ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
  ],
  'keyspace interplay': [
    ['ZADD', 'z', '1', 'a'], ['EXPIRE', 'z', '100'], ['ZADD', 'z', '2', 'b'], ['TTL', 'z'], ['ZREM', 'z', 'a', 'b'], ['EXISTS', 'z'], ['TTL', 'z'],
    ['ZADD', 'z', '1', 'a'], ['TYPE', 'z'], ['RENAME', 'z', 'y'], ['ZRANGE', 'y', '0', '-1'], ['DEL', 'y'], ['ZCARD', 'y'], ['ZADD', 'z', '1', 'a'],
    ['SET', 'z', 'str'], ['GET', 'z'], ['ZADD', 'q', '1', 'a'], ['GET', 'q'], ['APPEND', 'q', 'x'], ['INCR', 'q'], ['MULTI'], ['ZADD', 'm', '1', 'a'], ['ZINCRBY', 'm', '2', 'a'],
    ['ZRANGE', 'm', '0', '-1', 'WITHSCORES'], ['EXEC'],
  ],
};

test('sorted-set commands match Redis 7.0 byte for byte (RESP2 and RESP3, both encodings)', async () => {
  const d = await runScripts(pair, SCRIPTS, { normalize });
  assert.equal(d.length, 0, formatDivergences(d));
});

// ---- seeded random mix ---------------------------------------------------------

const ZKEYS = ['z0', 'z1', 'z2', 'z3'];
const LKEYS = ['l0', 'l1'];
const MEMBERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'foo', 'bar', '1', '2', '-3', '', '\x00x', 'longer-member-name'];
const SCORES = ['0', '1', '2', '3', '-1', '1.5', '2.5', '-0.5', '100', '1e10', 'inf', '-inf', '+inf', '0.1', '-0', '3.0', '1e-3'];
const BAD = ['x', 'nan', '', ' 1', '1e400'];

function pickKey(r: Rng): string {
  return r.chance(0.85) ? r.pick(ZKEYS) : r.pick(['s0', 'nokey']);
}

function bound(r: Rng): string {
  const s = r.chance(0.9) ? r.pick(['0', '1', '2', '3', '-1', '1.5', '100', 'inf', '-inf', '+inf']) : r.pick(BAD);
  return r.chance(0.3) ? '(' + s : s;
}

function lexBound(r: Rng): string {
  return r.weighted<() => string>([
    [() => '[' + r.pick(MEMBERS), 4],
    [() => '(' + r.pick(MEMBERS), 3],
    [() => r.pick(['-', '+']), 2],
    [() => r.pick(['a', 'x', '']), 0.3],
  ])();
}

function idx(r: Rng): string {
  return String(r.chance(0.9) ? r.range(-8, 8) : r.pick([-100, 100]));
}

function limit(r: Rng): string[] {
  return r.chance(0.3) ? ['LIMIT', String(r.range(-1, 4)), String(r.range(-2, 5))] : [];
}

function keysArg(r: Rng): string[] {
  const n = r.range(1, 3);
  const ks = Array.from({ length: n }, () => (r.chance(0.9) ? r.pick(ZKEYS) : r.pick(['nokey', 's0'])));
  return [String(n), ...ks];
}

function zaddArgs(r: Rng, lex: boolean): string[] {
  const out: string[] = [];
  if (!lex) {
    if (r.chance(0.2)) out.push(r.pick(['NX', 'XX']));
    if (r.chance(0.2)) out.push(r.pick(['GT', 'LT']));
    if (r.chance(0.2)) out.push('CH');
    if (r.chance(0.1)) out.push('INCR');
  }
  const n = out.includes('INCR') ? 1 : r.range(1, 4);
  for (let i = 0; i < n; i++) out.push(lex ? '0' : r.chance(0.97) ? r.pick(SCORES) : r.pick(BAD), r.pick(MEMBERS));
  return out;
}

function genCommand(r: Rng): string[] {
  return r.weighted<() => string[]>([
    [() => ['ZADD', pickKey(r), ...zaddArgs(r, false)], 14],
    [() => ['ZADD', r.pick(LKEYS), ...zaddArgs(r, true)], 4],
    [() => ['ZINCRBY', pickKey(r), r.chance(0.95) ? r.pick(SCORES) : r.pick(BAD), r.pick(MEMBERS)], 4],
    [() => ['ZREM', pickKey(r), ...Array.from({ length: r.range(1, 3) }, () => r.pick(MEMBERS))], 4],
    [() => ['ZREM', r.pick(LKEYS), r.pick(MEMBERS)], 1],
    [() => ['ZSCORE', pickKey(r), r.pick(MEMBERS)], 2],
    [() => ['ZMSCORE', pickKey(r), r.pick(MEMBERS), r.pick(MEMBERS)], 1],
    [() => ['ZCARD', pickKey(r)], 1],
    [() => [r.pick(['ZRANK', 'ZREVRANK']), pickKey(r), r.pick(MEMBERS)], 2],
    [() => ['ZRANGE', pickKey(r), idx(r), idx(r), ...(r.chance(0.3) ? ['REV'] : []), ...(r.chance(0.5) ? ['WITHSCORES'] : [])], 4],
    [() => ['ZREVRANGE', pickKey(r), idx(r), idx(r), ...(r.chance(0.5) ? ['WITHSCORES'] : [])], 2],
    [() => [r.pick(['ZRANGEBYSCORE', 'ZREVRANGEBYSCORE']), pickKey(r), bound(r), bound(r), ...(r.chance(0.5) ? ['WITHSCORES'] : []), ...limit(r)], 4],
    [() => ['ZRANGE', pickKey(r), bound(r), bound(r), 'BYSCORE', ...(r.chance(0.3) ? ['REV'] : []), ...limit(r)], 2],
    [() => [r.pick(['ZRANGEBYLEX', 'ZREVRANGEBYLEX']), r.pick(LKEYS), lexBound(r), lexBound(r), ...limit(r)], 3],
    [() => ['ZLEXCOUNT', r.pick(LKEYS), lexBound(r), lexBound(r)], 1],
    [() => ['ZREMRANGEBYLEX', r.pick(LKEYS), lexBound(r), lexBound(r)], 1],
    [() => ['ZCOUNT', pickKey(r), bound(r), bound(r)], 2],
    [() => ['ZREMRANGEBYSCORE', pickKey(r), bound(r), bound(r)], 1],
    [() => ['ZREMRANGEBYRANK', pickKey(r), idx(r), idx(r)], 1],
    [() => ['ZRANGESTORE', r.pick(ZKEYS), pickKey(r), idx(r), idx(r)], 1],
    [() => ['ZRANGESTORE', r.pick(ZKEYS), pickKey(r), bound(r), bound(r), 'BYSCORE', ...limit(r)], 1],
    [() => [r.pick(['ZUNION', 'ZINTER']), ...keysArg(r), ...(r.chance(0.3) ? ['AGGREGATE', r.pick(['SUM', 'MIN', 'MAX'])] : []), 'WITHSCORES'], 3],
    [() => {
      const k = keysArg(r);
      const w = r.chance(0.4) ? ['WEIGHTS', ...Array.from({ length: Number(k[0]) }, () => r.pick(['1', '2', '-1', '0', '0.5', 'inf']))] : [];
      return [r.pick(['ZUNIONSTORE', 'ZINTERSTORE']), r.pick(ZKEYS), ...k, ...w];
    }, 2],
    [() => ['ZDIFF', ...keysArg(r), 'WITHSCORES'], 1],
    [() => ['ZDIFFSTORE', r.pick(ZKEYS), ...keysArg(r)], 1],
    [() => ['ZINTERCARD', ...keysArg(r), ...(r.chance(0.3) ? ['LIMIT', String(r.range(0, 3))] : [])], 1],
    [() => [r.pick(['ZPOPMIN', 'ZPOPMAX']), pickKey(r), ...(r.chance(0.5) ? [String(r.range(0, 4))] : [])], 2],
    [() => ['ZMPOP', ...keysArg(r), r.pick(['MIN', 'MAX']), ...(r.chance(0.5) ? ['COUNT', String(r.range(1, 4))] : [])], 1],
    [() => ['ZRANDMEMBER', pickKey(r), '100', ...(r.chance(0.5) ? ['WITHSCORES'] : [])], 0.5],
    [() => ['SET', 's0', 'v'], 0.3],
    [() => ['DEL', pickKey(r)], 0.5],
  ])();
}

test('a seeded random mix of sorted-set commands matches Redis 7.0', async () => {
  const seed = chooseSeed();
  const n = Number(process.env.REDDISH_ZSET_RANDOM_N ?? 1500);
  const scripts: Record<string, string[][]> = {};
  for (const [name, limits] of [['default limits', ['128', '64']], ['small limits', ['5', '6']]] as const) {
    const r = new Rng(seed);
    const cmds: string[][] = [['CONFIG', 'SET', 'zset-max-listpack-entries', limits[0]], ['CONFIG', 'SET', 'zset-max-listpack-value', limits[1]]];
    for (let i = 0; i < n; i++) cmds.push(genCommand(r));
    for (const k of [...ZKEYS, ...LKEYS]) cmds.push(['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', k]);
    cmds.push(['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64']);
    scripts[name] = cmds;
  }
  const d = await runScripts(pair, scripts, { normalize });
  assert.equal(d.length, 0, `seed ${seed} (REDDISH_SEED=${seed} to reproduce)\n` + formatDivergences(d));
});
