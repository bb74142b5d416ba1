/**
 * redis-benchmark's default test list, each test on fresh servers of both
 * kinds, with the servers' CPU time per request: the method of README's
 * table.
 *
 *   npm run bench:fresh                       (-P 16, n=1000000, 5 runs)
 *   BENCH_P=1 BENCH_N=100000 BENCH_RUNS=3 npm run bench:fresh
 *   BENCH_TESTS=incr,rpush npm run bench:fresh
 *
 * A test gets a new reddish-server and redis-server (--save '' --appendonly
 * no), then BENCH_WARMUP runs (default 1) that are reported on their own as
 * the fresh servers' first run, then BENCH_RUNS interleaved runs (reddish,
 * redis, reddish, ...); each figure is their median. The warm-up is there
 * because a fresh Reddish runs its first tens of thousands of requests
 * before V8 has optimised the hot paths; Redis, compiled ahead of time, has
 * no such phase. CPU is user + system time from /proc over the run,
 * per request. LRANGE tests send BENCH_N_LRANGE requests (default
 * BENCH_N / 7: their replies are 100-600 elements). Each server's main
 * thread and the client run on separate CPUs (cpu-placement.ts; BENCH_PIN=0
 * turns it off).
 */
import os from 'node:os';
import { startServer, type RunningServer } from '../test/support/servers.js';
import { describePlacement, pinServer } from './cpu-placement.js';
import { benchmark, cpuMs, median, table } from './redis-benchmark-run.js';

const P = Math.max(1, Number(process.env.BENCH_P ?? 16));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const WARMUP = Math.max(0, Number(process.env.BENCH_WARMUP ?? 1));
const N = Math.max(1, Number(process.env.BENCH_N ?? 1_000_000));
const N_LRANGE = Math.max(1, Number(process.env.BENCH_N_LRANGE ?? Math.round(N / 7)));
const TESTS = (
  process.env.BENCH_TESTS ??
  'ping_inline,ping_mbulk,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300,lrange_500,lrange_600,mset'
).split(',');

async function main(): Promise<void> {
  console.log(`redis-benchmark, each test on fresh servers — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`-c 50 -P ${P}, n=${N} (LRANGE ${N_LRANGE}), median of ${RUNS} interleaved runs after ${WARMUP} warm-up run${WARMUP === 1 ? '' : 's'}`);
  console.log(describePlacement());
  const rps: Array<[string, number, number]> = [];
  const cpu: Array<[string, number, number]> = [];
  const first: Array<[string, number, number]> = [];
  for (const test of TESTS) {
    const n = test.startsWith('lrange') ? N_LRANGE : N;
    const servers = [await startServer('reddish'), await startServer('redis')];
    try {
      for (const s of servers) pinServer(s.proc.pid!);
      const runs = { warm: { reddish: [] as Sample[], redis: [] as Sample[] }, cold: { reddish: [] as Sample[], redis: [] as Sample[] } };
      let name = test;
      for (let run = 0; run < WARMUP + RUNS; run++) {
        for (const s of servers) {
          const got = await measure(s, test, n);
          if (got === null) continue;
          name = got.name;
          (run < WARMUP ? runs.cold : runs.warm)[s.kind].push(got);
        }
      }
      const med = (xs: Sample[], f: 'rps' | 'cpu'): number => median(xs.map((x) => x[f]));
      rps.push([name, med(runs.warm.redis, 'rps'), med(runs.warm.reddish, 'rps')]);
      cpu.push([name, med(runs.warm.redis, 'cpu'), med(runs.warm.reddish, 'cpu')]);
      if (WARMUP > 0) first.push([name, runs.cold.redis[0]?.rps ?? NaN, runs.cold.reddish[0]?.rps ?? NaN]);
      process.stderr.write(`  ${name}: redis ${med(runs.warm.redis, 'rps').toFixed(0)} reddish ${med(runs.warm.reddish, 'rps').toFixed(0)}\n`);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  console.log(table('requests per second', rps));
  console.log(table('server CPU per request (the LRANGE figures include the LPUSH that fills the list)', cpu, { unit: 'µs' }));
  if (first.length > 0) console.log(table('requests per second in the first run on a fresh server (warm-up, not in the figures above)', first));
}

interface Sample {
  name: string;
  rps: number;
  /** Server CPU µs per request. */
  cpu: number;
}

/** One redis-benchmark run of `test`; null when it printed no figure. */
async function measure(s: RunningServer, test: string, n: number): Promise<Sample | null> {
  const before = cpuMs(s.proc.pid!);
  const r = await benchmark(s.port, ['-c', '50', '-n', String(n), '-P', String(P), '-t', test]);
  const used = cpuMs(s.proc.pid!) - before;
  if (r.code !== 0) console.error(`  ${s.kind} ${test}: redis-benchmark exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  // The LRANGE tests' first row is the LPUSH that fills the list.
  const row = r.order[r.order.length - 1];
  if (row === undefined) return null;
  return { name: row.split(' (')[0], rps: r.rows.get(row)!, cpu: (used * 1000) / n };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
