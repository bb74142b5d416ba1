/**
 * Which deployment a `reddish` command talks to, and what it looks like now.
 * The target comes from `--sentinel host:port` (repeatable) or the
 * REDDISH_SENTINELS variable, else `--master host:port`, else the local
 * `reddish up` state file, else Sentinel's default 127.0.0.1:26379. The
 * topology is then read the way an operator would: the Sentinels' view of
 * the master, its replicas and peers, or the master's INFO replication.
 * Works against Reddish and Redis alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpsClient, parseAddr, parseInfo, pairs, formatAddr, type Addr } from './ops-client.js';
import { value, type OptionSpec, type Parsed } from './cli-args.js';

export const TARGET_OPTIONS: OptionSpec[] = [
  { name: 'sentinel', value: true, repeat: true, arg: 'host:port', help: 'A Sentinel to ask (default: $REDDISH_SENTINELS, the local `reddish up`, 127.0.0.1:26379)' },
  { name: 'master-name', value: true, arg: 'name', help: 'The master name Sentinels know (default mymaster)' },
  { name: 'master', value: true, arg: 'host:port', help: 'Talk to this master directly instead of through Sentinels' },
  { name: 'password', value: true, arg: 'password', help: 'Password of the data nodes (default: $REDDISH_PASSWORD)' },
  { name: 'dir', value: true, arg: 'path', help: 'Directory of a local `reddish up` (default ./reddish-data)' },
];

export interface Target {
  sentinels: Addr[];
  masterName: string;
  master: Addr | null;
  password: string | undefined;
}

/** The state file `reddish up` writes into its directory. */
export interface UpState {
  pid: number;
  masterName: string;
  host: string;
  password?: string;
  servers: Array<{ port: number; pid: number; dir: string; metricsPort?: number }>;
  sentinels: Array<{ port: number; pid: number; dir: string; metricsPort?: number }>;
  dashboard?: string;
}

export const STATE_FILE = 'reddish-up.json';

export function readUpState(dir: string): UpState | null {
  const p = join(dir, STATE_FILE);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as UpState;
  } catch {
    return null;
  }
}

export function resolveTarget(p: Parsed): Target {
  const masterName = value(p, 'master-name') ?? 'mymaster';
  const password = value(p, 'password') ?? process.env.REDDISH_PASSWORD ?? undefined;
  const flags = p.values.get('sentinel') ?? [];
  const env = process.env.REDDISH_SENTINELS?.split(',').filter((x) => x.trim() !== '') ?? [];
  const masterFlag = value(p, 'master');
  if (flags.length > 0 || (env.length > 0 && masterFlag === undefined)) {
    return { sentinels: (flags.length ? flags : env).map((s) => parseAddr(s, 26379)), masterName, master: null, password };
  }
  if (masterFlag !== undefined) return { sentinels: [], masterName, master: parseAddr(masterFlag, 6379), password };
  const state = readUpState(value(p, 'dir') ?? 'reddish-data');
  if (state) {
    return {
      sentinels: state.sentinels.map((s) => ({ host: state.host, port: s.port })),
      masterName: value(p, 'master-name') ?? state.masterName,
      master: state.sentinels.length === 0 ? { host: state.host, port: state.servers[0].port } : null,
      password: password ?? state.password,
    };
  }
  return { sentinels: [{ host: '127.0.0.1', port: 26379 }], masterName, master: null, password };
}

export interface NodeView {
  addr: Addr;
  /** What the Sentinel (or the master's INFO) says about it. */
  flags: string;
  reachable: boolean;
  role: string;
  info: Map<string, string>;
  error?: string;
}

export interface SentinelView {
  addr: Addr;
  reachable: boolean;
  master: Addr | null;
  masterFlags: string;
  quorum: string;
  error?: string;
}

export interface Deployment {
  target: Target;
  master: NodeView | null;
  replicas: NodeView[];
  sentinels: SentinelView[];
}

async function withClient<T>(addr: Addr, password: string | undefined, fn: (c: OpsClient) => Promise<T>): Promise<T> {
  const c = new OpsClient(addr, { password, timeoutMs: 2000 });
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

async function nodeView(addr: Addr, flags: string, password: string | undefined): Promise<NodeView> {
  try {
    const text = await withClient(addr, password, (c) => c.text(['INFO', 'replication']));
    const info = parseInfo(text);
    return { addr, flags, reachable: true, role: info.get('role') ?? '?', info };
  } catch (e) {
    return { addr, flags, reachable: false, role: '?', info: new Map(), error: (e as Error).message };
  }
}

async function sentinelView(addr: Addr, name: string): Promise<SentinelView> {
  try {
    return await withClient(addr, undefined, async (c) => {
      const m = pairs(await c.call(['SENTINEL', 'MASTER', name]));
      let quorum = 'ok';
      try {
        await c.call(['SENTINEL', 'CKQUORUM', name]);
      } catch (e) {
        quorum = (e as Error).message;
      }
      return { addr, reachable: true, master: { host: m.ip, port: Number(m.port) }, masterFlags: m.flags, quorum };
    });
  } catch (e) {
    return { addr, reachable: false, master: null, masterFlags: '', quorum: '', error: (e as Error).message };
  }
}

/** Reads the deployment's current shape and every node's INFO replication. */
export async function inspect(target: Target): Promise<Deployment> {
  const sentinels: SentinelView[] = [];
  let masterAddr: Addr | null = target.master;
  const replicaAddrs = new Map<string, { addr: Addr; flags: string }>();
  let masterFlags = 'master';
  if (target.sentinels.length > 0) {
    const known = new Map(target.sentinels.map((a) => [formatAddr(a), a]));
    // The first Sentinel that answers tells us the master, the replicas and the other Sentinels.
    for (const s of target.sentinels) {
      try {
        await withClient(s, undefined, async (c) => {
          const addr = (await c.call(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', target.masterName])) as string[] | null;
          if (!addr) throw new Error(`no master named '${target.masterName}'`);
          masterAddr = { host: addr[0], port: Number(addr[1]) };
          const m = pairs(await c.call(['SENTINEL', 'MASTER', target.masterName]));
          masterFlags = m.flags;
          for (const r of (await c.call(['SENTINEL', 'REPLICAS', target.masterName])) as unknown[]) {
            const o = pairs(r);
            const a = { host: o.ip, port: Number(o.port) };
            replicaAddrs.set(formatAddr(a), { addr: a, flags: o.flags });
          }
          for (const r of (await c.call(['SENTINEL', 'SENTINELS', target.masterName])) as unknown[]) {
            const o = pairs(r);
            const a = { host: o.ip, port: Number(o.port) };
            if (!known.has(formatAddr(a))) known.set(formatAddr(a), a);
          }
        });
        break;
      } catch {
        /* try the next Sentinel */
      }
    }
    for (const a of known.values()) sentinels.push(await sentinelView(a, target.masterName));
  }
  let master: NodeView | null = null;
  if (masterAddr !== null) {
    master = await nodeView(masterAddr, masterFlags, target.password);
    // Without Sentinels, the master's INFO names the replicas.
    if (target.sentinels.length === 0) {
      for (const [k, v] of master.info) {
        if (!/^slave\d+$/.test(k)) continue;
        const f = new Map(v.split(',').map((kv) => kv.split('=') as [string, string]));
        const a = { host: f.get('ip') ?? '', port: Number(f.get('port')) };
        replicaAddrs.set(formatAddr(a), { addr: a, flags: f.get('state') ?? '' });
      }
    }
  }
  const replicas = await Promise.all([...replicaAddrs.values()].map((r) => nodeView(r.addr, r.flags, target.password)));
  return { target, master, replicas, sentinels };
}

/** Replication lag of a replica behind its master, in bytes and seconds (from the master's INFO). */
export function replicaLag(master: NodeView | null, replica: NodeView): { bytes: number | null; seconds: number | null } {
  if (!master || !master.reachable || !replica.reachable) return { bytes: null, seconds: null };
  const masterOffset = Number(master.info.get('master_repl_offset'));
  const off = Number(replica.info.get('slave_repl_offset'));
  let seconds: number | null = null;
  for (const [k, v] of master.info) {
    if (!/^slave\d+$/.test(k)) continue;
    const f = new Map(v.split(',').map((kv) => kv.split('=') as [string, string]));
    if (Number(f.get('port')) === replica.addr.port) seconds = Number(f.get('lag'));
  }
  return { bytes: Number.isFinite(off) && Number.isFinite(masterOffset) ? Math.max(0, masterOffset - off) : null, seconds };
}
