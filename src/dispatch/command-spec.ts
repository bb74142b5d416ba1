/**
 * What a command is, as data. Family files declare `CommandDef`s (a name and a
 * synchronous handler); the metadata (arity, flags, key positions, ACL
 * categories, group, since, docs) is Redis 7.0's own, taken from
 * redis-commands.json, so COMMAND, arity checks and key extraction agree with
 * Redis by construction. command-table.ts joins the two into CommandSpecs.
 */
import type { ReplySink } from '../protocol/reply-writer.js';
import type { Database } from '../keyspace/database.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';

/**
 * What a handler sees. The connection implements it; later a Lua script's
 * fake client and EXEC do too. Handlers reply through `reply` and never touch
 * sockets.
 */
export interface CommandContext {
  argv: string[];
  reply: ReplySink;
  db: Database;
  readonly ks: Keyspace;
  readonly server: Server;
  readonly client: Client;
  /** Replaces what is propagated for this command (EXPIRE → PEXPIREAT, INCRBYFLOAT → SET). */
  propagateAs(argv: string[]): void;
  /** Propagates nothing for this command even though it changed data. */
  preventPropagation(): void;
}

export type Handler = (ctx: CommandContext) => void;

export interface CommandDef {
  /** Lower case; subcommands as 'parent|sub', like Redis's fullname. */
  readonly name: string;
  readonly handler: Handler;
}

/** Tree encoding of Redis metadata (see scripts/gen-command-metadata.mjs). */
export type MetaTree = string | number | null | MetaTree[] | { '+': string } | { '~': MetaTree[] } | { '%': Array<[MetaTree, MetaTree]> };

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** HDR-style latency histogram in ns (observe/histogram.ts), allocated on the first call. */
  hist: Uint32Array | null;
}

export interface CommandSpec {
  /** Lower case name; for a subcommand, the part after the pipe. */
  readonly name: string;
  /** 'get', 'config|get' */
  readonly fullname: string;
  readonly arity: number;
  readonly flags: ReadonlySet<string>;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  readonly acl: readonly string[];
  readonly group: string;
  readonly since: string;
  readonly isWrite: boolean;
  /** Fast and never blocking: may share a clock read with its neighbours (dispatch/command-clock.ts). */
  readonly sharesClock: boolean;
  /**
   * Its effect reaches replicas and the AOF whenever it changed data, whatever
   * its flags (PFCOUNT refreshing its cache does), as Redis 7.0's call()
   * decides; EXEC is the exception, its commands propagate themselves.
   */
  readonly propagates: boolean;
  readonly handler: Handler | null;
  readonly parent: CommandSpec | null;
  readonly subcommands: Map<string, CommandSpec> | null;
  /** COMMAND INFO and COMMAND DOCS replies, subcommands limited to those Reddish has. */
  readonly info: MetaTree;
  readonly docs: MetaTree;
  readonly stats: CommandStats;
}
