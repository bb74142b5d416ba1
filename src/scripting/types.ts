import type { Reply, RespVersion } from './reply.js';
import type { RunLimits, RunResult } from './script-vm.js';

/** Log levels as `redis.LOG_*` numbers them. */
export type ScriptLogLevel = 0 | 1 | 2 | 3;

/** What the server provides to a running script. */
export interface ScriptHost {
  /** Runs one command for `redis.call`/`redis.pcall`; `resp` is the script's current `redis.setresp` version. */
  call(argv: string[], resp: RespVersion): Reply;
  log?(level: ScriptLogLevel, message: string): void;
  /** `redis.set_repl` flags (REPL_* bitmask), for effects replication. */
  setRepl?(flags: number): void;
}

export type RunOptions = RunLimits;

/** A script in the cache: its sha, its shebang flags (SCRIPT_FLAG_*), its compiled function. */
export interface CachedScript {
  readonly sha: string;
  readonly flags: number;
  readonly ref: number;
}

export type LoadResult = CachedScript | { error: string };

export interface ScriptEngine {
  /** Compiles and caches a body (SCRIPT LOAD / EVAL); `sha` when the caller already has it. */
  load(body: string, sha?: string): LoadResult;
  lookup(sha: string): CachedScript | undefined;
  has(sha: string): boolean;
  /** Runs a cached script; SUSPENDED when it yielded past busy-reply-threshold (then resume()). */
  run(script: CachedScript, keys: string[], args: string[], host: ScriptHost, opts: RunOptions): RunResult;
  resume(): RunResult;
  kill(): void;
  /** The running script passed busy-reply-threshold (it may still have finished synchronously). */
  readonly timedOut: boolean;
  elapsedMs(): number;
  /** SCRIPT FLUSH: forget every script (the Lua state is rebuilt). */
  flush(): void;
}
