/**
 * EVAL / EVALSHA / EVAL_RO / SCRIPT compared byte for byte with Redis 7.0
 * (RESP2 and RESP3): conversions both ways, redis.call and pcall errors, the
 * commands refused inside scripts, numkeys errors, the script cache, shebang
 * flags (`#!lua flags=...`) and their errors, EVAL_RO's write refusal. Then the
 * effects replication: a replica of a scripted master ends with the same
 * dataset (DEBUG DIGEST).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { startServer } from '../support/servers.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

const e = (body: string, ...rest: string[]): string[] => ['EVAL', body, ...rest];

const SCRIPTS: Record<string, string[][]> = {
  'return values': [
    e('return 1', '0'), e('return -1', '0'), e('return 1.9', '0'), e('return -1.9', '0'), e('return 1e20', '0'), e('return "x"', '0'),
    e('return {1,2,{3,"x"},false,true}', '0'), e('return {1,nil,3}', '0'), e('return {}', '0'), e('return true', '0'), e('return false', '0'),
    e('return nil', '0'), e('return {ok="FINE"}', '0'), e('return {err="BAD thing"}', '0'), e('return {err="plain"}', '0'),
    e('return redis.status_reply("OK2")', '0'), e('return redis.error_reply("MY error")', '0'), e('return redis.error_reply("")', '0'),
    e('return redis.sha1hex("")', '0'), e('return redis.sha1hex("abc")', '0'), e('return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}', '2', 'a', 'b', 'c', 'd'),
    e('return #ARGV', '1', 'k', 'x', 'y', 'z'), e('return ARGV[1] .. "\\0" .. ARGV[2]', '0', 'a\x00b', '\xff'),
    e('return cjson.encode({1,2,3})', '0'), e('return cjson.decode("[1,2,3]")[2]', '0'), e('return bit.band(0xff, 0x0f)', '0'),
    e('return tostring(10/3)', '0'), e('return 10/2', '0'), e('return type(KEYS)', '0'),
  ],
  'redis.call and pcall': [
    e('return redis.call("SET", KEYS[1], ARGV[1])', '1', 'k', 'v'), e('return redis.call("GET", KEYS[1])', '1', 'k'),
    e('return redis.call("GET", "nokey")', '0'), e('return redis.call("INCR", "k")', '0'), e('return redis.pcall("INCR", "k")', '0'),
    e('local r = redis.pcall("INCR", "k"); return r.err', '0'), e('return redis.call("nosuch")', '0'), e('return redis.call("SET", "a")', '0'),
    e('return redis.call("EVAL", "return 1", 0)', '0'), e('return redis.call("MULTI")', '0'), e('return redis.call("PING")', '0'),
    e('return redis.call("HSET", "h", "f1", "1", "f2", "2")', '0'), e('return redis.call("HGETALL", "h")', '0'),
    // One field: a Lua table's iteration order (Redis's map reply order) is the VM's own.
    e('redis.call("HSET", "h1", "f", "1"); redis.setresp(3); return redis.call("HGETALL", "h1")', '0'), e('redis.setresp(3); return redis.call("HGETALL", "nohash")', '0'),
    e('redis.setresp(3); return redis.call("ZSCORE", "nozset", "m")', '0'), e('return redis.call("BLPOP", "nolist", 0)', '0'),
    e('return redis.call("LPUSH", "l", "a", "b", "c")', '0'), e('return redis.call("LRANGE", "l", 0, -1)', '0'),
    e('return redis.call("SET", "n", 1.5)', '0'), e('return redis.call("GET", "n")', '0'), e('return redis.call("INCRBYFLOAT", "n", 2)', '0'),
    e('return redis.call("ZADD", "z", 1, "a", 2.5, "b")', '0'), e('return redis.call("ZRANGE", "z", 0, -1, "WITHSCORES")', '0'),
  ],
  'errors and the script cache': [
    e('return x', '0'), e('x = 1', '0'), e('return', '-1'), e('return', '2', 'a'), e('return', 'x'), e('return (', '0'), e('error("boom")', '0'),
    e('error({err="MYERR custom"})', '0'), ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
    ['SCRIPT', 'LOAD', 'return 42'], ['EVALSHA', '1fa00e76656cc152ad327c13fe365858fd7be306', '0'], ['EVALSHA', '1FA00E76656CC152AD327C13FE365858FD7BE306', '0'],
    ['SCRIPT', 'EXISTS', '1fa00e76656cc152ad327c13fe365858fd7be306', 'abc'], ['SCRIPT', 'LOAD', 'return ('], ['SCRIPT', 'KILL'],
    ['SCRIPT', 'FLUSH', 'BOGUS'], ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', '1fa00e76656cc152ad327c13fe365858fd7be306'],
    ['EVAL_RO', 'return redis.call("SET", "a", "b")', '0'], ['EVAL_RO', 'return redis.call("GET", "k")', '0'],
    ['EVALSHA_RO', 'ffffffffffffffffffffffffffffffffffffffff', '0'], ['EVAL'], ['SCRIPT', 'NOSUCH'],
    ['EVALSHA', 'abc', 'x'], ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 'x'], e('return redis.REDIS_VERSION', '0'),
    e('return redis.REDIS_VERSION_NUM', '0'),
  ],
  // Shebang flags (Redis 7.0): the shebang line is skipped, its line feed kept for line numbers.
  'shebang flags': [
    e('#!lua\nreturn 1', '0'), e('#!lua flags=no-writes\nreturn redis.call("SET", "a", "b")', '0'),
    e('#!lua flags=no-writes\nreturn redis.call("GET", "a")', '0'), e('#!lua\nreturn redis.call("SET", "a", "b")', '0'),
    e('#!lua flags=bogus\nreturn 1', '0'), e('#!luax\nreturn 1', '0'), e('#!lua foo=bar\nreturn 1', '0'),
    e('#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1', '0'), e('#!lua\nreturn 1 +', '0'),
    e('#!lua', '0'), e('#!', '0'), e('#! lua\nreturn 1', '0'), e('#!lua  flags=no-writes\nreturn 1', '0'), e('#!lua "x\nreturn 1', '0'),
    e('#!lua "flags=no-writes"\nreturn 1', '0'), e('#!lua flags=\nreturn 2', '0'), e('#!lua flags=no-writes,\nreturn 2', '0'),
    e('#!lua\n\nerror("x")', '0'), e('#!lua\nreturn x', '0'), e('#!lua\nreturn 1', 'x'), e('#!lua flags=bogus\nreturn 1', '-1'),
    ['EVAL_RO', '#!lua\nreturn 1', '0'], ['EVAL_RO', '#!lua flags=no-writes\nreturn 1', '0'], ['EVAL_RO', 'return 1', '0'],
    ['SCRIPT', 'EXISTS', 'cb70127618f0b0be70c53cf6bfcfa54a29d9b0c0'], ['SCRIPT', 'LOAD', '#!lua flags=no-writes\nreturn 5'],
    ['SCRIPT', 'LOAD', '#!lua flags=bogus\nreturn 5'], ['SCRIPT', 'LOAD', '#!lua'],
    ['EVALSHA_RO', 'bacb0fa9e0511ae36561f3fbe6a4b9d07a79e1a4', '0'], ['EVALSHA', 'BACB0FA9E0511AE36561F3FBE6A4B9D07A79E1A4', '0'],
  ],
};

test('scripting replies equal Redis 7.0 (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS, { resp: [2, 3] });
  assert.equal(d.length, 0, formatDivergences(d));
});

test('a script\'s writes reach a replica as their effects: the replica\'s dataset equals the master\'s', async () => {
  const master = await startServer('reddish', ['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']);
  const replica = await startServer('reddish', ['--enable-debug-command', 'yes', '--replicaof', '127.0.0.1', String(master.port)]);
  const m = new Redis({ port: master.port, host: '127.0.0.1' });
  const r = new Redis({ port: replica.port, host: '127.0.0.1' });
  try {
    for (let i = 0; i < 200 && !String(await r.info('replication')).includes('master_link_status:up'); i++) await new Promise((x) => setTimeout(x, 50));
    await m.eval('redis.call("SET", "x", "1"); redis.call("INCR", "x"); redis.call("RPUSH", "l", "a", "b", "c"); return redis.call("LPOP", "l")', 0);
    await m.eval('redis.call("SADD", "s", "1", "2", "3", "4"); return redis.call("SPOP", "s")', 0);
    await m.eval('return redis.call("EXPIRE", "x", 100)', 0);
    await m.eval('return redis.call("INCRBYFLOAT", "f", "1.5")', 0);
    assert.equal(await m.wait(1, 2000), 1);
    assert.equal(await r.call('DEBUG', 'DIGEST'), await m.call('DEBUG', 'DIGEST'));
    assert.ok(Number(await r.ttl('x')) > 0);
  } finally {
    m.disconnect();
    r.disconnect();
    await replica.stop();
    await master.stop();
  }
});
