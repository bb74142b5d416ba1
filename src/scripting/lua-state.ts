/**
 * A fresh Lua state shaped like Redis 7.0's scripting environment: the
 * standard libraries, `redis`, `cjson`, `bit`, `cmsgpack`, `struct`, then
 * the sandbox (5.1 names, removed libraries, wrapped pcall, globals
 * protection). EVAL and Functions each get one (Redis keeps them apart too).
 */
import { lua, lauxlib, lualib, toString, type LuaState } from './vm.js';
import { pushRedisLib, type RunContext } from './redis-lib.js';
import { pushBitLib } from './lib-bit.js';
import { pushCjsonLib } from './lib-cjson.js';
import { pushCmsgpackLib } from './lib-cmsgpack.js';
import { pushStructLib } from './lib-struct.js';
import { SANDBOX_LUA } from './sandbox-lua.js';

/** Runs a piece of setup Lua (with `nargs` arguments already pushed after it is loaded), keeping `nresults`. */
export function runSetupLua(L: LuaState, source: string, name: string, nargs = 0, nresults = 0): void {
  const src = Buffer.from(source, 'latin1');
  if (lauxlib.luaL_loadbuffer(L, src, src.length, Buffer.from(`=${name}`)) !== lua.LUA_OK) {
    throw new Error(`scripting ${name} failed: ${toString(L, -1)}`);
  }
  if (nargs > 0) lua.lua_insert(L, -(nargs + 1));
  if (lua.lua_pcall(L, nargs, nresults, 0) !== lua.LUA_OK) throw new Error(`scripting ${name} failed: ${toString(L, -1)}`);
}

export function newScriptState(ctx: RunContext): LuaState {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  pushRedisLib(L, ctx);
  lua.lua_setglobal(L, 'redis');
  pushCjsonLib(L);
  lua.lua_setglobal(L, 'cjson');
  pushBitLib(L);
  lua.lua_setglobal(L, 'bit');
  pushCmsgpackLib(L);
  lua.lua_setglobal(L, 'cmsgpack');
  pushStructLib(L);
  lua.lua_setglobal(L, 'struct');
  runSetupLua(L, SANDBOX_LUA, 'sandbox');
  return L;
}
