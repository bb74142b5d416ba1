/**
 * One Reddish process (a data server or a Sentinel) started by the `reddish`
 * tool or the programmatic API: its config file in its own directory, the
 * child process, and the handles a test or an operator needs — kill, pause,
 * resume, restart on the same files, graceful stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, openSync, closeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpsClient, type Addr } from './ops-client.js';

/** dist/src/main.js, next to this module's folder. */
export const SERVER_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export type NodeKind = 'server' | 'sentinel';

export interface NodeSpec {
  kind: NodeKind;
  host: string;
  port: number;
  dir: string;
  /** Config lines written when the node's config file does not exist yet (a restart keeps the rewritten file). */
  configLines: string[];
  password?: string;
  metricsPort?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class NodeProcess {
  readonly kind: NodeKind;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly metricsPort: number | undefined;
  private readonly password: string | undefined;
  private child: ChildProcess | null = null;
  private paused = false;

  constructor(spec: NodeSpec) {
    this.kind = spec.kind;
    this.host = spec.host;
    this.port = spec.port;
    this.dir = spec.dir;
    this.password = spec.password;
    this.metricsPort = spec.metricsPort;
    this.configFile = join(spec.dir, spec.kind === 'sentinel' ? 'sentinel.conf' : 'redis.conf');
    this.logFile = join(spec.dir, spec.kind === 'sentinel' ? 'sentinel.log' : 'server.log');
    mkdirSync(spec.dir, { recursive: true });
    if (!existsSync(this.configFile)) writeFileSync(this.configFile, spec.configLines.join('\n') + '\n');
  }

  get addr(): Addr {
    return { host: this.host, port: this.port };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A redis:// URL for clients. */
  url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process (detached from our stdio: its log goes to its log file) and waits until it accepts connections. */
  async start(timeoutMs = 20000): Promise<void> {
    if (this.running()) return;
    const args = [SERVER_MAIN, this.configFile, ...(this.kind === 'sentinel' ? ['--sentinel'] : [])];
    const out = openSync(this.logFile, 'a');
    try {
      this.child = spawn(process.execPath, args, { cwd: this.dir, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    this.paused = false;
    const start = Date.now();
    for (;;) {
      if (!this.running()) throw new Error(`${this.kind} on port ${this.port} exited at start; see ${this.logFile}`);
      if (await portOpen(this.host, this.port)) return;
      if (Date.now() - start > timeoutMs) throw new Error(`${this.kind} on port ${this.port} did not start in ${timeoutMs} ms; see ${this.logFile}`);
      await sleep(50);
    }
  }

  /** Sends a signal and waits for the exit (SIGKILL by default: a crash). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (c === null || !this.running()) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    if (this.paused) this.resume();
    c.kill(signal);
    await exited;
  }

  /** A clean shutdown (SIGTERM: the server saves and fsyncs as configured). */
  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  /** SIGSTOP: the process is frozen (a hung node, as far as its peers can tell). */
  pause(): void {
    if (!this.running()) return;
    this.child!.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (!this.running() || !this.paused) return;
    this.child!.kill('SIGCONT');
    this.paused = false;
  }

  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    await this.start();
  }

  /** A client connection to this node (with the node's password). */
  client(): OpsClient {
    return new OpsClient(this.addr, { password: this.password });
  }
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A free TCP port on `host`, from the kernel. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
