/**
 * Redis Functions on their own Lua state (functions.c + function_lua.c):
 * libraries created from `#!lua name=<lib>` code, whose load-time run may
 * only call redis.register_function, redis.log and read the redis.* constants;
 * functions called with (keys, args); flags and descriptions per function.
 *
 * Globals: every chunk's _ENV is an empty, read-only proxy whose __index is
 * switched while a library loads (to a table holding only that restricted
 * `redis`) and back to the real globals for runs, as Redis swaps the
 * globals' metatable. A LibrarySet is Redis's functionsLibCtx: the current
 * one, or a scratch one that FUNCTION RESTORE and an RDB load build first and
 * then swap in or join.
 */
import { performance } from 'node:perf_hooks';
import { lua, lauxlib, pushString, raiseErrorTable, toString, lua51Message, type LuaState } from './vm.js';
import { newScriptState, runSetupLua } from './lua-state.js';
import { ScriptVm, type RunLimits, type RunResult } from './script-vm.js';
import { INVALID_NAME, flagByName, parseLibraryMetadata, validName } from './script-flags.js';
import type { RunContext } from './redis-lib.js';
import type { Reply } from './reply.js';
import type { ScriptHost, ScriptLogLevel } from './types.js';

export interface FunctionInfo {
  readonly name: string;
  readonly ref: number;
  readonly flags: number;
  readonly description: string | null;
  readonly library: Library;
}

export interface Library {
  readonly name: string;
  /** The whole payload, shebang line included (LIST WITHCODE, DUMP, RDB). */
  readonly code: string;
  /** In registration order; names are case-sensitive here. */
  readonly functions: Map<string, FunctionInfo>;
}

export class LibrarySet {
  readonly libraries = new Map<string, Library>();
  /** Lower-cased name → function: FCALL finds functions in any case. */
  readonly functions = new Map<string, FunctionInfo>();

  get functionCount(): number {
    let n = 0;
    for (const l of this.libraries.values()) n += l.functions.size;
    return n;
  }
}

/** The load-time environment, the proxy globals and the switch between the two. */
const FUNCTION_SANDBOX_LUA = `
local G, setmetatable, error, tostring, rawget = _G, setmetatable, error, tostring, rawget
local register_function = ...
local function readonly() error('Attempt to modify a readonly table', 2) end
local function protect(t)
  return setmetatable({}, {
    __index = function(_, k)
      local v = rawget(t, k)
      if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
      return v
    end,
    __newindex = readonly,
    __metatable = false,
  })
end
local r = G.redis
local load_redis = protect({
  register_function = register_function, log = r.log,
  LOG_DEBUG = r.LOG_DEBUG, LOG_VERBOSE = r.LOG_VERBOSE, LOG_NOTICE = r.LOG_NOTICE, LOG_WARNING = r.LOG_WARNING,
  REDIS_VERSION = r.REDIS_VERSION, REDIS_VERSION_NUM = r.REDIS_VERSION_NUM,
})
local load_env = protect({ redis = load_redis })
local mt = { __index = G, __newindex = readonly, __metatable = false }
local env = setmetatable({}, mt)
return env, function(loading) if loading then mt.__index = load_env else mt.__index = G end end
`;

const CHUNK_NAME = Buffer.from('@user_function', 'latin1');
/** LOAD_TIMEOUT_MS: a library's load-time run may take this long (FUNCTION LOAD from a normal client). */
export const LOAD_TIMEOUT_MS = 500;

type RegisterArgs = { name: string; ref: number; flags: number; description: string | null };

export class FunctionEngine {
  private readonly vm: ScriptVm;
  private switchRef = 0;
  current = new LibrarySet();
  /** The library whose code is running at load time (register_function adds to it). */
  private loading: Library | null = null;
  private loadStart = 0;
  private loadTimeout = 0;
  /** Where redis.log writes while a library loads (there is no calling command then). */
  logger: ((level: ScriptLogLevel, message: string) => void) | null = null;
  private readonly loadHost: ScriptHost = {
    call: (): Reply => ({ type: 'error', value: 'ERR redis.call is not allowed here' }),
    log: (level, message) => this.logger?.(level, message),
  };

  constructor() {
    this.vm = new ScriptVm('@user_function', (ctx) => this.buildState(ctx));
  }

  private buildState(ctx: RunContext): LuaState {
    const L = newScriptState(ctx);
    lua.lua_pushjsfunction(L, this.registerFunction);
    runSetupLua(L, FUNCTION_SANDBOX_LUA, 'function sandbox', 1, 2);
    this.switchRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    return L;
  }

  private setLoading(L: LuaState, on: boolean): void {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.switchRef);
    lua.lua_pushboolean(L, on);
    lua.lua_pcall(L, 1, 0, 0);
  }

  find(name: string): FunctionInfo | undefined {
    return this.current.functions.get(name.toLowerCase());
  }

  /**
   * functionsCreateWithLibraryCtx: compiles `code`, runs it to register its
   * functions, and links the library into `set`. Returns the library name,
   * or an error text ready for the client.
   */
  create(code: string, replace: boolean, timeoutMs: number, set: LibrarySet = this.current): { name: string } | { error: string } {
    const md = parseLibraryMetadata(code);
    if ('error' in md) return md;
    if (!validName(md.name)) return { error: `ERR ${INVALID_NAME}` };
    if (md.engine.toLowerCase() !== 'lua') return { error: `ERR Engine '${md.engine}' not found` };
    const old = set.libraries.get(md.name);
    if (old !== undefined && !replace) return { error: `ERR Library '${md.name}' already exists` };
    if (old !== undefined) unlink(set, old);
    const lib: Library = { name: md.name, code, functions: new Map() };
    let err = this.runLibrary(lib, md.code, timeoutMs);
    if (err === null && lib.functions.size === 0) err = 'ERR No functions registered';
    if (err === null) {
      for (const fi of lib.functions.values()) {
        if (set.functions.has(fi.name.toLowerCase())) {
          err = `ERR Function ${fi.name} already exists`;
          break;
        }
      }
    }
    if (err !== null) {
      this.free(lib);
      if (old !== undefined) link(set, old);
      return { error: err };
    }
    link(set, lib);
    if (old !== undefined) this.free(old);
    return { name: md.name };
  }

  /** luaEngineCreate: compile, then run with only register_function & co. visible. */
  private runLibrary(lib: Library, body: string, timeoutMs: number): string | null {
    const L = this.vm.L;
    const buf = Buffer.from(body, 'latin1');
    if (lauxlib.luaL_loadbuffer(L, buf, buf.length, CHUNK_NAME) !== lua.LUA_OK) {
      const msg = toString(L, -1) ?? '';
      lua.lua_settop(L, 0);
      return `ERR Error compiling function: ${lua51Message(msg)}`;
    }
    this.setLoading(L, true);
    this.loading = lib;
    this.vm.ctx.host = this.loadHost;
    this.loadStart = performance.now();
    this.loadTimeout = timeoutMs;
    if (timeoutMs > 0) lua.lua_sethook(L, this.loadHook, lua.LUA_MASKCOUNT, 100_000);
    const status = lua.lua_pcall(L, 0, 0, 0);
    lua.lua_sethook(L, null, 0, 0);
    this.loading = null;
    this.vm.ctx.host = null;
    let err: string | null = null;
    if (status !== lua.LUA_OK) {
      let msg: string;
      if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
        lua.lua_getfield(L, -1, 'err');
        msg = toString(L, -1) ?? 'ERR unknown error';
      } else {
        msg = `ERR ${lua51Message(toString(L, -1) ?? 'unknown error')}`;
      }
      err = `ERR Error registering functions: ${msg}`;
    }
    lua.lua_settop(L, 0);
    this.setLoading(L, false);
    return err;
  }

  /** luaEngineLoadHook: a library that keeps running at load time is stopped. */
  private readonly loadHook = (L: LuaState): void => {
    if (performance.now() - this.loadStart <= this.loadTimeout) return;
    lua.lua_sethook(L, this.loadHook, lua.LUA_MASKCOUNT, 1);
    raiseErrorTable(L, 'ERR FUNCTION LOAD timeout');
  };

  /** redis.register_function(name, callback) / redis.register_function{function_name=, callback=, flags=, description=} */
  private readonly registerFunction = (L: LuaState): number => {
    const lib = this.loading;
    if (lib === null) return fail(L, 'redis.register_function can only be called on FUNCTION LOAD command');
    const n = lua.lua_gettop(L);
    if (n < 1 || n > 2) return fail(L, 'wrong number of arguments to redis.register_function');
    const args = n === 1 ? this.namedArgs(L) : positionalArgs(L);
    if (typeof args === 'string') return fail(L, args);
    const err = !validName(args.name) ? INVALID_NAME : lib.functions.has(args.name) ? 'Function already exists in the library' : null;
    if (err !== null) {
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, args.ref);
      return fail(L, err);
    }
    lib.functions.set(args.name, { ...args, library: lib });
    return 0;
  };

  private namedArgs(L: LuaState): RegisterArgs | string {
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
      return 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).';
    }
    let name: string | null = null;
    let description: string | null = null;
    let ref = 0;
    let flags = 0;
    let err: string | null = null;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, 1)) {
      if (!lua.lua_isstring(L, -2)) {
        err = 'named argument key given to redis.register_function is not a string';
        break;
      }
      const key = copyString(L, -2).toLowerCase();
      if (key === 'function_name') {
        if (!lua.lua_isstring(L, -1)) err = 'function_name argument given to redis.register_function must be a string';
        else name = copyString(L, -1);
      } else if (key === 'description') {
        if (!lua.lua_isstring(L, -1)) err = 'description argument given to redis.register_function must be a string';
        else description = copyString(L, -1);
      } else if (key === 'callback') {
        if (!lua.lua_isfunction(L, -1)) err = 'callback argument given to redis.register_function must be a function';
        else {
          ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX); // pops the value: the key stays for lua_next
          continue;
        }
      } else if (key === 'flags') {
        if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) err = 'flags argument to redis.register_function must be a table representing function flags';
        else {
          flags = readFlags(L);
          if (flags < 0) err = 'unknown flag given';
        }
      } else {
        err = 'unknown argument given to redis.register_function';
      }
      if (err !== null) break;
      lua.lua_pop(L, 1);
    }
    if (err === null && name === null) err = 'redis.register_function must get a function name argument';
    if (err === null && ref === 0) err = 'redis.register_function must get a callback argument';
    if (err !== null) {
      if (ref !== 0) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
      return err;
    }
    return { name: name as string, ref, flags, description };
  }

  /** Drops a library's compiled functions. */
  private free(lib: Library): void {
    for (const fi of lib.functions.values()) lauxlib.luaL_unref(this.vm.L, lua.LUA_REGISTRYINDEX, fi.ref);
  }

  discard(set: LibrarySet): void {
    for (const lib of set.libraries.values()) this.free(lib);
    set.libraries.clear();
    set.functions.clear();
  }

  /** FUNCTION DELETE */
  delete(name: string): boolean {
    const lib = this.current.libraries.get(name);
    if (lib === undefined) return false;
    unlink(this.current, lib);
    this.free(lib);
    return true;
  }

  /** FUNCTION FLUSH */
  flush(): void {
    this.discard(this.current);
  }

  /** Replaces the current libraries (FUNCTION RESTORE FLUSH, a full RDB load). */
  swap(set: LibrarySet): void {
    const old = this.current;
    this.current = set;
    this.discard(old);
  }

  /**
   * libraryJoin: moves `src`'s libraries into the current set. A name
   * collision fails the whole join (unless `replace`, for libraries), leaving
   * both sets as they were; returns the error text or null.
   */
  join(src: LibrarySet, replace: boolean): string | null {
    const dst = this.current;
    const replaced: Library[] = [];
    const revert = (err: string): string => {
      for (const old of replaced) link(dst, old);
      return err;
    };
    for (const lib of src.libraries.values()) {
      const old = dst.libraries.get(lib.name);
      if (old === undefined) continue;
      if (!replace) return revert(`ERR Library ${lib.name} already exists`);
      unlink(dst, old);
      replaced.push(old);
    }
    for (const fi of src.functions.values()) {
      if (dst.functions.has(fi.name.toLowerCase())) return revert(`ERR Function ${fi.name} already exists`);
    }
    for (const lib of src.libraries.values()) link(dst, lib);
    for (const old of replaced) this.free(old);
    src.libraries.clear();
    src.functions.clear();
    return null;
  }

  /** The libraries' code, in order (FUNCTION DUMP, RDB, AOF rewrite). */
  codes(): string[] {
    const out: string[] = [];
    for (const lib of this.current.libraries.values()) out.push(lib.code);
    return out;
  }

  /** Runs a function with (KEYS, ARGV) as its arguments. */
  call(fi: FunctionInfo, keys: string[], args: string[], host: ScriptHost, limits: RunLimits): RunResult {
    const L = this.vm.L;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, fi.ref);
    pushArray(L, keys);
    pushArray(L, args);
    return this.vm.start(2, fi.name, host, limits);
  }

  resume(): RunResult {
    return this.vm.resume();
  }

  kill(): void {
    this.vm.kill();
  }

  get timedOut(): boolean {
    return this.vm.timedOut;
  }

  elapsedMs(): number {
    return this.vm.elapsedMs();
  }
}

function fail(L: LuaState, msg: string): never {
  return raiseErrorTable(L, `ERR ${msg}`);
}

/** The string at idx, read from a copy (lua_tolstring would turn a number key into a string under lua_next). */
function copyString(L: LuaState, idx: number): string {
  lua.lua_pushvalue(L, idx);
  const s = toString(L, -1) as string;
  lua.lua_pop(L, 1);
  return s;
}

function positionalArgs(L: LuaState): RegisterArgs | string {
  if (!lua.lua_isstring(L, 1)) return 'first argument to redis.register_function must be a string';
  if (!lua.lua_isfunction(L, 2)) return 'second argument to redis.register_function must be a function';
  const name = copyString(L, 1);
  lua.lua_settop(L, 2);
  return { name, ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX), flags: 0, description: null };
}

/** luaRegisterFunctionReadFlags over the table on top: the flag bits, or -1 for an unknown or non-string flag. */
function readFlags(L: LuaState): number {
  let flags = 0;
  for (let j = 1; ; j++) {
    lua.lua_pushnumber(L, j);
    const t = lua.lua_gettable(L, -2);
    if (t === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      return flags;
    }
    const bit = lua.lua_isstring(L, -1) ? flagByName(copyString(L, -1), true) : 0;
    lua.lua_pop(L, 1);
    if (bit === 0) return -1;
    flags |= bit;
  }
}

function pushArray(L: LuaState, values: string[]): void {
  lua.lua_createtable(L, values.length, 0);
  for (let i = 0; i < values.length; i++) {
    pushString(L, values[i]);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

function link(set: LibrarySet, lib: Library): void {
  for (const fi of lib.functions.values()) {
    const k = fi.name.toLowerCase();
    if (!set.functions.has(k)) set.functions.set(k, fi);
  }
  set.libraries.set(lib.name, lib);
}

function unlink(set: LibrarySet, lib: Library): void {
  for (const fi of lib.functions.values()) {
    const k = fi.name.toLowerCase();
    if (set.functions.get(k) === fi) set.functions.delete(k);
  }
  set.libraries.delete(lib.name);
}

const engines = new WeakMap<object, FunctionEngine>();

/**
 * The server's function engine, created on first use (its Lua state costs
 * nothing until then); `logger` receives redis.log calls made at load time.
 */
export function functionsOf(owner: object, logger?: (level: ScriptLogLevel, message: string) => void): FunctionEngine {
  let e = engines.get(owner);
  if (e === undefined) {
    e = new FunctionEngine();
    engines.set(owner, e);
  }
  if (logger !== undefined && e.logger === null) e.logger = logger;
  return e;
}

/**
 * Libraries read from an RDB image: they replace the current ones (a full
 * load empties the server first), or join them replacing same-named ones
 * (`merge`, DEBUG RELOAD MERGE). Returns the error text, or null.
 */
export function loadLibraries(engine: FunctionEngine, codes: readonly string[], merge: boolean): string | null {
  const set = new LibrarySet();
  for (const code of codes) {
    const r = engine.create(code, false, 0, set);
    if ('error' in r) {
      engine.discard(set);
      return r.error;
    }
  }
  if (!merge) {
    engine.swap(set);
    return null;
  }
  const err = engine.join(set, true);
  if (err !== null) engine.discard(set);
  return err;
}

/** The libraries' code without creating an engine (snapshots of a server that never used Functions). */
export function libraryCodesOf(owner: object): string[] {
  return engines.get(owner)?.codes() ?? [];
}
