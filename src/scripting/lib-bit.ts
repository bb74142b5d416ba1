/** LuaBitOp's `bit` library (the one Redis bundles): 32-bit signed results. */
import { lua, pushString, raise, setFunctions, type LuaState } from './vm.js';

function arg(L: LuaState, i: number): number {
  if (lua.lua_type(L, i) !== lua.LUA_TNUMBER && lua.lua_type(L, i) !== lua.LUA_TSTRING) {
    return raise(L, `bad argument #${i} (number expected)`);
  }
  // LuaBitOp rounds to the nearest integer, then keeps the low 32 bits.
  return Math.round(lua.lua_tonumber(L, i)) | 0;
}

function ret(L: LuaState, n: number): number {
  lua.lua_pushnumber(L, n | 0);
  return 1;
}

function fold(op: (a: number, b: number) => number) {
  return (L: LuaState): number => {
    let acc = arg(L, 1);
    for (let i = 2, n = lua.lua_gettop(L); i <= n; i++) acc = op(acc, arg(L, i));
    return ret(L, acc);
  };
}

export function pushBitLib(L: LuaState): void {
  lua.lua_createtable(L, 0, 12);
  setFunctions(L, {
    tobit: (L) => ret(L, arg(L, 1)),
    bnot: (L) => ret(L, ~arg(L, 1)),
    band: fold((a, b) => a & b),
    bor: fold((a, b) => a | b),
    bxor: fold((a, b) => a ^ b),
    lshift: (L) => ret(L, arg(L, 1) << (arg(L, 2) & 31)),
    rshift: (L) => ret(L, arg(L, 1) >>> (arg(L, 2) & 31)),
    arshift: (L) => ret(L, arg(L, 1) >> (arg(L, 2) & 31)),
    rol: (L) => {
      const x = arg(L, 1), n = arg(L, 2) & 31;
      return ret(L, (x << n) | (x >>> ((32 - n) & 31)));
    },
    ror: (L) => {
      const x = arg(L, 1), n = arg(L, 2) & 31;
      return ret(L, (x >>> n) | (x << ((32 - n) & 31)));
    },
    bswap: (L) => {
      const x = arg(L, 1);
      return ret(L, ((x >>> 24) & 0xff) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24));
    },
    tohex: (L) => {
      const x = arg(L, 1);
      let n = lua.lua_gettop(L) >= 2 ? arg(L, 2) : 8;
      const upper = n < 0;
      if (upper) n = -n;
      if (n > 8) n = 8;
      const hex = (x >>> 0).toString(16).padStart(8, '0').slice(8 - n);
      pushString(L, upper ? hex.toUpperCase() : hex);
      return 1;
    },
  });
}
