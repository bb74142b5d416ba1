/**
 * Function libraries outlive the process and cross between servers:
 * Reddish's SAVE + restart, a dump.rdb written by redis-server 7.0 loaded by
 * Reddish (and the reverse), DEBUG RELOAD, the AOF (with and without RDB
 * preamble, its rewrite spelling FUNCTION LOAD), replication (full sync and
 * the stream, Reddish and Redis masters), and FUNCTION DUMP / RESTORE
 * between the two servers.
 */
import { test } from 'node:test';
import { startAll } from '../support/start-all.js';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAvailable, startServer } from '../support/servers.js';
import { startOnDir } from '../support/server-on-dir.js';
import { RawClient } from '../support/raw-client.js';

const skipRedis = !redisAvailable() && 'redis-server not installed';
// One function per library: Redis lists a library's functions in hash order. no-writes, so replicas run it too.
const LIB = '#!lua name=plib\nredis.register_function{function_name="pget", callback=function(keys) return {"pget", redis.call("GET", keys[1])} end,\n' +
  '  flags={"no-writes"}, description="a read"}';
const LIB_LIST = ['FUNCTION', 'LIST', 'LIBRARYNAME', 'plib', 'WITHCODE'];

/** A command's decoded bulk reply (as latin1). */
async function bulkOf(c: RawClient, ...args: string[]): Promise<string> {
  c.write(RawClient.encode(args));
  const v = (await c.readReply()).value;
  assert.equal(v.type, 'bulk');
  return (v as { value: string }).value;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'functions-persist-'));

/** Loads LIB and a key into a server; returns what FCALL / FUNCTION LIST answer then. */
async function seed(c: RawClient): Promise<string[]> {
  assert.equal(await c.call('FUNCTION', 'LOAD', LIB), '$4\r\nplib\r\n');
  assert.equal(await c.call('SET', 'k', 'v'), '+OK\r\n');
  return expectations(c);
}

async function expectations(c: RawClient): Promise<string[]> {
  return [await c.call('FCALL', 'pget', '1', 'k'), await c.call('FCALL_RO', 'pget', '1', 'k'), await c.call(...LIB_LIST)];
}

test('Reddish: SAVE and restart keep the libraries; DEBUG RELOAD too', async () => {
  const dir = tempDir();
  try {
    let s = await startOnDir('reddish', dir, ['--save', '']);
    let c = await RawClient.connect(s.port);
    const want = await seed(c);
    assert.equal(want[0], '*2\r\n$4\r\npget\r\n$1\r\nv\r\n');
    assert.equal(await c.call('DEBUG', 'RELOAD'), '+OK\r\n');
    assert.deepEqual(await expectations(c), want);
    assert.equal(await c.call('SAVE'), '+OK\r\n');
    c.close();
    await s.kill();
    s = await startOnDir('reddish', dir, ['--save', '']);
    c = await RawClient.connect(s.port);
    assert.deepEqual(await expectations(c), want);
    c.close();
    await s.kill();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dump.rdb with functions from redis-server loads in Reddish, and Reddish\'s in redis-server', { skip: skipRedis }, async () => {
  const dirs = [tempDir(), tempDir()];
  try {
    const redis = await startOnDir('redis', dirs[0], ['--save', '']);
    const rc = await RawClient.connect(redis.port);
    const want = await seed(rc);
    assert.equal(await rc.call('SAVE'), '+OK\r\n');
    rc.close();
    await redis.kill();
    let red = await startOnDir('reddish', dirs[0], ['--save', '']);
    let c = await RawClient.connect(red.port);
    assert.deepEqual(await expectations(c), want);
    // And back: Reddish saves, redis-server loads.
    assert.equal(await c.call('FUNCTION', 'LOAD', '#!lua name=second\nredis.register_function("two", function() return 2 end)'), '$6\r\nsecond\r\n');
    assert.equal(await c.call('SAVE'), '+OK\r\n');
    c.close();
    await red.kill();
    copyFileSync(join(dirs[0], 'dump.rdb'), join(dirs[1], 'dump.rdb'));
    const back = await startOnDir('redis', dirs[1], ['--save', '']);
    c = await RawClient.connect(back.port);
    assert.deepEqual(await expectations(c), want);
    assert.equal(await c.call('FCALL', 'two', '0'), ':2\r\n');
    c.close();
    await back.kill();
    red = await startOnDir('reddish', dirs[1], ['--save', '']);
    await red.kill();
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

for (const preamble of ['yes', 'no']) {
  test(`AOF (aof-use-rdb-preamble ${preamble}): libraries survive a restart and a rewrite`, async () => {
    const dir = tempDir();
    const args = ['--save', '', '--appendonly', 'yes', '--aof-use-rdb-preamble', preamble];
    try {
      let s = await startOnDir('reddish', dir, args);
      let c = await RawClient.connect(s.port);
      const want = await seed(c);
      c.close();
      await s.kill();
      // The incr file holds FUNCTION LOAD as typed.
      s = await startOnDir('reddish', dir, args);
      c = await RawClient.connect(s.port);
      assert.deepEqual(await expectations(c), want);
      assert.equal(await c.call('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
      for (let i = 0; i < 200 && (await c.call('INFO', 'persistence')).includes('aof_rewrite_in_progress:1'); i++) await sleep(25);
      const aofDir = join(dir, 'appendonlydir');
      const base = readdirSync(aofDir).find((f) => f.includes('.base.'));
      assert.ok(base !== undefined, 'no base file after the rewrite');
      const bytes = readFileSync(join(aofDir, base)).toString('latin1');
      if (preamble === 'no') assert.ok(bytes.startsWith(`*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$${LIB.length}\r\n${LIB}\r\n`), bytes.slice(0, 80));
      else assert.ok(bytes.startsWith('REDIS0010') && bytes.includes('\xf5'), 'an RDB preamble with a function library');
      c.close();
      await s.kill();
      s = await startOnDir('reddish', dir, args);
      c = await RawClient.connect(s.port);
      assert.deepEqual(await expectations(c), want);
      c.close();
      await s.kill();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function waitLinkUp(r: RawClient): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await r.call('INFO', 'replication')).includes('master_link_status:up')) return;
    await sleep(50);
  }
  throw new Error('replication link never came up');
}

for (const masterKind of ['reddish', 'redis'] as const) {
  test(`a Reddish replica of a ${masterKind} master gets its libraries (full sync) and FUNCTION LOAD/DELETE/FLUSH (stream)`, { skip: masterKind === 'redis' && skipRedis }, async () => {
    const master = await startServer(masterKind, ['--repl-diskless-sync-delay', '0']);
    const m = await RawClient.connect(master.port);
    const want = await seed(m);
    const replica = await startServer('reddish', ['--replicaof', '127.0.0.1', String(master.port)]);
    const r = await RawClient.connect(replica.port);
    try {
      await waitLinkUp(r);
      assert.deepEqual(await expectations(r), want);
      const next = '#!lua name=streamed\nredis.register_function{function_name="st", callback=function() return "via stream" end, flags={"no-writes"}}';
      assert.equal(await m.call('FUNCTION', 'LOAD', next), '$8\r\nstreamed\r\n');
      assert.equal(await m.call('FUNCTION', 'DELETE', 'plib'), '+OK\r\n');
      assert.equal(await m.call('WAIT', '1', '5000'), ':1\r\n');
      assert.equal(await r.call('FCALL', 'st', '0'), '$10\r\nvia stream\r\n');
      assert.equal(await r.call('FCALL', 'pget', '1', 'k'), '-ERR Function not found\r\n');
      // A function that may write is refused on a read-only replica, before it runs.
      assert.equal(await m.call('FUNCTION', 'LOAD', '#!lua name=wr\nredis.register_function("wr", function() return 1 end)'), '$2\r\nwr\r\n');
      assert.equal(await m.call('WAIT', '1', '5000'), ':1\r\n');
      assert.equal(await r.call('FCALL', 'wr', '0'), "-READONLY You can't write against a read only replica.\r\n");
      assert.equal(await m.call('FUNCTION', 'FLUSH'), '+OK\r\n');
      assert.equal(await m.call('WAIT', '1', '5000'), ':1\r\n');
      assert.equal(await r.call('FUNCTION', 'LIST'), '*0\r\n');
      // A function's writes reach the replica as their effects.
      assert.equal(await m.call('FUNCTION', 'LOAD', '#!lua name=w\nredis.register_function("incr2", function(keys) redis.call("INCR", keys[1]) return redis.call("INCR", keys[1]) end)'), '$1\r\nw\r\n');
      assert.equal(await m.call('FCALL', 'incr2', '1', 'n'), ':2\r\n');
      assert.equal(await m.call('WAIT', '1', '5000'), ':1\r\n');
      assert.equal(await r.call('GET', 'n'), '$1\r\n2\r\n');
    } finally {
      m.close();
      r.close();
      await replica.stop();
      await master.stop();
    }
  });
}

test('FUNCTION DUMP of redis-server restores into Reddish and the reverse', { skip: skipRedis }, async () => {
  const [redis, reddish] = await startAll([startServer('redis'), startServer('reddish')], (s) => s.stop());
  const [rc, dc] = await Promise.all([RawClient.connect(redis.port), RawClient.connect(reddish.port)]);
  try {
    const want = await seed(rc);
    const p = await bulkOf(rc, 'FUNCTION', 'DUMP');
    assert.equal(await dc.call('FUNCTION', 'RESTORE', p), '+OK\r\n');
    assert.equal(await dc.call('SET', 'k', 'v'), '+OK\r\n');
    assert.deepEqual(await expectations(dc), want);
    // Reddish's payload is byte for byte redis-server's, and goes back.
    const mine = await bulkOf(dc, 'FUNCTION', 'DUMP');
    assert.equal(mine, p);
    assert.equal(await rc.call('FUNCTION', 'RESTORE', mine, 'REPLACE'), '+OK\r\n');
    assert.equal(await rc.call('FUNCTION', 'DELETE', 'plib'), '+OK\r\n');
    assert.equal(await rc.call('FUNCTION', 'RESTORE', mine), '+OK\r\n');
    assert.deepEqual(await expectations(rc), want);
  } finally {
    rc.close();
    dc.close();
    await Promise.all([redis.stop(), reddish.stop()]);
  }
});
