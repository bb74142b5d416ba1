/**
 * XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP, and the hooks
 * a stream plugs into the commands that work on any value: DEBUG DIGEST
 * (debug.c xorObjectDigest: the entries only, as 7.0 digests streams) and
 * MEMORY USAGE (object.c objectComputeSize: node listpacks sampled, rax and
 * group overheads estimated with Redis's constants).
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import type { ReplySink } from '../protocol/reply-writer.js';
import type { TypedValue, Value } from '../keyspace/value.js';
import { ERR } from '../protocol/errors.js';
import { clock } from '../keyspace/clock.js';
import { parseInt64 } from '../util/numbers.js';
import { mixDigest, type Digest } from '../observe/digest.js';
import { jemallocSize } from '../observe/alloc-size.js';
import { Stream, INVALID_ENTRIES_READ } from '../datatypes/stream.js';
import type { StreamNode } from '../datatypes/stream-node.js';
import type { ConsumerGroup, Pel } from '../datatypes/stream-groups.js';
import { raxNodeCount } from '../datatypes/stream-rax.js';
import { encodeID, formatID, MAX_ID, MIN_ID, type U64 } from '../datatypes/stream-id.js';
import { readStream, replyEntry } from './stream-args.js';
import { replyHelp } from './client.js';
import { eqi } from './helpers.js';

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

/** The stream at argv[2] for XINFO, or null after "no such key" / WRONGTYPE. */
function infoStream(ctx: CommandContext): Stream | null {
  const s = readStream(ctx, ctx.argv[2]);
  if (s === undefined) {
    ctx.reply.error(ERR.noKey);
    return null;
  }
  return s;
}

function subcommandSyntax(ctx: CommandContext): void {
  ctx.reply.error(
    `ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1].slice(0, 128)}'. Try ${ctx.argv[0].toUpperCase()} HELP.`,
  );
}

function intOrNull(r: ReplySink, v: U64 | null): void {
  if (v === null) r.nil();
  else r.int(v);
}

/** The 16-byte keys of the node radix tree, in order. */
function nodeKeys(s: Stream): string[] {
  return s.nodes.map((n) => encodeID(n.masterMs, n.masterSeq).toString('latin1'));
}

function pelKeys(p: Pel): string[] {
  return p.entries.map((n) => encodeID(n.ms, n.seq).toString('latin1'));
}

/** XINFO STREAM key [FULL [COUNT count]] */
function xinfoStream(ctx: CommandContext): void {
  const argv = ctx.argv;
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc !== 0) {
    if ((optc !== 1 && optc !== 3) || !eqi(argv[3], 'full')) return subcommandSyntax(ctx);
    full = true;
    if (optc === 3) {
      if (!eqi(argv[4], 'count')) return subcommandSyntax(ctx);
      const n = parseInt64(argv[5]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      count = n < 0 ? 10 : Number(n);
    }
  }
  const s = infoStream(ctx);
  if (s === null) return;
  const r = ctx.reply;
  r.map(full ? 9 : 10);
  r.bulk('length');
  r.int(s.length);
  r.bulk('radix-tree-keys');
  r.int(s.nodes.length);
  r.bulk('radix-tree-nodes');
  r.int(raxNodeCount(nodeKeys(s)));
  r.bulk('last-generated-id');
  r.bulk(formatID(s.lastMs, s.lastSeq));
  r.bulk('max-deleted-entry-id');
  r.bulk(formatID(s.maxDelMs, s.maxDelSeq));
  r.bulk('entries-added');
  r.int(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  r.bulk(formatID(s.firstMs, s.firstSeq));
  if (!full) {
    r.bulk('groups');
    r.int(s.groups === null ? 0 : s.groups.size);
    r.bulk('first-entry');
    edgeEntry(r, s, false);
    r.bulk('last-entry');
    edgeEntry(r, s, true);
    return;
  }
  r.bulk('entries');
  r.array(s.walk(MIN_ID, MAX_ID, false, count, () => true));
  s.walk(MIN_ID, MAX_ID, false, count, (node, i) => replyEntry(r, node, i));
  r.bulk('groups');
  const groups = s.groupList();
  r.array(groups.length);
  for (const g of groups) fullGroup(r, s, g, count);
}

function edgeEntry(r: ReplySink, s: Stream, last: boolean): void {
  let found: { node: StreamNode; i: number } | null = null;
  s.walk(MIN_ID, MAX_ID, last, 1, (node, i) => {
    found = { node, i };
  });
  if (found === null) return r.nil();
  const f: { node: StreamNode; i: number } = found;
  replyEntry(r, f.node, f.i);
}

function fullGroup(r: ReplySink, s: Stream, g: ConsumerGroup, count: number): void {
  r.map(7);
  r.bulk('name');
  r.bulk(g.name);
  r.bulk('last-delivered-id');
  r.bulk(formatID(g.lastMs, g.lastSeq));
  r.bulk('entries-read');
  intOrNull(r, g.entriesRead === INVALID_ENTRIES_READ ? null : g.entriesRead);
  r.bulk('lag');
  intOrNull(r, s.lag(g));
  r.bulk('pel-count');
  r.int(g.pel.size);
  r.bulk('pending');
  const pel = g.pel.entries;
  const np = count === 0 ? pel.length : Math.min(count, pel.length);
  r.array(np);
  for (let i = 0; i < np; i++) {
    const n = pel[i];
    r.array(4);
    r.bulk(formatID(n.ms, n.seq));
    r.bulk(n.consumer!.name);
    r.int(n.deliveryTime);
    r.int(n.deliveryCount);
  }
  r.bulk('consumers');
  const consumers = g.consumerList();
  r.array(consumers.length);
  for (const c of consumers) {
    r.map(4);
    r.bulk('name');
    r.bulk(c.name);
    r.bulk('seen-time');
    r.int(c.seenTime);
    r.bulk('pel-count');
    r.int(c.pel.size);
    r.bulk('pending');
    const cp = c.pel.entries;
    const nc = count === 0 ? cp.length : Math.min(count, cp.length);
    r.array(nc);
    for (let i = 0; i < nc; i++) {
      const n = cp[i];
      r.array(3);
      r.bulk(formatID(n.ms, n.seq));
      r.int(n.deliveryTime);
      r.int(n.deliveryCount);
    }
  }
}

/** XINFO GROUPS key */
function xinfoGroups(ctx: CommandContext): void {
  const s = infoStream(ctx);
  if (s === null) return;
  const r = ctx.reply;
  const groups = s.groupList();
  r.array(groups.length);
  for (const g of groups) {
    r.map(6);
    r.bulk('name');
    r.bulk(g.name);
    r.bulk('consumers');
    r.int(g.consumers.size);
    r.bulk('pending');
    r.int(g.pel.size);
    r.bulk('last-delivered-id');
    r.bulk(formatID(g.lastMs, g.lastSeq));
    r.bulk('entries-read');
    intOrNull(r, g.entriesRead === INVALID_ENTRIES_READ ? null : g.entriesRead);
    r.bulk('lag');
    intOrNull(r, s.lag(g));
  }
}

/** XINFO CONSUMERS key group */
function xinfoConsumers(ctx: CommandContext): void {
  const s = infoStream(ctx);
  if (s === null) return;
  const g = s.group(ctx.argv[3]);
  if (g === undefined) {
    return ctx.reply.error(`NOGROUP No such consumer group '${ctx.argv[3]}' for key name '${ctx.argv[2]}'`);
  }
  const r = ctx.reply;
  const now = clock.now();
  const consumers = g.consumerList();
  r.array(consumers.length);
  for (const c of consumers) {
    r.map(3);
    r.bulk('name');
    r.bulk(c.name);
    r.bulk('pending');
    r.int(c.pel.size);
    r.bulk('idle');
    r.int(Math.max(0, now - c.seenTime));
  }
}

// ---- DEBUG DIGEST and MEMORY USAGE ------------------------------------------------

/** xorObjectDigest for a stream: each live entry's "<ms>.<seq>", then its fields and values. */
export function streamDigest(d: Digest, v: TypedValue): void {
  const s = v as Stream;
  s.walk(MIN_ID, MAX_ID, false, 0, (node, i) => {
    mixDigest(d, `${node.ms[i]}.${node.seq[i]}`);
    const nf = node.numFields(i);
    for (let j = 0; j < nf; j++) {
      mixDigest(d, node.field(i, j));
      mixDigest(d, node.value(i, j));
    }
  });
}

/** robj + sizeof(stream) */
const STREAM_OVERHEAD = 16 + 80;
const CG_SIZE = 40;
const NACK_SIZE = 24;
const CONSUMER_SIZE = 24;

/** streamRadixTreeMemoryUsage (its `size =` drops sizeof(rax), as Redis's does). */
function raxUsage(elements: number, nodes: number): number {
  return elements * 16 + nodes * 4 + nodes * 8 * 30;
}

/** zmalloc_size of a node's listpack: its preallocation until it outgrew it or was fitted. */
function listpackAlloc(n: StreamNode): number {
  const bytes = n.bytes;
  if (n.prealloc === 0 || n.shrunk) return jemallocSize(bytes);
  return Math.max(jemallocSize(n.prealloc), jemallocSize(bytes));
}

/** objectComputeSize for a stream. */
export function streamMemoryUsage(v: Value, samples: number): number {
  const s = v as Stream;
  let size = STREAM_OVERHEAD + raxUsage(s.nodes.length, raxNodeCount(nodeKeys(s)));
  const nodes = s.nodes;
  let sampled = 0;
  let lpsize = 0;
  while (sampled < samples && sampled < nodes.length) lpsize += listpackAlloc(nodes[sampled++]);
  if (nodes.length <= sampled) {
    size += lpsize;
  } else {
    if (sampled > 0) lpsize = Math.floor(lpsize / sampled);
    size += lpsize * (nodes.length - 1) + listpackAlloc(nodes[nodes.length - 1]);
  }
  if (s.groups !== null) {
    for (const g of s.groups.values()) {
      size += CG_SIZE + raxUsage(g.pel.size, raxNodeCount(pelKeys(g.pel))) + NACK_SIZE * g.pel.size;
      for (const c of g.consumers.values()) {
        size += CONSUMER_SIZE + c.name.length + raxUsage(c.pel.size, raxNodeCount(pelKeys(c.pel)));
      }
    }
  }
  return size;
}

export const STREAM_INFO_COMMANDS: CommandDef[] = [
  { name: 'xinfo|stream', handler: xinfoStream },
  { name: 'xinfo|groups', handler: xinfoGroups },
  { name: 'xinfo|consumers', handler: xinfoConsumers },
  { name: 'xinfo|help', handler: (ctx) => replyHelp(ctx, XINFO_HELP) },
];
