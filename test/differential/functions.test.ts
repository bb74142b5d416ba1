/**
 * Redis Functions compared byte for byte with Redis 7.0 (RESP2 and RESP3):
 * FUNCTION LOAD and its metadata / registration errors, the load-time
 * environment, FCALL / FCALL_RO with per-function flags, LIST / STATS /
 * DELETE / FLUSH / DUMP / RESTORE and their argument errors.
 *
 * Redis lists libraries and a library's functions in hash order (random per
 * process), so a LIST or DUMP here only ever sees one library with one
 * function, or filters with LIBRARYNAME. Each script starts with FUNCTION
 * FLUSH: FLUSHALL keeps functions. Last, the checks a script's declared
 * flags imply on a read-only and on a stale replica.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { startServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { Crc64 } from '../../src/persist/rdb/crc64.js';

/** A FUNCTION RESTORE payload around `body`: RDB version 10 and a CRC64, as DUMP writes them. */
function payload(body: number[] | Buffer): string {
  const b = Buffer.concat([Buffer.from(body), Buffer.from([10, 0])]);
  return Buffer.concat([b, new Crc64().update(b).bytes()]).toString('latin1');
}
const rdbString = (s: string): Buffer => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

const FLUSH = ['FUNCTION', 'FLUSH'];
const load = (code: string, ...opts: string[]): string[] => ['FUNCTION', 'LOAD', ...opts, code];
const lib = (name: string, body: string): string => `#!lua name=${name}\n${body}`;

const SCRIPTS: Record<string, string[][]> = {
  'load and metadata errors': [
    FLUSH,
    load(lib('mylib', 'redis.register_function("f1", function(keys, args) return 1 end)')),
    load(lib('mylib', 'redis.register_function("f1", function(keys, args) return 1 end)')),
    load(lib('other', 'redis.register_function("F1", function(keys, args) return 1 end)')),
    load(lib('bad-name', 'redis.register_function("f2", function() return 1 end)')),
    load('#!foo name=x\nredis.register_function("f2", function() return 1 end)'),
    load('#!lua\nredis.register_function("f2", function() return 1 end)'), load('redis.register_function("f2", function() end)'),
    load('#!lua name=x'), load('#!lua name=x foo=bar\nreturn 1'), load('#!lua name=x name=y\nreturn 1'), load('#!lua name=\nreturn 1'),
    load('#!lua name="x\nreturn 1'), load(lib('x', 'return 1')), load(lib('x', 'return +')), load(lib('x', 'local a = nil + 1')),
    load('#!LUA name=x2\nredis.register_function("g2", function() return 2 end)'),
    load('#!lua NAME=x3\nredis.register_function("g3", function() return 3 end)'),
    load(lib('x3', 'redis.register_function("g3", function() return 33 end)'), 'REPLACE', 'replace'),
    load(lib('x3', 'redis.register_function("g3", function() return 33 end)'), 'foo'),
    load(lib('x4', 'redis.register_function("g2", function() return 4 end)'), 'REPLACE'),
    ['FCALL', 'g3', '0'], ['FCALL', 'G3', '0'], ['FUNCTION', 'LOAD'], ['FUNCTION', 'NOSUCH'],
  ],
  'load-time environment and register_function errors': [
    FLUSH,
    load(lib('e1', 'local a = string.len("x")')), load(lib('e2', 'redis.call("ping")')), load(lib('e3', 'error("boom")')),
    load(lib('e4', 'x = 5')), load(lib('e5', 'local t = type(1)')), load(lib('e6', 'redis.register_function("f-1", function() end)')),
    load(lib('e7', 'redis.register_function("g", function() end) redis.register_function("g", function() end)')),
    load(lib('e8', 'redis.register_function{function_name="g", callback=function() end, flags={"bogus"}}')),
    load(lib('e9', 'redis.register_function{function_name="g", callback=function() end, flags="x"}')),
    load(lib('e10', 'redis.register_function{function_name="g", callback=function() end, foo=1}')),
    load(lib('e11', 'redis.register_function{callback=function() end}')), load(lib('e12', 'redis.register_function{function_name="g"}')),
    load(lib('e13', 'redis.register_function("g")')), load(lib('e14', 'redis.register_function(1, 2, 3)')),
    load(lib('e15', 'redis.register_function("g", 5)')), load(lib('e16', 'redis.register_function()')),
    load(lib('e17', 'redis.register_function{function_name="g", callback=5}')),
    load(lib('e18', 'redis.register_function{function_name="g", callback=function() end, flags={1}}')),
    load(lib('e19', 'redis.register_function{function_name="g", callback=function() end, flags={true}}')),
    load(lib('e20', 'redis.register_function({}, function() end)')), load(lib('e21', 'redis.register_function(5)')),
    load(lib('e22', 'redis.register_function{[1]="x", callback=function() end}')), load(lib('e23', 'redis.foo = 1')),
    load(lib('e24', 'redis.register_function{function_name={}, callback=function() end}')),
    load(lib('e25', 'redis.register_function{function_name="g", description={}, callback=function() end}')),
    load(lib('e26', 'local i = 0 while true do i = i + 1 end')),
    load(lib('ok1', 'redis.log(redis.LOG_WARNING, "loading") local v = redis.REDIS_VERSION\nredis.register_function("v", function() return {v, redis.REDIS_VERSION_NUM} end)')),
    ['FCALL', 'v', '0'], ['FUNCTION', 'STATS'],
  ],
  'fcall, flags and runtime errors': [
    FLUSH,
    load(lib('w', [
      'redis.register_function("w", function(keys, args) return {keys, args, redis.call("set", keys[1], args[1])} end)',
      'redis.register_function{function_name="r", callback=function(keys) return redis.call("get", keys[1]) end, flags={"no-writes"}, description="read it"}',
      'redis.register_function{function_name="rw", callback=function(keys) return redis.call("set", keys[1], "x") end, flags={"NO-WRITES"}}',
      'redis.register_function{function_name="err", callback=function() error("oops") end}',
      'redis.register_function{function_name="glob", callback=function() return x end}',
      'redis.register_function{function_name="unk", callback=function() return redis.call("nosuch") end}',
      'redis.register_function{function_name="tbl", callback=function() return {1, "two", {3}, {ok="fine"}, {err="MY err"}} end}',
      'redis.register_function{function_name="resp3", callback=function() redis.setresp(3) return redis.call("hgetall", "h") end}',
      'redis.register_function{function_name="nokeys", callback=function(keys, args) return {#keys, #args} end}',
      'redis.register_function{function_name="reg", callback=function() return redis.register_function end}',
      'redis.register_function{function_name="g", callback=function() return string.rep("a", 3) end}',
      'redis.register_function{function_name="setg", callback=function() y = 1 end}',
    ].join('\n'))),
    ['FCALL', 'w', '1', 'k', 'v'], ['FCALL', 'r', '1', 'k'], ['FCALL_RO', 'r', '1', 'k'], ['FCALL_RO', 'w', '1', 'k', 'v'],
    ['FCALL', 'rw', '1', 'k'], ['FCALL', 'err', '0'], ['FCALL', 'glob', '0'], ['FCALL', 'unk', '0'], ['FCALL', 'tbl', '0'],
    ['HSET', 'h', 'f', 'v'], ['FCALL', 'resp3', '0'], ['FCALL', 'nokeys', '2', 'a', 'b', 'c'], ['FCALL', 'reg', '0'], ['FCALL', 'g', '0'],
    ['FCALL', 'setg', '0'], ['FCALL', 'nosuch', '0'], ['FCALL', 'w', 'x'], ['FCALL', 'w', '5'], ['FCALL', 'w', '-1'], ['FCALL', 'nosuch', 'x'],
    ['FCALL'], ['FCALL_RO', 'nosuch', '0'], ['GET', 'k'],
    ['MULTI'], ['FCALL', 'w', '1', 'k2', 'v2'], ['FCALL', 'r', '1', 'k2'], ['EXEC'],
  ],
  'list, stats, delete, flush': [
    FLUSH, ['FUNCTION', 'LIST'], ['FUNCTION', 'STATS'],
    load(lib('l1', 'redis.register_function{function_name="f", callback=function() return 1 end, flags={"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"}, description="all flags"}')),
    ['FUNCTION', 'LIST'], ['FUNCTION', 'LIST', 'WITHCODE'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'l*'], ['FUNCTION', 'LIST', 'libraryname', 'L1', 'withcode'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'zz*'], ['FUNCTION', 'LIST', 'foo'], ['FUNCTION', 'LIST', 'LIBRARYNAME'],
    ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'a', 'LIBRARYNAME', 'b'],
    load(lib('l2', 'redis.register_function("f2", function() return 2 end)')), ['FUNCTION', 'LIST', 'LIBRARYNAME', 'l2'],
    ['FUNCTION', 'STATS'], ['FUNCTION', 'DELETE', 'nosuch'], ['FUNCTION', 'DELETE', 'L2'], ['FUNCTION', 'DELETE', 'l2'], ['FCALL', 'f2', '0'],
    ['FUNCTION', 'STATS'], ['FUNCTION', 'FLUSH', 'foo'], ['FUNCTION', 'FLUSH', 'ASYNC'], ['FUNCTION', 'FLUSH', 'SYNC'], ['FUNCTION', 'FLUSH', 'a', 'b'],
    ['FUNCTION', 'LIST'], ['FUNCTION', 'STATS'], ['FUNCTION', 'KILL'], ['FUNCTION', 'HELP'], ['FUNCTION', 'DELETE'],
  ],
  'dump and restore': [
    FLUSH, ['FUNCTION', 'DUMP'],
    load(lib('d1', 'redis.register_function("d1f", function() return 1 end)')), ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'RESTORE', 'foo'], ['FUNCTION', 'RESTORE', 'foo', 'bar'], ['FUNCTION', 'RESTORE', 'foo', 'bar', 'baz'],
    ['FUNCTION', 'RESTORE', '\xf5\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00'],
    // Valid checksums around bad contents.
    ['FUNCTION', 'RESTORE', payload([0xf5, 50, 0x41, 0x42, 0x43])], ['FUNCTION', 'RESTORE', payload([0x00, 1, 0x41, 1, 0x42])],
    ['FUNCTION', 'RESTORE', payload([0xf6, 1, 0x41, 1, 0x42])], ['FUNCTION', 'RESTORE', payload(Buffer.concat([Buffer.from([0xf5]), rdbString('#!lua name')]))],
    ['FUNCTION', 'RESTORE', payload(Buffer.concat([Buffer.from([0xf5]), rdbString('#!lua name=a\nfoo(')]))],
    ['FUNCTION', 'RESTORE', payload([])],
    // The 7.0 release candidates' format: name, engine, description, code without its metadata line.
    ['FUNCTION', 'RESTORE', payload(Buffer.concat([Buffer.from([0xf6]), rdbString('pg'), rdbString('LUA'), Buffer.from([1]), rdbString('old'),
      rdbString('redis.register_function("pgf", function() return "pre-ga" end)')]))],
    ['FCALL', 'pgf', '0'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'pg', 'WITHCODE'],
  ],
  'dump of a compressible library': [
    FLUSH,
    load(lib('big', `${'-- padding padding padding padding\n'.repeat(20)}redis.register_function("bigf", function() return "${'z'.repeat(200)}" end)`)),
    ['FUNCTION', 'DUMP'], ['FCALL', 'bigf', '0'],
  ],
};

test('FUNCTION and FCALL replies equal Redis 7.0 (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS, { resp: [2, 3] });
  assert.equal(d.length, 0, formatDivergences(d));
});

/** A raw reply's bulk payload ("$<n>\r\n<bytes>\r\n"). */
function bulkOf(raw: string): string {
  assert.ok(raw.startsWith('$'), raw);
  const nl = raw.indexOf('\r\n');
  return raw.slice(nl + 2, nl + 2 + Number(raw.slice(1, nl)));
}

test('FUNCTION RESTORE of each server\'s DUMP: policies and collisions as Redis 7.0', async () => {
  const c = [pair.redisClient, pair.reddishClient];
  const code = lib('rlib', 'redis.register_function("rf", function() return "restored" end)');
  const other = lib('olib', 'redis.register_function("rf", function() return "other" end)');
  const payloads: string[] = [];
  for (const x of c) {
    await x.call('FUNCTION', 'FLUSH');
    await x.call('FUNCTION', 'LOAD', code);
    payloads.push(bulkOf(await x.call('FUNCTION', 'DUMP')));
  }
  assert.equal(payloads[0], payloads[1], 'the two DUMP payloads differ');
  const script: string[][] = [
    ['FUNCTION', 'RESTORE', payloads[0]], ['FUNCTION', 'RESTORE', payloads[0], 'REPLACE'], ['FUNCTION', 'RESTORE', payloads[0], 'append'],
    ['FUNCTION', 'DELETE', 'rlib'], ['FUNCTION', 'LOAD', other], ['FUNCTION', 'RESTORE', payloads[0], 'REPLACE'],
    ['FUNCTION', 'RESTORE', payloads[0], 'FLUSH'], ['FCALL', 'rf', '0'], ['FUNCTION', 'LIST'], ['FUNCTION', 'RESTORE', payloads[0], 'bogus'],
    ['FUNCTION', 'RESTORE', payloads[0].slice(0, -1) + 'x'],
  ];
  const d = await runScripts(pair, { restore: [['FUNCTION', 'FLUSH'], ...script] }, { resp: [2, 3] });
  assert.equal(d.length, 0, formatDivergences(d));
});

// (Not inside MULTI: Redis refuses such a script when it is queued, Reddish when EXEC runs it.)
test('declared flags on a read-only replica and on a stale one: the same refusals as Redis 7.0', async () => {
  const replies: Record<string, string[]> = {};
  for (const kind of ['redis', 'reddish'] as const) {
    const master = await startServer(kind, ['--repl-diskless-sync-delay', '0']);
    const replica = await startServer(kind, ['--replicaof', '127.0.0.1', String(master.port)]);
    const m = await RawClient.connect(master.port);
    const r = await RawClient.connect(replica.port);
    const out: string[] = [];
    try {
      await m.call('FUNCTION', 'LOAD', lib('rl', 'redis.register_function("wfn", function() return "w" end)\n' +
        'redis.register_function{function_name="rfn", callback=function() return "r" end, flags={"no-writes"}}'));
      for (let i = 0; i < 200 && !(await r.call('INFO', 'replication')).includes('master_link_status:up'); i++) await new Promise((x) => setTimeout(x, 50));
      assert.equal(await m.call('WAIT', '1', '5000'), ':1\r\n');
      const run = async (...cmd: string[]): Promise<void> => {
        out.push(await r.call(...cmd));
      };
      await run('EVAL', '#!lua\nreturn 1', '0');
      await run('EVAL', '#!lua flags=no-writes\nreturn 1', '0');
      await run('EVAL', 'return 1', '0');
      await run('EVAL_RO', '#!lua\nreturn 1', '0');
      await run('FCALL', 'wfn', '0');
      await run('FCALL_RO', 'wfn', '0');
      await run('FCALL', 'rfn', '0');
      await run('CONFIG', 'SET', 'replica-serve-stale-data', 'no');
      await run('REPLICAOF', '127.0.0.1', '1');
      await run('EVAL', 'return 1', '0');
      await run('EVAL', '#!lua flags=no-writes\nreturn 1', '0');
      await run('EVAL', '#!lua flags=no-writes,allow-stale\nreturn redis.call("GET", "x")', '0');
      await run('EVAL', '#!lua flags=no-writes,allow-stale\nreturn redis.call("TIME")[3]', '0');
      await run('FCALL', 'rfn', '0');
    } finally {
      m.close();
      r.close();
      await replica.stop();
      await master.stop();
    }
    replies[kind] = out;
  }
  assert.deepEqual(replies.reddish, replies.redis);
});
