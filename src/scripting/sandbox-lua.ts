/**
 * Lua run once per VM after the libraries are registered: it shapes the
 * globals like Redis 7.0's scripting environment. Kept as Lua because it
 * manipulates Lua values (metatables, varargs) that are awkward from the C API.
 * (Where a failed script stopped is read from its dead coroutine: script-vm.ts.)
 */
export const SANDBOX_LUA = `
local type, rawget, error, lua_pcall = type, rawget, error, pcall

-- Lua 5.1 names that Redis scripts rely on (fengari is Lua 5.3).
unpack = table.unpack
loadstring = load
table.getn = function(t) return #t end
table.setn = function() end
math.mod = math.fmod
math.pow = function(a, b) return a ^ b end
string.gfind = string.gmatch
gcinfo = function() return collectgarbage('count') end
-- tostring(number) must print like 5.1 ("5", not "5.0"): concatenation goes through the patched number formatter.
local lua_tostring = tostring
tostring = function(v) if type(v) == 'number' then return v .. '' end return lua_tostring(v) end

-- What Redis does not load or removes.
print, dofile, loadfile, require, package, io, os, utf8, debug = nil, nil, nil, nil, nil, nil, nil, nil, nil

-- Redis 7.0: a script's pcall sees redis.call's error table as its err string.
local function unwrap(ok, ...)
  if not ok then
    local e = ...
    if type(e) == 'table' and type(rawget(e, 'err')) == 'string' then return false, e.err end
  end
  return ok, ...
end
pcall = function(f, ...) return unwrap(lua_pcall(f, ...)) end

-- Globals protection: no new globals, no reads of undefined ones.
setmetatable(_G, {
  __index = function(_, k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end,
  __newindex = function() error('Attempt to modify a readonly table', 2) end,
  __metatable = false,
})
`;
