/**
 * SCAN, RANDOMKEY and OBJECT IDLETIME: the replies whose exact bytes differ
 * from Redis's by design (cursor values, hash order, randomness, time), so
 * they are checked against their contracts on reddish alone:
 *
 *  - a full SCAN returns every key that exists for the whole iteration at
 *    least once, however many keys are added, deleted, overwritten or renamed
 *    between calls (and, with no changes, exactly once);
 *  - MATCH, COUNT and TYPE filter as documented, expired keys are not returned;
 *  - RANDOMKEY returns existing keys only, each of them eventually;
 *  - OBJECT IDLETIME grows while a key is untouched and resets on access.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';

let server: RunningServer;
let r: Redis;

before(async () => {
  server = await startServer('reddish');
  r = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
});
after(async () => {
  r?.disconnect();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function fill(prefix: string, n: number, from = 0): Promise<void> {
  const p = r.pipeline();
  for (let i = from; i < from + n; i++) p.set(`${prefix}${i}`, String(i));
  await p.exec();
}

/** Every SCAN call of a full iteration; `between` runs after each call. */
async function fullScan(args: string[] = [], between?: (step: number) => Promise<void>): Promise<{ keys: string[]; calls: number; replies: string[][] }> {
  let cursor = '0';
  const keys: string[] = [];
  const replies: string[][] = [];
  let calls = 0;
  do {
    const [next, batch] = (await r.call('SCAN', cursor, ...args)) as [string, string[]];
    cursor = next;
    keys.push(...batch);
    replies.push(batch);
    calls++;
    if (between) await between(calls);
    assert.ok(calls < 100000, 'SCAN did not terminate');
  } while (cursor !== '0');
  return { keys, calls, replies };
}

test('a full SCAN with no changes returns every key exactly once', async () => {
  await r.flushall();
  await fill('k:', 3000);
  const { keys, calls } = await fullScan(['COUNT', '100']);
  assert.equal(keys.length, 3000);
  assert.equal(new Set(keys).size, 3000);
  assert.ok(calls >= 30, `expected about 30 calls, got ${calls}`);
  const dflt = await fullScan();
  assert.equal(new Set(dflt.keys).size, 3000);
  assert.equal(dflt.keys.length, 3000);
});

test('SCAN returns every key present throughout, under concurrent inserts, deletes, overwrites and renames', async () => {
  await r.flushall();
  // Stable keys interleaved with churn keys, so deletions leave holes everywhere.
  const p = r.pipeline();
  for (let i = 0; i < 4000; i++) {
    p.set(`stable:${i}`, 'v');
    p.set(`churn:${i}`, 'c');
  }
  await p.exec();
  let nextChurn = 4000;
  let oldestChurn = 0;
  const { keys } = await fullScan(['COUNT', '37'], async (step) => {
    const q = r.pipeline();
    // Delete 150 of the oldest churn keys and create 150 new ones: over the
    // whole scan the index is compacted several times.
    for (let i = 0; i < 150; i++) q.del(`churn:${oldestChurn++}`);
    for (let i = 0; i < 150; i++) q.set(`churn:${nextChurn++}`, 'c');
    // Overwrite stable keys (same incarnation) and rename churn keys onto new names.
    for (let i = 0; i < 20; i++) q.set(`stable:${(step * 20 + i) % 4000}`, `v${step}`);
    q.rename(`churn:${nextChurn - 1}`, `renamed:${step}`);
    // Renaming onto an existing stable key keeps the name alive throughout.
    q.set(`tmp:${step}`, 'x');
    q.rename(`tmp:${step}`, `stable:${(step * 7) % 4000}`);
    q.copy(`churn:${nextChurn - 2}`, `stable:${(step * 13) % 4000}`, 'REPLACE');
    // A key deleted and re-created mid-scan, and a copy.
    q.del(`stable-ish:${step}`);
    q.copy(`stable:${step % 4000}`, `copy:${step}`);
    await q.exec();
  });
  const seen = new Set(keys);
  const missing: string[] = [];
  for (let i = 0; i < 4000; i++) if (!seen.has(`stable:${i}`)) missing.push(`stable:${i}`);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} stable keys never returned`);
  // Every returned name is one that existed at some point.
  for (const k of seen) assert.match(k, /^(stable|churn|renamed|copy):\d+$/);
  // New names appear faster than the scan advances, yet it ends: it only walks
  // what existed when it began.
  assert.ok(nextChurn - 4000 > 10000, 'the churn was big enough to force compactions');
});

test('SCAN keeps its guarantee across deletes and re-inserts of every other key', async () => {
  await r.flushall();
  await fill('a:', 2000);
  await fill('b:', 2000);
  const { keys } = await fullScan(['COUNT', '10'], async (step) => {
    const i = step % 2000;
    // Delete and re-create a b-key (a new incarnation, may be returned twice), keep a-keys.
    await r.del(`b:${i}`);
    await r.set(`b:${i}`, 'again');
  });
  const seen = new Set(keys);
  for (let i = 0; i < 2000; i++) assert.ok(seen.has(`a:${i}`), `a:${i} missing`);
});

test('SCAN MATCH, COUNT and TYPE', async () => {
  await r.flushall();
  await fill('user:', 500);
  await fill('item:', 500);
  const m = await fullScan(['MATCH', 'user:*', 'COUNT', '50']);
  assert.equal(new Set(m.keys).size, 500);
  assert.ok(m.keys.every((k) => k.startsWith('user:')));
  const m2 = await fullScan(['MATCH', 'item:1?', 'COUNT', '1000']);
  assert.deepEqual([...new Set(m2.keys)].sort(), ['item:10', 'item:11', 'item:12', 'item:13', 'item:14', 'item:15', 'item:16', 'item:17', 'item:18', 'item:19']);
  assert.equal(m2.calls, 1, 'COUNT larger than the db finishes in one call');
  const c = await fullScan(['COUNT', '7']);
  assert.ok(c.replies.every((b) => b.length <= 7), 'no batch is larger than COUNT');
  assert.ok(c.calls >= 1000 / 7);
  const t = await fullScan(['TYPE', 'string', 'COUNT', '100']);
  assert.equal(new Set(t.keys).size, 1000);
  const l = await fullScan(['TYPE', 'list', 'COUNT', '100']);
  assert.equal(l.keys.length, 0);
  assert.ok(l.calls > 1, 'TYPE filters after gathering, as in Redis');
  // Any cursor is accepted (Redis cursors are stateless); a huge one resumes at the newest key.
  const [cur, some] = (await r.call('SCAN', '18446744073709551615')) as [string, string[]];
  assert.match(cur, /^\d+$/);
  assert.equal(some.length, 10);
  await assert.rejects(r.call('SCAN', 'abc'), /ERR invalid cursor/);
  await assert.rejects(r.call('SCAN', '0', 'COUNT', '0'), /ERR syntax error/);
});

test('SCAN does not return logically expired keys', async () => {
  await r.flushall();
  await fill('live:', 100);
  const p = r.pipeline();
  for (let i = 0; i < 100; i++) p.set(`dying:${i}`, 'x', 'PX', 1);
  await p.exec();
  await sleep(20);
  const { keys } = await fullScan(['COUNT', '1000']);
  assert.equal(keys.filter((k) => k.startsWith('dying:')).length, 0);
  assert.equal(new Set(keys).size, 100);
});

test('SCAN survives FLUSHDB and SWAPDB mid-iteration', async () => {
  await r.flushall();
  await fill('x:', 300);
  const first = (await r.call('SCAN', '0', 'COUNT', '10')) as [string, string[]];
  await r.flushdb();
  await fill('y:', 50);
  const after = await (async () => {
    let cursor = first[0];
    const keys: string[] = [];
    do {
      const [n, b] = (await r.call('SCAN', cursor, 'COUNT', '10')) as [string, string[]];
      cursor = n;
      keys.push(...b);
    } while (cursor !== '0');
    return keys;
  })();
  assert.ok(after.every((k) => k.startsWith('y:')));
  await r.select(1);
  await fill('z:', 20);
  const mid = (await r.call('SCAN', '0', 'COUNT', '5')) as [string, string[]];
  await r.swapdb(0, 1);
  // This connection stays on db 1, which now holds db 0's keys (and index).
  const y = await fullScan();
  assert.equal(new Set(y.keys).size, 50);
  assert.ok(y.keys.every((k) => k.startsWith('y:')));
  await r.select(0);
  const z = await fullScan();
  assert.deepEqual([...new Set(z.keys)].sort(), Array.from({ length: 20 }, (_, i) => `z:${i}`).sort());
  // The cursor taken before the swap keeps walking db 0's former keys, now here.
  let cursor = mid[0];
  const rest: string[] = [...mid[1]];
  while (cursor !== '0') {
    const [n, b] = (await r.call('SCAN', cursor)) as [string, string[]];
    cursor = n;
    rest.push(...b);
  }
  assert.deepEqual([...new Set(rest)].sort(), Array.from({ length: 20 }, (_, i) => `z:${i}`).sort());
});

test('RANDOMKEY', async () => {
  await r.flushall();
  assert.equal(await r.randomkey(), null);
  await r.mset('a', '1', 'b', '2', 'c', '3');
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) seen.add((await r.randomkey())!);
  assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
  // Deleted keys are never returned, even with many stale index slots.
  await fill('tmp:', 5000);
  const p = r.pipeline();
  for (let i = 0; i < 5000; i++) p.del(`tmp:${i}`);
  await p.exec();
  for (let i = 0; i < 100; i++) assert.ok(['a', 'b', 'c'].includes((await r.randomkey())!));
  // Expired keys are removed when drawn.
  await r.flushall();
  await r.set('gone1', 'x', 'PX', 1);
  await r.set('gone2', 'x', 'PX', 1);
  await sleep(20);
  assert.equal(await r.randomkey(), null);
  await r.set('stay', 'x');
  await r.set('gone3', 'x', 'PX', 1);
  await sleep(20);
  for (let i = 0; i < 20; i++) assert.equal(await r.randomkey(), 'stay');
});

test('OBJECT IDLETIME grows while untouched and resets on access', async () => {
  await r.flushall();
  await r.set('k', 'v');
  const t0 = Number(await r.call('OBJECT', 'IDLETIME', 'k'));
  assert.ok(t0 <= 1, `fresh key idle ${t0}`);
  await sleep(2300);
  const t1 = Number(await r.call('OBJECT', 'IDLETIME', 'k'));
  assert.ok(t1 >= 1 && t1 <= 4, `idle after 2.3s: ${t1}`);
  // OBJECT itself does not touch the key; GET does.
  const t2 = Number(await r.call('OBJECT', 'IDLETIME', 'k'));
  assert.ok(t2 >= t1);
  await r.get('k');
  const t3 = Number(await r.call('OBJECT', 'IDLETIME', 'k'));
  assert.ok(t3 <= 1, `idle after GET: ${t3}`);
  assert.equal(await r.call('OBJECT', 'IDLETIME', 'nope'), null);
  // RENAME looks its source up for writing, which counts as an access.
  await r.set('old', 'v');
  await sleep(1200);
  await r.rename('old', 'new');
  const t4 = Number(await r.call('OBJECT', 'IDLETIME', 'new'));
  assert.ok(t4 <= 1, `idle after RENAME: ${t4}`);
});
