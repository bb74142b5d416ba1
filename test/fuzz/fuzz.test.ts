/**
 * Protocol fuzzing. For a bounded time (REDDISH_FUZZ_MS, default 20 s) many
 * connections throw random, truncated, oversized and malformed RESP/inline
 * input at one reddish-server. The server must never exit, must keep serving
 * a separate well-behaved client throughout, and must answer malformed input
 * with `-ERR Protocol error: ...` and then close the connection.
 *
 * A differential part sends a fixed list of malformed inputs to Redis 7.0 and
 * to Reddish and compares every byte received before the close.
 *
 * Reproduce with REDDISH_SEED=<seed> (printed as a diagnostic).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, redisAvailable, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { show } from '../differential/harness.js';
import { Rng, chooseSeed } from '../differential/generator.js';

const DURATION_MS = Number(process.env.REDDISH_FUZZ_MS ?? 20000);
const WORKERS = 24;

let server: RunningServer;
before(async () => {
  server = await startServer('reddish');
});
after(async () => {
  await server?.stop();
});

function mb(...args: string[]): string {
  return RawClient.encode(args);
}

/** Commands the fuzzer may send whole or cut: nothing that stops, blocks or reconfigures the server. */
const SAFE: string[][] = [
  ['PING'], ['SET', 'fz:a', 'value'], ['GET', 'fz:a'], ['ECHO', 'hello world'], ['INCR', 'fz:n'], ['DEL', 'fz:a', 'fz:b'], ['MGET', 'fz:a', 'fz:n', 'fz:x'],
  ['EXISTS', 'fz:a'], ['APPEND', 'fz:b', 'xyz'], ['SET', 'fz:big', 'x'.repeat(40000)], ['STRLEN', 'fz:big'], ['GETRANGE', 'fz:big', '0', '10'],
  ['MSET', 'fz:1', 'a', 'fz:2', 'b'], ['EXPIRE', 'fz:1', '1000'], ['TTL', 'fz:1'], ['DBSIZE'],
];

function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

function safeCommand(r: Rng): string {
  const c = r.pick(SAFE);
  return r.chance(0.7) ? mb(...c) : c.map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ') + '\r\n';
}

interface Case {
  kind: string;
  data: Buffer;
  /** The server must reply a protocol error and close. */
  expectProtocolError: boolean;
}

/** Inputs that must end in a protocol error whatever valid requests precede them. */
function malformed(r: Rng): string {
  return r.pick<() => string>([
    () => `*1\r\n$${r.pick(['9999999999', '536870913', '99999999999999999999999', '2147483648'])}\r\n`,
    () => `*1\r\n$-${r.range(1, 100)}\r\n`,
    () => `*${r.pick(['2147483648', '9999999999999', 'abc', '1x', '01', '+1', '-'])}\r\n`,
    // (A NUL inside a length line is not here: Redis, searching with strchr, treats the line as
    // unfinished and waits for more bytes; the differential cases below check that.)
    () => `*${r.range(1, 5)}\r\n${r.pick([':1', '+OK', '-ERR', '*1', 'PING', '_', '%1'])}\r\n`,
    () => `*2\r\n*1\r\n$4\r\nPING\r\n`,
    () => `SET a "b${r.pick(['', ' c', '\\"'])}\r\n`,
    () => `SET a 'b\r\n`,
    () => `ECHO "x"y\r\n`,
    () => 'A'.repeat(64 * 1024 + r.range(1, 10000)),
    () => '*' + '1'.repeat(64 * 1024 + r.range(1, 2000)),
    () => '*1\r\n$' + '9'.repeat(64 * 1024 + r.range(1, 2000)),
    () => `*1\r\n$3\r\nfoo\r\n*${r.pick(['x', '-', ''])}\r\n`,
  ])();
}

function makeCase(r: Rng): Case {
  const kind = r.weighted<string>([
    ['random-bytes', 5], ['cut-valid', 5], ['malformed', 6], ['valid-then-malformed', 3], ['resp-garbage', 3], ['huge-declared-bulk', 1], ['many-args', 1], ['nul-inline', 1],
  ]);
  switch (kind) {
    case 'random-bytes':
      return { kind, data: randomBytes(r, r.weighted([[r.range(1, 64), 5], [r.range(64, 4096), 3], [r.range(4096, 100000), 1]] as const)), expectProtocolError: false };
    case 'cut-valid': {
      let s = '';
      const n = r.range(1, 8);
      for (let i = 0; i < n; i++) s += safeCommand(r);
      const b = Buffer.from(s, 'latin1');
      return { kind, data: b.subarray(0, r.int(b.length + 1)), expectProtocolError: false };
    }
    case 'malformed':
      return { kind, data: Buffer.from(malformed(r), 'latin1'), expectProtocolError: true };
    case 'valid-then-malformed': {
      let s = '';
      const n = r.range(1, 5);
      for (let i = 0; i < n; i++) s += safeCommand(r);
      return { kind, data: Buffer.from(s + malformed(r), 'latin1'), expectProtocolError: true };
    }
    case 'resp-garbage': {
      // structurally RESP-like noise: prefixes, numbers and CRLFs in random order
      let s = '';
      const n = r.range(1, 40);
      for (let i = 0; i < n; i++) {
        s += r.pick(['*', '$', ':', '+', '-', '\r\n', '\r', '\n', '"', "'", '\\', ' ', '\x00', String(r.range(-5, 20)), 'PING', 'SET', 'x', '\xff']);
      }
      return { kind, data: Buffer.from(s, 'latin1'), expectProtocolError: false };
    }
    case 'huge-declared-bulk': {
      // a valid but huge bulk header, part of its payload, then the client goes away
      const len = r.pick([100_000, 1_000_000, 64 * 1024 * 1024, 512 * 1024 * 1024]);
      const part = 'y'.repeat(r.int(50_000));
      return { kind, data: Buffer.from(`*2\r\n$4\r\nECHO\r\n$${len}\r\n${part}`, 'latin1'), expectProtocolError: false };
    }
    case 'many-args': {
      // a large but legal argument count, only partly sent
      const count = r.pick([1000, 100000, 1024 * 1024, 2147483647]);
      let s = `*${count}\r\n`;
      for (let i = 0, n = r.int(200); i < n; i++) s += '$1\r\na\r\n';
      return { kind, data: Buffer.from(s, 'latin1'), expectProtocolError: false };
    }
    default: {
      // A NUL in an inline line makes it unfinished for Redis (strchr stops there): no reply, no error, the connection stays
      return { kind: 'nul-inline', data: Buffer.from(`PI\x00NG\r\nECHO a\x00b\r\n\x00\r\n`, 'latin1'), expectProtocolError: false };
    }
  }
}

/** Sends one case on a fresh connection; resolves with what came back and whether the server closed. */
async function runCase(port: number, c: Case, r: Rng): Promise<{ got: string; closedByServer: boolean; reset: boolean }> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  let got = '';
  let closedByServer = false;
  let ended = false;
  let reset = false;
  sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
  await new Promise<void>((resolve) => {
    sock.once('connect', () => resolve());
    sock.once('error', () => resolve());
  });
  const done = new Promise<void>((resolve) => {
    sock.on('close', () => {
      if (!ended) closedByServer = true;
      resolve();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true;
    });
  });
  // write in one go or in random pieces with small pauses
  if (r.chance(0.5) || c.data.length < 2) {
    sock.write(c.data);
  } else {
    let pos = 0;
    while (pos < c.data.length && !sock.destroyed) {
      const n = Math.max(1, r.int(Math.min(c.data.length - pos, 20000)) + 1);
      sock.write(c.data.subarray(pos, pos + n));
      pos += n;
      if (r.chance(0.3)) await new Promise((res) => setTimeout(res, r.int(5)));
    }
  }
  const wait = c.expectProtocolError ? 5000 : r.pick([0, 10, 50, 150]);
  await Promise.race([done, new Promise((res) => setTimeout(res, wait))]);
  ended = true;
  sock.destroy();
  await done;
  return { got, closedByServer, reset };
}

test('the server survives fuzzed input from many connections and keeps serving', async (t) => {
  const seed = chooseSeed();
  t.diagnostic(`seed ${seed} (rerun with REDDISH_SEED=${seed}); ${DURATION_MS} ms, ${WORKERS} connections at a time`);
  const deadline = Date.now() + DURATION_MS;
  const failures: string[] = [];
  const counts = new Map<string, number>();
  let resets = 0;
  let checkedErrors = 0;

  // the well-behaved client
  const good = await RawClient.connect(server.port);
  let goodOps = 0;
  let maxLatency = 0;
  const goodLoop = (async () => {
    let i = 0;
    while (Date.now() < deadline && failures.length === 0) {
      const t0 = Date.now();
      const v = `value-${i}-${'z'.repeat(i % 100)}`;
      const pong = await good.call('PING');
      const ok = await good.call('SET', `good:${i % 50}`, v);
      const back = await good.call('GET', `good:${i % 50}`);
      if (pong !== '+PONG\r\n' || ok !== '+OK\r\n' || back !== `$${v.length}\r\n${v}\r\n`) {
        failures.push(`well-behaved client got ${show(pong)} ${show(ok)} ${show(back)}`);
      }
      maxLatency = Math.max(maxLatency, Date.now() - t0);
      goodOps++;
      i++;
      await new Promise((res) => setTimeout(res, 5));
    }
  })().catch((e: Error) => failures.push(`well-behaved client: ${e.message}`));

  const workers = Array.from({ length: WORKERS }, async (_, w) => {
    const r = new Rng((seed + w * 7919) >>> 0);
    while (Date.now() < deadline && failures.length === 0) {
      const c = makeCase(r);
      counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
      const { got, closedByServer, reset } = await runCase(server.port, c, r);
      const at = got.indexOf('-ERR Protocol error: ');
      const desc = () => `[worker ${w}, ${c.kind}] sent ${show(c.data.toString('latin1'))}\n   got ${show(got)} closedByServer=${closedByServer}`;
      if (c.expectProtocolError) {
        // When the server closes while we are still sending, the kernel answers our bytes with a
        // reset, which may discard its reply before we read it (Redis behaves the same way): then
        // the close is all we can check.
        const lostToReset = reset && at < 0;
        if (lostToReset) resets++;
        else checkedErrors++;
        if ((at < 0 && !lostToReset) || !closedByServer) failures.push(`expected a protocol error and a close: ${desc()}`);
      }
      if (at >= 0) {
        const rest = got.slice(at);
        const eol = rest.indexOf('\r\n');
        if (eol < 0 || eol + 2 !== rest.length) failures.push(`bytes after a protocol error, or an unterminated one: ${desc()}`);
        else if (!closedByServer && c.expectProtocolError) failures.push(`no close after a protocol error: ${desc()}`);
      }
      if (server.proc.exitCode !== null || server.proc.signalCode !== null) {
        failures.push(`server exited (code ${server.proc.exitCode}, signal ${server.proc.signalCode}) after ${desc()}\n${server.output().slice(-2000)}`);
      }
    }
  });
  await Promise.all([...workers, goodLoop]);
  t.diagnostic(`cases: ${[...counts].map(([k, v]) => `${k}=${v}`).join(' ')}; well-behaved ops ${goodOps}, worst round trip ${maxLatency} ms; protocol errors seen ${checkedErrors}, replies lost to a reset ${resets}`);

  assert.equal(failures.length, 0, `REDDISH_SEED=${seed}\n${failures.slice(0, 10).join('\n')}`);
  assert.equal(server.proc.exitCode, null, `server exited:\n${server.output().slice(-2000)}`);
  assert.equal(server.proc.signalCode, null);
  // still alive and serving afterwards, on the old connection and a new one
  assert.equal(await good.call('PING'), '+PONG\r\n');
  const fresh = await RawClient.connect(server.port);
  assert.equal(await fresh.call('SET', 'after', 'fuzz'), '+OK\r\n');
  assert.equal(await fresh.call('GET', 'after'), '$4\r\nfuzz\r\n');
  fresh.close();
  good.close();
  assert.ok(goodOps > 10, `the well-behaved client only managed ${goodOps} rounds`);
});

/** Malformed inputs whose complete byte stream before the close must match Redis. */
const DIFFERENTIAL: Array<[string, string]> = [
  ['negative bulk length', '*1\r\n$-1\r\n'],
  ['bulk length over proto-max-bulk-len', '*1\r\n$536870913\r\n'],
  ['bulk length not a number', '*2\r\n$3\r\nGET\r\n$x\r\n'],
  ['bulk length with a plus sign', '*1\r\n$+4\r\nPING\r\n'],
  ['bulk length with a leading zero', '*1\r\n$04\r\nPING\r\n'],
  // Redis finds line ends with strchr, which stops at a NUL: the line never ends, and 64 KiB later it is "too big"
  ['NUL in the bulk length line', '*1\r\n$\x00\r\n' + 'A'.repeat(70 * 1024)],
  ['NUL in the multibulk count line', '*\x001\r\n' + 'A'.repeat(70 * 1024)],
  ['multibulk count above INT_MAX', '*2147483648\r\n'],
  ['multibulk count garbage', '*1x\r\n'],
  ['multibulk count just a minus', '*-\r\n'],
  ['multibulk count with a trailing space', '*1 \r\n$4\r\nPING\r\n'],
  ['integer where a bulk should be', '*1\r\n:1\r\n'],
  ['nested array', '*2\r\n*1\r\n$4\r\nPING\r\n'],
  ['simple string where a bulk should be', '*1\r\n+PING\r\n'],
  ['unbalanced double quotes', 'SET a "b\r\n'],
  ['unbalanced single quotes', "SET a 'b c\r\n"],
  ['closing quote followed by a letter', 'ECHO "a"b\r\n'],
  ['valid commands then garbage', 'PING\r\n' + mb('SET', 'k', 'v') + mb('GET', 'k') + 'ECHO "x y"\r\n*1\r\n$x\r\n'],
  ['LF-only multibulk lines', '*1\n$4\nPING\n\r\n'],
  ['bulk shorter than declared: CRLF not checked', '*1\r\n$1\r\nab\r\nPING\r\n*x\r\n'],
  ['inline with CR only', 'PING\r*x\r\nECHO a\r\n*x\r\n'],
  ['quote inside a token', 'ECHO a"b c"\r\n*x\r\n'],
  ['NUL bytes in an inline command', 'PI\x00NG\r\n' + 'A'.repeat(70 * 1024)],
  ['empty lines and zero/negative counts', '\r\n\n*0\r\n*-1\r\n   \r\nPING\r\n*y\r\n'],
  ['inline over 64 KiB without newline', 'A'.repeat(70 * 1024)],
  ['multibulk count line over 64 KiB', '*' + '1'.repeat(70 * 1024)],
  ['bulk length line over 64 KiB', '*1\r\n$' + '1'.repeat(70 * 1024)],
  ['a bulk line over 64 KiB without the $', '*1\r\n' + 'x'.repeat(70 * 1024)],
  ['unknown command then error', 'FOO bar\r\n*1\r\n:0\r\n'],
  ['escape sequences', 'ECHO "\\x41\\x4\\q\\n"\r\n*x\r\n'],
];

test('malformed input: bytes before the close match Redis 7.0', async (t) => {
  if (!redisAvailable()) {
    t.skip('redis-server is not installed');
    return;
  }
  const redis = await startServer('redis');
  try {
    const diffs: string[] = [];
    for (const [name, input] of DIFFERENTIAL) {
      const results = await Promise.all(
        [redis.port, server.port].map(async (port) => {
          const c = await RawClient.connect(port);
          c.write(input);
          try {
            return await c.readUntilClose(5000);
          } catch (e) {
            return `<${(e as Error).message}>`;
          } finally {
            c.close();
          }
        }),
      );
      if (results[0] !== results[1]) diffs.push(`${name}: sent ${show(input)}\n   redis:   ${show(results[0])}\n   reddish: ${show(results[1])}`);
      if (!results[0].includes('Protocol error')) diffs.push(`${name}: (test bug) redis did not answer a protocol error: ${show(results[0])}`);
    }
    assert.equal(diffs.length, 0, diffs.join('\n'));
  } finally {
    await redis.stop();
  }
});
