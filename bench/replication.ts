/**
 * Master-replica replication, reddish-server vs redis-server side by side:
 *
 *   npm run bench:repl                 (builds, then runs dist/bench/replication.js)
 *   BENCH_RUNS=5 BENCH_KEYS=300000 BENCH_N=300000 BENCH_KEYSPACE=10000 npm run bench:repl
 *
 * Masters start with `--enable-debug-command yes --save '' --repl-diskless-sync-delay 0`
 * on free loopback ports in temp dirs; replicas are of the same kind as their
 * master. Each figure is the median of BENCH_RUNS runs (default 3); within a
 * run Redis goes first, then Reddish, one after the other.
 *
 *   1. Full sync: a master filled with `DEBUG POPULATE BENCH_KEYS key 20`
 *      (default 1M keys), a fresh, empty replica; timed from its REPLICAOF
 *      until its INFO replication shows master_link_status:up and its DBSIZE
 *      equals the master's. Split, from the replica's log, into "transfer"
 *      (sync started → Loading DB in memory: the master's snapshot and its
 *      transfer) and "load" (→ Finished with success). RSS of the master
 *      before, and peak RSS of both processes while it runs (Redis: without
 *      its fork child). Done with a new master for diskless
 *      (`repl-diskless-sync yes`, the default) and for disk-based
 *      (`--repl-diskless-sync no`) sync. A sample of 1000 random keys is
 *      compared with GET afterwards.
 *   2. Replication overhead: `redis-benchmark -t set -P 16 -c 50 -n BENCH_N
 *      -r BENCH_KEYSPACE` (defaults 1000000 and 100000) on an empty master with
 *      no replica, then again (after FLUSHALL) with 2 replicas started with
 *      `--replicaof` and in sync. `-r` spreads the SETs over many keys, so the
 *      check below compares a real dataset, each key overwritten many times.
 *   3. After each run of (2): waits (30 s at most) for every replica's
 *      slave_repl_offset to equal the master's master_repl_offset, then
 *      compares DBSIZE, DEBUG DIGEST and 1000 random keys (GET) of the
 *      replicas with the master's; also reports full resyncs that happened
 *      during the benchmark (sync_full). Done for Redis too, as a control.
 *
 * Prints tables with reddish/redis ratios, and one consistency line per run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startServer, type RunningServer, type ServerKind } from '../test/support/servers.js';
import { PipeClient, info, str, int, show, ReplyError, type Reply } from '../test/support/dataset.js';
import { cpuMs } from './redis-benchmark-run.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const KEYS = Math.max(1000, Number(process.env.BENCH_KEYS ?? 1_000_000));
const N = Math.max(1000, Number(process.env.BENCH_N ?? 1_000_000));
const KEYSPACE = Math.max(1, Number(process.env.BENCH_KEYSPACE ?? 100_000));
const SAMPLE = 1000;
const SYNC_TIMEOUT_MS = 180_000;
const CATCHUP_TIMEOUT_MS = 30_000;
const KINDS: readonly ServerKind[] = ['redis', 'reddish'];
const MASTER_ARGS = ['--enable-debug-command', 'yes', '--save', '', '--repl-diskless-sync-delay', '0'];

type Mode = 'diskless' | 'disk';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes

/** Servers started here and not yet stopped (their temp dirs go with them). */
const liveServers = new Set<RunningServer>();
const liveChildren = new Set<ChildProcess>();

/** Pids of this process's children, from /proc (also the ones startServer has not handed back yet). */
function ourChildren(): number[] {
  const out: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${process.pid}/task`)) {
      const s = readFileSync(`/proc/${process.pid}/task/${t}/children`, 'latin1').trim();
      if (s !== '') out.push(...s.split(/\s+/).map(Number));
    }
  } catch {
    /* no /proc */
  }
  return out;
}

/** Whatever way the script ends: every child killed, every server's temp dir removed. */
process.on('exit', () => {
  const dirs = new Set([...liveServers].map((s) => s.dir));
  for (const pid of ourChildren()) {
    try {
      // startServer's --dir; redis-server rewrites its argv, but it chdirs there
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      const d = argv.includes('--dir') ? argv[argv.indexOf('--dir') + 1] : readlinkSync(`/proc/${pid}/cwd`);
      if (d !== undefined && d.startsWith(join(os.tmpdir(), '/')) && /^(redis|reddish)-test-/.test(basename(d))) dirs.add(d);
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const c of liveChildren) c.kill('SIGKILL');
  for (const s of liveServers) s.proc.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

async function start(kind: ServerKind, args: string[]): Promise<RunningServer> {
  const s = await startServer(kind, args);
  liveServers.add(s);
  return s;
}

async function stop(s: RunningServer): Promise<void> {
  await s.stop();
  liveServers.delete(s);
}

/** VmRSS of a process in MB (0 when it is gone). */
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the peak RSS of some processes every 10 ms until stopped. */
function rssPeaks(pids: number[]): { stop(): number[] } {
  const peak = pids.map(() => 0);
  const sample = (): void => pids.forEach((p, i) => (peak[i] = Math.max(peak[i], rssMb(p))));
  sample();
  const t = setInterval(sample, 10);
  return {
    stop() {
      clearInterval(t);
      sample();
      return peak;
    },
  };
}

// ---------------------------------------------------------------- helpers

function check(r: Reply, what: string): Reply {
  if (r instanceof ReplyError) throw new Error(`${what}: ${r.message}`);
  return r;
}

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The last lines of a server's output, for error messages. */
function tail(s: RunningServer, n = 15): string {
  return s.output().trimEnd().split('\n').slice(-n).map((l) => `    ${s.kind}:${s.port}| ${l}`).join('\n');
}

/** Milliseconds of the day of the first log line containing `what` (both servers log "dd Mon yyyy hh:mm:ss.mmm"). */
function logTime(s: RunningServer, what: string): number {
  for (const line of s.output().split('\n')) {
    if (!line.includes(what)) continue;
    const m = / (\d\d):(\d\d):(\d\d)\.(\d{3}) /.exec(line);
    if (m) return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
  }
  return NaN;
}

/** Compares SAMPLE random keys of the master (RANDOMKEY, then GET) with the replicas; returns the mismatches. */
async function sampleKeys(master: PipeClient, replicas: PipeClient[]): Promise<string[]> {
  const keys = (await master.batch(Array.from({ length: SAMPLE }, () => ['RANDOMKEY']))).filter((k): k is string => typeof k === 'string');
  const gets = keys.map((k) => ['GET', k]);
  const want = await master.batch(gets);
  const bad: string[] = [];
  for (const [ri, r] of replicas.entries()) {
    const got = await r.batch(gets);
    got.forEach((g, i) => {
      if (show(g) !== show(want[i])) bad.push(`replica ${ri + 1}: GET ${keys[i]} = ${show(g, 40)}, master ${show(want[i], 40)}`);
    });
  }
  return bad;
}

/** slave_repl_offset of every replica equals master_repl_offset (read before and after them, to rule out a PING in between). */
async function waitCaughtUp(master: PipeClient, replicas: PipeClient[], timeoutMs: number): Promise<{ ok: boolean; ms: number; master: number; replicas: number[] }> {
  const t0 = performance.now();
  for (;;) {
    const m1 = Number((await info(master, 'replication')).get('master_repl_offset'));
    const rs: number[] = [];
    for (const r of replicas) rs.push(Number((await info(r, 'replication')).get('slave_repl_offset')));
    const m2 = Number((await info(master, 'replication')).get('master_repl_offset'));
    const ms = performance.now() - t0;
    if (m1 === m2 && rs.every((x) => x === m1)) return { ok: true, ms, master: m1, replicas: rs };
    if (ms > timeoutMs) return { ok: false, ms, master: m2, replicas: rs };
    await sleep(10);
  }
}

async function linkUp(c: PipeClient): Promise<boolean> {
  return (await info(c, 'replication')).get('master_link_status') === 'up';
}

// ---------------------------------------------------------------- 1. full sync

interface SyncResult {
  ms: number;
  transferMs: number;
  loadMs: number;
  masterRssBeforeMb: number;
  masterPeakMb: number;
  replicaPeakMb: number;
  masterUsedMb: number;
  bytes: number;
  sampleBad: string[];
}

async function fullSync(kind: ServerKind, mode: Mode): Promise<SyncResult> {
  const master = await start(kind, [...MASTER_ARGS, '--repl-diskless-sync', mode === 'diskless' ? 'yes' : 'no']);
  let replica: RunningServer | null = null;
  const mc = await PipeClient.connect(master.port);
  try {
    check(await mc.call('DEBUG', 'POPULATE', String(KEYS), 'key', '20'), 'DEBUG POPULATE');
    const expected = int(await mc.call('DBSIZE'));
    const masterUsedMb = Number((await info(mc, 'memory')).get('used_memory')) / 2 ** 20;
    replica = await start(kind, MASTER_ARGS);
    const rc = await PipeClient.connect(replica.port);
    try {
      const masterRssBeforeMb = rssMb(master.proc.pid!);
      const peaks = rssPeaks([master.proc.pid!, replica.proc.pid!]);
      const t0 = performance.now();
      check(await rc.call('REPLICAOF', '127.0.0.1', String(master.port)), 'REPLICAOF');
      let bytes = NaN;
      for (;;) {
        const rep = await info(rc, 'replication');
        const total = Number(rep.get('master_sync_total_bytes') ?? NaN);
        if (total > 0) bytes = total;
        if (rep.get('master_link_status') === 'up') {
          const n = await rc.call('DBSIZE');
          if (typeof n === 'bigint' && Number(n) === expected) break;
        }
        if (performance.now() - t0 > SYNC_TIMEOUT_MS) throw new Error(`${kind} ${mode} full sync not done after ${SYNC_TIMEOUT_MS} ms\n${tail(master)}\n${tail(replica)}`);
        await sleep(5);
      }
      const ms = performance.now() - t0;
      const [masterPeakMb, replicaPeakMb] = peaks.stop();
      const started = logTime(replica, 'MASTER <-> REPLICA sync started');
      const loading = logTime(replica, 'MASTER <-> REPLICA sync: Loading DB in memory');
      const finished = logTime(replica, 'MASTER <-> REPLICA sync: Finished with success');
      const sampleBad = await sampleKeys(mc, [rc]);
      return { ms, transferMs: loading - started, loadMs: finished - loading, masterRssBeforeMb, masterPeakMb, replicaPeakMb, masterUsedMb, bytes, sampleBad };
    } finally {
      rc.close();
    }
  } finally {
    mc.close();
    if (replica) await stop(replica);
    await stop(master);
  }
}

// ---------------------------------------------------------------- 2. and 3. overhead

interface BenchOut {
  rps: number;
  code: number | null;
  stderr: string;
}

function benchmark(port: number): Promise<BenchOut> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', 'set', '-P', '16', '-n', String(N), '-c', '50', '-r', String(KEYSPACE), '-q', '--csv'];
  return new Promise((resolve, reject) => {
    const p = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => {
      liveChildren.delete(p);
      reject(e);
    });
    p.on('close', (code) => {
      liveChildren.delete(p);
      const m = /^"SET","([0-9.]+)"/m.exec(out);
      resolve({ rps: m ? Number(m[1]) : NaN, code, stderr: err.trim() });
    });
  });
}

interface OverheadResult {
  rps0: number;
  rps2: number;
  /** The master's CPU time (user + system) per SET, µs: steadier than ops/s when replicas share the cores. */
  cpu0: number;
  cpu2: number;
  catchUpMs: number;
  consistent: boolean;
  line: string;
}

async function overhead(kind: ServerKind): Promise<OverheadResult> {
  const master = await start(kind, MASTER_ARGS);
  const replicas: RunningServer[] = [];
  const clients: PipeClient[] = [];
  const mc = await PipeClient.connect(master.port);
  try {
    const pid = master.proc.pid!;
    let mark = cpuMs(pid);
    const b0 = await benchmark(master.port);
    const cpu0 = ((cpuMs(pid) - mark) * 1000) / N;
    if (b0.code !== 0 || !Number.isFinite(b0.rps)) throw new Error(`${kind}: redis-benchmark (0 replicas) exited ${b0.code}: ${b0.stderr}\n${tail(master)}`);
    check(await mc.call('FLUSHALL'), 'FLUSHALL');

    for (let i = 0; i < 2; i++) replicas.push(await start(kind, [...MASTER_ARGS, '--replicaof', '127.0.0.1', String(master.port)]));
    for (const r of replicas) clients.push(await PipeClient.connect(r.port));
    const t0 = performance.now();
    for (;;) {
      const ups = await Promise.all(clients.map(linkUp));
      const online = [...(await info(mc, 'replication'))].filter(([k, v]) => /^slave\d+$/.test(k) && v.includes('state=online')).length;
      if (ups.every(Boolean) && online === 2 && (await waitCaughtUp(mc, clients, 0)).ok) break;
      if (performance.now() - t0 > 60_000) throw new Error(`${kind}: 2 replicas not in sync after 60 s\n${tail(master)}\n${replicas.map((r) => tail(r)).join('\n')}`);
      await sleep(20);
    }
    const fullBefore = Number((await info(mc, 'stats')).get('sync_full'));

    mark = cpuMs(pid);
    const b2 = await benchmark(master.port);
    const cpu2 = ((cpuMs(pid) - mark) * 1000) / N;
    if (b2.code !== 0 || !Number.isFinite(b2.rps)) throw new Error(`${kind}: redis-benchmark (2 replicas) exited ${b2.code}: ${b2.stderr}\n${tail(master)}`);

    // 3. consistency
    const cu = await waitCaughtUp(mc, clients, CATCHUP_TIMEOUT_MS);
    const fullDuring = Number((await info(mc, 'stats')).get('sync_full')) - fullBefore;
    const sizes = await Promise.all([mc, ...clients].map(async (c) => int(await c.call('DBSIZE'))));
    const td = performance.now();
    const digests = await Promise.all([mc, ...clients].map(async (c) => str(check(await c.call('DEBUG', 'DIGEST'), 'DEBUG DIGEST'))));
    const digestMs = performance.now() - td;
    const sampleBad = await sampleKeys(mc, clients);
    const ups = await Promise.all(clients.map(linkUp));

    const problems: string[] = [];
    if (!cu.ok) problems.push(`offsets not caught up after ${CATCHUP_TIMEOUT_MS / 1000} s`);
    if (!ups.every(Boolean)) problems.push(`link down on replica(s) ${ups.map((u, i) => (u ? '' : String(i + 1))).filter(Boolean).join(',')}`);
    if (fullDuring !== 0) problems.push(`${fullDuring} full resync(s) during the benchmark`);
    if (sizes.some((s) => s !== sizes[0])) problems.push(`DBSIZE differ`);
    if (digests.some((d) => d !== digests[0])) problems.push(`DEBUG DIGEST differ`);
    if (sampleBad.length > 0) problems.push(`${sampleBad.length} sampled keys differ (${sampleBad.slice(0, 3).join('; ')})`);
    const line =
      `${kind.padEnd(7)} offsets master=${cu.master} replicas=[${cu.replicas.join(', ')}] ` +
      `${cu.ok ? `equal ${cu.ms.toFixed(0)} ms after the benchmark` : 'NOT EQUAL'}; ` +
      `dbsize ${sizes.join('/')}; digest ${digests.map((d) => d.slice(0, 10)).join('/')} (${digestMs.toFixed(0)} ms); ` +
      `${SAMPLE}-key sample: ${sampleBad.length} mismatches; full resyncs during bench: ${fullDuring} ` +
      `=> ${problems.length === 0 ? 'OK' : `PROBLEM: ${problems.join('; ')}`}`;
    return { rps0: b0.rps, rps2: b2.rps, cpu0, cpu2, catchUpMs: cu.ok ? cu.ms : NaN, consistent: problems.length === 0, line };
  } finally {
    mc.close();
    for (const c of clients) c.close();
    for (const r of replicas) await stop(r);
    await stop(master);
  }
}

// ---------------------------------------------------------------- report

type Row = [string, number, number, number];

function table(rows: Row[]): string {
  const fmt = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const head = ['metric', 'redis', 'reddish', 'reddish/redis'];
  const body = rows.map(([m, a, b, d]) => [m, fmt(a, d), fmt(b, d), Number.isFinite(a) && Number.isFinite(b) && a > 0 ? (b / a).toFixed(2) : '-']);
  return [head, ['---', '---:', '---:', '---:'], ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const wall = performance.now();
  console.log(`Replication: reddish-server vs redis-server — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
  console.log(`runs: ${RUNS} (medians); full sync: ${KEYS} keys (DEBUG POPULATE, 20-byte values); overhead: redis-benchmark -t set -P 16 -c 50 -n ${N} -r ${KEYSPACE}`);

  // 1. full sync
  const sync = new Map<string, SyncResult[]>();
  const syncProblems: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    for (const mode of ['diskless', 'disk'] as const) {
      for (const kind of KINDS) {
        const r = await fullSync(kind, mode);
        sync.set(`${kind}/${mode}`, [...(sync.get(`${kind}/${mode}`) ?? []), r]);
        if (r.sampleBad.length > 0) syncProblems.push(`run ${run} ${kind} ${mode}: ${r.sampleBad.length} sampled keys differ: ${r.sampleBad.slice(0, 3).join('; ')}`);
        console.error(
          `  full sync run ${run}/${RUNS} ${mode.padEnd(8)} ${kind.padEnd(7)}: ${r.ms.toFixed(0)} ms (transfer ${r.transferMs} ms, load ${r.loadMs} ms), ` +
            `peak RSS master ${r.masterPeakMb.toFixed(0)} MB, replica ${r.replicaPeakMb.toFixed(0)} MB, sample mismatches ${r.sampleBad.length}`,
        );
      }
    }
  }
  const med = (kind: ServerKind, mode: Mode, f: (r: SyncResult) => number): number => median((sync.get(`${kind}/${mode}`) ?? []).map(f));
  const syncRows: Row[] = [
    ['master used_memory after DEBUG POPULATE (MB)', med('redis', 'diskless', (r) => r.masterUsedMb), med('reddish', 'diskless', (r) => r.masterUsedMb), 0],
    ['master RSS before the sync (MB)', med('redis', 'diskless', (r) => r.masterRssBeforeMb), med('reddish', 'diskless', (r) => r.masterRssBeforeMb), 0],
  ];
  for (const mode of ['diskless', 'disk'] as const) {
    const row = (label: string, f: (r: SyncResult) => number, d: number): Row => [`${mode}: ${label}`, med('redis', mode, f), med('reddish', mode, f), d];
    syncRows.push(
      row('REPLICAOF → link up and DBSIZE equal (ms)', (r) => r.ms, 0),
      row('  transfer: sync started → loading (ms, log)', (r) => r.transferMs, 0),
      row('  load: loading → finished (ms, log)', (r) => r.loadMs, 0),
      row('peak RSS master (MB; redis: without fork child)', (r) => r.masterPeakMb, 0),
      row('peak RSS replica (MB)', (r) => r.replicaPeakMb, 0),
    );
    if (mode === 'disk') syncRows.push(row('RDB payload (MB, master_sync_total_bytes)', (r) => r.bytes / 2 ** 20, 1));
  }

  // 2. and 3. overhead
  const ov = new Map<ServerKind, OverheadResult[]>();
  const lines: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    for (const kind of KINDS) {
      const r = await overhead(kind);
      ov.set(kind, [...(ov.get(kind) ?? []), r]);
      lines.push(`run ${run} ${r.line}`);
      console.error(`  overhead run ${run}/${RUNS} ${kind.padEnd(7)}: ${r.rps0.toFixed(0)} ops/s without replicas, ${r.rps2.toFixed(0)} with 2\n    ${r.line}`);
    }
  }
  const om = (kind: ServerKind, f: (r: OverheadResult) => number): number => median((ov.get(kind) ?? []).map(f));
  const ovRows: Row[] = [
    ['SET -P 16 ops/s, 0 replicas', om('redis', (r) => r.rps0), om('reddish', (r) => r.rps0), 0],
    ['SET -P 16 ops/s, 2 replicas', om('redis', (r) => r.rps2), om('reddish', (r) => r.rps2), 0],
    ['with 2 replicas / without', om('redis', (r) => r.rps2 / r.rps0), om('reddish', (r) => r.rps2 / r.rps0), 2],
    ['master CPU µs per SET, 0 replicas', om('redis', (r) => r.cpu0), om('reddish', (r) => r.cpu0), 2],
    ['master CPU µs per SET, 2 replicas', om('redis', (r) => r.cpu2), om('reddish', (r) => r.cpu2), 2],
    ['master CPU µs per SET added by 2 replicas', om('redis', (r) => r.cpu2 - r.cpu0), om('reddish', (r) => r.cpu2 - r.cpu0), 2],
    ['replicas caught up, ms after the benchmark ended', om('redis', (r) => r.catchUpMs), om('reddish', (r) => r.catchUpMs), 0],
  ];

  console.log(`\n1. full sync of ${KEYS} keys (median of ${RUNS})\n`);
  console.log(table(syncRows));
  if (syncProblems.length > 0) console.log(`\nfull sync problems:\n${syncProblems.map((l) => `  ${l}`).join('\n')}`);
  console.log(`\n2. replication overhead: redis-benchmark -t set -P 16 -c 50 -n ${N} -r ${KEYSPACE} (median of ${RUNS})\n`);
  console.log(table(ovRows));
  console.log(`\n3. consistency after each benchmark with 2 replicas\n`);
  for (const l of lines) console.log(`  ${l}`);
  const bad = [...ov.values()].flat().filter((r) => !r.consistent).length + syncProblems.length;
  console.log(`\n${bad === 0 ? 'all consistency checks passed' : `${bad} consistency check(s) FAILED`}; total ${((performance.now() - wall) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
