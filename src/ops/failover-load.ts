/**
 * The write load of `reddish test-failover`: SETs of sequential keys as fast
 * as a small pipeline allows, with `WAIT 1 <ms>` every N writes. A write is
 * acknowledged when SET answered OK; it is WAIT-acknowledged when a later
 * WAIT on the same connection returned >= 1 (a replica had it). On any
 * error the master is looked up again through the Sentinels and the load
 * goes on, so it runs straight through a failover.
 */
import { OpsClient, formatAddr, type Addr } from './ops-client.js';
import { currentMaster } from './master-resolver.js';
import type { Target } from './target.js';

export interface LoadOptions {
  /** Key prefix; key i is `${prefix}${i}` with value String(i). */
  prefix: string;
  pipeline: number;
  waitEvery: number;
  waitTimeoutMs: number;
  /** A TTL on every key, so a load that is never cleaned up goes away. */
  ttlMs: number;
}

export interface Ack {
  i: number;
  at: number;
  master: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MAX_ERROR_SAMPLES = 20;

export class FailoverWriteLoad {
  readonly acks: Ack[] = [];
  readonly waited = new Set<number>();
  /** How many keys were sent (acknowledged or not): 0..issued-1 may exist. */
  issued = 0;
  errors = 0;
  readonly errorSamples: Array<{ at: number; message: string }> = [];
  /** Each connection the load opened: when, and to which master. */
  readonly connections: Array<{ at: number; master: string }> = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  private current: OpsClient | null = null;

  constructor(private readonly target: Target, private readonly o: LoadOptions) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    // A WAIT in flight ends within its timeout; don't wait longer than that.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = setTimeout(r, this.o.waitTimeoutMs + 2000)))]);
    clearTimeout(timer);
    this.current?.close();
  }

  private error(message: string): void {
    this.errors++;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES) this.errorSamples.push({ at: Date.now(), message });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let addr: Addr | null;
      try {
        addr = await currentMaster(this.target);
      } catch (e) {
        addr = null;
        this.error((e as Error).message);
      }
      if (addr === null) {
        await sleep(100);
        continue;
      }
      const c = new OpsClient(addr, { password: this.target.password, timeoutMs: this.o.waitTimeoutMs + 2000 });
      this.current = c;
      try {
        await this.writeUntilError(c, formatAddr(addr));
      } catch (e) {
        this.error((e as Error).message); // OpsClient errors name the address already
        await sleep(50);
      } finally {
        c.close();
        this.current = null;
      }
    }
  }

  private async writeUntilError(c: OpsClient, master: string): Promise<void> {
    this.connections.push({ at: Date.now(), master });
    // Keys acknowledged on this connection since its last successful WAIT.
    let sinceWait: number[] = [];
    let writes = 0;
    while (this.running) {
      const batch = Array.from({ length: this.o.pipeline }, () => this.issued++);
      const replies = await Promise.allSettled(batch.map((i) => c.call(['SET', `${this.o.prefix}${i}`, String(i), 'PX', this.o.ttlMs])));
      const now = Date.now();
      let failure: unknown = null;
      for (const [j, r] of replies.entries()) {
        if (r.status === 'fulfilled' && r.value === 'OK') {
          this.acks.push({ i: batch[j], at: now, master });
          sinceWait.push(batch[j]);
        } else if (failure === null) {
          failure = r.status === 'rejected' ? r.reason : new Error(`SET answered ${String(r.value)}`);
        }
      }
      if (failure !== null) throw failure;
      writes += batch.length;
      if (writes >= this.o.waitEvery) {
        writes = 0;
        const n = Number(await c.call(['WAIT', 1, this.o.waitTimeoutMs]));
        if (n >= 1) {
          for (const i of sinceWait) this.waited.add(i);
          sinceWait = [];
        }
      }
    }
  }
}

/** Of the keys `is`, those whose value on `addr` is not i (MGET in batches). */
export async function missingOn(addr: Addr, password: string | undefined, prefix: string, is: number[]): Promise<number[]> {
  const c = new OpsClient(addr, { password, timeoutMs: 10000 });
  const missing: number[] = [];
  try {
    for (let off = 0; off < is.length; off += 1000) {
      const batch = is.slice(off, off + 1000);
      const vals = (await c.call(['MGET', ...batch.map((i) => `${prefix}${i}`)])) as Array<string | null>;
      batch.forEach((i, j) => {
        if (vals[j] !== String(i)) missing.push(i);
      });
    }
  } finally {
    c.close();
  }
  return missing;
}

/** Deletes keys 0..n-1 of the load (UNLINK in batches); errors are ignored (the keys have a TTL). */
export async function deleteLoadKeys(addr: Addr, password: string | undefined, prefix: string, n: number): Promise<void> {
  const c = new OpsClient(addr, { password, timeoutMs: 10000 });
  try {
    const pending: Array<Promise<unknown>> = [];
    for (let off = 0; off < n; off += 1000) {
      const keys = Array.from({ length: Math.min(1000, n - off) }, (_, j) => `${prefix}${off + j}`);
      pending.push(c.call(['UNLINK', ...keys]).catch(() => undefined));
    }
    await Promise.all(pending);
  } catch {
    /* best effort */
  } finally {
    c.close();
  }
}
