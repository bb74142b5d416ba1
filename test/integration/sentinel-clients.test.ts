/**
 * Sentinel-aware client libraries against a Sentinel topology (1 master +
 * 2 replicas, Reddish servers; 3 sentinels, quorum 2, down-after 1000 ms):
 *
 *   - ioredis:   new Redis({ sentinels, name }) for writes and
 *                new Redis({ sentinels, name, role: 'slave' }) for reads;
 *   - node-redis v5 (the npm alias `redis5`): createSentinel({ name,
 *                sentinelRootNodes, replicaPoolSize: 1 }), whose read-only
 *                commands go to its replica pool;
 *   - redis-py (Debian's python3-redis, through test/support/sentinel_client.py):
 *                Sentinel([...]).master_for() for writes, .slave_for() for reads.
 *
 * One topology per client. Each client connects through the three
 * sentinels, writes via the master and reads via a replica; then the master
 * is failed over (kill -9 of the master and/or SENTINEL FAILOVER on one
 * sentinel) while a loop keeps writing through the same client object, never
 * recreated. Checked: the client finds the new master by itself within a
 * bounded window (its writes land on the new master, every write acknowledged
 * after that is there, and the last writes of the loop all succeed), and its
 * reads still come from a replica (ROLE says slave) that has the new writes.
 *
 * IMPL (env SENTINEL_IMPL, default reddish) picks the sentinels; the harness
 * also honours SENTINEL_SERVERS=redis for an all-Redis control run.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis5';
import {
  startTopology,
  failoverDownAfterMs,
  waitFor,
  sentinelCmd,
  masterAddr,
  waitMasterSwitched,
  waitSynced,
  info,
  infoField,
  sentinelReplicas,
  topologyLogs,
  redisSentinelAvailable,
  type Impl,
  type Proc,
  type Topology,
} from '../support/sentinel-topology.js';

const IMPL: Impl = (process.env.SENTINEL_IMPL as Impl) ?? 'reddish';
const PY = '/usr/bin/python3';
const PY_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'support', 'sentinel_client.py');

/** The bound on the client's write-unavailability window, and on every other wait. */
const WINDOW_MS = 30_000;
const WAIT_MS = 25_000;
const WRITE_INTERVAL_MS = 25;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
    }),
  ]);
}

// ---------------------------------------------------------------- the clients under test

/** One sentinel-aware client library, created once per topology and never recreated. */
interface SentinelClient {
  /** SET through the library's master connection. */
  write(key: string, value: string): Promise<void>;
  /** GET through the library's replica connection. */
  read(key: string): Promise<string | null>;
  /** The first element of ROLE on the library's replica connection. */
  readerRole(): Promise<string>;
  /** What the library logged as errors (for failure messages). */
  errors(): string[];
  close(): Promise<void>;
}

const sentinelNodes = (t: Topology) => t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));

function pushBounded(list: string[], e: unknown): void {
  list.push(`${new Date().toISOString().slice(11, 23)} ${e instanceof Error ? e.message : String(e)}`);
  if (list.length > 200) list.splice(0, 100);
}

async function makeIoredis(t: Topology): Promise<SentinelClient> {
  const errs: string[] = [];
  const master = new Redis({ sentinels: sentinelNodes(t), name: t.name });
  const replica = new Redis({ sentinels: sentinelNodes(t), name: t.name, role: 'slave' });
  master.on('error', (e) => pushBounded(errs, `master: ${e}`));
  replica.on('error', (e) => pushBounded(errs, `replica: ${e}`));
  return {
    async write(key, value) {
      assert.equal(await master.set(key, value), 'OK');
    },
    read: (key) => replica.get(key),
    async readerRole() {
      return String(((await replica.call('ROLE')) as unknown[])[0]);
    },
    errors: () => errs,
    async close() {
      master.disconnect();
      replica.disconnect();
    },
  };
}

async function makeNodeRedis(t: Topology): Promise<SentinelClient> {
  const errs: string[] = [];
  const sentinel = createSentinel({
    name: t.name,
    sentinelRootNodes: sentinelNodes(t),
    // read-only commands (GET, ROLE) go to a pool of one client per replica
    replicaPoolSize: 1,
  });
  sentinel.on('error', (e: unknown) => pushBounded(errs, e));
  sentinel.on('client-error', (e: { type: string; node: { port: number }; error: unknown }) => pushBounded(errs, `${e.type} :${e.node?.port}: ${e.error}`));
  await withTimeout(sentinel.connect(), WAIT_MS, 'node-redis createSentinel().connect()');
  return {
    async write(key, value) {
      assert.equal(await sentinel.set(key, value), 'OK');
    },
    read: (key) => sentinel.get(key),
    async readerRole() {
      return String((await sentinel.role())?.role);
    },
    errors: () => errs,
    async close() {
      await sentinel.destroy();
    },
  };
}

function pythonRedisSkip(): string | false {
  const r = spawnSync(PY, ['-c', 'import redis'], { encoding: 'utf8' });
  if (r.status === 0) return false;
  const why = (r.stderr ?? '').trim().split('\n').pop() || r.error?.message || `exit ${r.status}`;
  return `${PY} cannot import redis (apt-get install python3-redis): ${why}`;
}

/** redis-py's Sentinel, master_for and slave_for in test/support/sentinel_client.py, one JSON request per line. */
async function makeRedisPy(t: Topology): Promise<SentinelClient> {
  const errs: string[] = [];
  const proc: ChildProcess = spawn(PY, [PY_SCRIPT, t.name, ...t.sentinels.map((s) => `127.0.0.1:${s.port}`)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-5000)));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let ready: (v: Record<string, unknown>) => void;
  const readyP = new Promise<Record<string, unknown>>((r) => (ready = r));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      pushBounded(errs, `python printed: ${line}`);
      return;
    }
    if ('ready' in msg) return ready(msg);
    const p = pending.get(Number(msg.id));
    if (!p) return;
    pending.delete(Number(msg.id));
    if (msg.ok) p.resolve(msg.value);
    else {
      pushBounded(errs, msg.error);
      p.reject(new Error(String(msg.error)));
    }
  });
  proc.on('exit', (code, sig) => {
    for (const p of pending.values()) p.reject(new Error(`python exited (${code ?? sig}): ${stderr}`));
    pending.clear();
  });
  const request = (op: string, ...args: string[]): Promise<unknown> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.reject(new Error(`python is not running: ${stderr}`));
    const id = nextId++;
    const p = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
    proc.stdin!.write(JSON.stringify({ id, op, args }) + '\n');
    return withTimeout(p, 15_000, `python ${op}`);
  };
  const hello = await withTimeout(readyP, 15_000, 'sentinel_client.py to start').catch((e: Error) => {
    proc.kill('SIGKILL');
    throw new Error(`${e.message}\n${stderr}`);
  });
  if (hello.ready !== true) throw new Error(`sentinel_client.py: ${JSON.stringify(hello)}`);
  return {
    async write(key, value) {
      assert.equal(await request('set', key, value), true);
    },
    read: async (key) => (await request('get', key)) as string | null,
    readerRole: async () => String(await request('role')),
    errors: () => errs,
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.stdin!.end(JSON.stringify({ op: 'quit' }) + '\n');
        await withTimeout(gone, 3000, 'python to quit').catch(() => proc.kill('SIGKILL'));
      }
    },
  };
}

// ---------------------------------------------------------------- the scenario

type Trigger = 'kill' | 'failover';

interface WriteRec {
  key: string;
  sentAt: number;
  doneAt: number;
  ok: boolean;
  err?: string;
}

/** A loop that SETs w:<tag>:<i> = i through the client every WRITE_INTERVAL_MS, recording every result. */
function startWriter(c: SentinelClient, tag: string) {
  const recs: WriteRec[] = [];
  let stopping = false;
  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      const key = `w:${tag}:${i}`;
      const sentAt = Date.now();
      try {
        await withTimeout(c.write(key, String(i)), 10_000, `SET ${key}`);
        recs.push({ key, sentAt, doneAt: Date.now(), ok: true });
      } catch (e) {
        recs.push({ key, sentAt, doneAt: Date.now(), ok: false, err: (e as Error).message });
      }
      await sleep(WRITE_INTERVAL_MS);
    }
  })();
  return {
    recs,
    async stop(): Promise<void> {
      stopping = true;
      await withTimeout(loop, 20_000, 'the writer loop to stop');
    },
  };
}

/** The longest time between two consecutive successful writes completing, from `from` on. */
function longestGap(recs: WriteRec[], from: number): number {
  const oks = recs.filter((r) => r.ok).map((r) => r.doneAt);
  let prev = oks.filter((x) => x <= from).pop() ?? from;
  let gap = 0;
  for (const x of oks.filter((x) => x > from)) {
    gap = Math.max(gap, x - prev);
    prev = x;
  }
  return gap;
}

function addr(p: Proc): string {
  return `127.0.0.1:${p.port}`;
}

/** The current roles, as this test has driven them (a killed master is dropped). */
interface State {
  master: Proc;
  replicas: Proc[];
}

async function directGet(port: number, key: string): Promise<string | null> {
  return (await sentinelCmd(port, 'GET', key)) as string | null;
}

/** Writes through the client, checks it on the master itself, and reads it back through the client's replica connection. */
async function roundTrip(c: SentinelClient, s: State, key: string, value: string): Promise<void> {
  await waitFor(`SET ${key} through the client lands on the master :${s.master.port}`, async () => {
    await withTimeout(c.write(key, value), 10_000, `SET ${key}`);
    return (await directGet(s.master.port, key)) === value;
  }, WINDOW_MS);
  await waitFor(`GET ${key} through the client's replica connection`, async () => (await withTimeout(c.read(key), 10_000, `GET ${key}`)) === value, WAIT_MS);
  await waitFor(`ROLE through the client's replica connection says slave`, async () => (await withTimeout(c.readerRole(), 10_000, 'ROLE')) === 'slave', WAIT_MS);
}

async function failOver(t: Topology, s: State, c: SentinelClient, how: Trigger, tag: string, log: (m: string) => void): Promise<void> {
  const old = s.master;
  const oldAddr = addr(old);
  if (how === 'failover') {
    // SENTINEL FAILOVER needs a replica this sentinel considers good
    for (const r of s.replicas) await waitSynced(old.port, r.port, WAIT_MS);
    await waitFor('sentinel 1 lists a good replica', async () =>
      (await sentinelReplicas(t.sentinels[0].port, t.name)).some((r) => r.flags === 'slave' && r['master-link-status'] === 'ok'), WAIT_MS);
  }
  await roundTrip(c, s, `before:${tag}`, `v-${tag}`);

  const writer = startWriter(c, tag);
  await sleep(300);
  const t0 = Date.now();
  if (how === 'kill') {
    await old.kill('SIGKILL');
  } else {
    await waitFor('SENTINEL FAILOVER accepted', async () => (await sentinelCmd(t.sentinels[0].port, 'SENTINEL', 'FAILOVER', t.name)) === 'OK', WAIT_MS);
  }
  let markerAt = 0;
  const marker = `m-${tag}-${Date.now()}`;
  try {
    const newAddr = await waitFor(`sentinel 1 names a master other than ${oldAddr}`, async () => {
      const a = await masterAddr(t.sentinels[0].port, t.name);
      return a !== null && a !== oldAddr ? a : undefined;
    }, WINDOW_MS);
    const promoted = s.replicas.find((r) => addr(r) === newAddr);
    assert.ok(promoted, `the new master ${newAddr} is one of the replicas ${s.replicas.map(addr).join(', ')}`);
    log(`${how}: sentinel 1 names ${newAddr} as master ${Date.now() - t0} ms after the ${how === 'kill' ? 'kill' : 'SENTINEL FAILOVER'}`);
    await waitMasterSwitched(t, newAddr, WAIT_MS);
    if (how === 'failover') {
      // the old master is turned into a replica of the new one (clients of the old master are disconnected then)
      await waitFor(`the old master :${old.port} replicates from ${newAddr}`, async () => {
        const i = await info(old.port);
        return infoField(i, 'role') === 'slave' && infoField(i, 'master_port') === String(promoted.port);
      }, WAIT_MS);
      log(`${how}: the old master replicates from the new one ${Date.now() - t0} ms after the SENTINEL FAILOVER`);
    }
    s.replicas = s.replicas.filter((r) => r !== promoted);
    if (how === 'failover') s.replicas.push(old);
    s.master = promoted;

    // the same client object finds the new master: a write through it is there
    await waitFor(`a SET through the same client lands on the new master ${newAddr}`, async () => {
      await withTimeout(c.write(`marker:${tag}`, marker), 10_000, 'SET marker');
      return (await directGet(promoted.port, `marker:${tag}`)) === marker;
    }, WINDOW_MS);
    markerAt = Date.now();
    log(`${how}: writes through the client reach the new master ${markerAt - t0} ms after the trigger`);
    await sleep(1000);
  } finally {
    await writer.stop();
  }

  // the loop kept writing: its last writes succeeded, and every write acknowledged after the marker is on the new master
  const recs = writer.recs;
  const tailRecs = recs.slice(-10);
  assert.ok(tailRecs.length >= 5 && tailRecs.every((r) => r.ok), `the last writes of the loop succeed: ${JSON.stringify(tailRecs)}`);
  const afterMarker = recs.filter((r) => r.ok && r.sentAt > markerAt).map((r) => r.key);
  assert.ok(afterMarker.length > 0, 'writes were acknowledged after the client found the new master');
  const got = (await sentinelCmd(s.master.port, 'MGET', ...afterMarker)) as (string | null)[];
  const missing = afterMarker.filter((_, i) => got[i] === null);
  assert.deepEqual(missing, [], 'every write acknowledged after the marker is on the new master');
  const gap = longestGap(recs, t0 - 1);
  const failed = recs.filter((r) => !r.ok);
  // for information: acknowledged writes that did not survive the failover (with SENTINEL FAILOVER, the old master
  // accepts writes until it is turned into a replica; Redis loses those too)
  const ackedDuring = recs.filter((r) => r.ok && r.doneAt >= t0 && r.sentAt <= markerAt).map((r) => r.key);
  const kept = ackedDuring.length ? ((await sentinelCmd(s.master.port, 'MGET', ...ackedDuring)) as (string | null)[]) : [];
  const lost = kept.filter((v) => v === null).length;
  log(`${how}: write-unavailability window ${gap} ms; ${recs.length} writes, ${failed.length} failed${failed.length ? ` (first error: ${failed[0].err})` : ''}; ` +
    `${lost} of ${ackedDuring.length} writes acknowledged between the trigger and the marker are not on the new master`);
  assert.ok(gap <= WINDOW_MS, `write-unavailability window ${gap} ms <= ${WINDOW_MS} ms`);

  // reads through the same client's replica connection: a replica of the new master
  for (const r of s.replicas) await waitSynced(s.master.port, r.port, WAIT_MS);
  await roundTrip(c, s, `after:${tag}`, `v-after-${tag}`);
  assert.equal(await withTimeout(c.read(`marker:${tag}`), 10_000, 'GET marker'), marker, 'the marker is read back through the replica connection');
}

// ---------------------------------------------------------------- the suites

interface ClientSpec {
  name: string;
  make(t: Topology): Promise<SentinelClient>;
  triggers: Trigger[];
  skip: string | false;
}

const sentinelSkip: string | false = IMPL === 'redis' && !redisSentinelAvailable() ? 'redis-sentinel is not installed' : false;

const CLIENTS: ClientSpec[] = [
  { name: 'ioredis', make: makeIoredis, triggers: ['kill', 'failover'], skip: sentinelSkip },
  { name: 'node-redis v5 createSentinel', make: makeNodeRedis, triggers: ['failover', 'kill'], skip: sentinelSkip },
  { name: 'redis-py Sentinel', make: makeRedisPy, triggers: ['kill', 'failover'], skip: sentinelSkip || pythonRedisSkip() },
];

for (const spec of CLIENTS) {
  describe(`${spec.name} through 3 ${IMPL} sentinels`, { skip: spec.skip }, () => {
    let topo: Topology | undefined;
    let client: SentinelClient | undefined;
    let state: State;
    let broken = '';

    before(async () => {
      topo = await startTopology({ sentinels: [IMPL, IMPL, IMPL], replicas: 2, quorum: 2, downAfterMs: failoverDownAfterMs([IMPL]), failoverTimeoutMs: 10_000 });
      state = { master: topo.master, replicas: [...topo.replicas] };
    }, { timeout: 60_000 });

    after(async () => {
      await client?.close().catch(() => undefined);
      await topo?.stop();
    });

    /** Runs a step; on failure, the error carries the client's errors and the topology's logs, and later steps are skipped. */
    async function step(t: { skip(m: string): void; diagnostic(m: string): void }, what: string, fn: () => Promise<void>): Promise<void> {
      if (broken) return t.skip(`an earlier step failed: ${broken}`);
      const started = Date.now();
      try {
        await fn();
        t.diagnostic(`${what}: ${Date.now() - started} ms`);
      } catch (e) {
        broken = what;
        const err = e as Error;
        err.message += `\n--- ${spec.name} errors (last 30):\n${(client?.errors() ?? []).slice(-30).join('\n')}\n${topo ? topologyLogs(topo) : ''}`;
        throw err;
      }
    }

    it('connects through the sentinels, writes via the master and reads via a replica', { timeout: 60_000 }, async (t) => {
      await step(t, 'connect', async () => {
        assert.ok(topo);
        client = await spec.make(topo);
        await roundTrip(client, state, 'hello', 'world');
      });
    });

    for (const [i, how] of spec.triggers.entries()) {
      const label = how === 'kill' ? 'kill -9 of the master' : 'SENTINEL FAILOVER';
      it(`finds the new master after ${label} without being recreated, and still reads from a replica`, { timeout: 90_000 }, async (t) => {
        await step(t, how, async () => {
          assert.ok(topo && client);
          await failOver(topo, state, client, how, `${how}${i}`, (m) => t.diagnostic(m));
        });
      });
    }
  });
}
