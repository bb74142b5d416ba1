/**
 * Sentinel topologies for integration tests: one master, N replicas (each
 * with its own redis.conf, so the CONFIG REWRITE that Sentinel sends after a
 * failover works) and M sentinels (each with its own sentinel.conf, which
 * the sentinel rewrites; a restart reuses it).
 *
 * Servers and sentinels are either Reddish (dist/src/main.js, a sentinel is
 * `main.js sentinel.conf --sentinel`) or Debian's redis-server /
 * redis-sentinel.
 *
 * Environment overrides (for validating the tests against real Redis while
 * the Reddish sentinel is being written):
 *   SENTINEL_IMPL=redis    every sentinel the harness starts is redis-sentinel,
 *                          whatever impl the test asked for.
 *   SENTINEL_SERVERS=redis|reddish  the default server impl of startTopology.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { REDDISH_MAIN } from './servers.js';

export type Impl = 'reddish' | 'redis';

export interface Proc {
  impl: Impl;
  port: number;
  dir: string;
  /** The current child process (replaced by restart()). */
  proc: ChildProcess;
  /** Everything the process (and its earlier incarnations) wrote to stdout/stderr. */
  output(): string;
  /** Sends `sig` (default SIGKILL) and waits for the exit; SIGSTOP/SIGCONT are only sent. */
  kill(sig?: NodeJS.Signals): Promise<void>;
  /** Starts it again: same port, dir and config file; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Path of its config file (redis.conf or sentinel.conf). */
  confPath: string;
  kind: 'server' | 'sentinel';
}

export interface Topology {
  name: string;
  master: Proc;
  replicas: Proc[];
  sentinels: Proc[];
  quorum: number;
  /** All processes ever started, stopped and their dirs removed. */
  stop(): Promise<void>;
}

export interface TopologyOptions {
  servers?: Impl;
  sentinels?: Impl[];
  replicas?: number;
  quorum?: number;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  extraSentinelConf?: string[];
  extraServerArgs?: string[];
  waitDiscovery?: boolean;
}

export const MASTER_NAME = 'mymaster';

/**
 * down-after-milliseconds for topologies that fail over. Redis 7.0's sentinel
 * keeps the master link's last reconnect time across +switch-master (it only
 * retries a link once per second) but restarts the ping timer at the switch:
 * when its last reconnect attempt to the dead master fell within a timer tick
 * before the switch, the new master gets +sdown ~1000 ms after the switch,
 * +odown at once (the other sentinels' stale "master down" replies) and a
 * second failover. With down-after 1000 this happens in ~1 failover out of
 * 5; 2000 leaves a second of margin.
 */
export const FAILOVER_DOWN_AFTER_MS = 2000;

/**
 * down-after-milliseconds for a topology that fails over: Reddish sentinels
 * reconnect to a new master at once (no race), so they run at 1000; any
 * redis-sentinel in the quorum needs FAILOVER_DOWN_AFTER_MS.
 */
export function failoverDownAfterMs(sentinels: readonly Impl[]): number {
  return sentinels.some((x) => sentinelImpl(x) === 'redis') ? FAILOVER_DOWN_AFTER_MS : 1000;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function redisSentinelAvailable(): boolean {
  return spawnSync('redis-sentinel', ['--version']).status === 0 && spawnSync('redis-server', ['--version']).status === 0;
}

/** The impl actually used for a sentinel the test asked to be `impl` (see SENTINEL_IMPL above). */
export function sentinelImpl(impl: Impl): Impl {
  return process.env.SENTINEL_IMPL === 'redis' ? 'redis' : impl;
}

/** Default server impl of startTopology. */
export function defaultServers(): Impl {
  const s = process.env.SENTINEL_SERVERS;
  return s === 'redis' || s === 'reddish' ? s : 'reddish';
}

// ---------------------------------------------------------------- processes

const live = new Set<Proc>();
const MAX_OUTPUT = 2_000_000;

// A crashed test run must not leave servers behind.
process.once('exit', () => {
  for (const p of live) {
    try {
      p.proc.kill('SIGCONT');
      p.proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

function launch(impl: Impl, kind: 'server' | 'sentinel', port: number, dir: string, confPath: string, extraArgs: string[]): Proc {
  let out = '';
  let stopped = false;
  const append = (d: Buffer | string) => {
    out += d;
    if (out.length > MAX_OUTPUT) out = out.slice(-MAX_OUTPUT / 2);
  };
  const spawnIt = (): ChildProcess => {
    let c: ChildProcess;
    if (kind === 'sentinel') {
      c = impl === 'reddish'
        ? spawn(process.execPath, [REDDISH_MAIN, confPath, '--sentinel'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('redis-sentinel', [confPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    } else {
      c = impl === 'reddish'
        ? spawn(process.execPath, [REDDISH_MAIN, confPath, ...extraArgs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('redis-server', [confPath, ...extraArgs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    c.stdout!.on('data', append);
    c.stderr!.on('data', append);
    c.on('error', (e) => append(`\n[harness] spawn error: ${e.message}\n`));
    return c;
  };
  const p: Proc = {
    impl,
    kind,
    port,
    dir,
    confPath,
    proc: spawnIt(),
    output: () => out,
    async kill(sig: NodeJS.Signals = 'SIGKILL') {
      const c = p.proc;
      if (!alive(c)) return;
      if (sig === 'SIGSTOP' || sig === 'SIGCONT') {
        c.kill(sig);
        stopped = sig === 'SIGSTOP';
        return;
      }
      const done = new Promise<void>((r) => c.once('exit', () => r()));
      if (stopped) {
        c.kill('SIGCONT');
        stopped = false;
      }
      c.kill(sig);
      await done;
    },
    async restart() {
      if (alive(p.proc)) await p.kill('SIGKILL');
      append(`\n[harness] ---- restart ----\n`);
      p.proc = spawnIt();
      live.add(p);
      await waitListening(p);
    },
  };
  live.add(p);
  return p;
}

async function waitListening(p: Proc, timeoutMs = 20000): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (!alive(p.proc)) throw new Error(`${p.impl} ${p.kind} on ${p.port} exited (code ${p.proc.exitCode}, signal ${p.proc.signalCode})\n${tail(p)}`);
    if (await portOpen(p.port)) return;
    if (Date.now() - start > timeoutMs) throw new Error(`${p.impl} ${p.kind} on ${p.port} did not start\n${tail(p)}`);
    await sleep(25);
  }
}

/** The last `n` characters of a process's output, labelled. */
export function tail(p: Proc, n = 3000): string {
  return `--- ${p.impl} ${p.kind} :${p.port} (${p.dir})\n${p.output().slice(-n)}`;
}

/** Kills a process and removes its dir. */
async function destroy(p: Proc): Promise<void> {
  try {
    await p.kill('SIGKILL');
  } finally {
    live.delete(p);
    rmSync(p.dir, { recursive: true, force: true });
  }
}

/** Kills everything the harness started and is still tracking (safety net for `after`). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map(destroy));
}

/** A server (Reddish or redis-server) with its own redis.conf; `replicaOf` makes it a replica. */
export async function startServer(impl: Impl, opts: { replicaOf?: number; extraArgs?: string[]; confLines?: string[] } = {}): Promise<Proc> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `sentinel-${impl}-srv-`));
  const confPath = join(dir, 'redis.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    'save ""',
    'appendonly no',
    'repl-diskless-sync-delay 0',
    ...(opts.replicaOf !== undefined ? [`replicaof 127.0.0.1 ${opts.replicaOf}`] : []),
    ...(opts.confLines ?? []),
  ];
  writeFileSync(confPath, lines.join('\n') + '\n');
  const p = launch(impl, 'server', port, dir, confPath, opts.extraArgs ?? []);
  try {
    await waitListening(p);
  } catch (e) {
    await destroy(p);
    throw e;
  }
  return p;
}

/** Writes sentinel.conf (port, bind 127.0.0.1, dir, then `confLines`) in a fresh dir and starts a sentinel on it. */
export async function startSentinel(impl: Impl, confLines: string[]): Promise<Proc> {
  const real = sentinelImpl(impl);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `sentinel-${real}-`));
  const confPath = join(dir, 'sentinel.conf');
  writeFileSync(confPath, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, ...confLines].join('\n') + '\n');
  const p = launch(real, 'sentinel', port, dir, confPath, []);
  try {
    await waitListening(p);
  } catch (e) {
    await destroy(p);
    throw e;
  }
  return p;
}

/** The sentinel.conf lines that monitor `masterPort` as `name`. */
export function monitorLines(masterPort: number, opts: { name?: string; quorum?: number; downAfterMs?: number; failoverTimeoutMs?: number } = {}): string[] {
  const name = opts.name ?? MASTER_NAME;
  return [
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${opts.quorum ?? 2}`,
    `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1000}`,
    `sentinel failover-timeout ${name} ${opts.failoverTimeoutMs ?? 10000}`,
    `sentinel parallel-syncs ${name} 1`,
  ];
}

// ---------------------------------------------------------------- helpers

/** Polls `fn` every 75 ms until it returns something other than undefined/false; throws naming `what` on timeout. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20000): Promise<T> {
  const start = Date.now();
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
    }
    await sleep(75);
  }
}

/** A client for one server or sentinel that does not retry (errors surface at once). */
export function client(port: number): Redis {
  return new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    retryStrategy: () => null,
    connectTimeout: 3000,
  });
}

/** One command on a fresh connection; resolves with the reply (ioredis conversion: bulk strings as strings, arrays as arrays). */
export async function sentinelCmd(port: number, ...args: string[]): Promise<unknown> {
  const c = client(port);
  c.on('error', () => {
    /* reported by the command */
  });
  try {
    await c.connect();
    const [cmd, ...rest] = args;
    return await c.call(cmd, ...rest);
  } finally {
    c.disconnect();
  }
}

/** A flat [k1, v1, k2, v2...] reply as an object. */
export function kv(reply: unknown): Record<string, string> {
  const a = reply as unknown[];
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < a.length; i += 2) o[String(a[i])] = String(a[i + 1]);
  return o;
}

/** SENTINEL MASTER <name> as an object. */
export async function sentinelMaster(port: number, name = MASTER_NAME): Promise<Record<string, string>> {
  return kv(await sentinelCmd(port, 'SENTINEL', 'MASTER', name));
}

/** SENTINEL REPLICAS <name>, each as an object. */
export async function sentinelReplicas(port: number, name = MASTER_NAME): Promise<Record<string, string>[]> {
  return ((await sentinelCmd(port, 'SENTINEL', 'REPLICAS', name)) as unknown[]).map(kv);
}

/** SENTINEL SENTINELS <name>, each as an object. */
export async function sentinelSentinels(port: number, name = MASTER_NAME): Promise<Record<string, string>[]> {
  return ((await sentinelCmd(port, 'SENTINEL', 'SENTINELS', name)) as unknown[]).map(kv);
}

/** SENTINEL GET-MASTER-ADDR-BY-NAME as "ip:port" (or null). */
export async function masterAddr(port: number, name = MASTER_NAME): Promise<string | null> {
  const r = (await sentinelCmd(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[] | null;
  return r ? `${r[0]}:${r[1]}` : null;
}

/** A field of an INFO text. */
export function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : '';
}

/** INFO <section> of a server. */
export async function info(port: number, section = 'replication'): Promise<string> {
  return String(await sentinelCmd(port, 'INFO', section));
}

/** Until `replica` reports master_link_status:up towards `masterPort` and its offset equals the master's. */
export async function waitSynced(masterPort: number, replicaPort: number, timeoutMs = 20000): Promise<void> {
  await waitFor(`replica :${replicaPort} in sync with :${masterPort}`, async () => {
    const [mi, ri] = await Promise.all([info(masterPort), info(replicaPort)]);
    return infoField(ri, 'role') === 'slave' && infoField(ri, 'master_port') === String(masterPort) &&
      infoField(ri, 'master_link_status') === 'up' && infoField(ri, 'slave_repl_offset') === infoField(mi, 'master_repl_offset');
  }, timeoutMs);
}

/** Pub/sub subscribers on one or more sentinels that record every message (channel + text + which sentinel). */
export interface EventLog {
  events: { sentinel: number; channel: string; message: string; at: number }[];
  /** Until a message on `channel` matches `re` (a string must be equal), from any of the sentinels; resolves with the message. */
  waitEvent(channel: string, re: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Like waitEvent, resolves with the whole record. */
  waitRecord(channel: string, re: RegExp | string, timeoutMs?: number): Promise<EventLog['events'][number]>;
  /** The channels received from one sentinel, in order. */
  channels(sentinel: number): string[];
  close(): void;
}

export async function subscribeEvents(ports: number | number[], pattern = '*'): Promise<EventLog> {
  const list = Array.isArray(ports) ? ports : [ports];
  const log: EventLog['events'] = [];
  const clients: Redis[] = [];
  try {
    for (const port of list) {
      const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => 200 });
      clients.push(c);
      c.on('error', () => {
        /* a restarted sentinel: ioredis reconnects and resubscribes */
      });
      c.on('pmessage', (_p: string, channel: string, message: string) => log.push({ sentinel: port, channel, message, at: Date.now() }));
      await c.connect();
      await c.psubscribe(pattern);
    }
  } catch (e) {
    for (const c of clients) c.disconnect();
    throw e;
  }
  const waitRecord = async (channel: string, re: RegExp | string, timeoutMs = 30000) => {
    const match = (m: string) => (typeof re === 'string' ? m === re : re.test(m));
    return waitFor(`event ${channel} ${String(re)} on sentinel(s) ${list.join(', ')}`, () => log.find((e) => e.channel === channel && match(e.message)), timeoutMs)
      .catch((e: Error) => {
        throw new Error(`${e.message}\nseen:\n${log.map((x) => `      :${x.sentinel} ${x.channel} ${x.message}`).join('\n')}`);
      });
  };
  return {
    events: log,
    waitRecord,
    async waitEvent(channel, re, timeoutMs) {
      return (await waitRecord(channel, re, timeoutMs)).message;
    },
    channels(sentinel) {
      return log.filter((e) => e.sentinel === sentinel).map((e) => e.channel);
    },
    close() {
      for (const c of clients) c.disconnect();
    },
  };
}

/** Asserts that `want` occur in `seen` in this order (other entries may be interleaved). */
export function inOrder(seen: string[], want: string[]): string | undefined {
  let at = 0;
  for (const w of want) {
    const i = seen.indexOf(w, at);
    if (i < 0) return `${w} missing after ${want.slice(0, want.indexOf(w)).join(', ') || 'the start'}; seen: ${seen.join(' ')}`;
    at = i + 1;
  }
  return undefined;
}

/** Every sentinel has `addr` as the master, with flags exactly "master" (no failover in progress). */
export async function waitFailoverDone(t: Topology, addr: string, timeoutMs = 30000): Promise<void> {
  await waitFor(`every sentinel has ${addr} as master, no failover in progress`, async () => {
    const ms = await Promise.all(t.sentinels.map((s) => sentinelMaster(s.port, t.name)));
    return ms.every((m) => `${m.ip}:${m.port}` === addr && m.flags === 'master');
  }, timeoutMs);
}

/** Every sentinel names `host:port` as the master of `name`. */
export async function waitMasterSwitched(t: Topology, addr: string, timeoutMs = 30000): Promise<void> {
  await waitFor(`all sentinels report ${addr} as master`, async () => {
    const a = await Promise.all(t.sentinels.map((s) => masterAddr(s.port, t.name)));
    return a.every((x) => x === addr);
  }, timeoutMs);
}

/**
 * Every sentinel: its master has flags "master", SENTINEL REPLICAS lists
 * every replica of the topology with flags "slave", SENTINEL SENTINELS lists
 * the other sentinels with flags "sentinel".
 */
export async function waitDiscovery(t: Topology, timeoutMs = 30000): Promise<void> {
  const want = t.replicas.map((r) => `127.0.0.1:${r.port}`).sort();
  for (const s of t.sentinels) {
    const others = t.sentinels.filter((o) => o !== s).map((o) => String(o.port)).sort();
    let last = '';
    try {
      await waitFor(`sentinel :${s.port} discovers the topology`, async () => {
        const [m, reps, sens] = await Promise.all([sentinelMaster(s.port, t.name), sentinelReplicas(s.port, t.name), sentinelSentinels(s.port, t.name)]);
        last = JSON.stringify({
          master: m.flags,
          replicas: reps.map((r) => `${r.ip}:${r.port} ${r.flags} link=${r['master-link-status']} info-refresh=${r['info-refresh']}`),
          sentinels: sens.map((x) => `${x.ip}:${x.port} ${x.flags}`),
        });
        if (m.flags !== 'master') return false;
        // A replica only counts once the sentinel has its own INFO of it with the link up
        // (master-link-status starts as err): until then sentinelSelectSlave skips it, and a
        // SENTINEL FAILOVER right away answers NOGOODSLAVE.
        const usable = (r: Record<string, string>): boolean => r.flags === 'slave' && r['master-link-status'] === 'ok';
        const rs = reps.filter(usable).map((r) => `${r.ip}:${r.port}`).sort();
        if (JSON.stringify(rs) !== JSON.stringify(want)) return false;
        const ss = sens.filter((x) => x.flags === 'sentinel').map((x) => x.port).sort();
        return JSON.stringify(ss) === JSON.stringify(others);
      }, timeoutMs);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nlast seen: ${last}\n${tail(s)}`);
    }
  }
}

/** The combined recent output of every process of a topology (for assertion messages). */
export function topologyLogs(t: Topology, n = 2500): string {
  return [t.master, ...t.replicas, ...t.sentinels].map((p) => tail(p, n)).join('\n');
}

// ---------------------------------------------------------------- topology

export async function startTopology(opts: TopologyOptions = {}): Promise<Topology> {
  const servers = opts.servers ?? defaultServers();
  const sentinelImpls = opts.sentinels ?? ['reddish', 'reddish', 'reddish'];
  const nReplicas = opts.replicas ?? 2;
  const quorum = opts.quorum ?? 2;
  const all: Proc[] = [];
  const t: Topology = {
    name: MASTER_NAME,
    master: undefined as unknown as Proc, // set below, before anyone can see t
    replicas: [],
    sentinels: [],
    quorum,
    async stop() {
      const procs = new Set<Proc>([...all, t.master, ...t.replicas, ...t.sentinels].filter((p) => p !== undefined));
      await Promise.all([...procs].map(destroy));
    },
  };
  try {
    const master = await startServer(servers, { extraArgs: opts.extraServerArgs });
    all.push(master);
    t.master = master;
    for (let i = 0; i < nReplicas; i++) {
      const r = await startServer(servers, { replicaOf: master.port, extraArgs: opts.extraServerArgs });
      all.push(r);
      t.replicas.push(r);
    }
    for (const r of t.replicas) await waitSynced(master.port, r.port);
    const lines = [
      ...monitorLines(master.port, { quorum, downAfterMs: opts.downAfterMs, failoverTimeoutMs: opts.failoverTimeoutMs }),
      ...(opts.extraSentinelConf ?? []),
    ];
    const sentinels = await Promise.all(sentinelImpls.map((impl) => startSentinel(impl, lines)));
    all.push(...sentinels);
    t.sentinels.push(...sentinels);
    if (opts.waitDiscovery ?? true) await waitDiscovery(t);
    return t;
  } catch (e) {
    await t.stop();
    throw e;
  }
}

/** The text of a process's config file as it is now (sentinels and CONFIG REWRITE rewrite it). */
export function readConf(p: Proc): string {
  return readFileSync(p.confPath, 'utf8');
}

/** After a failover: makes the Proc on `newMasterPort` t.master and every other server a replica. */
export function setMaster(t: Topology, newMasterPort: number): void {
  const servers = [t.master, ...t.replicas];
  const m = servers.find((p) => p.port === newMasterPort);
  if (!m) throw new Error(`no server of the topology listens on ${newMasterPort}`);
  t.master = m;
  t.replicas = servers.filter((p) => p !== m);
}

/** ROLE of a server, e.g. ['master', offset, [...]] or ['slave', ip, port, state, offset]. */
export async function role(port: number): Promise<unknown[]> {
  return (await sentinelCmd(port, 'ROLE')) as unknown[];
}

// ---------------------------------------------------------------- write load

/**
 * A client that finds the master through the sentinels (ioredis Sentinel
 * support) and writes SET k<i> i in sequence, with `WAIT 1 1000` after every
 * `waitEvery` writes. A write is "acked" when SET returned OK; it is
 * "WAIT-acked" when a later WAIT on the same connection (the same socket)
 * returned >= 1, i.e. a replica had it.
 */
export interface WriteLoad {
  client: Redis;
  /** i of every acked SET, in order. */
  acked: number[];
  /** i of every WAIT-acked SET. */
  waited: Set<number>;
  /** Ack time (ms) of every acked SET, parallel to `acked`. */
  ackedAt: number[];
  /** Time of every WAIT that returned >= 1. */
  waitOkAt: number[];
  errors: string[];
  /** Stops writing and closes the client. */
  stop(): Promise<void>;
}

export function startWriteLoad(sentinelPorts: number[], opts: { name?: string; waitEvery?: number; pauseMs?: number } = {}): WriteLoad {
  const waitEvery = opts.waitEvery ?? 20;
  const c = new Redis({
    sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
    name: opts.name ?? MASTER_NAME,
    retryStrategy: () => 100,
    sentinelRetryStrategy: () => 100,
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
  });
  c.on('error', () => {
    /* reconnects by itself */
  });
  const sockIds = new WeakMap<object, number>();
  let nextSock = 0;
  const sockOf = (): number => {
    const s = c.stream as object;
    let id = sockIds.get(s);
    if (id === undefined) sockIds.set(s, (id = ++nextSock));
    return id;
  };
  const pending = new Map<number, number[]>();
  const load: WriteLoad = { client: c, acked: [], waited: new Set(), ackedAt: [], waitOkAt: [], errors: [], stop: async () => {} };
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        const r = await c.set(`k${i}`, String(i));
        if (r === 'OK') {
          const s = sockOf();
          load.acked.push(i);
          load.ackedAt.push(Date.now());
          const p = pending.get(s) ?? [];
          p.push(i);
          pending.set(s, p);
        }
      } catch (e) {
        if (running) load.errors.push(`SET k${i}: ${(e as Error).message}`);
      }
      if (i % waitEvery === waitEvery - 1 && running) {
        try {
          const n = Number(await c.call('WAIT', '1', '1000'));
          const s = sockOf();
          if (n >= 1) {
            for (const k of pending.get(s) ?? []) load.waited.add(k);
            pending.set(s, []);
            load.waitOkAt.push(Date.now());
          }
        } catch (e) {
          if (running) load.errors.push(`WAIT after k${i}: ${(e as Error).message}`);
        }
        await sleep(opts.pauseMs ?? 5);
      }
    }
  })();
  load.stop = async () => {
    running = false;
    const done = await Promise.race([loop.then(() => true), sleep(3000).then(() => false)]);
    c.disconnect();
    if (!done) await loop.catch(() => undefined);
  };
  return load;
}

/** Of `keys` (the i of k<i>), those whose value on `port` is not i. */
export async function missingKeys(port: number, keys: Iterable<number>): Promise<number[]> {
  const all = [...keys];
  const c = client(port);
  c.on('error', () => undefined);
  const missing: number[] = [];
  try {
    await c.connect();
    for (let off = 0; off < all.length; off += 1000) {
      const batch = all.slice(off, off + 1000);
      const vals = await c.mget(...batch.map((i) => `k${i}`));
      batch.forEach((i, j) => {
        if (vals[j] !== String(i)) missing.push(i);
      });
    }
  } finally {
    c.disconnect();
  }
  return missing;
}
