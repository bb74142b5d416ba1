/**
 * A command's reply → the Lua value redis.call returns (Redis's
 * redisProtocolToLuaType rules). RESP2 nulls become false; after
 * redis.setresp(3) they become nil and RESP3 types get their table forms.
 */
import { lua, pushString, type LuaState } from './vm.js';
import type { Reply, RespVersion } from './reply.js';

function pushTagged(L: LuaState, field: string, push: () => void): void {
  lua.lua_createtable(L, 0, 1);
  push();
  lua.lua_setfield(L, -2, field);
}

export function pushReply(L: LuaState, r: Reply, resp: RespVersion): void {
  lua.lua_checkstack(L, 4);
  switch (r.type) {
    case 'integer':
      lua.lua_pushnumber(L, Number(r.value));
      return;
    case 'bulk':
      pushString(L, r.value);
      return;
    case 'status':
      pushTagged(L, 'ok', () => pushString(L, r.value));
      return;
    case 'error':
      pushTagged(L, 'err', () => pushString(L, r.value));
      return;
    case 'nullbulk':
    case 'null':
      if (resp === 3) lua.lua_pushnil(L);
      else lua.lua_pushboolean(L, false);
      return;
    case 'array':
      if (r.value === null) {
        if (resp === 3) lua.lua_pushnil(L);
        else lua.lua_pushboolean(L, false);
        return;
      }
      pushList(L, r.value, resp);
      return;
    case 'set':
      if (resp === 2) return pushList(L, r.value, resp);
      pushTagged(L, 'set', () => {
        lua.lua_createtable(L, 0, r.value.length);
        for (const item of r.value) {
          pushReply(L, item, resp);
          lua.lua_pushboolean(L, true);
          lua.lua_rawset(L, -3);
        }
      });
      return;
    case 'map':
      if (resp === 2) return pushList(L, r.value.flat(), resp);
      pushTagged(L, 'map', () => {
        lua.lua_createtable(L, 0, r.value.length);
        for (const [k, v] of r.value) {
          pushReply(L, k, resp);
          pushReply(L, v, resp);
          lua.lua_rawset(L, -3);
        }
      });
      return;
    case 'double':
      if (resp === 2) return pushString(L, String(r.value));
      pushTagged(L, 'double', () => lua.lua_pushnumber(L, r.value));
      return;
    case 'boolean':
      if (resp === 2) {
        if (r.value) lua.lua_pushnumber(L, 1);
        else lua.lua_pushboolean(L, false);
      } else lua.lua_pushboolean(L, r.value);
      return;
    case 'bignum':
      if (resp === 2) return pushString(L, r.value);
      pushTagged(L, 'big_number', () => pushString(L, r.value));
      return;
    case 'verbatim':
      if (resp === 2) return pushString(L, r.value);
      pushTagged(L, 'verbatim_string', () => {
        lua.lua_createtable(L, 0, 2);
        pushString(L, r.format);
        lua.lua_setfield(L, -2, 'format');
        pushString(L, r.value);
        lua.lua_setfield(L, -2, 'string');
      });
      return;
  }
}

function pushList(L: LuaState, items: Reply[], resp: RespVersion): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushReply(L, items[i], resp);
    lua.lua_rawseti(L, -2, i + 1);
  }
}
