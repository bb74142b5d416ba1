/**
 * Stream commands compared byte for byte with Redis 7.0 (RESP2 and RESP3):
 * every command's options, errors and edge cases (IDs at the u64 edge,
 * incomplete and exclusive ranges, node layout as XINFO and MEMORY USAGE
 * see it after approximate trims and deletions, consumer group bookkeeping,
 * lag, DUMP payloads), then a seeded random mix of stream commands over a few
 * keys, groups and consumers.
 *
 * Times a client cannot make equal on two servers (idle times, delivery and
 * seen times) are masked before comparing; everything else must be equal.
 *
 * Reproduce a random failure: REDDISH_SEED=<seed> node scripts/run-tests.mjs streams-commands
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from '../differential/harness.js';
import { Rng, chooseSeed } from '../differential/generator.js';
import { redisAvailable } from '../support/servers.js';
import { maskTimes } from './streams-mask.js';
import { RawClient } from '../support/raw-client.js';

const skip = redisAvailable() ? false : 'redis-server is not installed';

let pair: Pair;
before(async () => {
  if (!skip) pair = await startPair(['--enable-debug-command', 'yes']);
});
after(async () => {
  await pair?.stop();
});

const sp = (s: string): string[] => s.split(' ');
const lines = (text: string): string[][] =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map(sp);

const SCRIPTS: Record<string, string[][]> = {
  'XADD IDs and errors': lines(`
    XADD s 1-1 a 1 b 2
    XADD s 1-1 a 1
    XADD s 1-2 a 1 b 2
    XADD s 1 a 1
    XADD s 2-* a x
    XADD s 2-* a y
    XADD s 0-0 a 1
    XADD s2 0-0 a 1
    XADD s 0-* a 1
    XADD s foo a 1
    XADD s 5-5 a
    XADD s maxlen
    XADD s maxlen 5
    XADD s maxlen 5 *
    XADD s maxlen -1 * a b
    XADD s maxlen ~ x * a b
    XADD s limit 5 * a b
    XADD s maxlen 5 limit 5 * a b
    XADD s maxlen 5 minid 5 * a b
    XADD s minid - * a b
    XADD s minid + * a b
    XADD s limit -1 * a b
    XADD s nomkstream 7-0 a b
    XADD nokey nomkstream 7-0 a b
    EXISTS nokey
    XADD s 8-0 a b c
    XADD s 8-0 a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4
    XRANGE s - +
    XLEN s
    XLEN nokey
    XADD big 18446744073709551615-18446744073709551614 a b
    XADD big 18446744073709551615-* a b
    XADD big 18446744073709551615-* a b
    XADD big 1-1 a b
    XRANGE big - +
    XINFO STREAM big
    XADD n2 5-18446744073709551615 a b
    XADD n2 5-* a b
    XADD n2 6-* a b
    XRANGE n2 - +
    XADD z 007-05 a b
    XADD z 8--05 a b
    XADD z 18446744073709551616-1 a b
    XADD z -1-1 a b
    XADD z 9-18446744073709551616 a b
    XADD z 10-+5 a b
    XADD z 11-1-1 a b
    XRANGE z - +
  `),
  'XRANGE and XREVRANGE': lines(`
    XADD s 1-1 a 1
    XADD s 1-2 a 2
    XADD s 2-0 b 3
    XADD s 2-1 a 4 b 5
    XADD s 3-5 a 6
    XRANGE s - +
    XRANGE s - + COUNT 2
    XRANGE s - + COUNT 0
    XRANGE s - + COUNT -1
    XRANGE s - + COUNT x
    XRANGE s - + FOO
    XRANGE s - + COUNT
    XRANGE s - + COUNT 1 COUNT 3
    XRANGE s (1-1 +
    XRANGE s (1 (2
    XRANGE s 1 1
    XRANGE s 2 2
    XRANGE s 2-0 2-0
    XRANGE s ( +
    XRANGE s (- +
    XRANGE s - (+
    XRANGE s - (0-0
    XRANGE s (18446744073709551615-18446744073709551615 +
    XRANGE s 3 1
    XREVRANGE s + -
    XREVRANGE s + - COUNT 1
    XREVRANGE s (2-1 -
    XREVRANGE s 2 1
    XREVRANGE s 1 2
    XREVRANGE s + (3-5
    XRANGE nokey - +
    XRANGE nokey - + COUNT 0
    XRANGE s x +
    XRANGE s - x
    SET str x
    XRANGE str - +
    XREVRANGE str + -
    XLEN str
    XADD str * a b
  `),
  'XDEL XTRIM XSETID': lines(`
    XADD s 1-1 a 1
    XADD s 1-2 a 2
    XADD s 2-1 a 3
    XADD s 3-1 a 4
    XDEL s 1-2
    XDEL s 1-2 1-1
    XDEL s zz
    XDEL s 9-9 +
    XDEL nokey zz
    XINFO STREAM s
    XTRIM s MAXLEN 1
    XTRIM s
    XTRIM s MINID 0
    XTRIM s LIMIT 10
    XTRIM s MAXLEN 0 LIMIT 10
    XTRIM s MAXLEN = 0 LIMIT 10
    XTRIM s MAXLEN ~ 0 LIMIT x
    XTRIM s FOO 1
    XTRIM nokey MAXLEN 0
    XTRIM s MAXLEN ~ 0
    XINFO STREAM s
    XSETID s 1-1
    XSETID s 9-9
    XSETID s 10-0 ENTRIESADDED 100 MAXDELETEDID 9-0
    XINFO STREAM s
    XSETID s 10-0 ENTRIESADDED -1
    XSETID s 10-0 ENTRIESADDED x
    XSETID s 10-0 MAXDELETEDID 11-0
    XSETID s 10-0 MAXDELETEDID +
    XSETID nokey 10-0
    XSETID s 10-0 FOO
    XSETID s + 
    XSETID s 10-0 ENTRIESADDED 0
    XTRIM s MAXLEN 0
    XSETID s 10-0 ENTRIESADDED 0
    XSETID s 0-1
    XINFO STREAM s
    SET str x
    XDEL str 1-1
    XTRIM str MAXLEN 0
    XSETID str 1-1
  `),
  'XSETID and WATCH': lines(`
    XADD s 1-1 a 1
    WATCH s
    XSETID s 5-5
    MULTI
    PING
    EXEC
    WATCH s
    XADD s 6-6 a b
    MULTI
    PING
    EXEC
    WATCH s
    XGROUP CREATE s g 0
    XREADGROUP GROUP g c STREAMS s >
    MULTI
    PING
    EXEC
  `),
  'consumer groups': lines(`
    XGROUP CREATE s g $
    XGROUP CREATE s g $ MKSTREAM
    XGROUP CREATE s g $ MKSTREAM
    XGROUP CREATE s g2 0 ENTRIESREAD 5
    XGROUP CREATE s g3 0 ENTRIESREAD -2
    XGROUP CREATE s g3 0 ENTRIESREAD x
    XGROUP CREATE s g3 0 FOO
    XGROUP CREATE s g3 -
    XGROUP CREATE s g3 +
    XGROUP CREATE s g3 abc
    XGROUP CREATE s g4 0 MKSTREAM MKSTREAM ENTRIESREAD 1
    XGROUP CREATE s g4 0 MKSTREAM MKSTREAM ENTRIESREAD 1 MKSTREAM
    XGROUP CREATE s g5 0 ENTRIESREAD
    XGROUP SETID s nog 0
    XGROUP SETID s g 0 ENTRIESREAD 3
    XGROUP SETID s g -
    XGROUP SETID s g +
    XGROUP SETID s g 0 MKSTREAM
    XGROUP SETID s g 0 ENTRIESREAD
    XGROUP SETID nokey g 0
    XINFO GROUPS s
    XGROUP SETID s g $
    XGROUP CREATECONSUMER s g alice
    XGROUP CREATECONSUMER s g alice
    XGROUP CREATECONSUMER s nog alice
    XGROUP CREATECONSUMER nokey g alice
    XGROUP DELCONSUMER s g bob
    XGROUP DELCONSUMER s g alice
    XGROUP DESTROY s g2
    XGROUP DESTROY s g2
    XGROUP DESTROY nokey g2
    XGROUP DESTROY s g2 x
    XGROUP FOO
    XGROUP HELP
    XGROUP HELP x
    XGROUP CREATE s
    XINFO HELP
    XINFO FOO s
    XINFO GROUPS nokey
    XINFO CONSUMERS s g
    XINFO CONSUMERS s nog
    XADD s 1-1 f v1
    XADD s 2-1 f v2
    XADD s 3-1 f v3 g x
    XADD s 4-1 f v4
    XINFO GROUPS s
    XREADGROUP GROUP g alice STREAMS s >
    XREADGROUP GROUP g alice STREAMS s >
    XREADGROUP GROUP g alice STREAMS s 0
    XREADGROUP GROUP g bob STREAMS s 0
    XGROUP SETID s g 0
    XREADGROUP GROUP g bob COUNT 2 STREAMS s >
    XPENDING s g
    XPENDING s g - + 10
    XPENDING s g - + 10 alice
    XPENDING s g - + 10 bob
    XPENDING s g - + 10 carl
    XPENDING s g - + 1
    XPENDING s g (1-1 + 10
    XPENDING s g - (2-1 10
    XPENDING s g IDLE 0 - + 10
    XPENDING s g IDLE 100000 - + 10
    XPENDING s g IDLE x - + 10
    XPENDING s g IDLE 10 - +
    XPENDING s g - + x
    XPENDING s g x + 10
    XPENDING s g - + -5
    XPENDING s g -
    XPENDING s g - + 10 alice extra
    XPENDING s nog
    XPENDING nokey g
    XPENDING s nog - + 10
    XACK s g 1-1 x
    XACK s g 1-1 1-1 9-9
    XACK s nog 1-1
    XACK nokey g x
    XPENDING s g
    XINFO GROUPS s
    XDEL s 2-1
    XREADGROUP GROUP g alice STREAMS s 0
    XREADGROUP GROUP g bob STREAMS s 0
    XREADGROUP GROUP g bob COUNT 1 STREAMS s 0
    XREADGROUP GROUP g bob COUNT 1 STREAMS s 1-1
    XINFO GROUPS s
    XREADGROUP GROUP g carl NOACK STREAMS s >
    XINFO GROUPS s
    XPENDING s g
    XINFO STREAM s FULL
  `),
  'XCLAIM and XAUTOCLAIM': lines(`
    XADD s 1-1 f v1
    XADD s 2-1 f v2
    XADD s 3-1 f v3 g x
    XADD s 4-1 f v4
    XGROUP CREATE s g 0
    XREADGROUP GROUP g alice COUNT 2 STREAMS s >
    XREADGROUP GROUP g bob STREAMS s >
    XCLAIM s g dave 0 1-1 2-1 3-1 4-1 JUSTID
    XCLAIM s g dave 0 3-1 4-1 RETRYCOUNT 7
    XCLAIM s g dave 0 3-1 FORCE JUSTID
    XCLAIM s g erin 0 1-1 4-1 FORCE JUSTID
    XCLAIM s g erin 0 9-9 FORCE JUSTID
    XPENDING s g - + 10
    XCLAIM s g dave 0 3-1 FOO
    XCLAIM s g dave x 3-1
    XCLAIM s g dave 0 3-1 IDLE x
    XCLAIM s g dave 0 3-1 TIME x
    XCLAIM s g dave 0 3-1 RETRYCOUNT x
    XCLAIM s g dave 0 3-1 LASTID x
    XCLAIM s g dave 0 3-1 LASTID 10-0
    XINFO GROUPS s
    XCLAIM s g dave 0 3-1 LASTID 11-0 JUSTID
    XCLAIM s g dave 0 3-1 RETRYCOUNT -5 JUSTID
    XCLAIM s g dave 0 3-1 RETRYCOUNT 18446744073709551615 JUSTID
    XCLAIM s g dave 0 3-1 RETRYCOUNT 9223372036854775807 JUSTID
    XCLAIM s g dave 0 3-1 IDLE 5000 TIME 1 JUSTID
    XCLAIM s g dave 0 3-1 TIME 99999999999999 JUSTID
    XCLAIM s nog dave 0 3-1
    XCLAIM nokey g dave 0 3-1
    XCLAIM s g dave 100000 3-1 JUSTID
    XCLAIM s g newbie 100000 3-1 JUSTID
    XINFO CONSUMERS s g
    XAUTOCLAIM s g frank 0 0
    XAUTOCLAIM s g frank 0 0 COUNT 1
    XAUTOCLAIM s g frank 0 0 COUNT 1 JUSTID
    XAUTOCLAIM s g frank 0 (0 COUNT 0
    XAUTOCLAIM s g frank 0 0 COUNT 576460752303423488
    XAUTOCLAIM s g frank 0 0 COUNT x
    XAUTOCLAIM s g frank x 0
    XAUTOCLAIM s g frank 0 x
    XAUTOCLAIM s g frank 0 (18446744073709551615-18446744073709551615
    XAUTOCLAIM s g frank 0 0 FOO
    XAUTOCLAIM s nog frank 0 0
    XAUTOCLAIM s g frank 100000 0
    XDEL s 3-1
    XAUTOCLAIM s g gina 0 0 COUNT 2
    XAUTOCLAIM s g gina 0 0
    XINFO CONSUMERS s g
    XINFO GROUPS s
    XPENDING s g
    XGROUP DELCONSUMER s g frank
    XPENDING s g
    XINFO STREAM s FULL COUNT 1
    SET str x
    XACK str g 1-1
    XPENDING str g
    XCLAIM str g a 0 1-1
    XAUTOCLAIM str g a 0 0
    XGROUP CREATE str g 0
    XGROUP CREATE str g 0 MKSTREAM
  `),
  'XREAD and XREADGROUP without blocking': lines(`
    XADD s 1-1 f v1
    XADD s 2-1 f v2
    XADD s 3-1 f v3
    XGROUP CREATE s g 0
    XREAD STREAMS s 0
    XREAD COUNT 1 STREAMS s 0
    XREAD COUNT -1 STREAMS s 0
    XREAD STREAMS s s 0 1-1
    XREAD STREAMS s nokey 0 0
    XREAD STREAMS nokey 0
    XREAD STREAMS s $
    XREAD STREAMS s >
    XREAD STREAMS s +
    XREAD STREAMS s -
    XREAD STREAMS s
    XREAD STREAMS s 0 1
    XREAD GROUP g a STREAMS s 0
    XREAD NOACK STREAMS s 0
    XREAD FOO STREAMS s 0
    XREAD COUNT x STREAMS s 0
    XREAD BLOCK x STREAMS s 0
    XREAD BLOCK -1 STREAMS s 0
    XREAD BLOCK 1.5 STREAMS s 0
    XREAD COUNT 5
    XREADGROUP STREAMS s >
    XREADGROUP GROUP g a STREAMS s $
    XREADGROUP GROUP nog a STREAMS s >
    XREADGROUP GROUP g a STREAMS nokey >
    XREADGROUP GROUP g a STREAMS s x
    XREADGROUP GROUP g a STREAMS s 18446744073709551615-18446744073709551615
    XREADGROUP GROUP g a COUNT 1 STREAMS s s > >
    XGROUP SETID s g 0
    XREADGROUP GROUP g a STREAMS s s > >
    XGROUP SETID s g 0
    XREADGROUP GROUP g b STREAMS s s 0 >
    XREADGROUP GROUP g b NOACK STREAMS s >
    XINFO GROUPS s
    XDEL s 3-1
    XREAD STREAMS s 2-1
    XREADGROUP GROUP g c STREAMS s >
    XINFO CONSUMERS s g
    SET str x
    XREAD STREAMS str 0
    XREADGROUP GROUP g a STREAMS str >
    MULTI
    XREAD BLOCK 0 STREAMS s $
    XREADGROUP GROUP g a BLOCK 0 STREAMS s >
    XREAD BLOCK 0 STREAMS s 0
    EXEC
  `),
  'lag and entries-read': lines(`
    XADD s 1-0 f v
    XADD s 2-0 f v
    XADD s 3-0 f v
    XADD s 4-0 f v
    XADD s 5-0 f v
    XGROUP CREATE s g1 0
    XGROUP CREATE s g2 3-0
    XGROUP CREATE s g3 $
    XGROUP CREATE s g4 9-0
    XINFO GROUPS s
    XREADGROUP GROUP g1 c COUNT 2 STREAMS s >
    XINFO GROUPS s
    XDEL s 4-0
    XINFO GROUPS s
    XREADGROUP GROUP g1 c COUNT 1 STREAMS s >
    XINFO GROUPS s
    XREADGROUP GROUP g1 c STREAMS s >
    XINFO GROUPS s
    XDEL s 1-0
    XINFO GROUPS s
    XTRIM s MAXLEN 1
    XINFO GROUPS s
    XADD s 6-0 f v
    XREADGROUP GROUP g2 c STREAMS s >
    XINFO GROUPS s
    XGROUP SETID s g3 0 ENTRIESREAD 100
    XINFO GROUPS s
    XSETID s 6-0 ENTRIESADDED 3
    XINFO GROUPS s
    XINFO STREAM s
  `),
  'node layout: XINFO and MEMORY USAGE after trims and deletions': nodeLayoutScript(),
  'types, copies, dumps and digests': lines(`
    CONFIG SET stream-node-max-entries 4
    XADD s 1-1 a 1 b 2
    XADD s 1-2 a 3 b 4
    XADD s 1-5 a 3 c 4
    XADD s 2-0 a -5 b 99999999999
    XADD s 3-0 a hello b 1234567890123456789012
    XADD s 4-0 a 1.5 b -0
    XADD s 5-0 a x
    XDEL s 1-2
    XGROUP CREATE s g2 $ ENTRIESREAD 3
    XGROUP CREATE s g 0
    XGROUP CREATECONSUMER s g empty
    XCLAIM s g alice 0 1-1 2-0 FORCE TIME 1000 RETRYCOUNT 5 JUSTID
    XCLAIM s g bob 0 3-0 FORCE TIME 2000 RETRYCOUNT 18446744073709551615 JUSTID
    TYPE s
    OBJECT ENCODING s
    DEBUG DIGEST-VALUE s
    XADD e 1-1 a b
    XDEL e 1-1
    DUMP e
    DEBUG DIGEST-VALUE e
    XADD big 18446744073709551615-0 a b
    XGROUP CREATE big g 0 ENTRIESREAD 9223372036854775807
    DUMP big
    XSETID big 18446744073709551615-1 ENTRIESADDED 9223372036854775807 MAXDELETEDID 18446744073709551615-0
    DUMP big
    XINFO STREAM big FULL
    COPY s c
    XINFO STREAM c FULL
    XADD c 9-1 x y
    XACK c g 1-1
    XPENDING s g
    XPENDING c g
    RENAME c d
    TYPE d
    MOVE d 1
    SELECT 1
    XLEN d
    SELECT 0
    SORT s
    DEBUG DIGEST
    DEBUG RELOAD
    XINFO STREAM s FULL
    DEBUG DIGEST
    XINFO STREAM e
    MEMORY USAGE s
    MEMORY USAGE e
    CONFIG SET stream-node-max-entries 100
  `),
  'config directives': lines(`
    CONFIG GET stream-node-max-bytes
    CONFIG GET stream-node-max-entries
    CONFIG SET stream-node-max-bytes 1k
    CONFIG GET stream-node-max-bytes
    CONFIG SET stream-node-max-entries -1
    CONFIG SET stream-node-max-entries 0
    CONFIG SET stream-node-max-bytes 0
    XADD s 1-0 a b
    XADD s 2-0 a b
    XINFO STREAM s
    CONFIG SET stream-node-max-bytes 4096
    CONFIG SET stream-node-max-entries 100
  `),
};

/** Many entries in small nodes, then deletions and approximate and exact trims. */
function nodeLayoutScript(): string[][] {
  const c: string[][] = [['CONFIG', 'SET', 'stream-node-max-entries', '10']];
  for (let i = 1; i < 205; i++) {
    const fv = i % 5 ? ['a', String(i), 'b', 'x'.repeat(i % 7)] : ['c', '1', 'd', '2'];
    c.push(['XADD', 's', `${Math.floor(i / 3) + 1}-${i % 3}`, ...fv]);
  }
  c.push(['XINFO', 'STREAM', 's'], ['MEMORY', 'USAGE', 's'], ['XDEL', 's', '1-1', '1-2', '2-0', '5-1'], ['XINFO', 'STREAM', 's']);
  for (let i = 0; i < 30; i++) c.push(['XDEL', 's', `${Math.floor(i / 3) + 10}-${i % 3}`]);
  c.push(
    ['XINFO', 'STREAM', 's'], ['XTRIM', 's', 'MAXLEN', '~', '150'], ['XINFO', 'STREAM', 's'], ['XTRIM', 's', 'MINID', '~', '40'],
    ['XINFO', 'STREAM', 's'], ['XTRIM', 's', 'MINID', '45-1'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '3'],
    ['XTRIM', 's', 'MAXLEN', '100'], ['XINFO', 'STREAM', 's'], ['XADD', 's', 'MAXLEN', '~', '50', 'LIMIT', '20', '100-*', 'f', 'v'],
    ['XLEN', 's'], ['XADD', 's', 'MAXLEN', '~', '50', '101-*', 'f', 'v'], ['XLEN', 's'], ['XINFO', 'STREAM', 's'],
    ['XADD', 's', 'MINID', '~', '80', '102-*', 'f', 'v'], ['XINFO', 'STREAM', 's'], ['DEBUG', 'DIGEST-VALUE', 's'],
    ['MEMORY', 'USAGE', 's'], ['MEMORY', 'USAGE', 's', 'SAMPLES', '0'], ['DUMP', 's'],
    ['CONFIG', 'SET', 'stream-node-max-bytes', '100'],
  );
  for (let i = 0; i < 20; i++) {
    c.push(['XADD', 't', `${i + 1}-0`, 'field', 'v'.repeat(i * 3)], ['MEMORY', 'USAGE', 't']);
  }
  c.push(['XINFO', 'STREAM', 't'], ['DUMP', 't'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096'], ['CONFIG', 'SET', 'stream-node-max-entries', '100']);
  for (let i = 0; i < 300; i++) {
    c.push(['XADD', 'u', `${i * 1000 + 1}-0`, 'field', 'v'.repeat((i * 37) % 90), 'n', String(((i * 7919) % 200001) - 100000)]);
  }
  c.push(['XINFO', 'STREAM', 'u'], ['MEMORY', 'USAGE', 'u'], ['MEMORY', 'USAGE', 'u', 'SAMPLES', '0'], ['DEBUG', 'DIGEST-VALUE', 'u']);
  return c;
}

test('stream commands match Redis 7.0 byte for byte (RESP2 and RESP3)', { skip }, async () => {
  const d = await runScripts(pair, SCRIPTS, { normalize: maskTimes });
  assert.equal(d.length, 0, formatDivergences(d));
});

// ---- random mix -----------------------------------------------------------------

const SKEYS = ['s0', 's1'];
const GROUPS = ['g0', 'g1'];
const CONSUMERS = ['c0', 'c1', 'c2'];

/** A random command over a small stream key space; IDs mostly ahead of what was added so far. */
function randomCommand(rng: Rng, clock: { ms: number }): string[] {
  const key = rng.pick(SKEYS);
  const g = rng.pick(GROUPS);
  const c = rng.pick(CONSUMERS);
  const anyId = (): string => {
    const r = rng.int(10);
    if (r === 0) return '-';
    if (r === 1) return '+';
    if (r === 2) return `(${rng.int(clock.ms + 2)}-${rng.int(3)}`;
    if (r === 3) return String(rng.int(clock.ms + 2));
    return `${rng.int(clock.ms + 2)}-${rng.int(3)}`;
  };
  const strictId = (): string => `${rng.int(clock.ms + 2)}-${rng.int(3)}`;
  const trim = (): string[] => {
    const t: string[] = [];
    if (rng.chance(0.5)) t.push('MAXLEN');
    else t.push('MINID');
    const approx = rng.chance(0.5);
    if (approx) t.push('~');
    else if (rng.chance(0.3)) t.push('=');
    t.push(t[0] === 'MAXLEN' ? String(rng.int(30)) : strictId());
    if (approx && rng.chance(0.3)) t.push('LIMIT', String(rng.int(20)));
    return t;
  };
  switch (rng.weighted<string>([
    ['xadd', 30], ['xdel', 6], ['xtrim', 4], ['xrange', 6], ['xread', 4], ['xreadgroup', 12], ['xack', 6], ['xclaim', 5],
    ['xautoclaim', 4], ['xpending', 5], ['xgroup', 6], ['xinfo', 6], ['xsetid', 1], ['misc', 3],
  ])) {
    case 'xadd': {
      const argv = ['XADD', key];
      if (rng.chance(0.15)) argv.push(...trim());
      if (rng.chance(0.05)) argv.push('NOMKSTREAM');
      clock.ms += rng.int(3);
      const r = rng.int(10);
      argv.push(r < 6 ? `${clock.ms}-*` : r < 9 ? `${clock.ms}-${rng.int(4)}` : strictId());
      const n = rng.range(1, 3);
      for (let i = 0; i < n; i++) argv.push(rng.chance(0.7) ? 'f' : `f${i}`, rng.chance(0.3) ? String(rng.int(1000) - 500) : 'v'.repeat(rng.int(40)));
      return argv;
    }
    case 'xdel': {
      const argv = ['XDEL', key];
      for (let i = rng.range(1, 4); i > 0; i--) argv.push(strictId());
      return argv;
    }
    case 'xtrim':
      return ['XTRIM', key, ...trim()];
    case 'xrange': {
      const argv = [rng.chance(0.5) ? 'XRANGE' : 'XREVRANGE', key, anyId(), anyId()];
      if (rng.chance(0.5)) argv.push('COUNT', String(rng.int(5) - 1));
      return argv;
    }
    case 'xread': {
      const argv = ['XREAD'];
      if (rng.chance(0.4)) argv.push('COUNT', String(rng.int(4)));
      const ks = rng.chance(0.3) ? SKEYS : [key];
      return [...argv, 'STREAMS', ...ks, ...ks.map(() => (rng.chance(0.2) ? '$' : strictId()))];
    }
    case 'xreadgroup': {
      const argv = ['XREADGROUP', 'GROUP', g, c];
      if (rng.chance(0.5)) argv.push('COUNT', String(rng.int(4)));
      if (rng.chance(0.2)) argv.push('NOACK');
      const id = (): string => (rng.chance(0.75) ? '>' : rng.chance(0.5) ? '0' : strictId());
      if (rng.chance(0.2)) return [...argv, 'STREAMS', key, key, id(), id()];
      return [...argv, 'STREAMS', key, id()];
    }
    case 'xack': {
      const argv = ['XACK', key, g];
      for (let i = rng.range(1, 3); i > 0; i--) argv.push(strictId());
      return argv;
    }
    case 'xclaim': {
      const argv = ['XCLAIM', key, g, c, rng.chance(0.8) ? '0' : '100000'];
      for (let i = rng.range(1, 3); i > 0; i--) argv.push(strictId());
      if (rng.chance(0.3)) argv.push('FORCE');
      if (rng.chance(0.5)) argv.push('JUSTID');
      if (rng.chance(0.2)) argv.push('RETRYCOUNT', String(rng.int(5)));
      if (rng.chance(0.15)) argv.push('LASTID', strictId());
      return argv;
    }
    case 'xautoclaim': {
      const argv = ['XAUTOCLAIM', key, g, c, rng.chance(0.8) ? '0' : '100000', rng.chance(0.7) ? '0' : strictId()];
      if (rng.chance(0.5)) argv.push('COUNT', String(rng.range(1, 4)));
      if (rng.chance(0.3)) argv.push('JUSTID');
      return argv;
    }
    case 'xpending':
      if (rng.chance(0.4)) return ['XPENDING', key, g];
      return ['XPENDING', key, g, anyId(), anyId(), String(rng.int(6)), ...(rng.chance(0.3) ? [c] : [])];
    case 'xgroup': {
      const r = rng.int(7);
      if (r < 2) return ['XGROUP', 'CREATE', key, g, rng.pick(['$', '0', strictId()]), ...(rng.chance(0.3) ? ['MKSTREAM'] : [])];
      if (r === 2) return ['XGROUP', 'SETID', key, g, rng.pick(['$', '0', strictId()]), ...(rng.chance(0.3) ? ['ENTRIESREAD', String(rng.int(10))] : [])];
      if (r === 3) return ['XGROUP', 'DESTROY', key, g];
      if (r === 4) return ['XGROUP', 'CREATECONSUMER', key, g, c];
      return ['XGROUP', 'DELCONSUMER', key, g, c];
    }
    case 'xinfo': {
      const r = rng.int(4);
      if (r === 0) return ['XINFO', 'STREAM', key];
      if (r === 1) return ['XINFO', 'STREAM', key, 'FULL', 'COUNT', String(rng.int(4))];
      if (r === 2) return ['XINFO', 'GROUPS', key];
      return ['XINFO', 'CONSUMERS', key, g];
    }
    case 'xsetid':
      return ['XSETID', key, `${clock.ms + rng.int(3)}-${rng.int(3)}`, ...(rng.chance(0.3) ? ['MAXDELETEDID', strictId()] : [])];
    default:
      // Not DUMP: a payload carries delivery and seen times.
      return rng.pick([['XLEN', key], ['DEBUG', 'DIGEST-VALUE', key], ['MEMORY', 'USAGE', key]]);
  }
}

test('a seeded random mix of stream commands matches Redis 7.0', { skip }, async () => {
  const seed = chooseSeed();
  const rng = new Rng(seed);
  const scripts: Record<string, string[][]> = {};
  for (let s = 0; s < 4; s++) {
    const clock = { ms: 1 };
    const cmds: string[][] = [['CONFIG', 'SET', 'stream-node-max-entries', String(rng.pick([3, 5, 100]))]];
    for (let i = 0; i < 250; i++) cmds.push(randomCommand(rng, clock));
    for (const k of SKEYS) cmds.push(['XINFO', 'STREAM', k, 'FULL']);
    cmds.push(['DEBUG', 'DIGEST'], ['CONFIG', 'SET', 'stream-node-max-entries', '100']);
    scripts[`random ${s}`] = cmds;
  }
  const d = await runScripts(pair, scripts, { normalize: maskTimes, resp: [rng.chance(0.5) ? 2 : 3] });
  assert.equal(d.length, 0, `seed ${seed}\n${formatDivergences(d)}`);
});

// ---- keyspace events ------------------------------------------------------------

const EVENT_SCRIPT = lines(`
  XADD s 1-1 a 1
  XADD s MAXLEN 1 2-1 a 2
  XADD s NOMKSTREAM 3-1 a 3
  XADD nokey NOMKSTREAM 3-1 a 3
  XDEL s 3-1
  XDEL s 9-9
  XTRIM s MAXLEN 0
  XTRIM s MAXLEN 0
  XSETID s 5-5
  XGROUP CREATE t g $ MKSTREAM
  XGROUP CREATE t g $ MKSTREAM
  XADD t 1-1 f v
  XREADGROUP GROUP g c1 STREAMS t >
  XREADGROUP GROUP g c1 STREAMS t >
  XREADGROUP GROUP g c2 STREAMS t 0
  XCLAIM t g c3 0 1-1
  XCLAIM t g c4 0 9-9
  XAUTOCLAIM t g c5 0 0
  XGROUP CREATECONSUMER t g c6
  XGROUP CREATECONSUMER t g c6
  XGROUP SETID t g 0
  XGROUP DELCONSUMER t g c1
  XGROUP DELCONSUMER t g nobody
  XGROUP DESTROY t g
  XGROUP DESTROY t g
  XACK t g 1-1
  DEL t
`);

/** Runs the script with every keyspace event on, returning what a subscriber to all of them received. */
async function events(port: number, control: RawClient): Promise<string> {
  const sub = await RawClient.connect(port);
  try {
    await control.call('FLUSHALL');
    await control.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    await sub.call('PSUBSCRIBE', '__key*__:*');
    await sub.call('SUBSCRIBE', 'done');
    for (const c of EVENT_SCRIPT) await control.call(...c);
    await control.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    await control.call('PUBLISH', 'done', 'x');
    let got = '';
    for (;;) {
      const r = (await sub.readReply()).raw;
      if (r.includes('$4\r\ndone\r\n$1\r\nx')) return got;
      got += r;
    }
  } finally {
    sub.close();
  }
}

test('stream commands notify keyspace events as Redis 7.0 does', { skip }, async () => {
  const [a, b] = [await events(pair.redis.port, pair.redisClient), await events(pair.reddish.port, pair.reddishClient)];
  assert.ok(a.includes('xgroup-createconsumer'));
  assert.equal(b, a);
});
