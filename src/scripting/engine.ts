/**
 * The script engine: one Lua VM holding every loaded script as a compiled
 * function, run synchronously with Redis 7.0's environment and error texts.
 */
import { lua, lauxlib, lualib, pushString, raiseErrorTable, toString, type LuaState } from './vm.js';
import { pushRedisLib, sha1hex, type RunContext } from './redis-lib.js';
import { pushBitLib } from './lib-bit.js';
import { pushCjsonLib } from './lib-cjson.js';
import { pushCmsgpackLib } from './lib-cmsgpack.js';
import { pushStructLib } from './lib-struct.js';
import { luaToReply } from './lua-to-reply.js';
import { SANDBOX_LUA } from './sandbox-lua.js';
import type { Reply } from './reply.js';
import type { LoadResult, RunOptions, ScriptEngine, ScriptHost } from './types.js';

/** How many Lua instructions run between two onTick consultations. */
export const TICK_INSTRUCTIONS = 100_000;
const CHUNK_NAME = Buffer.from('@user_script', 'latin1');
const KILLED = 'ERR Script killed by user with SCRIPT KILL...';

class FengariScriptEngine implements ScriptEngine {
  private L!: LuaState;
  private handlerRef = 0;
  private readonly scripts = new Map<string, number>();
  private readonly ctx: RunContext = { host: null, resp: 2 };

  constructor() {
    this.reset();
  }

  private reset(): void {
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    pushRedisLib(L, this.ctx);
    lua.lua_setglobal(L, 'redis');
    pushCjsonLib(L);
    lua.lua_setglobal(L, 'cjson');
    pushBitLib(L);
    lua.lua_setglobal(L, 'bit');
    pushCmsgpackLib(L);
    lua.lua_setglobal(L, 'cmsgpack');
    pushStructLib(L);
    lua.lua_setglobal(L, 'struct');
    const src = Buffer.from(SANDBOX_LUA, 'latin1');
    if (lauxlib.luaL_loadbuffer(L, src, src.length, Buffer.from('=sandbox')) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
      throw new Error(`scripting sandbox failed: ${toString(L, -1)}`);
    }
    this.handlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.L = L;
    this.scripts.clear();
  }

  load(body: string): LoadResult {
    const sha = sha1hex(body);
    if (this.scripts.has(sha)) return { sha };
    const L = this.L;
    const buf = Buffer.from(body, 'latin1');
    if (lauxlib.luaL_loadbuffer(L, buf, buf.length, CHUNK_NAME) !== lua.LUA_OK) {
      const msg = toString(L, -1) ?? '';
      lua.lua_settop(L, 0);
      return { error: `ERR Error compiling script (new function): ${lua51Message(msg)}` };
    }
    this.scripts.set(sha, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    return { sha };
  }

  has(sha: string): boolean {
    return this.scripts.has(sha);
  }

  flush(): void {
    this.reset();
  }

  run(sha: string, keys: string[], args: string[], host: ScriptHost, opts: RunOptions): Reply {
    const ref = this.scripts.get(sha);
    if (ref === undefined) return { type: 'error', value: 'NOSCRIPT No matching script. Please use EVAL.' };
    const L = this.L;
    this.setGlobalArray('KEYS', keys);
    this.setGlobalArray('ARGV', args);
    this.ctx.host = host;
    this.ctx.resp = 2; // every script starts in RESP2, whatever the client speaks
    if (opts.onTick) this.installKillHook(opts.onTick);
    try {
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.handlerRef);
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
      if (lua.lua_pcall(L, 0, 1, 1) === lua.LUA_OK) return luaToReply(L, -1, this.ctx.resp);
      return { type: 'error', value: this.errorText(sha) };
    } finally {
      lua.lua_settop(L, 0);
      lua.lua_sethook(L, null, 0, 0);
      this.ctx.host = null;
    }
  }

  /** Rawset: the globals table refuses ordinary writes (globals protection). */
  private setGlobalArray(name: string, values: string[]): void {
    const L = this.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    pushString(L, name);
    lua.lua_createtable(L, values.length, 0);
    for (let i = 0; i < values.length; i++) {
      pushString(L, values[i]);
      lua.lua_rawseti(L, -2, i + 1);
    }
    lua.lua_rawset(L, -3);
    lua.lua_pop(L, 1);
  }

  private installKillHook(onTick: () => 'continue' | 'kill'): void {
    let killed = false;
    const hook = (L: LuaState): void => {
      if (!killed && onTick() !== 'kill') return;
      if (!killed) {
        killed = true;
        // Re-raise at every instruction so a script's own pcall cannot swallow the kill.
        lua.lua_sethook(L, hook, lua.LUA_MASKCOUNT, 1);
      }
      raiseErrorTable(L, KILLED);
    };
    lua.lua_sethook(this.L, hook, lua.LUA_MASKCOUNT, TICK_INSTRUCTIONS);
  }

  /** Redis 7.0's text for a failed script: "<err> script: <sha>, on @user_script:<line>." */
  private errorText(sha: string): string {
    const L = this.L;
    if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return `ERR ${toString(L, -1) ?? 'unknown error'} script: ${sha}`;
    const field = (name: string): string | null => {
      lua.lua_getfield(L, -1, name);
      const v = toString(L, -1);
      lua.lua_pop(L, 1);
      return v;
    };
    const err = lua51Message(field('err') ?? 'ERR unknown error');
    const source = field('source');
    const line = field('line');
    return source !== null && line !== null ? `${err} script: ${sha}, on ${source}:${line}.` : `${err} script: ${sha}`;
  }
}

/**
 * Rewrites Lua 5.3 message shapes into Lua 5.1's, which Redis clients see:
 * "attempt to index a nil value (local 'a')" → "attempt to index local 'a' (a nil value)",
 * "near <eof>" → "near '<eof>'".
 */
function lua51Message(msg: string): string {
  return msg
    .replace(/attempt to (\w+) a (\w+) value \((local|global|field|upvalue|method|constant) '([^']*)'\)/, "attempt to $1 $3 '$4' (a $2 value)")
    .replace(/ near <eof>$/, " near '<eof>'");
}

/** Creates an engine; synchronous because fengari needs no async initialisation. */
export function createScriptEngine(): ScriptEngine {
  return new FengariScriptEngine();
}
