/**
 * Commands whose work waits on I/O of their own (MIGRATE talking to another
 * server). Redis does that synchronously; Reddish must not block the event
 * loop, so the client is parked instead — like a blocked client, it processes
 * no further input — and its reply comes when the I/O is done:
 *
 *   if (!canPark(ctx)) return ctx.reply.error(...);   // inside MULTI/EXEC or a script
 *   const parked = parkClient(ctx);
 *   doTheIo().then((r) => parked.finish((c) => { ...keyspace work, c.reply..., c.propagateAs(...) }));
 *
 * `finish` runs the conclusion as if it were the end of the command: in the
 * db the command ran in, with its effect (propagateAs) propagated and blocked
 * clients served afterwards; the time spent waiting is added to the command's
 * stats, latency histogram and slowlog, as a synchronous Redis would count it.
 * The conclusion runs even when the client went away meanwhile (the keyspace
 * work still has to happen); only the reply is then dropped.
 */
import { performance } from 'node:perf_hooks';
import type { CommandContext, CommandSpec } from './command-spec.js';
import type { Client } from '../net/client.js';
import type { Database } from '../keyspace/database.js';
import { recordUnblocked } from './command-clock.js';

export interface ParkedState {
  readonly cmd: CommandSpec | null;
  /** The db the command ran in (a parked client cannot SELECT another). */
  readonly db: Database;
  readonly startedAt: number;
  /** What the slowlog shows (MIGRATE's AUTH arguments redacted). */
  readonly slowlogArgv: string[];
}

/**
 * A script running past busy-reply-threshold and suspended between
 * event-loop turns (commands/script-busy.ts). While the server holds one,
 * processCommand lets only what `admits` through: other clients get `error`
 * (-BUSY ...), the master link's commands wait for the script to end.
 */
export interface BusyScript {
  /** -BUSY ... SCRIPT KILL (an EVAL) or ... FUNCTION KILL (a function), without the '-'. */
  readonly error: string;
  /** allow_busy commands; SHUTDOWN only with NOSAVE. */
  admits(cmd: CommandSpec, argv: string[]): boolean;
  /** The master's stream is not applied meanwhile (Redis stops reading it): kept, in order, for after the script. */
  holdMasterCommand(c: Client, argv: string[]): void;
}

export interface ParkedReply {
  /** Ends the park: `conclude` replies (and may write and propagateAs) with the client as context. */
  finish(conclude: (c: Client) => void): void;
}

/** Whether the running command may park: not inside EXEC or a script, whose replies are already laid out. */
export function canPark(ctx: CommandContext): boolean {
  return ctx.ks.propagator.depth <= 1;
}

export function parkClient(ctx: CommandContext, slowlogArgv: string[] = ctx.argv): ParkedReply {
  const c = ctx.client;
  const st: ParkedState = { cmd: c.cmd, db: c.db, startedAt: performance.now(), slowlogArgv };
  c.parked = st;
  let done = false;
  return {
    finish(conclude) {
      if (done) return;
      done = true;
      resume(c, st, conclude);
    },
  };
}

function resume(c: Client, st: ParkedState, conclude: (c: Client) => void): void {
  const server = c.server;
  const prop = server.ks.propagator;
  const errorsBefore = server.stats.totalErrorReplies;
  c.propagateOverride = null;
  prop.depth++;
  try {
    conclude(c);
  } finally {
    prop.depth--;
    c.parked = null;
  }
  const effect = c.propagateOverride;
  c.propagateOverride = null;
  // Taken before the effect: added at depth 0, it is emitted at once.
  const offBefore = server.replOffset;
  if (Array.isArray(effect)) prop.add(st.db.id, effect);
  prop.flush();
  // WAIT counts acknowledgements of this client's last write.
  if (server.replOffset !== offBefore) c.woff = server.replOffset;
  if (server.blocking.readyCount !== 0) server.blocking.handleReady();

  const usec = (performance.now() - st.startedAt) * 1000;
  const cmd = st.cmd;
  if (cmd !== null) {
    const stats = cmd.stats;
    stats.usec += usec;
    if (server.stats.totalErrorReplies !== errorsBefore) stats.failedCalls++;
    recordUnblocked(c, cmd, st.slowlogArgv, usec);
  }
  if (c.socket === null || c.closed) return;
  server.stats.netOutputBytes += c.reply.length;
  c.flush();
  if (c.closeAfterReply) return c.close();
  // Requests that arrived while parked run on the next turn of the loop.
  setImmediate(() => {
    if (!c.closed && c.blocked === null && c.parked === null && (c.parser.pending > 0 || c.pausedArgv !== null)) {
      server.processInput(c);
    }
  });
}
