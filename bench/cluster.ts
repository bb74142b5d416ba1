/**
 * Cluster mode, Reddish vs redis-server side by side:
 *
 *   npm run bench:cluster            (builds, then runs dist/bench/cluster.js)
 *   BENCH_RUNS=5 BENCH_N=200000 FAILOVER_RUNS=3 npm run bench:cluster
 *
 *   BENCH_RUNS     redis-benchmark runs per side and configuration, median reported (default 3; 0 skips)
 *   BENCH_N        requests per run at -P 1; twice that at -P 16 (default 100000)
 *   FAILOVER_RUNS  failovers per implementation (default 2)
 *   NODE_TIMEOUT   cluster-node-timeout in ms (default 2000)
 *   IMPL           reddish | redis | both (default both)
 *
 * Each side is 3 masters with a replica each (6 processes, same flags),
 * built with the real `redis-cli --cluster create --cluster-replicas 1`, and
 * only benchmarked once every node says cluster_state:ok (redis-benchmark
 * spins forever against a server that is not there).
 *
 * 1. Throughput: `redis-benchmark --cluster -t set,get -c 50` at -P 1 and
 *    -P 16, runs interleaved (reddish, redis, reddish, ...) so drifting load
 *    hits both alike; median of BENCH_RUNS; the reddish/redis ratio.
 * 2. Failover, on a fresh cluster per run: an ioredis Cluster client writes
 *    lightly (the mixed workload of test/support/cluster-workload.ts, 2 loops
 *    pausing 2 ms), a master is killed with SIGKILL, and we time (from
 *    outside, polling the survivors) until its replica calls itself master,
 *    until every survivor agrees, and until cluster_state:ok everywhere; then
 *    every acknowledged write is read back and the lost ones counted (with
 *    how long before the kill the oldest of them was acknowledged).
 */
import os from 'node:os';
import { Cluster as IORedisCluster } from 'ioredis';
import { bulkText, clusterCreate, cmd, nodesOf, startClusterNodes, waitUntil, type NodeLine, type TestCluster } from '../test/support/cluster-nodes.js';
import type { ServerKind } from '../test/support/servers.js';
import { ioredisDriver, runWorkload } from '../test/support/cluster-workload.js';
import { readBack } from '../test/support/cluster-ledger.js';
import { servedSlots, watchFailover } from '../test/support/cluster-failover-watch.js';
import { benchmark, fmt, implsFromEnv, median, table } from './redis-benchmark-run.js';

const RUNS = Math.max(0, Number(process.env.BENCH_RUNS ?? 3));
const N = Math.max(1, Number(process.env.BENCH_N ?? 100000));
const FAILOVER_RUNS = Math.max(0, Number(process.env.FAILOVER_RUNS ?? 2));
const NODE_TIMEOUT = Math.max(100, Number(process.env.NODE_TIMEOUT ?? 2000));
const KINDS: ServerKind[] = implsFromEnv<ServerKind>(['reddish', 'redis']);
/** A redis-benchmark run that takes longer than this is stuck (a node went away): killed. */
const BENCH_TIMEOUT_MS = 300_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const live = new Set<TestCluster>();

/** 3 masters + 3 replicas of `kind`, created, every node ok and every replica linked. */
async function makeCluster(kind: ServerKind): Promise<TestCluster> {
  const c = await startClusterNodes(kind, 6, { nodeTimeout: NODE_TIMEOUT, args: ['--repl-diskless-sync-delay', '0'] });
  live.add(c);
  const ports = c.nodes.map((n) => n.port);
  const r = await clusterCreate(c.nodes, 1);
  if (r.status !== 0) throw new Error(`${kind}: redis-cli --cluster create failed\n${r.out}`);
  for (const p of ports) {
    await waitUntil(`cluster_state:ok on ${kind} ${p}`, async () => bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 60000);
  }
  const settled = (v: NodeLine[]) => v.filter((n) => n.flags.includes('slave') && n.master !== '-').length === 3;
  await waitUntil(`${kind}: every node to know the replicas`, async () => (await Promise.all(ports.map(nodesOf))).every(settled), 60000);
  for (const p of ports) {
    if (!bulkText(await cmd(p, 'INFO', 'replication')).includes('role:slave')) continue;
    await waitUntil(`${kind}: replica ${p} in sync`, async () => bulkText(await cmd(p, 'INFO', 'replication')).includes('master_link_status:up'), 60000);
  }
  return c;
}

async function stopCluster(c: TestCluster): Promise<void> {
  live.delete(c);
  await c.stop();
}

// ---------------------------------------------------------------- throughput

async function throughput(): Promise<void> {
  const clusters = new Map<ServerKind, TestCluster>();
  try {
    for (const k of KINDS) clusters.set(k, await makeCluster(k));
    for (const [pipeline, n] of [[1, N], [16, 2 * N]] as const) {
      const args = ['--cluster', '-t', 'set,get', '-n', String(n), '-c', '50', '-P', String(pipeline)];
      const acc = new Map<ServerKind, Map<string, number[]>>();
      for (let run = 0; run < RUNS; run++) {
        for (const k of KINDS) {
          const r = await benchmark(clusters.get(k)!.nodes[0].port, args, BENCH_TIMEOUT_MS);
          if (r.code !== 0) console.error(`  ${k} run ${run + 1}: redis-benchmark exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
          const m = acc.get(k) ?? new Map<string, number[]>();
          for (const [t, rps] of r.rows) m.set(t, [...(m.get(t) ?? []), rps]);
          acc.set(k, m);
          console.error(`  -P ${pipeline} ${k.padEnd(7)} run ${run + 1}/${RUNS}: ${[...r.rows].map(([t, v]) => `${t}=${fmt(v)}`).join(' ')}`);
        }
      }
      const names = [...new Set([...(acc.get('redis')?.keys() ?? []), ...(acc.get('reddish')?.keys() ?? [])])];
      const rows: Array<[string, number, number]> = names.map((t) => [t, median(acc.get('redis')?.get(t) ?? []), median(acc.get('reddish')?.get(t) ?? [])]);
      console.log(table(`redis-benchmark --cluster -c 50 -n ${n} -P ${pipeline} (median of ${RUNS})`, rows));
    }
  } finally {
    for (const c of clusters.values()) await stopCluster(c);
  }
}

// ---------------------------------------------------------------- failover

interface FailoverResult {
  kind: ServerKind;
  promotedMs: number;
  agreedMs: number;
  okMs: number;
  acked: number;
  lost: number;
  /** How long before the kill the earliest lost write had been acknowledged (NaN: none lost). */
  lostOldestMs: number;
  errors: number;
  error?: string;
}

async function oneFailover(kind: ServerKind): Promise<FailoverResult> {
  const res: FailoverResult = { kind, promotedMs: NaN, agreedMs: NaN, okMs: NaN, acked: 0, lost: 0, lostOldestMs: NaN, errors: 0 };
  let c: TestCluster | undefined;
  try {
    c = await makeCluster(kind);
    const view = await nodesOf(c.nodes[0].port);
    const victim = view.find((n) => n.flags.includes('master'))!;
    const replica = view.find((n) => n.master === victim.id)!;
    const entry = c.nodes.find((n) => n.port !== victim.port)!.port;
    const writer = runWorkload(ioredisDriver(entry), `fo-${kind}`, { loops: 2, pauseMs: 2 });
    await sleep(2000);
    const slots = servedSlots(victim);
    const killAt = Date.now();
    await c.nodes.find((n) => n.port === victim.port)!.server.kill('SIGKILL');
    const survivors = c.nodes.map((n) => n.port).filter((p) => p !== victim.port);
    try {
      Object.assign(res, await watchFailover(survivors, replica.port, replica.id, slots, killAt, 60000));
      await sleep(2000);
    } finally {
      await writer.stop();
    }
    res.errors = writer.ledger.errors.length;
    const reader = new IORedisCluster([{ host: '127.0.0.1', port: entry }]);
    try {
      const rep = await readBack(reader, [writer.ledger]);
      res.acked = rep.acked;
      // Which INCRs of a counter were lost is unknown: taken as its last acknowledged ones.
      const lostAt = [...rep.lost.map((x) => x.ackAt), ...rep.lostIncrs.flatMap((x) => x.acks.slice(-x.missing))];
      res.lost = rep.lost.length + rep.lostIncrs.reduce((a, x) => a + x.missing, 0);
      res.lostOldestMs = lostAt.length ? killAt - Math.min(...lostAt) : NaN;
    } finally {
      reader.disconnect();
    }
  } catch (e) {
    res.error = (e as Error).message.split('\n')[0];
  } finally {
    if (c) await stopCluster(c);
  }
  return res;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function failovers(): Promise<void> {
  const results: FailoverResult[] = [];
  for (let run = 1; run <= FAILOVER_RUNS; run++) {
    for (const k of KINDS) {
      const r = await oneFailover(k);
      results.push(r);
      console.error(`  failover run ${run}/${FAILOVER_RUNS} ${k.padEnd(7)}: ` + (r.error ? `FAILED: ${r.error}`
        : `promoted ${fmt(r.promotedMs)} ms, all agree ${fmt(r.agreedMs)} ms, cluster_state:ok ${fmt(r.okMs)} ms; ` +
          `${r.lost}/${r.acked} acknowledged writes lost${r.lost ? ` (oldest acknowledged ${fmt(r.lostOldestMs)} ms before the kill)` : ''}, ${r.errors} client errors`));
    }
  }
  const ok = (k: ServerKind) => results.filter((r) => r.kind === k && !r.error);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
  console.log(`\nFailover: kill -9 of a master under light ioredis write load (cluster-node-timeout ${NODE_TIMEOUT} ms, ${FAILOVER_RUNS} run(s) each)`);
  console.log(row(['impl', 'ok runs', 'promoted p50 (ms)', 'max', 'cluster_state:ok p50 (ms)', 'max', 'acked writes', 'lost writes']));
  console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const k of KINDS) {
    const rs = ok(k);
    console.log(row([k, `${rs.length}/${FAILOVER_RUNS}`, fmt(median(rs.map((r) => r.promotedMs))), fmt(max(rs.map((r) => r.promotedMs))),
      fmt(median(rs.map((r) => r.okMs))), fmt(max(rs.map((r) => r.okMs))), String(rs.reduce((a, r) => a + r.acked, 0)), String(rs.reduce((a, r) => a + r.lost, 0))]));
  }
  const [a, b] = [median(ok('reddish').map((r) => r.promotedMs)), median(ok('redis').map((r) => r.promotedMs))];
  if (a > 0 && b > 0) console.log(`reddish/redis promotion time (p50): ${(a / b).toFixed(2)}`);
  for (const r of results.filter((x) => x.error)) console.log(`  ${r.kind} failover FAILED: ${r.error}`);
}

async function main(): Promise<void> {
  const start = Date.now();
  console.log(`Cluster: reddish-server vs redis-server, 3 masters + 3 replicas each — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}; runs: ${RUNS} (median), n=${N}`);
  if (RUNS > 0) await throughput();
  if (FAILOVER_RUNS > 0) await failovers();
  console.log(`\ntotal ${((Date.now() - start) / 1000).toFixed(0)} s`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    void Promise.all([...live].map((c) => c.stop())).finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  for (const c of [...live]) await stopCluster(c);
}
process.exit();
