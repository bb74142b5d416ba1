/**
 * The EVAL engine: one Lua state (run as a coroutine by ScriptVm) holding
 * every cached script as a compiled function, with its shebang flags.
 * KEYS and ARGV are globals set before each run, as in Redis.
 */
import { lua, lauxlib, toString, lua51Message, luaKey, setGlobalStringArray, forgetPushedStrings, type LuaKey } from './vm.js';
import { sha1hex } from './redis-lib.js';
import { ScriptVm, type RunResult } from './script-vm.js';
import { parseEvalShebang } from './script-flags.js';
import type { CachedScript, LoadResult, RunOptions, ScriptEngine, ScriptHost } from './types.js';

const CHUNK_NAME = Buffer.from('@user_script', 'latin1');

class FengariScriptEngine implements ScriptEngine {
  private vm = new ScriptVm('@user_script');
  private readonly scripts = new Map<string, CachedScript>();

  load(body: string, sha = sha1hex(body)): LoadResult {
    const cached = this.scripts.get(sha);
    if (cached !== undefined) return cached;
    const shebang = parseEvalShebang(body);
    if ('error' in shebang) return shebang;
    const L = this.vm.L;
    // The shebang line is skipped but its line feed kept, so line numbers are the user's.
    const buf = Buffer.from(shebang.shebangLength === 0 ? body : body.slice(shebang.shebangLength), 'latin1');
    if (lauxlib.luaL_loadbuffer(L, buf, buf.length, CHUNK_NAME) !== lua.LUA_OK) {
      const msg = toString(L, -1) ?? '';
      lua.lua_settop(L, 0);
      return { error: `ERR Error compiling script (new function): ${lua51Message(msg)}` };
    }
    const script: CachedScript = { sha, flags: shebang.flags, ref: lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX) };
    this.scripts.set(sha, script);
    return script;
  }

  lookup(sha: string): CachedScript | undefined {
    return this.scripts.get(sha);
  }

  has(sha: string): boolean {
    return this.scripts.has(sha);
  }

  flush(): void {
    this.vm = new ScriptVm('@user_script');
    this.scripts.clear();
  }

  run(script: CachedScript, keys: string[], args: string[], host: ScriptHost, opts: RunOptions): RunResult {
    const L = this.vm.L;
    this.setGlobals(keys, args);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, script.ref);
    return this.vm.start(0, script.sha, host, opts);
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

  /** The keys KEYS and ARGV, made once per VM. */
  private globalKeys: { vm: ScriptVm; keys: LuaKey; argv: LuaKey } | null = null;

  private setGlobals(keys: string[], args: string[]): void {
    let g = this.globalKeys;
    if (g === null || g.vm !== this.vm) g = this.globalKeys = { vm: this.vm, keys: luaKey(this.vm.L, 'KEYS'), argv: luaKey(this.vm.L, 'ARGV') };
    forgetPushedStrings();
    setGlobalStringArray(this.vm.L, g.keys, keys);
    setGlobalStringArray(this.vm.L, g.argv, args);
  }
}

/** Creates an engine; synchronous because fengari needs no async initialisation. */
export function createScriptEngine(): ScriptEngine {
  return new FengariScriptEngine();
}
