/**
 * client-output-buffer-limit enforced: a subscriber that stops reading is
 * closed at the pubsub class's hard limit, or after soft-seconds over the
 * soft limit (not before); a stopped replica is dropped by its master at the
 * replica class's soft limit and comes back by itself once it runs again.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A subscriber that never reads its socket: the kernel buffers fill, then the server's output waits. */
async function stuckSubscriber(port: number, channel: string): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${channel.length}\r\n${channel}\r\n`);
  await sleep(100);
  s.pause();
  return s;
}

async function numsub(c: Redis, channel: string): Promise<number> {
  const r = (await c.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(r[1]);
}

async function publishBytes(c: Redis, channel: string, total: number): Promise<void> {
  const msg = 'x'.repeat(64 * 1024);
  const p = c.pipeline();
  for (let sent = 0; sent < total; sent += msg.length) p.publish(channel, msg);
  await p.exec();
}

describe('client-output-buffer-limit', () => {
  const servers: RunningServer[] = [];
  const sockets: net.Socket[] = [];
  const clients: Redis[] = [];
  after(async () => {
    for (const s of sockets) s.destroy();
    for (const c of clients) c.disconnect();
    for (const s of servers) await s.stop();
  });

  it('closes a stuck subscriber at the pubsub hard limit', async () => {
    const srv = await startServer('reddish', ['--client-output-buffer-limit', 'pubsub', '1mb', '0', '0']);
    servers.push(srv);
    const c = new Redis({ port: srv.port, host: '127.0.0.1' });
    clients.push(c);
    sockets.push(await stuckSubscriber(srv.port, 'news'));
    assert.equal(await numsub(c, 'news'), 1);
    await publishBytes(c, 'news', 8 * 1024 * 1024);
    assert.equal(await numsub(c, 'news'), 0, 'the subscriber was closed');
    assert.match(srv.output(), /scheduled to be closed ASAP for overcoming of output buffer limits/);
  });

  it('keeps a subscriber over the soft limit for less than soft-seconds, closes it after', async () => {
    const srv = await startServer('reddish', ['--client-output-buffer-limit', 'pubsub', '0', '512kb', '1']);
    servers.push(srv);
    const c = new Redis({ port: srv.port, host: '127.0.0.1' });
    clients.push(c);
    sockets.push(await stuckSubscriber(srv.port, 'news'));
    await publishBytes(c, 'news', 8 * 1024 * 1024);
    assert.equal(await numsub(c, 'news'), 1, 'still there: over the soft limit for less than a second');
    await sleep(1300);
    await c.publish('news', 'one more');
    assert.equal(await numsub(c, 'news'), 0, 'closed after a second over the soft limit');
  });

  it('drops a stopped replica at the replica soft limit; it resyncs once it runs again', async () => {
    const master = await startServer('reddish', ['--client-output-buffer-limit', 'replica', '0', '1mb', '1', '--repl-diskless-sync-delay', '0']);
    servers.push(master);
    const replica = await startServer('reddish', ['--replicaof', '127.0.0.1', String(master.port)]);
    servers.push(replica);
    const m = new Redis({ port: master.port, host: '127.0.0.1' });
    clients.push(m);
    const connected = async (): Promise<number> => Number(/connected_slaves:(\d+)/.exec(String(await m.info('replication')))![1]);
    for (let i = 0; i < 100 && (await connected()) < 1; i++) await sleep(50);
    assert.equal(await connected(), 1);
    replica.proc.kill('SIGSTOP');
    try {
      const value = 'v'.repeat(64 * 1024);
      const start = Date.now();
      while (Date.now() - start < 4000 && (await connected()) > 0) {
        const p = m.pipeline();
        for (let i = 0; i < 32; i++) p.set(`k${i}`, value);
        await p.exec();
        await sleep(50);
      }
      assert.equal(await connected(), 0, 'the master dropped the stopped replica');
      assert.match(master.output(), /scheduled to be closed ASAP for overcoming of output buffer limits/);
    } finally {
      replica.proc.kill('SIGCONT');
    }
    const r = new Redis({ port: replica.port, host: '127.0.0.1' });
    clients.push(r);
    for (let i = 0; i < 200; i++) {
      const inf = String(await r.info('replication'));
      if (inf.includes('master_link_status:up') && (await r.get('k0')) !== null) break;
      await sleep(50);
    }
    assert.equal((await r.get('k0'))?.length, 64 * 1024);
  });
});
