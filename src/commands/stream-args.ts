/**
 * Argument handling shared by the stream commands, each answering in Redis's
 * words when it refuses an argument (t_stream.c's *OrReply helpers): stream
 * IDs in their forms, the XADD/XTRIM trimming options, the lookups with their
 * type check, and the reply shape of an entry.
 */
import type { CommandContext } from '../dispatch/command-spec.js';
import type { ReplySink } from '../protocol/reply-writer.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { Stream, TRIM_NONE, TRIM_MAXLEN, TRIM_MINID, type TrimArgs } from '../datatypes/stream.js';
import type { StreamNode } from '../datatypes/stream-node.js';
import { parseStreamID, nextID, prevID, formatID, type ParsedID, type StreamID, type U64 } from '../datatypes/stream-id.js';
import { eqi } from './helpers.js';

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** streamParseIDOrReply ("-" and "+" allowed). */
export function idOrReply(ctx: CommandContext, arg: string, missingSeq: U64): ParsedID | null {
  const id = parseStreamID(arg, missingSeq, false);
  if (id === null) ctx.reply.error(INVALID_ID);
  return id;
}

/** streamParseStrictIDOrReply ("-" and "+" refused). */
export function strictIdOrReply(ctx: CommandContext, arg: string, missingSeq: U64): ParsedID | null {
  const id = parseStreamID(arg, missingSeq, true);
  if (id === null) ctx.reply.error(INVALID_ID);
  return id;
}

/**
 * streamParseIntervalIDOrReply plus the open-interval step: "(id" means the
 * next (start) or previous (end) ID, parsed strictly.
 */
export function intervalOrReply(ctx: CommandContext, arg: string, isEnd: boolean): StreamID | null {
  const exclusive = arg.length > 1 && arg.charCodeAt(0) === 40; /* ( */
  const missing: U64 = isEnd ? 18446744073709551615n : 0;
  if (!exclusive) return idOrReply(ctx, arg, missing);
  const id = strictIdOrReply(ctx, arg.slice(1), missing);
  if (id === null) return null;
  const moved = isEnd ? prevID(id) : nextID(id);
  if (moved === null) {
    ctx.reply.error(isEnd ? 'ERR invalid end ID for the interval' : 'ERR invalid start ID for the interval');
    return null;
  }
  return moved;
}

/** lookupKeyRead + checkType: the stream, undefined when missing, null after WRONGTYPE. */
export function readStream(ctx: CommandContext, key: string): Stream | undefined | null {
  const v = ctx.ks.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  if (!(v instanceof Stream)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** lookupKeyWrite + checkType. */
export function writeStream(ctx: CommandContext, key: string): Stream | undefined | null {
  const v = ctx.ks.lookupWrite(ctx.db, key);
  if (v === undefined) return undefined;
  if (!(v instanceof Stream)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** One entry as streamReplyWithRange emits it: [id, [field, value, ...]]. */
export function replyEntry(r: ReplySink, node: StreamNode, i: number): void {
  r.array(2);
  const ms = node.ms[i];
  const seq = node.seq[i];
  if (typeof ms === 'number' && typeof seq === 'number') r.bulkIntPair(ms, seq);
  else r.bulk(formatID(ms, seq));
  const nf = node.numFields(i);
  r.array(nf * 2);
  for (let j = 0; j < nf; j++) {
    r.bulk(node.field(i, j));
    r.bulk(node.value(i, j));
  }
}

/** stream-node-max-bytes and stream-node-max-entries of a server, kept current by config watches. */
interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

const limits = new WeakMap<object, NodeLimits>();

/** Read on every XADD: a field access rather than a config lookup. */
export function nodeLimits(ctx: CommandContext): NodeLimits {
  const server = ctx.server;
  let l = limits.get(server);
  if (l === undefined) {
    const nl: NodeLimits = { maxBytes: 4096, maxEntries: 100 };
    server.config.watch('stream-node-max-bytes', (v) => (nl.maxBytes = Number(v)));
    server.config.watch('stream-node-max-entries', (v) => (nl.maxEntries = Number(v)));
    limits.set(server, nl);
    l = nl;
  }
  return l;
}

function nodeMaxEntries(ctx: CommandContext): number {
  return nodeLimits(ctx).maxEntries;
}

/** streamAddTrimArgs */
export interface AddTrimArgs extends TrimArgs {
  /** argv index of MAXLEN's count or MINID's id, for the propagation rewrite. */
  argIdx: number;
  /** XADD: an ID other than "*" was given, and whether its sequence was (not <ms>-*). */
  idGiven: boolean;
  seqGiven: boolean;
  id: StreamID;
  noMkStream: boolean;
  /** XADD: where the ID argument is. */
  idPos: number;
}

/**
 * streamParseAddOrTrimArgsOrReply: the options of XADD (xadd true) or XTRIM.
 * Null after replying an error. A command from our master or the AOF is
 * obeyed as written: no LIMIT default and no "LIMIT needs ~" check, as it was
 * rewritten exact before propagation.
 */
export function parseAddOrTrim(ctx: CommandContext, xadd: boolean): AddTrimArgs | null {
  const argv = ctx.argv;
  const argc = argv.length;
  const a: AddTrimArgs = {
    strategy: TRIM_NONE, approx: false, limit: 0, maxlen: 0, minid: { ms: 0, seq: 0 },
    argIdx: 0, idGiven: false, seqGiven: true, id: { ms: 0, seq: 0 }, noMkStream: false, idPos: 0,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argc; i++) {
    const more = argc - 1 - i;
    const opt = argv[i];
    if (xadd && opt === '*') break;
    if (more > 0 && (eqi(opt, 'maxlen') || eqi(opt, 'minid'))) {
      const maxlen = eqi(opt, 'maxlen');
      if (a.strategy !== TRIM_NONE) {
        ctx.reply.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      a.approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (more >= 2 && next === '=') {
        i++;
      }
      if (maxlen) {
        const n = parseInt64(argv[i + 1]);
        if (n === null) {
          ctx.reply.error(ERR.notInteger);
          return null;
        }
        if (n < 0) {
          ctx.reply.error('ERR The MAXLEN argument must be >= 0.');
          return null;
        }
        a.maxlen = Number(n);
        a.strategy = TRIM_MAXLEN;
      } else {
        const id = strictIdOrReply(ctx, argv[i + 1], 0);
        if (id === null) return null;
        a.minid = { ms: id.ms, seq: id.seq };
        a.strategy = TRIM_MINID;
      }
      i++;
      a.argIdx = i;
    } else if (more > 0 && eqi(opt, 'limit')) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) {
        ctx.reply.error(ERR.notInteger);
        return null;
      }
      if (n < 0) {
        ctx.reply.error('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      a.limit = Number(n);
      limitGiven = true;
      i++;
    } else if (xadd && eqi(opt, 'nomkstream')) {
      a.noMkStream = true;
    } else if (xadd) {
      const id = parseStreamID(opt, 0, true, true);
      if (id === null) {
        ctx.reply.error(INVALID_ID);
        return null;
      }
      a.id = { ms: id.ms, seq: id.seq };
      a.seqGiven = id.seqGiven;
      a.idGiven = true;
      break;
    } else {
      ctx.reply.error(ERR.syntax);
      return null;
    }
  }
  if (a.limit !== 0 && a.strategy === TRIM_NONE) {
    ctx.reply.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && a.strategy === TRIM_NONE) {
    ctx.reply.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (ctx.client.isMaster) {
    a.limit = 0;
  } else if (limitGiven) {
    if (!a.approx) {
      ctx.reply.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (a.approx) {
    // At most 100 nodes' worth of work per call, as Redis caps it.
    let limit = 100 * nodeMaxEntries(ctx);
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
    a.limit = limit;
  } else {
    a.limit = 0;
  }
  a.idPos = i;
  return a;
}

/**
 * streamRewriteApproxSpecifier + streamRewriteTrimArgument: `~ n` becomes
 * `= <what is left>` (the length, or the first ID tombstones included) so a
 * replica or the AOF trims exactly as this one did.
 */
export function rewriteTrim(argv: string[], s: Stream, a: AddTrimArgs): void {
  argv[a.argIdx - 1] = '=';
  if (a.strategy === TRIM_MAXLEN) {
    argv[a.argIdx] = String(s.length);
  } else {
    const f = s.edgeID(true, false);
    argv[a.argIdx] = formatID(f.ms, f.seq);
  }
}
