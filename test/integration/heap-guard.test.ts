/**
 * The heap limit as a ceiling of last resort (keyspace/heap-guard.ts): a
 * reddish-server started with a small V8 heap and no maxmemory, written to
 * far past what the heap holds, answers -OOM to writes instead of aborting,
 * keeps serving reads and deletions, and takes writes again once the data is
 * gone.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';

const started: RunningServer[] = [];
const clients: Redis[] = [];
after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(started.map((s) => s.stop()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('writes past the V8 heap limit get -OOM, the server stays up and recovers', { timeout: 90_000 }, async () => {
  const srv = await startServer('reddish', [], { nodeArgs: ['--max-old-space-size=64'] });
  started.push(srv);
  const c = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  clients.push(c);
  const value = 'v'.repeat(16 * 1024);
  let oom: Error | null = null;
  let written = 0;
  // 16 KB strings live in the heap: a few thousand fill 64 MB; 20000 would be 320 MB.
  for (let i = 0; i < 20000 && oom === null; i += 50) {
    const p = c.pipeline();
    for (let j = i; j < i + 50; j++) p.set(`k${j}`, value);
    const res = (await p.exec()) ?? [];
    for (const [err] of res) {
      if (err) {
        oom = err;
        break;
      }
      written++;
    }
    // The guard looks every cron tick (100 ms); a real client is not this fast.
    if (i % 500 === 0) await sleep(120);
  }
  assert.ok(oom !== null, `no refusal after ${written} writes of 16 KB`);
  assert.match(oom.message, /^OOM command not allowed when used memory is near the heap limit/);
  assert.equal(srv.proc.exitCode, null, 'the server is still running');
  assert.equal(await c.get('k0'), value, 'reads are served');
  assert.equal(await c.strlen(`k${written - 1}`), value.length);
  await assert.rejects(c.append('k0', 'x'), /^ReplyError: OOM /);
  assert.match(srv.output(), /refusing commands that may use more memory/);

  // Deleting is allowed; once the collector gave the memory back, writes are taken again.
  assert.equal(await c.flushall(), 'OK');
  let accepted = false;
  for (let i = 0; i < 100 && !accepted; i++) {
    await sleep(200);
    try {
      accepted = (await c.set('after', 'flush')) === 'OK';
    } catch (e) {
      assert.match((e as Error).message, /^OOM /);
    }
  }
  assert.ok(accepted, 'writes accepted again after FLUSHALL');
  assert.match(srv.output(), /accepting writes again/);
});
