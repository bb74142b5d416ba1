/**
 * Sorted-set reads by position, score and lex range, and ZRANGESTORE
 * (t_zset.c zrangeGenericCommand and its result handlers), plus the point
 * reads ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT.
 */
import type { CommandContext, CommandDef } from '../../dispatch/command-spec.js';
import { ERR } from '../../protocol/errors.js';
import { SortedSet, lexGteMin, lexLteMax, valueGteMin, valueLteMax, type LexRange, type ScoreRange } from '../../datatypes/sorted-set.js';
import { eqi } from '../helpers.js';
import { limitsOf, longOrReply, parseLexRange, parseScoreRange, readZset, replyArrayFor, replyElement, storeResult, ZERR } from './common.js';

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/** Where a range's elements go: the client, or a destination set (ZRANGESTORE). */
interface RangeSink {
  /** The element count when known up front, else -1. */
  begin(length: number): void;
  emit(member: string, score: number): void;
  finalize(count: number): void;
}

class ClientSink implements RangeSink {
  private readonly items: Array<[string, number]> = [];
  constructor(private readonly ctx: CommandContext, private readonly withScores: boolean) {}
  begin(): void {}
  emit(member: string, score: number): void {
    this.items.push([member, score]);
  }
  finalize(): void {
    const ctx = this.ctx;
    replyArrayFor(ctx, this.items.length, this.withScores);
    for (const [m, s] of this.items) replyElement(ctx, m, s, this.withScores);
  }
}

class StoreSink implements RangeSink {
  private dst: SortedSet | null = null;
  constructor(private readonly ctx: CommandContext, private readonly dest: string) {}
  begin(length: number): void {
    // zrangeResultBeginStore: a listpack unless the count is known to exceed the limit.
    this.dst = new SortedSet(!(length > limitsOf(this.ctx).entries));
  }
  emit(member: string, score: number): void {
    this.dst!.add(score, member, 0, limitsOf(this.ctx));
  }
  finalize(): void {
    storeResult(this.ctx, this.dest, this.dst ?? new SortedSet(), 'zrangestore');
  }
}

/** genericZrangebyrankCommand */
function rangeByRank(sink: RangeSink, z: SortedSet, start: number, end: number, reverse: boolean): void {
  const llen = z.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    sink.begin(0);
    sink.finalize(0);
    return;
  }
  if (end >= llen) end = llen - 1;
  let n = end - start + 1;
  const count = n;
  sink.begin(n);
  let ln = z.nodeAt(start, reverse);
  while (n-- > 0 && ln !== null) {
    sink.emit(ln.member, ln.score);
    ln = reverse ? ln.backward : ln.next[0];
  }
  sink.finalize(count);
}

/** genericZrangebyscoreCommand: offset/limit as C longs with post-decrement loops. */
function rangeByScore(sink: RangeSink, r: ScoreRange, z: SortedSet, offset: number, limit: number, reverse: boolean): void {
  sink.begin(-1);
  if (offset > 0 && offset >= z.length) {
    sink.finalize(0);
    return;
  }
  let ln = reverse ? z.lastInRange(r) : z.firstInRange(r);
  // A negative offset never reaches 0: the walk runs off the end.
  while (ln !== null && offset-- !== 0) ln = reverse ? ln.backward : ln.next[0];
  let count = 0;
  while (ln !== null && limit-- !== 0) {
    if (reverse ? !valueGteMin(ln.score, r) : !valueLteMax(ln.score, r)) break;
    count++;
    sink.emit(ln.member, ln.score);
    ln = reverse ? ln.backward : ln.next[0];
  }
  sink.finalize(count);
}

/** genericZrangebylexCommand */
function rangeByLex(sink: RangeSink, r: LexRange, z: SortedSet, offset: number, limit: number, reverse: boolean): void {
  sink.begin(-1);
  let ln = reverse ? z.lastInLexRange(r) : z.firstInLexRange(r);
  while (ln !== null && offset-- !== 0) ln = reverse ? ln.backward : ln.next[0];
  let count = 0;
  while (ln !== null && limit-- !== 0) {
    if (reverse ? !lexGteMin(ln.member, r) : !lexLteMax(ln.member, r)) break;
    count++;
    sink.emit(ln.member, ln.score);
    ln = reverse ? ln.backward : ln.next[0];
  }
  sink.finalize(count);
}

/** zrangeGenericCommand */
function zrangeGeneric(ctx: CommandContext, argStart: number, dest: string | null, rangeType: RangeType, direction: Direction): void {
  const argv = ctx.argv;
  const key = argv[argStart];
  let minIdx = argStart + 1;
  let maxIdx = argStart + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (dest === null && eqi(a, 'withscores')) withScores = true;
    else if (eqi(a, 'limit') && left >= 2) {
      const o = longOrReply(ctx, argv[j + 1]);
      if (o === null) return;
      const l = longOrReply(ctx, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (direction === 'auto' && eqi(a, 'rev')) direction = 'reverse';
    else if (rangeType === 'auto' && eqi(a, 'bylex')) rangeType = 'lex';
    else if (rangeType === 'auto' && eqi(a, 'byscore')) rangeType = 'score';
    else return ctx.reply.error(ERR.syntax);
  }
  if (direction === 'auto') direction = 'forward';
  if (rangeType === 'auto') rangeType = 'rank';
  if (limit !== -1 && rangeType === 'rank') return ctx.reply.error(ZERR.limitRank);
  if (withScores && rangeType === 'lex') return ctx.reply.error(ZERR.withscoresLex);
  const reverse = direction === 'reverse';
  if (reverse && rangeType !== 'rank') {
    const t = maxIdx;
    maxIdx = minIdx;
    minIdx = t;
  }
  let start = 0;
  let end = 0;
  let range: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (rangeType === 'rank') {
    const s = longOrReply(ctx, argv[minIdx]);
    if (s === null) return;
    const e = longOrReply(ctx, argv[maxIdx]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (rangeType === 'score') {
    range = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (range === null) return ctx.reply.error(ZERR.minMaxNotFloat);
  } else {
    lex = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lex === null) return ctx.reply.error(ZERR.minMaxNotLex);
  }
  const sink: RangeSink = dest === null ? new ClientSink(ctx, withScores) : new StoreSink(ctx, dest);
  const z = readZset(ctx, key);
  if (z === null) return;
  if (z === undefined) {
    if (dest !== null) {
      sink.begin(-1);
      sink.finalize(0);
    } else ctx.reply.array(0);
    return;
  }
  if (rangeType === 'rank') rangeByRank(sink, z, start, end, reverse);
  else if (rangeType === 'score') rangeByScore(sink, range!, z, offset, limit, reverse);
  else rangeByLex(sink, lex!, z, offset, limit, reverse);
}

/** ZCOUNT key min max */
function zcount(ctx: CommandContext): void {
  const r = parseScoreRange(ctx.argv[2], ctx.argv[3]);
  if (r === null) return ctx.reply.error(ZERR.minMaxNotFloat);
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  ctx.reply.int(z === undefined ? 0 : z.countInRange(r));
}

/** ZLEXCOUNT key min max */
function zlexcount(ctx: CommandContext): void {
  const r = parseLexRange(ctx.argv[2], ctx.argv[3]);
  if (r === null) return ctx.reply.error(ZERR.minMaxNotLex);
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  ctx.reply.int(z === undefined ? 0 : z.countInLexRange(r));
}

/** ZCARD key */
function zcard(ctx: CommandContext): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  ctx.reply.int(z === undefined ? 0 : z.length);
}

/** ZSCORE key member */
function zscore(ctx: CommandContext): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  const s = z === undefined ? undefined : z.score(ctx.argv[2]);
  if (s === undefined) ctx.reply.nil();
  else ctx.reply.double(s);
}

/** ZMSCORE key member [member ...] */
function zmscore(ctx: CommandContext): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  const argv = ctx.argv;
  ctx.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]);
    if (s === undefined) ctx.reply.nil();
    else ctx.reply.double(s);
  }
}

function zrankGeneric(ctx: CommandContext, reverse: boolean): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  if (z === undefined) return ctx.reply.nil();
  const r = z.rank(ctx.argv[2], reverse);
  if (r >= 0) ctx.reply.int(r);
  else ctx.reply.nil();
}

export const RANGE_COMMANDS: CommandDef[] = [
  { name: 'zrange', handler: (ctx) => zrangeGeneric(ctx, 1, null, 'auto', 'auto') },
  { name: 'zrangestore', handler: (ctx) => zrangeGeneric(ctx, 2, ctx.argv[1], 'auto', 'auto') },
  { name: 'zrevrange', handler: (ctx) => zrangeGeneric(ctx, 1, null, 'rank', 'reverse') },
  { name: 'zrangebyscore', handler: (ctx) => zrangeGeneric(ctx, 1, null, 'score', 'forward') },
  { name: 'zrevrangebyscore', handler: (ctx) => zrangeGeneric(ctx, 1, null, 'score', 'reverse') },
  { name: 'zrangebylex', handler: (ctx) => zrangeGeneric(ctx, 1, null, 'lex', 'forward') },
  { name: 'zrevrangebylex', handler: (ctx) => zrangeGeneric(ctx, 1, null, 'lex', 'reverse') },
  { name: 'zcount', handler: zcount },
  { name: 'zlexcount', handler: zlexcount },
  { name: 'zcard', handler: zcard },
  { name: 'zscore', handler: zscore },
  { name: 'zmscore', handler: zmscore },
  { name: 'zrank', handler: (ctx) => zrankGeneric(ctx, false) },
  { name: 'zrevrank', handler: (ctx) => zrankGeneric(ctx, true) },
];
