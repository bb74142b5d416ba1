/**
 * ZRANDMEMBER (t_zset.c zrandmemberWithCountCommand's four cases) and ZSCAN
 * (db.c scanGenericCommand for a sorted set).
 */
import type { CommandContext, CommandDef } from '../../dispatch/command-spec.js';
import { ERR } from '../../protocol/errors.js';
import { formatG17, parseInt64 } from '../../util/numbers.js';
import { globMatch } from '../../util/glob.js';
import { listpackKeepsAsInteger, type SortedSet, type ZNode } from '../../datatypes/sorted-set.js';
import { eqi, parseScanCursor } from '../helpers.js';
import { LONG_MAX, rangeLongOrReply, readZset, replyArrayFor, replyElement, ZERR } from './common.js';

const SUB_STRATEGY_MUL = 3;

/** zrandmemberWithCountCommand */
function zrandmemberWithCount(ctx: CommandContext, l: number, withScores: boolean): void {
  const z = readZset(ctx, ctx.argv[1]);
  if (z === null) return;
  if (z === undefined) return ctx.reply.array(0);
  const size = z.length;
  const uniq = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return ctx.reply.array(0);

  // Case 1: repetitions allowed (negative count), or a single element.
  if (!uniq || count === 1) {
    replyArrayFor(ctx, count, withScores);
    for (let i = 0; i < count; i++) {
      const n = z.randomNode();
      replyElement(ctx, n.member, n.score, withScores);
    }
    return;
  }
  const replySize = count < size ? count : size;
  replyArrayFor(ctx, replySize, withScores);
  // Case 2: the whole set, in iteration order (from the tail).
  if (count >= size) {
    for (let n = z.zsl.tail; n !== null; n = n.backward) replyElement(ctx, n.member, n.score, withScores);
    return;
  }
  // Case 3: count close to size: copy all, remove random elements down to count.
  if (count * SUB_STRATEGY_MUL > size) {
    const all: ZNode[] = [];
    for (let n = z.zsl.tail; n !== null; n = n.backward) all.push(n);
    let left = size;
    while (left > count) {
      const i = Math.floor(Math.random() * left);
      all[i] = all[left - 1];
      left--;
    }
    for (let i = 0; i < count; i++) replyElement(ctx, all[i].member, all[i].score, withScores);
    return;
  }
  // Case 4: count small against size: distinct random picks.
  const picked = new Set<string>();
  while (picked.size < count) {
    const n = z.randomNode();
    if (picked.has(n.member)) continue;
    picked.add(n.member);
    replyElement(ctx, n.member, n.score, withScores);
  }
}

/** ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmember(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length >= 3) {
    const l = rangeLongOrReply(ctx, argv[2], -LONG_MAX, LONG_MAX, null);
    if (l === null) return;
    let withScores = false;
    if (argv.length > 4 || (argv.length === 4 && !eqi(argv[3], 'withscores'))) return ctx.reply.error(ERR.syntax);
    if (argv.length === 4) {
      withScores = true;
      const b = BigInt(parseInt64(argv[2])!);
      if (b < -4611686018427387904n || b > 4611686018427387903n) return ctx.reply.error(ZERR.outOfRange);
    }
    return zrandmemberWithCount(ctx, l, withScores);
  }
  const z = readZset(ctx, argv[1]);
  if (z === null) return;
  if (z === undefined) return ctx.reply.nil();
  ctx.reply.bulk(z.randomNode().member);
}

/** A score as ZSCAN prints it: as the listpack stores it, or ld2string("%.17Lg"). */
function scanScore(z: SortedSet, score: number): string {
  if (z.listpack && listpackKeepsAsInteger(score)) return BigInt(score).toString();
  return formatG17(score);
}

/** ZSCAN key cursor [MATCH pattern] [COUNT count] */
function zscan(ctx: CommandContext): void {
  const argv = ctx.argv;
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) return ctx.reply.error(ZERR.invalidCursor);
  const z = readZset(ctx, argv[1]);
  if (z === null) return;
  const r = ctx.reply;
  if (z === undefined) {
    r.array(2);
    r.bulk('0');
    r.array(0);
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; ) {
    const left = argv.length - i;
    if (eqi(argv[i], 'count') && left >= 2) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return r.error(ERR.notInteger);
      if (n < 1) return r.error(ERR.syntax);
      count = Number(n);
      i += 2;
    } else if (eqi(argv[i], 'match') && left >= 2) {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
      i += 2;
    } else {
      return r.error(ERR.syntax);
    }
  }
  let nodes: ZNode[];
  let next = 0;
  if (z.listpack) {
    nodes = Array.from(z.entries());
  } else {
    const at = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
    const step = z.scan(at, count);
    nodes = step.nodes;
    next = step.next;
  }
  if (pattern !== null) nodes = nodes.filter((n) => globMatch(pattern!, n.member));
  r.array(2);
  r.bulk(String(next));
  r.array(nodes.length * 2);
  for (const n of nodes) {
    r.bulk(n.member);
    r.bulk(scanScore(z, n.score));
  }
}

export const RANDOM_COMMANDS: CommandDef[] = [
  { name: 'zrandmember', handler: zrandmember },
  { name: 'zscan', handler: zscan },
];
