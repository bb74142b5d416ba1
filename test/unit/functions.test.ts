/**
 * The function engine on its own: libraries, case-insensitive function
 * lookup, REPLACE keeping the old library when the new one fails, library
 * sets joined or swapped (FUNCTION RESTORE, RDB loads), the load timeout,
 * and the EVAL-only globals KEYS/ARGV being absent from functions. Texts are
 * redis-server 7.0.15's (test/differential/functions.test.ts compares the rest).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionEngine, LibrarySet, loadLibraries, SUSPENDED, SCRIPT_FLAG_NO_WRITES, type Reply, type ScriptHost } from '../../src/scripting/index.js';

const host: ScriptHost = { call: (): Reply => ({ type: 'status', value: 'OK' }) };
const SYNC = { mayYield: false, busyThresholdMs: 5000 };
const lib = (name: string, body: string): string => `#!lua name=${name}\n${body}`;

function fcall(e: FunctionEngine, name: string, keys: string[] = [], args: string[] = []): Reply {
  const fi = e.find(name);
  if (fi === undefined) return { type: 'error', value: 'ERR Function not found' };
  const r = e.call(fi, keys, args, host, SYNC);
  assert.notEqual(r, SUSPENDED);
  return r as Reply;
}

test('create, call with (keys, args), case-insensitive lookup, flags and description', () => {
  const e = new FunctionEngine();
  assert.deepEqual(e.create(lib('a', 'redis.register_function{function_name="Echo", callback=function(k, a) return {k[1], a[1], #a} end, flags={"no-writes"}, description="d"}'), false, 500), { name: 'a' });
  assert.deepEqual(fcall(e, 'echo', ['k'], ['x', 'y']), { type: 'array', value: [{ type: 'bulk', value: 'k' }, { type: 'bulk', value: 'x' }, { type: 'integer', value: 2 }] });
  const fi = e.find('ECHO');
  assert.equal(fi?.name, 'Echo');
  assert.equal(fi?.flags, SCRIPT_FLAG_NO_WRITES);
  assert.equal(fi?.description, 'd');
  assert.deepEqual(e.codes(), [lib('a', 'redis.register_function{function_name="Echo", callback=function(k, a) return {k[1], a[1], #a} end, flags={"no-writes"}, description="d"}')]);
  // Functions have no KEYS/ARGV globals; errors name the function.
  assert.deepEqual(e.create(lib('b', 'redis.register_function("g", function() return KEYS end)'), false, 500), { name: 'b' });
  assert.deepEqual(fcall(e, 'g'), { type: 'error', value: "ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS' script: g, on @user_function:2." });
});

test('REPLACE: a failing new version leaves the old library and its functions in place', () => {
  const e = new FunctionEngine();
  e.create(lib('a', 'redis.register_function("f", function() return 1 end)'), false, 500);
  e.create(lib('b', 'redis.register_function("g", function() return 2 end)'), false, 500);
  assert.deepEqual(e.create(lib('a', 'redis.register_function("g", function() return 3 end)'), true, 500), { error: 'ERR Function g already exists' });
  assert.deepEqual(e.create(lib('a', 'return +'), true, 500), { error: "ERR Error compiling function: user_function:2: unexpected symbol near '+'" });
  assert.deepEqual(fcall(e, 'f'), { type: 'integer', value: 1 });
  assert.deepEqual(e.create(lib('a', 'redis.register_function("f2", function() return 4 end)'), true, 500), { name: 'a' });
  assert.deepEqual(fcall(e, 'f'), { type: 'error', value: 'ERR Function not found' });
  assert.deepEqual(fcall(e, 'f2'), { type: 'integer', value: 4 });
});

test('join: collisions fail the whole join and leave both sets as they were; replace swaps same-named libraries', () => {
  const e = new FunctionEngine();
  e.create(lib('a', 'redis.register_function("f", function() return 1 end)'), false, 500);
  const set = new LibrarySet();
  assert.ok('name' in e.create(lib('a', 'redis.register_function("f", function() return 10 end)'), false, 0, set));
  assert.ok('name' in e.create(lib('c', 'redis.register_function("h", function() return 30 end)'), false, 0, set));
  assert.equal(e.join(set, false), 'ERR Library a already exists');
  assert.deepEqual(fcall(e, 'f'), { type: 'integer', value: 1 });
  assert.equal(e.find('h'), undefined);
  assert.equal(e.join(set, true), null);
  assert.deepEqual(fcall(e, 'f'), { type: 'integer', value: 10 });
  assert.deepEqual(fcall(e, 'h'), { type: 'integer', value: 30 });
  const clash = new LibrarySet();
  assert.ok('name' in e.create(lib('d', 'redis.register_function("H", function() return 40 end)'), false, 0, clash));
  assert.equal(e.join(clash, true), 'ERR Function H already exists');
});

test('loadLibraries: an RDB image replaces the libraries (or merges them); a bad library fails it all', () => {
  const e = new FunctionEngine();
  e.create(lib('old', 'redis.register_function("o", function() return 1 end)'), false, 500);
  assert.equal(loadLibraries(e, [lib('n', 'redis.register_function("n", function() return 2 end)')], false), null);
  assert.equal(e.find('o'), undefined);
  assert.deepEqual(fcall(e, 'n'), { type: 'integer', value: 2 });
  assert.equal(loadLibraries(e, [lib('m', 'redis.register_function("m", function() return 3 end)')], true), null);
  assert.deepEqual([e.find('n')?.name, e.find('m')?.name], ['n', 'm']);
  assert.equal(loadLibraries(e, [lib('x', 'return +')], false), "ERR Error compiling function: user_function:2: unexpected symbol near '+'");
  assert.deepEqual([e.find('n')?.name, e.find('m')?.name], ['n', 'm']);
});

test('load-time code past the timeout is stopped; with no timeout (master, RDB) it may run long', () => {
  const e = new FunctionEngine();
  assert.deepEqual(e.create(lib('t', 'local i = 0 while true do i = i + 1 end'), false, 50), { error: 'ERR Error registering functions: ERR FUNCTION LOAD timeout' });
  assert.deepEqual(e.create(lib('t', 'local i = 0 while i < 300000 do i = i + 1 end redis.register_function("t", function() return i end)'), false, 0), { name: 't' });
  assert.deepEqual(fcall(e, 't'), { type: 'integer', value: 300000 });
});
