/**
 * Starting real server processes for tests: reddish-server (the compiled
 * dist/src/main.js) and, for differential tests, Debian's redis-server.
 * Each gets a free loopback port and a scratch dir; `stop()` kills it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { freePort } from './free-port.js';

export type ServerKind = 'reddish' | 'redis';

export interface RunningServer {
  kind: ServerKind;
  port: number;
  dir: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src/main.js, from dist/test/support. */
export const REDDISH_MAIN = join(here, '..', '..', 'src', 'main.js');

export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

async function waitForPort(port: number, proc: ChildProcess, timeoutMs = 10000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with code ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`server on ${port} did not start`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** configFile: passed first; nodeArgs: flags for node itself (reddish only), e.g. --max-old-space-size. */
export async function startServer(kind: ServerKind, args: string[] = [], opts: { configFile?: string; nodeArgs?: string[] } = {}): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `${kind}-test-`));
  const base = [...(opts.configFile ? [opts.configFile] : []), '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const proc =
    kind === 'reddish'
      ? spawn(process.execPath, [...(opts.nodeArgs ?? []), REDDISH_MAIN, ...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('redis-server', [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  try {
    await waitForPort(port, proc);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return {
    kind,
    port,
    dir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
