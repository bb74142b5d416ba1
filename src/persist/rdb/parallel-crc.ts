/**
 * CRC64 of an RDB image's body on a worker thread (crc64-worker.ts), started
 * before the load walks the keys and collected after. The worker sums
 * buf[0, buf.length - 8): where the body ends when the image is a whole
 * dump.rdb; the loader checks that guess against where the walk really
 * ended and sums serially otherwise (an AOF preamble, a replication payload
 * with bytes after it), as it does when the worker did not start in time.
 */
import { Worker } from 'node:worker_threads';
import { Crc64 } from './crc64.js';

/** Below this a worker's start-up costs more than the sum it saves. */
const MIN_PARALLEL_BYTES = 8 << 20;

export class BodyChecksum {
  private worker: Worker | null = null;
  private state: Int32Array | null = null;
  private readonly guessEnd: number;

  constructor(private readonly buf: Buffer) {
    this.guessEnd = buf.length - 8;
    if (buf.length < MIN_PARALLEL_BYTES) return;
    try {
      const data = new SharedArrayBuffer(this.guessEnd);
      new Uint8Array(data).set(buf.subarray(0, this.guessEnd));
      const state = new Int32Array(new SharedArrayBuffer(12));
      const w = new Worker(new URL('./crc64-worker.js', import.meta.url), { workerData: { data, state } });
      w.unref();
      // Errors surface through `state`; an 'error' event must not crash the server.
      w.on('error', () => {});
      this.worker = w;
      this.state = state;
    } catch {
      this.worker = null;
      this.state = null;
    }
  }

  /** The 8 trailer bytes Redis would write for buf[0, end). */
  bytes(end: number): Buffer {
    const st = this.state;
    let out: Buffer | null = null;
    if (st !== null && end === this.guessEnd) {
      // Not started yet (a busy machine): summing here is quicker than waiting.
      if (Atomics.load(st, 0) === 1) Atomics.wait(st, 0, 1, 10_000);
      if (Atomics.load(st, 0) === 2) {
        out = Buffer.alloc(8);
        out.writeInt32LE(st[1], 0);
        out.writeInt32LE(st[2], 4);
      }
    }
    this.close();
    return out ?? new Crc64().update(this.buf, 0, end).bytes();
  }

  /** Stops the worker (a failed load, or the result is in). */
  close(): void {
    if (this.worker !== null) void this.worker.terminate();
    this.worker = null;
  }
}
