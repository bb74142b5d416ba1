/**
 * Sentinel failover timing, Reddish (sentinels and servers) vs
 * redis-sentinel + redis-server side by side:
 *
 *   npm run bench:failover                 (builds, then runs dist/bench/failover.js)
 *   RUNS=3 IMPL=redis npm run bench:failover
 *
 *   RUNS   runs per implementation and down-after-milliseconds (default 10)
 *   IMPL   redis | reddish | both (default both)
 *
 * Each run starts a fresh topology (1 master + 2 replicas + 3 sentinels,
 * quorum 2, failover-timeout 10 s, all of one implementation; see
 * test/support/sentinel-topology.ts) with `down-after-milliseconds` 5000 or
 * 1000, waits until the sentinels have discovered it, and then:
 *
 *   - a subscriber (PSUBSCRIBE *) on the first sentinel records the events;
 *   - an ioredis writer, sentinel-aware (`new Redis({ sentinels, name })`,
 *     no offline queue, reconnecting every 20 ms), SETs a key every 2 ms;
 *   - the master is killed with SIGKILL.
 *
 * Measured per run:
 *   (a) ms from the kill to `+switch-master` on the subscriber (also +sdown
 *       and +odown of the master, for reference);
 *   (b) the writer's write-unavailability window: from the completion of the
 *       last successful SET before the kill to the completion of the first
 *       successful SET sent after it (which can only be the new master's: the
 *       old one is dead).
 *
 * Prints a table per implementation and down-after (p50 and max over the
 * runs) and the Reddish/Redis ratios. Within a run Redis goes first, then
 * Reddish. SENTINEL_IMPL / SENTINEL_SERVERS are ignored (unset) here.
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import { implsFromEnv } from './redis-benchmark-run.js';
import { startTopology, stopAll, subscribeEvents, waitFor, redisSentinelAvailable, topologyLogs, type Impl, type Topology } from '../test/support/sentinel-topology.js';

// the harness reads these when it starts a process: SENTINEL_IMPL=redis would turn every sentinel into redis-sentinel
delete process.env.SENTINEL_IMPL;
delete process.env.SENTINEL_SERVERS;

const RUNS = Math.max(1, Number(process.env.RUNS ?? 10));
const IMPLS: Impl[] = implsFromEnv<Impl>(['redis', 'reddish']);
const DOWN_AFTERS = [5000, 1000];
const WRITE_INTERVAL_MS = 2;
const FAILOVER_TIMEOUT_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Whatever way the script ends, the harness's exit handler kills what it started.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

interface RunResult {
  impl: Impl;
  downAfter: number;
  sdownMs: number;
  odownMs: number;
  switchMs: number;
  windowMs: number;
  writes: number;
  failedWrites: number;
  error?: string;
}

interface Rec {
  sentAt: number;
  doneAt: number;
  ok: boolean;
}

/** A sentinel-aware ioredis client SETting a key every WRITE_INTERVAL_MS until stopped. */
function startWriter(t: Topology) {
  const c = new Redis({
    sentinels: t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    name: t.name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => 20,
    sentinelRetryStrategy: () => 20,
  });
  c.on('error', () => undefined); // failures surface through the SETs' promises
  const recs: Rec[] = [];
  let stopping = false;
  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      const sentAt = performance.timeOrigin + performance.now();
      let ok = false;
      try {
        ok = (await c.set('bench:failover', String(i))) === 'OK';
      } catch {
        ok = false;
      }
      recs.push({ sentAt, doneAt: performance.timeOrigin + performance.now(), ok });
      await sleep(WRITE_INTERVAL_MS);
    }
  })();
  return {
    recs,
    async stop(): Promise<void> {
      stopping = true;
      await Promise.race([loop, sleep(5000)]);
      c.disconnect();
    },
  };
}

const now = (): number => performance.timeOrigin + performance.now();

async function oneRun(impl: Impl, downAfter: number): Promise<RunResult> {
  const res: RunResult = { impl, downAfter, sdownMs: NaN, odownMs: NaN, switchMs: NaN, windowMs: NaN, writes: 0, failedWrites: 0 };
  let t: Topology | undefined;
  let events: Awaited<ReturnType<typeof subscribeEvents>> | undefined;
  let writer: ReturnType<typeof startWriter> | undefined;
  try {
    t = await startTopology({ servers: impl, sentinels: [impl, impl, impl], replicas: 2, quorum: 2, downAfterMs: downAfter, failoverTimeoutMs: 10_000 });
    const topo = t;
    events = await subscribeEvents(topo.sentinels[0].port);
    writer = startWriter(topo);
    const w = writer;
    await waitFor('the writer to succeed', () => w.recs.some((r) => r.ok), 20_000);
    await sleep(500);
    const killStart = now();
    const killWall = Date.now(); // the subscriber's event times are Date.now()
    await topo.master.kill('SIGKILL');
    const killDone = now();
    const masterTag = `master ${topo.name} 127.0.0.1 ${topo.master.port}`;
    const ev = events;
    const sw = await waitFor('+switch-master', () => ev.events.find((e) => e.channel === '+switch-master' && e.message.startsWith(`${topo.name} `)), FAILOVER_TIMEOUT_MS);
    res.switchMs = sw.at - killWall;
    const sdown = ev.events.find((e) => e.channel === '+sdown' && e.message.startsWith(masterTag));
    const odown = ev.events.find((e) => e.channel === '+odown' && e.message.startsWith(masterTag));
    res.sdownMs = sdown ? sdown.at - killWall : NaN;
    res.odownMs = odown ? odown.at - killWall : NaN;
    const first = await waitFor('a successful write after the kill', () => w.recs.find((r) => r.ok && r.sentAt >= killDone), FAILOVER_TIMEOUT_MS);
    const last = w.recs.filter((r) => r.ok && r.doneAt <= killStart).pop();
    res.windowMs = last ? first.doneAt - last.doneAt : NaN;
  } catch (e) {
    res.error = (e as Error).message.split('\n')[0];
    if (t && process.env.BENCH_VERBOSE) console.error(topologyLogs(t));
  } finally {
    if (writer) {
      await writer.stop();
      res.writes = writer.recs.length;
      res.failedWrites = writer.recs.filter((r) => !r.ok).length;
    }
    events?.close();
    await t?.stop();
  }
  return res;
}

// ---------------------------------------------------------------- report

function pct(xs: number[], p: number): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const p50 = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const max = (xs: number[]): number => pct(xs, 100);
const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '-');

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const wall = now();
  if (IMPLS.includes('redis') && !redisSentinelAvailable()) throw new Error('redis-sentinel / redis-server are not installed (apt-get install redis-server redis-sentinel)');
  console.log(`Sentinel failover: Reddish vs redis-sentinel + redis-server — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`runs: ${RUNS} per implementation and down-after; topology 1 master + 2 replicas + 3 sentinels, quorum 2; kill -9 of the master; writer SET every ${WRITE_INTERVAL_MS} ms`);

  const results: RunResult[] = [];
  for (const downAfter of DOWN_AFTERS) {
    for (let run = 1; run <= RUNS; run++) {
      for (const impl of IMPLS) {
        const r = await oneRun(impl, downAfter);
        results.push(r);
        console.error(
          `  down-after ${downAfter} run ${run}/${RUNS} ${impl.padEnd(7)}: ` +
            (r.error
              ? `FAILED: ${r.error}`
              : `+sdown ${fmt(r.sdownMs)} ms, +odown ${fmt(r.odownMs)} ms, +switch-master ${fmt(r.switchMs)} ms; write window ${fmt(r.windowMs)} ms (${r.writes} writes, ${r.failedWrites} failed)`),
        );
      }
    }
  }

  const sel = (impl: Impl, da: number): RunResult[] => results.filter((r) => r.impl === impl && r.downAfter === da && !r.error);
  console.log('');
  console.log(row(['impl', 'down-after (ms)', 'ok runs', '+odown p50 (ms)', '(a) kill → +switch-master p50', '(a) max', '(b) write window p50', '(b) max']));
  console.log(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const da of DOWN_AFTERS) {
    for (const impl of IMPLS) {
      const rs = sel(impl, da);
      const all = results.filter((r) => r.impl === impl && r.downAfter === da);
      const a = rs.map((r) => r.switchMs);
      const b = rs.map((r) => r.windowMs);
      console.log(row([impl, String(da), `${rs.length}/${all.length}`, fmt(p50(rs.map((r) => r.odownMs))), fmt(p50(a)), fmt(max(a)), fmt(p50(b)), fmt(max(b))]));
    }
  }
  if (IMPLS.length === 2) {
    console.log('');
    console.log(row(['reddish/redis', 'down-after (ms)', '(a) p50', '(a) max', '(b) p50', '(b) max']));
    console.log(row(['---', '---:', '---:', '---:', '---:', '---:']));
    for (const da of DOWN_AFTERS) {
      const [x, y] = [sel('reddish', da), sel('redis', da)];
      const f = (rs: RunResult[], g: (r: RunResult) => number) => rs.map(g);
      console.log(
        row([
          'ratio',
          String(da),
          ratio(p50(f(x, (r) => r.switchMs)), p50(f(y, (r) => r.switchMs))),
          ratio(max(f(x, (r) => r.switchMs)), max(f(y, (r) => r.switchMs))),
          ratio(p50(f(x, (r) => r.windowMs)), p50(f(y, (r) => r.windowMs))),
          ratio(max(f(x, (r) => r.windowMs)), max(f(y, (r) => r.windowMs))),
        ]),
      );
    }
  }
  const failed = results.filter((r) => r.error);
  if (failed.length > 0) {
    console.log(`\n${failed.length} run(s) failed:`);
    for (const r of failed) console.log(`  ${r.impl} down-after ${r.downAfter}: ${r.error}`);
  }
  console.log(`\ntotal ${((now() - wall) / 1000).toFixed(0)} s`);
}

try {
  await main();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await stopAll();
}
process.exit();
