/**
 * Cluster topologies for tests: N cluster-enabled servers (Reddish or a real
 * redis-server), each on its own scratch dir with a free client port and a
 * free bus port (passed as --cluster-port, since port+10000 may be taken),
 * joined by the real `redis-cli --cluster create`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { spawnOnDir, type DirServer } from './server-on-dir.js';
import type { ServerKind } from './servers.js';
import { RawClient } from './raw-client.js';

export interface ClusterMember {
  kind: ServerKind;
  port: number;
  busPort: number;
  dir: string;
  args: string[];
  server: DirServer;
}

export interface TestCluster {
  nodes: ClusterMember[];
  /** Stops every process and removes the dirs. */
  stop(): Promise<void>;
}

function memberArgs(busPort: number, nodeTimeout: number, extra: string[]): string[] {
  return ['--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-node-timeout', String(nodeTimeout),
    '--save', '', '--appendonly', 'no', ...extra];
}

/** Starts one cluster-enabled server on `dir` (a restart when the dir already has a nodes.conf). */
export async function startMember(kind: ServerKind, dir: string, port: number, busPort: number, args: string[]): Promise<ClusterMember> {
  const s = spawnOnDir(kind, dir, args, port);
  const started = await readyOn(s, port);
  return { kind, port, busPort, dir, args, server: started };
}

/** The port (or the bus port) was taken by another process between picking it and binding it. */
export class PortTakenError extends Error {}

/**
 * Until the server answers on `port` — and it is this process answering
 * (INFO's process_id): ports are picked before the servers start, and a
 * test running alongside may bind one of them first.
 */
async function readyOn(s: DirServer & { portReady: Promise<number> }, port: number): Promise<DirServer> {
  await s.portReady;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (s.proc.exitCode !== null) {
      const out = s.output();
      if (/address already in use|EADDRINUSE/i.test(out)) throw new PortTakenError(`port ${port} taken\n${out}`);
      throw new Error(`server exited with code ${s.proc.exitCode}\n${out}`);
    }
    let c: RawClient | null = null;
    try {
      c = await RawClient.connect(port);
      const info = bulkText(await c.call('INFO', 'server'));
      const pid = /^process_id:(\d+)/m.exec(info)?.[1];
      if (pid === String(s.proc.pid)) return s;
      // Another server holds the port: ours cannot bind it (or has not yet, and will fail).
      await s.kill('SIGKILL');
      throw new PortTakenError(`port ${port} is served by process ${pid ?? '?'}, not ${s.proc.pid}`);
    } catch (e) {
      if (e instanceof PortTakenError) throw e;
      if (Date.now() > deadline) throw new Error(`server on ${port} did not start\n${s.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    } finally {
      c?.close();
    }
  }
}

export async function startClusterNodes(kind: ServerKind, n: number, opts: { nodeTimeout?: number; args?: string[] } = {}): Promise<TestCluster> {
  const nodes: ClusterMember[] = [];
  const used = new Set<number>();
  const pick = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!used.has(p)) {
        used.add(p);
        return p;
      }
    }
  };
  const specs: Array<{ port: number; busPort: number; dir: string }> = [];
  for (let i = 0; i < n; i++) {
    specs.push({ port: await pick(), busPort: await pick(), dir: mkdtempSync(join(tmpdir(), `${kind}-cluster-`)) });
  }
  const cleanup = async () => {
    await Promise.all(nodes.map((m) => m.server.kill('SIGKILL')));
    for (const sp of specs) rmSync(sp.dir, { recursive: true, force: true });
  };
  try {
    for (const sp of specs) {
      const args = () => memberArgs(sp.busPort, opts.nodeTimeout ?? 5000, opts.args ?? []);
      for (let attempt = 1; ; attempt++) {
        try {
          nodes.push(await startMember(kind, sp.dir, sp.port, sp.busPort, args()));
          break;
        } catch (e) {
          if (!(e instanceof PortTakenError) || attempt === 3) throw e;
          // Fresh ports for this member; the dir is still empty.
          sp.port = await pick();
          sp.busPort = await pick();
        }
      }
    }
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { nodes, stop: cleanup };
}

/** Runs a command line tool; resolves with its exit status and combined output. */
export function run(cmd: string, args: string[], timeoutMs = 60000): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, out });
    });
  });
}

/** `redis-cli --cluster create` over the members, answering yes. */
export function clusterCreate(nodes: ClusterMember[], replicas: number): Promise<{ status: number | null; out: string }> {
  const addrs = nodes.map((m) => `127.0.0.1:${m.port}`);
  return run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', String(replicas), '--cluster-yes']);
}

/** Polls `check` until it returns true or the time is up. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One command on a fresh connection; the raw reply (latin1). */
export async function cmd(port: number, ...args: string[]): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

/** A bulk or verbatim reply's text (CLUSTER NODES, CLUSTER INFO, INFO). */
export function bulkText(raw: string): string {
  const nl = raw.indexOf('\r\n');
  return raw.slice(nl + 2, raw.length - 2);
}

/** One line of CLUSTER NODES, parsed. */
export interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  master: string;
  slots: string[];
}

/** CLUSTER NODES of the node on `port`. */
export async function nodesOf(port: number): Promise<NodeLine[]> {
  return bulkText(await cmd(port, 'CLUSTER', 'NODES')).trim().split('\n').map((l) => {
    const f = l.split(' ');
    return { id: f[0], port: Number(f[1].split('@')[0].split(':')[1]), flags: f[2].split(','), master: f[3], slots: f.slice(8) };
  });
}
