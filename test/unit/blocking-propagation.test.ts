/**
 * Blocking commands reach the effect stream as the plain command they became
 * (Redis 7.0 rewrites argv): BLPOP → LPOP key, BRPOP → RPOP key, BLMOVE →
 * LMOVE (sides as typed when served at once, lower case when served later),
 * BRPOPLPUSH → RPOPLPUSH, BLMPOP → [LR]POP key n. A served waiter's effect
 * follows the effect of the write that woke it; a blocked or timed-out
 * command propagates nothing. In-process server, socketless clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcessServer } from '../support/in-process.js';

const setup = inProcessServer;

test('BLPOP/BRPOP served at once propagate as LPOP/RPOP key', () => {
  const { effects, client, run } = setup();
  const c = client();
  run(c, 'RPUSH', 'k', 'a', 'b', 'c');
  assert.equal(run(c, 'BLPOP', 'missing', 'k', '0'), '*2\r\n$1\r\nk\r\n$1\r\na\r\n');
  assert.equal(run(c, 'BRPOP', 'k', '0'), '*2\r\n$1\r\nk\r\n$1\r\nc\r\n');
  assert.deepEqual(effects, [[['RPUSH', 'k', 'a', 'b', 'c']], [['LPOP', 'k']], [['RPOP', 'k']]]);
});

test('a blocked BLPOP propagates nothing; when a push serves it, LPOP follows the push', () => {
  const { server, effects, client, run } = setup();
  const waiter = client();
  const pusher = client();
  assert.equal(run(waiter, 'BLPOP', 'q', '0'), '');
  assert.equal(server.blocking.blockedCount, 1);
  assert.deepEqual(effects, []);
  assert.equal(run(pusher, 'RPUSH', 'q', 'x', 'y'), ':2\r\n');
  assert.equal(waiter.reply.take(), '*2\r\n$1\r\nq\r\n$1\r\nx\r\n');
  assert.equal(server.blocking.blockedCount, 0);
  assert.deepEqual(effects, [[['RPUSH', 'q', 'x', 'y']], [['LPOP', 'q']]]);
});

test('BLMOVE: LMOVE with the sides as typed when immediate, lower case when served later', () => {
  const { effects, client, run } = setup();
  const a = client();
  const b = client();
  run(a, 'RPUSH', 's', '1');
  assert.equal(run(a, 'BLMOVE', 's', 'd', 'Left', 'RIGHT', '0'), '$1\r\n1\r\n');
  assert.equal(run(a, 'BLMOVE', 's', 'd', 'RIGHT', 'LEFT', '0'), '');
  run(b, 'LPUSH', 's', '2');
  assert.equal(a.reply.take(), '$1\r\n2\r\n');
  assert.equal(run(b, 'LRANGE', 'd', '0', '-1'), '*2\r\n$1\r\n2\r\n$1\r\n1\r\n');
  assert.deepEqual(effects, [
    [['RPUSH', 's', '1']],
    [['LMOVE', 's', 'd', 'Left', 'RIGHT']],
    [['LPUSH', 's', '2']],
    [['LMOVE', 's', 'd', 'right', 'left']],
  ]);
});

test('BRPOPLPUSH propagates as RPOPLPUSH, immediate or served', () => {
  const { effects, client, run } = setup();
  const a = client();
  const b = client();
  run(a, 'RPUSH', 's', '1');
  run(a, 'BRPOPLPUSH', 's', 'd', '0');
  run(a, 'BRPOPLPUSH', 's', 'd', '0');
  run(b, 'RPUSH', 's', '2');
  assert.equal(a.reply.take(), '$1\r\n2\r\n');
  assert.deepEqual(effects.map((e) => e[0]), [['RPUSH', 's', '1'], ['RPOPLPUSH', 's', 'd'], ['RPUSH', 's', '2'], ['RPOPLPUSH', 's', 'd']]);
});

test('LMPOP and BLMPOP propagate as [LR]POP key n with n the elements actually popped', () => {
  const { effects, client, run } = setup();
  const a = client();
  const b = client();
  run(a, 'RPUSH', 'm', '1', '2', '3');
  run(a, 'LMPOP', '2', 'none', 'm', 'LEFT', 'COUNT', '2');
  run(a, 'BLMPOP', '0', '1', 'm', 'RIGHT', 'COUNT', '10');
  assert.equal(run(a, 'BLMPOP', '0', '2', 'x', 'y', 'LEFT', 'COUNT', '5'), '');
  run(b, 'RPUSH', 'y', 'p', 'q');
  assert.equal(a.reply.take(), '*2\r\n$1\r\ny\r\n*2\r\n$1\r\np\r\n$1\r\nq\r\n');
  assert.deepEqual(effects.map((e) => e[0]), [
    ['RPUSH', 'm', '1', '2', '3'], ['LPOP', 'm', '2'], ['RPOP', 'm', '1'], ['RPUSH', 'y', 'p', 'q'], ['LPOP', 'y', '2'],
  ]);
});

test('a push inside MULTI serves the waiter after EXEC, propagated after the transaction', () => {
  const { server, effects, client, run } = setup();
  const waiter = client();
  const tx = client();
  run(waiter, 'BLPOP', 'q', '0');
  run(tx, 'MULTI');
  run(tx, 'RPUSH', 'q', 'a');
  run(tx, 'SET', 'other', 'v');
  assert.equal(server.blocking.blockedCount, 1);
  assert.equal(run(tx, 'EXEC'), '*2\r\n:1\r\n+OK\r\n');
  assert.equal(waiter.reply.take(), '*2\r\n$1\r\nq\r\n$1\r\na\r\n');
  assert.deepEqual(effects, [[['MULTI'], ['RPUSH', 'q', 'a'], ['SET', 'other', 'v'], ['EXEC']], [['LPOP', 'q']]]);
});

test('blocking commands inside MULTI answer nil at once and propagate nothing', () => {
  const { server, effects, client, run } = setup();
  const c = client();
  run(c, 'MULTI');
  run(c, 'BLPOP', 'q', '0');
  run(c, 'BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0');
  assert.equal(run(c, 'EXEC'), '*2\r\n*-1\r\n$-1\r\n');
  assert.equal(server.blocking.blockedCount, 0);
  assert.deepEqual(effects, []);
});

test('a timed-out waiter answers a null array and propagates nothing', async () => {
  const { server, effects, client, run } = setup();
  const c = client();
  assert.equal(run(c, 'BLPOP', 'q', '0.02'), '');
  assert.equal(server.blocking.timeoutCount, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(c.reply.take(), '*-1\r\n');
  assert.equal(server.blocking.blockedCount, 0);
  assert.equal(server.blocking.timeoutCount, 0);
  run(client(), 'RPUSH', 'q', 'x');
  assert.deepEqual(effects, [[['RPUSH', 'q', 'x']]]);
});

test('a waiter whose key is created by RENAME is served; its effect follows the RENAME', () => {
  const { effects, client, run } = setup();
  const w = client();
  const o = client();
  run(w, 'BRPOP', 'dst', '0');
  run(o, 'RPUSH', 'src', 'a', 'b');
  run(o, 'RENAME', 'src', 'dst');
  assert.equal(w.reply.take(), '*2\r\n$3\r\ndst\r\n$1\r\nb\r\n');
  assert.deepEqual(effects.slice(1), [[['RENAME', 'src', 'dst']], [['RPOP', 'dst']]]);
});

test('BZPOPMIN/BZPOPMAX propagate as ZPOPMIN/ZPOPMAX key, at once or when served', () => {
  const { server, effects, client, run } = setup();
  const a = client();
  const b = client();
  run(a, 'ZADD', 'z', '1', 'one', '2', 'two');
  assert.equal(run(a, 'BZPOPMIN', 'missing', 'z', '0'), '*3\r\n$1\r\nz\r\n$3\r\none\r\n$1\r\n1\r\n');
  assert.equal(run(a, 'BZPOPMAX', 'z', '0'), '*3\r\n$1\r\nz\r\n$3\r\ntwo\r\n$1\r\n2\r\n');
  assert.equal(run(a, 'BZPOPMIN', 'z', '0'), '');
  assert.equal(server.blocking.blockedCount, 1);
  run(b, 'ZADD', 'z', '5', 'five');
  assert.equal(a.reply.take(), '*3\r\n$1\r\nz\r\n$4\r\nfive\r\n$1\r\n5\r\n');
  assert.deepEqual(effects.slice(1), [[['ZPOPMIN', 'z']], [['ZPOPMAX', 'z']], [['ZADD', 'z', '5', 'five']], [['ZPOPMIN', 'z']]]);
});

test('BZMPOP propagates as ZPOPMIN/ZPOPMAX key count; a string key does not serve it', () => {
  const { server, effects, client, run } = setup();
  const a = client();
  const b = client();
  assert.equal(run(a, 'BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '2'), '');
  run(b, 'SET', 'z', 'str');
  assert.equal(server.blocking.blockedCount, 1);
  run(b, 'DEL', 'z');
  run(b, 'ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
  assert.equal(a.reply.take(), '*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
  assert.deepEqual(effects[effects.length - 1], [['ZPOPMAX', 'z', '2']]);
  assert.equal(run(a, 'MULTI'), '+OK\r\n');
  run(a, 'BZPOPMIN', 'empty', '0');
  assert.equal(run(a, 'EXEC'), '*1\r\n*-1\r\n');
});
