/**
 * Set commands (t_set.c, Redis 7.0). The value type is datatypes/set.ts.
 *
 * Results of SINTER/SUNION/SDIFF (and their STORE forms, and SPOP/SRANDMEMBER
 * when they answer with the whole set) are built as Redis builds them: a new
 * intset filled by setTypeAdd, so a result of few integers is an intset
 * (ascending order, "intset" encoding) whatever its sources were.
 *
 * Dirty accounting follows Redis (SADD counts each added member, SPOP with a
 * count adds the count plus one...) since INFO shows it.
 */
import { jemallocSize, sdsAlloc } from '../observe/alloc-size.js';
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import type { Config } from '../config/config.js';
import { globMatch } from '../util/glob.js';
import type { TypedValue, Value } from '../keyspace/value.js';
import { SetValue } from '../datatypes/set.js';
import { xorDigest, type Digest } from '../observe/digest.js';
import { eqi, ofKind, parseScanCursor } from './helpers.js';

/** set-max-intset-entries, read again only after a config change. */
let maxIntsetOf: { config: Config; generation: number; value: number } | null = null;

function maxIntset(ctx: CommandContext): number {
  const c = ctx.server.config;
  if (maxIntsetOf !== null && maxIntsetOf.config === c && maxIntsetOf.generation === c.generation) return maxIntsetOf.value;
  const value = c.num('set-max-intset-entries');
  maxIntsetOf = { config: c, generation: c.generation, value };
  return value;
}

/** A set, undefined when missing, or null after replying WRONGTYPE. */
const asSet = (ctx: CommandContext, v: Value | undefined) => ofKind<SetValue>(ctx, v, 'set');

function readSet(ctx: CommandContext, key: string): SetValue | undefined | null {
  return asSet(ctx, ctx.ks.lookupRead(ctx.db, key));
}

function writeSet(ctx: CommandContext, key: string): SetValue | undefined | null {
  return asSet(ctx, ctx.ks.lookupWrite(ctx.db, key));
}

/** shared.emptyset: an empty array in RESP2, an empty set in RESP3. */
function emptySet(ctx: CommandContext): void {
  ctx.reply.set(0);
}

function replyMembers(ctx: CommandContext, members: string[]): void {
  ctx.reply.set(members.length);
  for (const m of members) ctx.reply.bulk(m);
}

function replyArray(ctx: CommandContext, members: string[]): void {
  ctx.reply.array(members.length);
  for (const m of members) ctx.reply.bulk(m);
}

/** Adds to the dirty counter (and touches the key) without another keyspace change. */
function dirty(ctx: CommandContext, key: string, n: number): void {
  if (n > 0) ctx.ks.modified(ctx.db, key, n);
}

// ---- SADD SREM SMOVE ----------------------------------------------------------

/** SADD key member [member ...] */
function sadd(ctx: CommandContext): void {
  const argv = ctx.argv;
  const key = argv[1];
  const ks = ctx.ks;
  let set = writeSet(ctx, key);
  if (set === null) return;
  let created = false;
  if (set === undefined) {
    set = SetValue.forMember(argv[2]);
    ks.set(ctx.db, key, set);
    created = true;
  }
  const max = maxIntset(ctx);
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (set.add(argv[j], max)) added++;
  if (added) {
    // ks.set already counted one change for a new key.
    if (created) dirty(ctx, key, added - 1);
    else ks.modified(ctx.db, key, added);
    ks.notify('set', 'sadd', key, ctx.db);
  }
  ctx.reply.int(added);
}

/** SREM key member [member ...] */
function srem(ctx: CommandContext): void {
  const argv = ctx.argv;
  const key = argv[1];
  const ks = ctx.ks;
  const set = writeSet(ctx, key);
  if (set === null) return;
  if (set === undefined) return ctx.reply.int(0);
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < argv.length; j++) {
    if (set.remove(argv[j])) {
      deleted++;
      if (set.size === 0) {
        removed = true;
        break;
      }
    }
  }
  if (deleted) {
    if (removed) {
      ks.delete(ctx.db, key);
      dirty(ctx, key, deleted - 1);
    } else {
      ks.modified(ctx.db, key, deleted);
    }
    ks.notify('set', 'srem', key, ctx.db);
    if (removed) ks.notify('generic', 'del', key, ctx.db);
  }
  ctx.reply.int(deleted);
}

/** SMOVE source destination member */
function smove(ctx: CommandContext): void {
  const [, srcKey, dstKey, ele] = ctx.argv;
  const ks = ctx.ks;
  const db = ctx.db;
  const srcV = ks.lookupWrite(db, srcKey);
  const dstV = ks.lookupWrite(db, dstKey);
  if (srcV === undefined) return ctx.reply.int(0);
  const src = asSet(ctx, srcV);
  if (src === null || src === undefined) return;
  let dst = asSet(ctx, dstV);
  if (dst === null) return;
  if (src === dst) return ctx.reply.int(src.has(ele) ? 1 : 0);
  if (!src.remove(ele)) return ctx.reply.int(0);
  ks.notify('set', 'srem', srcKey, db);
  if (src.size === 0) {
    ks.delete(db, srcKey);
    ks.notify('generic', 'del', srcKey, db);
  } else {
    ks.modified(db, srcKey, 1);
  }
  let created = false;
  if (dst === undefined) {
    dst = SetValue.forMember(ele);
    ks.set(db, dstKey, dst);
    created = true;
  }
  if (dst.add(ele, maxIntset(ctx))) {
    if (!created) ks.modified(db, dstKey, 1);
    ks.notify('set', 'sadd', dstKey, db);
  } else {
    ks.modified(db, dstKey, 0);
  }
  ctx.reply.int(1);
}

// ---- reads ----------------------------------------------------------------------

/** SISMEMBER key member */
function sismember(ctx: CommandContext): void {
  const set = readSet(ctx, ctx.argv[1]);
  if (set === null) return;
  ctx.reply.int(set !== undefined && set.has(ctx.argv[2]) ? 1 : 0);
}

/** SMISMEMBER key member [member ...] */
function smismember(ctx: CommandContext): void {
  const argv = ctx.argv;
  const set = readSet(ctx, argv[1]);
  if (set === null) return;
  ctx.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) ctx.reply.int(set !== undefined && set.has(argv[j]) ? 1 : 0);
}

/** SCARD key */
function scard(ctx: CommandContext): void {
  const set = readSet(ctx, ctx.argv[1]);
  if (set === null) return;
  ctx.reply.int(set === undefined ? 0 : set.size);
}

// ---- SPOP SRANDMEMBER -----------------------------------------------------------

/** SPOP_MOVE_STRATEGY_MUL */
const SPOP_MOVE_MUL = 5;
/** SRANDMEMBER_SUB_STRATEGY_MUL */
const SRANDMEMBER_SUB_MUL = 3;

/** SPOP key [count] */
function spop(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length === 3) return spopWithCount(ctx);
  if (argv.length > 3) return ctx.reply.error(ERR.syntax);
  const key = argv[1];
  const ks = ctx.ks;
  const set = writeSet(ctx, key);
  if (set === null) return;
  if (set === undefined) return ctx.reply.nil();
  const ele = set.random();
  set.remove(ele);
  ks.notify('set', 'spop', key, ctx.db);
  ctx.propagateAs(['SREM', key, ele]);
  ctx.reply.bulk(ele);
  if (set.size === 0) {
    ks.delete(ctx.db, key);
    ks.notify('generic', 'del', key, ctx.db);
  } else {
    ks.modified(ctx.db, key, 1);
  }
}

function spopWithCount(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const ks = ctx.ks;
  const db = ctx.db;
  const n = parseInt64(ctx.argv[2]);
  if (n === null || n < 0) return ctx.reply.error('ERR value is out of range, must be positive');
  const set = writeSet(ctx, key);
  if (set === null) return;
  if (set === undefined || n === 0) return emptySet(ctx);
  const size = set.size;
  ks.notify('set', 'spop', key, db);
  if (n >= size) {
    // The whole set, as SUNION of it would answer; then the key goes, propagated as DEL.
    replyMembers(ctx, SetValue.from(set, maxIntset(ctx)).members());
    ks.delete(db, key);
    ks.notify('generic', 'del', key, db);
    ctx.propagateAs(['DEL', key]);
    return;
  }
  const count = n as number;
  const prop = ks.propagator;
  ctx.reply.set(count);
  let remaining = size - count;
  if (remaining * SPOP_MOVE_MUL > count) {
    for (let i = 0; i < count; i++) {
      const ele = set.random();
      ctx.reply.bulk(ele);
      set.remove(ele);
      prop.add(db.id, ['SREM', key, ele]);
    }
  } else {
    // Keep `remaining` random members in a new set; answer with what is left of the old one.
    const max = maxIntset(ctx);
    let kept: SetValue | null = null;
    while (remaining-- > 0) {
      const ele = set.random();
      if (kept === null) kept = SetValue.forMember(ele);
      kept.add(ele, max);
      set.remove(ele);
    }
    for (const ele of set) {
      ctx.reply.bulk(ele);
      prop.add(db.id, ['SREM', key, ele]);
    }
    // dbOverwrite: the TTL stays. ks.set counts one change of the `count` Redis adds.
    ks.set(db, key, kept!, true);
    dirty(ctx, key, count - 1);
    ctx.preventPropagation();
    return;
  }
  ks.modified(db, key, count);
  ctx.preventPropagation();
}

/** SRANDMEMBER key [count] */
function srandmember(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length === 3) return srandmemberWithCount(ctx);
  if (argv.length > 3) return ctx.reply.error(ERR.syntax);
  const set = readSet(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined) return ctx.reply.nil();
  ctx.reply.bulk(set.random());
}

function srandmemberWithCount(ctx: CommandContext): void {
  const n = parseInt64(ctx.argv[2]);
  if (n === null) return ctx.reply.error(ERR.notInteger);
  if (n === -9223372036854775808n) {
    return ctx.reply.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
  }
  const set = readSet(ctx, ctx.argv[1]);
  if (set === null) return;
  // 7.0 answers SRANDMEMBER with a count as an array, also in RESP3.
  if (set === undefined || n === 0) return ctx.reply.array(0);
  const size = set.size;
  if (n < 0) {
    // Repetitions allowed: |count| independent draws.
    const count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : -n;
    ctx.reply.array(count);
    for (let i = 0; i < count; i++) ctx.reply.bulk(set.random());
    return;
  }
  if (n >= size) return replyArray(ctx, SetValue.from(set, maxIntset(ctx)).members());
  const count = n as number;
  let picked: Set<string>;
  if (count * SRANDMEMBER_SUB_MUL > size) {
    // Start from the whole set and drop random members.
    const all = set.members();
    let len = all.length;
    while (len > count) {
      const i = Math.floor(Math.random() * len);
      all[i] = all[--len];
    }
    all.length = len;
    picked = new Set(all);
  } else {
    picked = new Set();
    while (picked.size < count) picked.add(set.random());
  }
  replyArray(ctx, [...picked]);
}

// ---- SINTER SINTERCARD SINTERSTORE ---------------------------------------------

/**
 * sinterGenericCommand. Every key is looked up and type-checked first; any
 * missing one makes the result empty. `limit` 0 means no limit.
 */
function sinterGeneric(ctx: CommandContext, keys: string[], dstKey: string | null, cardOnly: boolean, limit: number): void {
  const ks = ctx.ks;
  const db = ctx.db;
  const sets: SetValue[] = [];
  let empty = false;
  for (const k of keys) {
    const s = asSet(ctx, dstKey !== null ? ks.lookupWrite(db, k) : ks.lookupRead(db, k));
    if (s === null) return;
    if (s === undefined) empty = true;
    else sets.push(s);
  }
  if (empty) {
    if (dstKey !== null) {
      if (ks.delete(db, dstKey)) ks.notify('generic', 'del', dstKey, db);
      ctx.reply.int(0);
    } else if (cardOnly) {
      ctx.reply.int(0);
    } else {
      emptySet(ctx);
    }
    return;
  }
  // Smallest first (a stable sort: ties keep the argument order).
  sets.sort((a, b) => a.size - b.size);
  const first = sets[0];
  const out: string[] = [];
  for (const ele of first) {
    let j = 1;
    for (; j < sets.length; j++) {
      if (sets[j] === first) continue;
      if (!sets[j].has(ele)) break;
    }
    if (j === sets.length) {
      out.push(ele);
      if (cardOnly && limit !== 0 && out.length >= limit) break;
    }
  }
  if (cardOnly) return ctx.reply.int(out.length);
  if (dstKey === null) return replyMembers(ctx, out);
  storeResult(ctx, dstKey, SetValue.from(out, maxIntset(ctx)), 'sinterstore');
}

/**
 * The STORE ending: a non-empty result replaces the destination (TTL dropped);
 * an empty one deletes it.
 */
function storeResult(ctx: CommandContext, dstKey: string, result: SetValue, event: string): void {
  const ks = ctx.ks;
  const db = ctx.db;
  if (result.size > 0) {
    ks.set(db, dstKey, result);
    ctx.reply.int(result.size);
    ks.notify('set', event, dstKey, db);
  } else {
    ctx.reply.int(0);
    if (ks.delete(db, dstKey)) ks.notify('generic', 'del', dstKey, db);
  }
}

/** SINTER key [key ...]; SMEMBERS key is the same command in 7.0. */
function sinter(ctx: CommandContext): void {
  sinterGeneric(ctx, ctx.argv.slice(1), null, false, 0);
}

/** SINTERSTORE destination key [key ...] */
function sinterstore(ctx: CommandContext): void {
  sinterGeneric(ctx, ctx.argv.slice(2), ctx.argv[1], false, 0);
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(ctx: CommandContext): void {
  const argv = ctx.argv;
  const nk = parseInt64(argv[1]);
  if (nk === null || nk < 1 || typeof nk === 'bigint') return ctx.reply.error('ERR numkeys should be greater than 0');
  if (nk > argv.length - 2) return ctx.reply.error("ERR Number of keys can't be greater than number of args");
  let limit = 0;
  for (let j = 2 + nk; j < argv.length; j++) {
    if (eqi(argv[j], 'limit') && j + 1 < argv.length) {
      const l = parseInt64(argv[j + 1]);
      if (l === null || l < 0) return ctx.reply.error("ERR LIMIT can't be negative");
      limit = typeof l === 'bigint' ? Number.MAX_SAFE_INTEGER : l;
      j++;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  sinterGeneric(ctx, argv.slice(2, 2 + nk), null, true, limit);
}

// ---- SUNION SDIFF ----------------------------------------------------------------

const UNION = 0;
const DIFF = 1;

/** sunionDiffGenericCommand, both DIFF algorithms included (they can leave different encodings). */
function sunionDiffGeneric(ctx: CommandContext, keys: string[], dstKey: string | null, op: number): void {
  const ks = ctx.ks;
  const db = ctx.db;
  const sets: Array<SetValue | null> = [];
  for (const k of keys) {
    const s = asSet(ctx, dstKey !== null ? ks.lookupWrite(db, k) : ks.lookupRead(db, k));
    if (s === null) return;
    sets.push(s ?? null);
  }
  const max = maxIntset(ctx);
  const dst = SetValue.intset();
  if (op === UNION) {
    for (const s of sets) {
      if (s === null) continue;
      for (const ele of s) dst.add(ele, max);
    }
  } else if (sets[0] !== null) {
    const first = sets[0];
    let one = 0;
    let two = 0;
    for (const s of sets) {
      if (s === null) continue;
      one += first.size;
      two += s.size;
    }
    one = Math.floor(one / 2);
    if (one <= two) {
      // Algorithm 1: each member of the first set not found in any other.
      const rest = sets.slice(1).sort((a, b) => (b === null ? 0 : b.size) - (a === null ? 0 : a.size));
      for (const ele of first) {
        let keep = true;
        for (const s of rest) {
          if (s === null) continue;
          if (s === first || s.has(ele)) {
            keep = false;
            break;
          }
        }
        if (keep) dst.add(ele, max);
      }
    } else {
      // Algorithm 2: all of the first set, minus the members of the others.
      for (let j = 0; j < sets.length; j++) {
        const s = sets[j];
        if (s === null) continue;
        if (j === 0) {
          for (const ele of s) dst.add(ele, max);
        } else {
          for (const ele of s.members()) dst.remove(ele);
        }
        if (dst.size === 0) break;
      }
    }
  }
  if (dstKey === null) return replyMembers(ctx, dst.members());
  storeResult(ctx, dstKey, dst, op === UNION ? 'sunionstore' : 'sdiffstore');
}

function sunion(ctx: CommandContext): void {
  sunionDiffGeneric(ctx, ctx.argv.slice(1), null, UNION);
}
function sunionstore(ctx: CommandContext): void {
  sunionDiffGeneric(ctx, ctx.argv.slice(2), ctx.argv[1], UNION);
}
function sdiff(ctx: CommandContext): void {
  sunionDiffGeneric(ctx, ctx.argv.slice(1), null, DIFF);
}
function sdiffstore(ctx: CommandContext): void {
  sunionDiffGeneric(ctx, ctx.argv.slice(2), ctx.argv[1], DIFF);
}

// ---- SSCAN -----------------------------------------------------------------------


/** SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscan(ctx: CommandContext): void {
  const argv = ctx.argv;
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return ctx.reply.error('ERR invalid cursor');
  const set = readSet(ctx, argv[1]);
  if (set === null) return;
  if (set === undefined) {
    ctx.reply.array(2);
    ctx.reply.bulk('0');
    ctx.reply.array(0);
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - i >= 2;
    if (more && eqi(argv[i], 'count')) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      if (n < 1) return ctx.reply.error(ERR.syntax);
      count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
    } else if (more && eqi(argv[i], 'match')) {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  const step = set.scan(cursor, count);
  const out = pattern === null ? step.members : step.members.filter((m) => globMatch(pattern!, m));
  ctx.reply.array(2);
  ctx.reply.bulk(String(step.next));
  ctx.reply.array(out.length);
  for (const m of out) ctx.reply.bulk(m);
}

// ---- hooks for DEBUG DIGEST, MEMORY USAGE and SORT --------------------------------

/** VALUE_DIGESTS.set: xorDigest of every member (as debug.c's xorObjectDigest). */
export function setDigest(d: Digest, v: TypedValue): void {
  for (const m of v as SetValue) xorDigest(d, m);
}

/**
 * VALUE_SIZES.set, objectComputeSize: robj (16) plus the intset's allocation,
 * or robj + dict (56) + 8 per slot + (dictEntry 24 + member sds) averaged over
 * the first `samples` members. Redis counts both tables while a dict rehashes;
 * this models the settled table.
 */
export function setMemoryUsage(v: Value, samples: number): number {
  const s = v as SetValue;
  if (s.encoding() === 'intset') return 16 + jemallocSize(s.intsetBytes());
  let size = 16 + 56 + 8 * s.dictSlots();
  const n = s.size;
  let ele = 0;
  let taken = 0;
  for (let i = 0; i < n && taken < samples; i++, taken++) ele += 24 + sdsAlloc(s.at(i).length);
  if (taken) size = Math.floor(size + (ele / taken) * n);
  return size;
}

/** SORT_TYPES.elements.set: members in iteration order. */
export function setElements(v: TypedValue): string[] {
  return (v as SetValue).members();
}

export const SET_COMMANDS: CommandDef[] = [
  { name: 'sadd', handler: sadd },
  { name: 'srem', handler: srem },
  { name: 'smove', handler: smove },
  { name: 'sismember', handler: sismember },
  { name: 'smismember', handler: smismember },
  { name: 'scard', handler: scard },
  { name: 'spop', handler: spop },
  { name: 'srandmember', handler: srandmember },
  { name: 'sinter', handler: sinter },
  { name: 'smembers', handler: sinter },
  { name: 'sintercard', handler: sintercard },
  { name: 'sinterstore', handler: sinterstore },
  { name: 'sunion', handler: sunion },
  { name: 'sunionstore', handler: sunionstore },
  { name: 'sdiff', handler: sdiff },
  { name: 'sdiffstore', handler: sdiffstore },
  { name: 'sscan', handler: sscan },
];
