/**
 * Sorted-set writes that add and remove by member or range: ZADD, ZINCRBY,
 * ZREM, ZREMRANGEBYRANK/SCORE/LEX (t_zset.c zaddGenericCommand, zremCommand,
 * zremrangeGenericCommand). All are propagated as typed.
 */
import type { CommandContext, CommandDef } from '../../dispatch/command-spec.js';
import { ERR } from '../../protocol/errors.js';
import {
  SortedSet, ZADD_IN_GT, ZADD_IN_INCR, ZADD_IN_LT, ZADD_IN_NX, ZADD_IN_XX, ZADD_OUT_ADDED, ZADD_OUT_NAN, ZADD_OUT_NOP, ZADD_OUT_UPDATED,
} from '../../datatypes/sorted-set.js';
import { afterRemoval, limitsOf, longOrReply, parseLexRange, parseScoreRange, scoreOrReply, writeZset, ZERR } from './common.js';

/** zaddGenericCommand */
function zaddGeneric(ctx: CommandContext, flagsIn: number): void {
  const argv = ctx.argv;
  const key = argv[1];
  let flags = flagsIn;
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const o = argv[idx].length <= 4 ? argv[idx].toLowerCase() : '';
    if (o === 'nx') flags |= ZADD_IN_NX;
    else if (o === 'xx') flags |= ZADD_IN_XX;
    else if (o === 'ch') ch = true;
    else if (o === 'incr') flags |= ZADD_IN_INCR;
    else if (o === 'gt') flags |= ZADD_IN_GT;
    else if (o === 'lt') flags |= ZADD_IN_LT;
    else break;
  }
  const incr = (flags & ZADD_IN_INCR) !== 0;
  const nx = (flags & ZADD_IN_NX) !== 0;
  const xx = (flags & ZADD_IN_XX) !== 0;
  const gt = (flags & ZADD_IN_GT) !== 0;
  const lt = (flags & ZADD_IN_LT) !== 0;
  let elements = argv.length - idx;
  if (elements % 2 !== 0 || elements === 0) return ctx.reply.error(ERR.syntax);
  elements /= 2;
  if (nx && xx) return ctx.reply.error(ZERR.xxNx);
  if ((gt && nx) || (lt && nx) || (gt && lt)) return ctx.reply.error(ZERR.gtLtNx);
  if (incr && elements > 1) return ctx.reply.error(ZERR.incrPair);
  const scores = new Array<number>(elements);
  for (let j = 0; j < elements; j++) {
    const d = scoreOrReply(ctx, argv[idx + j * 2]);
    if (d === null) return;
    scores[j] = d;
  }
  const ks = ctx.ks;
  const db = ctx.db;
  let z = writeZset(ctx, key);
  if (z === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  const limits = limitsOf(ctx);
  let created = false;
  if (z === undefined) {
    if (xx) return replyZadd(ctx, incr, ch, 0, 0, 0, 0);
    z = SortedSet.create(limits, argv[idx + 1].length);
    ks.set(db, key, z);
    created = true;
  }
  let nanError = false;
  for (let j = 0; j < elements; j++) {
    const out = z.add(scores[j], argv[idx + 1 + j * 2], flags, limits);
    if (out & ZADD_OUT_NAN) {
      // Only INCR produces NaN, on an existing member: the set is not left empty.
      nanError = true;
      break;
    }
    if (out & ZADD_OUT_ADDED) added++;
    if (out & ZADD_OUT_UPDATED) updated++;
    if (!(out & ZADD_OUT_NOP)) {
      processed++;
      score = z.newScore;
    }
  }
  if (nanError) ctx.reply.error(ZERR.nan);
  else replyZadd(ctx, incr, ch, added, updated, processed, score);
  const changes = added + updated;
  if (changes > 0) {
    const extra = created ? changes - 1 : changes;
    if (extra > 0) ks.modified(db, key, extra);
    ks.notify('zset', incr ? 'zincr' : 'zadd', key, db);
  }
}

function replyZadd(ctx: CommandContext, incr: boolean, ch: boolean, added: number, updated: number, processed: number, score: number): void {
  if (incr) {
    if (processed) ctx.reply.double(score);
    else ctx.reply.nil();
  } else {
    ctx.reply.int(ch ? added + updated : added);
  }
}

function zadd(ctx: CommandContext): void {
  zaddGeneric(ctx, 0);
}

function zincrby(ctx: CommandContext): void {
  zaddGeneric(ctx, ZADD_IN_INCR);
}

/** ZREM key member [member ...] */
function zrem(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const z = writeZset(ctx, key);
  if (z === null) return;
  if (z === undefined) return ctx.reply.int(0);
  let deleted = 0;
  for (let j = 2; j < ctx.argv.length; j++) {
    if (z.delete(ctx.argv[j])) deleted++;
    if (z.length === 0) break;
  }
  afterRemoval(ctx, key, z, deleted, 'zrem');
  ctx.reply.int(deleted);
}

type RemKind = 'rank' | 'score' | 'lex';

/** zremrangeGenericCommand */
function zremrangeGeneric(ctx: CommandContext, kind: RemKind): void {
  const argv = ctx.argv;
  const key = argv[1];
  let start = 0;
  let end = 0;
  let range = null as ReturnType<typeof parseScoreRange>;
  let lex = null as ReturnType<typeof parseLexRange>;
  if (kind === 'rank') {
    const s = longOrReply(ctx, argv[2]);
    if (s === null) return;
    const e = longOrReply(ctx, argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (kind === 'score') {
    range = parseScoreRange(argv[2], argv[3]);
    if (range === null) return ctx.reply.error(ZERR.minMaxNotFloat);
  } else {
    lex = parseLexRange(argv[2], argv[3]);
    if (lex === null) return ctx.reply.error(ZERR.minMaxNotLex);
  }
  const z = writeZset(ctx, key);
  if (z === null) return;
  if (z === undefined) return ctx.reply.int(0);
  let deleted: number;
  if (kind === 'rank') {
    const llen = z.length;
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return ctx.reply.int(0);
    if (end >= llen) end = llen - 1;
    deleted = z.deleteRangeByRank(start, end);
  } else if (kind === 'score') {
    deleted = z.deleteRangeByScore(range!);
  } else {
    deleted = z.deleteRangeByLex(lex!);
  }
  afterRemoval(ctx, key, z, deleted, kind === 'rank' ? 'zremrangebyrank' : kind === 'score' ? 'zremrangebyscore' : 'zremrangebylex');
  ctx.reply.int(deleted);
}

export const ADD_COMMANDS: CommandDef[] = [
  { name: 'zadd', handler: zadd },
  { name: 'zincrby', handler: zincrby },
  { name: 'zrem', handler: zrem },
  { name: 'zremrangebyrank', handler: (ctx) => zremrangeGeneric(ctx, 'rank') },
  { name: 'zremrangebyscore', handler: (ctx) => zremrangeGeneric(ctx, 'score') },
  { name: 'zremrangebylex', handler: (ctx) => zremrangeGeneric(ctx, 'lex') },
];
