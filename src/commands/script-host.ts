/**
 * What a running script (EVAL or FCALL) sees of the server: redis.call runs
 * the command through call() on the calling client, nested, with its reply
 * captured (so its effects collect with the script's and the outermost call
 * emits them together, wrapped in MULTI/EXEC), after the checks script.c's
 * scriptCall makes. And the conversions between the engine's Reply values
 * and the wire.
 */
import type { CommandContext } from '../dispatch/command-spec.js';
import { call } from '../dispatch/call.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import { decode, type RespValue } from '../protocol/resp-value.js';
import { ERR } from '../protocol/errors.js';
import { SCRIPT_FLAG_ALLOW_OOM } from '../scripting/script-flags.js';
import { SCRIPT_FLAG_ALLOW_CROSS_SLOT, SCRIPT_FLAG_EVAL_COMPAT_MODE, type Reply, type RespVersion, type ScriptHost, type ScriptLogLevel } from '../scripting/index.js';
import { scriptClusterCheck, type ScriptSlotScope } from '../cluster/routing.js';
import { keyHashSlot } from '../cluster/key-slot.js';
import { HEAP_OOM } from '../keyspace/heap-guard.js';

/** RESP value (as decoded from a reply) → the engine's Reply. */
function toReply(v: RespValue): Reply {
  switch (v.type) {
    case 'simple': return { type: 'status', value: v.value };
    case 'error': return { type: 'error', value: v.value };
    case 'integer': {
      const n = Number(v.value);
      return { type: 'integer', value: Number.isSafeInteger(n) ? n : v.value };
    }
    case 'bulk': return { type: 'bulk', value: v.value };
    case 'verbatim': return { type: 'verbatim', format: v.format, value: v.value };
    case 'double': return { type: 'double', value: Number(v.value === 'inf' ? Infinity : v.value === '-inf' ? -Infinity : v.value) };
    case 'bignum': return { type: 'bignum', value: v.value };
    case 'boolean': return { type: 'boolean', value: v.value };
    case 'null': return { type: 'null' };
    case 'array': return { type: 'array', value: v.value === null ? null : v.value.map(toReply) };
    case 'set': case 'push': return { type: 'set', value: v.value.map(toReply) };
    case 'map': case 'attribute': return { type: 'map', value: v.value.map(([k, x]) => [toReply(k), toReply(x)] as [Reply, Reply]) };
  }
}

/**
 * The replies most redis.calls get — a small integer, a status, one bulk
 * string — read straight from the bytes: the general decoder's BigInt and
 * line copies cost more than the command. Null for anything else.
 */
function quickReply(b: Buffer, n: number): Reply | null {
  if (n < 4 || b[n - 2] !== 13 || b[n - 1] !== 10) return null;
  const kind = b[0];
  if (kind === 0x3a) {
    // ':' then up to 15 digits (always a safe integer), optional '-'.
    let i = 1;
    const neg = b[1] === 0x2d;
    if (neg) i++;
    const end = n - 2;
    if (end === i || end - i > 15) return null;
    let v = 0;
    for (; i < end; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return { type: 'integer', value: neg ? -v : v };
  }
  if (kind === 0x2b) {
    const cr = b.indexOf(13, 1);
    return cr === n - 2 ? { type: 'status', value: b.latin1Slice(1, cr) } : null;
  }
  if (kind === 0x24) {
    const cr = b.indexOf(13, 1);
    if (cr < 2 || b[1] === 0x2d) return null;
    let len = 0;
    for (let i = 1; i < cr; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) return null;
      len = len * 10 + c;
    }
    return cr + 2 + len + 2 === n ? { type: 'bulk', value: b.latin1Slice(cr + 2, cr + 2 + len) } : null;
  }
  return null;
}

/** A script's result to the client; the writer shapes RESP3 types for RESP2 clients. */
export function writeReply(ctx: CommandContext, r: Reply): void {
  const w = ctx.reply;
  switch (r.type) {
    case 'status': return w.simple(r.value);
    case 'error': return w.error(r.value);
    case 'integer': return w.int(r.value);
    case 'bulk': return w.bulk(r.value);
    case 'nullbulk': return w.nil();
    case 'null': return w.nil();
    case 'array':
      if (r.value === null) return w.nilArray();
      w.array(r.value.length);
      for (const x of r.value) writeReply(ctx, x);
      return;
    case 'set':
      w.set(r.value.length);
      for (const x of r.value) writeReply(ctx, x);
      return;
    case 'map':
      w.map(r.value.length);
      for (const [k, x] of r.value) {
        writeReply(ctx, k);
        writeReply(ctx, x);
      }
      return;
    case 'double': return w.double(r.value);
    case 'boolean': return w.bool(r.value);
    case 'bignum': return w.bigNumber(r.value);
    case 'verbatim': return w.verbatim(r.value, r.format);
  }
}

/** redis.LOG_* → the server log's levels. */
export const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

/**
 * The host of the script being run. One per server, reused by every run
 * (only one script runs at a time): begin() points it at the calling command.
 */
export class ScriptCallHost implements ScriptHost {
  private ctx: CommandContext | null = null;
  private readonly capture = new ReplyWriter();
  /** SCRIPT_READ_ONLY: EVAL_RO / FCALL_RO, or a no-writes script. */
  private readOnly = false;
  /** SCRIPT_WRITE_DIRTY: the script called a write command (it can no longer be killed). */
  wrote = false;
  /** SCRIPT_ALLOW_OOM: a script that declared allow-oom. */
  private allowOom = false;
  /** In cluster mode, the slot the run is bound to and whether it may leave it. */
  private readonly slotScope: ScriptSlotScope = { slot: -1, allowCrossSlot: true };

  /**
   * `flags` are the script's (SCRIPT_FLAG_*), `keys` the ones it declared:
   * in cluster mode processCommand bound the run to their slot (c->slot).
   */
  begin(ctx: CommandContext, readOnly: boolean, flags: number, keys: readonly string[]): this {
    this.ctx = ctx;
    this.readOnly = readOnly;
    this.wrote = false;
    this.allowOom = (flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) === 0 && (flags & SCRIPT_FLAG_ALLOW_OOM) !== 0;
    if (ctx.server.cluster !== null) {
      this.slotScope.slot = keys.length > 0 ? keyHashSlot(keys[0]) : -1;
      this.slotScope.allowCrossSlot = (flags & (SCRIPT_FLAG_EVAL_COMPAT_MODE | SCRIPT_FLAG_ALLOW_CROSS_SLOT)) !== 0;
    }
    return this;
  }

  log(level: ScriptLogLevel, message: string): void {
    this.ctx?.server.log.log(LOG_LEVELS[level], message);
  }

  /** scriptCall: the checks in script.c's order, then the command on the caller's client, its reply captured. */
  call(argv: string[], resp: RespVersion): Reply {
    const ctx = this.ctx!;
    const c = ctx.client;
    const server = ctx.server;
    const ks = ctx.ks;
    const cmd = argv.length > 0 ? server.commands.lookupArgv(argv) : undefined;
    if (cmd === undefined || cmd.handler === null) return { type: 'error', value: 'ERR Unknown Redis command called from script' };
    if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) {
      return { type: 'error', value: 'ERR Wrong number of args calling Redis command from script' };
    }
    if (cmd.flags.has('noscript')) return { type: 'error', value: 'ERR This Redis command is not allowed from script' };
    if (ks.isReplica && !cmd.flags.has('stale') && !server.replicaSide.connected() && !server.config.bool('replica-serve-stale-data')) {
      return { type: 'error', value: 'ERR Can not execute the command on a stale replica' };
    }
    if (cmd.isWrite) {
      if (this.readOnly) return { type: 'error', value: 'ERR Write commands are not allowed from read-only scripts.' };
      if (ks.isReplica && !c.isMaster && server.config.bool('replica-read-only')) return { type: 'error', value: ERR.readOnly };
      if (server.diskError) {
        if (server.rdb.deniesWrites()) return { type: 'error', value: ERR.misconf };
        if (server.aof.deniesWrites()) return { type: 'error', value: `MISCONF Errors writing to the AOF file: ${server.aof.lastWriteError}` };
      }
    }
    // scriptVerifyOOM: only the first write may be refused, never half a script's effects.
    if (server.maxmemory !== 0 && server.scriptOom && !this.allowOom && !this.wrote && !c.isMaster && !ks.isReplica &&
        cmd.flags.has('denyoom')) {
      return { type: 'error', value: ERR.oom };
    }
    if (server.heapGuard.critical && !this.wrote && !c.isMaster && !ks.isReplica && cmd.flags.has('denyoom')) {
      return { type: 'error', value: HEAP_OOM };
    }
    if (cmd.isWrite) this.wrote = true;
    // Last of scriptCall's checks: the key must be served here (and in the run's slot).
    const cluster = server.cluster;
    if (cluster !== null) {
      const err = scriptClusterCheck(cluster, c, cmd, argv, this.slotScope);
      if (err !== null) return { type: 'error', value: err };
    }
    const saved = c.reply;
    const savedArgv = c.argv;
    const savedCmd = c.cmd;
    // One writer for every redis.call (a script cannot run another): its buffer is reused.
    const capture = this.capture;
    capture.truncate(0);
    capture.resp = resp;
    c.reply = capture;
    const wasInScript = c.inScript;
    c.inScript = true;
    try {
      call(c, cmd, argv);
    } finally {
      c.reply = saved;
      c.inScript = wasInScript;
      c.argv = savedArgv;
      c.cmd = savedCmd;
    }
    // The common replies are read in place; others are decoded from a detached view.
    const quick = quickReply(capture.pending, capture.length);
    if (quick !== null) return quick;
    const d = decode(capture.detach(), 0);
    capture.reuse(); // the decoded reply holds strings, not the bytes
    return d === undefined ? { type: 'nullbulk' } : toReply(d.value);
  }
}
