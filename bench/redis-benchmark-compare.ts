/**
 * redis-benchmark against reddish-server and redis-server side by side.
 *
 *   npm run bench                     (builds, then runs dist/bench/redis-benchmark-compare.js)
 *   BENCH_RUNS=5 BENCH_N=50000 npm run bench
 *
 * Both servers start with the same flags (--save '' --appendonly no) on free
 * ports. Runs are interleaved (reddish, redis, reddish, redis, ...) so drift in
 * machine load hits both alike; each figure is the median of BENCH_RUNS runs
 * (default 3). Configurations:
 *   (a) -c 50 -n BENCH_N   -P 1   SET,GET,INCR,MSET,PING_INLINE,PING_MBULK
 *   (b) -c 50 -n 2·BENCH_N -P 16  same tests
 *   (c) the default full test list once, reporting every test that got errors
 * BENCH_N defaults to 100000. Each server's main thread and the client run on
 * separate CPUs (cpu-placement.ts; BENCH_PIN=0 turns it off).
 */
import os from 'node:os';
import { startServer, type RunningServer } from '../test/support/servers.js';
import { describePlacement, pinServer } from './cpu-placement.js';
import { benchmark, fmt, median, table } from './redis-benchmark-run.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const N = Math.max(1, Number(process.env.BENCH_N ?? 100000));
const TESTS = 'set,get,incr,mset,ping_inline,ping_mbulk';

async function interleaved(servers: RunningServer[], args: string[]): Promise<Map<string, Map<string, number[]>>> {
  // kind -> test -> rps per run
  const acc = new Map<string, Map<string, number[]>>();
  for (let run = 0; run < RUNS; run++) {
    for (const s of servers) {
      const r = await benchmark(s.port, args);
      if (r.code !== 0) console.error(`  ${s.kind} run ${run + 1}: redis-benchmark exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
      const m = acc.get(s.kind) ?? new Map<string, number[]>();
      for (const [t, rps] of r.rows) m.set(t, [...(m.get(t) ?? []), rps]);
      acc.set(s.kind, m);
      process.stderr.write(`  ${s.kind} run ${run + 1}/${RUNS}: ${[...r.rows].map(([t, v]) => `${t.split(' ')[0]}=${fmt(v)}`).join(' ')}\n`);
    }
  }
  return acc;
}

function summarize(acc: Map<string, Map<string, number[]>>): Array<[string, number, number]> {
  const names = [...new Set([...(acc.get('redis')?.keys() ?? []), ...(acc.get('reddish')?.keys() ?? [])])];
  return names.map((t) => [t, median(acc.get('redis')?.get(t) ?? []), median(acc.get('reddish')?.get(t) ?? [])]);
}

/** Runs the default test list; if the benchmark stops at an error, records it and carries on test by test. */
async function fullList(s: RunningServer, testNames: string[]): Promise<{ rows: Map<string, number>; errors: Map<string, string> }> {
  const errors = new Map<string, string>();
  const first = await benchmark(s.port, ['-c', '50', '-n', String(N)]);
  const rows = new Map(first.rows);
  if (first.code === 0) return { rows, errors };
  // redis-benchmark exits at the first error reply: run the rest one test at a time
  for (const name of testNames) {
    if (rows.has(name)) continue;
    const t = testSelector(name);
    if (!t) continue;
    const r = await benchmark(s.port, ['-c', '50', '-n', String(N), '-t', t]);
    const v = r.rows.get(name);
    if (v !== undefined && r.code === 0) rows.set(name, v);
    else errors.set(name, (r.stderr.trim().split('\n')[0] ?? '') || `exit ${r.code}`);
  }
  return { rows, errors };
}

/** "-t" name for a report row: "LRANGE_100 (first 100 elements)" -> lrange_100; the LRANGE prelude has none. */
function testSelector(row: string): string | null {
  if (row.startsWith('LPUSH (')) return null;
  return row.split(' ')[0].toLowerCase();
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`redis-benchmark: reddish-server vs redis-server — ${new Date().toISOString()}`);
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, node ${process.version}`);
  console.log(`runs: ${RUNS} each (median), interleaved; n=${N}`);
  console.log(describePlacement());
  const reddish = await startServer('reddish');
  const redis = await startServer('redis');
  const servers = [reddish, redis];
  try {
    for (const s of servers) pinServer(s.proc.pid!);
    console.error('(a) -c 50 -P 1');
    const a = summarize(await interleaved(servers, ['-c', '50', '-n', String(N), '-P', '1', '-t', TESTS]));
    console.log(table(`(a) -c 50 -n ${N} -P 1`, a));

    console.error('(b) -c 50 -P 16');
    const b = summarize(await interleaved(servers, ['-c', '50', '-n', String(2 * N), '-P', '16', '-t', TESTS]));
    console.log(table(`(b) -c 50 -n ${2 * N} -P 16`, b));

    console.error('(c) default test list: errors');
    const redisFull = await fullList(redis, []);
    const names = [...redisFull.rows.keys()];
    const reddishFull = await fullList(reddish, names);

    console.error('(c) default test list -P 1');
    const c = summarize(await interleaved(servers, ['-c', '50', '-n', String(N), '-P', '1']));
    console.log(table(`(c) default test list, -c 50 -n ${N} -P 1`, c));

    console.error('(d) default test list -P 16');
    const d = summarize(await interleaved(servers, ['-c', '50', '-n', String(2 * N), '-P', '16']));
    console.log(table(`(d) default test list, -c 50 -n ${2 * N} -P 16`, d));
    const errs = [...reddishFull.errors, ...[...redisFull.errors].map(([t, e]) => [`${t} (redis)`, e] as const)];
    if (errs.length > 0) {
      console.log('\ntests with errors:');
      for (const [t, e] of errs) console.log(`  ${t}: ${e}`);
    } else {
      console.log('\nno test reported errors');
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
