/**
 * How long BGSAVE and BGREWRITEAOF stop the server, reddish-server next to
 * redis-server: a probe connection sends PING every millisecond and records
 * each round trip, while redis-benchmark keeps 10 clients writing and reading
 * random keys of a 1M-key dataset. Phases, each reported as the probes' p50,
 * p99, p99.9 and max round trip:
 *   - no save (the same load, BENCH_BASE_MS long),
 *   - during BGSAVE (until rdb_bgsave_in_progress is 0),
 *   - during BGREWRITEAOF (until aof_rewrite_in_progress is 0).
 * A stall of the event loop shows as a long round trip. Redis forks, so its
 * stall is the fork (INFO latest_fork_usec, also printed); Reddish saves in
 * slices between event-loop turns, so its stalls are its slices and V8's GC,
 * which runs whether a save is going on or not: compare each phase with the
 * no-save phase.
 *
 *   npm run build && node dist/bench/save-stalls.js
 *   BENCH_KEYS=1100000 BENCH_BASE_MS=4000 IMPL=both
 *
 * The load's SETs create keys (redis-benchmark spells them key:000000123456,
 * DEBUG POPULATE key:123456), up to LOAD_RANGE of them. The populated count
 * is past 2^20 and populated + LOAD_RANGE stays below 2^21, so no phase
 * includes the keyspace Map's growth to the next power of two (a stall of
 * its own, README "Known limits").
 */
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../test/support/servers.js';
import { implsFromEnv } from './redis-benchmark-run.js';

const KEYS = Math.max(10000, Number(process.env.BENCH_KEYS ?? 1_100_000));
const LOAD_RANGE = 900_000;
const BASE_MS = Math.max(1000, Number(process.env.BENCH_BASE_MS ?? 4000));

/** PING round trips in ms, one in flight, the next sent a millisecond after the last reply. */
class Probe {
  private readonly sock: net.Socket;
  private samples: number[] = [];
  private sentAt = 0;
  private running = false;

  private constructor(sock: net.Socket) {
    this.sock = sock;
    let pending = '';
    sock.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      while (pending.startsWith('+PONG\r\n')) {
        pending = pending.slice(7);
        this.samples.push(performance.now() - this.sentAt);
        if (this.running) setTimeout(() => this.send(), 1);
      }
    });
  }

  static connect(port: number): Promise<Probe> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.setNoDelay(true);
        resolve(new Probe(s));
      });
      s.once('error', reject);
    });
  }

  private send(): void {
    if (!this.running) return;
    this.sentAt = performance.now();
    this.sock.write('PING\r\n');
  }

  start(): void {
    this.samples = [];
    this.running = true;
    this.send();
  }

  /** Stops after the reply in flight and returns the phase's round trips. */
  async stop(): Promise<number[]> {
    this.running = false;
    await sleep(50);
    return this.samples;
  }

  close(): void {
    this.sock.destroy();
  }
}

interface PhaseStats {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  ms: number;
}

function stats(xs: number[], ms: number): PhaseStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { n: s.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: s.length ? s[s.length - 1] : NaN, ms };
}

/** Waits until INFO persistence shows `field:0`; returns how long it took. */
async function untilDone(ctl: Redis, field: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    await sleep(50);
    const info = await ctl.info('persistence');
    const running = new RegExp(`^${field}:1`, 'm').test(info) || /^aof_rewrite_scheduled:1/m.test(info);
    if (!running) return performance.now() - t0;
    if (performance.now() - t0 > 120_000) throw new Error(`${field} still 1 after 120 s`);
  }
}

function load(port: number): ChildProcess[] {
  const common = ['-h', '127.0.0.1', '-p', String(port), '-c', '5', '-n', '1000000000', '-r', String(LOAD_RANGE), '-q'];
  return [
    spawn('redis-benchmark', [...common, '-t', 'set'], { stdio: 'ignore' }),
    spawn('redis-benchmark', [...common, '-t', 'get'], { stdio: 'ignore' }),
  ];
}

async function measure(kind: 'reddish' | 'redis'): Promise<{ phases: Array<[string, PhaseStats]>; fork: string }> {
  const s: RunningServer = await startServer(kind, ['--enable-debug-command', 'yes', '--aof-use-rdb-preamble', 'yes']);
  const ctl = new Redis({ port: s.port, host: '127.0.0.1', lazyConnect: true });
  await ctl.connect();
  let loaders: ChildProcess[] = [];
  let probe: Probe | null = null;
  try {
    await ctl.call('DEBUG', 'POPULATE', String(KEYS), 'key', '20');
    await sleep(3000); // let the collector settle after the population
    loaders = load(s.port);
    await sleep(1000);
    probe = await Probe.connect(s.port);
    const phases: Array<[string, PhaseStats]> = [];

    probe.start();
    await sleep(BASE_MS);
    phases.push(['no save', stats(await probe.stop(), BASE_MS)]);

    probe.start();
    await ctl.bgsave();
    const saveMs = await untilDone(ctl, 'rdb_bgsave_in_progress');
    phases.push(['BGSAVE', stats(await probe.stop(), saveMs)]);
    const forkSave = /latest_fork_usec:(\d+)/.exec(await ctl.info('stats'))?.[1] ?? '-';

    await sleep(500);
    probe.start();
    await ctl.bgrewriteaof();
    const rewriteMs = await untilDone(ctl, 'aof_rewrite_in_progress');
    phases.push(['BGREWRITEAOF', stats(await probe.stop(), rewriteMs)]);
    const forkAof = /latest_fork_usec:(\d+)/.exec(await ctl.info('stats'))?.[1] ?? '-';
    return { phases, fork: kind === 'redis' ? `fork: BGSAVE ${forkSave} µs, BGREWRITEAOF ${forkAof} µs` : '' };
  } finally {
    for (const l of loaders) l.kill('SIGKILL');
    probe?.close();
    ctl.disconnect();
    await s.stop();
  }
}

async function main(): Promise<void> {
  console.log(`event-loop stalls during saves: ${KEYS} keys (DEBUG POPULATE, 20-byte values), 10 redis-benchmark clients (SET and GET, -r ${LOAD_RANGE}), PING probe every 1 ms`);
  const rows: string[] = [];
  for (const kind of implsFromEnv<'reddish' | 'redis'>(['redis', 'reddish'])) {
    const r = await measure(kind);
    for (const [name, st] of r.phases) {
      rows.push(`| ${kind} | ${name} | ${(st.ms / 1000).toFixed(2)} s | ${st.n} | ${st.p50.toFixed(2)} | ${st.p99.toFixed(2)} | ${st.p999.toFixed(2)} | ${st.max.toFixed(1)} |`);
    }
    if (r.fork) console.log(`${kind} ${r.fork}`);
  }
  console.log('\n| server | phase | duration | probes | p50 ms | p99 ms | p99.9 ms | max ms |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
