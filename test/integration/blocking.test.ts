/**
 * Blocking list commands against a real reddish-server, with raw clients and
 * ioredis: FIFO service across clients, several keys, sub-second timeouts,
 * wake-up by another client's push, pushes inside MULTI waking only after
 * EXEC, blocking commands inside MULTI, CLIENT UNBLOCK, disconnects, a BLMOVE
 * chain, pipelined input held back while blocked, and the counters (INFO
 * blocked_clients, CLIENT LIST flags, commandstats).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

let server: RunningServer;
const raws: RawClient[] = [];
const iors: Redis[] = [];

/** REDDISH_BLOCKING_SERVER=redis runs the same expectations against Redis 7.0 itself. */
before(async () => {
  server = await startServer(process.env.REDDISH_BLOCKING_SERVER === 'redis' ? 'redis' : 'reddish');
});
after(async () => {
  for (const r of raws) r.close();
  for (const c of iors) c.disconnect();
  await server?.stop();
});

async function raw(): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  raws.push(c);
  return c;
}

function ioredis(): Redis {
  const r = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  iors.push(r);
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function infoField(c: RawClient, field: string): Promise<string> {
  const raw = await c.call('INFO', 'clients');
  const m = new RegExp(`${field}:(\\S+)`).exec(raw);
  return m ? m[1] : '';
}

/** Waits until the server reports `n` blocked clients. */
async function waitBlocked(admin: RawClient, n: number): Promise<void> {
  const end = Date.now() + 3000;
  for (;;) {
    if ((await infoField(admin, 'blocked_clients')) === String(n)) return;
    if (Date.now() > end) throw new Error(`blocked_clients never reached ${n}`);
    await sleep(5);
  }
}

function send(c: RawClient, ...args: string[]): void {
  c.write(RawClient.encode(args));
}

/** True when no reply arrives within `ms`. */
async function silent(c: RawClient, ms = 60): Promise<boolean> {
  try {
    await c.readReply(ms);
    return false;
  } catch {
    return true;
  }
}

test('BLPOP across several clients is served first blocked, first served', async () => {
  const admin = await raw();
  await admin.call('DEL', 'fifo');
  const cs = [await raw(), await raw(), await raw()];
  for (let i = 0; i < cs.length; i++) {
    send(cs[i], 'BLPOP', 'fifo', '0');
    await waitBlocked(admin, i + 1);
  }
  assert.equal(await admin.call('RPUSH', 'fifo', 'a', 'b', 'c'), ':3\r\n');
  const got = await Promise.all(cs.map((c) => c.readReply()));
  assert.deepEqual(got.map((g) => g.raw), [
    '*2\r\n$4\r\nfifo\r\n$1\r\na\r\n',
    '*2\r\n$4\r\nfifo\r\n$1\r\nb\r\n',
    '*2\r\n$4\r\nfifo\r\n$1\r\nc\r\n',
  ]);
  assert.equal(await admin.call('EXISTS', 'fifo'), ':0\r\n');
  await waitBlocked(admin, 0);
});

test('one push wakes only as many clients as it has elements; BRPOP pops the tail', async () => {
  const admin = await raw();
  const a = await raw();
  const b = await raw();
  const bid = (await b.call('CLIENT', 'ID')).slice(1, -2);
  send(a, 'BRPOP', 'one', '0');
  await waitBlocked(admin, 1);
  send(b, 'BRPOP', 'one', '0');
  await waitBlocked(admin, 2);
  await admin.call('RPUSH', 'one', 'x', 'y');
  assert.equal((await a.readReply()).raw, '*2\r\n$3\r\none\r\n$1\r\ny\r\n');
  assert.equal((await b.readReply()).raw, '*2\r\n$3\r\none\r\n$1\r\nx\r\n');
  send(a, 'BLPOP', 'one', '0');
  send(b, 'BLPOP', 'one', '0');
  await waitBlocked(admin, 2);
  await admin.call('LPUSH', 'one', 'z');
  assert.equal((await a.readReply()).raw, '*2\r\n$3\r\none\r\n$1\r\nz\r\n');
  assert.ok(await silent(b));
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', bid), ':1\r\n');
  assert.equal((await b.readReply()).raw, '*-1\r\n');
  await waitBlocked(admin, 0);
});

test('multi-key BLPOP is woken by a push to any of its keys, reporting that key', async () => {
  const admin = await raw();
  const c = await raw();
  send(c, 'BLPOP', 'mk1', 'mk2', 'mk3', '0');
  await waitBlocked(admin, 1);
  await admin.call('SET', 'mk1', 'string'); // a string does not wake it
  assert.ok(await silent(c));
  await admin.call('RPUSH', 'mk3', 'v3');
  assert.equal((await c.readReply()).raw, '*2\r\n$3\r\nmk3\r\n$2\r\nv3\r\n');
  await admin.call('DEL', 'mk1');
});

test('sub-second timeouts answer a null array (RESP2) and null (RESP3)', async () => {
  const c = await raw();
  let t0 = Date.now();
  assert.equal(await c.call('BLPOP', 'nokey', '0.15'), '*-1\r\n');
  let dt = Date.now() - t0;
  assert.ok(dt >= 140 && dt < 1000, `took ${dt} ms`);
  await c.call('HELLO', '3');
  t0 = Date.now();
  assert.equal(await c.call('BRPOP', 'nokey', 'other', '0.05'), '_\r\n');
  assert.equal(await c.call('BLMOVE', 'nokey', 'd', 'LEFT', 'RIGHT', '0.05'), '_\r\n');
  assert.equal(await c.call('BLMPOP', '0.05', '1', 'nokey', 'LEFT'), '_\r\n');
  dt = Date.now() - t0;
  assert.ok(dt >= 140 && dt < 1500, `took ${dt} ms`);
  await c.call('HELLO', '2');
  assert.equal(await c.call('BRPOPLPUSH', 'nokey', 'd', '0.02'), '*-1\r\n');
  const admin = await raw();
  await waitBlocked(admin, 0);
  assert.equal(await infoField(admin, 'clients_in_timeout_table'), '0');
});

test('a blocked client is woken by LPUSH from another client (ioredis)', async () => {
  const waiter = ioredis();
  const pusher = ioredis();
  const admin = await raw();
  const p = waiter.blpop('io-q', 0);
  await waitBlocked(admin, 1);
  assert.equal(await pusher.lpush('io-q', 'hello'), 1);
  assert.deepEqual(await p, ['io-q', 'hello']);
  const t = waiter.brpop('io-q', 0.05);
  assert.equal(await t, null);
});

test('a push inside MULTI wakes waiters only after EXEC; a push popped again in the same EXEC wakes nobody', async () => {
  const admin = await raw();
  const c = await raw();
  const m = await raw();
  send(c, 'BLPOP', 'tx', '0');
  await waitBlocked(admin, 1);
  assert.equal(await m.call('MULTI'), '+OK\r\n');
  assert.equal(await m.call('RPUSH', 'tx', 'a'), '+QUEUED\r\n');
  assert.equal(await m.call('RPUSH', 'tx', 'b'), '+QUEUED\r\n');
  assert.ok(await silent(c));
  assert.equal(await infoField(admin, 'blocked_clients'), '1');
  assert.equal(await m.call('EXEC'), '*2\r\n:1\r\n:2\r\n');
  assert.equal((await c.readReply()).raw, '*2\r\n$2\r\ntx\r\n$1\r\na\r\n');
  assert.equal(await admin.call('LRANGE', 'tx', '0', '-1'), '*1\r\n$1\r\nb\r\n');
  await admin.call('DEL', 'tx');

  send(c, 'BLPOP', 'tx', '0');
  await waitBlocked(admin, 1);
  await m.call('MULTI');
  await m.call('LPUSH', 'tx', 'gone');
  await m.call('LPOP', 'tx');
  assert.equal(await m.call('EXEC'), '*2\r\n:1\r\n$4\r\ngone\r\n');
  assert.ok(await silent(c));
  await admin.call('RPUSH', 'tx', 'later');
  assert.equal((await c.readReply()).raw, '*2\r\n$2\r\ntx\r\n$5\r\nlater\r\n');
});

test('blocking commands inside MULTI do not block', async () => {
  const c = await raw();
  await c.call('MULTI');
  await c.call('BLPOP', 'none', '0');
  await c.call('BLMOVE', 'none', 'd', 'LEFT', 'LEFT', '0');
  await c.call('BLMPOP', '0', '1', 'none', 'RIGHT');
  assert.equal(await c.call('EXEC'), '*3\r\n*-1\r\n$-1\r\n*-1\r\n');
});

test('CLIENT UNBLOCK: TIMEOUT answers as a timeout, ERROR with -UNBLOCKED; a client not blocked gives 0', async () => {
  const admin = await raw();
  const c = await raw();
  const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id), ':0\r\n');
  send(c, 'BLPOP', 'ub', '0');
  await waitBlocked(admin, 1);
  assert.match(await admin.call('CLIENT', 'LIST', 'ID', id), /flags=b /);
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT'), ':1\r\n');
  assert.equal((await c.readReply()).raw, '*-1\r\n');
  send(c, 'BLMOVE', 'ub', 'ub2', 'LEFT', 'LEFT', '0');
  await waitBlocked(admin, 1);
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id, 'error'), ':1\r\n');
  assert.equal((await c.readReply()).raw, '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR'), ':0\r\n');
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', '99999'), ':0\r\n');
  assert.equal(await admin.call('CLIENT', 'UNBLOCK', id, 'maybe'), '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
  await waitBlocked(admin, 0);
  assert.match(await admin.call('INFO', 'errorstats'), /errorstat_UNBLOCKED:count=1/);
});

test('a blocked client that disconnects is forgotten', async () => {
  const admin = await raw();
  const c = await raw();
  send(c, 'BLPOP', 'dc', '0');
  await waitBlocked(admin, 1);
  c.close();
  await waitBlocked(admin, 0);
  await admin.call('RPUSH', 'dc', 'kept');
  assert.equal(await admin.call('LRANGE', 'dc', '0', '-1'), '*1\r\n$4\r\nkept\r\n');
  await admin.call('DEL', 'dc');
});

test('a BLMOVE chain: each move wakes the next waiter', async () => {
  const admin = await raw();
  const a = await raw();
  const b = await raw();
  const c = await raw();
  send(a, 'BLMOVE', 'ch1', 'ch2', 'LEFT', 'RIGHT', '0');
  send(b, 'BRPOPLPUSH', 'ch2', 'ch3', '0');
  send(c, 'BLPOP', 'ch3', '0');
  await waitBlocked(admin, 3);
  await admin.call('RPUSH', 'ch1', 'token');
  assert.equal((await a.readReply()).raw, '$5\r\ntoken\r\n');
  assert.equal((await b.readReply()).raw, '$5\r\ntoken\r\n');
  assert.equal((await c.readReply()).raw, '*2\r\n$3\r\nch3\r\n$5\r\ntoken\r\n');
  assert.equal(await admin.call('EXISTS', 'ch1', 'ch2', 'ch3'), ':0\r\n');
});

test('BLMOVE to a destination of the wrong type answers WRONGTYPE when served and leaves the source', async () => {
  const admin = await raw();
  const a = await raw();
  await admin.call('SET', 'wdst', 'x');
  send(a, 'BLMOVE', 'wsrc', 'wdst', 'LEFT', 'LEFT', '0');
  await waitBlocked(admin, 1);
  await admin.call('RPUSH', 'wsrc', 'v');
  assert.equal((await a.readReply()).raw, '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  assert.equal(await admin.call('LRANGE', 'wsrc', '0', '-1'), '*1\r\n$1\r\nv\r\n');
  await admin.call('DEL', 'wsrc', 'wdst');
});

test('BLMPOP waits on several keys and pops up to COUNT', async () => {
  const admin = await raw();
  const a = await raw();
  send(a, 'BLMPOP', '0', '2', 'mp1', 'mp2', 'RIGHT', 'COUNT', '2');
  await waitBlocked(admin, 1);
  await admin.call('RPUSH', 'mp2', '1', '2', '3');
  assert.equal((await a.readReply()).raw, '*2\r\n$3\r\nmp2\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n');
  assert.equal(await admin.call('LRANGE', 'mp2', '0', '-1'), '*1\r\n$1\r\n1\r\n');
  await admin.call('DEL', 'mp2');
});

test('pipelined commands after a blocking one wait until it is unblocked', async () => {
  const admin = await raw();
  const c = await raw();
  c.write(RawClient.encode(['BLPOP', 'pipe', '0']) + RawClient.encode(['PING']) + RawClient.encode(['RPUSH', 'pipe-after', 'x']));
  await waitBlocked(admin, 1);
  assert.ok(await silent(c));
  assert.equal(await admin.call('EXISTS', 'pipe-after'), ':0\r\n');
  await admin.call('RPUSH', 'pipe', 'go');
  assert.equal((await c.readReply()).raw, '*2\r\n$4\r\npipe\r\n$2\r\ngo\r\n');
  assert.equal((await c.readReply()).raw, '+PONG\r\n');
  assert.equal((await c.readReply()).raw, ':1\r\n');
  await admin.call('DEL', 'pipe-after');
});

test('commandstats: a blocked command counts one call when it runs; an UNBLOCK ERROR counts a failure', async () => {
  const admin = await raw();
  await admin.call('CONFIG', 'RESETSTAT');
  const c = await raw();
  const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
  send(c, 'BRPOP', 'cs', '0');
  await waitBlocked(admin, 1);
  assert.match(await admin.call('INFO', 'commandstats'), /cmdstat_brpop:calls=1,.*failed_calls=0/);
  await admin.call('RPUSH', 'cs', 'v');
  await c.readReply();
  assert.match(await admin.call('INFO', 'commandstats'), /cmdstat_brpop:calls=1,.*failed_calls=0/);
  send(c, 'BRPOP', 'cs', '0');
  await waitBlocked(admin, 1);
  await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR');
  await c.readReply();
  assert.match(await admin.call('INFO', 'commandstats'), /cmdstat_brpop:calls=2,.*failed_calls=1/);
});

test('SWAPDB makes a waited key present in the other db ready', async () => {
  const admin = await raw();
  const c = await raw();
  await admin.call('SELECT', '1');
  await admin.call('RPUSH', 'sw', 'from-db1');
  await admin.call('SELECT', '0');
  send(c, 'BLPOP', 'sw', '0');
  await waitBlocked(admin, 1);
  assert.equal(await admin.call('SWAPDB', '0', '1'), '+OK\r\n');
  assert.equal((await c.readReply()).raw, '*2\r\n$2\r\nsw\r\n$8\r\nfrom-db1\r\n');
  await admin.call('SWAPDB', '0', '1');
});
