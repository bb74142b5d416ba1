/**
 * The `cmsgpack` library Redis bundles (lua-cmsgpack): pack(...) and
 * unpack(s) over latin1 byte strings, with its choices of encodings
 * (smallest integer form, float32 when exact, arrays only without holes).
 */
import { lua, pushString, raise, setFunctions, toString, type LuaState } from './vm.js';

const MAX_NESTING = 16; // deeper tables encode as nil, as lua-cmsgpack does

class Writer {
  private bytes: number[] = [];
  u8(...b: number[]): void {
    for (const x of b) this.bytes.push(x & 0xff);
  }
  be(n: number | bigint, size: number): void {
    let v = BigInt.asUintN(size * 8, BigInt(n));
    const out: number[] = [];
    for (let i = 0; i < size; i++, v >>= 8n) out.unshift(Number(v & 0xffn));
    this.bytes.push(...out);
  }
  raw(s: string): void {
    for (let i = 0; i < s.length; i++) this.bytes.push(s.charCodeAt(i));
  }
  toString(): string {
    return Buffer.from(this.bytes).toString('latin1');
  }
}

function packNumber(w: Writer, n: number): void {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) {
    if (n >= 0) {
      if (n < 128) w.u8(n);
      else if (n <= 0xff) w.u8(0xcc, n);
      else if (n <= 0xffff) { w.u8(0xcd); w.be(n, 2); }
      else if (n <= 0xffffffff) { w.u8(0xce); w.be(n, 4); }
      else { w.u8(0xcf); w.be(BigInt(n), 8); }
    } else if (n >= -32) w.u8(0xe0 | (n + 32));
    else if (n >= -128) w.u8(0xd0, n);
    else if (n >= -32768) { w.u8(0xd1); w.be(n, 2); }
    else if (n >= -2147483648) { w.u8(0xd2); w.be(n, 4); }
    else { w.u8(0xd3); w.be(BigInt(n), 8); }
    return;
  }
  const b = Buffer.alloc(8);
  if (Math.fround(n) === n || Number.isNaN(n)) {
    b.writeFloatBE(n);
    w.u8(0xca, ...b.subarray(0, 4));
  } else {
    b.writeDoubleBE(n);
    w.u8(0xcb, ...b);
  }
}

function packHeader(w: Writer, n: number, fix: number, fixMax: number, op16: number): void {
  if (n < fixMax) w.u8(fix | n);
  else if (n <= 0xffff) { w.u8(op16); w.be(n, 2); }
  else { w.u8(op16 + 1); w.be(n, 4); }
}

/** lua-cmsgpack's array test: positive integer keys 1..n with no holes. */
function arrayCount(L: LuaState, idx: number): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx)) {
    lua.lua_pop(L, 1);
    const k = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : NaN;
    if (!(k >= 1 && Number.isInteger(k))) {
      lua.lua_pop(L, 1);
      return -1;
    }
    count++;
    if (k > max) max = k;
  }
  return max === count ? count : -1;
}

function packValue(L: LuaState, w: Writer, idx: number, level: number): void {
  idx = lua.lua_absindex(L, idx);
  lua.lua_checkstack(L, 4);
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TBOOLEAN:
      w.u8(lua.lua_toboolean(L, idx) ? 0xc3 : 0xc2);
      return;
    case lua.LUA_TNUMBER:
      packNumber(w, lua.lua_tonumber(L, idx));
      return;
    case lua.LUA_TSTRING: {
      const s = toString(L, idx) as string;
      if (s.length < 32) w.u8(0xa0 | s.length);
      else if (s.length <= 0xff) w.u8(0xd9, s.length);
      else if (s.length <= 0xffff) { w.u8(0xda); w.be(s.length, 2); }
      else { w.u8(0xdb); w.be(s.length, 4); }
      w.raw(s);
      return;
    }
    case lua.LUA_TTABLE: {
      if (level >= MAX_NESTING) {
        w.u8(0xc0);
        return;
      }
      const n = arrayCount(L, idx);
      if (n >= 0) {
        packHeader(w, n, 0x90, 16, 0xdc);
        for (let i = 1; i <= n; i++) {
          lua.lua_rawgeti(L, idx, i);
          packValue(L, w, -1, level + 1);
          lua.lua_pop(L, 1);
        }
        return;
      }
      let size = 0;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx)) { size++; lua.lua_pop(L, 1); }
      packHeader(w, size, 0x80, 16, 0xde);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, idx)) {
        packValue(L, w, -2, level + 1);
        packValue(L, w, -1, level + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
    default:
      w.u8(0xc0); // nil and unsupported types
  }
}

class Reader {
  pos = 0;
  constructor(private readonly L: LuaState, private readonly b: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.b.length) raise(this.L, 'Missing bytes in input.');
  }
  private uint(size: number): number {
    this.need(size);
    const v = this.b.readUIntBE(this.pos, size);
    this.pos += size;
    return v;
  }
  private str(len: number): void {
    this.need(len);
    pushString(this.L, this.b.toString('latin1', this.pos, this.pos + len));
    this.pos += len;
  }
  private array(n: number): void {
    lua.lua_createtable(this.L, n, 0);
    for (let i = 1; i <= n; i++) {
      this.value();
      lua.lua_rawseti(this.L, -2, i);
    }
  }
  private map(n: number): void {
    lua.lua_createtable(this.L, 0, n);
    for (let i = 0; i < n; i++) {
      this.value();
      this.value();
      lua.lua_rawset(this.L, -3);
    }
  }

  /** Decodes one object onto the Lua stack. */
  value(): void {
    const L = this.L;
    lua.lua_checkstack(L, 4);
    const t = this.uint(1);
    const b = this.b;
    if (t < 0x80) return lua.lua_pushnumber(L, t);
    if (t >= 0xe0) return lua.lua_pushnumber(L, t - 256);
    if ((t & 0xf0) === 0x80) return this.map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return this.array(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return this.str(t & 0x1f);
    const at = (size: number, read: () => number): void => {
      this.need(size);
      const v = read();
      this.pos += size;
      lua.lua_pushnumber(L, v);
    };
    switch (t) {
      case 0xc0: return lua.lua_pushnil(L);
      case 0xc2: return lua.lua_pushboolean(L, false);
      case 0xc3: return lua.lua_pushboolean(L, true);
      case 0xc4: case 0xd9: return this.str(this.uint(1));
      case 0xc5: case 0xda: return this.str(this.uint(2));
      case 0xc6: case 0xdb: return this.str(this.uint(4));
      case 0xca: return at(4, () => b.readFloatBE(this.pos));
      case 0xcb: return at(8, () => b.readDoubleBE(this.pos));
      case 0xcc: return at(1, () => b.readUInt8(this.pos));
      case 0xcd: return at(2, () => b.readUInt16BE(this.pos));
      case 0xce: return at(4, () => b.readUInt32BE(this.pos));
      case 0xcf: return at(8, () => Number(b.readBigUInt64BE(this.pos)));
      case 0xd0: return at(1, () => b.readInt8(this.pos));
      case 0xd1: return at(2, () => b.readInt16BE(this.pos));
      case 0xd2: return at(4, () => b.readInt32BE(this.pos));
      case 0xd3: return at(8, () => Number(b.readBigInt64BE(this.pos)));
      case 0xdc: return this.array(this.uint(2));
      case 0xdd: return this.array(this.uint(4));
      case 0xde: return this.map(this.uint(2));
      case 0xdf: return this.map(this.uint(4));
      default: return raise(L, 'Bad data format in input.');
    }
  }
}

export function pushCmsgpackLib(L: LuaState): void {
  lua.lua_createtable(L, 0, 4);
  setFunctions(L, {
    pack(L) {
      const n = lua.lua_gettop(L);
      if (n === 0) return raise(L, 'MessagePack pack needs input.');
      const w = new Writer();
      for (let i = 1; i <= n; i++) packValue(L, w, i, 0);
      pushString(L, w.toString());
      return 1;
    },
    unpack(L) {
      const s = toString(L, 1);
      if (s === null) return raise(L, "bad argument #1 to 'unpack' (string expected)");
      const r = new Reader(L, Buffer.from(s, 'latin1'));
      let count = 0;
      while (r.pos < s.length) {
        r.value();
        count++;
      }
      return count;
    },
  });
}
