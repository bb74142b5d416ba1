/**
 * Consumer group commands (t_stream.c): XGROUP CREATE/SETID/DESTROY/
 * CREATECONSUMER/DELCONSUMER/HELP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.
 *
 * Group state is not a key modification for WATCH (Redis does not signal
 * these), but it is a change of the dataset (dirty) with its keyspace events
 * (xgroup-create, xgroup-setid, ...). XGROUP and XACK propagate as typed;
 * XCLAIM and XAUTOCLAIM propagate one idempotent XCLAIM ... FORCE JUSTID per
 * entry they moved (or dropped, for an entry no longer in the stream), and an
 * XGROUP SETID when only LASTID moved the group.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { clock } from '../keyspace/clock.js';
import { parseInt64 } from '../util/numbers.js';
import { Stream, INVALID_ENTRIES_READ } from '../datatypes/stream.js';
import { Nack, type ConsumerGroup, type Consumer } from '../datatypes/stream-groups.js';
import { cmpID, formatID, inc1, parseStreamID, type StreamID, type U64 } from '../datatypes/stream-id.js';
import { idOrReply, intervalOrReply, readStream, replyEntry, strictIdOrReply, writeStream } from './stream-args.js';
import { lookupOrCreateConsumer, propagateGroupID, propagateXclaim } from './stream-read.js';
import { replyHelp } from './client.js';
import { eqi } from './helpers.js';

/** addReplySubcommandSyntaxError */
function subcommandSyntax(ctx: CommandContext): void {
  ctx.reply.error(
    `ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1].slice(0, 128)}'. Try ${ctx.argv[0].toUpperCase()} HELP.`,
  );
}

/** signalKeyAsReady without a key modification: blocked XREADGROUP clients re-check their group. */
function signalReady(ctx: CommandContext, key: string): void {
  const ready = ctx.ks.onReady;
  if (ready !== null) ready(ctx.db, key);
}

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

interface XgroupTarget {
  s: Stream | undefined;
  g: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: U64;
}

/**
 * xgroupCommand's common part for the subcommands with a key: options of
 * CREATE/SETID, the key (which must exist unless MKSTREAM) and, for the
 * subcommands that need one, the group. Null after an error reply.
 */
function xgroupTarget(ctx: CommandContext, sub: string): XgroupTarget | null {
  const argv = ctx.argv;
  const create = sub === 'create';
  const setid = sub === 'setid';
  let mkstream = false;
  let entriesRead: U64 = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length; ) {
    if (create && eqi(argv[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if ((create || setid) && eqi(argv[i], 'entriesread') && i + 1 < argv.length) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) {
        ctx.reply.error(ERR.notInteger);
        return null;
      }
      if (n < 0 && n !== INVALID_ENTRIES_READ) {
        ctx.reply.error('ERR value for ENTRIESREAD must be positive or -1');
        return null;
      }
      entriesRead = n;
      i += 2;
    } else {
      subcommandSyntax(ctx);
      return null;
    }
  }
  const s = writeStream(ctx, argv[2]);
  if (s === null) return null;
  let g: ConsumerGroup | undefined;
  if (!mkstream) {
    if (s === undefined) {
      ctx.reply.error(
        'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
      );
      return null;
    }
    g = s.group(argv[3]);
    if (g === undefined && (setid || sub === 'createconsumer' || sub === 'delconsumer')) {
      ctx.reply.error(`NOGROUP No such consumer group '${argv[3]}' for key name '${argv[2]}'`);
      return null;
    }
  } else if (s !== undefined) {
    g = s.group(argv[3]);
  }
  return { s, g, mkstream, entriesRead };
}

/** XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] */
function xgroupCreate(ctx: CommandContext): void {
  const t = xgroupTarget(ctx, 'create');
  if (t === null) return;
  const argv = ctx.argv;
  if (argv.length > 8) return subcommandSyntax(ctx);
  let id: StreamID;
  if (argv[4] === '$') {
    id = t.s === undefined ? { ms: 0, seq: 0 } : t.s.lastID;
  } else {
    const p = strictIdOrReply(ctx, argv[4], 0);
    if (p === null) return;
    id = p;
  }
  let s = t.s;
  const key = argv[2];
  const fresh = s === undefined;
  if (s === undefined) {
    // dbAdd + signalModifiedKey; ks.set counts the one change Redis counts for the whole command.
    s = new Stream();
    ctx.ks.set(ctx.db, key, s);
  }
  if (s.createGroup(argv[3], id, t.entriesRead) === null) {
    return ctx.reply.error('BUSYGROUP Consumer Group name already exists');
  }
  ctx.reply.ok();
  if (!fresh) ctx.ks.dirty++;
  ctx.ks.notify('stream', 'xgroup-create', key, ctx.db);
}

/** XGROUP SETID key group id|$ [ENTRIESREAD n] */
function xgroupSetid(ctx: CommandContext): void {
  const t = xgroupTarget(ctx, 'setid');
  if (t === null) return;
  const argv = ctx.argv;
  if (argv.length !== 5 && argv.length !== 7) return subcommandSyntax(ctx);
  const s = t.s!;
  const g = t.g!;
  let id: StreamID;
  if (argv[4] === '$') {
    id = s.lastID;
  } else {
    const p = idOrReply(ctx, argv[4], 0);
    if (p === null) return;
    id = p;
  }
  g.lastMs = id.ms;
  g.lastSeq = id.seq;
  g.entriesRead = t.entriesRead;
  ctx.reply.ok();
  ctx.ks.dirty++;
  ctx.ks.notify('stream', 'xgroup-setid', argv[2], ctx.db);
}

/** XGROUP DESTROY key group */
function xgroupDestroy(ctx: CommandContext): void {
  const t = xgroupTarget(ctx, 'destroy');
  if (t === null) return;
  if (t.g === undefined) return ctx.reply.int(0);
  t.s!.groups!.delete(t.g.name);
  ctx.reply.int(1);
  ctx.ks.dirty++;
  ctx.ks.notify('stream', 'xgroup-destroy', ctx.argv[2], ctx.db);
  // Readers blocked on this group get -NOGROUP.
  signalReady(ctx, ctx.argv[2]);
}

/** XGROUP CREATECONSUMER key group consumer */
function xgroupCreateConsumer(ctx: CommandContext): void {
  const t = xgroupTarget(ctx, 'createconsumer');
  if (t === null) return;
  const c = t.g!.createConsumer(ctx.argv[4], clock.now());
  if (c === null) return ctx.reply.int(0);
  ctx.ks.dirty++;
  ctx.ks.notify('stream', 'xgroup-createconsumer', ctx.argv[2], ctx.db);
  ctx.reply.int(1);
}

/** XGROUP DELCONSUMER key group consumer: replies how many entries it still had pending. */
function xgroupDelConsumer(ctx: CommandContext): void {
  const t = xgroupTarget(ctx, 'delconsumer');
  if (t === null) return;
  const g = t.g!;
  const c = g.consumers.get(ctx.argv[4]);
  let pending = 0;
  if (c !== undefined) {
    pending = c.pel.size;
    g.deleteConsumer(c);
    ctx.ks.dirty++;
    ctx.ks.notify('stream', 'xgroup-delconsumer', ctx.argv[2], ctx.db);
  }
  ctx.reply.int(pending);
}

/** XACK key group id [id ...] */
function xack(ctx: CommandContext): void {
  const argv = ctx.argv;
  const s = readStream(ctx, argv[1]);
  if (s === null) return;
  const g = s?.group(argv[2]);
  if (g === undefined) return ctx.reply.int(0);
  // All IDs are checked before any is acknowledged: all or nothing.
  const ids: StreamID[] = [];
  for (let j = 3; j < argv.length; j++) {
    const id = strictIdOrReply(ctx, argv[j], 0);
    if (id === null) return;
    ids.push(id);
  }
  ctx.ks.editInPlace(ctx.db, argv[1]);
  let acked = 0;
  for (const id of ids) {
    if (g.ack(id.ms, id.seq)) {
      acked++;
      ctx.ks.dirty++;
    }
  }
  ctx.reply.int(acked);
}

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpending(ctx: CommandContext): void {
  const argv = ctx.argv;
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) return ctx.reply.error(ERR.syntax);
  let start: StreamID = { ms: 0, seq: 0 };
  let end: StreamID = start;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | null = null;
  if (argc >= 6) {
    let si = 3;
    if (eqi(argv[3], 'idle')) {
      const n = parseInt64(argv[4]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      minIdle = Number(n);
      if (argc < 8) return ctx.reply.error(ERR.syntax);
      si += 2;
    }
    const c = parseInt64(argv[si + 2]);
    if (c === null) return ctx.reply.error(ERR.notInteger);
    count = c < 0 ? 0 : Number(c);
    const st = intervalOrReply(ctx, argv[si], false);
    if (st === null) return;
    const en = intervalOrReply(ctx, argv[si + 1], true);
    if (en === null) return;
    start = st;
    end = en;
    if (si + 3 < argc) consumerName = argv[si + 3];
  }
  const key = argv[1];
  const s = readStream(ctx, key);
  if (s === null) return;
  const g = s?.group(argv[2]);
  if (g === undefined) return ctx.reply.error(`NOGROUP No such key '${key}' or consumer group '${argv[2]}'`);
  const r = ctx.reply;
  if (argc === 3) {
    r.array(4);
    r.int(g.pel.size);
    const first = g.pel.first();
    const last = g.pel.last();
    if (first === undefined || last === undefined) {
      r.nil();
      r.nil();
      r.nilArray();
      return;
    }
    r.bulk(formatID(first.ms, first.seq));
    r.bulk(formatID(last.ms, last.seq));
    const holders = g.consumerList().filter((c) => c.pel.size > 0);
    r.array(holders.length);
    for (const c of holders) {
      r.array(2);
      r.bulk(c.name);
      r.bulk(String(c.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const c = g.consumers.get(consumerName);
    if (c === undefined) return r.array(0);
    pel = c.pel;
  }
  const now = clock.now();
  const picked: Nack[] = [];
  const entries = pel.entries;
  for (let i = pel.lowerBound(start.ms, start.seq); count > 0 && i < entries.length; i++) {
    const n = entries[i];
    if (cmpID(n.ms, n.seq, end.ms, end.seq) > 0) break;
    if (minIdle !== 0 && now - n.deliveryTime < minIdle) continue;
    picked.push(n);
    count--;
  }
  r.array(picked.length);
  for (const n of picked) {
    r.array(4);
    r.bulk(formatID(n.ms, n.seq));
    r.bulk(n.consumer!.name);
    r.int(Math.max(0, now - n.deliveryTime));
    r.int(n.deliveryCount);
  }
}

/**
 * The claim of one NACK by `consumer` (XCLAIM and XAUTOCLAIM): it moves to
 * the consumer's PEL with a new delivery time and, unless told otherwise,
 * one more delivery.
 */
function claim(nack: Nack, consumer: Consumer, deliveryTime: number, retryCount: U64 | null, justid: boolean): void {
  if (nack.consumer !== consumer && nack.consumer !== null) nack.consumer.pel.remove(nack.ms, nack.seq);
  nack.deliveryTime = deliveryTime;
  if (retryCount !== null) nack.deliveryCount = retryCount;
  else if (!justid) nack.deliveryCount = inc1(nack.deliveryCount);
  if (nack.consumer !== consumer) {
    consumer.pel.insert(nack);
    nack.consumer = consumer;
  }
}

/** Drops a NACK whose entry left the stream, from the group and its consumer. */
function dropNack(g: ConsumerGroup, nack: Nack): void {
  g.pel.remove(nack.ms, nack.seq);
  nack.consumer?.pel.remove(nack.ms, nack.seq);
}

/**
 * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-ms]
 *        [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
 */
function xclaim(ctx: CommandContext): void {
  ctx.preventPropagation();
  const argv = ctx.argv;
  const key = argv[1];
  const s = readStream(ctx, key);
  if (s === null) return;
  const g = s?.group(argv[2]);
  if (s === undefined || g === undefined) {
    return ctx.reply.error(`NOGROUP No such key '${key}' or consumer group '${argv[2]}'`);
  }
  const mi = parseInt64(argv[4]);
  if (mi === null) return ctx.reply.error('ERR Invalid min-idle-time argument for XCLAIM');
  const minIdle = mi < 0 ? 0 : Number(mi);
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = parseStreamID(argv[j], 0, true);
    if (id === null) break;
    ids.push(id);
  }
  const lastIdArg = j - 1;
  const now = clock.now();
  let deliveryTime = -1;
  let retryCount: U64 | null = null;
  let force = false;
  let justid = false;
  let lastId: StreamID = { ms: 0, seq: 0 };
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (eqi(opt, 'force')) force = true;
    else if (eqi(opt, 'justid')) justid = true;
    else if (eqi(opt, 'idle') && more > 0) {
      const n = parseInt64(argv[++j]);
      if (n === null) return ctx.reply.error('ERR Invalid IDLE option argument for XCLAIM');
      deliveryTime = now - Number(n);
    } else if (eqi(opt, 'time') && more > 0) {
      const n = parseInt64(argv[++j]);
      if (n === null) return ctx.reply.error('ERR Invalid TIME option argument for XCLAIM');
      deliveryTime = Number(n);
    } else if (eqi(opt, 'retrycount') && more > 0) {
      const n = parseInt64(argv[++j]);
      if (n === null) return ctx.reply.error('ERR Invalid RETRYCOUNT option argument for XCLAIM');
      retryCount = n < 0 ? null : n;
    } else if (eqi(opt, 'lastid') && more > 0) {
      const id = strictIdOrReply(ctx, argv[++j], 0);
      if (id === null) return;
      lastId = id;
    } else {
      return ctx.reply.error(`ERR Unrecognized XCLAIM option '${opt}'`);
    }
  }
  ctx.ks.editInPlace(ctx.db, key);
  let propagateLastID = false;
  if (cmpID(lastId.ms, lastId.seq, g.lastMs, g.lastSeq) > 0) {
    g.lastMs = lastId.ms;
    g.lastSeq = lastId.seq;
    propagateLastID = true;
  }
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  let consumer: Consumer | null = null;
  const r = ctx.reply;
  const claimed: Array<{ id: StreamID; nack: Nack; arg: string }> = [];
  for (let k = 5; k <= lastIdArg; k++) {
    const id = ids[k - 5];
    let nack = g.pel.get(id.ms, id.seq);
    if (!s.has(id.ms, id.seq)) {
      if (nack !== undefined) {
        propagateXclaim(ctx, key, g, argv[2], argv[k], nack);
        propagateLastID = false;
        ctx.ks.dirty++;
        dropNack(g, nack);
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = new Nack(id.ms, id.seq, now, 1, null);
      g.pel.insert(nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    if (consumer === null) consumer = lookupOrCreateConsumer(ctx, key, g, argv[3], now).consumer;
    claim(nack, consumer, deliveryTime, retryCount, justid);
    claimed.push({ id, nack, arg: argv[k] });
    propagateXclaim(ctx, key, g, argv[2], argv[k], nack);
    propagateLastID = false;
    ctx.ks.dirty++;
  }
  if (propagateLastID) {
    propagateGroupID(ctx, key, g, argv[2]);
    ctx.ks.dirty++;
  }
  r.array(claimed.length);
  for (const c of claimed) {
    if (justid) {
      r.bulk(formatID(c.id.ms, c.id.seq));
    } else {
      const f = s.find(c.id.ms, c.id.seq)!;
      replyEntry(r, f.node, f.index);
    }
  }
}

/** LONG_MAX / max(sizeof(streamID), attempts factor) */
const XAUTOCLAIM_MAX_COUNT = 576460752303423487n;
const ATTEMPTS_FACTOR = 10;

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaim(ctx: CommandContext): void {
  ctx.preventPropagation();
  const argv = ctx.argv;
  const key = argv[1];
  const mi = parseInt64(argv[4]);
  if (mi === null) return ctx.reply.error('ERR Invalid min-idle-time argument for XAUTOCLAIM');
  const minIdle = mi < 0 ? 0 : Number(mi);
  const start = intervalOrReply(ctx, argv[5], false);
  if (start === null) return;
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (eqi(argv[j], 'count') && more > 0) {
      const n = parseInt64(argv[j + 1]);
      if (n === null || n < 1 || n > XAUTOCLAIM_MAX_COUNT) return ctx.reply.error('ERR COUNT must be > 0');
      count = Number(n);
      j++;
    } else if (eqi(argv[j], 'justid')) {
      justid = true;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  const s = readStream(ctx, key);
  if (s === null) return;
  const g = s?.group(argv[2]);
  if (s === undefined || g === undefined) {
    return ctx.reply.error(`NOGROUP No such key '${key}' or consumer group '${argv[2]}'`);
  }
  ctx.ks.editInPlace(ctx.db, key);
  const now = clock.now();
  let attempts = count * ATTEMPTS_FACTOR;
  let consumer: Consumer | null = null;
  const claimed: Nack[] = [];
  const deleted: Nack[] = [];
  const pel = g.pel.entries;
  let i = g.pel.lowerBound(start.ms, start.seq);
  while (attempts-- > 0 && count > 0 && i < pel.length) {
    const nack = pel[i];
    if (!s.has(nack.ms, nack.seq)) {
      propagateXclaim(ctx, key, g, argv[2], formatID(nack.ms, nack.seq), nack);
      ctx.ks.dirty++;
      dropNack(g, nack);
      deleted.push(nack);
      count--;
      continue;
    }
    i++;
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    if (consumer === null) consumer = lookupOrCreateConsumer(ctx, key, g, argv[3], now).consumer;
    claim(nack, consumer, now, null, justid);
    claimed.push(nack);
    count--;
    propagateXclaim(ctx, key, g, argv[2], formatID(nack.ms, nack.seq), nack);
    ctx.ks.dirty++;
  }
  const r = ctx.reply;
  r.array(3);
  if (i < pel.length) r.bulk(formatID(pel[i].ms, pel[i].seq));
  else r.bulk('0-0');
  r.array(claimed.length);
  for (const n of claimed) {
    if (justid) {
      r.bulk(formatID(n.ms, n.seq));
    } else {
      const f = s.find(n.ms, n.seq)!;
      replyEntry(r, f.node, f.index);
    }
  }
  r.array(deleted.length);
  for (const n of deleted) r.bulk(formatID(n.ms, n.seq));
}

export const STREAM_GROUP_COMMANDS: CommandDef[] = [
  { name: 'xgroup|create', handler: xgroupCreate },
  { name: 'xgroup|setid', handler: xgroupSetid },
  { name: 'xgroup|destroy', handler: xgroupDestroy },
  { name: 'xgroup|createconsumer', handler: xgroupCreateConsumer },
  { name: 'xgroup|delconsumer', handler: xgroupDelConsumer },
  { name: 'xgroup|help', handler: (ctx) => replyHelp(ctx, XGROUP_HELP) },
  { name: 'xack', handler: xack },
  { name: 'xpending', handler: xpending },
  { name: 'xclaim', handler: xclaim },
  { name: 'xautoclaim', handler: xautoclaim },
];
