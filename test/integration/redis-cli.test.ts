/**
 * The real `redis-cli` against a real reddish-server: one-shot commands in raw
 * and --no-raw and RESP3 (-3) output, compared with what the same redis-cli
 * prints against Redis 7.0; inline commands over a raw socket; and
 * `redis-cli --pipe` mass insertion of 100k SETs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { startServer, redisAvailable, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

const haveCli = spawnSync('redis-cli', ['--version']).status === 0;

let reddish: RunningServer;
let redis: RunningServer | undefined;
before(async () => {
  reddish = await startServer('reddish');
  if (redisAvailable()) redis = await startServer('redis');
});
after(async () => {
  await reddish?.stop();
  await redis?.stop();
});

function cli(port: number, args: string[], input?: string | Buffer, timeoutMs = 60000): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d.toString('latin1')));
    p.stderr.on('data', (d) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`redis-cli ${args.join(' ')} timed out; stdout so far: ${stdout.slice(-500)}`));
    }, timeoutMs);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

test('redis-cli one-shot commands', { skip: !haveCli && 'redis-cli is not installed' }, async () => {
  const p = reddish.port;
  assert.equal((await cli(p, ['set', 'k', 'v'])).stdout, 'OK\n');
  assert.equal((await cli(p, ['get', 'k'])).stdout, 'v\n');
  assert.equal((await cli(p, ['--no-raw', 'get', 'k'])).stdout, '"v"\n');
  assert.equal((await cli(p, ['--no-raw', 'get', 'nokey'])).stdout, '(nil)\n');
  assert.equal((await cli(p, ['--no-raw', 'incr', 'counter'])).stdout, '(integer) 1\n');
  assert.equal((await cli(p, ['--no-raw', 'mget', 'k', 'nokey'])).stdout, '1) "v"\n2) (nil)\n');
  assert.equal((await cli(p, ['set', 'spaced key', 'a value with spaces'])).stdout, 'OK\n');
  assert.equal((await cli(p, ['get', 'spaced key'])).stdout, 'a value with spaces\n');
  const hello = (await cli(p, ['-3', '--no-raw', 'hello', '3'])).stdout;
  assert.match(hello, /^1# "server" => "redis"\n2# "version" => "7\.0\.\d+"\n3# "proto" => \(integer\) 3\n4# "id" => \(integer\) \d+\n5# "mode" => "standalone"\n/);
  const info = await cli(p, ['INFO', 'server']);
  assert.match(info.stdout, /^# Server\r?\n/);
  assert.match(info.stdout, /redis_version:7\.0\.\d+/);
  assert.match(info.stdout, new RegExp(`tcp_port:${p}\\b`));
  // commands read from stdin, one per line
  const piped = await cli(p, [], 'SET fromstdin 1\nINCR fromstdin\nGET fromstdin\n');
  assert.equal(piped.stdout, 'OK\n2\n2\n');
});

/** redis-cli invocations whose output must be identical against Redis and Reddish. */
const SAME_OUTPUT: string[][] = [
  ['set', 'a', 'hello'], ['get', 'a'], ['--no-raw', 'get', 'a'], ['--no-raw', 'get', 'missing'], ['--no-raw', 'append', 'a', ' world'],
  ['--no-raw', 'getrange', 'a', '0', '4'], ['--no-raw', 'mset', 'x', '1', 'y', '2'], ['--no-raw', 'mget', 'x', 'y', 'z'], ['--no-raw', 'incrby', 'x', '41'],
  ['--no-raw', 'incr', 'a'], ['incr', 'a'], ['--no-raw', 'nosuchcommand', 'arg'], ['--no-raw', 'get'], ['--no-raw', 'exists', 'a', 'x', 'nope'],
  ['--no-raw', 'ttl', 'a'], ['--no-raw', 'type', 'a'], ['--no-raw', 'del', 'y'], ['--no-raw', 'set', 'bin', 'a\x01b\xffc'], ['--no-raw', 'get', 'bin'],
  ['get', 'bin'], ['--no-raw', 'strlen', 'bin'], ['--no-raw', 'echo', 'line1\nline2'], ['echo', 'line1\nline2'], ['--no-raw', 'ping'], ['ping'],
  ['--no-raw', 'ping', 'hi'], ['-3', '--no-raw', 'get', 'a'], ['-3', '--no-raw', 'get', 'missing'], ['-3', '--no-raw', 'mget', 'a', 'missing'],
  ['-3', '--no-raw', 'incr', 'x'], ['-3', 'get', 'a'], ['-3', '--no-raw', 'nosuchcommand'], ['--no-raw', 'select', '1'], ['-n', '2', '--no-raw', 'dbsize'],
  ['--no-raw', 'exists', 'a'], ['--no-raw', 'expire', 'a', '1000'], ['--no-raw', 'persist', 'a'], ['--no-raw', 'setex', 'e', '0', 'v'],
  ['-x', 'set', 'fromstdin'], ['--no-raw', 'get', 'fromstdin'], ['--no-raw', 'dbsize'], ['--no-raw', 'flushall'], ['--no-raw', 'dbsize'],
];

test('redis-cli prints the same against Redis 7.0 and Reddish', { skip: (!haveCli || !redisAvailable()) && 'redis-cli/redis-server not installed' }, async () => {
  await cli(reddish.port, ['flushall']);
  await cli(redis!.port, ['flushall']);
  const diffs: string[] = [];
  for (const args of SAME_OUTPUT) {
    const input = args.includes('-x') ? 'stdin value\n' : undefined;
    const [a, b] = await Promise.all([cli(redis!.port, args, input), cli(reddish.port, args, input)]);
    if (a.stdout !== b.stdout || a.code !== b.code) {
      diffs.push(`redis-cli ${JSON.stringify(args)}\n   redis:   ${JSON.stringify(a.stdout)} (exit ${a.code})\n   reddish: ${JSON.stringify(b.stdout)} (exit ${b.code})`);
    }
  }
  assert.equal(diffs.length, 0, diffs.join('\n'));
});

test('inline commands over a raw socket', async () => {
  const c = await RawClient.connect(reddish.port);
  try {
    c.write('PING\r\n');
    assert.equal((await c.readReply()).raw, '+PONG\r\n');
    c.write('SET a "b c"\r\n');
    assert.equal((await c.readReply()).raw, '+OK\r\n');
    c.write('GET a\n');
    assert.equal((await c.readReply()).raw, '$3\r\nb c\r\n');
    c.write("SET q 'it\\'s' \r\nGET q\r\n");
    assert.equal((await c.readReply()).raw, '+OK\r\n');
    assert.equal((await c.readReply()).raw, "$4\r\nit's\r\n");
    c.write('SET hex "\\x41\\x00\\x42\\n"\r\nSTRLEN hex\r\n\r\n\r\nGET hex\r\n');
    assert.equal((await c.readReply()).raw, '+OK\r\n');
    assert.equal((await c.readReply()).raw, ':4\r\n');
    assert.equal((await c.readReply()).raw, '$4\r\nA\x00B\n\r\n');
    // a multibulk after inline commands on the same connection
    c.write('PING\r\n' + RawClient.encode(['ECHO', 'mixed']) + 'ECHO inline\r\n');
    assert.equal((await c.readReply()).raw, '+PONG\r\n');
    assert.equal((await c.readReply()).raw, '$5\r\nmixed\r\n');
    assert.equal((await c.readReply()).raw, '$6\r\ninline\r\n');
    c.write('SET a "unbalanced\r\n');
    assert.equal(await c.readUntilClose(), '-ERR Protocol error: unbalanced quotes in request\r\n');
  } finally {
    c.close();
  }
});

test('redis-cli --pipe mass insertion of 100k SETs', { skip: !haveCli && 'redis-cli is not installed' }, async () => {
  const c = await RawClient.connect(reddish.port);
  await c.call('FLUSHDB');
  const N = 100_000;
  const parts: string[] = [];
  for (let i = 0; i < N; i++) parts.push(RawClient.encode(['SET', `key:${i}`, `value:${i}:${'x'.repeat(i % 20)}`]));
  try {
    const t0 = Date.now();
    const r = await cli(reddish.port, ['--pipe'], Buffer.from(parts.join(''), 'latin1'), 120000);
    const took = Date.now() - t0;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All data transferred\. Waiting for the last reply\.\.\./);
    assert.match(r.stdout, /Last reply received from server\./);
    assert.match(r.stdout, new RegExp(`errors: 0, replies: ${N}\\b`), r.stdout);
    assert.equal(await c.call('DBSIZE'), `:${N}\r\n`);
    assert.equal(await c.call('GET', 'key:99999'), `$${`value:99999:${'x'.repeat(99999 % 20)}`.length}\r\nvalue:99999:${'x'.repeat(99999 % 20)}\r\n`);
    await c.call('FLUSHDB');
    assert.ok(took < 60000, `--pipe took ${took} ms`);
  } finally {
    c.close();
  }
});
