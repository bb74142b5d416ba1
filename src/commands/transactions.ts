/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH (multi.c). Queueing itself happens in
 * processCommand; EXEC runs the queue through call(), so the commands are
 * measured and propagated one by one and the propagator wraps them in
 * MULTI/EXEC because they belong to one outer call.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { call } from '../dispatch/call.js';

function multi(ctx: CommandContext): void {
  const c = ctx.client;
  if (c.multi !== null) return ctx.reply.error(ERR.multiNested);
  c.multi = { queue: [], failed: false };
  ctx.reply.ok();
}

function discardState(ctx: CommandContext): void {
  const c = ctx.client;
  c.multi = null;
  c.dirtyCas = false;
  c.unwatchAll();
}

function discard(ctx: CommandContext): void {
  if (ctx.client.multi === null) return ctx.reply.error(ERR.discardWithoutMulti);
  discardState(ctx);
  ctx.reply.ok();
}

function exec(ctx: CommandContext): void {
  const c = ctx.client;
  const m = c.multi;
  if (m === null) return ctx.reply.error(ERR.execWithoutMulti);
  if (m.failed) {
    discardState(ctx);
    return ctx.reply.error(ERR.execAbort);
  }
  // A watched key that expired since WATCH counts as changed (isWatchedKeyExpired).
  if (c.dirtyCas || ctx.server.watchers.watchedKeyExpired(c)) {
    discardState(ctx);
    return ctx.reply.nilArray();
  }
  c.multi = null;
  c.unwatchAll();
  const savedArgv = c.argv;
  const savedCmd = c.cmd;
  ctx.reply.array(m.queue.length);
  for (const q of m.queue) {
    if (ctx.ks.isReplica && ctx.server.config.bool('replica-read-only') && q.cmd.isWrite && !c.isMaster) {
      ctx.reply.error(ERR.readOnly);
      continue;
    }
    call(c, q.cmd, q.argv);
  }
  c.argv = savedArgv;
  c.cmd = savedCmd;
  c.dirtyCas = false;
}

function watch(ctx: CommandContext): void {
  const c = ctx.client;
  if (c.multi !== null) return ctx.reply.error(ERR.watchInMulti);
  // A key already expired when watched counts as touched if it is later written (Redis 7.0 watches by name).
  for (let i = 1; i < ctx.argv.length; i++) ctx.server.watchers.watch(ctx.db, ctx.argv[i], c);
  ctx.reply.ok();
}

function unwatch(ctx: CommandContext): void {
  ctx.client.unwatchAll();
  ctx.client.dirtyCas = false;
  ctx.reply.ok();
}

export const TRANSACTION_COMMANDS: CommandDef[] = [
  { name: 'multi', handler: multi },
  { name: 'exec', handler: exec },
  { name: 'discard', handler: discard },
  { name: 'watch', handler: watch },
  { name: 'unwatch', handler: unwatch },
];
