/**
 * A BullMQ worker meant to die mid-job: run as a child process by
 * test/integration/lib-bullmq.test.ts with `<port> <queue> <lockDurationMs>`,
 * it takes one job, tells its parent the job id over IPC and then never
 * finishes, so the parent can SIGKILL it while the job is active and locked.
 */
import { Worker } from 'bullmq';

const [portArg, queueName, lockArg] = process.argv.slice(2);
if (!process.send) throw new Error('bullmq-stall-worker must be started with an IPC channel');
const send = process.send.bind(process);

const worker = new Worker(
  queueName,
  async (job) => {
    send({ started: job.id });
    await new Promise<never>(() => undefined); // hangs until the parent kills us
  },
  {
    connection: { host: '127.0.0.1', port: Number(portArg), maxRetriesPerRequest: null },
    lockDuration: Number(lockArg),
    // This worker must not rescue anything itself: it only holds the job.
    skipStalledCheck: true,
  },
);
worker.on('error', (err) => send({ error: err.message }));
