/**
 * RDB persistence, reddish-server vs redis-server side by side:
 *
 *   npm run bench:rdb                  (builds, then runs dist/bench/rdb-save-load.js)
 *   BENCH_KEYS=300000 npm run bench:rdb
 *
 * Both servers are filled with the same BENCH_KEYS keys (default 1M): 90%
 * small strings (DEBUG POPULATE), and 4% hashes (10 fields), 3% lists (20
 * elements), 3% sorted sets (10 members). Then, one server at a time:
 *
 *   - SAVE: the reply's round trip;
 *   - BGSAVE with no other load: from the command to INFO showing it done
 *     (Redis notices that its child finished at its next serverCron, up to
 *     1/hz = 100 ms later, which this includes);
 *   - GET/SET latency (20 connections, closed loop, one command in flight
 *     each, random keys) for 2 s idle, then again while a BGSAVE runs: p50,
 *     p99, max, throughput; and the BGSAVE's duration under that load;
 *   - peak RSS while the BGSAVE runs (Reddish: the one process; Redis: the
 *     parent, and the forked child separately — its pages are mostly shared
 *     with the parent, so the two do not add up);
 *   - the dump.rdb size;
 *   - loading: a new server on the same dir, timed from spawn to the first
 *     PONG, and the "DB loaded from disk: X seconds" of its log; with
 *     BENCH_LOAD_RUNS=n (default 1), n loads each (the two servers
 *     alternating), reported as min and median, since one load on a shared
 *     machine is noisy.
 *
 * Prints a table with reddish/redis ratios. Servers run on free loopback
 * ports in temp dirs that are removed at the end.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer, type RunningServer, type ServerKind } from '../test/support/servers.js';
import { PipeClient, info, str, ReplyError, type Reply } from '../test/support/dataset.js';

const KEYS = Math.max(10000, Number(process.env.BENCH_KEYS ?? 1_000_000));
const LOAD_RUNS = Math.max(1, Number(process.env.BENCH_LOAD_RUNS ?? 1));
const CONNS = 20;
const IDLE_MS = 2000;

interface Side {
  kind: ServerKind;
  dir: string;
  srv: RunningServer;
  c: PipeClient;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a process in MB (0 when it is gone). */
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Child pids of a process (the forked BGSAVE child of redis-server). */
function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const s = readFileSync(`/proc/${pid}/task/${t}/children`, 'latin1').trim();
      if (s !== '') out.push(...s.split(/\s+/).map(Number));
    }
  } catch {
    /* gone */
  }
  return out;
}

function check(r: Reply, what: string): void {
  if (r instanceof ReplyError) throw new Error(`${what}: ${r.message}`);
}

async function fill(c: PipeClient): Promise<void> {
  const strings = Math.round(KEYS * 0.9);
  check(await c.call('DEBUG', 'POPULATE', String(strings), 'key', '16'), 'DEBUG POPULATE');
  const hashes = Math.round(KEYS * 0.04);
  const lists = Math.round(KEYS * 0.03);
  const zsets = KEYS - strings - hashes - lists;
  let batch: string[][] = [];
  const flush = async (): Promise<void> => {
    for (const r of await c.batch(batch)) check(r, 'fill');
    batch = [];
  };
  for (let i = 0; i < hashes; i++) {
    const a = ['HSET', `hash:${i}`];
    for (let f = 0; f < 10; f++) a.push(`field${f}`, `value-${i}-${f}`);
    batch.push(a);
    if (batch.length >= 2000) await flush();
  }
  for (let i = 0; i < lists; i++) {
    const a = ['RPUSH', `list:${i}`];
    for (let e = 0; e < 20; e++) a.push(e % 2 ? String(i * 20 + e) : `element-${e}`);
    batch.push(a);
    if (batch.length >= 2000) await flush();
  }
  for (let i = 0; i < zsets; i++) {
    const a = ['ZADD', `zset:${i}`];
    for (let m = 0; m < 10; m++) a.push(String((i * 7 + m * 13) % 1000 + m / 10), `member-${m}`);
    batch.push(a);
    if (batch.length >= 2000) await flush();
  }
  await flush();
}

async function bgsaveDone(c: PipeClient): Promise<void> {
  for (;;) {
    const p = await info(c, 'persistence');
    if (p.get('rdb_bgsave_in_progress') === '0') {
      if (p.get('rdb_last_bgsave_status') !== 'ok') throw new Error('BGSAVE failed');
      return;
    }
    await sleep(5);
  }
}

interface LoadStats {
  p50: number;
  p99: number;
  max: number;
  opsPerSec: number;
}

function stats(lat: number[], ms: number): LoadStats {
  const s = Float64Array.from(lat).sort();
  const q = (p: number): number => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(p * s.length))]);
  return { p50: q(0.5), p99: q(0.99), max: s.length ? s[s.length - 1] : NaN, opsPerSec: (lat.length / ms) * 1000 };
}

/**
 * GET/SET from CONNS connections until `until` resolves; latencies (ms) of
 * the requests that completed while `recording()` was true.
 */
async function load(port: number, until: Promise<void>, recording: () => boolean): Promise<number[]> {
  const conns = await Promise.all(Array.from({ length: CONNS }, () => PipeClient.connect(port)));
  const lat: number[] = [];
  let stop = false;
  void until.then(() => (stop = true));
  let n = 0;
  await Promise.all(
    conns.map(async (c, ci) => {
      while (!stop) {
        const k = `key:${(n++ * 7919 + ci * 104729) % Math.round(KEYS * 0.9)}`;
        const t = performance.now();
        const r = n % 2 ? await c.call('GET', k) : await c.call('SET', k, `v${n}`);
        const dt = performance.now() - t;
        check(r, 'load');
        if (recording()) lat.push(dt);
      }
    }),
  );
  for (const c of conns) c.close();
  return lat;
}

interface Result {
  usedMemoryMb: number;
  rssBeforeMb: number;
  saveMs: number;
  bgsaveIdleMs: number;
  bgsaveLoadedMs: number;
  idle: LoadStats;
  during: LoadStats;
  peakRssMb: number;
  childPeakRssMb: number;
  fileMb: number;
  loadLogSec: number[];
  loadPongMs: number[];
  /** used_memory of the last server that loaded the dump, once DBSIZE answered. */
  loadedMemoryMb: number;
}

async function measure(side: Side): Promise<Result> {
  const { c, srv } = side;
  const pid = srv.proc.pid!;
  const mem = await info(c, 'memory');
  const rssBefore = rssMb(pid);

  let t = performance.now();
  check(await c.call('SAVE'), 'SAVE');
  const saveMs = performance.now() - t;
  const fileMb = statSync(join(side.dir, 'dump.rdb')).size / 2 ** 20;

  t = performance.now();
  if (str(await c.call('BGSAVE')) !== 'Background saving started') throw new Error('BGSAVE refused');
  await bgsaveDone(c);
  const bgsaveIdleMs = performance.now() - t;

  // Idle latency.
  let rec = true;
  const idleLat = await load(srv.port, sleep(IDLE_MS), () => rec);
  const idle = stats(idleLat, IDLE_MS);

  // Latency while a BGSAVE runs (the load starts first and settles).
  rec = false;
  let peak = 0;
  let childPeak = 0;
  let saveStart = 0;
  let bgLoadedMs = 0;
  const during = (async (): Promise<void> => {
    await sleep(300);
    const poll = await PipeClient.connect(srv.port);
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(pid));
      for (const ch of children(pid)) childPeak = Math.max(childPeak, rssMb(ch));
    }, 5);
    saveStart = performance.now();
    if (str(await poll.call('BGSAVE')) !== 'Background saving started') throw new Error('BGSAVE refused');
    rec = true;
    await bgsaveDone(poll);
    rec = false;
    bgLoadedMs = performance.now() - saveStart;
    clearInterval(sampler);
    poll.close();
  })();
  const duringLat = await load(srv.port, during, () => rec);
  await during;

  // Loading: a new server on the same dir, once this one is gone (main() runs the loads).
  await srv.stop();
  return {
    usedMemoryMb: Number(mem.get('used_memory')) / 2 ** 20,
    rssBeforeMb: rssBefore,
    saveMs,
    bgsaveIdleMs,
    bgsaveLoadedMs: bgLoadedMs,
    idle,
    during: stats(duringLat, bgLoadedMs),
    peakRssMb: peak,
    childPeakRssMb: childPeak,
    fileMb,
    loadLogSec: [],
    loadPongMs: [],
    loadedMemoryMb: NaN,
  };
}

/** One load of the side's dump.rdb by a new server; leaves it running as side.srv. */
async function loadOnce(side: Side, r: Result): Promise<void> {
  const t0 = performance.now();
  const s2 = await startServer(side.kind, ['--enable-debug-command', 'yes', '--dir', side.dir, '--dbfilename', 'dump.rdb']);
  const c2 = await PipeClient.connect(s2.port);
  for (;;) {
    const reply = await c2.call('PING');
    if (reply === 'PONG') break;
    await sleep(2);
  }
  r.loadPongMs.push(performance.now() - t0);
  let loadLogSec = NaN;
  for (let i = 0; i < 200 && Number.isNaN(loadLogSec); i++) {
    const m = /DB loaded from disk: ([0-9.]+) seconds/.exec(s2.output());
    if (m) loadLogSec = Number(m[1]);
    else await sleep(10);
  }
  r.loadLogSec.push(loadLogSec);
  const size = Number(await c2.call('DBSIZE'));
  if (size !== KEYS) throw new Error(`${side.kind} loaded ${size} keys, expected ${KEYS}`);
  const mem = await info(c2, 'memory');
  r.loadedMemoryMb = Number(mem.get('used_memory')) / 2 ** 20;
  c2.close();
  side.srv = s2;
}

function minOf(xs: number[]): number {
  return Math.min(...xs);
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function table(rows: Array<[string, number, number, number]>): string {
  const fmt = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const head = ['metric', 'redis', 'reddish', 'reddish/redis'];
  const body = rows.map(([m, a, b, d]) => [m, fmt(a, d), fmt(b, d), Number.isFinite(a) && Number.isFinite(b) && a > 0 ? (b / a).toFixed(2) : '-']);
  const lines = [head, ...body];
  return lines.map((r) => `| ${r.join(' | ')} |`).join('\n').replace(/\n/, `\n| --- | ---: | ---: | ---: |\n`);
}

async function main(): Promise<void> {
  console.log(`RDB save/load: reddish-server vs redis-server — ${new Date().toISOString()}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
  console.log(`keys: ${KEYS} (90% strings of 16 bytes, 4% hashes x10, 3% lists x20, 3% zsets x10); load: ${CONNS} connections, GET/SET, 1 in flight each`);
  const sides: Side[] = [];
  try {
    for (const kind of ['redis', 'reddish'] as const) {
      const dir = mkdtempSync(join(os.tmpdir(), `bench-rdb-${kind}-`));
      const srv = await startServer(kind, ['--enable-debug-command', 'yes', '--dir', dir, '--dbfilename', 'dump.rdb']);
      const c = await PipeClient.connect(srv.port);
      sides.push({ kind, dir, srv, c });
    }
    const t = performance.now();
    await Promise.all(sides.map((s) => fill(s.c)));
    console.error(`filled both in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const res = new Map<ServerKind, Result>();
    for (const s of sides) {
      console.error(`measuring ${s.kind}...`);
      res.set(s.kind, await measure(s));
      s.c.close();
    }
    for (let i = 0; i < LOAD_RUNS; i++) {
      for (const s of sides) {
        if (i > 0) await s.srv.stop();
        await loadOnce(s, res.get(s.kind)!);
      }
    }
    const a = res.get('redis')!;
    const b = res.get('reddish')!;
    const rows: Array<[string, number, number, number]> = [
      ['used_memory (MB)', a.usedMemoryMb, b.usedMemoryMb, 0],
      ['used_memory after a load (MB)', a.loadedMemoryMb, b.loadedMemoryMb, 0],
      ['RSS before saving (MB)', a.rssBeforeMb, b.rssBeforeMb, 0],
      ['SAVE (ms)', a.saveMs, b.saveMs, 0],
      ['BGSAVE, no load (ms)', a.bgsaveIdleMs, b.bgsaveIdleMs, 0],
      ['BGSAVE, under GET/SET load (ms)', a.bgsaveLoadedMs, b.bgsaveLoadedMs, 0],
      ['dump.rdb size (MB)', a.fileMb, b.fileMb, 1],
      [`load: "DB loaded from disk" (s), min of ${LOAD_RUNS}`, minOf(a.loadLogSec), minOf(b.loadLogSec), 3],
      [`load: "DB loaded from disk" (s), median of ${LOAD_RUNS}`, medianOf(a.loadLogSec), medianOf(b.loadLogSec), 3],
      [`load: spawn to first PONG (ms), min of ${LOAD_RUNS}`, minOf(a.loadPongMs), minOf(b.loadPongMs), 0],
      ['GET/SET idle: p50 (ms)', a.idle.p50, b.idle.p50, 3],
      ['GET/SET idle: p99 (ms)', a.idle.p99, b.idle.p99, 3],
      ['GET/SET idle: ops/s', a.idle.opsPerSec, b.idle.opsPerSec, 0],
      ['GET/SET during BGSAVE: p50 (ms)', a.during.p50, b.during.p50, 3],
      ['GET/SET during BGSAVE: p99 (ms)', a.during.p99, b.during.p99, 3],
      ['GET/SET during BGSAVE: max (ms)', a.during.max, b.during.max, 1],
      ['GET/SET during BGSAVE: ops/s', a.during.opsPerSec, b.during.opsPerSec, 0],
      ['peak RSS during BGSAVE, server process (MB)', a.peakRssMb, b.peakRssMb, 0],
      ['peak RSS of the fork child (MB, pages shared)', a.childPeakRssMb, NaN, 0],
    ];
    console.log('');
    console.log(table(rows));
  } finally {
    for (const s of sides) {
      s.c.close();
      await s.srv.stop();
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
