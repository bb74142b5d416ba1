/**
 * ioredis, a widely used Node client, against a real reddish-server: basics,
 * 10k-command pipelines, MULTI/EXEC, WATCH conflicts, binary-safe Buffers,
 * SELECT, AUTH with --requirepass, and HELLO 3.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

let server: RunningServer;
const clients: Redis[] = [];

function connect(port: number, opts: Record<string, unknown> = {}): Redis {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true, ...opts });
  r.on('error', () => undefined); // failures surface through the commands' promises
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

test('basics', async () => {
  const r = connect(server.port);
  await r.connect();
  assert.equal(await r.ping(), 'PONG');
  assert.equal(await r.set('greeting', 'hello'), 'OK');
  assert.equal(await r.get('greeting'), 'hello');
  assert.equal(await r.get('missing'), null);
  assert.equal(await r.append('greeting', ' world'), 11);
  assert.equal(await r.strlen('greeting'), 11);
  assert.equal(await r.incr('n'), 1);
  assert.equal(await r.incrby('n', 41), 42);
  assert.equal(await r.decr('n'), 41);
  assert.deepEqual(await r.mget('greeting', 'n', 'missing'), ['hello world', '41', null]);
  assert.equal(await r.mset({ a: '1', b: '2' }), 'OK');
  assert.equal(await r.exists('a', 'b', 'nope'), 2);
  assert.equal(await r.del('a', 'nope'), 1);
  assert.equal(await r.set('ttl', 'v', 'EX', 1000), 'OK');
  const ttl = await r.ttl('ttl');
  assert.ok(ttl > 990 && ttl <= 1000, String(ttl));
  assert.equal(await r.set('nx', 'v', 'NX'), 'OK');
  assert.equal(await r.set('nx', 'v', 'NX'), null);
  assert.equal(await r.type('greeting'), 'string');
  assert.equal(await r.getrange('greeting', 0, 4), 'hello');
  await assert.rejects(r.incr('greeting'), /ERR value is not an integer or out of range/);
  await assert.rejects(r.call('nosuchcommand', 'x'), /ERR unknown command 'nosuchcommand'/);
  assert.equal(await r.dbsize(), 5);
  assert.equal(await r.flushdb(), 'OK');
  assert.equal(await r.dbsize(), 0);
});

test('a pipeline of 10k commands', async () => {
  const r = connect(server.port);
  await r.connect();
  const p = r.pipeline();
  for (let i = 0; i < 5000; i++) p.set(`p:${i}`, `v${i}`);
  for (let i = 0; i < 4999; i++) p.incr('p:counter');
  p.get('p:4999');
  const res = await p.exec();
  assert.ok(res);
  assert.equal(res.length, 10000);
  for (let i = 0; i < 5000; i++) assert.deepEqual(res[i], [null, 'OK']);
  for (let i = 0; i < 4999; i++) assert.deepEqual(res[5000 + i], [null, i + 1]);
  assert.deepEqual(res[9999], [null, 'v4999']);
  // errors inside a pipeline stay per command
  const p2 = r.pipeline().set('s', 'x').incr('s').get('s');
  const res2 = (await p2.exec())!;
  assert.equal(res2[0][1], 'OK');
  assert.match(String(res2[1][0]), /not an integer/);
  assert.equal(res2[2][1], 'x');
  // auto-pipelined concurrent calls
  const many = await Promise.all(Array.from({ length: 2000 }, (_, i) => r.get(`p:${i}`)));
  assert.deepEqual(many, Array.from({ length: 2000 }, (_, i) => `v${i}`));
  await r.flushdb();
});

test('MULTI/EXEC', async () => {
  const r = connect(server.port);
  await r.connect();
  const res = await r.multi().set('m', '1').incr('m').incrby('m', 10).get('m').exec();
  assert.deepEqual(res, [[null, 'OK'], [null, 2], [null, 12], [null, '12']]);
  // a runtime error inside EXEC does not abort the others
  const res2 = (await r.multi().set('str', 'abc').incr('str').get('str').exec())!;
  assert.equal(res2[0][1], 'OK');
  assert.match(String(res2[1][0]), /not an integer/);
  assert.equal(res2[2][1], 'abc');
  // a queuing error aborts the transaction
  await assert.rejects(r.multi().set('q', '1').call('get').exec(), /EXECABORT|wrong number of arguments/);
  assert.equal(await r.get('q'), null);
  // DISCARD
  await r.multi({ pipeline: false });
  assert.equal(await r.set('d', '1'), 'QUEUED');
  assert.equal(await r.discard(), 'OK');
  assert.equal(await r.get('d'), null);
  await r.flushdb();
});

test('WATCH conflict aborts EXEC; no conflict lets it run', async () => {
  const a = connect(server.port);
  const b = connect(server.port);
  await Promise.all([a.connect(), b.connect()]);
  await a.set('w', '1');
  assert.equal(await a.watch('w'), 'OK');
  await b.set('w', '2');
  const aborted = await a.multi().set('w', 'from-a').exec();
  assert.equal(aborted, null);
  assert.equal(await a.get('w'), '2');
  // watched key untouched: EXEC runs
  await a.watch('w');
  const ok = await a.multi().set('w', 'from-a').exec();
  assert.deepEqual(ok, [[null, 'OK']]);
  assert.equal(await b.get('w'), 'from-a');
  // UNWATCH clears it
  await a.watch('w');
  await b.set('w', 'b-again');
  await a.unwatch();
  assert.deepEqual(await a.multi().get('w').exec(), [[null, 'b-again']]);
  // expiring / deleting a watched key counts as a change
  await a.watch('w');
  await b.del('w');
  assert.equal(await a.multi().set('w', 'x').exec(), null);
  await a.flushdb();
});

test('binary-safe values with Buffers', async () => {
  const r = connect(server.port);
  await r.connect();
  const bin = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) bin[i] = i;
  const key = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80]);
  assert.equal(await r.set(key, bin), 'OK');
  const back = await r.getBuffer(key);
  assert.ok(back && Buffer.compare(back, bin) === 0);
  assert.equal(await r.strlen(key), 256);
  assert.equal(await r.append(key, Buffer.from([0xfe, 0x00])), 258);
  const range = await r.getrangeBuffer(key, 254, -1);
  assert.deepEqual([...range], [0xfe, 0xff, 0xfe, 0x00]);
  // a large binary value (> 32 KiB, so the parser's big-argument path)
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  assert.equal(await r.set('big', big), 'OK');
  const bigBack = await r.getBuffer('big');
  assert.ok(bigBack && Buffer.compare(bigBack, big) === 0);
  // UTF-8 strings round-trip as bytes
  assert.equal(await r.set('utf8', 'héllo wörld ✓ 😀'), 'OK');
  assert.equal(await r.get('utf8'), 'héllo wörld ✓ 😀');
  assert.equal(await r.strlen('utf8'), Buffer.byteLength('héllo wörld ✓ 😀'));
  await r.flushdb();
});

test('SELECT and databases', async () => {
  const r = connect(server.port, { db: 3 });
  await r.connect();
  await r.set('where', 'db3');
  assert.equal(await r.select(4), 'OK');
  assert.equal(await r.get('where'), null);
  await r.set('where', 'db4');
  await r.select(3);
  assert.equal(await r.get('where'), 'db3');
  await assert.rejects(r.select(16), /ERR DB index is out of range/);
  await assert.rejects(r.select(-1), /ERR DB index is out of range/);
  await assert.rejects(r.call('SELECT', 'x'), /ERR value is not an integer or out of range/);
  const other = connect(server.port, { db: 4 });
  await other.connect();
  assert.equal(await other.get('where'), 'db4');
  assert.equal(await r.swapdb(3, 4), 'OK');
  assert.equal(await other.get('where'), 'db3');
  assert.equal(await r.flushall(), 'OK');
});

test('HELLO through ioredis (RESP2) and HELLO 3 through a raw client', async () => {
  const r = connect(server.port);
  await r.connect();
  // ioredis 5 speaks RESP2 only (it rejects a '%' map), so HELLO 2 through it and HELLO 3 raw below
  const hello = (await r.call('HELLO', '2')) as unknown[];
  assert.ok(Array.isArray(hello));
  assert.equal(hello.length, 14);
  const m = new Map<string, unknown>();
  for (let i = 0; i < hello.length; i += 2) m.set(String(hello[i]), hello[i + 1]);
  assert.equal(m.get('server'), 'redis');
  assert.equal(m.get('proto'), 2);
  assert.equal(m.get('mode'), 'standalone');
  assert.equal(m.get('role'), 'master');
  await r.set('h3', 'v');

  const raw = await RawClient.connect(server.port);
  try {
    const reply = await raw.call('HELLO', '3');
    assert.match(reply, /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n\$7\r\nversion\r\n\$\d+\r\n[0-9.]+\r\n\$5\r\nproto\r\n:3\r\n\$2\r\nid\r\n:\d+\r\n\$4\r\nmode\r\n\$10\r\nstandalone\r\n\$4\r\nrole\r\n\$6\r\nmaster\r\n\$7\r\nmodules\r\n\*0\r\n$/);
    assert.equal(await raw.call('GET', 'nothing'), '_\r\n');
    assert.equal(await raw.call('GET', 'h3'), '$1\r\nv\r\n');
    assert.equal(await raw.call('MGET', 'h3', 'nothing'), '*2\r\n$1\r\nv\r\n_\r\n');
    assert.equal(await raw.call('HELLO', '4'), '-NOPROTO unsupported protocol version\r\n');
    assert.match(await raw.call('HELLO', '2'), /^\*14\r\n/);
    assert.equal(await raw.call('GET', 'nothing'), '$-1\r\n');
  } finally {
    raw.close();
  }
  await r.flushall();
});

test('AUTH with --requirepass: NOAUTH and WRONGPASS', async () => {
  const secured = await startServer('reddish', ['--requirepass', 's3cret']);
  try {
    // no ready check: ioredis's INFO would get NOAUTH and ioredis would give up (it does so with Redis too)
    const noauth = connect(secured.port, { enableReadyCheck: false });
    await noauth.connect();
    await assert.rejects(noauth.get('x'), /NOAUTH Authentication required\./);
    await assert.rejects(noauth.call('AUTH', 'wrong'), /WRONGPASS invalid username-password pair or user is disabled\./);
    await assert.rejects(noauth.call('AUTH', 'default', 'wrong'), /WRONGPASS/);
    assert.equal(await noauth.call('AUTH', 's3cret'), 'OK');
    assert.equal(await noauth.set('x', '1'), 'OK');
    assert.equal(await noauth.get('x'), '1');

    const good = connect(secured.port, { password: 's3cret' });
    await good.connect();
    assert.equal(await good.get('x'), '1');

    const withUser = connect(secured.port, { username: 'default', password: 's3cret' });
    await withUser.connect();
    assert.equal(await withUser.ping(), 'PONG');

    const bad = connect(secured.port, { password: 'nope' });
    const badError = new Promise<string>((resolve) => bad.once('error', (e: Error) => resolve(e.message)));
    await assert.rejects(bad.connect().then(() => bad.ping()));
    assert.match(await badError, /^WRONGPASS invalid username-password pair or user is disabled\.$/);

    // raw: HELLO with AUTH, and the unauthenticated request limits
    const raw = await RawClient.connect(secured.port);
    try {
      assert.equal(await raw.call('PING'), '-NOAUTH Authentication required.\r\n');
      assert.match(await raw.call('HELLO', '3', 'AUTH', 'default', 'bad'), /^-WRONGPASS/);
      assert.match(await raw.call('HELLO', '3', 'AUTH', 'default', 's3cret'), /^%7\r\n/);
      assert.equal(await raw.call('GET', 'x'), '$1\r\n1\r\n');
    } finally {
      raw.close();
    }
    const stranger = await RawClient.connect(secured.port);
    try {
      stranger.write(`*20\r\n`);
      assert.equal(await stranger.readUntilClose(), '-ERR Protocol error: invalid multibulk length\r\n');
    } finally {
      stranger.close();
    }
  } finally {
    await secured.stop();
  }
});
