/** The scripting engine's public surface, for the server's EVAL/SCRIPT commands. */
export { createScriptEngine, TICK_INSTRUCTIONS } from './engine.js';
export { sha1hex } from './redis-lib.js';
export type { Reply, RespVersion } from './reply.js';
export type { LoadResult, RunOptions, ScriptEngine, ScriptHost, ScriptLogLevel } from './types.js';
