/** The scripting engines' public surface, for the server's EVAL/SCRIPT and FUNCTION/FCALL commands. */
export { createScriptEngine } from './engine.js';
export { TICK_INSTRUCTIONS, SUSPENDED, type RunLimits, type RunResult } from './script-vm.js';
export { FunctionEngine, LibrarySet, functionsOf, libraryCodesOf, loadLibraries, LOAD_TIMEOUT_MS, type FunctionInfo, type Library } from './function-engine.js';
export * from './script-flags.js';
export { sha1hex } from './redis-lib.js';
export type { Reply, RespVersion } from './reply.js';
export type { CachedScript, LoadResult, RunOptions, ScriptEngine, ScriptHost, ScriptLogLevel } from './types.js';
