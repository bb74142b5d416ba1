/**
 * Client-side caching against a real reddish-server with real clients:
 * node-redis v4 and ioredis (both RESP2) in REDIRECT mode, their invalidations
 * arriving as `__redis__:invalidate` messages when another client writes; a
 * raw RESP3 client receiving `invalidate` pushes (default and BCAST mode)
 * while it keeps issuing commands; a small local cache kept coherent by those
 * messages; INFO's tracking fields, tracking-table-max-keys, CLIENT LIST's
 * flags and redir, and cleanup on RESET and disconnect.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import type { RespValue } from '../../src/protocol/resp-value.js';

let server: RunningServer;
const ioClients: Redis[] = [];
const closers: Array<() => Promise<unknown> | void> = [];

function io(opts: Record<string, unknown> = {}): Redis {
  const r = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...opts });
  r.on('error', () => undefined);
  ioClients.push(r);
  return r;
}

async function raw(): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  closers.push(() => c.close());
  return c;
}

before(async () => {
  server = await startServer('reddish');
});
after(async () => {
  for (const c of ioClients) c.disconnect();
  for (const f of closers) await f();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(5);
  }
}

function infoField(info: string, name: string): string | undefined {
  return info.split('\r\n').find((l) => l.startsWith(name + ':'))?.slice(name.length + 1);
}

/** An `invalidate` push's keys (null: everything), or undefined when v is something else. */
function invalidation(v: RespValue): string[] | null | undefined {
  if (v.type !== 'push' || v.value === null || v.value.length !== 2) return undefined;
  const [kind, keys] = v.value;
  if (kind.type !== 'bulk' || kind.value !== 'invalidate') return undefined;
  if (keys.type === 'null') return null;
  if (keys.type !== 'array' || keys.value === null) return undefined;
  return keys.value.map((k) => (k.type === 'bulk' ? String(k.value) : '?'));
}

/** Reads one reply on a RESP3 connection, collecting the invalidation pushes before it. */
async function callCollect(c: RawClient, pushes: Array<string[] | null>, ...cmd: string[]): Promise<RespValue> {
  c.write(RawClient.encode(cmd));
  for (;;) {
    const r = await c.readReply();
    const inv = invalidation(r.value);
    if (inv === undefined) return r.value;
    pushes.push(inv);
  }
}

test('node-redis v4: REDIRECT to a subscriber, invalidated when another client writes', async () => {
  const url = `redis://127.0.0.1:${server.port}`;
  const cache = createClient({ url });
  const sub = createClient({ url });
  const writer = createClient({ url });
  for (const c of [cache, sub, writer]) {
    c.on('error', () => undefined);
    await c.connect();
    closers.push(() => c.disconnect().catch(() => undefined));
  }
  const got: Array<string[] | null> = [];
  const id = await sub.clientId();
  // node-redis hands __redis__:invalidate messages over as arrays of keys (or null)
  await sub.subscribe('__redis__:invalidate', (msg) => got.push(msg as unknown as string[] | null));

  assert.equal(await cache.sendCommand(['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)]), 'OK');
  assert.equal(await cache.sendCommand(['CLIENT', 'GETREDIR']), id);

  await writer.set('user:1', 'alice');
  assert.equal(await cache.get('user:1'), 'alice');
  assert.deepEqual(await cache.mGet(['user:2', 'user:3']), [null, null]);
  assert.deepEqual(got, []);

  await writer.set('user:1', 'bob');
  await until(() => got.length === 1);
  assert.deepEqual(got[0], ['user:1']);

  // once invalidated, the key is forgotten until read again
  await writer.set('user:1', 'carol');
  await sleep(50);
  assert.equal(got.length, 1);

  await writer.mSet(['user:2', 'x', 'user:3', 'y']);
  await until(() => got.length === 3);
  assert.deepEqual(got.slice(1).map((k) => k![0]).sort(), ['user:2', 'user:3']);

  // FLUSHALL: a null invalidation means "everything"
  await writer.flushAll();
  await until(() => got.length === 4);
  assert.equal(got[3], null);
});

test('ioredis: RESP2 REDIRECT mode keeps a local cache coherent', async () => {
  const sub = io();
  const cacheConn = io();
  const writer = io();
  await Promise.all([sub.connect(), cacheConn.connect(), writer.connect()]);
  const subId = Number(await sub.client('ID'));
  const local = new Map<string, string | null>();
  let messages = 0;
  sub.on('messageBuffer', (channel: Buffer, message: Buffer[] | null) => {
    if (channel.toString() !== '__redis__:invalidate') return;
    messages++;
    if (message === null) local.clear();
    else for (const k of message) local.delete(k.toString());
  });
  await sub.subscribe('__redis__:invalidate');
  assert.equal(await cacheConn.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(subId)), 'OK');

  async function cachedGet(key: string): Promise<string | null> {
    if (local.has(key)) return local.get(key)!;
    const v = await cacheConn.get(key);
    local.set(key, v);
    return v;
  }

  await writer.set('price', '10');
  assert.equal(await cachedGet('price'), '10');
  assert.equal(await cachedGet('price'), '10');
  await writer.set('price', '12');
  await until(() => !local.has('price'));
  assert.equal(await cachedGet('price'), '12');
  await writer.incr('price');
  await until(() => !local.has('price'));
  assert.equal(await cachedGet('price'), '13');

  // expiry invalidates as well
  await writer.set('flash', 'sale', 'PX', 40);
  assert.equal(await cachedGet('flash'), 'sale');
  await until(() => !local.has('flash'), 3000);
  assert.equal(await cachedGet('flash'), null);
  assert.ok(messages >= 3);

  assert.equal(await cacheConn.call('CLIENT', 'TRACKING', 'OFF'), 'OK');
  assert.equal(await cacheConn.call('CLIENT', 'GETREDIR'), -1);
});

test('raw RESP3 client: pushes interleave with its own commands', async () => {
  const a = await raw();
  const b = await raw();
  await a.call('HELLO', '3');
  assert.equal(await a.call('CLIENT', 'TRACKING', 'ON'), '+OK\r\n');
  const pushes: Array<string[] | null> = [];
  await callCollect(a, pushes, 'GET', 'k1');
  await callCollect(a, pushes, 'HGETALL', 'h1');
  await b.call('SET', 'k1', 'v');
  await b.call('HSET', 'h1', 'f', 'v');
  // the pushes arrive unprompted; the next command's reply comes after them
  const v = await callCollect(a, pushes, 'PING');
  assert.deepEqual(v, { type: 'simple', value: 'PONG' });
  assert.deepEqual(pushes, [['k1'], ['h1']]);

  // the client's own write: the push follows the write's reply
  pushes.length = 0;
  await callCollect(a, pushes, 'GET', 'k1');
  a.write(RawClient.encode(['SET', 'k1', 'mine']));
  const r1 = await a.readReply();
  assert.equal(r1.raw, '+OK\r\n');
  const r2 = await a.readReply();
  assert.deepEqual(invalidation(r2.value), ['k1']);

  // NOLOOP: own writes are not reported, others' are
  assert.equal(await a.call('CLIENT', 'TRACKING', 'ON', 'NOLOOP'), '+OK\r\n');
  await callCollect(a, pushes, 'GET', 'k1');
  assert.equal((await callCollect(a, pushes, 'SET', 'k1', 'again')).type, 'simple');
  await callCollect(a, pushes, 'GET', 'k1');
  await b.call('DEL', 'k1');
  await callCollect(a, pushes, 'PING');
  assert.deepEqual(pushes, [['k1']]);
  await a.call('CLIENT', 'TRACKING', 'OFF');
});

test('raw RESP3 client in BCAST mode: one push per prefix per event-loop turn', async () => {
  const a = await raw();
  const b = await raw();
  await a.call('HELLO', '3');
  assert.equal(await a.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'cart:'), '+OK\r\n');
  // a pipeline of writes from B lands in one turn of the loop
  b.write(['SET user:2 a', 'SET user:1 b', 'SET other x', 'SET cart:9 c', 'SET user:1 d'].map((s) => RawClient.encode(s.split(' '))).join(''));
  for (let i = 0; i < 5; i++) await b.readReply();
  const pushes: Array<string[] | null> = [];
  await callCollect(a, pushes, 'PING');
  assert.deepEqual(pushes, [['cart:9'], ['user:1', 'user:2']]);
  const info = await b.call('INFO', 'stats');
  assert.equal(infoField(info, 'tracking_total_prefixes'), '2');
  await a.call('CLIENT', 'TRACKING', 'OFF');
  assert.equal(infoField(await b.call('INFO', 'stats'), 'tracking_total_prefixes'), '0');
});

test('INFO tracking fields, CLIENT LIST flags, RESET and disconnect', async () => {
  const a = await raw();
  const b = await raw();
  const c = await raw();
  await b.call('FLUSHALL');
  // clients of earlier tests may still track
  const base = Number(infoField(await b.call('INFO', 'clients'), 'tracking_clients'));
  const bId = (await b.call('CLIENT', 'ID')).slice(1, -2);
  await a.call('HELLO', '3');
  await c.call('HELLO', '3');
  await a.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', bId);
  await c.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p');
  await a.call('MGET', 'x', 'y', 'z');
  await c.call('GET', 'x'); // BCAST clients remember nothing
  let info = await b.call('INFO');
  assert.equal(infoField(info, 'tracking_clients'), String(base + 2));
  assert.equal(infoField(info, 'tracking_total_keys'), '3');
  assert.equal(infoField(info, 'tracking_total_items'), '3');
  assert.equal(infoField(info, 'tracking_total_prefixes'), '1');

  const list = await b.call('CLIENT', 'LIST');
  const aLine = list.split('\n').find((l) => l.includes(' flags=t ') && l.includes(` redir=${bId} `));
  assert.ok(aLine, list);
  assert.ok(list.includes(' flags=tB '), list);

  await a.call('RESET');
  info = await b.call('INFO');
  assert.equal(infoField(info, 'tracking_clients'), String(base + 1));
  // keys of a client that stopped tracking go lazily, on their next change
  assert.equal(infoField(info, 'tracking_total_keys'), '3');
  await b.call('MSET', 'x', '1', 'y', '1', 'z', '1');
  info = await b.call('INFO');
  assert.equal(infoField(info, 'tracking_total_keys'), '0');
  assert.equal(infoField(info, 'tracking_total_items'), '0');

  c.close();
  await sleep(100);
  info = await b.call('INFO');
  assert.equal(infoField(info, 'tracking_clients'), String(base));
  assert.equal(infoField(info, 'tracking_total_prefixes'), '0');
});

test('tracking-table-max-keys: over the limit, keys are forgotten and their clients told', async () => {
  const a = await raw();
  const b = await raw();
  await b.call('FLUSHALL');
  await b.call('CONFIG', 'SET', 'tracking-table-max-keys', '2');
  try {
    await a.call('HELLO', '3');
    await a.call('CLIENT', 'TRACKING', 'ON');
    const pushes: Array<string[] | null> = [];
    await callCollect(a, pushes, 'GET', 'k1');
    await callCollect(a, pushes, 'GET', 'k2');
    await callCollect(a, pushes, 'GET', 'k3');
    await callCollect(a, pushes, 'MGET', 'k4', 'k5');
    await callCollect(a, pushes, 'PING');
    const info = await b.call('INFO', 'stats');
    assert.ok(Number(infoField(info, 'tracking_total_keys')) <= 2, info);
    const evicted = pushes.flatMap((p) => p ?? []);
    assert.equal(evicted.length, 3);
    for (const k of evicted) assert.ok(['k1', 'k2', 'k3', 'k4', 'k5'].includes(k));
    await a.call('CLIENT', 'TRACKING', 'OFF');
  } finally {
    await b.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
  }
});

test('SWAPDB does not invalidate; WATCH and tracking both see a write', async () => {
  const a = await raw();
  const b = await raw();
  await b.call('FLUSHALL');
  await a.call('HELLO', '3');
  await a.call('CLIENT', 'TRACKING', 'ON');
  const pushes: Array<string[] | null> = [];
  await callCollect(a, pushes, 'GET', 'w');
  await b.call('SET', 'w', 'in-db1-soon');
  await callCollect(a, pushes, 'GET', 'w');
  pushes.length = 0;
  await b.call('SWAPDB', '0', '1');
  await callCollect(a, pushes, 'PING');
  assert.deepEqual(pushes, []);
  await b.call('SWAPDB', '0', '1');

  // a watcher and a tracking client on the same key
  await b.call('WATCH', 'w');
  await b.call('MULTI');
  await b.call('GET', 'w');
  const w = await raw();
  await w.call('SET', 'w', 'changed');
  assert.equal(await b.call('EXEC'), '*-1\r\n');
  await callCollect(a, pushes, 'PING');
  assert.deepEqual(pushes, [['w']]);
  await a.call('CLIENT', 'TRACKING', 'OFF');
});
