/**
 * The RDB trailer's CRC64, computed on a worker thread while the main thread
 * loads the keys (rdb-loader.ts): a checksum of a 40 MB image costs ~0.2 s on
 * its own, serially a tenth of a load.
 *
 * workerData: { data: SharedArrayBuffer (the bytes to sum), state: Int32Array
 * over a SharedArrayBuffer of 3 slots: [state, crc low 32 bits, crc high 32
 * bits] }. state goes 0 (not started) → 1 (running) → 2 (done) or 3 (failed),
 * with Atomics.notify at the end, so the loader can wait synchronously.
 */
import { workerData } from 'node:worker_threads';
import { Crc64 } from './crc64.js';

interface CrcJob {
  data: SharedArrayBuffer;
  state: Int32Array;
}

const job = workerData as CrcJob;
Atomics.store(job.state, 0, 1);
try {
  const b = new Crc64().update(new Uint8Array(job.data)).bytes();
  job.state[1] = b.readInt32LE(0);
  job.state[2] = b.readInt32LE(4);
  Atomics.store(job.state, 0, 2);
} catch {
  Atomics.store(job.state, 0, 3);
}
Atomics.notify(job.state, 0);
