/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (eval.c), on the Lua engine
 * of src/scripting/. A script's redis.call runs the command through call()
 * on the calling client (script-host.ts); its effects propagate as
 * themselves, never as the EVAL. A `#!lua flags=...` shebang declares the
 * script's flags (no shebang: the pre-7.0 compatibility mode), with the
 * checks they imply (script-run.ts). A script running past
 * busy-reply-threshold is suspended and other clients get -BUSY until it
 * ends or SCRIPT KILL stops it (script-busy.ts).
 * Blocking commands don't block inside a script (the nesting depth says so).
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { SCRIPT_FLAG_EVAL_COMPAT_MODE, parseEvalShebang, sha1hex, type CachedScript } from '../scripting/index.js';
import { replyHelp } from './client.js';
import { concludeRun, declaredFlagChecks, numKeysOrReply, prepareForRun, runsReadOnly, runtimeOf } from './script-run.js';

/** processCommand's flag checks for a script that declared flags; true to go on. */
function declaredChecks(ctx: CommandContext, flags: number): boolean {
  return (flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) !== 0 || declaredFlagChecks(ctx, flags);
}

function evalGeneric(ctx: CommandContext, evalsha: boolean, ro: boolean): void {
  // Monitors see the script before the commands it runs (the command table's skip_monitor keeps call() from it).
  if (ctx.server.monitors.size !== 0) ctx.server.feedMonitors(ctx.client, ctx.argv);
  const rt = runtimeOf(ctx.server);
  const engine = rt.evalEngine;
  const argv = ctx.argv;
  let script: CachedScript | undefined;
  let body = '';
  let sha: string;
  if (evalsha) {
    sha = argv[1];
    if (sha.length !== 40) return ctx.reply.error(ERR.noScript);
    script = engine.lookup(sha);
    if (script === undefined) {
      sha = sha.toLowerCase();
      script = engine.lookup(sha);
    }
  } else {
    body = argv[1];
    sha = sha1hex(body);
    script = engine.lookup(sha);
  }
  // evalGetCommandFlags: the flags of the cached script, or of the shebang of one about to be compiled.
  if (script !== undefined) {
    if (!declaredChecks(ctx, script.flags)) return;
  } else if (!evalsha && body.startsWith('#!')) {
    const sb = parseEvalShebang(body);
    if ('flags' in sb && !declaredChecks(ctx, sb.flags)) return;
  }
  const numkeys = numKeysOrReply(ctx);
  if (numkeys === null) return;
  if (script === undefined) {
    if (evalsha) return ctx.reply.error(ERR.noScript);
    const loaded = engine.load(body, sha);
    if ('error' in loaded) return ctx.reply.error(loaded.error);
    script = loaded;
  }
  if (!prepareForRun(ctx, rt, script.flags, ro)) return;
  const keys = argv.slice(3, 3 + numkeys);
  const args = argv.slice(3 + numkeys);
  const host = rt.host.begin(ctx, runsReadOnly(script.flags, ro), script.flags, keys);
  const r = engine.run(script, keys, args, host, rt.limitsFor(ctx));
  concludeRun(ctx, rt, engine, r, true, script.sha);
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
  { name: 'eval', handler: (ctx) => evalGeneric(ctx, false, false) },
  { name: 'eval_ro', handler: (ctx) => evalGeneric(ctx, false, true) },
  { name: 'evalsha', handler: (ctx) => evalGeneric(ctx, true, false) },
  { name: 'evalsha_ro', handler: (ctx) => evalGeneric(ctx, true, true) },
  {
    name: 'script|load',
    handler: (ctx) => {
      const r = runtimeOf(ctx.server).evalEngine.load(ctx.argv[2]);
      if ('error' in r) ctx.reply.error(r.error);
      else ctx.reply.bulk(r.sha);
    },
  },
  {
    name: 'script|exists',
    handler: (ctx) => {
      const e = runtimeOf(ctx.server).evalEngine;
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
      runtimeOf(ctx.server).evalEngine.flush();
      ctx.reply.ok();
    },
  },
  { name: 'script|kill', handler: (ctx) => runtimeOf(ctx.server).busy.kill(ctx, true) },
  { name: 'script|help', handler: (ctx) => replyHelp(ctx, SCRIPT_HELP) },
];
