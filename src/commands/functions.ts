/**
 * FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP / RESTORE / STATS / KILL /
 * HELP and FCALL / FCALL_RO (functions.c), on the function engine of
 * src/scripting/function-engine.ts. LOAD, DELETE, FLUSH and RESTORE count as
 * changes and propagate as typed; FCALL propagates its effects like EVAL.
 * FUNCTION DUMP's payload is Redis's: per library RDB_OPCODE_FUNCTION2 and
 * its code as an RDB string, then the RDB version and a CRC64, like DUMP.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import {
  LOAD_TIMEOUT_MS, LibrarySet, SCRIPT_FLAG_NAMES, type FunctionInfo,
} from '../scripting/index.js';
import { RdbOutput } from '../persist/rdb/rdb-output.js';
import { RdbInput } from '../persist/rdb/rdb-input.js';
import { Crc64 } from '../persist/rdb/crc64.js';
import { RDB_OPCODE_FUNCTION2, RDB_OPCODE_FUNCTION_PRE_GA, RDB_VERSION } from '../persist/rdb/rdb-format.js';
import { readPreGaLibrary } from '../persist/rdb/rdb-walk.js';
import { RdbError } from '../persist/rdb/rdb-error.js';
import { globMatch } from '../util/glob.js';
import { replyHelp, subSyntax } from './client.js';
import { eqi } from './helpers.js';
import { verifyDumpPayload } from './dump-restore.js';
import { SLOW_EVAL } from './script-busy.js';
import { concludeRun, declaredFlagChecks, numKeysOrReply, prepareForRun, runsReadOnly, runtimeOf } from './script-run.js';

function fcall(ctx: CommandContext, ro: boolean): void {
  // Monitors see the call before the commands it runs (the command table's skip_monitor keeps call() from it).
  if (ctx.server.monitors.size !== 0) ctx.server.feedMonitors(ctx.client, ctx.argv);
  const rt = runtimeOf(ctx.server);
  const fe = rt.functions;
  const fi = fe.find(ctx.argv[1]);
  // fcallGetCommandFlags: a known function's flags decide processCommand's checks.
  if (fi !== undefined && !declaredFlagChecks(ctx, fi.flags)) return;
  if (fi === undefined) return ctx.reply.error('ERR Function not found');
  const numkeys = numKeysOrReply(ctx, 'ERR Bad number of keys provided');
  if (numkeys === null) return;
  if (!prepareForRun(ctx, rt, fi.flags, ro)) return;
  const keys = ctx.argv.slice(3, 3 + numkeys);
  const args = ctx.argv.slice(3 + numkeys);
  const host = rt.host.begin(ctx, runsReadOnly(fi.flags, ro), fi.flags, keys);
  const r = fe.call(fi, keys, args, host, rt.limitsFor(ctx));
  concludeRun(ctx, rt, fe, r, false, fi.name);
}

/** FUNCTION LOAD [REPLACE] <code> */
function load(ctx: CommandContext): void {
  const argv = ctx.argv;
  let replace = false;
  let i = 2;
  while (i < argv.length - 1) {
    const a = argv[i++];
    if (eqi(a, 'replace')) {
      replace = true;
      continue;
    }
    return ctx.reply.error(`ERR Unknown option given: ${a}`);
  }
  if (i >= argv.length) return ctx.reply.error('ERR Function code is missing');
  // The master's stream (and the AOF) must load whatever it takes.
  const timeout = ctx.client.isMaster ? 0 : LOAD_TIMEOUT_MS;
  const r = runtimeOf(ctx.server).functions.create(argv[i], replace, timeout);
  if ('error' in r) return ctx.reply.error(r.error);
  ctx.ks.dirty++;
  ctx.reply.bulk(r.name);
}

function del(ctx: CommandContext): void {
  if (!runtimeOf(ctx.server).functions.delete(ctx.argv[2])) return ctx.reply.error('ERR Library not found');
  ctx.ks.dirty++;
  ctx.reply.ok();
}

function flush(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(subSyntax(argv[1], 'FUNCTION'));
  if (argv.length === 3 && !eqi(argv[2], 'sync') && !eqi(argv[2], 'async')) {
    return ctx.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  runtimeOf(ctx.server).functions.flush();
  ctx.ks.dirty++;
  ctx.reply.ok();
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] */
function list(ctx: CommandContext): void {
  const argv = ctx.argv;
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!withCode && eqi(argv[i], 'withcode')) {
      withCode = true;
      continue;
    }
    if (pattern === null && eqi(argv[i], 'libraryname')) {
      if (i >= argv.length - 1) return ctx.reply.error('ERR library name argument was not given');
      pattern = argv[++i];
      continue;
    }
    return ctx.reply.error(`ERR Unknown argument ${argv[i]}`);
  }
  const libs = [...runtimeOf(ctx.server).functions.current.libraries.values()].filter((l) => pattern === null || globMatch(pattern, l.name, true));
  const r = ctx.reply;
  r.array(libs.length);
  for (const lib of libs) {
    r.map(withCode ? 4 : 3);
    r.bulk('library_name');
    r.bulk(lib.name);
    r.bulk('engine');
    r.bulk('LUA');
    r.bulk('functions');
    r.array(lib.functions.size);
    for (const fi of lib.functions.values()) {
      r.map(3);
      r.bulk('name');
      r.bulk(fi.name);
      r.bulk('description');
      if (fi.description === null) r.nil();
      else r.bulk(fi.description);
      r.bulk('flags');
      replyFlags(ctx, fi);
    }
    if (withCode) {
      r.bulk('library_code');
      r.bulk(lib.code);
    }
  }
}

function replyFlags(ctx: CommandContext, fi: FunctionInfo): void {
  const names = SCRIPT_FLAG_NAMES.filter(([bit]) => (fi.flags & bit) !== 0);
  ctx.reply.set(names.length);
  for (const [, name] of names) ctx.reply.simple(name);
}

/** FUNCTION DUMP */
function dump(ctx: CommandContext): void {
  const out = new RdbOutput(ctx.server.config.bool('rdbcompression'), 256);
  for (const code of runtimeOf(ctx.server).functions.codes()) {
    out.byte(RDB_OPCODE_FUNCTION2);
    out.string(code);
  }
  out.byte(RDB_VERSION & 0xff);
  out.byte((RDB_VERSION >> 8) & 0xff);
  out.raw(new Crc64().update(out.view()).bytes());
  ctx.reply.bulkBuffer(out.take());
}

/** FUNCTION RESTORE <payload> [FLUSH|APPEND|REPLACE] */
function restore(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length > 4) return ctx.reply.error(subSyntax(argv[1], 'FUNCTION'));
  let policy: 'append' | 'replace' | 'flush' = 'append';
  if (argv.length === 4) {
    const p = argv[3].toLowerCase();
    if (p !== 'append' && p !== 'replace' && p !== 'flush') {
      return ctx.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    }
    policy = p;
  }
  const data = Buffer.from(argv[2], 'latin1');
  if (!verifyDumpPayload(data)) return ctx.reply.error('ERR DUMP payload version or checksum are wrong');
  const fe = runtimeOf(ctx.server).functions;
  const set = new LibrarySet();
  const err = readLibraries(data, (code) => {
    const r = fe.create(code, false, 0, set);
    return 'error' in r ? r.error : null;
  });
  if (err !== null) {
    fe.discard(set);
    return ctx.reply.error(err);
  }
  if (policy === 'flush') {
    fe.swap(set);
  } else {
    const jerr = fe.join(set, policy === 'replace');
    if (jerr !== null) {
      fe.discard(set);
      return ctx.reply.error(jerr);
    }
  }
  ctx.ks.dirty++;
  ctx.reply.ok();
}

/** The payload's libraries up to its 10-byte footer, each given to `add`; the first error text, or null. */
function readLibraries(data: Buffer, add: (code: string) => string | null): string | null {
  const inp = new RdbInput(data, 0, data.length);
  while (data.length - inp.pos > 10) {
    const type = inp.byte();
    if (type !== RDB_OPCODE_FUNCTION2 && type !== RDB_OPCODE_FUNCTION_PRE_GA) return 'ERR given type is not a function';
    let code: string;
    try {
      code = type === RDB_OPCODE_FUNCTION2 ? inp.string() : readPreGaLibrary(inp);
    } catch (e) {
      // Client-supplied bytes: a bad string is bad data, never a crash.
      return `ERR ${type === RDB_OPCODE_FUNCTION_PRE_GA && e instanceof RdbError ? e.message : 'Failed loading library payload'}`;
    }
    const err = add(code);
    if (err !== null) return err;
  }
  return null;
}

/** FUNCTION STATS */
function stats(ctx: CommandContext): void {
  const rt = runtimeOf(ctx.server);
  const busy = rt.busy;
  if (busy.active && busy.isEval) return ctx.reply.error(SLOW_EVAL);
  const r = ctx.reply;
  r.map(2);
  r.bulk('running_script');
  if (!busy.active) r.nil();
  else {
    r.map(3);
    r.bulk('name');
    r.bulk(busy.name);
    r.bulk('command');
    r.array(busy.callerArgv.length);
    for (const a of busy.callerArgv) r.bulk(a);
    r.bulk('duration_ms');
    r.int(Math.floor(busy.elapsedMs()));
  }
  r.bulk('engines');
  r.map(1);
  r.bulk('LUA');
  r.map(2);
  const set = rt.functions.current;
  r.bulk('libraries_count');
  r.int(set.libraries.size);
  r.bulk('functions_count');
  r.int(set.functionCount);
}

const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
  'HELP',
  '    Prints this help.',
];

export const FUNCTION_COMMANDS: CommandDef[] = [
  { name: 'fcall', handler: (ctx) => fcall(ctx, false) },
  { name: 'fcall_ro', handler: (ctx) => fcall(ctx, true) },
  { name: 'function|load', handler: load },
  { name: 'function|delete', handler: del },
  { name: 'function|flush', handler: flush },
  { name: 'function|list', handler: list },
  { name: 'function|dump', handler: dump },
  { name: 'function|restore', handler: restore },
  { name: 'function|stats', handler: stats },
  { name: 'function|kill', handler: (ctx) => runtimeOf(ctx.server).busy.kill(ctx, false) },
  { name: 'function|help', handler: (ctx) => replyHelp(ctx, FUNCTION_HELP) },
];
