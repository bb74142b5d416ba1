/**
 * notification-script and client-reconfig-script runs, as sentinel.c queues
 * them: at most 16 running and 256 queued, a script that exits 1 or dies by a
 * signal is retried (10 times, the delay doubling from script-retry-delay),
 * one running longer than script-max-runtime is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Sentinel } from './sentinel.js';

const MAX_QUEUE = 256;
const MAX_RUNNING = 16;
const MAX_RETRY = 10;

export interface ScriptJob {
  argv: string[];
  running: boolean;
  retryNum: number;
  /** Running: when it started. Waiting: not before this time (0: at once). */
  startTime: number;
  pid: number;
  child: ChildProcess | null;
}

export class ScriptQueue {
  readonly jobs: ScriptJob[] = [];
  running = 0;

  constructor(private readonly s: Sentinel) {}

  schedule(path: string, args: string[]): void {
    this.jobs.push({ argv: [path, ...args], running: false, retryNum: 0, startTime: 0, pid: 0, child: null });
    if (this.jobs.length > MAX_QUEUE) {
      // Drop the oldest job that is not running.
      const i = this.jobs.findIndex((j) => !j.running);
      if (i >= 0) this.jobs.splice(i, 1);
    }
  }

  /** Starts what may start, and kills what ran too long (called every timer tick). */
  run(): void {
    const now = Date.now();
    for (const j of this.jobs) {
      if (this.running >= MAX_RUNNING) break;
      if (j.running || (j.startTime && j.startTime > now)) continue;
      this.start(j);
    }
    for (const j of this.jobs) {
      if (j.running && now - j.startTime > this.s.timing.scriptMaxRuntime && j.child) {
        this.s.event('warning', '-script-timeout', null, `${j.argv[0]} ${j.pid}`);
        j.child.kill('SIGKILL');
      }
    }
  }

  private start(j: ScriptJob): void {
    j.running = true;
    j.startTime = Date.now();
    j.retryNum++;
    let child: ChildProcess;
    try {
      child = spawn(j.argv[0], j.argv.slice(1), { stdio: 'ignore' });
    } catch {
      this.finish(j, 0, 99);
      return;
    }
    j.child = child;
    this.running++;
    child.once('error', () => {
      // Could not exec: as Redis's child exiting with 2.
      if (j.child === child) this.exited(j, null, 2);
    });
    child.once('exit', (code, signal) => {
      if (j.child === child) this.exited(j, signal, code ?? 0);
    });
    j.pid = child.pid ?? 0;
    this.s.event('debug', '+script-child', null, String(j.pid));
  }

  private exited(j: ScriptJob, signal: NodeJS.Signals | null, code: number): void {
    j.child = null;
    this.running--;
    const bySignal = signal === null ? 0 : 1;
    this.s.event('debug', '-script-child', null, `${j.pid} ${code} ${bySignal}`);
    if ((bySignal || code === 1) && j.retryNum !== MAX_RETRY) {
      j.running = false;
      j.pid = 0;
      let delay = this.s.timing.scriptRetryDelay;
      for (let n = j.retryNum; n > 1; n--) delay *= 2;
      j.startTime = Date.now() + delay;
      return;
    }
    this.finish(j, bySignal, code);
  }

  private finish(j: ScriptJob, bySignal: number, code: number): void {
    if (bySignal || code !== 0) this.s.event('warning', '-script-error', null, `${j.argv[0]} ${bySignal} ${code}`);
    const i = this.jobs.indexOf(j);
    if (i >= 0) this.jobs.splice(i, 1);
  }

  killAll(): void {
    for (const j of this.jobs) j.child?.kill('SIGKILL');
  }
}
