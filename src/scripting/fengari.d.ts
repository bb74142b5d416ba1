/**
 * Minimal types for the `fengari` package (Lua 5.3 in pure JS), which ships
 * none. Only the C-API subset the scripting engine uses is declared; Lua
 * strings cross the API as Uint8Array (one element per byte).
 */
declare module 'fengari' {
  /** Opaque Lua state handle. */
  export interface LuaState { readonly __luaState: unique symbol }
  export interface LuaDebug { currentline: number; source: Uint8Array | null }
  export interface LuaDebugConstructor { new (): LuaDebug }
  export type LuaCFunction = (L: LuaState) => number;
  export type LuaHook = (L: LuaState, ar: LuaDebug) => void;

  export const lua: {
    LUA_OK: number; LUA_MULTRET: number; LUA_REGISTRYINDEX: number; LUA_RIDX_GLOBALS: number;
    LUA_TNIL: number; LUA_TBOOLEAN: number; LUA_TLIGHTUSERDATA: number; LUA_TNUMBER: number;
    LUA_TSTRING: number; LUA_TTABLE: number; LUA_TFUNCTION: number; LUA_MASKCOUNT: number; LUA_YIELD: number;
    lua_Debug: LuaDebugConstructor;
    lua_gettop(L: LuaState): number;
    lua_settop(L: LuaState, idx: number): void;
    lua_pop(L: LuaState, n: number): void;
    lua_pushvalue(L: LuaState, idx: number): void;
    lua_absindex(L: LuaState, idx: number): number;
    lua_type(L: LuaState, idx: number): number;
    lua_isinteger(L: LuaState, idx: number): boolean;
    lua_tonumber(L: LuaState, idx: number): number;
    lua_toboolean(L: LuaState, idx: number): boolean;
    lua_tolstring(L: LuaState, idx: number): Uint8Array | null;
    lua_touserdata(L: LuaState, idx: number): unknown;
    lua_rawlen(L: LuaState, idx: number): number;
    lua_pushnil(L: LuaState): void;
    lua_pushnumber(L: LuaState, n: number): void;
    lua_pushinteger(L: LuaState, n: number): void;
    lua_pushboolean(L: LuaState, b: boolean): void;
    lua_pushstring(L: LuaState, s: Uint8Array): Uint8Array;
    lua_pushliteral(L: LuaState, s: string): Uint8Array;
    lua_pushlightuserdata(L: LuaState, p: object): void;
    lua_pushjsfunction(L: LuaState, f: LuaCFunction): void;
    lua_createtable(L: LuaState, narr: number, nrec: number): void;
    lua_rawget(L: LuaState, idx: number): number;
    lua_rawset(L: LuaState, idx: number): void;
    lua_rawgeti(L: LuaState, idx: number, n: number): number;
    lua_rawseti(L: LuaState, idx: number, n: number): void;
    lua_getfield(L: LuaState, idx: number, k: Uint8Array | string): number;
    lua_setfield(L: LuaState, idx: number, k: Uint8Array | string): void;
    lua_getglobal(L: LuaState, name: Uint8Array | string): number;
    lua_setglobal(L: LuaState, name: Uint8Array | string): void;
    lua_next(L: LuaState, idx: number): boolean;
    lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
    lua_error(L: LuaState): never;
    lua_sethook(L: LuaState, f: LuaHook | null, mask: number, count: number): void;
    lua_checkstack(L: LuaState, n: number): boolean;
    lua_insert(L: LuaState, idx: number): void;
    lua_isstring(L: LuaState, idx: number): boolean;
    lua_isfunction(L: LuaState, idx: number): boolean;
    lua_gettable(L: LuaState, idx: number): number;
    lua_setmetatable(L: LuaState, idx: number): void;
    lua_newthread(L: LuaState): LuaState;
    lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
    lua_isyieldable(L: LuaState): boolean;
    lua_yield(L: LuaState, n: number): void;
    lua_xmove(from: LuaState, to: LuaState, n: number): void;
    lua_getstack(L: LuaState, level: number, ar: LuaDebug): boolean;
    lua_getinfo(L: LuaState, what: string | Uint8Array, ar: LuaDebug): boolean;
  };
  export const lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadbuffer(L: LuaState, buff: Uint8Array, size: number, name: Uint8Array): number;
    luaL_ref(L: LuaState, t: number): number;
    luaL_unref(L: LuaState, t: number, ref: number): void;
    luaL_tolstring(L: LuaState, idx: number): Uint8Array;
    luaL_error(L: LuaState, fmt: Uint8Array | string, ...args: unknown[]): never;
  };
  export const lualib: { luaL_openlibs(L: LuaState): void };
  export function to_luastring(s: string): Uint8Array;
  export function to_jsstring(s: Uint8Array): string;
}
