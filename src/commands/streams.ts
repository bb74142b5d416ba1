/**
 * Stream commands on entries (t_stream.c): XADD, XLEN, XRANGE, XREVRANGE,
 * XDEL, XTRIM, XSETID. Reading (XREAD, XREADGROUP) is in stream-read.ts,
 * groups in stream-groups.ts, XINFO in stream-info.ts; STREAM_COMMANDS here
 * gathers the family.
 *
 * Writes go through ctx.ks: a new stream is ks.set, an edit ks.modified
 * (WATCH, blocked readers), with Redis's dirty counts and its keyspace events
 * (class 't'). What is propagated is what happened: XADD carries the ID it
 * generated, and an approximate trim (`~`) is rewritten as the exact one it
 * turned out to be (`= <length>` or `= <first id>`).
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { clock } from '../keyspace/clock.js';
import { Stream, TRIM_NONE } from '../datatypes/stream.js';
import { cmpID, formatID, inc1, isZero, U64_MAX, type U64 } from '../datatypes/stream-id.js';
import {
  intervalOrReply, parseAddOrTrim, readStream, writeStream, replyEntry, rewriteTrim, strictIdOrReply,
  nodeLimits, type AddTrimArgs,
} from './stream-args.js';
import { STREAM_READ_COMMANDS } from './stream-read.js';
import { STREAM_GROUP_COMMANDS } from './stream-groups.js';
import { STREAM_INFO_COMMANDS } from './stream-info.js';
import { eqi } from './helpers.js';
import { parseInt64 } from '../util/numbers.js';

/** What parseAddOrTrim makes of `XADD key * ...`. */
const AUTO_ID: Readonly<AddTrimArgs> = {
  strategy: TRIM_NONE, approx: false, limit: 0, maxlen: 0, minid: { ms: 0, seq: 0 },
  argIdx: 0, idGiven: false, seqGiven: true, id: { ms: 0, seq: 0 }, noMkStream: false, idPos: 2,
};

/**
 * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
 */
function xadd(ctx: CommandContext): void {
  const argv = ctx.argv;
  // The common form, XADD key * field value ..., needs no option parsing.
  const a = argv[2] === '*' ? AUTO_ID : parseAddOrTrim(ctx, true);
  if (a === null) return;
  const fieldPos = a.idPos + 1;
  const n = argv.length - fieldPos;
  if (n < 2 || n % 2 === 1) return ctx.reply.error(ERR.wrongArity('xadd'));
  if (a.idGiven && a.seqGiven && isZero(a.id)) {
    return ctx.reply.error('ERR The ID specified in XADD must be greater than 0-0');
  }
  const key = argv[1];
  const ks = ctx.ks;
  let s = writeStream(ctx, key);
  if (s === null) return;
  const created = s === undefined;
  if (s === undefined) {
    if (a.noMkStream) return ctx.reply.nil();
    s = new Stream();
  }
  if (s.lastMs === U64_MAX && s.lastSeq === U64_MAX) {
    return ctx.reply.error('ERR The stream has exhausted the last possible ID, unable to add more items');
  }
  // streamAppendItem's choice of ID.
  let ms: U64;
  let seq: U64;
  if (!a.idGiven) {
    const now = clock.now();
    if (now > s.lastMs) {
      ms = now;
      seq = 0;
    } else if (s.lastSeq === U64_MAX) {
      ms = inc1(s.lastMs);
      seq = 0;
    } else {
      ms = s.lastMs;
      seq = inc1(s.lastSeq);
    }
  } else if (!a.seqGiven && a.id.ms === s.lastMs) {
    // <ms>-*: one past the last sequence; at the sequence's end Redis fails
    // without saying why, which its caller reports as "too large".
    if (s.lastSeq === U64_MAX) return ctx.reply.error('ERR Elements are too large to be stored');
    ms = s.lastMs;
    seq = inc1(s.lastSeq);
  } else {
    ms = a.id.ms;
    seq = a.id.seq;
  }
  if (cmpID(ms, seq, s.lastMs, s.lastSeq) <= 0) {
    return ctx.reply.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  }
  let total = 0;
  for (let k = fieldPos; k < argv.length; k++) total += argv[k].length;
  if (total > 1 << 30) return ctx.reply.error('ERR Elements are too large to be stored');
  const lim = nodeLimits(ctx);
  s.append(ms, seq, argv, fieldPos, argv.length, lim.maxBytes, lim.maxEntries);
  if (typeof ms === 'number' && typeof seq === 'number') ctx.reply.bulkIntPair(ms, seq);
  else ctx.reply.bulk(formatID(ms, seq));
  if (created) ks.set(ctx.db, key, s);
  else ks.modified(ctx.db, key);
  ks.notify('stream', 'xadd', key, ctx.db);
  if (a.strategy !== TRIM_NONE && s.trim(a) > 0) ks.notify('stream', 'xtrim', key, ctx.db);
  // Propagated with the ID it got and the trim it did; nothing to build when nobody listens.
  const rewriteId = !a.idGiven || !a.seqGiven;
  if ((a.approx || rewriteId) && ks.propagator.active) {
    const prop = argv.slice();
    if (a.approx) rewriteTrim(prop, s, a);
    if (rewriteId) prop[a.idPos] = formatID(ms, seq);
    ctx.propagateAs(prop);
  }
}

/** XLEN key */
function xlen(ctx: CommandContext): void {
  const s = readStream(ctx, ctx.argv[1]);
  if (s === null) return;
  ctx.reply.int(s === undefined ? 0 : s.length);
}

/** xrangeGenericCommand: XRANGE key start end [COUNT n], XREVRANGE key end start [COUNT n]. */
function xrangeGeneric(ctx: CommandContext, rev: boolean): void {
  const argv = ctx.argv;
  const start = intervalOrReply(ctx, rev ? argv[3] : argv[2], false);
  if (start === null) return;
  const end = intervalOrReply(ctx, rev ? argv[2] : argv[3], true);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (eqi(argv[j], 'count') && j + 1 < argv.length) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      count = n < 0 ? 0 : Number(n);
      j++;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  const s = readStream(ctx, argv[1]);
  if (s === null) return;
  if (s === undefined) return ctx.reply.array(0);
  if (count === 0) return ctx.reply.nilArray();
  rangeReply(ctx, s, start, end, rev, count === -1 ? 0 : count);
}

/** streamReplyWithRange without a group: an array of entries. */
function rangeReply(ctx: CommandContext, s: Stream, start: { ms: U64; seq: U64 }, end: { ms: U64; seq: U64 }, rev: boolean, count: number): void {
  const r = ctx.reply;
  // Counted first so the array header can go before the entries.
  const n = s.walk(start, end, rev, count, () => true);
  r.array(n);
  s.walk(start, end, rev, count, (node, i) => replyEntry(r, node, i));
}

/** XDEL key id [id ...] */
function xdel(ctx: CommandContext): void {
  const argv = ctx.argv;
  const key = argv[1];
  const s = writeStream(ctx, key);
  if (s === null) return;
  if (s === undefined) return ctx.reply.int(0);
  const ids: Array<{ ms: U64; seq: U64 }> = [];
  for (let j = 2; j < argv.length; j++) {
    const id = strictIdOrReply(ctx, argv[j], 0);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstDeleted = false;
  for (const id of ids) {
    if (!s.deleteEntry(id.ms, id.seq)) continue;
    if (cmpID(id.ms, id.seq, s.firstMs, s.firstSeq) === 0) firstDeleted = true;
    if (cmpID(id.ms, id.seq, s.maxDelMs, s.maxDelSeq) > 0) {
      s.maxDelMs = id.ms;
      s.maxDelSeq = id.seq;
    }
    deleted++;
  }
  if (deleted > 0) {
    if (s.length === 0 || firstDeleted) s.refreshFirstID();
    ctx.ks.modified(ctx.db, key, deleted);
    ctx.ks.notify('stream', 'xdel', key, ctx.db);
  }
  ctx.reply.int(deleted);
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
function xtrim(ctx: CommandContext): void {
  const a = parseAddOrTrim(ctx, false);
  if (a === null) return;
  const key = ctx.argv[1];
  const s = writeStream(ctx, key);
  if (s === null) return;
  if (s === undefined) return ctx.reply.int(0);
  const deleted = s.trim(a);
  if (deleted > 0) {
    ctx.ks.notify('stream', 'xtrim', key, ctx.db);
    if (a.approx) {
      const prop = ctx.argv.slice();
      rewriteTrim(prop, s, a);
      ctx.propagateAs(prop);
    }
    ctx.ks.modified(ctx.db, key, deleted);
  }
  ctx.reply.int(deleted);
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetid(ctx: CommandContext): void {
  const argv = ctx.argv;
  const id = strictIdOrReply(ctx, argv[2], 0);
  if (id === null) return;
  let entriesAdded: U64 = -1;
  let maxDel: { ms: U64; seq: U64 } = { ms: 0, seq: 0 };
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (eqi(argv[i], 'entriesadded') && more > 0) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      if (n < 0) return ctx.reply.error('ERR entries_added must be positive');
      entriesAdded = n;
    } else if (eqi(argv[i], 'maxdeletedid') && more > 0) {
      const m = strictIdOrReply(ctx, argv[i + 1], 0);
      if (m === null) return;
      if (cmpID(id.ms, id.seq, m.ms, m.seq) < 0) {
        return ctx.reply.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      }
      maxDel = m;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  const s = writeStream(ctx, argv[1]);
  if (s === null) return;
  if (s === undefined) return ctx.reply.error(ERR.noKey);
  if (s.length > 0) {
    const top = s.lastValidID();
    if (cmpID(id.ms, id.seq, top.ms, top.seq) < 0) {
      return ctx.reply.error('ERR The ID specified in XSETID is smaller than the target stream top item');
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      return ctx.reply.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
  }
  s.lastMs = id.ms;
  s.lastSeq = id.seq;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!isZero(maxDel)) {
    s.maxDelMs = maxDel.ms;
    s.maxDelSeq = maxDel.seq;
  }
  ctx.reply.ok();
  // A change of the dataset, but not a key modification for WATCH or blocked readers (as in 7.0).
  ctx.ks.dirty++;
  ctx.ks.notify('stream', 'xsetid', argv[1], ctx.db);
}


export const STREAM_COMMANDS: CommandDef[] = [
  { name: 'xadd', handler: xadd },
  { name: 'xlen', handler: xlen },
  { name: 'xrange', handler: (ctx) => xrangeGeneric(ctx, false) },
  { name: 'xrevrange', handler: (ctx) => xrangeGeneric(ctx, true) },
  { name: 'xdel', handler: xdel },
  { name: 'xtrim', handler: xtrim },
  { name: 'xsetid', handler: xsetid },
  ...STREAM_READ_COMMANDS,
  ...STREAM_GROUP_COMMANDS,
  ...STREAM_INFO_COMMANDS,
];
