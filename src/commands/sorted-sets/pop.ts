/**
 * ZPOPMIN, ZPOPMAX and ZMPOP (t_zset.c genericZpopCommand), and the
 * non-blocking pop the blocking forms (BZPOPMIN/BZPOPMAX/BZMPOP) build on.
 */
import type { CommandContext, CommandDef } from '../../dispatch/command-spec.js';
import { ERR } from '../../protocol/errors.js';
import { eqi } from '../helpers.js';
import { LONG_MAX, rangeLongOrReply, writeZset, ZERR } from './common.js';

export interface ZpopDone {
  /** The key popped from. */
  key: string;
  /** How many elements were popped. */
  count: number;
  /** True when the set became empty and the key was deleted. */
  deleted: boolean;
}

/**
 * genericZpopCommand. Pops from the first of `keys` that exists (a key of
 * another type answers WRONGTYPE), replies, counts the change and notifies
 * zpopmin/zpopmax (and del when emptied). `count` -1 means one element in
 * the single-pop reply shape. Reply shapes, as in Redis:
 *   emitKey false, nested false: [m, s, m, s...]   (ZPOPMIN, RESP2 or no count)
 *   emitKey false, nested true:  [[m, s], ...]     (ZPOPMIN with count, RESP3)
 *   emitKey true,  nested false: [key, m, s, ...]  (BZPOPMIN/BZPOPMAX)
 *   emitKey true,  nested true:  [key, [[m, s]...]] (ZMPOP, BZMPOP)
 * Nothing to pop: an empty array, or a null array when nilWhenEmpty.
 * Propagation is the caller's: ZPOPMIN/ZPOPMAX as typed; ZMPOP/BZMPOP as
 * ZPOPMIN|ZPOPMAX key <count popped>; BZPOPMIN/BZPOPMAX as ZPOPMIN|ZPOPMAX key.
 * Returns what was popped, or null if nothing was (including after an error).
 */
export function genericZpop(
  ctx: CommandContext, keys: readonly string[], max: boolean, emitKey: boolean, count: number, nested: boolean, nilWhenEmpty: boolean,
): ZpopDone | null {
  let key = '';
  let z = undefined as ReturnType<typeof writeZset>;
  for (const k of keys) {
    z = writeZset(ctx, k);
    if (z === null) return null;
    if (z !== undefined) {
      key = k;
      break;
    }
  }
  const r = ctx.reply;
  if (z === undefined || z === null) {
    if (nilWhenEmpty) r.nilArray();
    else r.array(0);
    return null;
  }
  if (count === 0) {
    r.array(0);
    return null;
  }
  if (count === -1) count = 1;
  const llen = z.length;
  const n = count > llen ? llen : count;
  if (!nested && !emitKey) r.array(n * 2);
  else if (nested && !emitKey) r.array(n);
  else if (!nested && emitKey) {
    r.array(n * 2 + 1);
    r.bulk(key);
  } else {
    r.array(2);
    r.bulk(key);
    r.array(n);
  }
  const ks = ctx.ks;
  for (let i = 0; i < n; i++) {
    const node = z.pop(max)!;
    if (i === 0) ks.notify('zset', max ? 'zpopmax' : 'zpopmin', key, ctx.db);
    if (nested) r.array(2);
    r.bulk(node.member);
    r.double(node.score);
  }
  const deleted = z.length === 0;
  if (deleted) {
    if (n > 1) ks.modified(ctx.db, key, n - 1);
    ks.delete(ctx.db, key);
    ks.notify('generic', 'del', key, ctx.db);
  } else {
    ks.modified(ctx.db, key, n);
  }
  return { key, count: n, deleted };
}

/** ZPOPMIN|ZPOPMAX key [count] */
function zpopMinMax(ctx: CommandContext, max: boolean): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(ERR.syntax);
  let count = -1;
  if (argv.length === 3) {
    const c = rangeLongOrReply(ctx, argv[2], 0n, LONG_MAX, ZERR.positive);
    if (c === null) return;
    count = c;
  }
  const nested = ctx.reply.resp > 2 && count !== -1;
  genericZpop(ctx, [argv[1]], max, false, count, nested, false);
}

/**
 * The arguments of ZMPOP/BZMPOP from numkeys on: null after replying an error.
 * Exported for BZMPOP (numkeysIndex 2).
 */
export function parseZmpopArgs(ctx: CommandContext, numkeysIndex: number): { keys: string[]; max: boolean; count: number } | null {
  const argv = ctx.argv;
  const numkeys = rangeLongOrReply(ctx, argv[numkeysIndex], 1n, LONG_MAX, ZERR.numkeys);
  if (numkeys === null) return null;
  const whereIdx = numkeysIndex + numkeys + 1;
  if (whereIdx >= argv.length) {
    ctx.reply.error(ERR.syntax);
    return null;
  }
  let max: boolean;
  if (eqi(argv[whereIdx], 'min')) max = false;
  else if (eqi(argv[whereIdx], 'max')) max = true;
  else {
    ctx.reply.error(ERR.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && eqi(argv[j], 'count') && more > 0) {
      j++;
      const c = rangeLongOrReply(ctx, argv[j], 1n, LONG_MAX, ZERR.count);
      if (c === null) return null;
      count = c;
    } else {
      ctx.reply.error(ERR.syntax);
      return null;
    }
  }
  if (count === -1) count = 1;
  return { keys: argv.slice(numkeysIndex + 1, numkeysIndex + 1 + numkeys), max, count };
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: propagated as ZPOPMIN|ZPOPMAX key count. */
function zmpop(ctx: CommandContext): void {
  const a = parseZmpopArgs(ctx, 1);
  if (a === null) return;
  const done = genericZpop(ctx, a.keys, a.max, true, a.count, true, true);
  if (done !== null) ctx.propagateAs([a.max ? 'ZPOPMAX' : 'ZPOPMIN', done.key, String(done.count)]);
}

export const POP_COMMANDS: CommandDef[] = [
  { name: 'zpopmin', handler: (ctx) => zpopMinMax(ctx, false) },
  { name: 'zpopmax', handler: (ctx) => zpopMinMax(ctx, true) },
  { name: 'zmpop', handler: zmpop },
];
