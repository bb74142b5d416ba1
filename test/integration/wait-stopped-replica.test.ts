/**
 * WAIT counts only replicas that acknowledged the client's last write: with
 * the replica stopped (SIGSTOP) a write's WAIT times out with 0, and once it
 * runs again WAIT gets 1 — for a plain write, a write inside MULTI/EXEC and
 * one from a script. Same expectations on redis-server and Reddish.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisAvailable, type ServerKind } from '../support/servers.js';
import { startOnDir, type DirServer } from '../support/server-on-dir.js';
import { RawClient } from '../support/raw-client.js';

async function synced(m: RawClient, r: RawClient): Promise<void> {
  for (const end = Date.now() + 20000; ; await sleep(20)) {
    const [mi, ri] = [await m.call('INFO', 'replication'), await r.call('INFO', 'replication')];
    const off = (s: string, f: string) => new RegExp(`${f}:(\\d+)`).exec(s)?.[1];
    if (ri.includes('master_link_status:up') && off(ri, 'slave_repl_offset') === off(mi, 'master_repl_offset')) return;
    if (Date.now() > end) throw new Error(`replica never in sync:\n${ri}`);
  }
}

for (const kind of ['redis', 'reddish'] as ServerKind[]) {
  test(`${kind}: WAIT times out with 0 while the replica is stopped, and counts it once it runs`, { skip: kind === 'redis' && !redisAvailable() }, async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'wait-m-')), mkdtempSync(join(tmpdir(), 'wait-r-'))];
    const servers: DirServer[] = [];
    const clients: RawClient[] = [];
    try {
      const master = await startOnDir(kind, dirs[0], ['--save', '', '--repl-diskless-sync-delay', '0']);
      servers.push(master);
      const replica = await startOnDir(kind, dirs[1], ['--save', '', '--replicaof', '127.0.0.1', String(master.port)]);
      servers.push(replica);
      const m = await RawClient.connect(master.port);
      const r = await RawClient.connect(replica.port);
      clients.push(m, r);
      await synced(m, r);
      assert.equal(await m.call('SET', 'a', '1'), '+OK\r\n');
      assert.equal(await m.call('WAIT', '1', '2000'), ':1\r\n');

      replica.proc.kill('SIGSTOP');
      try {
        const writes: string[][][] = [
          [['SET', 'k', 'v']],
          [['MULTI'], ['INCR', 'n'], ['EXEC']],
          [['EVAL', "return redis.call('LPUSH', KEYS[1], 'x')", '1', 'l']],
        ];
        for (const w of writes) {
          for (const c of w) await m.call(...c);
          const t0 = Date.now();
          assert.equal(await m.call('WAIT', '1', '300'), ':0\r\n', `WAIT after ${w.map((c) => c[0]).join(' ')}`);
          assert.ok(Date.now() - t0 >= 250, 'WAIT answered before its timeout');
        }
      } finally {
        replica.proc.kill('SIGCONT');
      }
      assert.equal(await m.call('WAIT', '1', '5000'), ':1\r\n');
      assert.equal(await r.call('LLEN', 'l'), ':1\r\n');
    } finally {
      for (const c of clients) c.close();
      for (const s of servers) await s.kill('SIGKILL');
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
}
