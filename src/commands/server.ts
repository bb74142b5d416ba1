/**
 * Server commands that need no subsystem of their own: DBSIZE, FLUSHDB,
 * FLUSHALL, TIME, LASTSAVE, SHUTDOWN, SAVE, BGSAVE (persist/ does their work). INFO, CLIENT, CONFIG, SLOWLOG, LATENCY,
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

/**
 * FLUSHALL: a running BGSAVE is killed (its snapshot would resurrect the
 * data), and with save points configured the now empty dataset is saved,
 * as flushAllDataAndResetRDB does.
 */
function flushall(ctx: CommandContext): void {
  if (!flushMode(ctx)) return;
  const s = ctx.server;
  for (const db of ctx.ks.dbs) {
    s.watchers.touchDb(db);
    ctx.ks.flushDb(db);
  }
  s.rdb.killBackground();
  if (s.rdb.savePoints().length > 0) s.rdb.saveSync();
  ctx.ks.dirty++;
  // rdbSave zeroed dirty, so call() could not tell this was a write.
  ctx.client.forcePropagation = 'all';
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
  let force = false;
  for (let i = 1; i < ctx.argv.length; i++) {
    const o = ctx.argv[i].toLowerCase();
    if (o === 'nosave') nosave = true;
    else if (o === 'save') save = true;
    else if (o === 'force') force = true;
    else if (o === 'now') continue;
    else if (o === 'abort') abort = true;
    else return ctx.reply.error(ERR.syntax);
  }
  if ((abort && ctx.argv.length !== 2) || (nosave && save)) return ctx.reply.error(ERR.syntax);
  if (abort) return ctx.reply.error('ERR No shutdown in progress.');
  if (!ctx.server.shutdown(0, { save, nosave, force })) ctx.reply.error('ERR Errors trying to SHUTDOWN. Check logs.');
}

/** SAVE: synchronous, refused while a background save runs. */
function save(ctx: CommandContext): void {
  const rdb = ctx.server.rdb;
  if (rdb.inProgress) return ctx.reply.error('ERR Background save already in progress');
  if (rdb.saveSync()) ctx.reply.ok();
  else ctx.reply.error('ERR');
}

/** BGSAVE [SCHEDULE] */
function bgsave(ctx: CommandContext): void {
  const argv = ctx.argv;
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1].toLowerCase() === 'schedule') schedule = true;
    else return ctx.reply.error(ERR.syntax);
  }
  const s = ctx.server;
  if (s.rdb.inProgress) return ctx.reply.error('ERR Background save already in progress');
  if (!s.snapshotSlotFree()) {
    if (!schedule) {
      return ctx.reply.error('ERR Another child process is active (AOF?): can\'t BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.');
    }
    s.rdb.scheduled = true;
    return ctx.reply.simple('Background saving scheduled');
  }
  const err = s.rdb.startBackground();
  if (err !== null) return ctx.reply.error(`ERR ${err}`);
  ctx.reply.simple('Background saving started');
}

/** BGREWRITEAOF */
function bgrewriteaof(ctx: CommandContext): void {
  const aof = ctx.server.aof;
  if (aof.rewriting) return ctx.reply.error('ERR Background append only file rewriting already in progress');
  if (ctx.client.multi !== null || !ctx.server.snapshotSlotFree()) {
    aof.rewriteScheduled = true;
    return ctx.reply.simple('Background append only file rewriting scheduled');
  }
  const err = aof.startRewrite();
  if (err === null) return ctx.reply.simple('Background append only file rewriting started');
  if (err === 'scheduled') return ctx.reply.simple('Background append only file rewriting scheduled');
  ctx.reply.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
}

export const SERVER_COMMANDS: CommandDef[] = [
  { name: 'dbsize', handler: dbsize },
  { name: 'flushdb', handler: flushdb },
  { name: 'flushall', handler: flushall },
  { name: 'time', handler: time },
  { name: 'lastsave', handler: lastsave },
  { name: 'shutdown', handler: shutdown },
  { name: 'save', handler: save },
  { name: 'bgsave', handler: bgsave },
  { name: 'bgrewriteaof', handler: bgrewriteaof },
];
