/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT, on the Lua engine of
 * src/scripting/. A script's redis.call runs the command through call() on
 * the calling client, nested: its effects collect with the script's and the
 * outermost call emits them together (wrapped in MULTI/EXEC when more than
 * one), so replicas and the AOF get the script's writes, not the script.
 * Blocking commands don't block inside a script (the nesting depth says so).
 *
 * Not yet: busy-reply-threshold (-BUSY to other clients) and SCRIPT KILL of a
 * running script, shebang flags, Functions.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { call } from '../dispatch/call.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import { decode, type RespValue } from '../protocol/resp-value.js';
import { createScriptEngine, type Reply, type RespVersion, type ScriptEngine } from '../scripting/index.js';
import type { Server } from '../server.js';
import { replyHelp } from './client.js';
import { parseInt64 } from '../util/numbers.js';

const engines = new WeakMap<Server, ScriptEngine>();

/** The server's Lua engine, created on the first script (the VM costs nothing until then). */
function engineOf(server: Server): ScriptEngine {
  let e = engines.get(server);
  if (e === undefined) {
    e = createScriptEngine();
    engines.set(server, e);
  }
  return e;
}

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

/** A script's result to the client; the writer shapes RESP3 types for RESP2 clients. */
function writeReply(ctx: CommandContext, r: Reply): void {
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

/** redis.call: the checks scriptCall makes, then the command on the caller's client, its reply captured. */
function scriptCall(ctx: CommandContext, readOnly: boolean, argv: string[], resp: RespVersion): Reply {
  const c = ctx.client;
  const cmd = argv.length > 0 ? ctx.server.commands.lookupArgv(argv) : undefined;
  if (cmd === undefined || cmd.handler === null) return { type: 'error', value: 'ERR Unknown Redis command called from script' };
  if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) {
    return { type: 'error', value: 'ERR Wrong number of args calling Redis command from script' };
  }
  if (cmd.flags.has('noscript')) return { type: 'error', value: 'ERR This Redis command is not allowed from script' };
  if (cmd.isWrite) {
    if (readOnly) return { type: 'error', value: 'ERR Write commands are not allowed from read-only scripts.' };
    if (ctx.ks.isReplica && ctx.server.config.bool('replica-read-only') && !c.isMaster) {
      return { type: 'error', value: "READONLY You can't write against a read only replica." };
    }
  }
  const saved = c.reply;
  const savedArgv = c.argv;
  const savedCmd = c.cmd;
  const capture = new ReplyWriter();
  capture.resp = resp;
  c.reply = capture;
  try {
    call(c, cmd, argv);
  } finally {
    c.reply = saved;
    c.argv = savedArgv;
    c.cmd = savedCmd;
  }
  const bytes = capture.detach();
  const d = decode(bytes, 0);
  return d === undefined ? { type: 'nullbulk' } : toReply(d.value);
}

function numKeysOrReply(ctx: CommandContext): number | null {
  const n = parseInt64(ctx.argv[2]);
  if (n === null) {
    ctx.reply.error('ERR value is not an integer or out of range');
    return null;
  }
  if (Number(n) > ctx.argv.length - 3) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (Number(n) < 0) {
    ctx.reply.error("ERR Number of keys can't be negative");
    return null;
  }
  return Number(n);
}

function run(ctx: CommandContext, sha: string, readOnly: boolean): void {
  const numkeys = numKeysOrReply(ctx);
  if (numkeys === null) return;
  const keys = ctx.argv.slice(3, 3 + numkeys);
  const args = ctx.argv.slice(3 + numkeys);
  const host = {
    call: (argv: string[], resp: RespVersion): Reply => scriptCall(ctx, readOnly, argv, resp),
    log: (level: number, message: string): void => {
      const lv = level === 0 ? 'debug' : level === 1 ? 'verbose' : level === 2 ? 'notice' : 'warning';
      ctx.server.log.log(lv, message);
    },
  };
  const result = engineOf(ctx.server).run(sha, keys, args, host, { resp: ctx.reply.resp });
  // The script's writes propagated as themselves (its nested calls), so never EVAL too. Said after
  // the run: each nested call starts by clearing the client's propagation override.
  ctx.preventPropagation();
  writeReply(ctx, result);
}

function evalCommand(ctx: CommandContext, readOnly: boolean): void {
  const loaded = engineOf(ctx.server).load(ctx.argv[1]);
  if ('error' in loaded) {
    if (numKeysOrReply(ctx) === null) return;
    return ctx.reply.error(loaded.error);
  }
  run(ctx, loaded.sha, readOnly);
}

function evalshaCommand(ctx: CommandContext, readOnly: boolean): void {
  run(ctx, ctx.argv[1].toLowerCase(), readOnly);
}

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Prints this help.',
];

export const SCRIPTING_COMMANDS: CommandDef[] = [
  { name: 'eval', handler: (ctx) => evalCommand(ctx, false) },
  { name: 'eval_ro', handler: (ctx) => evalCommand(ctx, true) },
  { name: 'evalsha', handler: (ctx) => evalshaCommand(ctx, false) },
  { name: 'evalsha_ro', handler: (ctx) => evalshaCommand(ctx, true) },
  {
    name: 'script|load',
    handler: (ctx) => {
      const r = engineOf(ctx.server).load(ctx.argv[2]);
      if ('error' in r) ctx.reply.error(r.error);
      else ctx.reply.bulk(r.sha);
    },
  },
  {
    name: 'script|exists',
    handler: (ctx) => {
      const e = engineOf(ctx.server);
      ctx.reply.array(ctx.argv.length - 2);
      for (const sha of ctx.argv.slice(2)) ctx.reply.int(e.has(sha.toLowerCase()) ? 1 : 0);
    },
  },
  {
    name: 'script|flush',
    handler: (ctx) => {
      if (ctx.argv.length > 3 || (ctx.argv.length === 3 && !['async', 'sync'].includes(ctx.argv[2].toLowerCase()))) {
        return ctx.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      }
      engineOf(ctx.server).flush();
      ctx.reply.ok();
    },
  },
  // Scripts run to completion inside one command, so none can be running when this arrives.
  { name: 'script|kill', handler: (ctx) => ctx.reply.error('NOTBUSY No scripts in execution right now.') },
  { name: 'script|help', handler: (ctx) => replyHelp(ctx, SCRIPT_HELP) },
];
