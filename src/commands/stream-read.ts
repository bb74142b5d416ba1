/**
 * XREAD and XREADGROUP (t_stream.c xreadCommand, blocked.c's stream half).
 *
 * A read is served at once from every stream that has something past the
 * requested ID; otherwise, with BLOCK, the client parks in
 * dispatch/blocking.ts until a key it waits on is signalled (XADD, or a
 * deletion/overwrite/XGROUP DESTROY for XREADGROUP, which answer errors as
 * 7.0 does) and the stream's last ID has moved past the client's ID.
 *
 * Reading through a group changes the group (last delivered ID, read
 * counter, PEL, consumers), and that is what is propagated, never the
 * XREADGROUP itself: an XCLAIM ... FORCE JUSTID LASTID per entry delivered
 * into the PEL, XGROUP SETID ... ENTRIESREAD when NOACK moved the last ID,
 * and XGROUP CREATECONSUMER for a consumer NOACK created
 * (streamPropagateXCLAIM, streamPropagateGroupID, streamPropagateConsumerCreation).
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ReplyWriter, type ReplySink } from '../protocol/reply-writer.js';
import { ERR } from '../protocol/errors.js';
import { blockForKeys, canBlock } from '../dispatch/blocking.js';
import { clock } from '../keyspace/clock.js';
import { parseInt64 } from '../util/numbers.js';
import { Stream } from '../datatypes/stream.js';
import type { ConsumerGroup, Consumer } from '../datatypes/stream-groups.js';
import { Nack } from '../datatypes/stream-groups.js';
import { cmpID, formatID, nextID, isMax, inc1, parseStreamID, MAX_ID, U64_MAX, type StreamID } from '../datatypes/stream-id.js';
import type { StreamNode } from '../datatypes/stream-node.js';
import { INVALID_ID, replyEntry } from './stream-args.js';
import { eqi } from './helpers.js';

/** XREAD_BLOCKED_DEFAULT_COUNT: a blocked reader is served at most this many entries when it gave no COUNT. */
const BLOCKED_DEFAULT_COUNT = 1000;

/** Which group a read goes through, and as whom. */
export interface GroupRead {
  group: string;
  consumer: string;
  noack: boolean;
}

/** streamPropagateXCLAIM: the XCLAIM that recreates this NACK, idempotent, on a replica or in the AOF. */
export function propagateXclaim(ctx: CommandContext, key: string, g: ConsumerGroup, groupArg: string, idArg: string, n: Nack): void {
  if (!ctx.ks.propagator.active) return;
  ctx.ks.propagator.add(ctx.db.id, [
    'XCLAIM', key, groupArg, n.consumer!.name, '0', idArg, 'TIME', String(n.deliveryTime),
    'RETRYCOUNT', String(n.deliveryCount), 'FORCE', 'JUSTID', 'LASTID', formatID(g.lastMs, g.lastSeq),
  ]);
}

/** streamPropagateGroupID */
export function propagateGroupID(ctx: CommandContext, key: string, g: ConsumerGroup, groupArg: string): void {
  if (!ctx.ks.propagator.active) return;
  ctx.ks.propagator.add(ctx.db.id, [
    'XGROUP', 'SETID', key, groupArg, formatID(g.lastMs, g.lastSeq), 'ENTRIESREAD', String(g.entriesRead),
  ]);
}

/** streamPropagateConsumerCreation */
function propagateConsumerCreation(ctx: CommandContext, key: string, groupArg: string, name: string): void {
  ctx.ks.propagator.add(ctx.db.id, ['XGROUP', 'CREATECONSUMER', key, groupArg, name]);
}

/**
 * streamLookupConsumer + streamCreateConsumer: the consumer, its seen-time
 * refreshed, or a new one (a change: dirty, the xgroup-createconsumer event).
 * `created` tells whether it is new.
 */
export function lookupOrCreateConsumer(ctx: CommandContext, key: string, g: ConsumerGroup, name: string, now: number): { consumer: Consumer; created: boolean } {
  const c = g.consumers.get(name);
  if (c !== undefined) {
    c.seenTime = now;
    return { consumer: c, created: false };
  }
  const created = g.createConsumer(name, now)!;
  ctx.ks.dirty++;
  ctx.ks.notify('stream', 'xgroup-createconsumer', key, ctx.db);
  return { consumer: created, created: true };
}

/**
 * streamReplyWithRange with a group: the entries after `start` (count 0: all),
 * delivered to `consumer` — the group's last ID and read counter advance, each
 * entry gets a fresh NACK in the consumer's PEL (unless NOACK), taken over from
 * another consumer if the group already had one — and propagated.
 */
function deliverNew(
  ctx: CommandContext, r: ReplySink, s: Stream, start: StreamID, count: number, key: string, g: ConsumerGroup, consumer: Consumer,
  groupArg: string, noack: boolean, now: number,
): void {
  const n = collect(s, start, count);
  r.array(n);
  let propagateLastID = false;
  for (let k = 0; k < n; k++) {
    const node = picked[k];
    const i = pickedAt[k];
    const ms = node.ms[i];
    const seq = node.seq[i];
    if (s.advanceGroup(g, ms, seq) && noack) propagateLastID = true;
    replyEntry(r, node, i);
    if (noack) continue;
    let nack = g.pel.get(ms, seq);
    if (nack === undefined) {
      nack = new Nack(ms, seq, now, 1, consumer);
      g.pel.insert(nack);
      consumer.pel.insert(nack);
    } else {
      nack.consumer!.pel.remove(ms, seq);
      nack.consumer = consumer;
      nack.deliveryTime = now;
      nack.deliveryCount = 1;
      consumer.pel.insert(nack);
    }
    propagateXclaim(ctx, key, g, groupArg, formatID(ms, seq), nack);
  }
  picked.length = 0;
  if (propagateLastID) propagateGroupID(ctx, key, g, groupArg);
}

/** The entries a read returns, gathered by collect() (reads never nest, so one pair of arrays serves all). */
const picked: StreamNode[] = [];
const pickedAt: number[] = [];

/** Gathers the live entries from `start` on (count 0: all) into picked/pickedAt; returns how many. */
function collect(s: Stream, start: StreamID, count: number): number {
  picked.length = 0;
  pickedAt.length = 0;
  return s.walk(start, MAX_ID, false, count, (node, i) => {
    picked.push(node);
    pickedAt.push(i);
  });
}

/**
 * streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries
 * from `start` on (count 0: all); each is delivered again (time, count), and
 * one no longer in the stream comes back as [id, nil].
 */
function deliverHistory(r: ReplySink, s: Stream, start: StreamID, count: number, consumer: Consumer, now: number): void {
  const pel = consumer.pel.entries;
  let i = consumer.pel.lowerBound(start.ms, start.seq);
  const n = count > 0 ? Math.min(count, pel.length - i) : pel.length - i;
  r.array(n);
  for (const end = i + n; i < end; i++) {
    const nack = pel[i];
    const f = s.find(nack.ms, nack.seq);
    if (f === null) {
      r.array(2);
      r.bulk(formatID(nack.ms, nack.seq));
      r.nilArray();
    } else {
      replyEntry(r, f.node, f.index);
      nack.deliveryTime = now;
      nack.deliveryCount = inc1(nack.deliveryCount);
    }
  }
}

/** The [key, entries] frame of one stream in an XREAD reply (RESP2 pair or RESP3 map entry). */
function keyFrame(r: ReplySink, key: string): void {
  if (r.resp === 2) r.array(2);
  r.bulk(key);
}

interface ReadArgs {
  timeoutAt: number; // -1: no BLOCK
  count: number;
  keys: string[];
  idArgs: string[];
  group: GroupRead | null;
}

/** xreadCommand's option parsing; null after an error reply. */
function parseRead(ctx: CommandContext, xreadgroup: boolean): ReadArgs | null {
  const argv = ctx.argv;
  const argc = argv.length;
  let timeoutAt = -1;
  let count = 0;
  let streamsArg = 0;
  let groupName: string | null = null;
  let consumerName = '';
  let noack = false;
  for (let i = 1; i < argc; i++) {
    const more = argc - i - 1;
    const o = argv[i];
    if (eqi(o, 'block') && more > 0) {
      // Blocking makes no sense in a script; Redis says so rather than answering as MULTI does.
      if (ctx.client.inScript) {
        ctx.reply.error(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
        return null;
      }
      i++;
      const t = parseInt64(argv[i]);
      if (t === null) {
        ctx.reply.error('ERR timeout is not an integer or out of range');
        return null;
      }
      if (t < 0) {
        ctx.reply.error('ERR timeout is negative');
        return null;
      }
      if (t > 0) {
        const now = Date.now();
        if (t > 9223372036854775807n - BigInt(now)) {
          ctx.reply.error('ERR timeout is out of range');
          return null;
        }
        timeoutAt = Number(t) + now;
      } else {
        timeoutAt = 0;
      }
    } else if (eqi(o, 'count') && more > 0) {
      i++;
      const n = parseInt64(argv[i]);
      if (n === null) {
        ctx.reply.error(ERR.notInteger);
        return null;
      }
      count = n < 0 ? 0 : Number(n);
    } else if (eqi(o, 'streams') && more > 0) {
      streamsArg = i + 1;
      if ((argc - streamsArg) % 2 !== 0) {
        ctx.reply.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return null;
      }
      break;
    } else if (eqi(o, 'group') && more >= 2) {
      if (!xreadgroup) {
        ctx.reply.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      groupName = argv[i + 1];
      consumerName = argv[i + 2];
      i += 2;
    } else if (eqi(o, 'noack')) {
      if (!xreadgroup) {
        ctx.reply.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      noack = true;
    } else {
      ctx.reply.error(ERR.syntax);
      return null;
    }
  }
  if (streamsArg === 0) {
    ctx.reply.error(ERR.syntax);
    return null;
  }
  if (xreadgroup && groupName === null) {
    ctx.reply.error('ERR Missing GROUP option for XREADGROUP');
    return null;
  }
  const n = (argc - streamsArg) / 2;
  return {
    timeoutAt, count,
    keys: argv.slice(streamsArg, streamsArg + n),
    idArgs: argv.slice(streamsArg + n),
    group: groupName === null ? null : { group: groupName, consumer: consumerName, noack },
  };
}

/** The C-string view of an argument, as strcmp sees it. */
function cstr(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...], and XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS ... */
function xread(ctx: CommandContext, xreadgroup: boolean): void {
  // The effects (XCLAIMs, SETID, CREATECONSUMER) propagate themselves; the command never does.
  ctx.preventPropagation();
  const a = parseRead(ctx, xreadgroup);
  if (a === null) return;
  const ks = ctx.ks;
  const gr = a.group;
  const n = a.keys.length;
  const ids: StreamID[] = new Array(n);
  const groups: Array<ConsumerGroup | null> = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    const key = a.keys[i];
    const v = ks.lookupRead(ctx.db, key);
    if (v !== undefined && !(v instanceof Stream)) return ctx.reply.error(ERR.wrongType);
    const s = v as Stream | undefined;
    if (gr !== null) {
      const g = s?.group(gr.group);
      if (g === undefined) {
        return ctx.reply.error(`NOGROUP No such key '${key}' or consumer group '${gr.group}' in XREADGROUP with GROUP option`);
      }
      groups[i] = g;
    }
    const arg = cstr(a.idArgs[i]);
    if (arg === '$') {
      if (xreadgroup) {
        return ctx.reply.error(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
      }
      ids[i] = s === undefined ? { ms: 0, seq: 0 } : s.lastID;
      continue;
    }
    if (arg === '>') {
      if (!xreadgroup) {
        return ctx.reply.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      }
      ids[i] = { ms: U64_MAX, seq: U64_MAX };
      continue;
    }
    const id = parseStreamID(a.idArgs[i], 0, true);
    if (id === null) return ctx.reply.error(INVALID_ID);
    ids[i] = id;
  }

  // Serve each stream that has something past its ID, in order: a group read of one stream
  // moves the group that a later occurrence of the same key sees. With several streams the
  // parts go to a scratch writer first, as the array header needs their count.
  let served = 0;
  const scratch = n === 1 ? null : new ReplyWriter();
  if (scratch !== null) scratch.resp = ctx.reply.resp;
  for (let i = 0; i < n; i++) {
    const key = a.keys[i];
    const v = ks.lookupRead(ctx.db, key);
    if (v === undefined) continue;
    const s = v as Stream;
    const g = groups[i];
    let gt = ids[i];
    let history = false;
    if (g !== null && !isMax(gt)) {
      history = true;
    } else {
      if (s.length === 0) continue;
      const top = s.lastValidID();
      if (g !== null) gt = g.lastID;
      if (cmpID(top.ms, top.seq, gt.ms, gt.seq) <= 0) continue;
    }
    served++;
    let r: ReplySink;
    if (scratch === null) {
      r = ctx.reply;
      if (r.resp === 2) r.array(1);
      else r.map(1);
    } else {
      r = scratch;
    }
    keyFrame(r, key);
    const start = nextID(gt) ?? { ms: 0, seq: 0 };
    if (g === null || gr === null) {
      rangeFrom(r, s, start, a.count);
      continue;
    }
    ks.editInPlace(ctx.db, key);
    const now = clock.now();
    const { consumer, created } = lookupOrCreateConsumer(ctx, key, g, gr.consumer, now);
    if (created && gr.noack) propagateConsumerCreation(ctx, key, gr.group, consumer.name);
    if (history) deliverHistory(r, s, start, a.count, consumer, now);
    else deliverNew(ctx, r, s, start, a.count, key, g, consumer, gr.group, gr.noack, now);
    ks.dirty++;
  }
  if (served > 0) {
    if (scratch !== null) {
      if (ctx.reply.resp === 2) ctx.reply.array(served);
      else ctx.reply.map(served);
      ctx.reply.raw(scratch.take());
    }
    return;
  }

  if (a.timeoutAt !== -1) {
    if (!canBlock(ctx)) return ctx.reply.nilArray();
    const want = new Map<string, StreamID>();
    for (let i = 0; i < n; i++) if (!want.has(a.keys[i])) want.set(a.keys[i], ids[i]);
    const count = a.count > 0 ? a.count : BLOCKED_DEFAULT_COUNT;
    blockForKeys(ctx, {
      keys: a.keys,
      timeoutAt: a.timeoutAt,
      serve: (c, key) => serveBlocked(c, key, want.get(key)!, count, gr),
    });
    return;
  }
  ctx.reply.nilArray();
}

/** streamReplyWithRange without a group, from `start` to the end. */
function rangeFrom(r: ReplySink, s: Stream, start: StreamID, count: number): void {
  const n = collect(s, start, count);
  r.array(n);
  for (let k = 0; k < n; k++) replyEntry(r, picked[k], pickedAt[k]);
  picked.length = 0;
}

/**
 * serveClientsBlockedOnStreamKey for one client: true once it got an answer.
 * A reader through a group whose key is gone (or is no longer a stream) gets
 * -UNBLOCKED, one whose group is gone -NOGROUP; otherwise it is served when
 * the stream's last ID passed what it waits for (even if the entries past it
 * were deleted since: then with an empty list, as Redis does).
 */
function serveBlocked(ctx: CommandContext, key: string, gt: StreamID, count: number, gr: GroupRead | null): boolean {
  const ks = ctx.ks;
  const v = gr === null ? ks.peekEntry(ctx.db, key)?.value : ks.lookupWrite(ctx.db, key);
  if (!(v instanceof Stream)) {
    if (gr === null) return false;
    ctx.reply.error('UNBLOCKED the stream key no longer exists');
    return true;
  }
  const s = v;
  let g: ConsumerGroup | undefined;
  if (gr !== null) {
    g = s.group(gr.group);
    if (g === undefined) {
      ctx.reply.error('NOGROUP the consumer group this client was blocked on no longer exists');
      return true;
    }
    gt = g.lastID;
  }
  if (cmpID(s.lastMs, s.lastSeq, gt.ms, gt.seq) <= 0) return false;
  const start = nextID(gt) ?? { ms: 0, seq: 0 };
  const r = ctx.reply;
  if (r.resp === 2) {
    r.array(1);
    r.array(2);
  } else {
    r.map(1);
  }
  r.bulk(key);
  if (g === undefined || gr === null) {
    rangeFrom(r, s, start, count);
    return true;
  }
  const now = clock.now();
  const { consumer, created } = lookupOrCreateConsumer(ctx, key, g, gr.consumer, now);
  if (created && gr.noack) propagateConsumerCreation(ctx, key, gr.group, consumer.name);
  deliverNew(ctx, r, s, start, count, key, g, consumer, gr.group, gr.noack, now);
  ks.dirty++;
  return true;
}

export const STREAM_READ_COMMANDS: CommandDef[] = [
  { name: 'xread', handler: (ctx) => xread(ctx, false) },
  { name: 'xreadgroup', handler: (ctx) => xread(ctx, true) },
];

