/**
 * The Lua value a script returns (or passes to redis.status_reply & co) →
 * a Reply, by Redis's luaReplyToRedisReply rules: numbers truncate to
 * integers, tables stop at the first nil, {ok=}/{err=} are status/error, and
 * the RESP3 table forms ({double=}, {map=}, {set=}, {big_number=}) become
 * their RESP3 types (the reply writer downgrades them for RESP2 clients).
 */
import { lua, toString, type LuaState } from './vm.js';
import type { Reply, RespVersion } from './reply.js';

const INT64_MIN = -(2n ** 63n);

/** C's (long long) cast of a double, including x86's INT64_MIN for NaN and overflow. */
export function truncateToInteger(n: number): number | bigint {
  if (!Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return INT64_MIN;
  const t = Math.trunc(n);
  return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : BigInt(t);
}

/** Reads string field `name` of the table at idx, or null when absent / not a string. */
function stringField(L: LuaState, idx: number, name: string): string | null {
  const t = lua.lua_getfield(L, idx, name);
  const s = t === lua.LUA_TSTRING ? toString(L, -1) : null;
  lua.lua_pop(L, 1);
  return s;
}

export function luaToReply(L: LuaState, idx: number, resp: RespVersion, depth = 0): Reply {
  idx = lua.lua_absindex(L, idx);
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING:
      return { type: 'bulk', value: toString(L, idx) as string };
    case lua.LUA_TNUMBER:
      return { type: 'integer', value: truncateToInteger(lua.lua_tonumber(L, idx)) };
    case lua.LUA_TBOOLEAN:
      if (resp === 3) return { type: 'boolean', value: lua.lua_toboolean(L, idx) };
      return lua.lua_toboolean(L, idx) ? { type: 'integer', value: 1 } : { type: 'nullbulk' };
    case lua.LUA_TTABLE:
      return tableToReply(L, idx, resp, depth);
    default:
      return { type: 'nullbulk' };
  }
}

function tableToReply(L: LuaState, idx: number, resp: RespVersion, depth: number): Reply {
  lua.lua_checkstack(L, 4);
  const err = stringField(L, idx, 'err');
  if (err !== null) return { type: 'error', value: err };
  const ok = stringField(L, idx, 'ok');
  if (ok !== null) return { type: 'status', value: ok };
  if (lua.lua_getfield(L, idx, 'double') === lua.LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    return { type: 'double', value: d };
  }
  lua.lua_pop(L, 1);
  const big = stringField(L, idx, 'big_number');
  if (big !== null) return { type: 'bignum', value: big };
  if (lua.lua_getfield(L, idx, 'map') === lua.LUA_TTABLE) {
    const pairs: Array<[Reply, Reply]> = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      pairs.push([luaToReply(L, -2, resp, depth + 1), luaToReply(L, -1, resp, depth + 1)]);
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return { type: 'map', value: pairs };
  }
  lua.lua_pop(L, 1);
  if (lua.lua_getfield(L, idx, 'set') === lua.LUA_TTABLE) {
    const items: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      items.push(luaToReply(L, -2, resp, depth + 1));
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return { type: 'set', value: items };
  }
  lua.lua_pop(L, 1);
  const items: Reply[] = [];
  for (let i = 1; ; i++) {
    if (lua.lua_rawgeti(L, idx, i) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    items.push(luaToReply(L, -1, resp, depth + 1));
    lua.lua_pop(L, 1);
  }
  return { type: 'array', value: items };
}
