/**
 * The append-only file end to end: fsync policies under kill -9 (acknowledged
 * writes counted against what survived), truncated files with and without
 * aof-load-truncated, rewrites under load, and AOF directories crossing
 * between Reddish and redis-server (checked with DEBUG DIGEST, which both
 * compute the same way).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, appendFileSync, readdirSync, cpSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startOnDir, spawnOnDir } from '../support/server-on-dir.js';
import { redisAvailable, type ServerKind } from '../support/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'reddish-aof-'));
}

function client(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
}

async function infoField(c: Redis, field: string): Promise<string> {
  const info = await c.info('persistence');
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : '';
}

function incrFile(dir: string): string {
  const aofDir = join(dir, 'appendonlydir');
  const incr = readdirSync(aofDir).filter((f) => f.endsWith('.incr.aof')).sort();
  return join(aofDir, incr[incr.length - 1]);
}

/**
 * Writers on `conns` connections SET distinct keys until stopped; returns per
 * connection the highest index acknowledged.
 */
function startWriters(port: number, conns: number) {
  const acked = new Array<number>(conns).fill(-1);
  let stop = false;
  const clients: Redis[] = [];
  const loops: Promise<void>[] = [];
  for (let w = 0; w < conns; w++) {
    const c = client(port);
    c.on('error', () => {});
    clients.push(c);
    loops.push((async () => {
      for (let i = 0; !stop; i++) {
        try {
          await c.set(`w${w}:${i}`, String(i));
          acked[w] = i;
        } catch {
          return;
        }
      }
    })());
  }
  return {
    acked,
    async halt() {
      stop = true;
      await Promise.all(loops);
      for (const c of clients) c.disconnect();
    },
  };
}

async function killUnderLoad(fsync: string): Promise<{ acked: number; lost: number; writesPerSec: number }> {
  const dir = tempDir();
  try {
    const srv = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes', '--appendfsync', fsync]);
    const writers = startWriters(srv.port, 4);
    const t0 = Date.now();
    await sleep(1200);
    await srv.kill('SIGKILL');
    const elapsed = (Date.now() - t0) / 1000;
    await writers.halt();
    const again = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes']);
    const c = client(again.port);
    let acked = 0;
    let lost = 0;
    for (let w = 0; w < writers.acked.length; w++) {
      const n = writers.acked[w] + 1;
      acked += n;
      const keys = Array.from({ length: n }, (_, i) => `w${w}:${i}`);
      for (let i = 0; i < keys.length; i += 1000) {
        const vals = await c.mget(...keys.slice(i, i + 1000));
        vals.forEach((v: string | null, j: number) => {
          if (v !== String(i + j)) lost++;
        });
      }
    }
    c.disconnect();
    await again.kill('SIGKILL');
    return { acked, lost, writesPerSec: Math.round(acked / elapsed) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('appendfsync always: every acknowledged write survives kill -9', async (t) => {
  const r = await killUnderLoad('always');
  t.diagnostic(`always: ${r.acked} writes acknowledged (${r.writesPerSec}/s), ${r.lost} lost after kill -9`);
  assert.ok(r.acked > 100, 'the load ran');
  assert.equal(r.lost, 0);
});

test('appendfsync everysec: the loss after kill -9 stays within one second of writes', async (t) => {
  const r = await killUnderLoad('everysec');
  t.diagnostic(`everysec: ${r.acked} writes acknowledged (${r.writesPerSec}/s), ${r.lost} lost after kill -9 (the process died, not the kernel: written data is in the page cache)`);
  assert.ok(r.acked > 100, 'the load ran');
  assert.ok(r.lost <= r.writesPerSec, `lost ${r.lost} > one second of writes (${r.writesPerSec})`);
});

async function writeSomeAndStop(dir: string, n: number, extraArgs: string[] = []): Promise<void> {
  const srv = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes', ...extraArgs]);
  const c = client(srv.port);
  const p = c.pipeline();
  for (let i = 0; i < n; i++) p.set(`k${i}`, `v${i}`);
  await p.exec();
  c.disconnect();
  await srv.kill('SIGTERM');
}

test('a torn last command is trimmed with aof-load-truncated yes and refused with no', async () => {
  const dir = tempDir();
  try {
    await writeSomeAndStop(dir, 100);
    const incr = incrFile(dir);
    const goodSize = statSync(incr).size;
    appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nval');
    // aof-load-truncated no: a clear refusal naming the file and the fix.
    const refused = spawnOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes', '--aof-load-truncated', 'no']);
    const code = await refused.exited();
    assert.notEqual(code, 0);
    assert.match(refused.output(), /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof/);
    assert.match(refused.output(), /redis-check-aof --fix/);
    // yes (the default): loads, warns, trims the file back to the last whole command.
    const srv = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes']);
    const c = client(srv.port);
    assert.equal(await c.dbsize(), 100);
    assert.equal(await c.get('k99'), 'v99');
    assert.equal(await c.exists('torn'), 0);
    c.disconnect();
    assert.match(srv.output(), /short read while loading the AOF file/);
    assert.equal(statSync(incr).size, goodSize);
    await srv.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a MULTI without its EXEC at the end of the AOF is reverted whole', async () => {
  const dir = tempDir();
  try {
    await writeSomeAndStop(dir, 10);
    const incr = incrFile(dir);
    appendFileSync(incr, '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$2\r\nk0\r\n$7\r\nchanged\r\n*3\r\n$3\r\nSET\r\n$3\r\nnew\r\n$1\r\n1\r\n');
    const srv = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes']);
    const c = client(srv.port);
    assert.equal(await c.get('k0'), 'v0');
    assert.equal(await c.exists('new'), 0);
    assert.equal(await c.dbsize(), 10);
    c.disconnect();
    assert.match(srv.output(), /Revert incomplete MULTI\/EXEC transaction/);
    await srv.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('BGREWRITEAOF under writes: the data after a restart is the data before it', async () => {
  const dir = tempDir();
  try {
    const srv = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always']);
    const c = client(srv.port);
    await c.call('DEBUG', 'POPULATE', '200000', 'key', '10');
    const p = c.pipeline();
    for (let i = 0; i < 300; i++) {
      p.rpush(`list${i}`, 'a', 'b', String(i));
      p.hset(`hash${i}`, 'f', String(i), 'g', 'x'.repeat(i));
      p.zadd(`zset${i}`, i, 'm', i / 3, 'n');
      p.sadd(`set${i}`, String(i), 'member');
      p.pexpire(`hash${i}`, 1000000 + i);
    }
    await p.exec();
    assert.equal(await c.bgrewriteaof(), 'Background append only file rewriting started');
    let during = 0;
    while ((await infoField(c, 'aof_rewrite_in_progress')) === '1') {
      const q = c.pipeline();
      for (let i = 0; i < 50; i++) {
        q.incr('counter');
        q.set(`key:${during % 200000}`, `rewritten-${during}`);
        q.del(`key:${(during * 7) % 200000}`);
        q.lpush(`list${during % 300}`, 'pushed');
        during++;
      }
      await q.exec();
    }
    assert.ok(during > 0, 'writes happened while the rewrite ran');
    assert.equal(await infoField(c, 'aof_last_bgrewrite_status'), 'ok');
    await c.set('after', 'rewrite');
    const digest = await c.call('DEBUG', 'DIGEST');
    c.disconnect();
    await srv.kill('SIGKILL');
    const files = readdirSync(join(dir, 'appendonlydir')).sort();
    assert.deepEqual(files, ['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    const again = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes']);
    const c2 = client(again.port);
    assert.equal(await c2.call('DEBUG', 'DIGEST'), digest);
    c2.disconnect();
    await again.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CONFIG SET appendonly yes at runtime writes a base from the current data', async () => {
  const dir = tempDir();
  try {
    const srv = await startOnDir('reddish', dir, ['--save', '']);
    const c = client(srv.port);
    await c.set('before', '1');
    await c.config('SET', 'appendonly', 'yes');
    await waitFor(async () => (await infoField(c, 'aof_rewrite_in_progress')) === '0' && (await infoField(c, 'aof_enabled')) === '1');
    await c.set('after', '2');
    const manifest = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
    assert.match(manifest, /type b/);
    assert.match(manifest, /type i/);
    c.disconnect();
    await srv.kill('SIGKILL');
    const again = await startOnDir('reddish', dir, ['--save', '', '--appendonly', 'yes']);
    const c2 = client(again.port);
    assert.deepEqual(await c2.mget('before', 'after'), ['1', '2']);
    c2.disconnect();
    await again.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function fillMixed(c: Redis, seed: number): Promise<void> {
  const p = c.pipeline();
  for (let i = 0; i < 2000; i++) {
    const k = `${seed}:${i}`;
    switch (i % 6) {
      case 0: p.set(`s:${k}`, 'x'.repeat(i % 50)); break;
      case 1: p.incrby(`n:${k}`, i); break;
      case 2: p.rpush(`l:${k}`, ...Array.from({ length: i % 20 + 1 }, (_, j) => String(j))); break;
      case 3: p.hset(`h:${k}`, ...Array.from({ length: (i % 150) + 1 }, (_, j) => [`f${j}`, `v${j}`]).flat()); break;
      case 4: p.sadd(`st:${k}`, ...Array.from({ length: i % 600 + 1 }, (_, j) => String(j))); break;
      default: p.zadd(`z:${k}`, ...Array.from({ length: i % 200 + 1 }, (_, j) => [String(j / 7), `m${j}`]).flat()); break;
    }
    if (i % 10 === 0) p.pexpire(`s:${k}`, 10000000);
  }
  p.select(3);
  p.set('in-db-3', 'yes');
  p.select(0);
  await p.exec();
}

/** Writes with `from`, restarts the AOF dir under `to`, compares DEBUG DIGEST. */
async function crossAof(from: ServerKind, to: ServerKind, extra: string[]): Promise<void> {
  const dir = tempDir();
  const dir2 = tempDir();
  try {
    const a = await startOnDir(from, dir, ['--save', '', '--appendonly', 'yes', ...extra]);
    const c = client(a.port);
    await fillMixed(c, 1);
    await c.bgrewriteaof();
    await waitFor(async () => (await infoField(c, 'aof_rewrite_in_progress')) === '0' && (await infoField(c, 'aof_rewrite_scheduled')) === '0');
    await fillMixed(c, 2); // after the rewrite: into the new incr file
    await c.del('n:2:1');
    const digest = await c.call('DEBUG', 'DIGEST');
    await c.call('SHUTDOWN', 'NOSAVE').catch(() => {});
    c.disconnect();
    await a.exited();
    cpSync(join(dir, 'appendonlydir'), join(dir2, 'appendonlydir'), { recursive: true });
    const b = await startOnDir(to, dir2, ['--save', '', '--appendonly', 'yes', ...extra]);
    const c2 = client(b.port);
    assert.equal(await c2.call('DEBUG', 'DIGEST'), digest, `${from} → ${to} ${extra.join(' ')}`);
    c2.disconnect();
    await b.kill('SIGKILL');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(dir2, { recursive: true, force: true });
  }
}

for (const extra of [[], ['--aof-use-rdb-preamble', 'no']]) {
  test(`AOF directories cross between Reddish and redis-server ${extra.join(' ')}`, async (t) => {
    if (!redisAvailable()) return t.skip('redis-server is not installed');
    await crossAof('reddish', 'redis', extra);
    await crossAof('redis', 'reddish', extra);
  });
}
