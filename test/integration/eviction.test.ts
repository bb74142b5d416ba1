/**
 * maxmemory eviction end to end on reddish-server processes: allkeys-lru
 * under a write load several times the limit keeps memory bounded and the
 * keys that are read alive; volatile-lru evicts only keys with a TTL and then
 * answers -OOM; evictions publish the `evicted` keyspace event; a replica
 * (replica-ignore-maxmemory yes) applies the master's evictions as DELs and
 * ends with the same dataset.
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

async function server(args: string[]): Promise<{ srv: RunningServer; c: Redis }> {
  const srv = await startServer('reddish', ['--enable-debug-command', 'yes', ...args]);
  started.push(srv);
  const c = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  clients.push(c);
  return { srv, c };
}

function field(info: string, name: string): number {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? Number(m[1].trim()) : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until evicted_keys stops moving (eviction continues between commands while over the limit). */
async function settled(c: Redis): Promise<number> {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 200 && same < 3; i++) {
    const n = field(await c.info('stats'), 'evicted_keys');
    same = n === last ? same + 1 : 0;
    last = n;
    await sleep(30);
  }
  return last;
}
const VALUE = 'v'.repeat(1000);
const MB = 1024 * 1024;

/**
 * The measured bound: with maxmemory 50mb, writing 150 MB of 1 KB values,
 * used_memory sampled after every batch peaked at 60-70 MB alone and 72 MB
 * with the whole test suite running alongside (V8 frees evicted values only
 * at its next major GC, so the figure overshoots by the garbage of one GC
 * cycle, more when the collector gets less CPU). The test allows 1.75x.
 */
const TOLERANCE = 1.75;

test('allkeys-lru under a write load: bounded memory, evictions, read keys survive', async (t) => {
  const { c } = await server(['--maxmemory', '50mb', '--maxmemory-policy', 'allkeys-lru']);
  const HOT = 300;
  const COLD = 300;
  for (let i = 0; i < HOT; i++) await c.set(`hot:${i}`, VALUE);
  for (let i = 0; i < COLD; i++) await c.set(`cold:${i}`, VALUE);
  let maxUsed = 0;
  const BATCHES = 150;
  for (let b = 0; b < BATCHES; b++) {
    const p = c.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`load:${b}:${i}`, VALUE);
    // The hot keys are read all along (each key's LRU clock is refreshed at least once per second).
    for (let i = b % 3; i < HOT; i += 3) p.get(`hot:${i}`);
    await p.exec();
    if (b % 10 === 0) await sleep(350); // let the LRU clock (seconds) move past the cold keys
    const used = field(await c.info('memory'), 'used_memory');
    if (used > maxUsed) maxUsed = used;
  }
  const stats = await c.info('stats');
  const evicted = field(stats, 'evicted_keys');
  assert.ok(evicted > 50_000, `evicted_keys ${evicted}`);
  assert.ok(maxUsed < 50 * MB * TOLERANCE, `used_memory peaked at ${(maxUsed / MB).toFixed(1)} MB`);
  const keys = await c.dbsize();
  assert.ok(keys > 10_000, `only ${keys} keys left: eviction took too much`);
  let hot = 0;
  let cold = 0;
  for (let i = 0; i < HOT; i++) hot += await c.exists(`hot:${i}`);
  for (let i = 0; i < COLD; i++) cold += await c.exists(`cold:${i}`);
  // Redis's LRU is approximate too (5 samples, a clock of whole seconds, and
  // here most of the dataset is under two seconds old): "far better", not all.
  const msg = `hot keys left ${hot}/${HOT}, cold ${cold}/${COLD}`;
  t.diagnostic(`${msg}; used_memory peak ${(maxUsed / MB).toFixed(1)} MB; ${keys} keys; evicted_keys ${evicted}`);
  // Random eviction would leave both groups near the surviving share of all
  // keys (~15%); LRU keeps most hot keys (62-93% seen, the low end with the
  // whole test suite running alongside) and almost no cold ones.
  assert.ok(hot >= HOT * 0.4, msg);
  assert.ok(cold <= COLD * 0.2, msg);
});

test('volatile-lru evicts only keys with a TTL, then answers OOM', async () => {
  const { c } = await server(['--maxmemory-policy', 'volatile-lru']);
  const p = c.pipeline();
  for (let i = 0; i < 5000; i++) p.set(`keep:${i}`, VALUE);
  for (let i = 0; i < 2000; i++) p.set(`vol:${i}`, VALUE, 'EX', 1000);
  await p.exec();
  await c.config('SET', 'maxmemory', '1mb');
  // Eviction runs in steps of maxmemory-eviction-tenacity's time bound; until
  // it has nothing left to evict, commands are let through (EVICT_RUNNING).
  await settled(c);
  const r = await c.set('new', 'x').catch((e: Error) => e.message);
  assert.equal(r, "OOM command not allowed when used memory > 'maxmemory'.");
  assert.equal(await c.get('keep:42'), VALUE); // reads still work
  assert.equal(await c.dbsize(), 5000);
  assert.equal(field(await c.info('stats'), 'evicted_keys'), 2000);
  assert.match(await c.info('keyspace'), /db0:keys=5000,expires=0,/);
  await c.config('SET', 'maxmemory', '0');
  assert.equal(await c.set('new', 'x'), 'OK');
});

test('evictions publish the evicted keyspace event', async () => {
  const { srv, c } = await server(['--maxmemory-policy', 'allkeys-random', '--notify-keyspace-events', 'Ee']);
  const sub = new Redis({ port: srv.port, host: '127.0.0.1' });
  clients.push(sub);
  const got: string[] = [];
  sub.on('message', (_ch: string, key: string) => got.push(key));
  await sub.subscribe('__keyevent@0__:evicted');
  const p = c.pipeline();
  for (let i = 0; i < 3000; i++) p.set(`k:${i}`, VALUE);
  await p.exec();
  await c.config('SET', 'maxmemory', '1mb');
  const evicted = await settled(c);
  assert.ok(evicted > 0, 'nothing evicted');
  for (let i = 0; i < 100 && got.length < evicted; i++) await sleep(20);
  assert.equal(got.length, evicted);
  assert.equal(new Set(got).size, evicted);
  for (const k of got.slice(0, 20)) assert.equal(await c.exists(k), 0);
});

test('a replica applies the master evictions as DELs and ends identical', async () => {
  const m = await server(['--maxmemory', '40mb', '--maxmemory-policy', 'allkeys-lru', '--repl-diskless-sync-delay', '0']);
  const r = await server(['--maxmemory', '40mb', '--maxmemory-policy', 'allkeys-lru']);
  await r.c.replicaof('127.0.0.1', m.srv.port);
  for (let i = 0; i < 200 && !/master_link_status:up/.test(await r.c.info('replication')); i++) await sleep(50);
  for (let b = 0; b < 60; b++) {
    const p = m.c.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`load:${b}:${i}`, VALUE);
    await p.exec();
  }
  // Stop the master evicting (idle commands' garbage could go on nudging it over) and let the stream drain.
  await m.c.config('SET', 'maxmemory', '0');
  assert.ok(field(await m.c.info('stats'), 'evicted_keys') > 0, 'the master evicted nothing');
  const offset = () => m.c.info('replication').then((i) => field(i, 'master_repl_offset'));
  for (let i = 0; i < 200; i++) {
    if (field(await r.c.info('replication'), 'slave_repl_offset') === (await offset())) break;
    await sleep(50);
  }
  assert.equal(field(await r.c.info('stats'), 'evicted_keys'), 0);
  assert.equal(await r.c.dbsize(), await m.c.dbsize());
  assert.equal(await r.c.call('DEBUG', 'DIGEST'), await m.c.call('DEBUG', 'DIGEST'));
});
