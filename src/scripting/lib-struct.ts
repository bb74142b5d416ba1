/**
 * The `struct` library Redis bundles (Roberto Ierusalimschy's struct 0.2):
 * pack/unpack/size with endianness (< > = !n) and b B h H l L T i I[n] f d
 * x c[n] s; latin1 strings in and out, 1-based positions.
 */
import { lua, pushString, raise, setFunctions, toString, type LuaState } from './vm.js';

interface Option { code: string; size: number }

/** Parses the format into options and endianness/alignment switches, checking codes as struct.c does. */
function* options(L: LuaState, fmt: string, fn: string): Generator<Option | { little: boolean } | { align: number }> {
  for (let i = 0; i < fmt.length; ) {
    const c = fmt[i++];
    let digits = '';
    while (i < fmt.length && fmt[i] >= '0' && fmt[i] <= '9') digits += fmt[i++];
    const n = digits === '' ? -1 : Number(digits);
    switch (c) {
      case ' ': break;
      case '<': case '=': yield { little: true }; break;
      case '>': yield { little: false }; break;
      case '!': yield { align: n < 0 ? 8 : n }; break;
      case 'b': case 'B': case 'x': yield { code: c, size: 1 }; break;
      case 'h': case 'H': yield { code: c, size: 2 }; break;
      case 'l': case 'L': case 'T': yield { code: c, size: 8 }; break;
      case 'f': yield { code: c, size: 4 }; break;
      case 'd': yield { code: c, size: 8 }; break;
      case 'i': case 'I': {
        const size = n < 0 ? 4 : n;
        if (size < 1 || size > 8) raise(L, `bad argument #1 to '${fn}' (integral size ${size} is larger than limit of 8)`);
        yield { code: c, size };
        break;
      }
      case 'c': yield { code: c, size: n < 0 ? 1 : n }; break;
      case 's': yield { code: c, size: 0 }; break;
      default: raise(L, `bad argument #1 to '${fn}' (invalid format option '${c}')`);
    }
  }
}

function padding(pos: number, size: number, align: number): number {
  const a = Math.min(size, align);
  if (a <= 1 || (a & (a - 1)) !== 0) return 0;
  return (a - (pos & (a - 1))) & (a - 1);
}

function intBytes(n: number, size: number, little: boolean): number[] {
  let v = BigInt.asUintN(size * 8, BigInt(Math.trunc(n)));
  const out: number[] = [];
  for (let i = 0; i < size; i++, v >>= 8n) out.push(Number(v & 0xffn));
  return little ? out : out.reverse();
}

export function pushStructLib(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  setFunctions(L, {
    pack(L) {
      const fmt = toString(L, 1) ?? '';
      const out: number[] = [];
      let little = true, align = 1, arg = 2;
      for (const o of options(L, fmt, 'pack')) {
        if ('little' in o) { little = o.little; continue; }
        if ('align' in o) { align = o.align; continue; }
        if (o.code !== 'c' && o.code !== 's') for (let p = padding(out.length, o.size, align); p > 0; p--) out.push(0);
        switch (o.code) {
          case 'x': out.push(0); break;
          case 'f': case 'd': {
            const b = Buffer.alloc(o.size);
            const v = lua.lua_tonumber(L, arg++);
            if (o.size === 4) little ? b.writeFloatLE(v) : b.writeFloatBE(v);
            else little ? b.writeDoubleLE(v) : b.writeDoubleBE(v);
            out.push(...b);
            break;
          }
          case 'c': case 's': {
            const s = toString(L, arg);
            if (s === null) return raise(L, `bad argument #${arg} to 'pack' (string expected, got ${lua.lua_type(L, arg) === lua.LUA_TNIL ? 'no value' : 'other'})`);
            arg++;
            const len = o.code === 's' || o.size === 0 ? s.length : o.size;
            if (s.length < len) return raise(L, `bad argument #${arg - 1} to 'pack' (string too short)`);
            for (let i = 0; i < len; i++) out.push(s.charCodeAt(i));
            if (o.code === 's') out.push(0);
            break;
          }
          default:
            out.push(...intBytes(lua.lua_tonumber(L, arg++), o.size, little));
        }
      }
      pushString(L, Buffer.from(out).toString('latin1'));
      return 1;
    },
    unpack(L) {
      const fmt = toString(L, 1) ?? '';
      const data = Buffer.from(toString(L, 2) ?? '', 'latin1');
      let pos = lua.lua_gettop(L) >= 3 ? Math.trunc(lua.lua_tonumber(L, 3)) - 1 : 0;
      let little = true, align = 1, results = 0, lastNumber = 0;
      const need = (n: number): void => {
        if (pos + n > data.length) raise(L, "bad argument #2 to 'unpack' (data string too short)");
      };
      for (const o of options(L, fmt, 'unpack')) {
        if ('little' in o) { little = o.little; continue; }
        if ('align' in o) { align = o.align; continue; }
        if (o.code !== 'c' && o.code !== 's') pos += padding(pos, o.size, align);
        lua.lua_checkstack(L, 2);
        switch (o.code) {
          case 'x': pos += 1; continue;
          case 'f': case 'd': {
            need(o.size);
            const v = o.size === 4 ? (little ? data.readFloatLE(pos) : data.readFloatBE(pos)) : little ? data.readDoubleLE(pos) : data.readDoubleBE(pos);
            lua.lua_pushnumber(L, v);
            pos += o.size;
            break;
          }
          case 'c': {
            const len = o.size === 0 ? lastNumber : o.size;
            if (o.size === 0 && results > 0) {
              // 'c0' consumes the preceding number as its length: it is not returned.
              lua.lua_pop(L, 1);
              results--;
            }
            need(len);
            pushString(L, data.toString('latin1', pos, pos + len));
            pos += len;
            break;
          }
          case 's': {
            const end = data.indexOf(0, pos);
            if (end < 0) return raise(L, "bad argument #2 to 'unpack' (unfinished string in data)");
            pushString(L, data.toString('latin1', pos, end));
            pos = end + 1;
            break;
          }
          default: {
            need(o.size);
            const bytes = [...data.subarray(pos, pos + o.size)];
            if (!little) bytes.reverse();
            let v = 0n;
            for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
            const signed = o.code === o.code.toLowerCase();
            lastNumber = Number(signed ? BigInt.asIntN(o.size * 8, v) : v);
            lua.lua_pushnumber(L, lastNumber);
            pos += o.size;
          }
        }
        results++;
      }
      lua.lua_pushnumber(L, pos + 1);
      return results + 1;
    },
    size(L) {
      let size = 0, align = 1;
      for (const o of options(L, toString(L, 1) ?? '', 'size')) {
        if ('align' in o) align = o.align;
        if (!('code' in o)) continue;
        if (o.code === 's' || (o.code === 'c' && o.size === 0)) return raise(L, "bad argument #1 to 'size' (options 'c0' - 's' have undefined sizes)");
        if (o.code !== 'c') size += padding(size, o.size, align);
        size += o.size;
      }
      lua.lua_pushnumber(L, size);
      return 1;
    },
  });
}
