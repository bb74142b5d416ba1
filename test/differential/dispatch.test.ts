/**
 * Dispatch and connection commands compared with Redis 7.0: unknown commands
 * and subcommands, arity, PING/ECHO/SELECT/SWAPDB, HELLO, AUTH with and
 * without requirepass, MULTI/EXEC/WATCH, COMMAND.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { RawClient } from '../support/raw-client.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

// HELLO's reply carries the connection id, which differs between servers;
// COMMAND LIST comes in Redis's (randomly seeded) dict order, so it is compared sorted.
const normalize = (raw: string, cmd: string[] = []) => {
  if (cmd[0] === 'COMMAND' && cmd[1] === 'LIST') {
    const [head, ...items] = raw.split(/(?=\$\d+\r\n)/);
    return head + items.sort().join('');
  }
  return raw.replace(/\$2\r\nid\r\n:\d+\r\n/, '$2\r\nid\r\n:ID\r\n');
};

const SCRIPTS: Record<string, string[][]> = {
  'unknown commands and arity': [
    ['FOO'], ['FOO', 'bar', 'baz'], ['foo', 'a'.repeat(200)], ['FOO', 'x\r\ny'], ['GET'], ['GET', 'a', 'b'], ['get'], ['SET', 'a'],
    ['COMMAND', 'FOO'], ['command', 'foo'], ['CONFIGX'], ['PING', 'a', 'b'], ['ECHO'], ['ECHO', 'hi'], ['PING'], ['PING', 'hello'],
  ],
  'select and swapdb': [
    ['SELECT', '1'], ['SET', 'a', '1'], ['SELECT', '16'], ['SELECT', '-1'], ['SELECT', 'x'], ['SELECT', '0'], ['GET', 'a'], ['SWAPDB', '0', '1'],
    ['GET', 'a'], ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'], ['SWAPDB', '0', '99'], ['DBSIZE'], ['SWAPDB', '0', '0'], ['FLUSHDB', 'x'], ['FLUSHALL', 'ASYNC'], ['FLUSHDB', 'SYNC'],
  ],
  'hello and auth without a password': [
    ['HELLO', '4'], ['HELLO', 'x'], ['HELLO', '1'], ['HELLO', '2', 'FOO'], ['HELLO', '2', 'SETNAME', 'a b'], ['HELLO', '2', 'AUTH', 'default'],
    ['AUTH', 'x'], ['AUTH', 'default', 'x'], ['AUTH', 'nobody', 'x'], ['AUTH', 'a', 'b', 'c'], ['HELLO', '3'], ['HELLO'], ['HELLO', '2', 'SETNAME', 'me'],
  ],
  'transactions': [
    ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['EXEC'], ['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['SET', 'a'], ['EXEC'],
    ['MULTI'], ['FOO'], ['EXEC'], ['MULTI'], ['SET', 'a', 'x'], ['INCR', 'a'], ['EXEC'], ['MULTI'], ['WATCH', 'a'], ['DISCARD'],
    ['WATCH', 'a'], ['SET', 'a', '2'], ['MULTI'], ['GET', 'a'], ['EXEC'], ['WATCH', 'a'], ['UNWATCH'], ['SET', 'a', '3'], ['MULTI'], ['GET', 'a'], ['EXEC'],
  ],
  'COMMAND introspection': [
    ['COMMAND', 'INFO', 'get', 'set', 'nosuchcommand', 'command|info'], ['COMMAND', 'DOCS', 'get', 'incr'], ['COMMAND', 'GETKEYS', 'SET', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'], ['COMMAND', 'GETKEYS', 'GET'], ['COMMAND', 'GETKEYS', 'PING'], ['COMMAND', 'GETKEYS', 'NOPE'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'SET', 'a', 'b'], ['COMMAND', 'HELP'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'get*'], ['COMMAND', 'GETKEYS'],
  ],
};

test('dispatch and connection commands match Redis 7.0 byte for byte', async () => {
  const d = await runScripts(pair, SCRIPTS, { normalize });
  assert.equal(d.length, 0, formatDivergences(d));
});

test('with requirepass: NOAUTH, WRONGPASS, HELLO AUTH, and errors before auth', async () => {
  const p = await startPair(['--requirepass', 'sekret']);
  try {
    const cmds: string[][] = [
      ['GET', 'a'], ['FOO'], ['GET'], ['HELLO', '3'], ['AUTH', 'wrong'], ['AUTH', 'default', 'wrong'], ['HELLO', '2', 'AUTH', 'default', 'wrong'],
      ['PING'], ['AUTH', 'sekret'], ['GET', 'a'], ['HELLO', '2', 'AUTH', 'default', 'sekret'],
    ];
    const a = await RawClient.connect(p.redis.port);
    const b = await RawClient.connect(p.reddish.port);
    const diffs: string[] = [];
    for (const c of cmds) {
      const [x, y] = await Promise.all([a.call(...c), b.call(...c)]);
      if (normalize(x) !== normalize(y)) diffs.push(`${JSON.stringify(c)}\n  redis:   ${JSON.stringify(x)}\n  reddish: ${JSON.stringify(y)}`);
    }
    a.close();
    b.close();
    assert.equal(diffs.length, 0, diffs.join('\n'));
  } finally {
    await p.stop();
  }
});

test('inline commands and pipelines answer as Redis does', async () => {
  const inputs = [
    'PING\r\n', 'SET a "b c"\r\nGET a\r\n', "SET a 'x\\'y'\r\nGET a\r\n", 'ECHO "\\x41\\n"\r\n', '\r\n\r\nPING\r\n', 'ping\n',
    'SET  k   v  \r\nGET k\r\n', '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n', '*0\r\nPING\r\n', '*-1\r\nPING\r\n',
  ];
  for (const input of inputs) {
    const replies: string[] = [];
    for (const port of [pair.redis.port, pair.reddish.port]) {
      const c = await RawClient.connect(port);
      c.write(input);
      c.write('ECHO end\r\n');
      let all = '';
      for (;;) {
        const r = await c.readReply();
        all += r.raw;
        if (r.raw === '$3\r\nend\r\n') break;
      }
      c.close();
      replies.push(all);
    }
    assert.equal(replies[1], replies[0], `input ${JSON.stringify(input)}`);
  }
});

test('protocol errors are answered in Redis words and the connection is closed', async () => {
  const inputs = [
    '*1\r\n$x\r\n', '*a\r\n', '*1\r\n+foo\r\n', 'SET "a\r\n', '*2\r\n$-5\r\n', '*3000000000\r\n', '*1\r\n$9999999999999\r\n',
    'PING\r\n*1\r\n:1\r\n', '"unterminated\r\n', "'x'y\r\n",
  ];
  for (const input of inputs) {
    const out: string[] = [];
    for (const port of [pair.redis.port, pair.reddish.port]) {
      const c = await RawClient.connect(port);
      c.write(input);
      out.push(await c.readUntilClose());
    }
    assert.equal(out[1], out[0], `input ${JSON.stringify(input)}`);
  }
});
