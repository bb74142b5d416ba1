/**
 * The `redis` table scripts see: call/pcall into the host, reply helpers,
 * logging, RESP version and replication controls, as Redis 7.0 defines them.
 */
import { createHash } from 'node:crypto';
import { lua, pushString, raiseErrorTable, setFunctions, toString, type LuaState } from './vm.js';
import { pushReply } from './reply-to-lua.js';
import { formatG } from './number-format.js';
import type { Reply, RespVersion } from './reply.js';
import type { ScriptHost, ScriptLogLevel } from './types.js';

/** The state of the script being run; redis.* functions read it. */
export interface RunContext {
  host: ScriptHost | null;
  resp: RespVersion;
}

const REPL = { REPL_NONE: 0, REPL_AOF: 1, REPL_SLAVE: 2, REPL_REPLICA: 2, REPL_ALL: 3 } as const;
const LOG = { LOG_DEBUG: 0, LOG_VERBOSE: 1, LOG_NOTICE: 2, LOG_WARNING: 3 } as const;
/** redis.REDIS_VERSION / REDIS_VERSION_NUM (0x00MMmmpp), the version Reddish answers as. */
const REDIS_VERSION = '7.0.15';
const REDIS_VERSION_NUM = 0x07000f;

/** redis.call's arguments → argv, or an error text (Redis's wording). */
function readArgv(L: LuaState): string[] | string {
  const n = lua.lua_gettop(L);
  if (n === 0) return 'ERR Please specify at least one argument for this redis lib call';
  const argv: string[] = new Array<string>(n);
  for (let i = 1; i <= n; i++) {
    const t = lua.lua_type(L, i);
    // Redis formats numeric arguments with "%.17g" (1.5 → "1.5", 1e17 → "1.0000000000000000e+17").
    if (t === lua.LUA_TNUMBER) argv[i - 1] = formatG(lua.lua_tonumber(L, i), 17);
    else if (t === lua.LUA_TSTRING) argv[i - 1] = toString(L, i) as string;
    else return 'ERR Lua redis lib command arguments must be strings or integers';
  }
  return argv;
}

function callHost(ctx: RunContext, argv: string[]): Reply {
  if (ctx.host === null) return { type: 'error', value: 'ERR redis.call is not allowed here' };
  try {
    return ctx.host.call(argv, ctx.resp);
  } catch (e) {
    // A host bug must not unwind through the VM as a JS exception.
    return { type: 'error', value: `ERR ${(e as Error).message}` };
  }
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex');
}

/** Builds the `redis` table and leaves it on the stack. */
export function pushRedisLib(L: LuaState, ctx: RunContext): void {
  lua.lua_createtable(L, 0, 32);
  setFunctions(L, {
    call(L) {
      const argv = readArgv(L);
      if (typeof argv === 'string') return raiseErrorTable(L, argv);
      const reply = callHost(ctx, argv);
      if (reply.type === 'error') return raiseErrorTable(L, reply.value);
      pushReply(L, reply, ctx.resp);
      return 1;
    },
    pcall(L) {
      const argv = readArgv(L);
      const reply = typeof argv === 'string' ? ({ type: 'error', value: argv } as const) : callHost(ctx, argv);
      pushReply(L, reply, ctx.resp);
      return 1;
    },
    error_reply(L) {
      if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raiseErrorTable(L, 'ERR wrong number or type of arguments');
      let msg = toString(L, 1) as string;
      // Redis 7.0 strips a leading '-' and turns an empty message into "ERR ".
      if (msg.startsWith('-')) msg = msg.slice(1);
      if (msg === '') msg = 'ERR ';
      lua.lua_createtable(L, 0, 1);
      pushString(L, msg);
      lua.lua_setfield(L, -2, 'err');
      return 1;
    },
    status_reply(L) {
      if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) return raiseErrorTable(L, 'ERR wrong number or type of arguments');
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushvalue(L, 1);
      lua.lua_setfield(L, -2, 'ok');
      return 1;
    },
    sha1hex(L) {
      if (lua.lua_gettop(L) !== 1) return raiseErrorTable(L, 'ERR wrong number of arguments');
      pushString(L, sha1hex(toString(L, 1) ?? ''));
      return 1;
    },
    log(L) {
      const n = lua.lua_gettop(L);
      if (n < 2) return raiseErrorTable(L, 'ERR redis.log() requires two arguments or more.');
      if (lua.lua_type(L, 1) !== lua.LUA_TNUMBER) return raiseErrorTable(L, 'ERR First argument must be a number (log level).');
      const level = lua.lua_tonumber(L, 1);
      if (level < 0 || level > 3) return raiseErrorTable(L, 'ERR Invalid debug level.');
      const parts: string[] = [];
      for (let i = 2; i <= n; i++) parts.push(toString(L, i) ?? '');
      ctx.host?.log?.(Math.trunc(level) as ScriptLogLevel, parts.join(' '));
      return 0;
    },
    setresp(L) {
      if (lua.lua_gettop(L) !== 1) return raiseErrorTable(L, 'ERR redis.setresp() requires one argument.');
      const v = lua.lua_tonumber(L, 1);
      if (v !== 2 && v !== 3) return raiseErrorTable(L, 'ERR RESP version must be 2 or 3.');
      ctx.resp = v;
      return 0;
    },
    set_repl(L) {
      if (lua.lua_gettop(L) !== 1) return raiseErrorTable(L, 'ERR redis.set_repl() requires one argument.');
      const flags = lua.lua_tonumber(L, 1);
      if (!(flags >= 0 && flags <= 3) || Math.trunc(flags) !== flags) {
        return raiseErrorTable(L, 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      }
      ctx.host?.setRepl?.(flags);
      return 0;
    },
    // Effects replication is the only mode in Redis 7: this is a no-op answering true.
    replicate_commands(L) {
      lua.lua_pushboolean(L, true);
      return 1;
    },
    // The debugger is not supported: both are no-ops, as outside a debugging session in Redis.
    breakpoint(L) {
      lua.lua_pushboolean(L, false);
      return 1;
    },
    debug() {
      return 0;
    },
  });
  for (const [k, v] of Object.entries({ ...REPL, ...LOG, REDIS_VERSION_NUM })) {
    lua.lua_pushnumber(L, v);
    lua.lua_setfield(L, -2, k);
  }
  pushString(L, REDIS_VERSION);
  lua.lua_setfield(L, -2, 'REDIS_VERSION');
}
