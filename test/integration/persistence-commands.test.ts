/**
 * The persistence commands' behaviour around failures and scheduling: a
 * failed BGSAVE turns on MISCONF for writes (and PING) until a save
 * succeeds, BGSAVE SCHEDULE waits for a running AOF rewrite, LASTSAVE and
 * the INFO persistence counters move, DEBUG RELOAD keeps the data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startOnDir } from '../support/server-on-dir.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function field(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : '';
}

async function until(c: Redis, name: string, value: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (field(await c.info('persistence'), name) === value) return;
    await sleep(25);
  }
  throw new Error(`${name} never became ${value}`);
}

test('a failed BGSAVE refuses writes with MISCONF until a save succeeds', async () => {
  const root = mkdtempSync(join(tmpdir(), 'reddish-misconf-'));
  const srv = await startOnDir('reddish', root, ['--save', '3600 1', '--enable-protected-configs', 'yes']);
  const c = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    await c.set('k', 'v');
    // A dir that disappears under the server: the temp file cannot be created.
    const gone = join(root, 'gone');
    mkdirSync(gone);
    await c.config('SET', 'dir', gone);
    rmSync(gone, { recursive: true });
    await c.bgsave().catch(() => {});
    await until(c, 'rdb_last_bgsave_status', 'err');
    await assert.rejects(c.set('k2', 'v'), /^ReplyError: MISCONF Redis is configured to save RDB snapshots/);
    await assert.rejects(c.ping(), /MISCONF/);
    assert.equal(await c.get('k'), 'v', 'reads still work');
    // stop-writes-on-bgsave-error no lifts the refusal at once.
    await c.config('SET', 'stop-writes-on-bgsave-error', 'no');
    assert.equal(await c.set('k2', 'v'), 'OK');
    await c.config('SET', 'stop-writes-on-bgsave-error', 'yes');
    await assert.rejects(c.set('k3', 'v'), /MISCONF/);
    // A good dir and a successful save end it.
    await c.config('SET', 'dir', root);
    const before = await c.lastsave();
    await sleep(1100);
    assert.equal(await c.bgsave(), 'Background saving started');
    await until(c, 'rdb_last_bgsave_status', 'ok');
    assert.ok((await c.lastsave()) > before, 'LASTSAVE moved');
    assert.equal(await c.set('k3', 'v'), 'OK');
    assert.equal(field(await c.info('persistence'), 'rdb_changes_since_last_save'), '1');
  } finally {
    c.disconnect();
    await srv.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('BGSAVE while an AOF rewrite runs: refused, or SCHEDULEd and then done', async () => {
  const root = mkdtempSync(join(tmpdir(), 'reddish-schedule-'));
  const srv = await startOnDir('reddish', root, ['--save', '', '--appendonly', 'yes']);
  const c = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  try {
    await c.call('DEBUG', 'POPULATE', '300000');
    assert.equal(await c.bgrewriteaof(), 'Background append only file rewriting started');
    await assert.rejects(c.bgsave(), /Another child process is active \(AOF\?\): can't BGSAVE right now/);
    assert.equal(await c.call('BGSAVE', 'SCHEDULE'), 'Background saving scheduled');
    assert.equal(await c.bgrewriteaof().catch((e: Error) => e.message), 'ERR Background append only file rewriting already in progress');
    await until(c, 'aof_rewrite_in_progress', '0');
    await until(c, 'rdb_bgsave_in_progress', '0');
    await until(c, 'rdb_saves', '1');
    assert.equal(field(await c.info('persistence'), 'rdb_last_bgsave_status'), 'ok');
    // DEBUG RELOAD: save, empty, load back: same data.
    const digest = await c.call('DEBUG', 'DIGEST');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
    assert.equal(await c.dbsize(), 300000);
  } finally {
    c.disconnect();
    await srv.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('one keyspace walk at a time: BGSAVE during a replica full sync is refused, never a crash', async () => {
  const root = mkdtempSync(join(tmpdir(), 'reddish-walks-'));
  const rroot = mkdtempSync(join(tmpdir(), 'reddish-walks-r-'));
  const srv = await startOnDir('reddish', root, ['--save', '', '--repl-diskless-sync-delay', '0']);
  const c = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  let replica: Awaited<ReturnType<typeof startOnDir>> | null = null;
  try {
    await c.call('DEBUG', 'POPULATE', '300000');
    replica = await startOnDir('reddish', rroot, ['--save', '', '--replicaof', '127.0.0.1', String(srv.port)]);
    const replies = new Set<string>();
    for (let i = 0; i < 40; i++) {
      replies.add(await c.bgsave().catch((e: Error) => e.message));
      await sleep(20);
    }
    for (const r of replies) {
      assert.ok(
        /^Background saving started$|Background save already in progress|Another child process is active \(AOF\?\)/.test(r),
        `unexpected BGSAVE reply: ${r}`,
      );
    }
    assert.equal(await c.ping(), 'PONG');
  } finally {
    c.disconnect();
    await replica?.kill('SIGKILL');
    await srv.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    rmSync(rroot, { recursive: true, force: true });
  }
});
