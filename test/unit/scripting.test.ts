/**
 * The Lua scripting engine on its own, against a fake host: Lua↔RESP
 * conversions, redis.call/pcall errors, the redis.* helpers, binary safety,
 * globals protection, cjson/bit, compile errors and the kill hook. Expected
 * error texts are the ones real redis-server 7.0.15 printed for the same scripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createScriptEngine, sha1hex, SUSPENDED, SCRIPT_FLAG_EVAL_COMPAT_MODE, SCRIPT_FLAG_NO_WRITES, SCRIPT_FLAG_ALLOW_STALE,
  type Reply, type RunOptions, type RunResult, type ScriptHost,
} from '../../src/scripting/index.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** GET/SET/INCR over a Map; a list-typed key for WRONGTYPE; RESP3 samples; unknown commands fail as Redis words it. */
function fakeHost(): ScriptHost & { store: Map<string, string | string[]>; logs: string[]; seenResp: number[] } {
  const store = new Map<string, string | string[]>([['list', ['a']]]);
  const logs: string[] = [];
  const seenResp: number[] = [];
  return {
    store, logs, seenResp,
    call(argv, resp): Reply {
      seenResp.push(resp);
      const v = store.get(argv[1]);
      switch (argv[0].toUpperCase()) {
        case 'GET':
          if (v === undefined) return { type: 'nullbulk' };
          return typeof v === 'string' ? { type: 'bulk', value: v } : { type: 'error', value: WRONGTYPE };
        case 'SET':
          store.set(argv[1], argv[2]);
          return { type: 'status', value: 'OK' };
        case 'INCR': {
          const n = Number(v ?? 0) + 1;
          store.set(argv[1], String(n));
          return { type: 'integer', value: n };
        }
        case 'R3':
          return { type: 'array', value: [
            { type: 'map', value: [[{ type: 'bulk', value: 'f' }, { type: 'integer', value: 1 }]] },
            { type: 'set', value: [{ type: 'bulk', value: 'm' }] },
            { type: 'double', value: 1.5 },
            { type: 'boolean', value: true },
            { type: 'null' },
          ] };
        case 'NULLARRAY':
          return { type: 'array', value: null };
        default:
          return { type: 'error', value: 'ERR Unknown Redis command called from script' };
      }
    },
    log(level, message) {
      logs.push(`${level}:${message}`);
    },
  };
}

const engine = createScriptEngine();
/** Never suspended: runs to the end like a script inside EXEC. */
const SYNC: RunOptions = { mayYield: false, busyThresholdMs: 5000 };

function settled(r: RunResult): Reply {
  assert.notEqual(r, SUSPENDED);
  return r as Reply;
}

function evalScript(body: string, keys: string[] = [], args: string[] = [], host: ScriptHost = fakeHost(), opts: RunOptions = SYNC): Reply {
  const loaded = engine.load(body);
  if ('error' in loaded) return { type: 'error', value: loaded.error };
  return settled(engine.run(loaded, keys, args, host, opts));
}

const bulk = (value: string): Reply => ({ type: 'bulk', value });
const int = (value: number): Reply => ({ type: 'integer', value });
const err = (value: string): Reply => ({ type: 'error', value });
const sfx = (body: string, line = 1): string => ` script: ${sha1hex(body)}, on @user_script:${line}.`;

test('load returns the lowercase SHA1 of the body and its flags; an unknown sha is not cached', () => {
  const r = engine.load('return 1');
  assert.ok('sha' in r);
  assert.equal(r.sha, 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
  assert.equal(r.flags, SCRIPT_FLAG_EVAL_COMPAT_MODE);
  assert.equal(engine.has('e0e1f9fabfc9d4800c877a703b823ac0578ff8db'), true);
  assert.equal(engine.lookup('0'.repeat(40)), undefined);
});

test('shebang: flags parsed, body compiled without the shebang line (line numbers kept), errors as 7.0.15', () => {
  const ro = engine.load('#!lua flags=no-writes,allow-stale\nreturn 1');
  assert.ok('flags' in ro);
  assert.equal(ro.flags, SCRIPT_FLAG_NO_WRITES | SCRIPT_FLAG_ALLOW_STALE);
  const plain = engine.load('#!lua\nreturn 2');
  assert.ok('flags' in plain);
  assert.equal(plain.flags, 0);
  assert.deepEqual(evalScript('#!lua\nreturn 2'), int(2));
  const boom = '#!lua\n\nerror("x")';
  assert.deepEqual(evalScript(boom), err('ERR user_script:3: x' + sfx(boom, 3)));
  assert.deepEqual(engine.load('#!lua flags=bogus\nreturn 1'), { error: 'ERR Unexpected flag in script shebang: bogus' });
  assert.deepEqual(engine.load('#!lua flags=no-writes,\nreturn 1'), { error: 'ERR Unexpected flag in script shebang: ' });
  assert.deepEqual(engine.load('#!luax\nreturn 1'), { error: 'ERR Unexpected engine in script shebang: #!luax' });
  assert.deepEqual(engine.load('#!lua foo=bar\nreturn 1'), { error: 'ERR Unknown lua shebang option: foo=bar' });
  assert.deepEqual(engine.load('#!lua'), { error: 'ERR Invalid script shebang' });
  assert.deepEqual(engine.load('#!lua "x\nreturn 1'), { error: 'ERR Invalid engine in script shebang' });
  assert.deepEqual(engine.load('#!lua\nreturn 1 +'), { error: "ERR Error compiling script (new function): user_script:2: unexpected symbol near '<eof>'" });
});

test('compile errors use Redis 7.0 text', () => {
  assert.deepEqual(engine.load('return 1 +'), { error: "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'" });
});

test('Lua → reply: numbers truncate, tables stop at nil, ok/err tables, booleans', () => {
  assert.deepEqual(evalScript('return 3.99'), int(3));
  assert.deepEqual(evalScript('return -3.99'), int(-3));
  assert.deepEqual(evalScript('return 1e20'), { type: 'integer', value: -(2n ** 63n) });
  assert.deepEqual(evalScript("return {1,2,3,'ciao',{1,2},nil,5}"), { type: 'array', value: [int(1), int(2), int(3), bulk('ciao'), { type: 'array', value: [int(1), int(2)] }] });
  assert.deepEqual(evalScript("return {1,'a',{ok='x'},{err='y'},true,false}"), { type: 'array', value: [int(1), bulk('a'), { type: 'status', value: 'x' }, err('y'), int(1), { type: 'nullbulk' }] });
  assert.deepEqual(evalScript('return true'), int(1));
  assert.deepEqual(evalScript('return false'), { type: 'nullbulk' });
  assert.deepEqual(evalScript('return nil'), { type: 'nullbulk' });
  assert.deepEqual(evalScript("return {err=''}"), err(''));
  assert.deepEqual(evalScript('return {err=123}'), { type: 'array', value: [] });
  assert.deepEqual(evalScript("return {double=3.5}"), { type: 'double', value: 3.5 });
  assert.deepEqual(evalScript("return {big_number='123'}"), { type: 'bignum', value: '123' });
  assert.deepEqual(evalScript("return {map={a=1}}"), { type: 'map', value: [[bulk('a'), int(1)]] });
  assert.deepEqual(evalScript("return {set={a=true}}"), { type: 'set', value: [bulk('a')] });
});

test('reply → Lua: integer, bulk, null, status and error tables, arrays', () => {
  assert.deepEqual(evalScript("redis.call('SET','n','5') return redis.call('INCR','n') + 0.5"), int(6));
  assert.deepEqual(evalScript("return type(redis.call('GET','nokey'))"), bulk('boolean'));
  assert.deepEqual(evalScript("return type(redis.call('NULLARRAY'))"), bulk('boolean'));
  assert.deepEqual(evalScript("return redis.call('SET','a','b')['ok']"), bulk('OK'));
  assert.deepEqual(evalScript("return redis.pcall('GET','list')['err']"), bulk(WRONGTYPE));
  assert.deepEqual(evalScript("redis.call('SET','a','b') return redis.call('GET','a')"), bulk('b'));
  // RESP2 mode downgrades RESP3 replies the host might give.
  assert.deepEqual(evalScript("local r = redis.call('R3') return {r[1][1], r[1][2], r[2][1], r[3], r[4], type(r[5])}"),
    { type: 'array', value: [bulk('f'), int(1), bulk('m'), bulk('1.5'), int(1), bulk('boolean')] });
});

test('redis.setresp(3): RESP3 table forms, nil for nulls, host told the version', () => {
  const host = fakeHost();
  assert.deepEqual(
    evalScript("redis.setresp(3) local r = redis.call('R3') return {r[1].map.f, r[2].set.m, r[3].double, r[4], type(r[5]), type(redis.call('GET','nokey'))}", [], [], host),
    { type: 'array', value: [int(1), { type: 'boolean', value: true }, int(1), { type: 'boolean', value: true }, bulk('nil'), bulk('nil')] },
  );
  assert.deepEqual(host.seenResp, [3, 3]);
  assert.deepEqual(evalScript('redis.setresp(3) return false'), { type: 'boolean', value: false });
  assert.deepEqual(evalScript('return redis.setresp(4)'), err('ERR RESP version must be 2 or 3.' + sfx('return redis.setresp(4)')));
});

test('redis.call raises with Redis 7.0 error text; pcall returns the error', () => {
  const body = "\n\nreturn redis.call('GET', 'list')";
  assert.deepEqual(evalScript(body), err(WRONGTYPE + sfx(body, 3)));
  assert.deepEqual(evalScript("return redis.pcall('GET','list')"), err(WRONGTYPE));
  assert.deepEqual(evalScript("return redis.call('NOPE')"), err('ERR Unknown Redis command called from script' + sfx("return redis.call('NOPE')")));
  assert.deepEqual(evalScript('return redis.call()'), err('ERR Please specify at least one argument for this redis lib call' + sfx('return redis.call()')));
  const bad = "return redis.call('GET', 'l', {})";
  assert.deepEqual(evalScript(bad), err('ERR Lua redis lib command arguments must be strings or integers' + sfx(bad)));
  // A script's own pcall sees the error as a string, as in 7.0.
  assert.deepEqual(evalScript("local ok, e = pcall(redis.call, 'NOPE') return {tostring(ok), e, type(e)}"),
    { type: 'array', value: [bulk('false'), bulk('ERR Unknown Redis command called from script'), bulk('string')] });
});

test('Lua errors: error(), runtime errors, error tables', () => {
  assert.deepEqual(evalScript("error('boom')"), err('ERR user_script:1: boom' + sfx("error('boom')")));
  assert.deepEqual(evalScript('error()'), err('ERR nil' + sfx('error()')));
  assert.deepEqual(evalScript("error({err='My Error'})"), err('My Error' + sfx("error({err='My Error'})")));
  const nilIndex = 'local a = nil\n\nreturn a.b';
  assert.deepEqual(evalScript(nilIndex), err("ERR user_script:3: attempt to index local 'a' (a nil value)" + sfx(nilIndex, 3)));
});

test('error_reply, status_reply, sha1hex, log, set_repl, replicate_commands', () => {
  assert.deepEqual(evalScript("return redis.error_reply('My Error')"), err('My Error'));
  assert.deepEqual(evalScript("return redis.error_reply('')"), err('ERR '));
  assert.deepEqual(evalScript("return redis.status_reply('FINE')"), { type: 'status', value: 'FINE' });
  assert.deepEqual(evalScript("return redis.sha1hex('')"), bulk('da39a3ee5e6b4b0d3255bfef95601890afd80709'));
  assert.deepEqual(evalScript('return redis.sha1hex()'), err('ERR wrong number of arguments' + sfx('return redis.sha1hex()')));
  const host = fakeHost();
  assert.deepEqual(evalScript("return redis.log(redis.LOG_WARNING, 'hi', 'there')", [], [], host), { type: 'nullbulk' });
  assert.deepEqual(host.logs, ['3:hi there']);
  assert.deepEqual(evalScript('return {redis.LOG_DEBUG,redis.LOG_VERBOSE,redis.LOG_NOTICE,redis.LOG_WARNING,redis.REPL_NONE,redis.REPL_AOF,redis.REPL_SLAVE,redis.REPL_REPLICA,redis.REPL_ALL}'),
    { type: 'array', value: [0, 1, 2, 3, 0, 1, 2, 2, 3].map(int) });
  assert.deepEqual(evalScript('return redis.set_repl(99)'), err('ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.' + sfx('return redis.set_repl(99)')));
  assert.deepEqual(evalScript('return redis.replicate_commands()'), int(1));
});

test('KEYS and ARGV; numeric arguments formatted like Redis (%.17g)', () => {
  assert.deepEqual(evalScript('return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}', ['k1', 'k2'], ['a1']), { type: 'array', value: [bulk('k1'), bulk('k2'), bulk('a1'), int(2), int(1)] });
  assert.deepEqual(evalScript('return {#KEYS, #ARGV}'), { type: 'array', value: [int(0), int(0)] });
  const host = fakeHost();
  evalScript("redis.call('SET', 'x', 1.5) redis.call('SET', 'y', 123456789012345678) redis.call('SET', 'z', 3)", [], [], host);
  assert.deepEqual([host.store.get('x'), host.store.get('y'), host.store.get('z')], ['1.5', '1.2345678901234568e+17', '3']);
});

test('numbers behave as Lua 5.1 doubles', () => {
  assert.deepEqual(evalScript("return tostring(1e15)..','..tostring(3)..','..tostring(10/2)..','..(0.1+0.2)"), bulk('1e+15,3,5,0.3'));
  // fengari's 32-bit integers would wrap here; millisecond timestamps need doubles.
  assert.deepEqual(evalScript('return tonumber(ARGV[1]) * 1000 + 2147483647', [], ['1700000000']), int(1702147483647));
  assert.deepEqual(evalScript('return {type(unpack), type(loadstring), table.getn({1,2}), math.pow(2, 10)}'), { type: 'array', value: [bulk('function'), bulk('function'), int(2), int(1024)] });
});

test('binary safety: all 256 byte values round-trip through keys, args, call and return', () => {
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  const host = fakeHost();
  const r = evalScript("redis.call('SET', KEYS[1], ARGV[1]) return {redis.call('GET', KEYS[1]), #ARGV[1], ARGV[1]:byte(256)}", [all], [all], host);
  assert.deepEqual(r, { type: 'array', value: [bulk(all), int(256), int(255)] });
  assert.equal(host.store.get(all), all);
  assert.deepEqual(evalScript('return string.char(0, 128, 255)'), bulk('\x00\x80\xff'));
  assert.deepEqual(evalScript('return redis.sha1hex(ARGV[1])', [], ['\xff\x00']), bulk(sha1hex('\xff\x00')));
});

test('globals protection with Redis 7.0 texts', () => {
  assert.deepEqual(evalScript('x = 1'), err('ERR user_script:1: Attempt to modify a readonly table' + sfx('x = 1')));
  assert.deepEqual(evalScript('return y'), err("ERR user_script:1: Script attempted to access nonexistent global variable 'y'" + sfx('return y')));
  for (const g of ['print', 'dofile', 'loadfile', 'os', 'io', 'require', 'debug']) {
    assert.deepEqual(evalScript(`return ${g}`), err(`ERR user_script:1: Script attempted to access nonexistent global variable '${g}'` + sfx(`return ${g}`)));
  }
  assert.deepEqual(evalScript('local x = 1 return x'), int(1));
});

test('cjson encode/decode', () => {
  assert.deepEqual(evalScript("return cjson.encode({1,2,{a=1}})"), bulk('[1,2,{"a":1}]'));
  assert.deepEqual(evalScript(`return cjson.encode(cjson.decode('[1,2.5,"a",null,{"x":[]}]'))`), bulk('[1,2.5,"a",null,{"x":{}}]'));
  assert.deepEqual(evalScript("return cjson.encode({[1]=1,[3]=3})"), bulk('[1,null,3]'));
  assert.deepEqual(evalScript("return cjson.encode({[1]=1, a=2})").type, 'bulk');
  assert.deepEqual(evalScript("return cjson.encode(12345678901234)"), bulk('12345678901234'));
  assert.deepEqual(evalScript("return cjson.encode(3.14159265358979)"), bulk('3.1415926535898'));
  assert.deepEqual(evalScript("return cjson.encode('a/b\"\\n\\1')"), bulk('"a\\/b\\"\\n\\u0001"'));
  assert.deepEqual(evalScript(`return cjson.decode('{"a":{"b":[10,20]}}').a.b[2]`), int(20));
  assert.deepEqual(evalScript("return type(cjson.decode('null'))"), bulk('userdata'));
  assert.deepEqual(evalScript("return cjson.decode('null') == cjson.null"), int(1));
  assert.deepEqual(evalScript(`return cjson.decode('"\\\\u00e9"')`), bulk('\xc3\xa9'));
  const bad = "return cjson.decode('{')";
  assert.deepEqual(evalScript(bad), err('ERR user_script:1: Expected object key string but found T_END at character 2' + sfx(bad)));
  const inf = 'return cjson.encode(1/0)';
  assert.deepEqual(evalScript(inf), err('ERR user_script:1: Cannot serialise number: must not be NaN or Inf' + sfx(inf)));
});

test('bit library', () => {
  assert.deepEqual(
    evalScript("return bit.tohex(255)..' '..bit.band(-1, 0xff)..' '..bit.lshift(1,31)..' '..bit.tobit(2^32+5)..' '..bit.bnot(0)..' '..bit.rshift(-1,28)..' '..bit.arshift(-256,4)..' '..bit.tohex(-1, -4)"),
    bulk('000000ff 255 -2147483648 5 -1 15 -16 FFFF'),
  );
  assert.deepEqual(evalScript('return {bit.bor(1, 2, 4), bit.bxor(5, 3), bit.rol(1, 33), bit.bswap(0x01020304)}'), { type: 'array', value: [int(7), int(6), int(2), int(0x04030201)] });
});

/** Runs until the script is suspended `n` times (or ends), resuming it each time. */
function runSuspending(body: string, beforeResume: (suspensions: number) => void = () => {}): { result: Reply; suspensions: number } {
  const loaded = engine.load(body);
  assert.ok('sha' in loaded);
  let r = engine.run(loaded, [], [], fakeHost(), { mayYield: true, busyThresholdMs: 0 });
  let suspensions = 0;
  while (r === SUSPENDED) {
    suspensions++;
    beforeResume(suspensions);
    r = engine.resume();
  }
  return { result: r, suspensions };
}

test('past busy-reply-threshold a script yields between hooks, and resumes to its result (also across pcall)', () => {
  const loop = 'local s = 0 for i = 1, 600000 do s = s + i end return s';
  const a = runSuspending(loop);
  assert.deepEqual(a.result, int(180000300000));
  assert.ok(a.suspensions >= 1, `suspended ${a.suspensions} times`);
  assert.equal(engine.timedOut, true);
  const inPcall = 'local ok, v = pcall(function() local s = 0 for i = 1, 600000 do s = s + i end return s end) return {tostring(ok), v}';
  const b = runSuspending(inPcall);
  assert.deepEqual(b.result, { type: 'array', value: [bulk('true'), int(180000300000)] });
  assert.ok(b.suspensions >= 1);
  // A pcall that caught an error leaves the hook working (fengari's yieldable pcall lost it: vm.ts patches that).
  const afterError = runSuspending('local ok = pcall(error, "x") local s = 0 for i = 1, 600000 do s = s + i end return s');
  assert.deepEqual(afterError.result, int(180000300000));
  assert.ok(afterError.suspensions >= 1, `suspended ${afterError.suspensions} times`);
  // Under the threshold, nothing yields.
  const loaded = engine.load(loop);
  assert.ok('sha' in loaded);
  assert.deepEqual(engine.run(loaded, [], [], fakeHost(), { mayYield: true, busyThresholdMs: 60_000 }), int(180000300000));
  assert.equal(engine.timedOut, false);
});

test('a Lua function called from JS (table.sort comparator) cannot yield: it keeps running synchronously', () => {
  const body = 'local t = {3, 1, 2} table.sort(t, function(a, b) local s = 0 for i = 1, 300000 do s = s + i end return a < b end) return t';
  const r = runSuspending(body);
  assert.deepEqual(r.result, { type: 'array', value: [int(1), int(2), int(3)] });
});

test('kill(): a suspended script ends with the kill error at its line, even inside pcall; the engine stays usable', () => {
  const body = 'local i = 0\nwhile true do i = i + 1 end';
  const r = runSuspending(body, (n) => {
    if (n === 3) engine.kill();
  });
  assert.deepEqual(r.result, err('ERR Script killed by user with SCRIPT KILL...' + sfx(body, 2)));
  assert.equal(r.suspensions, 3);
  const sneaky = 'while true do pcall(function() while true do end end) end';
  const s = runSuspending(sneaky, () => engine.kill());
  assert.equal(s.result.type, 'error');
  assert.match((s.result as { value: string }).value, /^ERR Script killed by user with SCRIPT KILL\.\.\. script: /);
  assert.deepEqual(evalScript('local s = 0 for i = 1, 300000 do s = s + i end return s'), int(45000150000));
  assert.deepEqual(evalScript('return redis.REDIS_VERSION'), bulk('7.0.15'));
});

test('flush forgets scripts', () => {
  const e = createScriptEngine();
  const r = e.load('return 1');
  assert.ok('sha' in r);
  e.flush();
  assert.equal(e.has(r.sha), false);
});

test('cmsgpack pack/unpack, byte-identical to redis-server 7.0 encodings', () => {
  const hex = (r: Reply): string => (r.type === 'bulk' ? Buffer.from(r.value, 'latin1').toString('hex') : JSON.stringify(r));
  assert.equal(hex(evalScript("return cmsgpack.pack({1,2,'a'})")), '930102a161');
  assert.equal(
    hex(evalScript('return cmsgpack.pack(1, -1, -33, 200, -200, 70000, -70000, 5000000000, -5000000000, 1.5, 0.1, true, false, nil)')),
    '01ffd0dfccc8d1ff38ce00011170d2fffeee90cf000000012a05f200d3fffffffed5fa0e00ca3fc00000cb3fb999999999999ac3c2c0',
  );
  assert.equal(hex(evalScript("return cmsgpack.pack({a=1})")), '81a16101');
  assert.equal(hex(evalScript("return cmsgpack.pack(string.rep('x', 40))")), 'd928' + '78'.repeat(40));
  assert.equal(hex(evalScript('return cmsgpack.pack({{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}})')), '91'.repeat(16) + 'c0');
  assert.deepEqual(evalScript("return {cmsgpack.unpack(cmsgpack.pack(1, 'b', 70000, -5000000000, 2.5))}"), { type: 'array', value: [int(1), bulk('b'), int(70000), int(-5000000000), int(2)] });
  assert.deepEqual(evalScript('return cmsgpack.unpack(cmsgpack.pack({x={y={1,2}}})).x.y[2]'), int(2));
  const missing = "return cmsgpack.unpack('\\205')";
  assert.deepEqual(evalScript(missing), err('ERR user_script:1: Missing bytes in input.' + sfx(missing)));
});

test('struct pack/unpack/size, as redis-server 7.0 encodes', () => {
  const hex = (r: Reply): string => (r.type === 'bulk' ? Buffer.from(r.value, 'latin1').toString('hex') : JSON.stringify(r));
  assert.equal(hex(evalScript("return struct.pack('>I2', 258)")), '0102');
  assert.equal(hex(evalScript("return struct.pack('<i4', -2)")), 'feffffff');
  assert.equal(hex(evalScript("return struct.pack('b B h H', -1, 255, -2, 65534)")), 'fffffefffeff');
  assert.equal(hex(evalScript("return struct.pack('>d', 1.5)")), '3ff8000000000000');
  assert.equal(hex(evalScript("return struct.pack('s c3', 'ab', 'abcdef')")), '616200616263');
  assert.deepEqual(evalScript("return {struct.unpack('>I2', 'abcd', 3)}"), { type: 'array', value: [int(25444), int(5)] });
  assert.deepEqual(evalScript("return {struct.unpack('<i4', struct.pack('<i4', -2))}"), { type: 'array', value: [int(-2), int(5)] });
  assert.deepEqual(evalScript("return {struct.unpack('c2 B', 'xyz')}"), { type: 'array', value: [bulk('xy'), int(122), int(4)] });
  assert.deepEqual(evalScript("return {struct.unpack('B c0', '\\3abcd')}"), { type: 'array', value: [bulk('abc'), int(5)] });
  assert.deepEqual(evalScript("return struct.size('>I4 i2 d')"), int(14));
  const short = "return {struct.unpack('>I2', 'a')}";
  assert.deepEqual(evalScript(short), err("ERR user_script:1: bad argument #2 to 'unpack' (data string too short)" + sfx(short)));
  const badOpt = "return struct.pack('>q', 1)";
  assert.deepEqual(evalScript(badOpt), err("ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'q')" + sfx(badOpt)));
});
