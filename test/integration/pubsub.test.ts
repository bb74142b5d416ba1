/**
 * Pub/Sub against a real reddish-server with real clients: ioredis channel and
 * pattern subscriptions (messages arriving without the subscriber sending
 * anything), keyspace notifications through ioredis, a raw RESP3 client
 * receiving pushes while it keeps issuing commands, CLIENT LIST's sub/psub/ssub
 * fields and flags, INFO's pubsub counters, cleanup on disconnect, and a burst
 * of pipelined PUBLISHes delivered in order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

let server: RunningServer;
const clients: Redis[] = [];

function connect(opts: Record<string, unknown> = {}): Redis {
  const r = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...opts });
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

test('ioredis: channel and pattern subscriptions receive messages', async () => {
  const sub = connect();
  const pub = connect();
  await Promise.all([sub.connect(), pub.connect()]);
  const got: string[] = [];
  sub.on('message', (ch: string, msg: string) => got.push(`message ${ch} ${msg}`));
  sub.on('pmessage', (pat: string, ch: string, msg: string) => got.push(`pmessage ${pat} ${ch} ${msg}`));
  assert.equal(await sub.subscribe('news', 'sport'), 2);
  assert.equal(await sub.psubscribe('news.*'), 3);

  assert.equal(await pub.publish('news', 'hello'), 1);
  assert.equal(await pub.publish('news.tech', 'chips'), 1);
  assert.equal(await pub.publish('weather', 'rain'), 0);
  await until(() => got.length === 2);
  assert.deepEqual(got, ['message news hello', 'pmessage news.* news.tech chips']);

  assert.deepEqual(((await pub.pubsub('CHANNELS')) as string[]).sort(), ['news', 'sport']);
  assert.deepEqual(await pub.pubsub('NUMSUB', 'news', 'nobody'), ['news', 1, 'nobody', 0]);
  assert.equal(await pub.pubsub('NUMPAT'), 1);

  const list = (await pub.client('LIST')) as string;
  const line = list.split('\n').find((l) => / sub=2 psub=1 /.test(l));
  assert.ok(line, list);
  assert.match(line!, / flags=P /);
  const info = (await pub.info('stats')) as string;
  assert.equal(infoField(info, 'pubsub_channels'), '2');
  assert.equal(infoField(info, 'pubsub_patterns'), '1');

  // (ioredis's argument-less UNSUBSCRIBE never resolves, against Redis too: name them.)
  assert.equal(await sub.unsubscribe('news', 'sport'), 1);
  assert.equal(await sub.punsubscribe('news.*'), 0);
  assert.equal(await pub.publish('news', 'nobody'), 0);
  assert.equal(await pub.pubsub('NUMPAT'), 0);
  sub.disconnect();
  pub.disconnect();
});

test('ioredis: keyspace notifications', async () => {
  const sub = connect();
  const cmd = connect();
  await Promise.all([sub.connect(), cmd.connect()]);
  await cmd.config('SET', 'notify-keyspace-events', 'KEA');
  assert.deepEqual(await cmd.config('GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'AKE']);
  const got: string[] = [];
  sub.on('pmessage', (_p: string, ch: string, msg: string) => got.push(`${ch} ${msg}`));
  await sub.psubscribe('__keyspace@0__:*', '__keyevent@0__:expired');
  await cmd.set('k', 'v');
  await cmd.pexpire('k', 20);
  await cmd.rename('k', 'k2');
  await until(() => got.some((g) => g.startsWith('__keyevent@0__:expired')), 3000);
  assert.deepEqual(got, [
    '__keyspace@0__:k set',
    '__keyspace@0__:k expire',
    '__keyspace@0__:k rename_from',
    '__keyspace@0__:k2 rename_to',
    '__keyspace@0__:k2 expired',
    '__keyevent@0__:expired k2',
  ]);
  await cmd.config('SET', 'notify-keyspace-events', '');
  await cmd.set('quiet', '1');
  await sleep(50);
  assert.equal(got.length, 6);
  sub.disconnect();
  cmd.disconnect();
});

test('RESP3: pushes interleave with replies on one connection', async () => {
  const c = await RawClient.connect(server.port);
  const p = await RawClient.connect(server.port);
  try {
    await c.call('HELLO', '3');
    assert.equal(await c.call('SUBSCRIBE', 'ch'), '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    assert.equal(await c.call('SSUBSCRIBE', 'sh'), '>3\r\n$10\r\nssubscribe\r\n$2\r\nsh\r\n:1\r\n');
    // In RESP3 a subscriber may run any command.
    assert.equal(await c.call('SET', 'x', '1'), '+OK\r\n');
    assert.equal(await c.call('PING'), '+PONG\r\n');
    // A message published by another client arrives unasked.
    assert.equal(await p.call('PUBLISH', 'ch', 'hi'), ':1\r\n');
    assert.equal((await c.readReply()).raw, '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n');
    assert.equal(await p.call('SPUBLISH', 'sh', 'yo'), ':1\r\n');
    assert.equal((await c.readReply()).raw, '>3\r\n$8\r\nsmessage\r\n$2\r\nsh\r\n$2\r\nyo\r\n');
    // Publishing to oneself: the push precedes the PUBLISH reply.
    c.write(RawClient.encode(['PUBLISH', 'ch', 'me']));
    assert.equal((await c.readReply()).raw, '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nme\r\n');
    assert.equal((await c.readReply()).raw, ':1\r\n');
    const line = (await c.call('CLIENT', 'INFO')).toString();
    assert.match(line, / sub=1 psub=0 ssub=1 /);
    assert.equal(await c.call('RESET'), '+RESET\r\n');
    assert.equal(await p.call('PUBLISH', 'ch', 'x'), ':0\r\n');
    assert.equal(await p.call('SPUBLISH', 'sh', 'x'), ':0\r\n');
  } finally {
    c.close();
    p.close();
  }
});

test('a subscriber that disconnects is forgotten', async () => {
  const c = await RawClient.connect(server.port);
  const p = await RawClient.connect(server.port);
  try {
    await c.call('SUBSCRIBE', 'gone1', 'gone2');
    await c.readReply();
    await c.call('PSUBSCRIBE', 'gone*');
    await c.call('SSUBSCRIBE', 'gone-shard');
    assert.equal(await p.call('PUBSUB', 'NUMSUB', 'gone1'), '*2\r\n$5\r\ngone1\r\n:1\r\n');
    c.close();
    let n = '';
    for (let i = 0; i < 100; i++) {
      n = await p.call('PUBLISH', 'gone1', 'x');
      if (n === ':0\r\n') break;
      await sleep(10);
    }
    assert.equal(n, ':0\r\n');
    assert.equal(await p.call('PUBSUB', 'NUMPAT'), ':0\r\n');
    assert.equal(await p.call('PUBSUB', 'SHARDCHANNELS'), '*0\r\n');
    const info = await p.call('INFO', 'stats');
    assert.match(info, /pubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0/);
  } finally {
    p.close();
  }
});

test('a burst of pipelined PUBLISHes reaches the subscriber in order', async () => {
  const sub = connect();
  const pub = connect();
  await Promise.all([sub.connect(), pub.connect()]);
  const got: string[] = [];
  sub.on('message', (_ch: string, msg: string) => got.push(msg));
  await sub.subscribe('burst');
  const pipe = pub.pipeline();
  for (let i = 0; i < 5000; i++) pipe.publish('burst', String(i));
  const res = await pipe.exec();
  assert.ok(res!.every(([e, n]) => e === null && n === 1));
  await until(() => got.length === 5000, 5000);
  for (let i = 0; i < 5000; i++) assert.equal(got[i], String(i));
  sub.disconnect();
  pub.disconnect();
});
