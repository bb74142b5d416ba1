/**
 * A server process on a directory the test owns, so it can be killed
 * (SIGKILL, SIGTERM) and started again on the same files: what persistence
 * tests need and startServer (a fresh dir each time) does not give.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from './free-port.js';
import { REDDISH_MAIN, type ServerKind } from './servers.js';

export interface DirServer {
  port: number;
  proc: ChildProcess;
  output(): string;
  /** Sends `sig` and waits for the exit; resolves with the exit code (null when killed by a signal). */
  kill(sig?: NodeJS.Signals): Promise<number | null>;
  /** Waits for the process to exit on its own. */
  exited(): Promise<number | null>;
}

/** Starts `kind` with `--dir dir` and `args`; resolves once it accepts connections. */
export async function startOnDir(kind: ServerKind, dir: string, args: string[] = []): Promise<DirServer> {
  const s = spawnOnDir(kind, dir, args);
  await waitReady(s);
  return s;
}

/** Starts without waiting (for servers expected to refuse to start). */
export function spawnOnDir(kind: ServerKind, dir: string, args: string[] = [], port?: number): DirServer & { portReady: Promise<number> } {
  const portReady = port !== undefined ? Promise.resolve(port) : freePort();
  let proc!: ChildProcess;
  let out = '';
  const state: { port: number } = { port: 0 };
  const started = portReady.then((p) => {
    state.port = p;
    const base = ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--enable-debug-command', 'yes', ...args];
    proc = kind === 'reddish'
      ? spawn(process.execPath, [REDDISH_MAIN, ...base], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('redis-server', base, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    return p;
  });
  const exitP = started.then(() => new Promise<number | null>((r) => {
    if (proc.exitCode !== null || proc.signalCode !== null) r(proc.exitCode);
    else proc.once('exit', (code) => r(code));
  }));
  return {
    get port() {
      return state.port;
    },
    get proc() {
      return proc;
    },
    portReady: started,
    output: () => out,
    async kill(sig: NodeJS.Signals = 'SIGKILL') {
      await started;
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
      return exitP;
    },
    exited: () => exitP,
  };
}

async function waitReady(s: DirServer & { portReady: Promise<number> }, timeoutMs = 20000): Promise<void> {
  const port = await s.portReady;
  const start = Date.now();
  for (;;) {
    if (s.proc.exitCode !== null) throw new Error(`server exited with code ${s.proc.exitCode}\n${s.output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - start > timeoutMs) throw new Error(`server on ${port} did not start\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
