/**
 * Runs the scripts of one Lua state as a coroutine, so that a script that
 * has run longer than busy-reply-threshold can be suspended between
 * event-loop turns (Node has one thread: while Lua runs synchronously no
 * socket is read, so no SCRIPT KILL could ever arrive).
 *
 * A count hook fires every TICK_INSTRUCTIONS instructions. Until the
 * threshold it only reads the clock; past it ("timed out", as script.c says)
 * it yields the coroutine, at most every SLICE_MS, whenever Lua allows (lua_isyieldable: not inside a
 * Lua function called from JS, e.g. a table.sort comparator; there the script
 * keeps running synchronously until the next hook) and when the caller
 * allowed it (mayYield: not inside EXEC). start() / resume() then return
 * SUSPENDED and the caller resumes later. After kill() the hook raises the
 * kill error at every instruction, so a pcall in the script cannot swallow it.
 *
 * One coroutine thread is reused for every run (a finished coroutine can be
 * started again): a run costs no allocation for this machinery. A thread that
 * raised is dead; a new one replaces it. Where a failed script stopped
 * (Redis's "on @user_script:<line>") is read from the dead thread's stack,
 * which Lua 5.3 leaves unwound for that purpose.
 */
import { performance } from 'node:perf_hooks';
import { lua, lauxlib, raiseErrorTable, toString, lua51Message, type LuaState } from './vm.js';
import { newScriptState } from './lua-state.js';
import { luaToReply } from './lua-to-reply.js';
import type { RunContext } from './redis-lib.js';
import { NULL_BULK, type Reply } from './reply.js';
import type { ScriptHost } from './types.js';

/**
 * How many Lua instructions run between two hook calls. Redis uses 100,000;
 * a tenth of that here, because fengari runs them (and redis.call) slower:
 * the threshold is noticed and a busy script yields within milliseconds.
 */
export const TICK_INSTRUCTIONS = 10_000;
/** Once past the threshold, how long a resumed script runs before yielding again (ms). */
const SLICE_MS = 5;
const KILLED = 'ERR Script killed by user with SCRIPT KILL...';

export const SUSPENDED: unique symbol = Symbol('script suspended');
/** A script's reply, or SUSPENDED: it yielded past busy-reply-threshold and waits for resume(). */
export type RunResult = Reply | typeof SUSPENDED;

export interface RunLimits {
  /** May the run be suspended once past the threshold (the caller can defer its reply)? */
  mayYield: boolean;
  /** busy-reply-threshold in ms. */
  busyThresholdMs: number;
}

export class ScriptVm {
  readonly ctx: RunContext = { host: null, resp: 2 };
  readonly L: LuaState;
  private co!: LuaState;
  private coRef = 0;
  private readonly ar = new lua.lua_Debug();
  /** The chunk name of user code ('@user_script' / '@user_function'), as a string to compare. */
  private readonly source: string;
  private name = '';
  private startedAt = 0;
  /** When the current stretch began (start or the last resume). */
  private sliceStart = 0;
  private threshold = Infinity;
  private mayYield = false;
  private killed = false;
  /** Set once the running script passed busy-reply-threshold. */
  timedOut = false;

  constructor(source: string, build: (ctx: RunContext) => LuaState = newScriptState) {
    this.source = source;
    this.L = build(this.ctx);
    this.newThread();
  }

  private readonly hook = (L: LuaState): void => {
    if (this.killed) {
      lua.lua_sethook(L, this.hook, lua.LUA_MASKCOUNT, 1);
      raiseErrorTable(L, KILLED);
    }
    const now = performance.now();
    if (!this.timedOut) {
      if (now - this.startedAt < this.threshold) return;
      this.timedOut = true;
    } else if (now - this.sliceStart < SLICE_MS) {
      return;
    }
    // Returning from the hook after lua_yield suspends the coroutine (Lua 5.3: count hooks may yield).
    if (this.mayYield && lua.lua_isyieldable(L)) lua.lua_yield(L, 0);
  };

  private newThread(): void {
    const L = this.L;
    if (this.coRef !== 0) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, this.coRef);
    const co = lua.lua_newthread(L);
    this.coRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_sethook(co, this.hook, lua.LUA_MASKCOUNT, TICK_INSTRUCTIONS);
    this.co = co;
  }

  /** Milliseconds since the running script started. */
  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  /**
   * Runs the function pushed on L with its `nargs` arguments above it.
   * `name` is how error texts call the script (its sha, or the function's name).
   */
  start(nargs: number, name: string, host: ScriptHost, limits: RunLimits): RunResult {
    lua.lua_checkstack(this.co, nargs + 1);
    lua.lua_xmove(this.L, this.co, nargs + 1);
    this.name = name;
    this.ctx.host = host;
    this.ctx.resp = 2; // every script starts in RESP2, whatever the client speaks
    this.threshold = limits.busyThresholdMs;
    this.mayYield = limits.mayYield;
    this.timedOut = false;
    this.killed = false;
    this.startedAt = performance.now();
    return this.step(nargs);
  }

  /** Continues a suspended script. */
  resume(): RunResult {
    if (this.killed) lua.lua_sethook(this.co, this.hook, lua.LUA_MASKCOUNT, 1);
    this.sliceStart = performance.now();
    return this.step(0);
  }

  /** SCRIPT KILL / FUNCTION KILL: the script raises the kill error when it next runs. */
  kill(): void {
    this.killed = true;
  }

  private step(nargs: number): RunResult {
    const co = this.co;
    const status = lua.lua_resume(co, this.L, nargs);
    if (status === lua.LUA_YIELD) return SUSPENDED;
    let r: Reply;
    if (status === lua.LUA_OK) {
      r = lua.lua_gettop(co) === 0 ? NULL_BULK : luaToReply(co, 1, this.ctx.resp);
      lua.lua_settop(co, 0);
      if (this.killed) lua.lua_sethook(co, this.hook, lua.LUA_MASKCOUNT, TICK_INSTRUCTIONS);
    } else {
      r = { type: 'error', value: this.errorText(co) };
      this.newThread();
    }
    this.ctx.host = null;
    return r;
  }

  /** Redis 7.0's text for a failed script: "<err> script: <name>, on @user_script:<line>." */
  private errorText(co: LuaState): string {
    lua.lua_checkstack(co, 4); // a dead thread's frame ends at its error value
    let err: string;
    if (lua.lua_type(co, -1) === lua.LUA_TTABLE) {
      lua.lua_pushliteral(co, 'err');
      lua.lua_rawget(co, -2);
      err = lua.lua_type(co, -1) === lua.LUA_TSTRING ? (toString(co, -1) as string) : `ERR ${describe(co, -2)}`;
    } else {
      err = `ERR ${describe(co, -1)}`;
    }
    err = lua51Message(err);
    const ar = this.ar;
    for (let level = 0; lua.lua_getstack(co, level, ar); level++) {
      lua.lua_getinfo(co, 'Sl', ar);
      if (ar.source !== null && Buffer.from(ar.source).toString('latin1') === this.source) {
        return `${err} script: ${this.name}, on ${this.source}:${ar.currentline}.`;
      }
    }
    return `${err} script: ${this.name}`;
  }
}

/** tostring() of an error value: strings and numbers as Lua 5.1 prints them, else luaL_tolstring. */
function describe(L: LuaState, idx: number): string {
  const t = lua.lua_type(L, idx);
  if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) {
    lua.lua_pushvalue(L, idx);
    const s = toString(L, -1) as string;
    lua.lua_pop(L, 1);
    return s;
  }
  lauxlib.luaL_tolstring(L, idx);
  const s = toString(L, -1) as string;
  lua.lua_pop(L, 1);
  return s;
}
