/**
 * call(): the only place a handler runs. It measures the call, records it in
 * commandstats and the slowlog, and — the propagation contract — if the
 * command changed the dataset (the keyspace's dirty counter moved), hands
 * its effect to the propagator (EXEC excepted: its commands propagate
 * themselves): the argv as typed, or what the
 * handler substituted with ctx.propagateAs() (EXPIRE → PEXPIREAT, ...), or
 * nothing after ctx.preventPropagation(). Effects the keyspace emitted during
 * the call (lazy-expiry DELs) precede it, and the whole lot is flushed when
 * the outermost call returns.
 */
import type { CommandSpec } from './command-spec.js';
import type { Client } from '../net/client.js';
import { callStart, joinRun, sample, startTiming, stopTiming } from './command-clock.js';

export function call(c: Client, cmd: CommandSpec, argv: string[]): void {
  const server = c.server;
  const ks = server.ks;
  const prop = ks.propagator;
  const dirtyBefore = ks.dirty;
  const errorsBefore = server.stats.totalErrorReplies;
  // An effect added at depth 0 is emitted at once, so WAIT's offset is taken against the start.
  const offsetBefore = server.replOffset;
  c.propagateOverride = null;
  c.argv = argv;
  c.cmd = cmd;
  const shared = startTiming(c, cmd, prop.depth === 0);
  const t0 = callStart();
  prop.depth++;
  // Client-side caching: only a client with tracking on pays for it (tracking/tracking.ts).
  const tracking = c.tracking;
  if (tracking !== null) tracking.hub.enter(c);
  try {
    cmd.handler!(c);
  } finally {
    prop.depth--;
  }
  if (tracking !== null || c.tracking !== null) (tracking ?? c.tracking)!.hub.leave(c, cmd, argv, tracking !== null);
  const st = cmd.stats;
  st.calls++;
  if (server.stats.totalErrorReplies !== errorsBefore) st.failedCalls++;
  server.stats.numCommands++;
  c.lastCommand = cmd;
  // A fast command's time is settled with its run's (dispatch/command-clock.ts). A command
  // that blocked (or parked on its own I/O) is sampled for latency and the slowlog when
  // it is unblocked (dispatch/blocking.ts, dispatch/async-reply.ts).
  const finished = c.blocked === null && c.parked === null;
  if (shared) {
    joinRun(cmd, argv, finished);
  } else {
    const usec = stopTiming(t0);
    st.usec += usec;
    sample(c, cmd, argv, usec, finished);
  }
  if ((ks.dirty !== dirtyBefore || c.forcePropagation) && cmd.propagates && c.propagateOverride !== false) {
    prop.add(c.db.id, c.propagateOverride ?? argv, ks.dirty === dirtyBefore && c.forcePropagation === 'repl');
  }
  c.forcePropagation = false;
  if (server.monitors.size !== 0 && !cmd.flags.has('admin') && !cmd.flags.has('skip_monitor')) server.feedMonitors(c, argv);
  if (prop.depth === 0) {
    if (prop.active) prop.flush();
    // WAIT counts acknowledgements of this client's last write.
    if (server.replOffset !== offsetBefore) c.woff = server.replOffset;
    // Clients blocked on keys this command (or EXEC) made ready are served now.
    if (server.blocking.readyCount !== 0) server.blocking.handleReady();
  }
}
