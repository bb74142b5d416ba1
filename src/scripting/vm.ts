/**
 * The Lua VM (fengari) and the helpers every scripting file needs: latin1
 * strings in and out, and a patch that gives Lua 5.1 number semantics.
 */
import { createRequire } from 'node:module';
import fengari from 'fengari';
import type { LuaState } from 'fengari';
import { formatG } from './number-format.js';

export const { lua, lauxlib, lualib } = fengari;
export type { LuaState };

/*
 * Redis embeds Lua 5.1, where every number is a double. Fengari (5.3) has a
 * 32-bit integer subtype that would wrap millisecond timestamps and print
 * 10/2 as "5.0". Reading every numeral as a float (literals, tonumber, string
 * coercion) and printing floats with 5.1's "%.14g" restores 5.1 behaviour.
 * This mutates the shared fengari module: Reddish is its only user.
 */
interface LObject {
  luaO_str2num(s: Uint8Array, o: { setfltvalue(n: number): void; ttisinteger(): boolean; value: number }): number;
  luaO_tostring(L: LuaState, o: { ttisinteger(): boolean; value: number; setsvalue(ts: unknown): void }): void;
}
interface LString { luaS_bless(L: LuaState, s: Uint8Array): unknown }
function patchNumbers(): void {
  // The internal modules are CommonJS; their exports objects are what lapi/llex/lvm call through.
  const require = createRequire(import.meta.url);
  const lobject = require('fengari/src/lobject.js') as LObject;
  const lstring = require('fengari/src/lstring.js') as LString;
  const str2num = lobject.luaO_str2num;
  lobject.luaO_str2num = (s, o) => {
    // Hex numerals are read by 5.1's strtod, as a double of any size; fengari
    // would wrap them to its 32-bit integers first (0x100000000 → 0).
    const hex = hexNumeral(s);
    if (hex !== null) {
      o.setfltvalue(hex);
      return s.length + 1;
    }
    const r = str2num(s, o);
    if (r !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
    return r;
  };
  lobject.luaO_tostring = (L, o) => {
    // glibc prints the NaN that x86 arithmetic makes (0/0, inf-inf, 5%0) as "-nan".
    const text = o.ttisinteger() ? String(o.value) : Number.isNaN(o.value) ? '-nan' : formatG(o.value, 14);
    o.setsvalue(lstring.luaS_bless(L, Buffer.from(text, 'latin1')));
  };
}
patchNumbers();

const HEX_NUMERAL = /^[ \t\n\v\f\r]*([-+]?)0[xX]([0-9a-fA-F]+)[ \t\n\v\f\r]*$/;

/** The value of a whole-string hex integer numeral ("0x1F", " -0x10 "), correctly rounded; null otherwise. */
function hexNumeral(s: Uint8Array): number | null {
  // Numerals are short; anything else is not worth decoding.
  if (s.length < 3 || s.length > 300) return null;
  const m = HEX_NUMERAL.exec(Buffer.from(s.buffer, s.byteOffset, s.length).toString('latin1'));
  if (m === null) return null;
  const v = Number(BigInt(`0x${m[2]}`));
  return m[1] === '-' ? -v : v;
}

/*
 * fengari 0.1.5 bug: lua_pcallk, when it can yield (a pcall inside a
 * coroutine), saves the caller's 'allowhook' with `&=` where Lua 5.3 sets the
 * bit, so the error recovery of that pcall restores allowhook = 0 and the
 * thread never calls its hook again: a script that caught one error could no
 * longer be suspended or killed. Saving the bit properly just before the
 * protected call (lua_pcallk calls luaD_call through the module object)
 * restores Lua 5.3's behaviour.
 */
interface CallInfo { callstatus: number }
interface LState { ci: CallInfo; allowhook: number | boolean }
interface LDo { luaD_call(L: LState, off: number, nresults: number): void }
interface LStateModule { CIST_OAH: number; CIST_YPCALL: number }
function patchPcallHooks(): void {
  const require = createRequire(import.meta.url);
  const ldo = require('fengari/src/ldo.js') as LDo;
  const { CIST_OAH, CIST_YPCALL } = require('fengari/src/lstate.js') as LStateModule;
  const call = ldo.luaD_call;
  ldo.luaD_call = (L, off, nresults) => {
    const ci = L.ci;
    if (ci.callstatus & CIST_YPCALL) ci.callstatus = (ci.callstatus & ~CIST_OAH) | (L.allowhook ? CIST_OAH : 0);
    call(L, off, nresults);
  };
}
patchPcallHooks();

const EMPTY = new Uint8Array(0);

interface LObjectPush { pushsvalue2s(L: LuaState, ts: unknown): void }
const requireCjs = createRequire(import.meta.url);
const { pushsvalue2s } = requireCjs('fengari/src/lobject.js') as LObjectPush;
const { luaS_bless } = requireCjs('fengari/src/lstring.js') as LString;

/** A latin1 JS string's bytes; short strings by a JS loop, cheaper than a Buffer for a few bytes. */
function latin1Bytes(s: string): Uint8Array {
  const n = s.length;
  if (n === 0) return EMPTY;
  if (n > 64) return Buffer.from(s, 'latin1');
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i++) u[i] = s.charCodeAt(i);
  return u;
}

/**
 * Pushes a latin1 JS string as a Lua string, byte for byte. The bytes are
 * made once and handed to the VM as they are (lua_pushstring would copy them
 * again).
 */
export function pushString(L: LuaState, s: string): void {
  pushsvalue2s(L, luaS_bless(L, latin1Bytes(s)));
}

/*
 * Setting KEYS and ARGV before every script through the C API costs more
 * than a small script's whole run in fengari: a fresh key string is hashed
 * (a hex string built from its bytes) for each lua_rawset. The table is
 * built and stored directly instead, under a key made once.
 */
interface TValue { readonly type: number; readonly value: unknown }
interface LTable {
  luaH_new(L: LuaState): object;
  luaH_setint(t: object, key: number, value: TValue): void;
  luaH_setfrom(L: LuaState, t: object, key: TValue, value: TValue): void;
  luaH_getint(t: object, key: number): TValue;
}
interface LObjectTValue { TValue: new (type: number, value: unknown) => TValue }
const ltable = requireCjs('fengari/src/ltable.js') as LTable;
const { TValue: TValueClass } = requireCjs('fengari/src/lobject.js') as LObjectTValue;
const LUA_TLNGSTR = lua.LUA_TSTRING | (1 << 4);

/** A string usable as a table key many times (its hash is computed once). */
export type LuaKey = TValue;
export function luaKey(L: LuaState, s: string): LuaKey {
  return new TValueClass(LUA_TLNGSTR, luaS_bless(L, latin1Bytes(s)));
}

/*
 * The bytes of the KEYS and ARGV strings of the current run, and the JS
 * strings they were made from: a script passing KEYS[1] to redis.call gets
 * the caller's own string back (no new string, and its hash already known
 * to the keyspace's Map). A Lua string's bytes never change, so identity is
 * enough. Only the first few are remembered: the search must stay cheap.
 */
const REMEMBERED = 8;
const pushedBytes: Array<Uint8Array | null> = new Array<Uint8Array | null>(REMEMBERED).fill(null);
const pushedStrings: string[] = new Array<string>(REMEMBERED).fill('');
let pushedCount = 0;

/** Forgets the previous run's KEYS and ARGV (called before they are set again). */
export function forgetPushedStrings(): void {
  for (let i = 0; i < pushedCount; i++) pushedBytes[i] = null;
  pushedCount = 0;
}

/** _G[key] = { values... }, raw (no __newindex: the globals are protected). */
export function setGlobalStringArray(L: LuaState, key: LuaKey, values: readonly string[]): void {
  // The registry's LUA_RIDX_GLOBALS slot holds the globals table (lua_pushglobaltable).
  const registry = (L as unknown as { l_G: { l_registry: TValue } }).l_G.l_registry.value as object;
  const globals = ltable.luaH_getint(registry, lua.LUA_RIDX_GLOBALS).value as object;
  const t = ltable.luaH_new(L);
  for (let i = 0; i < values.length; i++) {
    const u = latin1Bytes(values[i]);
    if (pushedCount < REMEMBERED) {
      pushedBytes[pushedCount] = u;
      pushedStrings[pushedCount++] = values[i];
    }
    ltable.luaH_setint(t, i + 1, new TValueClass(LUA_TLNGSTR, luaS_bless(L, u)));
  }
  ltable.luaH_setfrom(L, globals, key, new TValueClass(lua.LUA_TTABLE, t));
}

/** Reads the Lua string (or number, converted) at idx as latin1; null for other types. */
export function toString(L: LuaState, idx: number): string | null {
  const u = lua.lua_tolstring(L, idx);
  if (u === null) return null;
  for (let i = 0; i < pushedCount; i++) if (pushedBytes[i] === u) return pushedStrings[i];
  // Short strings: one fromCharCode call beats wrapping the bytes in a Buffer.
  if (u.length <= 64) return String.fromCharCode.apply(null, u as unknown as number[]);
  return Buffer.from(u.buffer, u.byteOffset, u.length).toString('latin1');
}

/** Raises a Redis-style error table `{err=msg}` (what redis.call raises). */
export function raiseErrorTable(L: LuaState, msg: string): never {
  lua.lua_createtable(L, 0, 1);
  pushString(L, msg);
  lua.lua_setfield(L, -2, 'err');
  return lua.lua_error(L);
}

/** Registers JS functions as fields of the table on top of the stack. */
export function setFunctions(L: LuaState, fns: Record<string, (L: LuaState) => number>): void {
  for (const [name, fn] of Object.entries(fns)) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
}

/** Raises a Lua error string prefixed with the calling script's position, like luaL_error. */
export function raise(L: LuaState, msg: string): never {
  return lauxlib.luaL_error(L, Buffer.from(msg.replace(/%/g, '%%'), 'latin1'));
}

/**
 * Rewrites Lua 5.3 message shapes into Lua 5.1's, which Redis clients see:
 * "attempt to index a nil value (local 'a')" → "attempt to index local 'a' (a nil value)",
 * "near <eof>" → "near '<eof>'".
 */
export function lua51Message(msg: string): string {
  return msg
    .replace(/attempt to (\w+) a (\w+) value \((local|global|field|upvalue|method|constant) '([^']*)'\)/, "attempt to $1 $3 '$4' (a $2 value)")
    .replace(/ near <eof>$/, " near '<eof>'");
}
