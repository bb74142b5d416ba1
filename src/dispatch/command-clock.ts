/**
 * Command timing: the microseconds that commandstats, the latency histograms,
 * the slowlog and the latency monitor record for each call.
 *
 * A clock read costs about as much as a small command (40-50 ns through this
 * project's VM clock, a tenth of an INCR), so reads are shared:
 * - A call starts where the previous one in the same stretch of work ended,
 *   so its time includes parsing its request. Every entry point that starts
 *   a stretch (a read event, a timer serving a blocked client) calls
 *   markClock() or beginInput() first.
 * - In one client's read event, consecutive fast commands (Redis's 'fast'
 *   flag: O(1) or O(log N), never blocking) form a run of at most RUN_MAX
 *   commands that ends with one clock read; each gets the run's average.
 *   A command that is not fast closes the open run before it starts, so its
 *   own time is exact, and endInput() closes the run when the read event's
 *   commands are done, before anything can look at the figures.
 * The cost of sharing: a stall inside a run (a table growing, a GC pause) is
 * spread over the run's commands, so the slowlog shows it only if the
 * average crosses the threshold.
 */
import { performance } from 'node:perf_hooks';
import type { CommandSpec } from './command-spec.js';
import type { Client } from '../net/client.js';
import { recordLatency } from '../observe/histogram.js';

/** At most this many commands share a clock read (a 64 KiB read can hold ~2000 small ones). */
const RUN_MAX = 32;

let clockMark = performance.now();
/** The client whose read event is being processed; only its top-level calls share reads. */
let runOwner: Client | null = null;
let runLen = 0;
const runCmds: CommandSpec[] = [];
const runArgv: string[][] = [];
/** False for a call that blocked: it is sampled when unblocked (no fast command blocks in 7.0). */
const runFinished: boolean[] = [];
const NO_ARGV: string[] = [];

export function markClock(): void {
  const t = performance.now();
  if (runLen !== 0) closeRun(t);
  clockMark = t;
}

/** The last clock mark: when the previous command ended (or the read event began), without reading the clock. */
export function lastClockMark(): number {
  return clockMark;
}

/** A read event's commands start: fast ones may share clock reads until endInput(). */
export function beginInput(c: Client): void {
  markClock();
  runOwner = c;
}

/** The read event's commands are done: the open run gets its time. */
export function endInput(): void {
  if (runLen !== 0) closeRun(performance.now());
  runOwner = null;
}

/**
 * Called by call() before the handler: true when this call joins a run
 * (a top-level fast command of the client whose input is being processed).
 * A call that does not join closes the open run first, so that its start is
 * a fresh clock read.
 */
export function startTiming(c: Client, cmd: CommandSpec, topLevel: boolean): boolean {
  if (cmd.sharesClock && topLevel && runOwner === c) return true;
  if (runLen !== 0) closeRun(performance.now());
  return false;
}

/** When the running call started (the last clock mark). */
export function callStart(): number {
  return clockMark;
}

/** A call that joined a run has returned: its time is settled with the run's. */
export function joinRun(cmd: CommandSpec, argv: string[], finished: boolean): void {
  runCmds[runLen] = cmd;
  runArgv[runLen] = argv;
  runFinished[runLen] = finished;
  if (++runLen === RUN_MAX) closeRun(performance.now());
}

/** A call that does not share has finished: reads the clock, returns its µs. */
export function stopTiming(t0: number): number {
  const t1 = performance.now();
  clockMark = t1;
  return (t1 - t0) * 1000;
}

/** Spreads the time since the run began over its commands. */
function closeRun(t1: number): void {
  const n = runLen;
  runLen = 0;
  const usec = ((t1 - clockMark) * 1000) / n;
  clockMark = t1;
  const c = runOwner!;
  for (let i = 0; i < n; i++) {
    const cmd = runCmds[i];
    const argv = runArgv[i];
    runArgv[i] = NO_ARGV;
    cmd.stats.usec += usec;
    sample(c, cmd, argv, usec, runFinished[i]);
  }
}

/**
 * The latency histogram, slowlog and latency monitor for one call. A call
 * that blocked is sampled for the first two when it is unblocked
 * (recordUnblocked): `finished` is false then.
 */
export function sample(c: Client, cmd: CommandSpec, argv: string[], usec: number, finished = true): void {
  const server = c.server;
  if (finished) recordUnblocked(c, cmd, argv, usec);
  if (server.latencyThreshold > 0 && usec / 1000 >= server.latencyThreshold) {
    server.latency.add(cmd.flags.has('fast') ? 'fast-command' : 'command', Math.round(usec / 1000));
  }
}

/**
 * A call's latency histogram and slowlog entry; for a blocked or parked call
 * when it completes (updateStatsOnUnblock: no latency monitor sample then).
 */
export function recordUnblocked(c: Client, cmd: CommandSpec, argv: string[], usec: number): void {
  const server = c.server;
  if (server.latencyTracking) recordLatency(cmd.stats, usec);
  if (usec >= server.slowlogThreshold && server.slowlogThreshold >= 0 && !cmd.flags.has('skip_slowlog')) {
    server.slowlog.add(c, argv, usec);
  }
}
