/**
 * BullMQ (with ioredis) against redis-server 7.0 and reddish-server, the same
 * scenarios on both: two workers sharing a queue, retries with fixed and
 * exponential backoff, delayed jobs, priorities, a job scheduler with a
 * repeat limit, completion/failure events read by QueueEvents (XREAD BLOCK
 * on the events stream), job counts, and a worker SIGKILLed mid-job whose
 * job another worker recovers as stalled. BullMQ's work is done by its Lua
 * scripts, so this exercises EVALSHA/EVAL with cmsgpack/cjson, sorted sets,
 * lists, hashes, streams and blocking BZPOPMIN.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents, Worker, type Job, type Processor, type WorkerOptions } from 'bullmq';
import { libTest, onEachServer, sleep, waitUntil } from '../support/each-server.js';

const STALL_WORKER = join(dirname(fileURLToPath(import.meta.url)), '..', 'support', 'bullmq-stall-worker.js');

interface Closable {
  close(): Promise<void>;
}

/** What QueueEvents reported for one queue, by job id. */
interface EventLog {
  completed: Map<string, unknown>;
  failed: Map<string, string>;
  stalled: Set<string>;
  errors: string[];
}

onEachServer('BullMQ', (suite) => {
  const open: Closable[] = [];
  const children: ChildProcess[] = [];

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    // Close in reverse order (workers before queues); a close stuck on a broken
    // server must not hang the file, so each gets a bounded wait.
    for (const c of open.reverse()) await Promise.race([c.close().catch(() => undefined), sleep(5000)]);
  });

  const connection = () => ({ host: '127.0.0.1', port: suite.server().port, maxRetriesPerRequest: null });

  function queue(name: string): Queue {
    const q = new Queue(name, { connection: connection() });
    q.on('error', () => undefined); // surfaced through the awaited calls
    open.push(q);
    return q;
  }

  function worker(name: string, processor: Processor, opts: Partial<WorkerOptions> = {}): Worker {
    const w = new Worker(name, processor, { connection: connection(), drainDelay: 1, ...opts });
    w.on('error', () => undefined); // a worker retries on its own; the tests assert outcomes
    open.push(w);
    return w;
  }

  /** QueueEvents from the start of the stream ('0-0'), so no event can be missed. */
  async function events(name: string): Promise<EventLog> {
    const qe = new QueueEvents(name, { connection: connection(), lastEventId: '0-0', blockingTimeout: 1000 });
    const log: EventLog = { completed: new Map(), failed: new Map(), stalled: new Set(), errors: [] };
    qe.on('completed', ({ jobId, returnvalue }) => log.completed.set(jobId, returnvalue));
    qe.on('failed', ({ jobId, failedReason }) => log.failed.set(jobId, failedReason));
    qe.on('stalled', ({ jobId }) => log.stalled.add(jobId));
    qe.on('error', (err) => log.errors.push(err.message));
    open.push(qe);
    await qe.waitUntilReady();
    return log;
  }

  async function settled(log: EventLog, n: number, what: string): Promise<void> {
    await waitUntil(`${what} (events so far: ${log.completed.size} completed, ${log.failed.size} failed; errors: ${log.errors.slice(0, 2).join(' | ')})`, () => log.completed.size + log.failed.size >= n, 20000);
  }

  const idle = { active: 0, delayed: 0, failed: 0, prioritized: 0, waiting: 0, 'waiting-children': 0 };

  libTest('two workers process N jobs; QueueEvents reports every completion', { timeout: 30000 }, async () => {
    const N = 40;
    const log = await events('pair');
    const q = queue('pair');
    const byWorker: Record<string, number> = { a: 0, b: 0 };
    const processor = (tag: string): Processor => async (job: Job) => {
      byWorker[tag]++;
      await sleep(2);
      return { double: (job.data as { x: number }).x * 2 };
    };
    worker('pair', processor('a'));
    worker('pair', processor('b'));
    // Workers name their connections (CLIENT SETNAME); the queue finds them with CLIENT LIST.
    await waitUntil('both workers to register', async () => (await q.getWorkersCount()) === 2);
    const jobs = await q.addBulk(Array.from({ length: N }, (_, x) => ({ name: 'double', data: { x } })));
    assert.equal(jobs.length, N);
    await settled(log, N, `${N} jobs`);
    assert.equal(log.failed.size, 0, JSON.stringify([...log.failed]));
    for (const job of jobs) {
      const x = (job.data as { x: number }).x;
      assert.deepEqual(log.completed.get(job.id!), { double: x * 2 }, `event for job ${job.id}`);
      const stored = await q.getJob(job.id!);
      assert.deepEqual(stored?.returnvalue, { double: x * 2 });
      assert.equal(await stored?.getState(), 'completed');
    }
    assert.equal(byWorker.a + byWorker.b, N);
    assert.deepEqual(await q.getJobCounts(), { ...idle, completed: N });
  });

  libTest('retries with fixed and exponential backoff, then success or final failure', { timeout: 30000 }, async () => {
    const log = await events('retry');
    const q = queue('retry');
    const attemptsSeen: Record<string, number[]> = {};
    worker('retry', async (job: Job) => {
      (attemptsSeen[job.name] ??= []).push(job.attemptsMade);
      if (job.name === 'never') throw new Error('always fails');
      if (job.attemptsMade < 2) throw new Error(`fail #${job.attemptsMade + 1}`);
      return `ok after ${job.attemptsMade} failures`;
    });
    const fixed = await q.add('fixed', {}, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
    const expo = await q.add('expo', {}, { attempts: 3, backoff: { type: 'exponential', delay: 50 } });
    const never = await q.add('never', {}, { attempts: 2, backoff: { type: 'fixed', delay: 20 } });
    await settled(log, 3, 'three retried jobs');

    assert.equal(log.completed.get(fixed.id!), 'ok after 2 failures');
    assert.equal(log.completed.get(expo.id!), 'ok after 2 failures');
    assert.equal(log.failed.get(never.id!), 'always fails');
    assert.deepEqual(attemptsSeen, { fixed: [0, 1, 2], expo: [0, 1, 2], never: [0, 1] });

    const f = (await q.getJob(fixed.id!))!;
    const e = (await q.getJob(expo.id!))!;
    const n = (await q.getJob(never.id!))!;
    assert.equal(await f.getState(), 'completed');
    assert.equal(await e.getState(), 'completed');
    assert.equal(await n.getState(), 'failed');
    assert.equal(f.attemptsMade, 3);
    assert.equal(e.attemptsMade, 3);
    assert.equal(n.attemptsMade, 2);
    assert.equal(n.failedReason, 'always fails');
    assert.equal(f.stacktrace?.length, 2);
    assert.equal(n.stacktrace?.length, 2);
    // Backoff is a lower bound: fixed waits 100 + 100 ms, exponential 50 + 100 ms.
    assert.ok(f.finishedOn! - f.timestamp >= 200, `fixed finished after ${f.finishedOn! - f.timestamp} ms`);
    assert.ok(e.finishedOn! - e.timestamp >= 150, `exponential finished after ${e.finishedOn! - e.timestamp} ms`);
    assert.deepEqual(await q.getJobCounts(), { ...idle, completed: 2, failed: 1 });
  });

  libTest('delayed jobs wait in the delayed set and run after their delay', { timeout: 30000 }, async () => {
    const log = await events('delay');
    const q = queue('delay');
    const late = await q.add('late', { d: 600 }, { delay: 600 });
    const soon = await q.add('soon', { d: 250 }, { delay: 250 });
    const now = await q.add('now', { d: 0 });
    assert.equal(await late.getState(), 'delayed');
    assert.equal(await soon.getState(), 'delayed');
    assert.deepEqual(await q.getJobCounts('delayed', 'waiting'), { delayed: 2, waiting: 1 });
    worker('delay', async (job: Job) => job.name);
    await settled(log, 3, 'three jobs');
    assert.equal(log.failed.size, 0);
    for (const job of [late, soon, now]) {
      const stored = (await q.getJob(job.id!))!;
      assert.equal(stored.returnvalue, job.name);
      const delay = (job.data as { d: number }).d;
      assert.ok(stored.processedOn! >= stored.timestamp + delay, `${job.name} ran ${stored.processedOn! - stored.timestamp} ms after being added (delay ${delay})`);
    }
    assert.deepEqual(await q.getJobCounts(), { ...idle, completed: 3 });
  });

  libTest('prioritized jobs run after plain ones, lowest priority number first', { timeout: 30000 }, async () => {
    // The score is computed in Lua as priority * 0x100000000 + counter % 0x100000000:
    // a hex numeral beyond 32 bits, which Lua 5.1 reads as a double.
    const log = await events('prio');
    const q = queue('prio');
    for (const [name, priority] of [['low', 10], ['high', 1], ['mid', 5], ['plain', 0]] as const) {
      await q.add(name, {}, priority ? { priority } : {});
    }
    assert.deepEqual(await q.getJobCounts('prioritized', 'waiting'), { prioritized: 3, waiting: 1 });
    const order: string[] = [];
    worker('prio', async (job: Job) => {
      order.push(job.name);
    });
    await settled(log, 4, 'four jobs');
    assert.deepEqual(order, ['plain', 'high', 'mid', 'low']);
    assert.deepEqual(await q.getJobCounts(), { ...idle, completed: 4 });
  });

  libTest('a job scheduler repeating every 100 ms stops at its limit', { timeout: 30000 }, async () => {
    const LIMIT = 4;
    const log = await events('repeat');
    const q = queue('repeat');
    const runs: number[] = [];
    worker('repeat', async (job: Job) => {
      runs.push((job.data as { n: number }).n);
      return runs.length;
    });
    await q.upsertJobScheduler('tick', { every: 100, limit: LIMIT }, { name: 'tick', data: { n: 7 } });
    await settled(log, LIMIT, `${LIMIT} repeats`);
    // Give the scheduler time to overshoot if it were going to.
    await sleep(500);
    assert.equal(runs.length, LIMIT);
    assert.deepEqual(runs, Array(LIMIT).fill(7));
    assert.equal(log.completed.size, LIMIT);
    assert.equal(log.failed.size, 0);
    const completed = await q.getCompleted();
    assert.deepEqual(completed.map((j) => j.name), Array(LIMIT).fill('tick'));
    assert.deepEqual(await q.getJobCounts(), { ...idle, completed: LIMIT });
  });

  libTest('a job whose worker is SIGKILLed mid-job is recovered as stalled and completes', { timeout: 30000 }, async () => {
    const LOCK_MS = 1000;
    const log = await events('stall');
    const q = queue('stall');
    const job = await q.add('fragile', { v: 21 });

    const child = fork(STALL_WORKER, [String(suite.server().port), 'stall', String(LOCK_MS)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    children.push(child);
    let childStderr = '';
    child.stderr!.on('data', (d) => (childStderr += d));
    const started = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child worker never started the job\n${childStderr}`)), 15000);
      child.on('message', (m: { started?: string; error?: string }) => {
        if (m.started) {
          clearTimeout(timer);
          resolve(m.started);
        }
      });
      child.once('exit', (code) => reject(new Error(`child worker exited (${code})\n${childStderr}`)));
    });
    assert.equal(started, job.id);
    assert.equal(await job.getState(), 'active');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    // Only now does a healthy worker join; its stalled-job checker finds the
    // active job whose lock expired and puts it back to wait.
    worker('stall', async (j: Job) => (j.data as { v: number }).v * 2, { stalledInterval: 200, lockDuration: LOCK_MS });
    await settled(log, 1, 'the stalled job');
    assert.equal(log.completed.get(job.id!), 42);
    assert.ok(log.stalled.has(job.id!), 'QueueEvents reported the job as stalled');
    const stored = (await q.getJob(job.id!))!;
    assert.equal(await stored.getState(), 'completed');
    assert.equal(stored.returnvalue, 42);
    assert.deepEqual(await q.getJobCounts(), { ...idle, completed: 1 });
  });
});
