import type { Reply, RespVersion } from './reply.js';

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

export interface RunOptions {
  /** The protocol of the calling client: decides how `redis.setresp(3)` replies reach it (the writer downgrades RESP3 types for RESP2). */
  resp: RespVersion;
  /** Consulted every TICK_INSTRUCTIONS Lua instructions: 'kill' aborts the script (SCRIPT KILL / timeout). */
  onTick?: () => 'continue' | 'kill';
}

export type LoadResult = { sha: string } | { error: string };

export interface ScriptEngine {
  load(body: string): LoadResult;
  has(sha: string): boolean;
  /** Runs a loaded script; a missing sha yields the NOSCRIPT error reply. */
  run(sha: string, keys: string[], args: string[], host: ScriptHost, opts: RunOptions): Reply;
  /** SCRIPT FLUSH: forget every script (the Lua state is rebuilt). */
  flush(): void;
}
