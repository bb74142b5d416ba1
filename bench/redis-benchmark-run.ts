/**
 * Running redis-benchmark and printing its figures: one place for the bench
 * scripts that compare reddish-server with redis-server side by side.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { clientCommand } from './cpu-placement.js';

export interface BenchResult {
  rows: Map<string, number>;
  order: string[];
  code: number | null;
  stderr: string;
}

/** Runs redis-benchmark (on the client CPUs, see cpu-placement.ts) against 127.0.0.1:port; with `timeoutMs`, a run that takes longer is killed (code null). */
export function benchmark(port: number, args: string[], timeoutMs?: number): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = clientCommand('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-q', '--csv', ...args]);
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    // redis-benchmark never gives up on a server that does not answer.
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      err += `killed after ${timeoutMs} ms\n`;
      p.kill('SIGKILL');
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      const rows = new Map<string, number>();
      const order: string[] = [];
      for (const line of out.split('\n')) {
        const m = /^"([^"]+)","([0-9.]+)"/.exec(line);
        if (!m || m[1] === 'test') continue;
        rows.set(m[1], Number(m[2]));
        order.push(m[1]);
      }
      resolve({ rows, order, code, stderr: err });
    });
  });
}

/** IMPL=redis|reddish|both (default both): which implementations a bench runs, `both` in the given order. */
export function implsFromEnv<T extends 'redis' | 'reddish'>(both: T[]): T[] {
  const v = (process.env.IMPL ?? 'both').toLowerCase();
  if (v === 'redis' || v === 'reddish') return [v as T];
  if (v === 'both') return both;
  throw new Error(`IMPL must be redis, reddish or both, not ${v}`);
}

/** CPU time (user + system) a process has used, in ms, from /proc (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmt(n: number): string {
  return Number.isFinite(n) ? n.toFixed(0) : '-';
}

/**
 * Rows of (test, redis, reddish) with their ratio reddish/redis. For a cost
 * (`cost`: CPU per request), figures get 2 decimals and the ratio is
 * redis/reddish, so that above 1 means Reddish is better in both tables.
 */
export function table(title: string, rows: Array<[string, number, number]>, cost?: { unit: string }): string {
  const head = cost ? ['test', `redis ${cost.unit}`, `reddish ${cost.unit}`, 'ratio'] : ['test', 'redis rps', 'reddish rps', 'ratio'];
  const show = (x: number): string => (cost && Number.isFinite(x) ? x.toFixed(2) : fmt(x));
  const ratio = (a: number, b: number): string => {
    if (!Number.isFinite(a) || !Number.isFinite(b) || a <= 0 || b <= 0) return '-';
    return (cost ? a / b : b / a).toFixed(2);
  };
  const body = rows.map(([t, a, b]) => [t, show(a), show(b), ratio(a, b)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [`\n${title}`, line(head), w.map((x) => '-'.repeat(x)).join('  '), ...body.map(line)].join('\n');
}
