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
 * no), then BENCH_RUNS interleaved runs (reddish, redis, reddish, ...); each
 * figure is the median. CPU is user + system time from /proc over the run,
 * per request. LRANGE tests send BENCH_N_LRANGE requests (default
 * BENCH_N / 7: their replies are 100-600 elements).
 */
import os from 'node:os';
import { startServer } from '../test/support/servers.js';
import { benchmark, cpuMs, median, table } from './redis-benchmark-run.js';

const P = Math.max(1, Number(process.env.BENCH_P ?? 16));
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const N = Math.max(1, Number(process.env.BENCH_N ?? 1_000_000));
const N_LRANGE = Math.max(1, Number(process.env.BENCH_N_LRANGE ?? Math.round(N / 7)));
const TESTS = (
  process.env.BENCH_TESTS ??
  'ping_inline,ping_mbulk,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300,lrange_500,lrange_600,mset'
).split(',');

async function main(): Promise<void> {
  console.log(`redis-benchmark, each test on fresh servers — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`-c 50 -P ${P}, n=${N} (LRANGE ${N_LRANGE}), median of ${RUNS} interleaved runs`);
  const rps: Array<[string, number, number]> = [];
  const cpu: Array<[string, number, number]> = [];
  for (const test of TESTS) {
    const n = test.startsWith('lrange') ? N_LRANGE : N;
    const servers = [await startServer('reddish'), await startServer('redis')];
    try {
      const got = { reddish: { rps: [] as number[], cpu: [] as number[] }, redis: { rps: [] as number[], cpu: [] as number[] } };
      let name = test;
      for (let run = 0; run < RUNS; run++) {
        for (const s of servers) {
          const before = cpuMs(s.proc.pid!);
          const r = await benchmark(s.port, ['-c', '50', '-n', String(n), '-P', String(P), '-t', test]);
          const used = cpuMs(s.proc.pid!) - before;
          if (r.code !== 0) console.error(`  ${s.kind} ${test}: redis-benchmark exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
          // The LRANGE tests' first row is the LPUSH that fills the list.
          const row = r.order[r.order.length - 1];
          if (row === undefined) continue;
          name = row.split(' (')[0];
          got[s.kind].rps.push(r.rows.get(row)!);
          got[s.kind].cpu.push((used * 1000) / n);
        }
      }
      rps.push([name, median(got.redis.rps), median(got.reddish.rps)]);
      cpu.push([name, median(got.redis.cpu), median(got.reddish.cpu)]);
      process.stderr.write(`  ${name}: redis ${median(got.redis.rps).toFixed(0)} reddish ${median(got.reddish.rps).toFixed(0)}\n`);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
  console.log(table('requests per second', rps));
  console.log(table('server CPU per request (the LRANGE figures include the LPUSH that fills the list)', cpu, { unit: 'µs' }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
