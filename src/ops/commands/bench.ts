/**
 * `reddish bench`: a load generator for machines without redis-benchmark,
 * with its options (-c -n -P -t -d -r) and tests, against the target's
 * master or --host/--port. Per test: throughput and the latency
 * distribution (p50/p99/p99.9/max in ms, as redis-benchmark prints them).
 */
import { intValue, table, value, UsageError, type OptionSpec, type Parsed } from '../cli-args.js';
import { formatAddr, type Addr } from '../ops-client.js';
import { resolveTarget, TARGET_OPTIONS } from '../target.js';
import { currentMaster } from '../master-resolver.js';
import type net from 'node:net';
import { DEFAULT_TESTS, selectTests, type BenchTest } from '../bench-tests.js';
import { openClients, runCommands, runTest, type BenchOptions, type BenchResult } from '../bench-runner.js';
import { Progress } from '../progress.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, type OpsCommand } from './command.js';

const OPTIONS: OptionSpec[] = [
  { name: 'clients', alias: 'c', value: true, arg: 'n', help: 'Parallel connections (default 50)' },
  { name: 'requests', alias: 'n', value: true, arg: 'n', help: 'Requests per test (default 100000)' },
  { name: 'pipeline', alias: 'P', value: true, arg: 'n', help: 'Requests per round trip (default 1: no pipelining)' },
  { name: 'tests', alias: 't', value: true, arg: 'list', help: `Comma-separated tests (default ${DEFAULT_TESTS}; also ping_inline, ping_mbulk, zpopmin, lrange_<n>)` },
  { name: 'data-size', alias: 'd', value: true, arg: 'bytes', help: 'Value size of SET/LPUSH/HSET/MSET... (default 3)' },
  { name: 'keyspace', alias: 'r', value: true, arg: 'n', help: 'Random keys key:000000000042 below n (default: one fixed key, as redis-benchmark)' },
  { name: 'host', value: true, arg: 'host', help: 'Server host (default: the target\'s master)' },
  { name: 'port', alias: 'p', value: true, arg: 'port', help: 'Server port (default: the target\'s master; 6379 with --host)' },
  { name: 'dbnum', value: true, arg: 'n', help: 'SELECT this db (default 0)' },
  { name: 'quiet', alias: 'q', help: 'Print only the requests per second of each test' },
  { name: 'json', help: 'Print JSON' },
  // -a for the password, as redis-benchmark and redis-cli spell it.
  ...TARGET_OPTIONS.map((o) => (o.name === 'password' ? { ...o, alias: 'a' } : o)),
];

const ms = (us: number): string => (us / 1000).toFixed(3);

function resultJson(r: BenchResult): Record<string, unknown> {
  const h = r.histogram;
  const at = (pct: number): number => Number(ms(h.percentile(pct)));
  return {
    test: r.test, title: r.title, requests: r.requests, seconds: Number(r.seconds.toFixed(3)), rps: Math.round(r.rps * 100) / 100,
    latencyMs: { min: Number(ms(h.min === Infinity ? 0 : h.min)), avg: Number(ms(h.mean())), p50: at(50), p95: at(95), p99: at(99), p999: at(99.9), max: Number(ms(h.max)) },
    errors: r.errors, firstError: r.firstError,
  };
}

export const bench: OpsCommand = {
  name: 'bench',
  summary: 'Benchmark a server like redis-benchmark (-c -n -P -t -d -r): throughput and latency percentiles per test.',
  usage: 'reddish bench [-c clients] [-n requests] [-P pipeline] [-t tests] [-d bytes] [-r keyspace] [--host h] [-p port] [--json]',
  options: OPTIONS,
  async run(p: Parsed): Promise<number> {
    if (p.positional.length > 0) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
    const positive = (name: string, fallback: number, min: number): number => {
      const v = intValue(p, name, fallback);
      if (v < min) throw new UsageError(`--${name} must be at least ${min}`);
      return v;
    };
    const clients = positive('clients', 50, 1);
    const requests = positive('requests', 100000, 1);
    const pipeline = positive('pipeline', 1, 1);
    const dataSize = positive('data-size', 3, 0);
    const keyspace = positive('keyspace', 0, 0);
    const db = positive('dbnum', 0, 0);
    let tests: BenchTest[];
    try {
      tests = selectTests(value(p, 'tests') ?? DEFAULT_TESTS);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const target = resolveTarget(p);
    let addr: Addr | null;
    if (p.values.has('host') || p.values.has('port')) {
      addr = { host: value(p, 'host') ?? '127.0.0.1', port: intValue(p, 'port', 6379) };
    } else {
      addr = await currentMaster(target);
      if (addr === null) {
        process.stderr.write('no master found: give --host/--port, --master or --sentinel\n');
        return EXIT_UNREACHABLE;
      }
    }
    const o: BenchOptions = { addr, password: target.password, db, clients, requests, pipeline, dataSize, keyspace };
    let socks: net.Socket[];
    try {
      socks = await openClients(o);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return EXIT_UNREACHABLE;
    }
    const json = p.flags.has('json');
    const quiet = p.flags.has('quiet');
    if (!json && !quiet) {
      process.stdout.write(`bench ${formatAddr(addr)}: ${clients} clients, ${requests} requests per test, pipeline ${pipeline}, ${dataSize}-byte values, ${keyspace > 0 ? `keyspace ${keyspace}` : 'fixed keys'}\n\n`);
    }
    const results: BenchResult[] = [];
    try {
      for (const t of tests) {
        await runCommands(socks[0], t.setup?.('x'.repeat(dataSize)) ?? []);
        const bar = new Progress(t.title, requests);
        const t0 = Date.now();
        const r = await runTest(o, socks, t, (done) => bar.update(done, () => `${Math.round(done / Math.max(0.001, (Date.now() - t0) / 1000))} req/s`));
        bar.finish(`${r.requests} requests in ${r.seconds.toFixed(2)} s, ${r.rps.toFixed(0)} requests per second`);
        results.push(r);
        if (quiet && !json) process.stdout.write(`${r.title}: ${r.rps.toFixed(2)} requests per second, p50=${ms(r.histogram.percentile(50))} msec\n`);
      }
    } catch (e) {
      process.stderr.write(`bench failed: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    } finally {
      for (const s of socks) s.destroy();
    }
    if (json) {
      process.stdout.write(JSON.stringify({ server: formatAddr(addr), clients, requests, pipeline, dataSize, keyspace, tests: results.map(resultJson) }, null, 2) + '\n');
    } else if (!quiet) {
      process.stdout.write(table(
        ['test', 'requests', 'seconds', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors'],
        results.map((r) => {
          const h = r.histogram;
          return [r.title, String(r.requests), r.seconds.toFixed(3), r.rps.toFixed(2), ms(h.percentile(50)), ms(h.percentile(99)), ms(h.percentile(99.9)), ms(h.max), String(r.errors)];
        }),
      ));
    }
    const failed = results.filter((r) => r.errors > 0);
    for (const r of failed) process.stderr.write(`${r.title}: ${r.errors} error replies, first: ${r.firstError ?? '?'}\n`);
    return failed.length === 0 ? EXIT_OK : EXIT_FAILED;
  },
};
