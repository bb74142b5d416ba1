/**
 * processCommand: every cross-cutting check, one block each, in Redis 7.0's
 * order (server.c), so that when several apply the client gets the same error
 * Redis would give. Only then is the command queued (inside MULTI) or run.
 *
 * Checks owned by later issues slot in at their marked places: ACL, cluster
 * redirect, disk error, min-replicas, read-only replica, pub/sub context,
 * stale replica, loading. The busy-script check (a script suspended past
 * busy-reply-threshold) is one field test while no script is busy.
 */
import { ERR } from '../protocol/errors.js';
import type { Client } from '../net/client.js';
import type { CommandSpec } from './command-spec.js';
import type { BusyScript } from './async-reply.js';
import { call } from './call.js';
import { lastClockMark } from './command-clock.js';
import { HEAP_OOM } from '../keyspace/heap-guard.js';

export function processCommand(c: Client, argv: string[]): void {
  const server = c.server;
  c.lastInteraction = server.cachedNow;

  // 1. lookup, unknown command or subcommand, arity
  let cmd: CommandSpec | undefined = server.commands.lookup(argv[0]);
  if (cmd !== undefined && cmd.subcommands !== null && argv.length >= 2) {
    const sub = cmd.subcommands.get(argv[1].toLowerCase());
    if (sub === undefined) return reject(c, null, ERR.unknownSubcommand(argv[1], argv[0]));
    cmd = sub;
  }
  if (cmd === undefined) return reject(c, null, ERR.unknownCommand(argv[0], argv.slice(1)));
  const arity = cmd.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
    return reject(c, cmd, ERR.wrongArity(cmd.fullname));
  }

  // 2. authentication
  if (!c.authenticated && !cmd.flags.has('no_auth')) return reject(c, cmd, ERR.noAuth);

  // 3. (ACL: later issue) cluster redirection: -MOVED, -ASK, -CROSSSLOT, -TRYAGAIN, -CLUSTERDOWN (cluster/routing.ts)
  if (server.cluster !== null) {
    const redirect = server.cluster.redirect(c, cmd, argv);
    if (redirect !== null) return reject(c, cmd, redirect);
  }
  // maxmemory: evict first, then refuse what may grow memory while still over the limit
  if (server.maxmemory !== 0 && rejectOnOom(c, cmd)) return;
  // the heap limit: past it the process would abort (keyspace/heap-guard.ts)
  if (server.heapGuard.critical && !c.isMaster && refusedNearHeapLimit(c, cmd)) return;
  // disk error: a failed BGSAVE with stop-writes-on-bgsave-error stops writes (and PING) on a master
  if (server.diskError && !server.ks.isReplica &&
      (cmd.isWrite || cmd.fullname === 'ping') && !c.isMaster) {
    if (server.rdb.deniesWrites()) return reject(c, cmd, ERR.misconf);
    if (server.aof.deniesWrites()) return reject(c, cmd, `MISCONF Errors writing to the AOF file: ${server.aof.lastWriteError}`);
  }
  // min-replicas-to-write: too few replicas with a fresh ACK refuse writes (master only)
  if (server.minReplicasToWrite > 0 && cmd.isWrite && !server.ks.isReplica && !c.isMaster &&
      server.master.goodReplicas() < server.minReplicasToWrite) {
    return reject(c, cmd, 'NOREPLICAS Not enough good replicas to write.');
  }
  if (server.ks.isReplica && server.config.bool('replica-read-only') && cmd.isWrite && !c.isMaster) {
    return reject(c, cmd, ERR.readOnly);
  }
  // replica-serve-stale-data no: while the link is down only "stale"-flagged commands run
  if (server.ks.isReplica && !server.replicaSide.connected() && !server.config.bool('replica-serve-stale-data') &&
      !cmd.flags.has('stale')) {
    return reject(c, cmd, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
  }

  // pub/sub context: a RESP2 subscriber may only (un)subscribe, PING, QUIT and RESET
  if (c.subs !== null && c.reply.resp === 2 && !PUBSUB_CONTEXT_ALLOWED.has(cmd.fullname)) {
    return reject(c, cmd, `ERR Can't execute '${cmd.fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
  }

  // busy script: while one is suspended past busy-reply-threshold, only allow_busy commands run
  // (and none of the master's: its stream waits, in order, for the script's end)
  const busy = server.busyScript;
  if (busy !== null && (c.isMaster || !busy.admits(cmd, argv))) return rejectBusy(c, cmd, argv, busy);

  // 4. MULTI queueing
  if (c.multi !== null) {
    const n = cmd.fullname;
    if (n !== 'exec' && n !== 'discard' && n !== 'multi' && n !== 'watch' && n !== 'quit' && n !== 'reset') {
      if (cmd.flags.has('no_multi')) {
        return reject(c, cmd, 'ERR Command not allowed inside a transaction');
      }
      c.multi.queue.push({ cmd, argv });
      c.reply.raw('+QUEUED\r\n');
      return;
    }
  }

  call(c, cmd, argv);
}

/** The open transaction queued a command that may grow memory (mstate.cmd_flags & CMD_DENYOOM). */
function queueHoldsDenyoom(c: Client): boolean {
  return c.multi !== null && c.multi.queue.some((q) => q.cmd.flags.has('denyoom'));
}

/**
 * Near the heap limit, as maxmemory's noeviction: a denyoom command, or an
 * EXEC whose queue holds one, gets -OOM. Scripts are refused at their first
 * denyoom call (script-host.ts).
 */
function refusedNearHeapLimit(c: Client, cmd: CommandSpec): boolean {
  if (cmd.fullname === 'exec') {
    if (!queueHoldsDenyoom(c)) return false;
    abortExec(c, cmd, HEAP_OOM);
    return true;
  }
  if (!cmd.flags.has('denyoom')) return false;
  reject(c, cmd, HEAP_OOM);
  return true;
}

/** The commands that run a script: server.script_oom is taken for them (scriptVerifyOOM reads it). */
const SCRIPT_RUNNERS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/**
 * processCommand's maxmemory block: performEvictions, then -OOM for a
 * denyoom command, an EXEC whose queue holds one, or anything but
 * EXEC/DISCARD/QUIT/RESET inside MULTI (queueing grows memory too) when
 * memory is still over the limit. The master's stream is never refused.
 * A script that declared its flags is checked when it starts
 * (script-run.ts), since EVAL's own flags do not say whether it writes.
 */
function rejectOnOom(c: Client, cmd: CommandSpec): boolean {
  const server = c.server;
  if (server.busyScript !== null) return false;
  const outOfMemory = server.evictor.perform(lastClockMark()) === 'fail';
  const name = cmd.fullname;
  if (SCRIPT_RUNNERS.has(name)) server.scriptOom = outOfMemory;
  if (!outOfMemory || c.isMaster) return false;
  let refuse = cmd.flags.has('denyoom');
  if (name === 'exec') {
    if (queueHoldsDenyoom(c)) refuse = true;
  } else if (c.multi !== null && name !== 'discard' && name !== 'quit' && name !== 'reset') {
    refuse = true;
  }
  if (!refuse) return false;
  if (name === 'exec') abortExec(c, cmd, ERR.oom);
  else reject(c, cmd, ERR.oom);
  return true;
}

const PUBSUB_CONTEXT_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

/**
 * The busy script's refusal. The master's commands are kept for after the
 * script; a refused EXEC aborts its transaction (execCommandAbort).
 */
function rejectBusy(c: Client, cmd: CommandSpec, argv: string[], busy: BusyScript): void {
  if (c.isMaster) return busy.holdMasterCommand(c, argv);
  if (cmd.fullname !== 'exec') return reject(c, cmd, busy.error);
  abortExec(c, cmd, busy.error);
}

/** rejectCommand of an EXEC: execCommandAbort discards the transaction. */
function abortExec(c: Client, cmd: CommandSpec, msg: string): void {
  cmd.stats.rejectedCalls++;
  c.multi = null;
  c.dirtyCas = false;
  c.unwatchAll();
  c.reply.error(`EXECABORT Transaction discarded because of: ${msg}`);
}

/** rejectCommand: counts the rejection, flags an open transaction, replies. */
function reject(c: Client, cmd: CommandSpec | null, msg: string): void {
  if (cmd) cmd.stats.rejectedCalls++;
  if (c.multi !== null) c.multi.failed = true;
  c.reply.error(msg);
}
