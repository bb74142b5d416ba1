/**
 * Replies the kernel cannot take at once (a client that stops reading):
 * they wait in the server, counted in CLIENT LIST's omem, and arrive whole
 * and in order once the client reads; past 64 MB waiting the server stops
 * reading the client's requests and resumes once its output has drained.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const servers: RunningServer[] = [];
const clients: Redis[] = [];
const sockets: net.Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  for (const c of clients) c.disconnect();
  for (const s of servers) await s.stop();
});

async function setup(): Promise<{ port: number; admin: Redis }> {
  const srv = await startServer('reddish');
  servers.push(srv);
  const admin = new Redis({ port: srv.port, host: '127.0.0.1' });
  clients.push(admin);
  return { port: srv.port, admin };
}

/** A socket that reads nothing until told to, then gathers `total` bytes. */
async function pausedSocket(port: number): Promise<{ sock: net.Socket; readAll: (total: number) => Promise<Buffer> }> {
  const sock = net.connect(port, '127.0.0.1');
  sockets.push(sock);
  await new Promise((r) => sock.once('connect', r));
  sock.pause();
  const readAll = (total: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let got = 0;
      const timer = setTimeout(() => reject(new Error(`timed out with ${got} of ${total} bytes`)), 30_000);
      sock.on('data', (d: Buffer) => {
        parts.push(d);
        got += d.length;
        if (got >= total) {
          clearTimeout(timer);
          resolve(Buffer.concat(parts));
        }
      });
      sock.resume();
    });
  return { sock, readAll };
}

function omemOf(list: string, name: string): number {
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  assert.ok(line, `client ${name} in CLIENT LIST`);
  return Number(/ omem=(\d+)/.exec(line)![1]);
}

test('a reply the kernel cannot take at once waits, is counted in omem, and arrives whole and in order', async () => {
  const { port, admin } = await setup();
  // Distinct bytes at every position, so a lost or reordered chunk shows.
  const value = Array.from({ length: 1_200_000 }, (_, i) => String(i).padStart(7, '0')).join('');
  await admin.set('big', value);
  const { sock, readAll } = await pausedSocket(port);
  const script = [['CLIENT', 'SETNAME', 'slowreader'], ['GET', 'big'], ['PING'], ['GET', 'big'], ['ECHO', 'tail']];
  sock.write(script.map((a) => RawClient.encode(a)).join(''));
  await sleep(300);
  const omem = omemOf(String(await admin.client('LIST')), 'slowreader');
  assert.ok(omem > 1024 * 1024, `omem counts the waiting reply bytes (${omem})`);
  const bulk = `$${value.length}\r\n${value}\r\n`;
  const expected = `+OK\r\n${bulk}+PONG\r\n${bulk}$4\r\ntail\r\n`;
  const got = await readAll(expected.length);
  assert.equal(got.length, expected.length);
  assert.ok(got.equals(Buffer.from(expected, 'latin1')), 'the bytes arrive whole and in order');
  await sleep(50);
  assert.equal(omemOf(String(await admin.client('LIST')), 'slowreader'), 0, 'nothing waits once read');
});

test('past 64 MB of waiting replies the server stops reading the client, and resumes once they drain', async () => {
  const { port, admin } = await setup();
  const value = 'v'.repeat(3 * 1024 * 1024);
  await admin.set('big', value);
  const { sock, readAll } = await pausedSocket(port);
  const gets = 24; // 72 MB of replies
  sock.write(Array.from({ length: gets }, () => RawClient.encode(['GET', 'big'])).join(''));
  await sleep(500);
  // Sent while the server is not reading this client: answered only after the output drained.
  sock.write(RawClient.encode(['INCR', 'after-drain']));
  await sleep(200);
  assert.equal(await admin.get('after-drain'), null, 'the request waits while 72 MB of replies do');
  const bulk = `$${value.length}\r\n${value}\r\n`;
  const total = bulk.length * gets + ':1\r\n'.length;
  const got = await readAll(total);
  assert.equal(got.subarray(got.length - 4).toString(), ':1\r\n');
  assert.equal(await admin.get('after-drain'), '1');
});
