/**
 * repl-diskless-load on the replica side, for a Reddish replica and a real
 * redis-server replica side by side (same expectations for both):
 *   - `disabled` keeps the master's snapshot as the replica's dump.rdb (so a
 *     restart has it), unless rdb-del-sync-files on a replica without
 *     persistence; `on-empty-db` (into an empty replica) and `swapdb` parse
 *     from memory and leave no file;
 *   - a corrupt payload from a (fake) master: `swapdb` keeps the replica's old
 *     data, `disabled` flushes it as Redis does; either way the link retries.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startOnDir, type DirServer } from '../support/server-on-dir.js';
import { redisAvailable, type ServerKind } from '../support/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KINDS: ServerKind[] = redisAvailable() ? ['reddish', 'redis'] : ['reddish'];

interface Node {
  srv: DirServer;
  c: Redis;
  dir: string;
}
const started: Node[] = [];
const fakes: net.Server[] = [];

async function node(kind: ServerKind, extra: string[] = []): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), `dload-${kind}-`));
  const srv = await startOnDir(kind, dir, ['--save', '', '--repl-diskless-sync-delay', '0', ...extra]);
  const c = new Redis({ port: srv.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  const n = { srv, c, dir };
  started.push(n);
  return n;
}

after(async () => {
  for (const n of started.splice(0)) {
    n.c.disconnect();
    await n.srv.kill('SIGKILL');
    rmSync(n.dir, { recursive: true, force: true });
  }
  for (const f of fakes) f.close();
});

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const start = Date.now();
  while (!(await ok())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function linkUp(r: Node): Promise<boolean> {
  return /master_link_status:up/.test(await r.c.info('replication'));
}

async function masterWithData(kind: ServerKind): Promise<Node> {
  const m = await node(kind);
  const p = m.c.pipeline();
  for (let i = 0; i < 300; i++) p.set(`k${i}`, `v${i}`);
  p.rpush('list', 'a', 'b', 'c');
  p.hset('h', 'f', '1');
  await p.exec();
  return m;
}

for (const kind of KINDS) {
  test(`${kind} replica: repl-diskless-load disabled keeps the snapshot as dump.rdb`, async () => {
    const m = await masterWithData('reddish');
    const r = await node(kind, ['--repl-diskless-load', 'disabled']);
    await r.c.replicaof('127.0.0.1', m.srv.port);
    await until('link up', () => linkUp(r));
    const file = join(r.dir, 'dump.rdb');
    assert.ok(existsSync(file), 'the replica keeps the master snapshot as dump.rdb');
    assert.equal(readFileSync(file).subarray(0, 5).toString(), 'REDIS');
    // It is the master's data: a server started on it has the same digest.
    const copy = await startOnDir('reddish', r.dir, ['--save', '']);
    const cc = new Redis({ port: copy.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      assert.equal(await cc.call('DEBUG', 'DIGEST'), await m.c.call('DEBUG', 'DIGEST'));
    } finally {
      cc.disconnect();
      await copy.kill('SIGKILL');
    }
  });

  test(`${kind} replica: rdb-del-sync-files removes it on a replica without persistence`, async () => {
    const m = await masterWithData('reddish');
    const r = await node(kind, ['--repl-diskless-load', 'disabled', '--rdb-del-sync-files', 'yes']);
    await r.c.replicaof('127.0.0.1', m.srv.port);
    await until('link up', () => linkUp(r));
    assert.equal(await r.c.dbsize(), await m.c.dbsize());
    assert.ok(!existsSync(join(r.dir, 'dump.rdb')));
  });

  for (const mode of ['on-empty-db', 'swapdb']) {
    test(`${kind} replica: repl-diskless-load ${mode} loads from memory, no file`, async () => {
      const m = await masterWithData('reddish');
      const r = await node(kind, ['--repl-diskless-load', mode]);
      await r.c.replicaof('127.0.0.1', m.srv.port);
      await until('link up', () => linkUp(r));
      assert.equal(await r.c.call('DEBUG', 'DIGEST'), await m.c.call('DEBUG', 'DIGEST'));
      assert.ok(!existsSync(join(r.dir, 'dump.rdb')));
    });
  }

  for (const mode of ['swapdb', 'disabled']) {
    test(`${kind} replica: a corrupt payload with repl-diskless-load ${mode} ${mode === 'swapdb' ? 'keeps' : 'flushes'} the old data`, async () => {
      const { port, attempts } = await fakeMaster();
      const r = await node(kind, ['--repl-diskless-load', mode]);
      await r.c.set('mine', 'kept?');
      await r.c.rpush('mylist', '1', '2');
      await r.c.replicaof('127.0.0.1', port);
      // Two attempts: the first failed load, then the replica retried.
      await until('two sync attempts', async () => attempts() >= 2);
      if (mode === 'swapdb') {
        assert.equal(await r.c.get('mine'), 'kept?');
        assert.deepEqual(await r.c.lrange('mylist', 0, -1), ['1', '2']);
      } else {
        assert.equal(await r.c.dbsize(), 0);
      }
      assert.match(await r.c.info('replication'), /master_link_status:down/);
      // Redis renames the received file into place before loading it, so a
      // corrupt one replaces dump.rdb; Reddish keeps only a file that loaded.
      if (mode === 'swapdb' || kind === 'reddish') assert.ok(!existsSync(join(r.dir, 'dump.rdb')));
    });
  }
}

/**
 * A master that completes the handshake, answers +FULLRESYNC and sends a
 * payload that is not an RDB file; counts the PSYNCs it received.
 */
async function fakeMaster(): Promise<{ port: number; attempts: () => number }> {
  let psyncs = 0;
  const srv = net.createServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const cmd = takeCommand();
        if (cmd === null) return;
        const name = cmd[0].toLowerCase();
        if (name === 'ping') sock.write('+PONG\r\n');
        else if (name === 'psync') {
          psyncs++;
          const junk = Buffer.alloc(64, 0x41);
          sock.write(`+FULLRESYNC ${'a'.repeat(40)} 0\r\n$${junk.length}\r\n`);
          sock.write(junk);
        } else sock.write('+OK\r\n');
      }
    });
    function takeCommand(): string[] | null {
      if (!buf.startsWith('*')) {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return null;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        return line.split(' ');
      }
      const out: string[] = [];
      let pos = buf.indexOf('\r\n');
      if (pos < 0) return null;
      const n = Number(buf.slice(1, pos));
      pos += 2;
      for (let i = 0; i < n; i++) {
        const nl = buf.indexOf('\r\n', pos);
        if (nl < 0) return null;
        const len = Number(buf.slice(pos + 1, nl));
        if (buf.length < nl + 2 + len + 2) return null;
        out.push(buf.slice(nl + 2, nl + 2 + len));
        pos = nl + 2 + len + 2;
      }
      buf = buf.slice(pos);
      return out;
    }
  });
  fakes.push(srv);
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  return { port: (srv.address() as net.AddressInfo).port, attempts: () => psyncs };
}
