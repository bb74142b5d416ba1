/**
 * Sorted sets (t_zset.c): the command definitions, and the hooks other parts
 * of the server plug in (DEBUG DIGEST, MEMORY USAGE, SORT, the blocking pops).
 *
 * Files: add.ts (ZADD, ZINCRBY, ZREM, ZREMRANGEBY*), range.ts (ZRANGE family,
 * ZRANGESTORE, point reads, counts), store.ts (ZUNION/ZINTER/ZDIFF[STORE],
 * ZINTERCARD), pop.ts (ZPOPMIN/ZPOPMAX/ZMPOP), random.ts (ZRANDMEMBER, ZSCAN).
 * The value itself is datatypes/sorted-set.ts.
 */
import { jemallocSize, sdsAlloc, lpIntEntrySize, lpStringEntrySize } from '../../observe/alloc-size.js';
import type { CommandDef } from '../../dispatch/command-spec.js';
import type { TypedValue, Value } from '../../keyspace/value.js';
import { SortedSet, listpackKeepsAsInteger } from '../../datatypes/sorted-set.js';
import { fmt17g, xorElementDigest, type Digest } from '../../observe/digest.js';
import { ADD_COMMANDS } from './add.js';
import { RANGE_COMMANDS } from './range.js';
import { STORE_COMMANDS } from './store.js';
import { POP_COMMANDS } from './pop.js';
import { BLOCKING_ZSET_COMMANDS } from './blocking.js';
import { RANDOM_COMMANDS } from './random.js';

export { genericZpop, parseZmpopArgs, type ZpopDone } from './pop.js';
export { SortedSet } from '../../datatypes/sorted-set.js';
export { isZset } from './common.js';

export const ZSET_COMMANDS: CommandDef[] = [...ADD_COMMANDS, ...RANGE_COMMANDS, ...STORE_COMMANDS, ...POP_COMMANDS, ...BLOCKING_ZSET_COMMANDS, ...RANDOM_COMMANDS];

/**
 * VALUE_DIGESTS.zset (debug.c xorObjectDigest): per element, a fresh digest
 * mixed with the member then its score as "%.17g", xored into `d`.
 */
export function zsetDigest(d: Digest, v: TypedValue): void {
  const z = v as SortedSet;
  for (let n = z.zsl.first; n !== null; n = n.next[0]) xorElementDigest(d, Buffer.from(n.member, 'latin1'), fmt17g(n.score));
}

/** SORT_TYPES.elements for 'zset': members in rank order. */
export function zsetElements(v: TypedValue): string[] {
  return (v as SortedSet).members();
}

/** The length of a zset value (for the blocking pops' readiness checks). */
export function zsetLength(v: TypedValue): number {
  return (v as SortedSet).length;
}

// ---- MEMORY USAGE -------------------------------------------------------------

/** Bytes a listpack entry takes: an integer's or a string's. */
function lpEntrySize(s: string | null, int: bigint | null): number {
  return int !== null ? lpIntEntrySize(int) : lpStringEntrySize(s!.length);
}

/** Skiplist members are sds copies with at least a TYPE_8 header. */
const jemalloc = jemallocSize;
const sdsMember = (len: number): number => sdsAlloc(len, false);

const INT_RE = /^(0|-?[1-9][0-9]{0,18})$/;

function memberAsInt(m: string): bigint | null {
  if (m.length > 20 || !INT_RE.test(m)) return null;
  const b = BigInt(m);
  return b >= -9223372036854775808n && b <= 9223372036854775807n ? b : null;
}

/** objectComputeSize for a zset: the listpack's bytes, or a sampled skiplist estimate. */
export function zsetMemoryUsage(v: Value, samples: number): number {
  const z = v as SortedSet;
  const robj = 16;
  const packed = z.packedListpack();
  if (packed !== null) return robj + jemalloc(packed.length);
  if (z.listpack) {
    let bytes = 7; // header (6) + end byte
    for (let n = z.zsl.first; n !== null; n = n.next[0]) {
      bytes += lpEntrySize(n.member, memberAsInt(n.member));
      bytes += listpackKeepsAsInteger(n.score) ? lpEntrySize(null, BigInt(n.score)) : lpEntrySize(fmt17g(n.score), null);
    }
    return robj + jemalloc(bytes);
  }
  const size = z.length;
  let slots = 4;
  while (slots < size) slots *= 2;
  // zset + zskiplist + dict + bucket array + header node (32 levels).
  let asize = robj + 16 + 32 + 56 + 8 * slots + jemalloc(24 + 32 * 16);
  let elesize = 0;
  let seen = 0;
  for (let n = z.zsl.first; n !== null && seen < samples; n = n.next[0]) {
    elesize += sdsMember(n.member.length) + 24 + jemalloc(24 + n.next.length * 16);
    seen++;
  }
  if (seen > 0) asize += (elesize / seen) * size;
  return Math.floor(asize);
}
