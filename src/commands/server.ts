/**
 * Server commands that need no subsystem of their own: DBSIZE, FLUSHDB,
 * FLUSHALL, TIME, LASTSAVE, SHUTDOWN. INFO, CLIENT, CONFIG, SLOWLOG, LATENCY,
 * MEMORY, DEBUG, MONITOR and COMMAND each have their own file.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';

function dbsize(ctx: CommandContext): void {
  ctx.reply.int(ctx.db.size);
}

/** FLUSHDB/FLUSHALL take an optional ASYNC or SYNC; anything else is a syntax error. */
function flushMode(ctx: CommandContext): boolean {
  const argv = ctx.argv;
  if (argv.length > 2) {
    ctx.reply.error(ERR.syntax);
    return false;
  }
  if (argv.length === 2) {
    const m = argv[1].toLowerCase();
    if (m !== 'sync' && m !== 'async') {
      ctx.reply.error(ERR.syntax);
      return false;
    }
  }
  return true;
}

function flushdb(ctx: CommandContext): void {
  if (!flushMode(ctx)) return;
  ctx.server.watchers.touchDb(ctx.db);
  ctx.ks.flushDb(ctx.db);
  ctx.ks.dirty++;
  ctx.reply.ok();
}

function flushall(ctx: CommandContext): void {
  if (!flushMode(ctx)) return;
  for (const db of ctx.ks.dbs) {
    ctx.server.watchers.touchDb(db);
    ctx.ks.flushDb(db);
  }
  ctx.ks.dirty++;
  ctx.reply.ok();
}

function time(ctx: CommandContext): void {
  const t = process.hrtime.bigint();
  const now = Date.now();
  const us = (now % 1000) * 1000 + Number((t / 1000n) % 1000n);
  ctx.reply.array(2);
  ctx.reply.bulk(String(Math.floor(now / 1000)));
  ctx.reply.bulk(String(us));
}

function lastsave(ctx: CommandContext): void {
  ctx.reply.int(ctx.server.lastSave);
}

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] */
function shutdown(ctx: CommandContext): void {
  let nosave = false;
  let save = false;
  let abort = false;
  for (let i = 1; i < ctx.argv.length; i++) {
    const o = ctx.argv[i].toLowerCase();
    if (o === 'nosave') nosave = true;
    else if (o === 'save') save = true;
    else if (o === 'now' || o === 'force') continue;
    else if (o === 'abort') abort = true;
    else return ctx.reply.error(ERR.syntax);
  }
  if ((abort && ctx.argv.length !== 2) || (nosave && save)) return ctx.reply.error(ERR.syntax);
  if (abort) return ctx.reply.error('ERR No shutdown in progress.');
  ctx.server.shutdown(0);
}

export const SERVER_COMMANDS: CommandDef[] = [
  { name: 'dbsize', handler: dbsize },
  { name: 'flushdb', handler: flushdb },
  { name: 'flushall', handler: flushall },
  { name: 'time', handler: time },
  { name: 'lastsave', handler: lastsave },
  { name: 'shutdown', handler: shutdown },
];
