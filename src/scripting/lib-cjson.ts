/**
 * The `cjson` library Redis bundles (lua-cjson 2.1): encode/decode with its
 * error texts, cjson.null as a light userdata, strings as raw bytes.
 */
import { lua, pushString, raise, setFunctions, toString, type LuaState } from './vm.js';
import { formatG } from './number-format.js';

/** The identity of cjson.null; a light userdata compares equal only to itself. */
export const JSON_NULL = Object.freeze({ cjsonNull: true });
const MAX_DEPTH = 1000;

const fail = raise;

const ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x2f: '\\/', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

function encodeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const e = ESCAPES[c];
    if (e !== undefined) out += e;
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

function encodeNumber(L: LuaState, n: number): string {
  if (!Number.isFinite(n)) return fail(L, 'Cannot serialise number: must not be NaN or Inf');
  return formatG(n, 14);
}

function encodeValue(L: LuaState, idx: number, depth: number): string {
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return encodeString(toString(L, idx) as string);
    case lua.LUA_TNUMBER:
      return encodeNumber(L, lua.lua_tonumber(L, idx));
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, idx) ? 'true' : 'false';
    case lua.LUA_TNIL:
      return 'null';
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, idx) === JSON_NULL) return 'null';
      return fail(L, 'Cannot serialise userdata: type not supported');
    case lua.LUA_TTABLE:
      return encodeTable(L, lua.lua_absindex(L, idx), depth + 1);
    default:
      return fail(L, 'Cannot serialise function: type not supported');
  }
}

/** lua-cjson's array test: only positive integer keys, not excessively sparse; returns the max index or -1. */
function arrayLength(L: LuaState, idx: number): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx)) {
    const k = lua.lua_type(L, -2) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -2) : NaN;
    if (!(k >= 1 && Math.floor(k) === k)) {
      lua.lua_pop(L, 2);
      return -1;
    }
    if (k > max) max = k;
    items++;
    lua.lua_pop(L, 1);
  }
  if (max > 10 && max > items * 2) return fail(L, 'Cannot serialise table: excessively sparse array');
  return max;
}

function encodeTable(L: LuaState, idx: number, depth: number): string {
  if (depth > MAX_DEPTH) return fail(L, `Cannot serialise, excessive nesting (${depth})`);
  lua.lua_checkstack(L, 6);
  const len = arrayLength(L, idx);
  if (len > 0) {
    const parts: string[] = [];
    for (let i = 1; i <= len; i++) {
      lua.lua_rawgeti(L, idx, i);
      parts.push(encodeValue(L, -1, depth));
      lua.lua_pop(L, 1);
    }
    return '[' + parts.join(',') + ']';
  }
  const parts: string[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx)) {
    const kt = lua.lua_type(L, -2);
    let key: string;
    if (kt === lua.LUA_TSTRING) key = toString(L, -2) as string;
    else if (kt === lua.LUA_TNUMBER) key = encodeNumber(L, lua.lua_tonumber(L, -2));
    else return fail(L, 'Cannot serialise table: table key must be a number or string');
    parts.push(encodeString(key) + ':' + encodeValue(L, -1, depth));
    lua.lua_pop(L, 1);
  }
  return '{' + parts.join(',') + '}';
}

/** A JSON text decoded straight onto the Lua stack, with lua-cjson's error messages. */
class Decoder {
  private pos = 0;
  constructor(private readonly L: LuaState, private readonly s: string) {}

  private ws(): void {
    while (this.pos < this.s.length && ' \t\n\r'.includes(this.s[this.pos])) this.pos++;
  }

  /** lua-cjson names the token it found in its errors. */
  private tokenName(): string {
    const c = this.s[this.pos];
    if (c === undefined) return 'T_END';
    const names: Record<string, string> = { '{': 'T_OBJ_BEGIN', '}': 'T_OBJ_END', '[': 'T_ARR_BEGIN', ']': 'T_ARR_END', ':': 'T_COLON', ',': 'T_COMMA', '"': 'T_STRING' };
    if (names[c]) return names[c];
    if (/[-0-9]/.test(c)) return 'T_NUMBER';
    if (this.s.startsWith('true', this.pos) || this.s.startsWith('false', this.pos)) return 'T_BOOLEAN';
    if (this.s.startsWith('null', this.pos)) return 'T_NULL';
    return 'invalid token';
  }

  private expected(what: string): never {
    return fail(this.L, `Expected ${what} but found ${this.tokenName()} at character ${this.pos + 1}`);
  }

  decodeTop(): void {
    this.value(1);
    this.ws();
    if (this.pos < this.s.length) this.expected('the end');
  }

  private value(depth: number): void {
    const L = this.L;
    if (depth > MAX_DEPTH) fail(L, `Found too many nested data structures (${depth}) at character ${this.pos + 1}`);
    lua.lua_checkstack(L, 4);
    this.ws();
    const c = this.s[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return pushString(L, this.string());
    for (const [word, push] of [['true', () => lua.lua_pushboolean(L, true)], ['false', () => lua.lua_pushboolean(L, false)], ['null', () => lua.lua_pushlightuserdata(L, JSON_NULL)]] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return push();
      }
    }
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (m && m[0].length > 0 && m[0] !== '-') {
      this.pos += m[0].length;
      return lua.lua_pushnumber(L, Number(m[0]));
    }
    this.expected('value');
  }

  private object(depth: number): void {
    const L = this.L;
    this.pos++;
    lua.lua_createtable(L, 0, 0);
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.expected('object key string');
      pushString(L, this.string());
      this.ws();
      if (this.s[this.pos] !== ':') this.expected('colon');
      this.pos++;
      this.value(depth + 1);
      lua.lua_rawset(L, -3);
      this.ws();
      const c = this.s[this.pos];
      if (c === '}') {
        this.pos++;
        return;
      }
      if (c !== ',') this.expected('comma or object end');
      this.pos++;
    }
  }

  private array(depth: number): void {
    const L = this.L;
    this.pos++;
    lua.lua_createtable(L, 0, 0);
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (let i = 1; ; i++) {
      this.value(depth + 1);
      lua.lua_rawseti(L, -2, i);
      this.ws();
      const c = this.s[this.pos];
      if (c === ']') {
        this.pos++;
        return;
      }
      if (c !== ',') this.expected('comma or array end');
      this.pos++;
    }
  }

  /** A JSON string → latin1 bytes; \uXXXX escapes become UTF-8 as in lua-cjson. */
  private string(): string {
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) return fail(this.L, `Expected value but found unexpected end of string at character ${start + 1}`);
      this.pos++;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.pos++];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        continue;
      }
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.s.slice(this.pos, this.pos + 4))) {
        let cp = parseInt(this.s.slice(this.pos, this.pos + 4), 16);
        this.pos += 4;
        if (cp >= 0xd800 && cp <= 0xdbff && this.s.startsWith('\\u', this.pos)) {
          const lo = parseInt(this.s.slice(this.pos + 2, this.pos + 6), 16);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            this.pos += 6;
          }
        }
        out += Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
        continue;
      }
      return fail(this.L, `Expected value but found invalid escape code at character ${start + 1}`);
    }
  }
}

export function pushCjsonLib(L: LuaState): void {
  lua.lua_createtable(L, 0, 4);
  setFunctions(L, {
    encode(L) {
      if (lua.lua_gettop(L) !== 1) return fail(L, 'bad argument #1 to \'encode\' (expected 1 argument)');
      pushString(L, encodeValue(L, 1, 0));
      return 1;
    },
    decode(L) {
      if (lua.lua_gettop(L) !== 1) return fail(L, 'bad argument #1 to \'decode\' (expected 1 argument)');
      const text = toString(L, 1);
      if (text === null) return fail(L, 'bad argument #1 to \'decode\' (string expected)');
      new Decoder(L, text).decodeTop();
      return 1;
    },
  });
  lua.lua_pushlightuserdata(L, JSON_NULL);
  lua.lua_setfield(L, -2, 'null');
}
