/**
 * BZPOPMIN, BZPOPMAX, BZMPOP (t_zset.c blockingGenericZpopCommand): a pop
 * when one of the keys holds a non-empty sorted set, otherwise the client
 * waits on the keys (dispatch/blocking.ts). Either way the effect is
 * propagated as the plain ZPOPMIN/ZPOPMAX it became, with the requested count
 * for BZMPOP, as Redis rewrites it.
 */
import type { CommandContext, CommandDef } from '../../dispatch/command-spec.js';
import { blockForKeys, canBlock, timeoutOrReply } from '../../dispatch/blocking.js';
import { isZset, writeZset } from './common.js';
import { genericZpop, parseZmpopArgs } from './pop.js';

/**
 * Pops from `keys` if one holds elements; returns false when all are
 * missing or empty, null after a WRONGTYPE reply.
 */
function popNow(ctx: CommandContext, keys: readonly string[], max: boolean, count: number, nested: boolean): boolean | null {
  for (const key of keys) {
    const z = writeZset(ctx, key);
    if (z === null) return null;
    if (z === undefined || z.length === 0) continue;
    genericZpop(ctx, [key], max, true, count, nested, nested);
    propagatePop(ctx, key, max, count);
    return true;
  }
  return false;
}

function propagatePop(ctx: CommandContext, key: string, max: boolean, count: number): void {
  const name = max ? 'ZPOPMAX' : 'ZPOPMIN';
  ctx.propagateAs(count === -1 ? [name, key] : [name, key, String(count > 0 ? count : 1)]);
}

function blockingZpop(ctx: CommandContext, keys: readonly string[], max: boolean, timeoutArg: string, count: number, nested: boolean): void {
  const timeout = timeoutOrReply(ctx, timeoutArg);
  if (timeout === null) return;
  const done = popNow(ctx, keys, max, count, nested);
  if (done !== false) return;
  if (!canBlock(ctx)) return ctx.reply.nilArray();
  blockForKeys(ctx, {
    keys,
    timeoutAt: timeout,
    serve: (c, key) => {
      const v = c.ks.lookupWrite(c.db, key);
      // A key that now holds another type, or nothing, does not serve a zset waiter.
      if (!isZset(v) || v.length === 0) return false;
      genericZpop(c, [key], max, true, count, nested, nested);
      propagatePop(c, key, max, count);
      return true;
    },
  });
}

/** BZPOPMIN|BZPOPMAX key [key ...] timeout */
function bzpop(ctx: CommandContext, max: boolean): void {
  const argv = ctx.argv;
  blockingZpop(ctx, argv.slice(1, argv.length - 1), max, argv[argv.length - 1], -1, false);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpop(ctx: CommandContext): void {
  const a = parseZmpopArgs(ctx, 2);
  if (a === null) return;
  blockingZpop(ctx, a.keys, a.max, ctx.argv[1], a.count, true);
}

export const BLOCKING_ZSET_COMMANDS: CommandDef[] = [
  { name: 'bzpopmin', handler: (ctx) => bzpop(ctx, false) },
  { name: 'bzpopmax', handler: (ctx) => bzpop(ctx, true) },
  { name: 'bzmpop', handler: bzmpop },
];
