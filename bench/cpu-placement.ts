/**
 * Where the benchmarks put the servers and the redis-benchmark client: the
 * server's main thread (its event loop) on one CPU of its own, the client on
 * the others.
 *
 * Why: on a small machine the client and the server share the cores, and the
 * scheduler moving them about (or running the server's softirq work on the
 * client's core) decides a few percent either way. At -P 1 both servers run at
 * the client's ceiling, so that noise is the whole difference between them.
 * Redis's benchmark page says as much: with client and server placed on
 * cores at random the results look non-deterministic, and it points to
 * taskset or numactl.
 * Both servers get the same placement, so the comparison stays fair. Only
 * the main thread is pinned: V8's helper threads (concurrent GC, the
 * optimising compiler) stay free, as do Redis's bio threads; pinned with the
 * event loop they would take from it while a fresh Reddish warms up.
 *
 * BENCH_PIN=0 turns it off; it is off by itself on a single-CPU machine or
 * without taskset (util-linux).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface Placement {
  /** The CPU the server's main thread runs on. */
  server: number;
  /** The CPUs redis-benchmark may run on, as taskset's list ("0" or "0-6"). */
  client: string;
}

function decide(): Placement | null {
  if (process.env.BENCH_PIN === '0') return null;
  const n = os.cpus().length;
  if (n < 2) return null;
  if (spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status !== 0) return null;
  return { server: n - 1, client: n === 2 ? '0' : `0-${n - 2}` };
}

export const placement: Placement | null = decide();

export function describePlacement(): string {
  return placement === null
    ? 'placement: not pinned (BENCH_PIN=0, one CPU, or no taskset)'
    : `placement: each server's main thread on CPU ${placement.server}, redis-benchmark on CPU ${placement.client} (BENCH_PIN=0 to turn off)`;
}

/** Set once a server is pinned: from then on redis-benchmark runs on the client CPUs. */
let serversPinned = false;

/** Pins a running server's main thread to the server CPU; a no-op when not pinning. */
export function pinServer(pid: number): void {
  if (placement === null) return;
  serversPinned = true;
  const r = spawnSync('taskset', ['-p', '-c', String(placement.server), String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`taskset could not pin pid ${pid}: ${r.stderr.toString().trim()}`);
}

/**
 * The command line that runs `cmd args` on the client CPUs once the servers
 * are pinned; unchanged for benches that leave their servers where they are.
 */
export function clientCommand(cmd: string, args: string[]): [string, string[]] {
  return placement === null || !serversPinned ? [cmd, args] : ['taskset', ['-c', placement.client, cmd, ...args]];
}
