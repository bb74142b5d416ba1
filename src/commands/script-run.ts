/**
 * What EVAL* and FCALL* share: the per-server scripting runtime (engines,
 * the reused script host, the busy-script state, cached settings), the
 * checks a script's declared flags imply (processCommand's with the flags
 * evalGetCommandFlags / fcallGetCommandFlags give, then scriptPrepareForRun),
 * and what happens after a run: the reply, or suspension as a busy script.
 */
import type { CommandContext } from '../dispatch/command-spec.js';
import type { Server } from '../server.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { SCRIPT_FLAG_ALLOW_OOM } from '../scripting/script-flags.js';
import {
  SCRIPT_FLAG_ALLOW_STALE, SCRIPT_FLAG_EVAL_COMPAT_MODE, SCRIPT_FLAG_NO_CLUSTER, SCRIPT_FLAG_NO_WRITES, SUSPENDED,
  createScriptEngine, functionsOf, type FunctionEngine, type RunLimits, type RunResult, type ScriptEngine, type ScriptLogLevel,
} from '../scripting/index.js';
import { LOG_LEVELS, ScriptCallHost, writeReply } from './script-host.js';
import { BusyRun, logSlow, type Resumable } from './script-busy.js';

export class ScriptingRuntime {
  evalEngine: ScriptEngine;
  readonly functions: FunctionEngine;
  readonly host = new ScriptCallHost();
  readonly busy: BusyRun;
  /** Run limits for a top-level command (may be suspended) and for one inside EXEC (runs to its end). */
  readonly mayYield: RunLimits = { mayYield: true, busyThresholdMs: 5000 };
  readonly sync: RunLimits = { mayYield: false, busyThresholdMs: 5000 };
  readonly clusterEnabled: boolean;

  constructor(readonly server: Server) {
    this.evalEngine = createScriptEngine();
    this.functions = functionsOf(server, scriptLogger(server));
    this.busy = new BusyRun(server, this.host);
    this.clusterEnabled = server.config.bool('cluster-enabled');
    server.config.watch('busy-reply-threshold', (v) => {
      this.mayYield.busyThresholdMs = Number(v);
      this.sync.busyThresholdMs = Number(v);
    });
  }

  /** A script may be suspended only as a whole command of a connected client (not in EXEC, not the master's or AOF's). */
  limitsFor(ctx: CommandContext): RunLimits {
    const c = ctx.client;
    return ctx.ks.propagator.depth === 1 && c.socket !== null && !c.isMaster ? this.mayYield : this.sync;
  }
}

/** redis.log as the server's log (also for a library's load-time code). */
export function scriptLogger(server: Server): (level: ScriptLogLevel, message: string) => void {
  return (level, message) => server.log.log(LOG_LEVELS[level], message);
}

const runtimes = new WeakMap<Server, ScriptingRuntime>();

/** The server's scripting runtime, created on the first script (the Lua VMs cost nothing until then). */
export function runtimeOf(server: Server): ScriptingRuntime {
  let rt = runtimes.get(server);
  if (rt === undefined) {
    rt = new ScriptingRuntime(server);
    runtimes.set(server, rt);
  }
  return rt;
}

/** The replica's link is down and replica-serve-stale-data is no. */
function runningStale(server: Server): boolean {
  return server.ks.isReplica && !server.replicaSide.connected() && !server.config.bool('replica-serve-stale-data');
}

/**
 * processCommand's checks for a script that declared its flags: such an EVAL
 * or FCALL counts as a write unless no-writes, and as stale-safe only with
 * allow-stale. EVAL's and FCALL's own flags say neither, so processCommand
 * let it through: the checks are made here, in its order, for a command
 * processCommand saw (not one run by EXEC). False when an error was replied.
 */
export function declaredFlagChecks(ctx: CommandContext, flags: number): boolean {
  if (ctx.ks.propagator.depth !== 1) return true;
  const c = ctx.client;
  if (c.isMaster) return true;
  const server = ctx.server;
  const write = (flags & SCRIPT_FLAG_NO_WRITES) === 0;
  const isReplica = server.ks.isReplica;
  // scriptFlagsToCmdFlags: a script that may write and did not say allow-oom is denyoom.
  if (server.maxmemory !== 0 && server.scriptOom && (flags & (SCRIPT_FLAG_NO_WRITES | SCRIPT_FLAG_ALLOW_OOM)) === 0) {
    return refuse(ctx, ERR.oom);
  }
  if (write && server.diskError && !isReplica) {
    if (server.rdb.deniesWrites()) return refuse(ctx, ERR.misconf);
    if (server.aof.deniesWrites()) return refuse(ctx, `MISCONF Errors writing to the AOF file: ${server.aof.lastWriteError}`);
  }
  if (write && server.minReplicasToWrite > 0 && !isReplica && server.master.goodReplicas() < server.minReplicasToWrite) {
    return refuse(ctx, 'NOREPLICAS Not enough good replicas to write.');
  }
  if (write && isReplica && server.config.bool('replica-read-only')) return refuse(ctx, ERR.readOnly);
  if ((flags & SCRIPT_FLAG_ALLOW_STALE) === 0 && runningStale(server)) {
    return refuse(ctx, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
  }
  return true;
}

function refuse(ctx: CommandContext, msg: string): false {
  ctx.reply.error(msg);
  return false;
}

/** scriptPrepareForRun's refusals. False when an error was replied. */
export function prepareForRun(ctx: CommandContext, rt: ScriptingRuntime, flags: number, ro: boolean): boolean {
  const server = ctx.server;
  if (flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) {
    if (runningStale(server)) return refuse(ctx, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    return true;
  }
  if (flags & SCRIPT_FLAG_NO_CLUSTER && rt.clusterEnabled) return refuse(ctx, "ERR Can not run script on cluster, 'no-cluster' flag is set.");
  // (redis-server 7.0.15 lets a no-writes script run when over maxmemory: it cannot grow the dataset.)
  if (!(flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES)) && server.scriptOom && server.maxmemory !== 0) {
    return refuse(ctx, "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
  }
  if (!(flags & SCRIPT_FLAG_ALLOW_STALE) && runningStale(server)) {
    return refuse(ctx, "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.");
  }
  if (!(flags & SCRIPT_FLAG_NO_WRITES)) {
    if (server.ks.isReplica && !ctx.client.isMaster && server.config.bool('replica-read-only')) {
      return refuse(ctx, 'ERR Can not run script with write flag on readonly replica');
    }
    if (server.diskError && !server.ks.isReplica) {
      if (server.rdb.deniesWrites()) {
        return refuse(ctx, "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.");
      }
      if (server.aof.deniesWrites()) {
        return refuse(ctx, `MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: ${server.aof.lastWriteError}`);
      }
    }
    if (ro) return refuse(ctx, 'ERR Can not execute a script with write flag using *_ro command.');
  }
  return true;
}

/** SCRIPT_READ_ONLY: *_RO commands, and no-writes scripts that declared their flags. */
export function runsReadOnly(flags: number, ro: boolean): boolean {
  return ro || (!(flags & SCRIPT_FLAG_EVAL_COMPAT_MODE) && (flags & SCRIPT_FLAG_NO_WRITES) !== 0);
}

/**
 * numkeys of EVAL/FCALL; null after replying the error. FCALL words a
 * non-number differently (getLongLongFromObject without reply).
 */
export function numKeysOrReply(ctx: CommandContext, notNumber: string = ERR.notInteger): number | null {
  const n = parseInt64(ctx.argv[2]);
  if (n === null) {
    ctx.reply.error(notNumber);
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

/** After start(): the reply, or the script continues as a busy script. */
export function concludeRun(ctx: CommandContext, rt: ScriptingRuntime, engine: Resumable & { readonly timedOut: boolean }, r: RunResult, isEval: boolean, name: string): void {
  // The script's writes propagated as themselves (its nested calls), so never EVAL/FCALL too. Said after
  // the run: each nested call starts by clearing the client's propagation override.
  ctx.preventPropagation();
  if (r === SUSPENDED) return rt.busy.suspend(ctx, engine, isEval, name);
  // Past the threshold without yielding (inside EXEC, or in a Lua function called from JS): logged late.
  if (engine.timedOut) logSlow(ctx.server, engine.elapsedMs(), isEval, name);
  writeReply(ctx, r);
}
