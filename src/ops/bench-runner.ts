/**
 * The load generator behind `reddish bench`, built for speed like
 * redis-benchmark: N raw sockets, each writing a pipeline of P requests in
 * one write and sending the next batch when all P replies are in; replies
 * are counted, not decoded (resp-skip.ts); a request's latency is from its
 * batch's write to its reply. The request bytes are encoded once per client
 * and only the random-key digits are rewritten between batches.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeArgv, encodeRequest, randOffsets, type BenchTest } from './bench-tests.js';
import { LatencyHistogram } from './latency-histogram.js';
import { skipReply } from './resp-skip.js';
import { formatAddr, type Addr } from './ops-client.js';

export interface BenchOptions {
  addr: Addr;
  password?: string;
  db: number;
  clients: number;
  requests: number;
  pipeline: number;
  dataSize: number;
  /** -r: keys get a random number below this; 0 keeps `__rand_int__` literally, as redis-benchmark does. */
  keyspace: number;
}

export interface BenchResult {
  test: string;
  title: string;
  requests: number;
  seconds: number;
  rps: number;
  histogram: LatencyHistogram;
  errors: number;
  firstError: string | null;
}

/** Writes a random number below `keyspace` as 12 zero-padded digits at `at`. */
function patchRandom(buf: Buffer, at: number, keyspace: number): void {
  let n = Math.floor(Math.random() * keyspace);
  for (let i = at + 11; i >= at; i--) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/** Connects, then sends the preamble (AUTH, SELECT) and waits for its replies: an error here stops the run. */
function connect(o: BenchOptions, preamble: string[][]): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: o.addr.host, port: o.addr.port });
    s.setNoDelay(true);
    const fail = (e: Error): void => {
      s.destroy();
      reject(new Error(`${formatAddr(o.addr)}: ${e.message}`));
    };
    s.once('error', fail);
    s.once('connect', () => {
      runCommands(s, preamble).then(() => {
        s.off('error', fail);
        resolve(s);
      }, fail);
    });
  });
}

/** Opens the connections (AUTH and SELECT answered) before any test times anything. */
export async function openClients(o: BenchOptions): Promise<net.Socket[]> {
  const preamble: string[][] = [];
  if (o.password) preamble.push(['AUTH', o.password]);
  if (o.db !== 0) preamble.push(['SELECT', String(o.db)]);
  const socks: net.Socket[] = [];
  try {
    for (let i = 0; i < o.clients; i++) socks.push(await connect(o, preamble));
  } catch (e) {
    for (const s of socks) s.destroy();
    throw e;
  }
  return socks;
}

/** Sends commands on one socket and waits for all their replies; an error reply rejects. */
export function runCommands(sock: net.Socket, cmds: string[][]): Promise<void> {
  if (cmds.length === 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let got = 0;
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = skipReply(buf, 0);
        if (end < 0) return;
        if (buf[0] === 45) {
          sock.off('data', onData);
          return reject(new Error(`${cmds[got][0]}: ${buf.toString('latin1', 1, end - 2)}`));
        }
        buf = buf.subarray(end);
        if (++got === cmds.length) {
          sock.off('data', onData);
          return resolve();
        }
      }
    };
    sock.on('data', onData);
    sock.write(Buffer.concat(cmds.map(encodeArgv)));
  });
}

/** Runs one test over the open sockets; `onProgress(done)` is called as replies arrive (throttle it yourself). */
export function runTest(o: BenchOptions, socks: net.Socket[], t: BenchTest, onProgress: (done: number) => void): Promise<BenchResult> {
  const data = 'x'.repeat(o.dataSize);
  const one = encodeRequest(t, data);
  const offsets = o.keyspace > 0 ? randOffsets(one) : [];
  const hist = new LatencyHistogram();
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | null = null;
  let start = 0;
  return new Promise<BenchResult>((resolve, reject) => {
    let finished = false;
    const cleanups: Array<() => void> = [];
    const kicks: Array<() => void> = [];
    const finish = (err: Error | null): void => {
      if (finished) return;
      finished = true;
      for (const c of cleanups) c();
      if (err) return reject(err);
      const seconds = (performance.now() - start) / 1000;
      resolve({ test: t.name, title: t.title, requests: done, seconds, rps: done / seconds, histogram: hist, errors, firstError });
    };
    for (const sock of socks) {
      // This client's batch: P copies of the request, patched in place (safe: the
      // previous batch is fully written once all its replies are back).
      const batch = Buffer.alloc(one.length * o.pipeline);
      for (let i = 0; i < o.pipeline; i++) one.copy(batch, i * one.length);
      const patch = offsets.flatMap((off) => Array.from({ length: o.pipeline }, (_, i) => i * one.length + off));
      let inBatch = 0;
      let sentAt = 0;
      let pending: Buffer | null = null;
      const send = (): void => {
        const k = Math.min(o.pipeline, o.requests - issued);
        if (k <= 0) return;
        issued += k;
        inBatch = k;
        for (const at of patch) if (at < k * one.length) patchRandom(batch, at, o.keyspace);
        sentAt = performance.now();
        sock.write(k === o.pipeline ? batch : batch.subarray(0, k * one.length));
      };
      const onData = (d: Buffer): void => {
        const buf = pending === null ? d : Buffer.concat([pending, d]);
        const now = performance.now();
        let p = 0;
        for (;;) {
          const end = skipReply(buf, p);
          if (end < 0) break;
          if (buf[p] === 45) {
            errors++;
            firstError ??= buf.toString('latin1', p + 1, end - 2);
          }
          hist.record((now - sentAt) * 1000);
          p = end;
          done++;
          if (--inBatch === 0) {
            if (done >= o.requests) return finish(null);
            send();
          }
        }
        pending = p === buf.length ? null : buf.subarray(p);
        onProgress(done);
      };
      const onClose = (): void => finish(new Error(`${formatAddr(o.addr)}: connection closed during the test`));
      const onError = (e: Error): void => finish(new Error(`${formatAddr(o.addr)}: ${e.message}`));
      kicks.push(send);
      sock.on('data', onData);
      sock.on('close', onClose);
      sock.on('error', onError);
      cleanups.push(() => {
        sock.off('data', onData);
        sock.off('close', onClose);
        sock.off('error', onError);
      });
    }
    // Every client starts with its first batch.
    start = performance.now();
    for (const k of kicks) k();
  });
}
