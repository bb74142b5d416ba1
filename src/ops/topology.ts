/**
 * A whole HA topology as local processes — one master, N replicas, M
 * Sentinels — for `reddish up` and for application test suites
 * (`import { startTopology } from 'reddish'`). Each node has its own
 * directory and config file; a directory that already holds a topology is
 * started as it was left (Sentinel and CONFIG REWRITE keep the files current,
 * so a node promoted by a failover stays master across restarts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeProcess, freePort } from './node-process.js';
import { OpsClient, parseInfo, pairs, type Addr } from './ops-client.js';
import { sentinelMasterAddr } from './master-resolver.js';

export interface TopologyOptions {
  /** Replicas of the master (default 2). */
  replicas?: number;
  /** Sentinels (default 3; 0 for plain replication). */
  sentinels?: number;
  /** Sentinel quorum (default: a majority of the Sentinels). */
  quorum?: number;
  masterName?: string;
  host?: string;
  /** First data-node port (then +1 per replica); 0 or absent: free ports. */
  port?: number;
  /** First Sentinel port; 0 or absent: free ports. */
  sentinelPort?: number;
  /** Where the nodes keep their files; absent: a temp dir removed by stop(). */
  dir?: string;
  password?: string;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  /** First metrics port (one per node, servers then Sentinels); absent: no metrics endpoints. */
  metricsPort?: number;
  /** Extra config lines for every data node / every Sentinel. */
  serverConfig?: string[];
  sentinelConfig?: string[];
}

export interface Topology {
  readonly masterName: string;
  /** Data nodes in start order (the first was the initial master). */
  readonly servers: NodeProcess[];
  readonly sentinels: NodeProcess[];
  readonly dir: string;
  /** The master as the Sentinels (or, without Sentinels, the roles) say now. */
  master(): Promise<NodeProcess>;
  replicas(): Promise<NodeProcess[]>;
  /** Sentinel addresses, for clients: ioredis `sentinels`, redis-py `Sentinel([...])`. */
  sentinelAddrs(): Addr[];
  /** Waits until the Sentinels agree on a master other than `from` (default: the current one); returns it. */
  waitForFailover(opts?: { from?: NodeProcess; timeoutMs?: number }): Promise<NodeProcess>;
  /** Waits until every replica's link is up and every Sentinel knows every node and peer. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Stops every process (SIGTERM, then SIGKILL) and removes a temp dir. */
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function pickPorts(base: number | undefined, n: number, host: string): Promise<number[]> {
  if (base) return Array.from({ length: n }, (_, i) => base + i);
  const ports: number[] = [];
  while (ports.length < n) {
    const p = await freePort(host);
    if (!ports.includes(p)) ports.push(p);
  }
  return ports;
}

export async function startTopology(opts: TopologyOptions = {}): Promise<Topology> {
  const host = opts.host ?? '127.0.0.1';
  const nReplicas = opts.replicas ?? 2;
  const nSentinels = opts.sentinels ?? 3;
  const quorum = opts.quorum ?? Math.floor(nSentinels / 2) + 1;
  const masterName = opts.masterName ?? 'mymaster';
  const tempDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'reddish-topology-'));
  const serverPorts = await pickPorts(opts.port, nReplicas + 1, host);
  const sentinelPorts = await pickPorts(opts.sentinelPort, nSentinels, host);
  const auth = opts.password ? [`requirepass ${quote(opts.password)}`, `masterauth ${quote(opts.password)}`] : [];
  let metrics = opts.metricsPort;
  const metricsLines = (): string[] => (metrics ? [`metrics-port ${metrics++}`, `metrics-bind ${host}`] : []);
  const servers = serverPorts.map((port, i) => {
    const d = join(dir, `server-${port}`);
    const m = metrics;
    return new NodeProcess({
      kind: 'server', host, port, dir: d, password: opts.password, metricsPort: m,
      configLines: [
        `port ${port}`, `bind ${host}`, `dir ${quote(d)}`, 'logfile ""', 'appendonly yes', 'repl-diskless-sync-delay 0',
        ...(i > 0 ? [`replicaof ${host} ${serverPorts[0]}`] : []),
        ...auth, ...metricsLines(), ...(opts.serverConfig ?? []),
      ],
    });
  });
  const sentinels = sentinelPorts.map((port) => {
    const d = join(dir, `sentinel-${port}`);
    const m = metrics;
    return new NodeProcess({
      kind: 'sentinel', host, port, dir: d, metricsPort: m,
      configLines: [
        `port ${port}`, `bind ${host}`, `dir ${quote(d)}`, 'logfile ""',
        `sentinel monitor ${masterName} ${host} ${serverPorts[0]} ${quorum}`,
        `sentinel down-after-milliseconds ${masterName} ${opts.downAfterMs ?? 5000}`,
        `sentinel failover-timeout ${masterName} ${opts.failoverTimeoutMs ?? 60000}`,
        `sentinel parallel-syncs ${masterName} 1`,
        ...(opts.password ? [`sentinel auth-pass ${masterName} ${quote(opts.password)}`] : []),
        ...metricsLines(), ...(opts.sentinelConfig ?? []),
      ],
    });
  });

  const all = [...servers, ...sentinels];
  const stop = async (): Promise<void> => {
    await Promise.all(all.map(async (n) => {
      if (!n.running()) return;
      const t = setTimeout(() => void n.kill('SIGKILL'), 10000);
      await n.stop();
      clearTimeout(t);
    }));
    if (tempDir) rmSync(dir, { recursive: true, force: true });
  };

  const byPort = (port: number): NodeProcess | undefined => servers.find((s) => s.port === port);

  const topology: Topology = {
    masterName, servers, sentinels, dir,
    async master() {
      const addr = await currentMasterAddr(topology);
      const n = addr ? byPort(addr.port) : undefined;
      if (!n) throw new Error('no master found');
      return n;
    },
    async replicas() {
      const m = await topology.master();
      return servers.filter((s) => s !== m);
    },
    sentinelAddrs() {
      return sentinels.map((s) => s.addr);
    },
    async waitForFailover(o = {}) {
      const from = o.from ?? (await topology.master());
      const deadline = Date.now() + (o.timeoutMs ?? 60000);
      while (Date.now() < deadline) {
        const views = await Promise.all(sentinels.filter((s) => s.running()).map((s) => sentinelMasterAddr(s.addr, masterName)));
        const ports = new Set(views.map((v) => v?.port));
        if (views.length > 0 && ports.size === 1 && views[0] && views[0].port !== from.port) {
          const n = byPort(views[0].port);
          if (n) {
            const role = await roleOf(n).catch(() => '');
            if (role === 'master') return n;
          }
        }
        await sleep(100);
      }
      throw new Error(`no failover away from port ${from.port} within the timeout`);
    },
    async waitReady(timeoutMs = 30000) {
      await waitReady(topology, nReplicas, timeoutMs);
    },
    stop,
  };

  try {
    for (const n of all) await n.start();
    await topology.waitReady();
  } catch (e) {
    await stop();
    throw e;
  }
  return topology;
}

function quote(s: string): string {
  return /^[A-Za-z0-9._\-/@:]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

async function roleOf(n: NodeProcess): Promise<string> {
  const c = n.client();
  try {
    const r = (await c.call(['ROLE'])) as unknown[];
    return String(r[0]);
  } finally {
    c.close();
  }
}

async function currentMasterAddr(t: Topology): Promise<Addr | null> {
  for (const s of t.sentinels) {
    if (!s.running()) continue;
    const a = await sentinelMasterAddr(s.addr, t.masterName);
    if (a) return a;
  }
  // No Sentinels (or none answers): the data node that says it is master.
  for (const n of t.servers) {
    if (!n.running()) continue;
    const role = await roleOf(n).catch(() => '');
    if (role === 'master') return n.addr;
  }
  return null;
}

async function waitReady(t: Topology, nReplicas: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let why = '';
  while (Date.now() < deadline) {
    why = await notReadyReason(t, nReplicas);
    if (why === '') return;
    await sleep(100);
  }
  throw new Error(`topology not ready after ${timeoutMs} ms: ${why}`);
}

/** '' when replication and Sentinel discovery are complete, else what is missing. */
async function notReadyReason(t: Topology, nReplicas: number): Promise<string> {
  let master: NodeProcess;
  try {
    master = await t.master();
  } catch {
    return 'no master yet';
  }
  const mc = master.client();
  try {
    const info = parseInfo(await mc.text(['INFO', 'replication']));
    if (info.get('role') !== 'master') return `${master.port} is not master yet`;
    const online = [...info.entries()].filter(([k, v]) => /^slave\d+$/.test(k) && v.includes('state=online')).length;
    if (online < nReplicas) return `${online}/${nReplicas} replicas online`;
  } catch (e) {
    return (e as Error).message;
  } finally {
    mc.close();
  }
  for (const s of t.sentinels) {
    const c: OpsClient = s.client();
    try {
      const m = pairs(await c.call(['SENTINEL', 'MASTER', t.masterName]));
      if (Number(m['num-slaves']) < nReplicas) return `sentinel ${s.port} knows ${m['num-slaves']}/${nReplicas} replicas`;
      if (Number(m['num-other-sentinels']) < t.sentinels.length - 1) return `sentinel ${s.port} knows ${m['num-other-sentinels']}/${t.sentinels.length - 1} other sentinels`;
      if (m.flags !== 'master') return `sentinel ${s.port} sees the master as ${m.flags}`;
    } catch (e) {
      return `sentinel ${s.port}: ${(e as Error).message}`;
    } finally {
      c.close();
    }
  }
  return '';
}
