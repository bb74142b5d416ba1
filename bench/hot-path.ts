/**
 * In-process cost of the request path, without sockets: 16-command pipelines
 * fed straight to Server#onData with a socket stand-in, reported as ns per
 * command. On a shared VM where redis-benchmark's ratios move ±15% between
 * runs, this is the steady number to compare before and after a hot-path
 * change. Run: npm run build && node dist/bench/hot-path.js [TEST]
 */
import type { Socket } from 'node:net';
import { Config } from '../src/config/config.js';
import { Server } from '../src/server.js';
import { Client } from '../src/net/client.js';

function batch(cmd: (i: number) => string[], n = 16): Buffer {
  let s = '';
  for (let i = 0; i < n; i++) {
    const args = cmd(i);
    s += `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
  }
  return Buffer.from(s, 'latin1');
}

const TESTS: Record<string, Buffer> = {
  PING_INLINE: Buffer.from('PING\r\n'.repeat(16)),
  PING_MBULK: batch(() => ['PING']),
  SET: batch(() => ['SET', 'key:__rand_int__', 'xxx']),
  GET: batch(() => ['GET', 'key:__rand_int__']),
  INCR: batch(() => ['INCR', 'counter:__rand_int__']),
  LPUSH: batch(() => ['LPUSH', 'mylist', 'xxx']),
  LPOP: batch(() => ['LPOP', 'mylist']),
  SADD: batch((i) => ['SADD', 'myset', `element:${(i * 7919) % 100000}`]),
  HSET: batch((i) => ['HSET', 'myhash', `element:${(i * 7919) % 100000}`, 'xxx']),
  ZADD: batch((i) => ['ZADD', 'myzset', '0', `element:${(i * 7919) % 100000}`]),
  ZPOPMIN: batch(() => ['ZPOPMIN', 'myzset']),
  MSET: batch(() => ['MSET', ...Array.from({ length: 10 }, (_, k) => [`key:${k}`, 'xxx']).flat()]),
  // The sha of INCR_SCRIPT, loaded by SETUP.
  EVALSHA: batch((i) => ['EVALSHA', '61636018f4e6b5817b89791bbed242f93fa089e3', '1', `counter:${i}`]),
  // Trimmed so millions of runs stay in memory; the trim is rarely due (~).
  XADD: batch(() => ['XADD', 'mystream', 'MAXLEN', '~', '100000', '*', 'field', 'value']),
  // redis-benchmark's form (bench:scripts): the stream keeps every entry.
  XADD_PLAIN: batch(() => ['XADD', 'plainstream', '*', 'field', 'value']),
};

const INCR_SCRIPT = "return redis.call('INCR', KEYS[1])";
/** Sent once before a test's runs. */
const SETUP: Record<string, Buffer> = {
  EVALSHA: batch(() => ['SCRIPT', 'LOAD', INCR_SCRIPT], 1),
};

const server = new Server(new Config());
// Only what Client and Server touch on the request path.
const socket = {
  write: () => true, writableLength: 0, remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2,
  on: () => socket, pause: () => socket, resume: () => socket, destroy: () => socket, end: () => socket,
} as unknown as Socket;
const client = new Client(server, socket, 1);
server.clients.set(client.id, client);

const only = process.argv[2];
for (const [name, buf] of Object.entries(TESTS)) {
  if (only && only !== name) continue;
  if (SETUP[name] !== undefined) server.onData(client, SETUP[name]);
  for (let i = 0; i < 20000; i++) server.onData(client, buf);
  const n = 200000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) server.onData(client, buf);
  const ns = ((performance.now() - t0) * 1e6) / (n * 16);
  console.log(`${name.padEnd(12)} ${ns.toFixed(0).padStart(5)} ns/command`);
}
process.exit(0);
