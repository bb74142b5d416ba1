/**
 * SLOWLOG, LATENCY, MEMORY and MONITOR (slowlog.c, latency.c, object.c,
 * replication.c monitorCommand), with Redis 7.0's reply shapes and texts.
 */
import { jemallocSize } from '../observe/alloc-size.js';
import type { CommandContext, CommandDef, CommandSpec } from '../dispatch/command-spec.js';
import type { Value } from '../keyspace/value.js';
import { isString } from '../keyspace/value.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { replyHelp, subSyntax } from './client.js';
import { cumulativeDistribution, histTotal } from '../observe/histogram.js';
import { usedMemory, noteStartupMemory, startupMemoryBytes } from '../observe/info.js';
import type { LatencyEvent } from '../observe/latency.js';

// ---- SLOWLOG ----------------------------------------------------------------

/** SLOWLOG GET [count] */
function slowlogGet(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(subSyntax(argv[1], 'SLOWLOG'));
  const entries = ctx.server.slowlog.entries;
  let count = 10;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null || n < -1n) return ctx.reply.error('ERR count should be greater than or equal to -1');
    count = n === -1n || n === -1 ? entries.length : Number(n);
  }
  const n = Math.min(count, entries.length);
  const r = ctx.reply;
  r.array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    r.array(6);
    r.int(e.id);
    r.int(e.time);
    r.int(e.usec);
    r.array(e.argv.length);
    for (const a of e.argv) r.bulk(a);
    r.bulk(e.addr);
    r.bulk(e.name);
  }
}

const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

// ---- LATENCY ----------------------------------------------------------------

function latencyLatest(ctx: CommandContext): void {
  const r = ctx.reply;
  const events = ctx.server.latency.events;
  r.array(events.size);
  for (const [name, e] of events) {
    const last = e.samples[e.samples.length - 1];
    r.array(4);
    r.bulk(name);
    r.int(last ? last.time : 0);
    r.int(last ? last.latency : 0);
    r.int(e.max);
  }
}

function latencyHistory(ctx: CommandContext): void {
  const e = ctx.server.latency.events.get(ctx.argv[2]);
  const r = ctx.reply;
  if (!e) return r.array(0);
  r.array(e.samples.length);
  for (const s of e.samples) {
    r.array(2);
    r.int(s.time);
    r.int(s.latency);
  }
}

function latencyReset(ctx: CommandContext): void {
  ctx.reply.int(ctx.server.latency.reset(ctx.argv.slice(2)));
}

/** sparkline.c: renders samples as a 4-row graph with vertical labels. */
function sparkline(samples: Array<{ value: number; label: string }>, columns: number, rows: number): string {
  const charset = '_-`';
  const fill = '_o#';
  let out = '';
  if (samples.length === 0) return out;
  let min = samples[0].value;
  let max = samples[0].value;
  for (const s of samples) {
    if (s.value < min) min = s.value;
    if (s.value > max) max = s.value;
  }
  for (let off = 0; off < samples.length; off += columns) {
    const len = Math.min(columns, samples.length - off);
    if (off !== 0) out += '\n';
    let relmax = max - min;
    if (relmax === 0) relmax = 1;
    const steps = charset.length * rows;
    let row = 0;
    for (let loop = true; loop; ) {
      loop = false;
      const chars: string[] = new Array(len).fill(' ');
      for (let j = 0; j < len; j++) {
        const s = samples[off + j];
        let step = Math.trunc(((s.value - min) * steps) / relmax);
        if (step < 0) step = 0;
        if (step >= steps) step = steps - 1;
        if (row < rows) {
          const ci = step - (rows - row - 1) * charset.length;
          loop = true;
          if (ci >= 0 && ci < charset.length) chars[j] = fill[ci];
          else if (ci >= charset.length) chars[j] = '|';
        } else {
          if (row - rows < 1) {
            loop = true;
            break;
          }
          const lc = row - rows - 1;
          if (s.label.length > lc) {
            loop = true;
            chars[j] = s.label[lc];
          }
        }
      }
      if (loop) {
        row++;
        out += chars.join('') + '\n';
      }
    }
  }
  return out;
}

function ageLabel(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.floor(elapsed / 60)}m`;
  if (elapsed < 86400) return `${Math.floor(elapsed / 3600)}h`;
  return `${Math.floor(elapsed / 86400)}d`;
}

function latencyGraph(ctx: CommandContext): void {
  const name = ctx.argv[2];
  const e = ctx.server.latency.events.get(name);
  if (!e) return ctx.reply.error(`ERR No samples available for event '${name}'`);
  const now = Math.floor(Date.now() / 1000);
  let min = 0;
  let max = 0;
  e.samples.forEach((s, i) => {
    if (i === 0) min = max = s.latency;
    else {
      if (s.latency > max) max = s.latency;
      if (s.latency < min) min = s.latency;
    }
  });
  let g = `${name} - high ${max} ms, low ${min} ms (all time high ${e.max} ms)\n${'-'.repeat(80)}\n`;
  g += sparkline(
    e.samples.map((s) => ({ value: s.latency, label: ageLabel(now - s.time) })),
    80,
    4,
  );
  ctx.reply.verbatim(g);
}

function analyze(e: LatencyEvent): { samples: number; avg: number; mad: number; period: number } {
  let sum = 0;
  let oldest = 0;
  for (const s of e.samples) {
    sum += s.latency;
    if (oldest === 0 || s.time < oldest) oldest = s.time;
  }
  const n = e.samples.length;
  if (n === 0) return { samples: 0, avg: 0, mad: 0, period: 0 };
  const avg = Math.floor(sum / n);
  let period = Math.floor(Date.now() / 1000) - oldest;
  if (period === 0) period = 1;
  let dev = 0;
  for (const s of e.samples) dev += Math.abs(avg - s.latency);
  return { samples: n, avg, mad: Math.floor(dev / n), period };
}

/** createLatencyReport, for the events Reddish records (command, fast-command and the like). */
function latencyDoctor(ctx: CommandContext): void {
  const server = ctx.server;
  const events = server.latency.events;
  const threshold = server.latencyThreshold;
  if (events.size === 0 && threshold === 0) {
    return ctx.reply.verbatim(
      'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n',
    );
  }
  let report = '';
  let n = 0;
  let advices = 0;
  let slowlogEnabled = false;
  let slowlogTuning = false;
  let slowlogInspect = false;
  let largeObjects = false;
  let scheduler = false;
  for (const [name, e] of events) {
    n++;
    if (n === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const ls = analyze(e);
    report += `${n}. ${name}: ${ls.samples} latency spikes (average ${ls.avg}ms, mean deviation ${ls.mad}ms, period ${(ls.period / ls.samples).toFixed(2)} sec). Worst all time event ${e.max}ms.`;
    if (name === 'command') {
      const slower = server.slowlogThreshold;
      if (slower < 0 || server.slowlog.maxLen === 0) {
        slowlogEnabled = true;
        advices++;
      } else if (Math.floor(slower / 1000) > threshold) {
        slowlogTuning = true;
        advices++;
      }
      slowlogInspect = true;
      largeObjects = true;
      advices += 2;
    }
    if (name === 'fast-command') {
      scheduler = true;
      advices++;
    }
    report += '\n';
  }
  if (n === 0 && advices === 0) {
    report +=
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep better now.\n';
  } else if (n > 0 && advices === 0) {
    report +=
      "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  } else {
    report += '\nI have a few advices for you:\n\n';
    if (slowlogEnabled) {
      report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
    }
    if (slowlogTuning) {
      report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'.\n`;
    }
    if (slowlogInspect) {
      report +=
        '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n';
    }
    if (scheduler) {
      report +=
        '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
        '  1) Lower the system load.\n' +
        '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
        '  3) Check if you have a "noisy neighbour" problem.\n' +
        "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
        '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n';
    }
    if (largeObjects) {
      report +=
        '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
    }
  }
  ctx.reply.verbatim(report);
}

/** LATENCY HISTOGRAM [command ...] */
function latencyHistogram(ctx: CommandContext): void {
  const table = ctx.server.commands;
  const chosen: CommandSpec[] = [];
  const consider = (c: CommandSpec) => {
    if (c.stats.hist !== null && histTotal(c.stats.hist) > 0 && !chosen.includes(c)) chosen.push(c);
  };
  if (ctx.argv.length === 2) {
    for (const c of table.all()) consider(c);
  } else {
    for (let j = 2; j < ctx.argv.length; j++) {
      const c = table.lookupFull(ctx.argv[j]);
      if (!c) continue;
      consider(c);
      if (c.subcommands) for (const s of c.subcommands.values()) consider(s);
    }
  }
  const r = ctx.reply;
  r.map(chosen.length);
  for (const c of chosen) {
    const h = c.stats.hist!;
    const total = histTotal(h);
    r.bulk(c.fullname);
    r.map(2);
    r.bulk('calls');
    r.int(total);
    r.bulk('histogram_usec');
    const cdf = cumulativeDistribution(h, total);
    r.map(cdf.length);
    for (const [us, n] of cdf) {
      r.int(us);
      r.int(n);
    }
  }
}

const LATENCY_HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
];

// ---- MEMORY -----------------------------------------------------------------

/** sdsReqType's header size for a string of len bytes. */
function sdsHdr(len: number): number {
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 2 ** 32) return 9;
  return 17;
}

/** sdsZmallocSize of an exact-fit sds. */
export function sdsSize(len: number): number {
  return jemallocSize(sdsHdr(len) + len + 1);
}

/** String encodings as Redis picks them (tryObjectEncoding): int, embstr or raw. */
export function stringEncoding(v: Value): 'int' | 'embstr' | 'raw' {
  if (typeof v !== 'string') return 'raw';
  if (v.length <= 20 && /^(0|-?[1-9][0-9]*)$/.test(v)) {
    const n = BigInt(v);
    if (n >= -9223372036854775808n && n <= 9223372036854775807n) return 'int';
  }
  return v.length <= 44 ? 'embstr' : 'raw';
}

/**
 * Sizes of non-string values, keyed by kind; the data-types code registers an
 * estimator per type (objectComputeSize, sampling `samples` elements).
 */
export const VALUE_SIZES: Partial<Record<string, (v: Value, samples: number) => number>> = {};

/** objectComputeSize for the value alone (robj included). */
export function valueSize(v: Value, samples: number): number {
  if (isString(v)) {
    const enc = stringEncoding(v);
    if (enc === 'int') return 16;
    if (enc === 'embstr') return jemallocSize(16 + 3 + v.length + 1);
    // An edited value grew as an sds does (sdsMakeRoomFor doubles below 1 MiB).
    const cap = typeof v === 'string' ? v.length : Math.max(v.buf.length, v.length < 1048576 ? v.length * 2 : v.length + 1048576);
    return jemallocSize(sdsHdr(cap) + cap + 1) + 16;
  }
  const fn = VALUE_SIZES[v.kind];
  return fn ? fn(v, samples) : 16 + 64;
}

/** MEMORY USAGE key [SAMPLES count] */
function memoryUsage(ctx: CommandContext): void {
  const argv = ctx.argv;
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'samples' && j + 1 < argv.length) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      if (n < 0) return ctx.reply.error(ERR.syntax);
      samples = n === 0 || n === 0n ? Number.MAX_SAFE_INTEGER : Number(n);
      j++;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  const key = argv[2];
  const e = ctx.ks.peekEntry(ctx.db, key);
  if (!e) return ctx.reply.nil();
  ctx.reply.int(valueSize(e.value, samples) + sdsSize(key.length) + 24);
}

function memoryStats(ctx: CommandContext): void {
  noteStartupMemory();
  const s = ctx.server;
  const m = process.memoryUsage();
  const used = usedMemory();
  if (used > s.cron.memoryPeak) s.cron.memoryPeak = used;
  const peak = s.cron.memoryPeak;
  let clients = 0;
  for (const c of s.clients.values()) clients += c.parser.pending + c.reply.length + c.outputBacklog();
  const dbs = s.ks.dbs.filter((d) => d.keys.size > 0);
  let keys = 0;
  let dbOverhead = 0;
  for (const d of dbs) {
    keys += d.keys.size;
    dbOverhead += d.keys.size * 24 + d.expires.size * 24;
  }
  const startup = Math.min(used, startupMemoryBytes());
  const overhead = startup + clients + dbOverhead;
  const dataset = Math.max(0, used - overhead);
  const allocated = m.heapTotal + m.external;
  const rss = m.rss;
  const r = ctx.reply;
  r.map(27 + dbs.length);
  const kv = (k: string, v: number) => {
    r.bulk(k);
    r.int(Math.round(v));
  };
  const kd = (k: string, v: number) => {
    r.bulk(k);
    r.double(v);
  };
  kv('peak.allocated', peak);
  kv('total.allocated', used);
  kv('startup.allocated', startup);
  kv('replication.backlog', 0);
  kv('clients.slaves', 0);
  kv('clients.normal', clients);
  kv('cluster.links', 0);
  kv('aof.buffer', 0);
  kv('lua.caches', 0);
  kv('functions.caches', 0);
  for (const d of dbs) {
    r.bulk(`db.${d.id}`);
    r.map(3);
    kv('overhead.hashtable.main', d.keys.size * 24);
    kv('overhead.hashtable.expires', d.expires.size * 24);
    kv('overhead.hashtable.slot-to-keys', 0);
  }
  kv('overhead.total', overhead);
  kv('keys.count', keys);
  kv('keys.bytes-per-key', keys ? Math.floor(dataset / keys) : 0);
  kv('dataset.bytes', dataset);
  kd('dataset.percentage', used > 0 ? (dataset * 100) / used : 0);
  kd('peak.percentage', peak > 0 ? (used * 100) / peak : 0);
  kv('allocator.allocated', used);
  kv('allocator.active', allocated);
  kv('allocator.resident', rss);
  kd('allocator-fragmentation.ratio', used > 0 ? allocated / used : 0);
  kv('allocator-fragmentation.bytes', allocated - used);
  kd('allocator-rss.ratio', allocated > 0 ? rss / allocated : 0);
  kv('allocator-rss.bytes', rss - allocated);
  kd('rss-overhead.ratio', 1);
  kv('rss-overhead.bytes', 0);
  kd('fragmentation', used > 0 ? rss / used : 0);
  kv('fragmentation.bytes', rss - used);
}

function memoryDoctor(ctx: CommandContext): void {
  if (usedMemory() - startupMemoryBytes() < 5 * 1024 * 1024) {
    return ctx.reply.verbatim(
      'Hi Sam, this instance is empty or is using very little memory, my issues detector can\'t be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n',
    );
  }
  ctx.reply.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
}

const MEMORY_HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

// ---- MONITOR ----------------------------------------------------------------

function monitor(ctx: CommandContext): void {
  const c = ctx.client;
  if (c.monitor) return; // already monitoring: Redis ignores it without a reply
  c.monitor = true;
  ctx.server.monitors.add(c);
  ctx.reply.ok();
}

export const INTROSPECTION_COMMANDS: CommandDef[] = [
  { name: 'slowlog|get', handler: slowlogGet },
  { name: 'slowlog|len', handler: (ctx) => ctx.reply.int(ctx.server.slowlog.entries.length) },
  {
    name: 'slowlog|reset',
    handler: (ctx) => {
      ctx.server.slowlog.reset();
      ctx.reply.ok();
    },
  },
  { name: 'slowlog|help', handler: (ctx) => replyHelp(ctx, SLOWLOG_HELP) },
  { name: 'latency|latest', handler: latencyLatest },
  { name: 'latency|history', handler: latencyHistory },
  { name: 'latency|reset', handler: latencyReset },
  { name: 'latency|graph', handler: latencyGraph },
  { name: 'latency|doctor', handler: latencyDoctor },
  { name: 'latency|histogram', handler: latencyHistogram },
  { name: 'latency|help', handler: (ctx) => replyHelp(ctx, LATENCY_HELP) },
  { name: 'memory|usage', handler: memoryUsage },
  { name: 'memory|stats', handler: memoryStats },
  { name: 'memory|doctor', handler: memoryDoctor },
  { name: 'memory|malloc-stats', handler: (ctx) => ctx.reply.verbatim('Stats not supported for the current allocator') },
  { name: 'memory|purge', handler: (ctx) => ctx.reply.ok() },
  { name: 'memory|help', handler: (ctx) => replyHelp(ctx, MEMORY_HELP) },
  { name: 'monitor', handler: monitor },
];
