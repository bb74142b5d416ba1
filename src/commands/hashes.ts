/**
 * Hash commands (t_hash.c) over datatypes/hash.ts.
 *
 * Conventions as Redis 7.0: hashTypeLookupWriteOrCreate creates the key
 * before the command can fail (no command here can fail after creating a new
 * hash, so no empty hash is ever left behind); a hash emptied by HDEL is
 * deleted and a generic "del" event follows "hdel"; server.dirty grows by the
 * number of fields written or deleted; HINCRBYFLOAT is propagated as HSET
 * with the final value.
 *
 * Hooks for the shared registries (wired by the lead): hashDigest for
 * VALUE_DIGESTS, hashMemoryUsage for VALUE_SIZES, hashField for SORT_TYPES.
 */
import { jemallocSize, sdsAlloc, lpIntEntrySize, lpStringEntrySize } from '../observe/alloc-size.js';
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import type { Config } from '../config/config.js';
import type { TypedValue, Value } from '../keyspace/value.js';
import { ERR } from '../protocol/errors.js';
import { addInt64, parseInt64 } from '../util/numbers.js';
import { globMatch } from '../util/glob.js';
import { RedisHash, type HashLimits } from '../datatypes/hash.js';
import { parseLongDouble, formatLongDouble } from './strings-extra.js';
import { xorElementDigest, type Digest } from '../observe/digest.js';
import { eqi, int64OrReply, ofKind, parseScanCursor } from './helpers.js';

// ---- lookups ----------------------------------------------------------------

/** The listpack limits, read again only after a config change (two Map lookups and an object per HSET otherwise). */
let limitsOf: { config: Config; generation: number; limits: HashLimits } | null = null;

function limits(ctx: CommandContext): HashLimits {
  const c = ctx.server.config;
  if (limitsOf !== null && limitsOf.config === c && limitsOf.generation === c.generation) return limitsOf.limits;
  const lim = { maxEntries: c.num('hash-max-listpack-entries'), maxValue: c.num('hash-max-listpack-value') };
  limitsOf = { config: c, generation: c.generation, limits: lim };
  return lim;
}

const asHash = (ctx: CommandContext, v: Value | undefined) => ofKind<RedisHash>(ctx, v, 'hash');

/** lookupKeyRead + checkType: undefined when missing, null after a WRONGTYPE reply. */
function readHash(ctx: CommandContext, key: string): RedisHash | undefined | null {
  return asHash(ctx, ctx.ks.lookupRead(ctx.db, key));
}

function writeHash(ctx: CommandContext, key: string): RedisHash | undefined | null {
  return asHash(ctx, ctx.ks.lookupWrite(ctx.db, key));
}

/** hashTypeLookupWriteOrCreate: the hash, and whether it still has to be added to the db. */
function writeOrCreate(ctx: CommandContext, key: string): { h: RedisHash; isNew: boolean } | null {
  const h = writeHash(ctx, key);
  if (h === null) return null;
  if (h === undefined) return { h: new RedisHash(), isNew: true };
  return { h, isNew: false };
}

/** Records a write of `dirty` changes: a new hash is added to the db, an existing one marked modified. */
function commit(ctx: CommandContext, key: string, h: RedisHash, isNew: boolean, dirty: number): void {
  if (isNew) {
    ctx.ks.set(ctx.db, key, h);
    if (dirty > 1) ctx.ks.dirty += dirty - 1;
  } else {
    ctx.ks.modified(ctx.db, key, dirty);
  }
}

// ---- writes -----------------------------------------------------------------

/** HSET key field value [field value ...] and HMSET (which replies +OK). */
function hsetGeneric(ctx: CommandContext, replyOk: boolean): void {
  const argv = ctx.argv;
  if (argv.length % 2 === 1) return ctx.reply.error(ERR.wrongArity(ctx.client.cmd!.fullname));
  const key = argv[1];
  const w = writeOrCreate(ctx, key);
  if (w === null) return;
  const lim = limits(ctx);
  w.h.tryConversion(argv, 2, argv.length - 1, lim);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (w.h.set(argv[i], argv[i + 1], lim)) created++;
  if (replyOk) ctx.reply.ok();
  else ctx.reply.int(created);
  commit(ctx, key, w.h, w.isNew, (argv.length - 2) / 2);
  ctx.ks.notify('hash', 'hset', key, ctx.db);
}

function hset(ctx: CommandContext): void {
  hsetGeneric(ctx, false);
}
function hmset(ctx: CommandContext): void {
  hsetGeneric(ctx, true);
}

/** HSETNX key field value */
function hsetnx(ctx: CommandContext): void {
  const argv = ctx.argv;
  const key = argv[1];
  const w = writeOrCreate(ctx, key);
  if (w === null) return;
  if (w.h.has(argv[2])) return ctx.reply.int(0);
  const lim = limits(ctx);
  w.h.tryConversion(argv, 2, 3, lim);
  w.h.set(argv[2], argv[3], lim);
  ctx.reply.int(1);
  commit(ctx, key, w.h, w.isNew, 1);
  ctx.ks.notify('hash', 'hset', key, ctx.db);
}

/** HDEL key field [field ...] */
function hdel(ctx: CommandContext): void {
  const argv = ctx.argv;
  const key = argv[1];
  const h = writeHash(ctx, key);
  if (h === null) return;
  if (h === undefined) return ctx.reply.int(0);
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < argv.length; j++) {
    if (h.delete(argv[j])) {
      deleted++;
      if (h.size === 0) {
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    const ks = ctx.ks;
    if (removed) {
      ks.delete(ctx.db, key);
      ks.dirty += deleted - 1;
    } else {
      ks.modified(ctx.db, key, deleted);
    }
    ks.notify('hash', 'hdel', key, ctx.db);
    if (removed) ks.notify('generic', 'del', key, ctx.db);
  }
  ctx.reply.int(deleted);
}

/** HINCRBY key field increment */
function hincrby(ctx: CommandContext): void {
  const argv = ctx.argv;
  const incr = int64OrReply(ctx, argv[3]);
  if (incr === null) return;
  const key = argv[1];
  const w = writeOrCreate(ctx, key);
  if (w === null) return;
  const old = w.h.get(argv[2]);
  let value: ReturnType<typeof addInt64> = 0;
  if (old !== undefined) {
    const n = parseInt64(old);
    if (n === null) return ctx.reply.error('ERR hash value is not an integer');
    value = n;
  }
  value = addInt64(value, incr);
  if (value === null) return ctx.reply.error(ERR.overflow);
  w.h.set(argv[2], String(value), limits(ctx));
  ctx.reply.int(value);
  commit(ctx, key, w.h, w.isNew, 1);
  ctx.ks.notify('hash', 'hincrby', key, ctx.db);
}

type LongDouble = NonNullable<ReturnType<typeof parseLongDouble>>['v'];
type FiniteLongDouble = Exclude<LongDouble, 'inf'>;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * a + b in x87 extended precision, rounded to nearest-even; null when the sum
 * overflows. The exact sum is a dyadic rational, handed to strtold's
 * emulation as a hex float so that it is rounded exactly once.
 */
function addLongDouble(a: FiniteLongDouble, b: FiniteLongDouble): FiniteLongDouble | null {
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  // Mantissas are normalized to 64 bits, so an operand more than 66 binary
  // orders smaller is below half an ulp of the other and cannot change it.
  const ta = a.e + bitLength(a.m);
  const tb = b.e + bitLength(b.m);
  if (ta - tb > 66) return a;
  if (tb - ta > 66) return b;
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  if (sum === 0n) return { neg: false, m: 0n, e: 0 };
  const abs = sum < 0n ? -sum : sum;
  const p = parseLongDouble(`${sum < 0n ? '-' : ''}0x${abs.toString(16)}p${e}`);
  if (p === null || p.v === 'inf') return null;
  return p.v;
}

/** HINCRBYFLOAT key field increment: propagated as HSET key field result. */
function hincrbyfloat(ctx: CommandContext): void {
  const argv = ctx.argv;
  const inc = parseLongDouble(argv[3]);
  if (inc === null) return ctx.reply.error(ERR.notFloat);
  if (inc.v === 'inf') return ctx.reply.error('ERR value is NaN or Infinity');
  const key = argv[1];
  const field = argv[2];
  const w = writeOrCreate(ctx, key);
  if (w === null) return;
  const old = w.h.get(field);
  let cur: FiniteLongDouble = { neg: false, m: 0n, e: 0 };
  if (old !== undefined) {
    const p = parseLongDouble(old);
    if (p === null) return ctx.reply.error('ERR hash value is not a float');
    if (p.v === 'inf') return ctx.reply.error(ERR.nanOrInf);
    cur = p.v;
  }
  const sum = addLongDouble(cur, inc.v);
  if (sum === null) return ctx.reply.error(ERR.nanOrInf);
  const s = formatLongDouble(sum);
  w.h.set(field, s, limits(ctx));
  ctx.reply.bulk(s);
  commit(ctx, key, w.h, w.isNew, 1);
  ctx.ks.notify('hash', 'hincrbyfloat', key, ctx.db);
  ctx.propagateAs(['HSET', key, field, s]);
}

// ---- reads ------------------------------------------------------------------

/** HGET key field */
function hget(ctx: CommandContext): void {
  const h = readHash(ctx, ctx.argv[1]);
  if (h === null) return;
  const v = h?.get(ctx.argv[2]);
  if (v === undefined) ctx.reply.nil();
  else ctx.reply.bulk(v);
}

/** HMGET key field [field ...] */
function hmget(ctx: CommandContext): void {
  const argv = ctx.argv;
  const h = readHash(ctx, argv[1]);
  if (h === null) return;
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.get(argv[i]);
    if (v === undefined) ctx.reply.nil();
    else ctx.reply.bulk(v);
  }
}

/** HLEN key */
function hlen(ctx: CommandContext): void {
  const h = readHash(ctx, ctx.argv[1]);
  if (h === null) return;
  ctx.reply.int(h === undefined ? 0 : h.size);
}

/** HSTRLEN key field */
function hstrlen(ctx: CommandContext): void {
  const h = readHash(ctx, ctx.argv[1]);
  if (h === null) return;
  const v = h?.get(ctx.argv[2]);
  ctx.reply.int(v === undefined ? 0 : v.length);
}

/** HEXISTS key field */
function hexists(ctx: CommandContext): void {
  const h = readHash(ctx, ctx.argv[1]);
  if (h === null) return;
  ctx.reply.int(h !== undefined && h.has(ctx.argv[2]) ? 1 : 0);
}

const KEYS = 1;
const VALS = 2;

/** genericHgetallCommand: HKEYS, HVALS, HGETALL (a map in RESP3). */
function hgetallGeneric(ctx: CommandContext, flags: number): void {
  const h = readHash(ctx, ctx.argv[1]);
  if (h === null) return;
  const r = ctx.reply;
  const n = h === undefined ? 0 : h.size;
  if (flags === (KEYS | VALS)) r.map(n);
  else r.array(n);
  if (h === undefined) return;
  for (const [f, v] of h.map) {
    if (flags & KEYS) r.bulk(f);
    if (flags & VALS) r.bulk(v);
  }
}

function hkeys(ctx: CommandContext): void {
  hgetallGeneric(ctx, KEYS);
}
function hvals(ctx: CommandContext): void {
  hgetallGeneric(ctx, VALS);
}
function hgetall(ctx: CommandContext): void {
  hgetallGeneric(ctx, KEYS | VALS);
}

// ---- HRANDFIELD -------------------------------------------------------------

const LONG_MAX_HALF = 4611686018427387903n;

function replyFields(ctx: CommandContext, h: RedisHash, fields: readonly string[], withvalues: boolean): void {
  const r = ctx.reply;
  r.array(withvalues && r.resp === 2 ? fields.length * 2 : fields.length);
  for (const f of fields) {
    if (withvalues && r.resp > 2) r.array(2);
    r.bulk(f);
    if (withvalues) r.bulk(h.get(f)!);
  }
}

/** HRANDFIELD key [count [WITHVALUES]] */
function hrandfield(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length >= 3) {
    const l = parseInt64(argv[2]);
    if (l === null) return ctx.reply.error(ERR.notInteger);
    if (BigInt(l) === -9223372036854775808n) {
      return ctx.reply.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    }
    let withvalues = false;
    if (argv.length > 4 || (argv.length === 4 && !eqi(argv[3], 'withvalues'))) return ctx.reply.error(ERR.syntax);
    if (argv.length === 4) {
      withvalues = true;
      const b = BigInt(l);
      if (b < -LONG_MAX_HALF || b > LONG_MAX_HALF) return ctx.reply.error('ERR value is out of range');
    }
    return hrandfieldWithCount(ctx, l, withvalues);
  }
  const h = readHash(ctx, argv[1]);
  if (h === null) return;
  if (h === undefined) return ctx.reply.nil();
  ctx.reply.bulk(h.randomField()!);
}

function hrandfieldWithCount(ctx: CommandContext, l: number | bigint, withvalues: boolean): void {
  const h = readHash(ctx, ctx.argv[1]);
  if (h === null) return;
  if (h === undefined) return ctx.reply.array(0);
  const size = h.size;
  const neg = l < 0;
  // Anything above the hash's size behaves as the whole hash (count >= size); clamp big values.
  const big = typeof l === 'bigint' || Math.abs(l) > Number.MAX_SAFE_INTEGER;
  const count = big ? Number.MAX_SAFE_INTEGER : Math.abs(l as number);
  if (count === 0) return ctx.reply.array(0);
  if (neg) {
    // CASE 1: repetitions allowed, exactly count picks.
    const r = ctx.reply;
    r.array(withvalues && r.resp === 2 ? count * 2 : count);
    for (let i = 0; i < count; i++) {
      const f = h.randomField()!;
      if (withvalues && r.resp > 2) r.array(2);
      r.bulk(f);
      if (withvalues) r.bulk(h.get(f)!);
    }
    return;
  }
  // CASE 2: the whole hash, in its own order.
  if (count >= size) return replyFields(ctx, h, [...h.map.keys()], withvalues);
  // CASE 2.5 / 3 / 4: distinct fields.
  replyFields(ctx, h, h.randomUniqueFields(count), withvalues);
}

// ---- HSCAN ------------------------------------------------------------------


/** HSCAN key cursor [MATCH pattern] [COUNT count] */
function hscan(ctx: CommandContext): void {
  const argv = ctx.argv;
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return ctx.reply.error('ERR invalid cursor');
  const r = ctx.reply;
  const h = readHash(ctx, argv[1]);
  if (h === null) return;
  if (h === undefined) {
    r.array(2);
    r.bulk('0');
    r.array(0);
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - i >= 2;
    if (more && eqi(argv[i], 'count')) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return r.error(ERR.notInteger);
      if (n < 1) return r.error(ERR.syntax);
      count = n > 1_000_000_000 ? 1_000_000_000 : Number(n);
    } else if (more && eqi(argv[i], 'match')) {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else {
      return r.error(ERR.syntax);
    }
  }
  const at = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
  const step = h.scan(at, count);
  const out: string[] = [];
  for (const f of step.fields) {
    if (pattern !== null && !globMatch(pattern, f)) continue;
    out.push(f, h.get(f)!);
  }
  r.array(2);
  r.bulk(String(step.next));
  r.array(out.length);
  for (const s of out) r.bulk(s);
}

// ---- hooks for the shared registries ---------------------------------------

/** VALUE_DIGESTS.hash: per field, mix(field) then mix(value) into a fresh digest, xored in. */
export function hashDigest(d: Digest, v: TypedValue): void {
  for (const [f, val] of (v as RedisHash).map) xorElementDigest(d, f, val);
}

/** SORT_TYPES.hashField: the `key->field` lookup of SORT BY/GET. */
export function hashField(v: TypedValue, field: string): string | null {
  if (v.kind !== 'hash') return null;
  return (v as RedisHash).get(field) ?? null;
}

/** Bytes a listpack entry takes, integers as lpStringToInt64 sees them. */
function lpEntrySize(s: string): number {
  const n = s.length <= 20 ? parseInt64(s) : null;
  return n !== null ? lpIntEntrySize(BigInt(n)) : lpStringEntrySize(s.length);
}

/** VALUE_SIZES.hash: objectComputeSize for a hash (robj included). */
export function hashMemoryUsage(v: Value, samples: number): number {
  const h = v as RedisHash;
  const packed = h.packedListpack();
  if (packed !== null) return 16 + jemallocSize(packed.length);
  if (h.isListpack()) {
    let bytes = 7; // header + end byte
    for (const [f, val] of h.map) bytes += lpEntrySize(f) + lpEntrySize(val);
    return 16 + jemallocSize(bytes);
  }
  let asize = 16 + 56 + 8 * h.dictSlots();
  let elesize = 0;
  let n = 0;
  for (const [f, val] of h.map) {
    if (n >= samples) break;
    elesize += sdsAlloc(f.length) + sdsAlloc(val.length) + 24;
    n++;
  }
  if (n > 0) asize = Math.floor(asize + (elesize / n) * h.size);
  return asize;
}

export const HASH_COMMANDS: CommandDef[] = [
  { name: 'hset', handler: hset },
  { name: 'hmset', handler: hmset },
  { name: 'hsetnx', handler: hsetnx },
  { name: 'hdel', handler: hdel },
  { name: 'hincrby', handler: hincrby },
  { name: 'hincrbyfloat', handler: hincrbyfloat },
  { name: 'hget', handler: hget },
  { name: 'hmget', handler: hmget },
  { name: 'hlen', handler: hlen },
  { name: 'hstrlen', handler: hstrlen },
  { name: 'hexists', handler: hexists },
  { name: 'hkeys', handler: hkeys },
  { name: 'hvals', handler: hvals },
  { name: 'hgetall', handler: hgetall },
  { name: 'hrandfield', handler: hrandfield },
  { name: 'hscan', handler: hscan },
];
