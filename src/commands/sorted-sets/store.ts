/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD
 * (t_zset.c zunionInterDiffGenericCommand). Inputs may be sorted sets or
 * plain sets (every member scoring 1). Results are ordered by (score, member).
 */
import type { CommandContext, CommandDef } from '../../dispatch/command-spec.js';
import { ERR } from '../../protocol/errors.js';
import type { TypedValue, Value } from '../../keyspace/value.js';
import { isString } from '../../keyspace/value.js';
import { SortedSet } from '../../datatypes/sorted-set.js';
import { SORT_TYPES } from '../sort.js';
import { eqi } from '../helpers.js';
import { LONG_MAX, limitsOf, longOrReply, rangeLongOrReply, replyArrayFor, replyElement, scoreOrReply, storeResult, ZERR } from './common.js';

type Op = 'union' | 'inter' | 'diff';
type Aggregate = 'sum' | 'min' | 'max';

/** zsetopsrc: one input, its weight, and a member → score view. */
class Source {
  weight = 1;
  private setMembers: Map<string, number> | null = null;
  constructor(readonly subject: SortedSet | TypedValue | null) {}

  get length(): number {
    const s = this.subject;
    if (s === null) return 0;
    if (s instanceof SortedSet) return s.length;
    return this.setMap().size;
  }

  private setMap(): Map<string, number> {
    if (this.setMembers === null) {
      const f = SORT_TYPES.elements.get('set');
      const m = new Map<string, number>();
      if (f !== undefined && this.subject !== null) for (const e of f(this.subject)) m.set(e, 1);
      this.setMembers = m;
    }
    return this.setMembers;
  }

  /** zuiNext order: a sorted set from its tail, as 7.0 iterates it. */
  each(fn: (member: string, score: number) => boolean | void): void {
    const s = this.subject;
    if (s === null) return;
    if (s instanceof SortedSet) {
      for (let n = s.zsl.tail; n !== null; n = n.backward) if (fn(n.member, n.score) === false) return;
    } else {
      for (const m of this.setMap().keys()) if (fn(m, 1) === false) return;
    }
  }

  /** zuiFind */
  find(member: string): number | undefined {
    const s = this.subject;
    if (s === null) return undefined;
    if (s instanceof SortedSet) return s.score(member);
    return this.setMap().get(member);
  }
}

/** zunionInterAggregate */
function aggregate(target: number, val: number, agg: Aggregate): number {
  if (agg === 'sum') {
    const t = target + val;
    return Number.isNaN(t) ? 0 : t; // inf + -inf is 0, as in Redis
  }
  if (agg === 'min') return val < target ? val : target;
  return val > target ? val : target;
}

function sourceValue(v: Value | undefined): SortedSet | TypedValue | null | false {
  if (v === undefined) return null;
  if (isString(v)) return false;
  if (v instanceof SortedSet) return v;
  if (v.kind === 'set' && SORT_TYPES.elements.has('set')) return v;
  return false;
}

function zsetOpGeneric(ctx: CommandContext, dest: string | null, numkeysIndex: number, op: Op, cardinalityOnly: boolean): void {
  const argv = ctx.argv;
  const setnum = longOrReply(ctx, argv[numkeysIndex]);
  if (setnum === null) return;
  if (setnum < 1) return ctx.reply.error(ZERR.atLeastOneKey(ctx.client.cmd!.fullname));
  if (setnum > argv.length - (numkeysIndex + 1)) return ctx.reply.error(ERR.syntax);
  const src: Source[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = dest !== null ? ctx.ks.lookupWrite(ctx.db, argv[j]) : ctx.ks.lookupRead(ctx.db, argv[j]);
    const s = sourceValue(v);
    if (s === false) return ctx.reply.error(ERR.wrongType);
    src.push(new Source(s));
  }
  let agg: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  let remaining = argv.length - j;
  while (remaining > 0) {
    const a = argv[j];
    if (op !== 'diff' && !cardinalityOnly && remaining >= setnum + 1 && eqi(a, 'weights')) {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const w = scoreOrReply(ctx, argv[j], ZERR.weight);
        if (w === null) return;
        src[i].weight = w;
      }
    } else if (op !== 'diff' && !cardinalityOnly && remaining >= 2 && eqi(a, 'aggregate')) {
      j++;
      remaining--;
      const v = argv[j].toLowerCase();
      if (v === 'sum' || v === 'min' || v === 'max') agg = v;
      else return ctx.reply.error(ERR.syntax);
      j++;
      remaining--;
    } else if (remaining >= 1 && dest === null && !cardinalityOnly && eqi(a, 'withscores')) {
      j++;
      remaining--;
      withScores = true;
    } else if (cardinalityOnly && remaining >= 2 && eqi(a, 'limit')) {
      j++;
      remaining--;
      const l = rangeLongOrReply(ctx, argv[j], 0n, LONG_MAX, ZERR.limitNegative);
      if (l === null) return;
      limit = l;
      j++;
      remaining--;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  // qsort by cardinality (glibc's merge sort: stable).
  if (op !== 'diff') src.sort((a, b) => a.length - b.length);

  const dst = new SortedSet(false);
  let maxLen = 0;
  const insert = (member: string, score: number) => {
    dst.insertUnchecked(score, member);
    if (member.length > maxLen) maxLen = member.length;
  };
  let cardinality = 0;

  if (op === 'inter') {
    const s0 = src[0];
    if (s0.length > 0) {
      s0.each((member, zscore) => {
        let score = s0.weight * zscore;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < setnum; k++) {
          const sk = src[k];
          if (sk.subject === s0.subject) {
            score = aggregate(score, zscore * sk.weight, agg);
          } else {
            const v = sk.find(member);
            if (v === undefined) break;
            score = aggregate(score, v * sk.weight, agg);
          }
        }
        if (k === setnum) {
          if (cardinalityOnly) {
            cardinality++;
            if (limit && cardinality >= limit) return false;
          } else {
            insert(member, score);
          }
        }
        return true;
      });
    }
  } else if (op === 'union') {
    const acc = new Map<string, number>();
    for (const s of src) {
      if (s.length === 0) continue;
      s.each((member, zscore) => {
        let score = s.weight * zscore;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(member);
        acc.set(member, cur === undefined ? score : aggregate(cur, score, agg));
      });
    }
    for (const [m, score] of acc) insert(m, score);
  } else {
    const s0 = src[0];
    if (s0.length > 0) {
      let sameKey = false;
      for (let k = 1; k < setnum; k++) if (src[k].subject === s0.subject) sameKey = true;
      if (!sameKey) {
        s0.each((member, zscore) => {
          for (let k = 1; k < setnum; k++) if (src[k].find(member) !== undefined) return;
          insert(member, zscore);
        });
      }
    }
  }

  if (dest !== null) {
    if (dst.length > 0) dst.convertToListpackIfNeeded(limitsOf(ctx), maxLen);
    storeResult(ctx, dest, dst, op === 'union' ? 'zunionstore' : op === 'inter' ? 'zinterstore' : 'zdiffstore');
  } else if (cardinalityOnly) {
    ctx.reply.int(cardinality);
  } else {
    replyArrayFor(ctx, dst.length, withScores);
    for (let n = dst.zsl.first; n !== null; n = n.next[0]) replyElement(ctx, n.member, n.score, withScores);
  }
}

export const STORE_COMMANDS: CommandDef[] = [
  { name: 'zunionstore', handler: (ctx) => zsetOpGeneric(ctx, ctx.argv[1], 2, 'union', false) },
  { name: 'zinterstore', handler: (ctx) => zsetOpGeneric(ctx, ctx.argv[1], 2, 'inter', false) },
  { name: 'zdiffstore', handler: (ctx) => zsetOpGeneric(ctx, ctx.argv[1], 2, 'diff', false) },
  { name: 'zunion', handler: (ctx) => zsetOpGeneric(ctx, null, 1, 'union', false) },
  { name: 'zinter', handler: (ctx) => zsetOpGeneric(ctx, null, 1, 'inter', false) },
  { name: 'zintercard', handler: (ctx) => zsetOpGeneric(ctx, null, 1, 'inter', true) },
  { name: 'zdiff', handler: (ctx) => zsetOpGeneric(ctx, null, 1, 'diff', false) },
];
