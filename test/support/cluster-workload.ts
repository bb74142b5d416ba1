/**
 * A mixed workload on a cluster through a real cluster client (ioredis'
 * Cluster or node-redis' createCluster): SET then GET, INCR, HSET, LPUSH,
 * MSET/MGET on one hash tag, MULTI/EXEC on one slot. Several loops per
 * client; every acknowledged write goes to a Ledger, every failure is counted
 * and the loop carries on, so the workload runs through reshards and
 * failovers and the ledger says afterwards what was promised.
 */
import { Cluster as IORedisCluster } from 'ioredis';
import { createCluster } from 'redis';
import { Ledger } from './cluster-ledger.js';

/** The few commands the workload needs, whichever client sends them. */
export interface Driver {
  set(k: string, v: string): Promise<unknown>;
  get(k: string): Promise<string | null>;
  incr(k: string): Promise<number>;
  hset(k: string, f: string, v: string): Promise<unknown>;
  lpush(k: string, v: string): Promise<unknown>;
  /** MSET a v b v (one slot). */
  mset2(a: string, b: string, v: string): Promise<unknown>;
  mget(a: string, b: string): Promise<Array<string | null>>;
  /** MULTI SET a v SET b v EXEC (one slot); throws unless both SETs succeeded. */
  multi2(a: string, b: string, v: string): Promise<void>;
  close(): Promise<void>;
}

export function ioredisDriver(port: number): Driver {
  const c = new IORedisCluster([{ host: '127.0.0.1', port }], {
    enableOfflineQueue: true,
    retryDelayOnTryAgain: 20,
    retryDelayOnMoved: 10,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    slotsRefreshTimeout: 2000,
    // A dead node's commands fail after a while instead of waiting for it forever.
    redisOptions: { commandTimeout: 3000, connectTimeout: 1000, maxRetriesPerRequest: 3 },
  });
  c.on('error', () => undefined); // failures surface through the commands' promises
  return {
    set: (k, v) => c.set(k, v),
    get: (k) => c.get(k),
    incr: (k) => c.incr(k),
    hset: (k, f, v) => c.hset(k, f, v),
    lpush: (k, v) => c.lpush(k, v),
    mset2: (a, b, v) => c.mset(a, v, b, v),
    mget: (a, b) => c.mget(a, b),
    async multi2(a, b, v) {
      const r = await c.multi().set(a, v).set(b, v).exec();
      if (r === null) throw new Error('EXEC aborted');
      for (const [err, reply] of r) if (err || reply !== 'OK') throw err ?? new Error(`EXEC reply ${String(reply)}`);
    },
    async close() {
      c.disconnect();
    },
  };
}

export async function nodeRedisDriver(port: number): Promise<Driver> {
  const c = createCluster({
    rootNodes: [{ url: `redis://127.0.0.1:${port}` }],
    // Fail fast while a node is unreachable (no offline queue); keep reconnecting to it.
    defaults: { disableOfflineQueue: true, socket: { connectTimeout: 1000, reconnectStrategy: (n: number) => Math.min(50 * n, 500) } },
  });
  c.on('error', () => undefined); // failures surface through the commands' promises
  await c.connect();
  return {
    set: (k, v) => c.set(k, v),
    get: (k) => c.get(k),
    incr: (k) => c.incr(k),
    hset: (k, f, v) => c.hSet(k, f, v),
    lpush: (k, v) => c.lPush(k, v),
    mset2: (a, b, v) => c.mSet([a, v, b, v]),
    mget: (a, b) => c.mGet([a, b]),
    async multi2(a, b, v) {
      const r = await c.multi().set(a, v).set(b, v).exec();
      if (r.length !== 2 || r.some((x) => x !== 'OK')) throw new Error(`EXEC reply ${JSON.stringify(r)}`);
    },
    async close() {
      await c.disconnect();
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no reply in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** One step of the mix; `id` is unique in the whole run. */
async function step(d: Driver, l: Ledger, prefix: string, i: number): Promise<void> {
  const id = `${prefix}:${i}`;
  switch (i % 6) {
    case 0: {
      const k = `s:${id}`;
      await d.set(k, id);
      l.write('string', k, id);
      if ((await d.get(k)) !== id) l.staleReads.push({ at: Date.now(), key: k });
      return;
    }
    case 1: {
      const k = `n:${prefix}:${i % 16}`;
      await d.incr(k);
      l.incr(k);
      return;
    }
    case 2: {
      const k = `h:${prefix}:${i % 8}`;
      await d.hset(k, `f${i}`, id);
      l.write('hash', k, id, `f${i}`);
      return;
    }
    case 3: {
      const k = `l:${prefix}:${i % 8}`;
      await d.lpush(k, id);
      l.write('list', k, id);
      return;
    }
    case 4: {
      const [a, b] = [`{t:${id}}:a`, `{t:${id}}:b`];
      await d.mset2(a, b, id);
      l.write('string', a, id);
      l.write('string', b, id);
      const got = await d.mget(a, b);
      if (got[0] !== id || got[1] !== id) l.staleReads.push({ at: Date.now(), key: a });
      return;
    }
    default: {
      const [a, b] = [`{m:${id}}:a`, `{m:${id}}:b`];
      await d.multi2(a, b, id);
      l.write('string', a, id);
      l.write('string', b, id);
    }
  }
}

export interface Workload {
  ledger: Ledger;
  /** Stops the loops (each finishes its current step) and closes the client. */
  stop(): Promise<void>;
}

/**
 * Runs `loops` concurrent loops of the mix on `d` until stopped, pausing
 * `pauseMs` between steps (to keep a 2-core machine able to run the servers)
 * and `errorPauseMs` after a failure.
 */
export function runWorkload(d: Driver, name: string, opts: { loops: number; pauseMs: number; errorPauseMs?: number; opTimeoutMs?: number }): Workload {
  const ledger = new Ledger(name);
  let stopping = false;
  const loops = Array.from({ length: opts.loops }, async (_, n) => {
    const prefix = `${name}:${n}`;
    for (let i = 0; !stopping; i++) {
      try {
        await withTimeout(step(d, ledger, prefix, i), opts.opTimeoutMs ?? 5000);
        ledger.ops++;
        if (opts.pauseMs > 0) await sleep(opts.pauseMs);
      } catch (e) {
        ledger.error(e);
        await sleep(opts.errorPauseMs ?? 50);
      }
    }
  });
  return {
    ledger,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      await d.close();
    },
  };
}
