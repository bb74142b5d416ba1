/**
 * Busy scripts with real clients, against reddish-server and redis-server
 * 7.0 (busy-reply-threshold 100): while a script runs past the threshold,
 * other clients get -BUSY except for the allow_busy commands; SCRIPT KILL /
 * FUNCTION KILL stop a script that has not written (the caller gets the kill
 * error), one that wrote is UNKILLABLE and SHUTDOWN NOSAVE ends the server;
 * a script whose client left still ends and keeps its writes.
 * The replies of each scenario are compared byte for byte between the two
 * servers (FUNCTION STATS's duration_ms normalized). Then, on Reddish: a busy
 * script that ends by itself replies, runs its client's pipelined commands
 * and reaches a replica with all its writes; on a replica, the master's
 * stream waits for a busy script and is applied after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, redisAvailable, type RunningServer, type ServerKind } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

const ARGS = ['--busy-reply-threshold', '100'];
const LOOP = 'local i = 0\nwhile true do i = i + 1 end';
const SPIN_LIB = '#!lua name=busy\nredis.register_function("spin", function()\n  local i = 0\n  while true do i = i + 1 end\nend)';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends PING until the server answers -BUSY (the script is past the threshold); returns that reply. */
async function untilBusy(c: RawClient): Promise<string> {
  for (let i = 0; i < 250; i++) {
    const r = await c.call('PING');
    if (r.startsWith('-BUSY')) return r;
    await sleep(20);
  }
  throw new Error('the server never became busy');
}

/** duration_ms varies from run to run. */
const normalize = (raw: string): string => raw.replace(/(\$11\r\nduration_ms\r\n):\d+\r\n/, '$1:N\r\n');

interface Scenario {
  replies: string[];
  server: RunningServer;
}

async function withServer(kind: ServerKind, run: (s: RunningServer, out: string[]) => Promise<void>): Promise<Scenario> {
  const server = await startServer(kind, ARGS);
  const replies: string[] = [];
  try {
    await run(server, replies);
  } finally {
    await server.stop();
  }
  return { replies, server };
}

/** An EVAL loop killed by SCRIPT KILL; what else a client may and may not do meanwhile. */
async function evalKill(s: RunningServer, out: string[]): Promise<void> {
  const c1 = await RawClient.connect(s.port);
  const c2 = await RawClient.connect(s.port);
  // The script's client pipelines a PING behind the EVAL: it runs once the script is over.
  c1.write(RawClient.encode(['EVAL', LOOP, '0']) + RawClient.encode(['PING']));
  out.push(await untilBusy(c2));
  for (const cmd of [['FUNCTION', 'STATS'], ['FUNCTION', 'KILL'], ['GET', 'x'], ['MULTI'], ['SET', 'x', '1'], ['EXEC'], ['DISCARD'],
    ['SHUTDOWN'], ['SHUTDOWN', 'SAVE'], ['CLIENT', 'ID'], ['WATCH', 'x'], ['UNWATCH'], ['MULTI'], ['DISCARD'], ['SCRIPT', 'KILL']]) {
    out.push(await c2.call(...cmd));
  }
  out.push((await c1.readReply()).raw, (await c1.readReply()).raw);
  out.push(await c2.call('PING'), await c2.call('SCRIPT', 'KILL'), await c2.call('FUNCTION', 'KILL'));
  c1.close();
  c2.close();
}

/** A function loop: FUNCTION STATS shows it, SCRIPT KILL may not kill it, FUNCTION KILL does. */
async function functionKill(s: RunningServer, out: string[]): Promise<void> {
  const c1 = await RawClient.connect(s.port);
  const c2 = await RawClient.connect(s.port);
  out.push(await c1.call('FUNCTION', 'LOAD', SPIN_LIB));
  c1.write(RawClient.encode(['FCALL', 'spin', '0']));
  out.push(await untilBusy(c2));
  out.push(normalize(await c2.call('FUNCTION', 'STATS')));
  await c2.call('HELLO', '3');
  out.push(normalize(await c2.call('FUNCTION', 'STATS')));
  out.push(await c2.call('SCRIPT', 'KILL'), await c2.call('FCALL', 'spin', '0'), await c2.call('FUNCTION', 'KILL'));
  out.push((await c1.readReply()).raw);
  out.push(await c2.call('FUNCTION', 'STATS'));
  c1.close();
  c2.close();
}

/** A script that wrote cannot be killed; SHUTDOWN NOSAVE still ends the server. */
async function unkillable(s: RunningServer, out: string[]): Promise<void> {
  const c1 = await RawClient.connect(s.port);
  const c2 = await RawClient.connect(s.port);
  c1.write(RawClient.encode(['EVAL', 'redis.call("SET", "a", "b")\nwhile true do end', '0']));
  out.push(await untilBusy(c2));
  out.push(await c2.call('SCRIPT', 'KILL'), await c2.call('FUNCTION', 'KILL'));
  const exited = new Promise<number | null>((r) => s.proc.once('exit', (code) => r(code)));
  c2.write(RawClient.encode(['SHUTDOWN', 'NOSAVE']));
  await assert.rejects(c2.readReply(), /connection closed/);
  await assert.rejects(c1.readReply(), /connection closed/);
  out.push(`exit ${await exited}`);
}

/** The script's client goes away while the script is busy: the script still ends, and its writes stay. */
async function callerLeaves(s: RunningServer, out: string[]): Promise<void> {
  const c1 = await RawClient.connect(s.port);
  const c2 = await RawClient.connect(s.port);
  const script = 'local t = redis.call("TIME") local start = t[1] * 1000000 + t[2]\n' +
    'repeat t = redis.call("TIME") until t[1] * 1000000 + t[2] - start > 1500000\nredis.call("SET", "left", "done") return 1';
  c1.write(RawClient.encode(['EVAL', script, '0']));
  out.push(await untilBusy(c2));
  c1.close();
  let r = '';
  for (let i = 0; i < 250 && (r = await c2.call('PING')).startsWith('-BUSY'); i++) await sleep(20);
  out.push(r, await c2.call('GET', 'left'));
  c2.close();
}

const SCENARIOS = { evalKill, functionKill, unkillable, callerLeaves };

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  test(`busy script, ${name}: Reddish's replies equal redis-server's`, { skip: !redisAvailable() && 'redis-server not installed' }, async () => {
    const redis = await withServer('redis', scenario);
    const reddish = await withServer('reddish', scenario);
    assert.deepEqual(reddish.replies, redis.replies);
    assert.ok(redis.replies.some((r) => r.startsWith('-BUSY Redis is busy running a script.')), redis.replies.join(''));
  });
}

test('evalKill on Reddish: -BUSY, SCRIPT KILL → OK, the caller gets the kill error and its pipelined PING runs', async () => {
  const { replies } = await withServer('reddish', evalKill);
  assert.equal(replies[0], '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n');
  assert.equal(replies[15], '+OK\r\n');
  assert.equal(replies[16], '-ERR Script killed by user with SCRIPT KILL... script: 5485ac7b11abac6760734f4b4ec80041904408bc, on @user_script:2.\r\n');
  assert.equal(replies[17], '+PONG\r\n');
  assert.equal(replies[19], '-NOTBUSY No scripts in execution right now.\r\n');
});

test('a busy script that ends by itself: its reply, its client\'s next command, and all its writes on a replica', async () => {
  const master = await startServer('reddish', [...ARGS, '--repl-diskless-sync-delay', '0']);
  const replica = await startServer('reddish', ['--replicaof', '127.0.0.1', String(master.port)]);
  const c1 = await RawClient.connect(master.port);
  const c2 = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    for (let i = 0; i < 200 && !(await r.call('INFO', 'replication')).includes('master_link_status:up'); i++) await sleep(50);
    // Writes, stays busy for 1.5 s of server time, writes again.
    const script = [
      'redis.call("SET", "a", "1")',
      'local t = redis.call("TIME")',
      'local start = t[1] * 1000000 + t[2]',
      'repeat t = redis.call("TIME") until t[1] * 1000000 + t[2] - start > 1500000',
      'redis.call("SET", "b", "2")',
      'return "done"',
    ].join('\n');
    c1.write(RawClient.encode(['EVAL', script, '0']) + RawClient.encode(['GET', 'b']));
    assert.match(await untilBusy(c2), /^-BUSY/);
    // Nothing of the script has reached the replica meanwhile.
    assert.equal(await r.call('EXISTS', 'a', 'b'), ':0\r\n');
    assert.equal(await c2.call('GET', 'a'), '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n');
    assert.equal((await c1.readReply()).raw, '$4\r\ndone\r\n');
    assert.equal((await c1.readReply()).raw, '$1\r\n2\r\n');
    assert.equal(await c2.call('WAIT', '1', '5000'), ':1\r\n');
    assert.equal(await r.call('MGET', 'a', 'b'), '*2\r\n$1\r\n1\r\n$1\r\n2\r\n');
    assert.equal(await c2.call('PING'), '+PONG\r\n');
  } finally {
    c1.close();
    c2.close();
    r.close();
    await replica.stop();
    await master.stop();
  }
});

test('a busy script on a replica: the master\'s stream waits for it (the script sees no change), then applies in order', async () => {
  const master = await startServer('reddish', ['--repl-diskless-sync-delay', '0']);
  const replica = await startServer('reddish', [...ARGS, '--replicaof', '127.0.0.1', String(master.port)]);
  const m = await RawClient.connect(master.port);
  const c1 = await RawClient.connect(replica.port);
  const c2 = await RawClient.connect(replica.port);
  try {
    for (let i = 0; i < 200 && !(await c2.call('INFO', 'replication')).includes('master_link_status:up'); i++) await sleep(50);
    assert.equal(await m.call('SET', 'k', 'before'), '+OK\r\n');
    assert.equal(await m.call('WAIT', '1', '5000'), ':1\r\n');
    // Reads k, stays busy for 1.5 s of server time, reads k again.
    const script = [
      '#!lua flags=no-writes',
      'local first = redis.call("GET", "k")',
      'local t = redis.call("TIME")',
      'local start = t[1] * 1000000 + t[2]',
      'repeat t = redis.call("TIME") until t[1] * 1000000 + t[2] - start > 1500000',
      'return {first, redis.call("GET", "k")}',
    ].join('\n');
    c1.write(RawClient.encode(['EVAL', script, '0']));
    assert.match(await untilBusy(c2), /^-BUSY/);
    assert.equal(await m.call('SET', 'k', 'after'), '+OK\r\n');
    assert.equal(await m.call('INCR', 'n'), ':1\r\n');
    assert.equal((await c1.readReply()).raw, '*2\r\n$6\r\nbefore\r\n$6\r\nbefore\r\n');
    for (let i = 0; i < 100 && (await c2.call('GET', 'n')) !== '$1\r\n1\r\n'; i++) await sleep(20);
    assert.equal(await c2.call('MGET', 'k', 'n'), '*2\r\n$5\r\nafter\r\n$1\r\n1\r\n');
  } finally {
    m.close();
    c1.close();
    c2.close();
    await replica.stop();
    await master.stop();
  }
});
