/**
 * List commands (t_list.c) and the blocking pops built on them (BLPOP, BRPOP,
 * BLMOVE, BRPOPLPUSH, BLMPOP) through dispatch/blocking.ts.
 *
 * Every write goes through ctx.ks: a new list is ks.set, an in-place edit
 * ks.modified, a list left empty is ks.delete'd (Redis never keeps an empty
 * list). Keyspace events carry Redis's names with class 'list'. A blocking
 * command that is served is propagated as the plain command it became, as
 * Redis 7.0 rewrites its argv (BLPOP → LPOP key, BLMOVE → LMOVE ..., BLMPOP →
 * LPOP key count).
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import type { TypedValue, Value } from '../keyspace/value.js';
import { List } from '../datatypes/list.js';
import { blockForKeys, canBlock, timeoutOrReply } from '../dispatch/blocking.js';
import { mixDigest, type Digest } from '../observe/digest.js';
import { jemallocSize, lpIntEntrySize, lpStringEntrySize } from '../observe/alloc-size.js';
import { eqi } from './helpers.js';

const HEAD = 0;
const TAIL = 1;
type Where = typeof HEAD | typeof TAIL;

const LLONG_MIN = -9223372036854775808n;

// ---- helpers ------------------------------------------------------------------

function isList(v: Value): v is List {
  return v instanceof List;
}

/** lookupKeyRead + checkType: the list, undefined when missing, null after WRONGTYPE. */
function readList(ctx: CommandContext, key: string): List | undefined | null {
  const v = ctx.ks.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  if (!isList(v)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** lookupKeyWrite + checkType. */
function writeList(ctx: CommandContext, key: string): List | undefined | null {
  const v = ctx.ks.lookupWrite(ctx.db, key);
  if (v === undefined) return undefined;
  if (!isList(v)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** getLongFromObjectOrReply as a JS number (int64; precision beyond 2^53 does not matter for indexes). */
function longOrReply(ctx: CommandContext, s: string, msg: string = ERR.notInteger): number | null {
  const n = parseInt64(s);
  if (n === null) {
    ctx.reply.error(msg);
    return null;
  }
  return Number(n);
}

/** getRangeLongFromObjectOrReply(min..LONG_MAX, msg). */
function minLongOrReply(ctx: CommandContext, s: string, min: number, msg: string): number | null {
  const n = parseInt64(s);
  if (n === null || n < min) {
    ctx.reply.error(msg);
    return null;
  }
  return Number(n);
}

/** getListPositionFromObjectOrReply: LEFT → head, RIGHT → tail. */
function whereOrReply(ctx: CommandContext, s: string): Where | null {
  if (eqi(s, 'right')) return TAIL;
  if (eqi(s, 'left')) return HEAD;
  ctx.reply.error(ERR.syntax);
  return null;
}

function pop(l: List, where: Where): string {
  return (where === HEAD ? l.popHead() : l.popTail()) as string;
}

/**
 * listElementsRemoved: the pop event, then the key deleted (and its del event)
 * when the list is left empty; `count` elements were removed.
 */
function elementsRemoved(ctx: CommandContext, key: string, where: Where, l: List, count: number): boolean {
  const ks = ctx.ks;
  ks.notify('list', where === HEAD ? 'lpop' : 'rpop', key, ctx.db);
  if (l.length === 0) {
    ks.delete(ctx.db, key);
    ks.notify('generic', 'del', key, ctx.db);
    if (count > 1) ks.modified(ctx.db, key, count - 1);
    return true;
  }
  ks.modified(ctx.db, key, count);
  return false;
}

/** addListRangeReply: [start, end] after Redis's index normalization; reverse walks tail → head. */
function rangeReply(ctx: CommandContext, l: List, start: number, end: number, reverse: boolean): void {
  const llen = l.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return ctx.reply.array(0);
  if (end >= llen) end = llen - 1;
  const r = ctx.reply;
  r.array(end - start + 1);
  l.replyRange(r, start, end, reverse);
}

/** Pops up to `count` elements from one end, replying them as an array (LPOP key count). */
function popRangeReply(ctx: CommandContext, l: List, where: Where, count: number): number {
  const n = Math.min(count, l.length);
  ctx.reply.array(n);
  for (let i = 0; i < n; i++) ctx.reply.bulk(pop(l, where));
  return n;
}

/** listPopRangeAndReplyWithKey: [key, [elements...]] and the removal bookkeeping. */
function popRangeWithKey(ctx: CommandContext, l: List, key: string, where: Where, count: number): number {
  ctx.reply.array(2);
  ctx.reply.bulk(key);
  const n = popRangeReply(ctx, l, where, count);
  elementsRemoved(ctx, key, where, l, n);
  return n;
}

// ---- push ---------------------------------------------------------------------

/** pushGenericCommand: LPUSH/RPUSH (xx false), LPUSHX/RPUSHX (xx true). */
function pushGeneric(ctx: CommandContext, where: Where, xx: boolean): void {
  const argv = ctx.argv;
  const key = argv[1];
  let l = writeList(ctx, key);
  if (l === null) return;
  const ks = ctx.ks;
  let created = false;
  if (l === undefined) {
    if (xx) return ctx.reply.int(0);
    l = new List();
    created = true;
  }
  for (let j = 2; j < argv.length; j++) {
    if (where === HEAD) l.pushHead(argv[j]);
    else l.pushTail(argv[j]);
  }
  const n = argv.length - 2;
  // dbAdd signals the key as ready for blocked clients; both doors do here.
  if (created) {
    ks.set(ctx.db, key, l);
    if (n > 1) ks.modified(ctx.db, key, n - 1);
  } else {
    ks.modified(ctx.db, key, n);
  }
  ctx.reply.int(l.length);
  ks.notify('list', where === HEAD ? 'lpush' : 'rpush', key, ctx.db);
}

function lpush(ctx: CommandContext): void {
  pushGeneric(ctx, HEAD, false);
}
function rpush(ctx: CommandContext): void {
  pushGeneric(ctx, TAIL, false);
}
function lpushx(ctx: CommandContext): void {
  pushGeneric(ctx, HEAD, true);
}
function rpushx(ctx: CommandContext): void {
  pushGeneric(ctx, TAIL, true);
}

/** LINSERT key BEFORE|AFTER pivot element */
function linsert(ctx: CommandContext): void {
  const argv = ctx.argv;
  let after: boolean;
  if (eqi(argv[2], 'after')) after = true;
  else if (eqi(argv[2], 'before')) after = false;
  else return ctx.reply.error(ERR.syntax);
  const key = argv[1];
  const l = writeList(ctx, key);
  if (l === null) return;
  if (l === undefined) return ctx.reply.int(0);
  const pivot = argv[3];
  let idx = -1;
  for (let i = 0; i < l.length; i++) {
    if (l.equalsAt(i, pivot)) {
      idx = i;
      break;
    }
  }
  if (idx < 0) return ctx.reply.int(-1);
  l.insertAt(after ? idx + 1 : idx, argv[4]);
  ctx.ks.modified(ctx.db, key);
  ctx.ks.notify('list', 'linsert', key, ctx.db);
  ctx.reply.int(l.length);
}

// ---- read ---------------------------------------------------------------------

/** LLEN key */
function llen(ctx: CommandContext): void {
  const l = readList(ctx, ctx.argv[1]);
  if (l === null) return;
  ctx.reply.int(l === undefined ? 0 : l.length);
}

/** LINDEX key index: the key is looked up before the index is parsed. */
function lindex(ctx: CommandContext): void {
  const l = readList(ctx, ctx.argv[1]);
  if (l === null) return;
  if (l === undefined) return ctx.reply.nil();
  let i = longOrReply(ctx, ctx.argv[2]);
  if (i === null) return;
  if (i < 0) i = l.length + i;
  if (i < 0 || i >= l.length) return ctx.reply.nil();
  ctx.reply.bulk(l.get(i));
}

/** LRANGE key start stop */
function lrange(ctx: CommandContext): void {
  const start = longOrReply(ctx, ctx.argv[2]);
  if (start === null) return;
  const end = longOrReply(ctx, ctx.argv[3]);
  if (end === null) return;
  const l = readList(ctx, ctx.argv[1]);
  if (l === null) return;
  if (l === undefined) return ctx.reply.array(0);
  rangeReply(ctx, l, start, end, false);
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
function lpos(ctx: CommandContext): void {
  const argv = ctx.argv;
  const ele = argv[2];
  let rank = 1;
  /** rank = LLONG_MIN: -rank overflows, every match qualifies and COUNT never stops the scan. */
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (eqi(argv[j], 'rank') && more > 0) {
      j++;
      const r = parseInt64(argv[j]);
      if (r === null) return ctx.reply.error(ERR.notInteger);
      if (r === 0) {
        return ctx.reply.error(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
      rankMin = typeof r === 'bigint' && r === LLONG_MIN;
      rank = Number(r);
    } else if (eqi(argv[j], 'count') && more > 0) {
      j++;
      const n = minLongOrReply(ctx, argv[j], 0, "ERR COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (eqi(argv[j], 'maxlen') && more > 0) {
      j++;
      const n = minLongOrReply(ctx, argv[j], 0, "ERR MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  let fromTail = false;
  if (rank < 0) {
    rank = -rank;
    fromTail = true;
  }
  const v = ctx.ks.lookupRead(ctx.db, argv[1]);
  if (v === undefined) {
    if (count !== -1) return ctx.reply.array(0);
    return ctx.reply.nil();
  }
  if (!isList(v)) return ctx.reply.error(ERR.wrongType);
  const l = v;
  const llen = l.length;
  const found: number[] = [];
  let matches = 0;
  let matchIndex = -1;
  for (let index = 0; index < llen && (maxlen === 0 || index < maxlen); index++) {
    const pos = fromTail ? llen - index - 1 : index;
    if (l.equalsAt(pos, ele)) {
      matches++;
      if (rankMin || matches >= rank) {
        if (count !== -1) {
          found.push(pos);
          if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
        } else {
          matchIndex = pos;
          break;
        }
      }
    }
  }
  if (count !== -1) {
    ctx.reply.array(found.length);
    for (const p of found) ctx.reply.int(p);
  } else if (matchIndex !== -1) {
    ctx.reply.int(matchIndex);
  } else {
    ctx.reply.nil();
  }
}

// ---- write in place -----------------------------------------------------------

/** LSET key index element */
function lset(ctx: CommandContext): void {
  const argv = ctx.argv;
  const key = argv[1];
  const l = writeList(ctx, key);
  if (l === null) return;
  if (l === undefined) return ctx.reply.error(ERR.noKey);
  let i = longOrReply(ctx, argv[2]);
  if (i === null) return;
  if (i < 0) i = l.length + i;
  if (i < 0 || i >= l.length) return ctx.reply.error(ERR.outOfRange);
  l.set(i, argv[3]);
  ctx.reply.ok();
  ctx.ks.modified(ctx.db, key);
  ctx.ks.notify('list', 'lset', key, ctx.db);
}

/** LTRIM key start stop */
function ltrim(ctx: CommandContext): void {
  const argv = ctx.argv;
  let start = longOrReply(ctx, argv[2]);
  if (start === null) return;
  let end = longOrReply(ctx, argv[3]);
  if (end === null) return;
  const key = argv[1];
  const l = writeList(ctx, key);
  if (l === null) return;
  if (l === undefined) return ctx.reply.ok();
  const llen = l.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  let lt: number, rt: number;
  if (start > end || start >= llen) {
    lt = llen;
    rt = 0;
  } else {
    if (end >= llen) end = llen - 1;
    lt = start;
    rt = llen - end - 1;
  }
  l.trimHead(lt);
  l.trimTail(rt);
  const ks = ctx.ks;
  ks.notify('list', 'ltrim', key, ctx.db);
  if (l.length === 0) {
    ks.delete(ctx.db, key);
    ks.notify('generic', 'del', key, ctx.db);
    if (lt + rt > 1) ks.modified(ctx.db, key, lt + rt - 1);
  } else {
    // signalModifiedKey even when nothing was trimmed (WATCH sees it); dirty only counts removals.
    ks.modified(ctx.db, key, lt + rt);
  }
  ctx.reply.ok();
}

/** LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
function lrem(ctx: CommandContext): void {
  const argv = ctx.argv;
  const toRemove = longOrReply(ctx, argv[2]);
  if (toRemove === null) return;
  const key = argv[1];
  const l = writeList(ctx, key);
  if (l === null) return;
  if (l === undefined) return ctx.reply.int(0);
  const ele = argv[3];
  const idx: number[] = [];
  const limit = toRemove === 0 ? Infinity : Math.abs(toRemove);
  if (toRemove >= 0) {
    for (let i = 0; i < l.length && idx.length < limit; i++) if (l.equalsAt(i, ele)) idx.push(i);
  } else {
    for (let i = l.length - 1; i >= 0 && idx.length < limit; i--) if (l.equalsAt(i, ele)) idx.push(i);
    idx.reverse();
  }
  const removed = idx.length;
  const ks = ctx.ks;
  if (removed > 0) {
    l.removeIndexes(idx);
    ks.notify('list', 'lrem', key, ctx.db);
    if (l.length === 0) {
      ks.delete(ctx.db, key);
      ks.notify('generic', 'del', key, ctx.db);
      if (removed > 1) ks.modified(ctx.db, key, removed - 1);
    } else {
      ks.modified(ctx.db, key, removed);
    }
  }
  ctx.reply.int(removed);
}

// ---- pops ---------------------------------------------------------------------

/** popGenericCommand: LPOP/RPOP key [count] (7.0 null vs empty array rules). */
function popGeneric(ctx: CommandContext, where: Where): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(ERR.wrongArity(ctx.client.cmd!.fullname));
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = minLongOrReply(ctx, argv[2], 0, 'ERR value is out of range, must be positive');
    if (n === null) return;
    count = n;
  }
  const key = argv[1];
  const l = writeList(ctx, key);
  if (l === null) return;
  if (l === undefined) return hasCount ? ctx.reply.nilArray() : ctx.reply.nil();
  if (hasCount && count === 0) return ctx.reply.array(0);
  if (!hasCount) {
    ctx.reply.bulk(pop(l, where));
    elementsRemoved(ctx, key, where, l, 1);
  } else {
    const n = popRangeReply(ctx, l, where, count);
    elementsRemoved(ctx, key, where, l, n);
  }
}

function lpop(ctx: CommandContext): void {
  popGeneric(ctx, HEAD);
}
function rpop(ctx: CommandContext): void {
  popGeneric(ctx, TAIL);
}

/**
 * lmoveHandlePush + the pop: moves one element from src to dst, replying it.
 * The caller checked src is a non-empty list and dst is missing or a list.
 */
function moveOne(ctx: CommandContext, src: List, srcKey: string, dstKey: string, from: Where, to: Where): void {
  const ks = ctx.ks;
  const value = pop(src, from);
  // Looked up again: src and dst may be the same list.
  const dv = ks.lookupWrite(ctx.db, dstKey);
  let dst: List;
  if (dv === undefined) {
    dst = new List();
    if (to === HEAD) dst.pushHead(value);
    else dst.pushTail(value);
    ks.set(ctx.db, dstKey, dst);
  } else {
    dst = dv as List;
    if (to === HEAD) dst.pushHead(value);
    else dst.pushTail(value);
    ks.modified(ctx.db, dstKey, 0);
  }
  ks.notify('list', to === HEAD ? 'lpush' : 'rpush', dstKey, ctx.db);
  ctx.reply.bulk(value);
  elementsRemoved(ctx, srcKey, from, src, 1);
}

/**
 * lmoveGenericCommand: nil when the source is missing; WRONGTYPE for either
 * key checked before anything moves. False when nothing was there to move.
 */
function lmoveGeneric(ctx: CommandContext, srcKey: string, dstKey: string, from: Where, to: Where): boolean | null {
  const src = writeList(ctx, srcKey);
  if (src === null) return null;
  if (src === undefined || src.length === 0) return false;
  const dv = ctx.ks.lookupWrite(ctx.db, dstKey);
  if (dv !== undefined && !isList(dv)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  moveOne(ctx, src, srcKey, dstKey, from, to);
  return true;
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmove(ctx: CommandContext): void {
  const argv = ctx.argv;
  const from = whereOrReply(ctx, argv[3]);
  if (from === null) return;
  const to = whereOrReply(ctx, argv[4]);
  if (to === null) return;
  if (lmoveGeneric(ctx, argv[1], argv[2], from, to) === false) ctx.reply.nil();
}

/** RPOPLPUSH source destination */
function rpoplpush(ctx: CommandContext): void {
  if (lmoveGeneric(ctx, ctx.argv[1], ctx.argv[2], TAIL, HEAD) === false) ctx.reply.nil();
}

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** lmpopGenericCommand's parsing: numkeys key... LEFT|RIGHT [COUNT count]. */
function parseMpop(ctx: CommandContext, numkeysIdx: number): MpopArgs | null {
  const argv = ctx.argv;
  const numkeys = minLongOrReply(ctx, argv[numkeysIdx], 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return null;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    ctx.reply.error(ERR.syntax);
    return null;
  }
  const where = whereOrReply(ctx, argv[whereIdx]);
  if (where === null) return null;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && eqi(argv[j], 'count') && more > 0) {
      j++;
      const n = minLongOrReply(ctx, argv[j], 1, 'ERR count should be greater than 0');
      if (n === null) return null;
      count = n;
    } else {
      ctx.reply.error(ERR.syntax);
      return null;
    }
  }
  if (count === -1) count = 1;
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), where, count };
}

/**
 * mpopGenericCommand: pops from the first non-empty list; true when served,
 * false when every key is missing, null after WRONGTYPE. Propagated as
 * [LR]POP key n.
 */
function mpopFirst(ctx: CommandContext, a: MpopArgs): boolean | null {
  for (const key of a.keys) {
    const l = writeList(ctx, key);
    if (l === null) return null;
    if (l === undefined || l.length === 0) continue;
    const n = popRangeWithKey(ctx, l, key, a.where, a.count);
    ctx.propagateAs([a.where === HEAD ? 'LPOP' : 'RPOP', key, String(n)]);
    return true;
  }
  return false;
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function lmpop(ctx: CommandContext): void {
  const a = parseMpop(ctx, 1);
  if (a === null) return;
  if (mpopFirst(ctx, a) === false) ctx.reply.nilArray();
}

// ---- blocking -----------------------------------------------------------------

/**
 * Serves BLPOP/BRPOP from `key` if it holds a non-empty list: [key, element],
 * propagated as [LR]POP key.
 */
function servePop(ctx: CommandContext, key: string, where: Where): boolean {
  const v = ctx.ks.lookupWrite(ctx.db, key);
  if (v === undefined || !isList(v) || v.length === 0) return false;
  ctx.reply.array(2);
  ctx.reply.bulk(key);
  ctx.reply.bulk(pop(v, where));
  elementsRemoved(ctx, key, where, v, 1);
  ctx.propagateAs([where === HEAD ? 'LPOP' : 'RPOP', key]);
  return true;
}

/** blockingPopGenericCommand: BLPOP/BRPOP key [key ...] timeout */
function blockingPop(ctx: CommandContext, where: Where): void {
  const argv = ctx.argv;
  const timeout = timeoutOrReply(ctx, argv[argv.length - 1]);
  if (timeout === null) return;
  const keys = argv.slice(1, argv.length - 1);
  for (const key of keys) {
    const l = writeList(ctx, key);
    if (l === null) return;
    if (l !== undefined && l.length > 0) {
      servePop(ctx, key, where);
      return;
    }
  }
  if (!canBlock(ctx)) return ctx.reply.nilArray();
  blockForKeys(ctx, { keys, timeoutAt: timeout, serve: (c, key) => servePop(c, key, where) });
}

function blpop(ctx: CommandContext): void {
  blockingPop(ctx, HEAD);
}
function brpop(ctx: CommandContext): void {
  blockingPop(ctx, TAIL);
}

const SIDE = ['left', 'right'];

/**
 * blmoveGenericCommand: moves at once when the source has elements (and is
 * propagated as LMOVE/RPOPLPUSH with the arguments as typed), else blocks; a
 * served client is propagated as `LMOVE src dst left|right left|right` or
 * `RPOPLPUSH src dst`, as serveClientBlockedOnList writes it.
 */
function blmoveGeneric(ctx: CommandContext, from: Where, to: Where, timeout: number, isBrpoplpush: boolean): void {
  const argv = ctx.argv;
  const srcKey = argv[1];
  const dstKey = argv[2];
  const src = writeList(ctx, srcKey);
  if (src === null) return;
  if (src === undefined) {
    if (!canBlock(ctx)) return ctx.reply.nil();
    blockForKeys(ctx, {
      keys: [srcKey],
      timeoutAt: timeout,
      serve: (c, key) => {
        const v = c.ks.lookupWrite(c.db, key);
        if (v === undefined || !isList(v) || v.length === 0) return false;
        const dv = c.ks.lookupWrite(c.db, dstKey);
        if (dv !== undefined && !isList(dv)) {
          // Redis answers the receiver WRONGTYPE and unblocks it; the source keeps its element.
          c.reply.error(ERR.wrongType);
          return true;
        }
        moveOne(c, v, key, dstKey, from, to);
        c.propagateAs(isBrpoplpush ? ['RPOPLPUSH', key, dstKey] : ['LMOVE', key, dstKey, SIDE[from], SIDE[to]]);
        return true;
      },
    });
    return;
  }
  if (lmoveGeneric(ctx, srcKey, dstKey, from, to) === true) {
    ctx.propagateAs(isBrpoplpush ? ['RPOPLPUSH', srcKey, dstKey] : ['LMOVE', srcKey, dstKey, argv[3], argv[4]]);
  }
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmove(ctx: CommandContext): void {
  const argv = ctx.argv;
  const from = whereOrReply(ctx, argv[3]);
  if (from === null) return;
  const to = whereOrReply(ctx, argv[4]);
  if (to === null) return;
  const timeout = timeoutOrReply(ctx, argv[5]);
  if (timeout === null) return;
  blmoveGeneric(ctx, from, to, timeout, false);
}

/** BRPOPLPUSH source destination timeout */
function brpoplpush(ctx: CommandContext): void {
  const timeout = timeoutOrReply(ctx, ctx.argv[3]);
  if (timeout === null) return;
  blmoveGeneric(ctx, TAIL, HEAD, timeout, true);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpop(ctx: CommandContext): void {
  const timeout = timeoutOrReply(ctx, ctx.argv[1]);
  if (timeout === null) return;
  const a = parseMpop(ctx, 2);
  if (a === null) return;
  const r = mpopFirst(ctx, a);
  if (r !== false) return;
  if (!canBlock(ctx)) return ctx.reply.nilArray();
  blockForKeys(ctx, {
    keys: a.keys,
    timeoutAt: timeout,
    serve: (c, key) => {
      const v = c.ks.lookupWrite(c.db, key);
      if (v === undefined || !isList(v) || v.length === 0) return false;
      const n = popRangeWithKey(c, v, key, a.where, a.count);
      c.propagateAs([a.where === HEAD ? 'LPOP' : 'RPOP', key, String(n)]);
      return true;
    },
  });
}

// ---- hooks for DEBUG DIGEST, MEMORY USAGE and SORT ------------------------------

/** DEBUG DIGEST-VALUE: mixDigest of every element, head to tail. */
export function listDigest(d: Digest, v: TypedValue): void {
  for (const e of v as List) mixDigest(d, e);
}

/** SORT_TYPES.elements for lists: head to tail. */
export function listElements(v: TypedValue): string[] {
  return (v as List).toArray();
}

/** SORT_TYPES.newList (SORT ... STORE). */
export function newList(elements: string[]): TypedValue {
  return new List(elements);
}

/** list-max-listpack-size -2: quicklist nodes of at most 8 KiB. */
const NODE_LIMIT = 8192;
/** SIZE_ESTIMATE_OVERHEAD of _quicklistNodeAllowInsert. */
const ESTIMATE_OVERHEAD = 8;

function lpEntrySize(s: string): number {
  if (s.length <= 20) {
    const n = parseInt64(s);
    if (n !== null) return lpIntEntrySize(BigInt(n));
  }
  return lpStringEntrySize(s.length);
}

/**
 * objectComputeSize for a quicklist: robj + quicklist header, then the mean
 * size of the first `samples` nodes (from the head) times the node count.
 * Nodes are laid out as pushes fill them (8 KiB listpacks) from the end the
 * list mostly grew at, which is exact for lists built by RPUSH or LPUSH alone
 * and close otherwise.
 */
export function listMemoryUsage(v: Value, samples: number): number {
  const l = v as List;
  // A list still as loaded has its nodes: sizeof(quicklistNode) + each listpack.
  const nodes = l.packedNodes()?.map((lp) => 40 + jemallocSize(lp.length)) ?? layOutNodes(l);
  let asize = 16 + 40; // robj + sizeof(quicklist)
  const sampled = Math.min(Math.max(samples, 1), nodes.length);
  let eleSize = 0;
  for (let k = 0; k < sampled; k++) eleSize += nodes[k];
  if (sampled > 0) asize += (eleSize / sampled) * nodes.length;
  return Math.floor(asize);
}

/** The sizes of the quicklist nodes pushes would have filled, head to tail. */
function layOutNodes(l: List): number[] {
  const n = l.length;
  const fromTail = l.headPushes > l.tailPushes;
  const nodes: number[] = [];
  let nodeSz = 0;
  let nodeCount = 0;
  for (let k = 0; k < n; k++) {
    const e = l.get(fromTail ? n - 1 - k : k);
    if (nodeCount > 0 && nodeSz + e.length + ESTIMATE_OVERHEAD > NODE_LIMIT) {
      nodes.push(40 + jemallocSize(nodeSz)); // sizeof(quicklistNode) + the listpack
      nodeCount = 0;
    }
    if (nodeCount === 0) nodeSz = 7; // listpack header + end byte
    nodeSz += lpEntrySize(e);
    nodeCount++;
  }
  if (nodeCount > 0) nodes.push(40 + jemallocSize(nodeSz));
  if (fromTail) nodes.reverse();
  return nodes;
}

export const LIST_COMMANDS: CommandDef[] = [
  { name: 'lpush', handler: lpush },
  { name: 'rpush', handler: rpush },
  { name: 'lpushx', handler: lpushx },
  { name: 'rpushx', handler: rpushx },
  { name: 'linsert', handler: linsert },
  { name: 'llen', handler: llen },
  { name: 'lindex', handler: lindex },
  { name: 'lrange', handler: lrange },
  { name: 'lpos', handler: lpos },
  { name: 'lset', handler: lset },
  { name: 'ltrim', handler: ltrim },
  { name: 'lrem', handler: lrem },
  { name: 'lpop', handler: lpop },
  { name: 'rpop', handler: rpop },
  { name: 'lmove', handler: lmove },
  { name: 'rpoplpush', handler: rpoplpush },
  { name: 'lmpop', handler: lmpop },
  { name: 'blpop', handler: blpop },
  { name: 'brpop', handler: brpop },
  { name: 'blmove', handler: blmove },
  { name: 'brpoplpush', handler: brpoplpush },
  { name: 'blmpop', handler: blmpop },
];
