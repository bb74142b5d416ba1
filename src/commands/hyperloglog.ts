/**
 * HyperLogLog commands (hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG,
 * PFSELFTEST. An HLL is a plain string value in Redis's exact byte layout
 * (datatypes/hyperloglog.ts), so GET, DUMP and the RDB see what Redis stores.
 *
 * Where Redis unshares the value (dbUnshareStringValue: PFADD, single-key
 * PFCOUNT, the PFMERGE target, PFDEBUG) a plain string value becomes a Bytes
 * to be edited in place; the swap itself changes no content and is no write
 * (no dirty, no WATCH invalidation), only its "raw" encoding shows, as in Redis.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { Bytes } from '../datatypes/bytes.js';
import { isString, type StringValue } from '../keyspace/value.js';
import {
  HLL_DENSE, HLL_INVALID_ERR, HLL_REGISTERS, HLL_SPARSE, HLL_WRONGTYPE_ERR, cacheValid, createHll, decodeSparse,
  denseRegisters, hllAdd, hllCount, hllCountRaw, hllMerge, invalidateCache, isValidHll, readCache, selfTest, sparseSet,
  sparseToDense, writeCache, denseSetRaw, denseGet, HLL_HDR_SIZE,
} from '../datatypes/hyperloglog.js';

function bytesOf(v: StringValue): { buf: Uint8Array; len: number } {
  if (typeof v === 'string') return { buf: Buffer.from(v, 'latin1'), len: v.length };
  return { buf: v.buf, len: v.length };
}

/**
 * The key's value checked as isHLLObjectOrReply does; undefined when missing,
 * null after replying an error.
 */
function checkHll(ctx: CommandContext, v: ReturnType<CommandContext['ks']['lookupRead']>): StringValue | undefined | null {
  if (v === undefined) return undefined;
  if (!isString(v)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  const { buf, len } = bytesOf(v);
  if (!isValidHll(buf, len)) {
    ctx.reply.error(HLL_WRONGTYPE_ERR);
    return null;
  }
  return v;
}

/** dbUnshareStringValue: the value as an editable Bytes installed as the key's value. */
function unshare(ctx: CommandContext, key: string, v: StringValue): Bytes {
  if (v instanceof Bytes) return v;
  const b = new Bytes(v, v.length + 1);
  const e = ctx.ks.peekEntry(ctx.db, key);
  if (e !== undefined) e.value = b;
  return b;
}

function sparseMax(ctx: CommandContext): number {
  return ctx.server.config.num('hll-sparse-max-bytes');
}

/** PFADD key [element ...] */
function pfadd(ctx: CommandContext): void {
  const argv = ctx.argv;
  const key = argv[1];
  const found = checkHll(ctx, ctx.ks.lookupWrite(ctx.db, key));
  if (found === null) return;
  let updated = 0;
  let o: Bytes;
  const created = found === undefined;
  if (created) {
    o = createHll();
    ctx.ks.set(ctx.db, key, o);
    updated++;
  } else {
    o = unshare(ctx, key, found);
  }
  const maxBytes = sparseMax(ctx);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(o, argv[j], maxBytes);
    if (r === 1) updated++;
    else if (r === -1) return ctx.reply.error(HLL_INVALID_ERR);
  }
  if (updated) {
    // A new key was counted once by set(); Redis counts it in `updated`.
    const extra = created ? updated - 1 : updated;
    if (extra > 0) ctx.ks.modified(ctx.db, key, extra);
    ctx.ks.notify('string', 'pfadd', key, ctx.db);
    invalidateCache(o.buf);
  }
  ctx.reply.int(updated ? 1 : 0);
}

/** PFCOUNT key [key ...] */
function pfcount(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = checkHll(ctx, ctx.ks.lookupRead(ctx.db, argv[j]));
      if (v === null) return;
      if (v === undefined) continue;
      const { buf, len } = bytesOf(v);
      if (!hllMerge(max, buf, len)) return ctx.reply.error(HLL_INVALID_ERR);
    }
    return ctx.reply.int(hllCountRaw(max));
  }
  const key = argv[1];
  const v = checkHll(ctx, ctx.ks.lookupRead(ctx.db, key));
  if (v === null) return;
  if (v === undefined) return ctx.reply.int(0);
  ctx.ks.editInPlace(ctx.db, key); // the cached cardinality may be rewritten below
  const o = unshare(ctx, key, v);
  if (cacheValid(o.buf)) return ctx.reply.int(readCache(o.buf));
  const card = hllCount(o.buf, o.length);
  if (card === null) return ctx.reply.error(HLL_INVALID_ERR);
  writeCache(o.buf, card);
  // Redis counts the cache update as a change (it propagates in 7.0).
  ctx.ks.modified(ctx.db, key);
  ctx.reply.int(card);
}

/** PFMERGE destkey [sourcekey ...] */
function pfmerge(ctx: CommandContext): void {
  const argv = ctx.argv;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = checkHll(ctx, ctx.ks.lookupRead(ctx.db, argv[j]));
    if (v === null) return;
    if (v === undefined) continue;
    const { buf, len } = bytesOf(v);
    if (buf[4] === HLL_DENSE) useDense = true;
    if (!hllMerge(max, buf, len)) return ctx.reply.error(HLL_INVALID_ERR);
  }
  const key = argv[1];
  const found = ctx.ks.lookupWrite(ctx.db, key) as StringValue | undefined;
  let o: Bytes;
  const created = found === undefined;
  if (created) {
    o = createHll();
    ctx.ks.set(ctx.db, key, o);
  } else {
    o = unshare(ctx, key, found);
  }
  if (useDense && !sparseToDense(o)) return ctx.reply.error(HLL_INVALID_ERR);
  const maxBytes = sparseMax(ctx);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const m = max[j];
    if (m === 0) continue;
    if (o.buf[4] === HLL_DENSE) {
      if (m > denseGet(o.buf, HLL_HDR_SIZE, j)) denseSetRaw(o.buf, HLL_HDR_SIZE, j, m);
    } else if (o.buf[4] === HLL_SPARSE) {
      sparseSet(o, j, m, maxBytes);
    }
  }
  invalidateCache(o.buf);
  if (!created) ctx.ks.modified(ctx.db, key);
  ctx.ks.notify('string', 'pfadd', key, ctx.db);
  ctx.reply.ok();
}

/** PFDEBUG <GETREG|DECODE|ENCODING|TODENSE> key */
function pfdebug(ctx: CommandContext): void {
  const argv = ctx.argv;
  const sub = argv[1];
  const key = argv[2];
  const found = ctx.ks.lookupWrite(ctx.db, key);
  if (found === undefined) return ctx.reply.error('ERR The specified key does not exist');
  const v = checkHll(ctx, found);
  if (v === null || v === undefined) return;
  const o = unshare(ctx, key, v);
  const s = sub.toLowerCase();
  if (s === 'getreg') {
    if (o.buf[4] === HLL_SPARSE) {
      if (!sparseToDense(o)) return ctx.reply.error(HLL_INVALID_ERR);
      ctx.ks.dirty++; // Force propagation on encoding change (no key signal, as in Redis).
    }
    const regs = denseRegisters(o.buf);
    ctx.reply.array(regs.length);
    for (const r of regs) ctx.reply.int(r);
  } else if (s === 'decode') {
    if (o.buf[4] !== HLL_SPARSE) return ctx.reply.error('ERR HLL encoding is not sparse');
    ctx.reply.bulk(decodeSparse(o));
  } else if (s === 'encoding') {
    ctx.reply.simple(o.buf[4] === HLL_DENSE ? 'dense' : 'sparse');
  } else if (s === 'todense') {
    let conv = 0;
    if (o.buf[4] === HLL_SPARSE) {
      if (!sparseToDense(o)) return ctx.reply.error(HLL_INVALID_ERR);
      conv = 1;
      ctx.ks.dirty++;
    }
    ctx.reply.int(conv);
  } else {
    ctx.reply.error(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
}

/** PFSELFTEST */
function pfselftest(ctx: CommandContext): void {
  const err = selfTest(sparseMax(ctx));
  if (err === null) ctx.reply.ok();
  else ctx.reply.error(err);
}

export const HLL_COMMANDS: CommandDef[] = [
  { name: 'pfadd', handler: pfadd },
  { name: 'pfcount', handler: pfcount },
  { name: 'pfmerge', handler: pfmerge },
  { name: 'pfdebug', handler: pfdebug },
  { name: 'pfselftest', handler: pfselftest },
];
