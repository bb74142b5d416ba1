/**
 * The tests `reddish bench -t` knows, with redis-benchmark's names, keys and
 * commands (key:__rand_int__, mylist, myset, ...), so results compare with
 * redis-benchmark's line for line. `__rand_int__` is 12 characters, the
 * width of the zero-padded random number that replaces it with -r, so a
 * command's encoding is built once and patched in place.
 */
import { encodeCommand } from '../protocol/encode-command.js';

export interface BenchTest {
  /** The -t name (lowercase). */
  name: string;
  /** How results are titled (redis-benchmark's spelling). */
  title: string;
  argv(data: string): string[];
  /** Commands to run once before the test (LRANGE needs a list). */
  setup?(data: string): string[][];
}

export const RAND = '__rand_int__';

/** redis-benchmark's LRANGE tests read the first N elements of a list it fills with LPUSH. */
function lrange(n: number): BenchTest {
  return {
    name: `lrange_${n}`,
    title: `LRANGE_${n} (first ${n} elements)`,
    argv: () => ['LRANGE', 'mylist', '0', String(n - 1)],
    setup: (data) => [['DEL', 'mylist'], ['LPUSH', 'mylist', ...Array.from({ length: n }, () => data)]],
  };
}

const FIXED: BenchTest[] = [
  { name: 'ping_inline', title: 'PING_INLINE', argv: () => ['PING'] },
  { name: 'ping_mbulk', title: 'PING_MBULK', argv: () => ['PING'] },
  { name: 'set', title: 'SET', argv: (d) => ['SET', `key:${RAND}`, d] },
  { name: 'get', title: 'GET', argv: () => ['GET', `key:${RAND}`] },
  { name: 'incr', title: 'INCR', argv: () => ['INCR', `counter:${RAND}`] },
  { name: 'lpush', title: 'LPUSH', argv: (d) => ['LPUSH', 'mylist', d] },
  { name: 'rpush', title: 'RPUSH', argv: (d) => ['RPUSH', 'mylist', d] },
  { name: 'lpop', title: 'LPOP', argv: () => ['LPOP', 'mylist'] },
  { name: 'rpop', title: 'RPOP', argv: () => ['RPOP', 'mylist'] },
  { name: 'sadd', title: 'SADD', argv: () => ['SADD', 'myset', `element:${RAND}`] },
  { name: 'hset', title: 'HSET', argv: (d) => ['HSET', 'myhash', `element:${RAND}`, d] },
  { name: 'spop', title: 'SPOP', argv: () => ['SPOP', 'myset'] },
  { name: 'zadd', title: 'ZADD', argv: () => ['ZADD', 'myzset', '0', `element:${RAND}`] },
  { name: 'zpopmin', title: 'ZPOPMIN', argv: () => ['ZPOPMIN', 'myzset'] },
  { name: 'mset', title: 'MSET (10 keys)', argv: (d) => ['MSET', ...Array.from({ length: 10 }, () => [`key:${RAND}`, d]).flat()] },
];

export const DEFAULT_TESTS = 'set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,lrange_100,mset,ping';

/** The tests named in a -t list, in the order given; `ping` means both PING tests, as in redis-benchmark. */
export function selectTests(list: string): BenchTest[] {
  const out: BenchTest[] = [];
  for (const raw of list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) {
    const names = raw === 'ping' ? ['ping_inline', 'ping_mbulk'] : raw === 'lrange' ? ['lrange_100', 'lrange_300', 'lrange_500', 'lrange_600'] : [raw];
    for (const name of names) {
      const m = /^lrange_(\d+)$/.exec(name);
      const t = m ? lrange(Number(m[1])) : FIXED.find((x) => x.name === name);
      if (!t) throw new Error(`unknown test '${raw}' (known: ${[...FIXED.map((x) => x.name), 'ping', 'lrange_<n>'].join(', ')})`);
      if (!out.some((x) => x.name === t.name)) out.push(t);
    }
  }
  return out;
}

/** A command as a RESP array (latin1: one char per byte). */
export function encodeArgv(argv: string[]): Buffer {
  return Buffer.from(encodeCommand(argv), 'latin1');
}

/** One request as it goes on the wire: RESP, or an inline command for ping_inline. */
export function encodeRequest(t: BenchTest, data: string): Buffer {
  return t.name === 'ping_inline' ? Buffer.from('PING\r\n', 'latin1') : encodeArgv(t.argv(data));
}

/** Where `__rand_int__` occurs in an encoded request (patched per request with -r). */
export function randOffsets(req: Buffer): number[] {
  const out: number[] = [];
  for (let i = req.indexOf(RAND, 0, 'latin1'); i >= 0; i = req.indexOf(RAND, i + RAND.length, 'latin1')) out.push(i);
  return out;
}
