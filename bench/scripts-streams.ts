/**
 * What job queues and lock libraries run on, reddish-server vs redis-server
 * side by side with redis-benchmark (issue 9's bench): EVALSHA of a small
 * script, XADD, and XREADGROUP delivering one new entry per call.
 *
 *   npm run bench:scripts            (builds, then runs dist/bench/scripts-streams.js)
 *   BENCH_RUNS=5 BENCH_N=50000 npm run bench:scripts
 *
 * Runs are interleaved (reddish, redis, ...), each figure the median of
 * BENCH_RUNS (default 3), at -P 1 and -P 16 with -c 50; -P 16 runs send
 * BENCH_N_P16 requests (default 5 x BENCH_N: 100000 pipelined requests take
 * 0.2 s, too short to measure). Besides requests per second, each run's
 * server CPU time per request (user + system, from /proc) is printed: on a
 * shared machine it moves much less than throughput. Before each XREADGROUP
 * run the stream is refilled with more entries than the run reads, so every
 * call delivers an entry (an empty read would measure nothing).
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../test/support/servers.js';
import { benchmark, cpuMs, median, table } from './redis-benchmark-run.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const N = Math.max(1, Number(process.env.BENCH_N ?? 100000));
const N_P16 = Math.max(1, Number(process.env.BENCH_N_P16 ?? 5 * N));
const SCRIPT = "return redis.call('INCR', KEYS[1])";

interface Case {
  name: string;
  /** Prepares the server for one run; returns the command redis-benchmark sends. */
  prepare(c: Redis, n: number): Promise<string[]>;
}

const CASES: Case[] = [
  {
    name: 'EVALSHA incr',
    async prepare(c) {
      const sha = (await c.script('LOAD', SCRIPT)) as string;
      return ['EVALSHA', sha, '1', 'counter:__rand_int__'];
    },
  },
  {
    name: 'XADD',
    async prepare(c) {
      await c.del('bench:xadd');
      return ['XADD', 'bench:xadd', '*', 'field', 'value'];
    },
  },
  {
    name: 'XADD MAXLEN ~ 1000',
    async prepare(c) {
      await c.del('bench:xtrim');
      return ['XADD', 'bench:xtrim', 'MAXLEN', '~', '1000', '*', 'field', 'value'];
    },
  },
  {
    name: 'XREADGROUP >',
    async prepare(c, n) {
      await c.del('bench:xrg');
      for (let done = 0; done < n; ) {
        const p = c.pipeline();
        for (let i = 0; i < 1000 && done < n; i++, done++) p.xadd('bench:xrg', '*', 'field', 'value');
        await p.exec();
      }
      await c.xgroup('CREATE', 'bench:xrg', 'g', '0');
      return ['XREADGROUP', 'GROUP', 'g', 'consumer:__rand_int__', 'COUNT', '1', 'STREAMS', 'bench:xrg', '>'];
    },
  },
];

async function main(): Promise<void> {
  console.log(`scripts and streams: reddish-server vs redis-server — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}; runs: ${RUNS} (median), interleaved; n=${N} (-P 1), ${N_P16} (-P 16), -c 50, -r 1000`);
  const servers: RunningServer[] = [await startServer('reddish'), await startServer('redis')];
  const clients = servers.map((s) => new Redis({ port: s.port, host: '127.0.0.1' }));
  try {
    for (const pipeline of [1, 16]) {
      const n = pipeline === 1 ? N : N_P16;
      const rows: Array<[string, number, number]> = [];
      const cpuRows: Array<[string, number, number]> = [];
      for (const k of CASES) {
        const rps = new Map<string, number[]>([['redis', []], ['reddish', []]]);
        const cpu = new Map<string, number[]>([['redis', []], ['reddish', []]]);
        for (let run = 0; run < RUNS; run++) {
          for (let i = 0; i < servers.length; i++) {
            const s = servers[i];
            let v: number | undefined;
            try {
              const cmd = await k.prepare(clients[i], n + 1000);
              const cpu0 = cpuMs(s.proc.pid!);
              const r = await benchmark(s.port, ['-c', '50', '-n', String(n), '-P', String(pipeline), '-r', '1000', ...cmd]);
              v = r.code === 0 ? [...r.rows.values()][0] : undefined;
              if (v !== undefined) cpu.get(s.kind)!.push(((cpuMs(s.proc.pid!) - cpu0) * 1000) / n);
              if (v === undefined) process.stderr.write(`  ${s.kind} ${k.name}: redis-benchmark exited ${r.code}: ${r.stderr.trim()}\n`);
            } catch (e) {
              process.stderr.write(`  ${s.kind} ${k.name}: ${(e as Error).message}\n`);
            }
            if (v === undefined) continue; // a missing figure prints as '-'
            rps.get(s.kind)!.push(v);
            process.stderr.write(`  ${s.kind} ${k.name} -P ${pipeline} run ${run + 1}/${RUNS}: ${v.toFixed(0)}\n`);
          }
        }
        rows.push([k.name, median(rps.get('redis')!), median(rps.get('reddish')!)]);
        cpuRows.push([k.name, median(cpu.get('redis')!), median(cpu.get('reddish')!)]);
      }
      console.log(table(`-c 50 -n ${n} -P ${pipeline}`, rows));
      console.log(table(`server CPU per request, -P ${pipeline}`, cpuRows, { unit: 'µs' }));
    }
  } finally {
    for (const c of clients) c.disconnect();
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
