/**
 * Connection life cycle, side by side with Redis 7.0: a client that half-closes
 * after its requests gets every reply and then the server closes its side
 * (Reddish also when megabytes are still queued, where Redis drops them); a
 * connection over maxclients gets Redis's error line and is closed; many
 * short-lived connections leave nothing behind; a client blocked in BLPOP
 * that goes away is forgotten (a later push stays in the list).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, redisAvailable, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

const servers: RunningServer[] = [];
before(async () => {
  servers.push(await startServer('reddish'));
  if (redisAvailable()) servers.push(await startServer('redis'));
});
after(async () => {
  for (const s of servers) await s.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Connects and writes `data`, half-closing after it when `halfClose`.
 * Resolves with the bytes received and whether the server ended the
 * connection; early (serverClosed false) once `until` matches, or at the timeout.
 */
function exchange(
  port: number,
  data: string,
  opts: { halfClose: boolean; until?: RegExp; timeoutMs?: number },
): Promise<{ bytes: string; serverClosed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let bytes = '';
    const done = (serverClosed: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ bytes, serverClosed });
    };
    const timer = setTimeout(() => done(false), opts.timeoutMs ?? 5000);
    s.on('connect', () => (opts.halfClose ? s.end(data, 'latin1') : s.write(data, 'latin1')));
    s.on('data', (d: Buffer) => {
      bytes += d.toString('latin1');
      if (opts.until?.test(bytes)) done(false);
    });
    s.on('end', () => done(true));
    s.on('error', reject);
  });
}

const sendAndHalfClose = (port: number, data: string, timeoutMs?: number) => exchange(port, data, { halfClose: true, timeoutMs });

async function info(c: RawClient, field: string): Promise<number> {
  const text = await c.call('INFO', 'everything');
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
  assert.ok(m, `INFO has ${field}`);
  return Number(m[1]);
}

async function until(cond: () => Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

test('requests followed by a half-close: every reply arrives, then the server closes', async () => {
  const seen: string[] = [];
  for (const s of servers) {
    const admin = await RawClient.connect(s.port);
    const base = await info(admin, 'connected_clients');
    await admin.call('DEL', 'hc:list');
    const req =
      RawClient.encode(['SET', 'hc:k', 'v']) +
      RawClient.encode(['GET', 'hc:k']) +
      RawClient.encode(['RPUSH', 'hc:list', 'a', 'b']) +
      RawClient.encode(['LRANGE', 'hc:list', '0', '-1']);
    const r = await sendAndHalfClose(s.port, req);
    assert.ok(r.serverClosed, `${s.kind} closed the connection after the client's FIN`);
    assert.equal(r.bytes, '+OK\r\n$1\r\nv\r\n:2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n', `${s.kind} replies`);
    seen.push(r.bytes);
    await until(async () => (await info(admin, 'connected_clients')) === base, `${s.kind} to forget the closed client`);
    admin.close();
  }
  if (seen.length === 2) assert.equal(seen[0], seen[1]);
});

// Where Reddish deliberately differs: Redis frees a client at its FIN and drops
// replies the kernel has not taken yet (an 8 MB GET arrives cut short);
// Reddish sends what is queued, then closes.
test('a half-close with 8 MB of replies still queued: Reddish sends them all, then closes', async () => {
  const s = servers[0];
  const admin = await RawClient.connect(s.port);
  const base = await info(admin, 'connected_clients');
  const big = 'x'.repeat(8_000_000);
  assert.equal(await admin.call('SET', 'hc:big', big), '+OK\r\n');
  const r = await sendAndHalfClose(s.port, RawClient.encode(['GET', 'hc:big']) + RawClient.encode(['PING']), 10000);
  assert.ok(r.serverClosed);
  assert.equal(r.bytes.length, 8_000_000 + 19);
  assert.equal(r.bytes, `$8000000\r\n${big}\r\n+PONG\r\n`);
  await until(async () => (await info(admin, 'connected_clients')) === base, 'the closed client to be forgotten');
  admin.close();
});

test('over maxclients: the error line, then the server closes the connection', async () => {
  for (const s of servers) {
    const admin = await RawClient.connect(s.port);
    const before = await info(admin, 'rejected_connections');
    const base = await info(admin, 'connected_clients');
    assert.equal(await admin.call('CONFIG', 'SET', 'maxclients', String(base + 1)), '+OK\r\n');
    const second = await RawClient.connect(s.port);
    assert.equal(await second.call('PING'), '+PONG\r\n');
    try {
      const r = await exchange(s.port, 'PING\r\n', { halfClose: false, until: /PONG/, timeoutMs: 3000 });
      assert.equal(r.bytes, '-ERR max number of clients reached\r\n', `${s.kind} refusal`);
      assert.ok(r.serverClosed, `${s.kind} closed the refused connection`);
    } finally {
      second.close();
      await until(async () => (await info(admin, 'connected_clients')) === base, `${s.kind} client count`);
      await admin.call('CONFIG', 'SET', 'maxclients', '10000');
    }
    assert.equal(await info(admin, 'rejected_connections'), before + 1, `${s.kind} rejected_connections`);
    admin.close();
  }
});

test('600 short-lived connections: each answered, counted, and gone', async () => {
  for (const s of servers) {
    const admin = await RawClient.connect(s.port);
    const before = await info(admin, 'total_connections_received');
    const base = await info(admin, 'connected_clients');
    let answered = 0;
    for (let batch = 0; batch < 12; batch++) {
      const got = await Promise.all(Array.from({ length: 50 }, (_, i) => sendAndHalfClose(s.port, `ECHO b${batch}c${i}\r\n`)));
      for (const [i, g] of got.entries()) {
        const want = `b${batch}c${i}`;
        assert.equal(g.bytes, `$${want.length}\r\n${want}\r\n`, `${s.kind} reply`);
        assert.ok(g.serverClosed);
        answered++;
      }
    }
    assert.equal(answered, 600);
    assert.equal(await info(admin, 'total_connections_received'), before + 600, `${s.kind} total_connections_received`);
    await until(async () => (await info(admin, 'connected_clients')) === base, `${s.kind} connected_clients back to ${base}`);
    admin.close();
  }
});

test('a client blocked in BLPOP that goes away is forgotten: the next push stays in the list', async () => {
  for (const s of servers) {
    const admin = await RawClient.connect(s.port);
    await admin.call('DEL', 'hc:q');
    const r = sendAndHalfClose(s.port, RawClient.encode(['BLPOP', 'hc:q', '0']), 3000);
    const got = await r;
    assert.equal(got.bytes, '', `${s.kind} sent nothing to the blocked client`);
    assert.ok(got.serverClosed, `${s.kind} closed the blocked client's connection`);
    await until(async () => (await info(admin, 'blocked_clients')) === 0, `${s.kind} blocked_clients 0`);
    assert.equal(await admin.call('RPUSH', 'hc:q', 'job'), ':1\r\n');
    assert.equal(await admin.call('LLEN', 'hc:q'), ':1\r\n', `${s.kind} kept the job`);
    admin.close();
  }
});
