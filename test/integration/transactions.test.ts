/**
 * MULTI/EXEC/WATCH against a real reddish-server with ioredis clients:
 * optimistic locking under concurrent writers (no increment lost), WATCH
 * invalidated by expiry, FLUSHALL, FLUSHDB and SWAPDB, EXECABORT after a
 * queued error, and runtime errors inside EXEC not stopping the rest.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';

let server: RunningServer;
const clients: Redis[] = [];

function connect(): Redis {
  const r = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  clients.push(r);
  return r;
}

before(async () => {
  server = await startServer('reddish');
});
after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('optimistic locking: concurrent WATCH/GET/MULTI/SET/EXEC loops lose no increment', async () => {
  const admin = connect();
  await admin.flushall();
  await admin.set('counter', '0');
  const WORKERS = 6;
  const PER_WORKER = 40;
  let committed = 0;
  let aborted = 0;

  async function worker(): Promise<void> {
    const r = connect();
    let done = 0;
    while (done < PER_WORKER) {
      await r.watch('counter');
      const v = Number(await r.get('counter'));
      // let the other workers interleave between the read and the write
      if (Math.random() < 0.5) await sleep(0);
      const res = await r.multi().set('counter', String(v + 1)).exec();
      if (res === null) {
        aborted++;
        continue;
      }
      assert.deepEqual(res, [[null, 'OK']]);
      committed++;
      done++;
    }
  }

  // a writer outside the workers, incrementing with INCR, also conflicts with them
  const plain = connect();
  let incrs = 0;
  const workers = Array.from({ length: WORKERS }, () => worker());
  const noise = (async () => {
    for (let i = 0; i < 30; i++) {
      await plain.incr('counter');
      incrs++;
      await sleep(1);
    }
  })();
  await Promise.all([...workers, noise]);
  assert.equal(committed, WORKERS * PER_WORKER);
  assert.equal(Number(await admin.get('counter')), committed + incrs);
  assert.ok(aborted > 0, 'concurrent writers should have made some EXEC fail');
});

test('WATCH: a watched key that expires before EXEC aborts it', async () => {
  const a = connect();
  await a.flushall();
  await a.set('lease', 'mine', 'PX', 50);
  await a.watch('lease');
  await sleep(150);
  const res = await a.multi().set('other', '1').exec();
  assert.equal(res, null);
  assert.equal(await a.get('other'), null);

  // a key with a TTL that is still alive at EXEC does not abort
  await a.set('lease', 'mine', 'PX', 5000);
  await a.watch('lease');
  const ok = await a.multi().set('other', '2').exec();
  assert.deepEqual(ok, [[null, 'OK']]);
});

test('WATCH: FLUSHALL, FLUSHDB and SWAPDB from another client abort EXEC', async () => {
  const a = connect();
  const b = connect();
  await a.flushall();

  await a.set('k', '1');
  await a.watch('k');
  await b.flushall();
  assert.equal(await a.multi().set('k', '2').exec(), null);
  assert.equal(await a.get('k'), null);

  await a.set('k', '1');
  await a.watch('k');
  await b.flushdb();
  assert.equal(await a.multi().set('k', '2').exec(), null);

  // SWAPDB: db 0 now holds what db 1 held
  await a.set('k', '1');
  await b.select(1);
  await b.set('k', 'from-db1');
  await a.watch('k');
  await b.swapdb(0, 1);
  assert.equal(await a.multi().get('k').exec(), null);
  assert.equal(await a.get('k'), 'from-db1');

  // nothing touched: EXEC runs
  await a.watch('k');
  assert.deepEqual(await a.multi().get('k').exec(), [[null, 'from-db1']]);
  await b.select(0);
});

test('EXECABORT after a queued error; nothing of the transaction runs', async () => {
  const a = connect();
  await a.flushall();
  const m = a.multi();
  m.set('x', '1');
  m.call('NOSUCHCOMMAND', 'arg');
  m.incr('y');
  await assert.rejects(m.exec(), /EXECABORT Transaction discarded because of previous errors/);
  assert.equal(await a.get('x'), null);
  assert.equal(await a.get('y'), null);

  // a wrong number of arguments is a queued error as well
  const m2 = a.multi();
  m2.set('x', '1');
  m2.call('GET');
  await assert.rejects(m2.exec(), /EXECABORT/);
  assert.equal(await a.exists('x'), 0);

  // the connection is usable afterwards, outside a transaction
  assert.equal(await a.set('x', 'after'), 'OK');
});

test('runtime errors inside EXEC do not abort the rest', async () => {
  const a = connect();
  await a.flushall();
  const res = await a
    .multi()
    .set('s', 'string')
    .lpush('s', 'x') // WRONGTYPE at run time
    .incr('s') // not an integer
    .incr('n')
    .rpush('l', 'a', 'b')
    .get('s')
    .exec();
  assert.ok(res);
  assert.equal(res.length, 6);
  assert.deepEqual(res[0], [null, 'OK']);
  assert.match(String(res[1][0]), /WRONGTYPE Operation against a key holding the wrong kind of value/);
  assert.match(String(res[2][0]), /ERR value is not an integer or out of range/);
  assert.deepEqual(res[3], [null, 1]);
  assert.deepEqual(res[4], [null, 2]);
  assert.deepEqual(res[5], [null, 'string']);
  assert.equal(await a.get('n'), '1');
  assert.deepEqual(await a.lrange('l', 0, -1), ['a', 'b']);
});

test('WATCH inside MULTI is an error; UNWATCH and DISCARD clear the watch', async () => {
  const a = connect();
  const b = connect();
  await a.flushall();
  await a.watch('w');
  await b.set('w', '1');
  assert.equal(await a.unwatch(), 'OK');
  assert.deepEqual(await a.multi().get('w').exec(), [[null, '1']]);

  await a.watch('w');
  await b.set('w', '2');
  assert.equal(await a.multi({ pipeline: false }), 'OK');
  assert.equal(await a.discard(), 'OK');
  assert.deepEqual(await a.multi().get('w').exec(), [[null, '2']]);

  const raw = await a.multi({ pipeline: false });
  assert.equal(raw, 'OK');
  await assert.rejects(a.watch('w'), /ERR WATCH inside MULTI is not allowed/);
  assert.equal(await a.discard(), 'OK');
});
