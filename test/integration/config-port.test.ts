/**
 * CONFIG SET port / bind move the listener, as Redis does; a port that cannot
 * be bound leaves the server where it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../support/servers.js';
import { freePort } from '../support/free-port.js';
import { RawClient } from '../support/raw-client.js';

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function eventually(f: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

test('CONFIG SET port moves the listener; an occupied port is refused and the old one kept', async () => {
  const srv = await startServer('reddish');
  const blocker = net.createServer();
  try {
    const c = await RawClient.connect(srv.port);
    const next = await freePort();
    assert.equal(await c.call('CONFIG', 'SET', 'port', String(next)), '+OK\r\n');
    assert.ok(await eventually(() => accepts(next)), 'new port accepts');
    assert.ok(await eventually(async () => !(await accepts(srv.port))), 'old port closed');
    // The existing connection stays.
    assert.equal(await c.call('PING'), '+PONG\r\n');

    const busy = await freePort();
    await new Promise<void>((r) => blocker.listen(busy, '127.0.0.1', () => r()));
    await c.call('CONFIG', 'SET', 'port', String(busy));
    assert.ok(
      await eventually(async () => (await c.call('CONFIG', 'GET', 'port')) === `*2\r\n$4\r\nport\r\n$${String(next).length}\r\n${next}\r\n`),
      'port reverts',
    );
    assert.ok(await accepts(next), 'still listening on the previous port');
    c.close();
  } finally {
    blocker.close();
    await srv.stop();
  }
});
