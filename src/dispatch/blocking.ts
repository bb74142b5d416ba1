/**
 * Blocking commands (blocked.c): a client that must wait for a key is parked
 * here, never awaited. Per (db, key) a FIFO of waiters; the keyspace tells us
 * (Keyspace.onReady, installed only while someone waits) when a waited key is
 * created or written; call() asks us to serve the "ready keys" once the
 * outermost command (or EXEC) has completed, so a push inside a transaction
 * wakes waiters only after EXEC.
 *
 * A waiter carries its own `serve` callback, so the same machinery serves
 * BLPOP/BLMOVE/BLMPOP (commands/lists.ts) and, later, BZPOPMIN/BZMPOP or XREAD:
 *
 *   const timeout = timeoutOrReply(ctx, argv[argv.length - 1]);   // null: error replied
 *   ...try the non-blocking path first...
 *   if (!canBlock(ctx)) return ctx.reply.nilArray();               // inside MULTI/scripts
 *   blockForKeys(ctx, { keys, timeoutAt: timeout, serve: (c, key) => {...} });
 *
 * `serve(ctx, key)` runs with the blocked client as context (ctx.argv is the
 * blocked command), writes through ctx.ks, replies, calls ctx.propagateAs()
 * with the effect (BLPOP → LPOP key) and returns true when the client is done
 * (served, or answered an error), false to keep it waiting.
 *
 * While blocked, a client processes no further pipelined input; when it is
 * unblocked its reply is flushed and its pending input is processed on the
 * next turn of the event loop. As in 7.0, a blocked command's call is counted
 * when it runs; the serving time, a failure and the latency sample are added
 * when it is unblocked (updateStatsOnUnblock).
 */
import type { CommandContext, CommandSpec } from './command-spec.js';
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import type { Database } from '../keyspace/database.js';
import { performance } from 'node:perf_hooks';
import { recordUnblocked } from './command-clock.js';
import { parseDouble } from '../util/numbers.js';
import { ERR } from '../protocol/errors.js';

export interface BlockSpec {
  /** The keys to wait on, in the client's selected db; duplicates are ignored. */
  keys: readonly string[];
  /** Absolute unix time in ms at which the client times out; 0 waits forever. */
  timeoutAt: number;
  /** Tries to serve the client from `key`; true once the client got its reply. */
  serve(ctx: CommandContext, key: string): boolean;
  /** The reply on timeout (and CLIENT UNBLOCK ... TIMEOUT); default a null array. */
  onTimeout?(ctx: CommandContext): void;
}

export interface BlockedState {
  readonly spec: BlockSpec;
  readonly dbId: number;
  readonly keys: string[];
  readonly cmd: CommandSpec | null;
  timer: NodeJS.Timeout | null;
}

/** setTimeout's largest delay. */
const MAX_DELAY = 2 ** 31 - 1;

interface ReadyKey {
  db: Database;
  key: string;
}

export class Blocking {
  /** Per db id: key → clients waiting on it, first blocked first. */
  private readonly waiting: Array<Map<string, Client[]> | undefined> = [];
  private ready: ReadyKey[] = [];
  private readonly readySet = new Set<string>();
  /** blocked_clients */
  blockedCount = 0;
  /** clients_in_timeout_table */
  timeoutCount = 0;
  private serving = false;

  constructor(private readonly server: Server) {}

  get readyCount(): number {
    return this.ready.length;
  }

  /** Parks the client (blockForKeys). */
  block(c: Client, spec: BlockSpec): void {
    const dbId = c.db.id;
    let m = this.waiting[dbId];
    if (m === undefined) {
      m = new Map();
      this.waiting[dbId] = m;
    }
    const keys: string[] = [];
    for (const k of spec.keys) {
      if (keys.includes(k)) continue;
      keys.push(k);
      const q = m.get(k);
      if (q === undefined) m.set(k, [c]);
      else q.push(c);
    }
    const st: BlockedState = { spec, dbId, keys, cmd: c.cmd, timer: null };
    c.blocked = st;
    if (this.blockedCount++ === 0) this.server.ks.onReady = (db, key) => this.signal(db, key);
    if (spec.timeoutAt > 0) {
      this.timeoutCount++;
      this.armTimer(c, st);
    }
  }

  private armTimer(c: Client, st: BlockedState): void {
    const delay = Math.min(Math.max(st.spec.timeoutAt - Date.now(), 0), MAX_DELAY);
    st.timer = setTimeout(() => {
      st.timer = null;
      if (c.blocked !== st) return;
      if (st.spec.timeoutAt - Date.now() > 1) return this.armTimer(c, st);
      this.timedOut(c);
    }, delay);
    st.timer.unref();
  }

  /** Replies as on timeout, then unblocks (a timer, or CLIENT UNBLOCK ... TIMEOUT). */
  timedOut(c: Client): void {
    const st = c.blocked;
    if (st === null) return;
    if (st.spec.onTimeout) st.spec.onTimeout(c);
    else c.reply.nilArray();
    this.finish(c, 0, false);
  }

  /** CLIENT UNBLOCK: true when the client was blocked here. */
  unblockByRequest(c: Client, error: boolean): boolean {
    if (c.blocked === null) return false;
    if (error) {
      c.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      this.finish(c, 0, true);
    } else {
      this.timedOut(c);
    }
    return true;
  }

  /** The client went away while blocked: forget it, no reply, no stats. */
  disconnected(c: Client): void {
    if (c.blocked !== null) this.detach(c);
  }

  private detach(c: Client): void {
    const st = c.blocked!;
    c.blocked = null;
    if (st.timer !== null) clearTimeout(st.timer);
    st.timer = null;
    if (st.spec.timeoutAt > 0) this.timeoutCount--;
    const m = this.waiting[st.dbId];
    if (m !== undefined) {
      for (const k of st.keys) {
        const q = m.get(k);
        if (q === undefined) continue;
        const i = q.indexOf(c);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) m.delete(k);
      }
    }
    if (--this.blockedCount === 0) this.server.ks.onReady = null;
  }

  /** unblockClient + updateStatsOnUnblock: the reply is already written. */
  private finish(c: Client, usec: number, failed: boolean): void {
    const cmd = c.blocked!.cmd;
    this.detach(c);
    // updateStatsOnUnblock (7.0): calls were counted when the command ran.
    if (cmd !== null) {
      const st = cmd.stats;
      st.usec += usec;
      if (failed) st.failedCalls++;
      recordUnblocked(c, cmd, c.argv, usec);
    }
    this.resume(c);
  }

  /** Sends the unblocked client its reply; requests that arrived while blocked run on the next turn of the loop. */
  private resume(c: Client): void {
    if (c.socket === null) return;
    const server = this.server;
    server.stats.netOutputBytes += c.reply.length;
    c.flush();
    setImmediate(() => {
      if (!c.closed && c.blocked === null && (c.parser.pending > 0 || c.pausedArgv !== null)) server.processInput(c);
    });
  }

  /** Every client blocked on keys, each once. */
  clients(): Client[] {
    const out = new Set<Client>();
    for (const m of this.waiting) if (m !== undefined) for (const q of m.values()) for (const c of q) out.add(c);
    return [...out];
  }

  /**
   * Unblocks with an error and no command stats, as unblockClient after a
   * cluster redirection (-MOVED, -CLUSTERDOWN) or disconnectAllBlockedClients
   * does; `close` closes the connection once the reply is out.
   */
  abort(c: Client, error: string, close: boolean): void {
    if (c.blocked === null) return;
    this.detach(c);
    c.reply.error(error);
    if (close) {
      c.closeAfterReply = true;
      if (c.socket !== null) {
        this.server.stats.netOutputBytes += c.reply.length;
        c.close();
      }
      return;
    }
    this.resume(c);
  }

  /**
   * disconnectAllBlockedClients: a master turning replica (or a replica
   * changing master) answers every client blocked on keys and closes it.
   */
  disconnectAll(): void {
    if (this.blockedCount === 0) return;
    for (const c of this.clients()) this.abort(c, ERR.unblockedRoleChange, true);
  }

  /**
   * signalKeyAsReady (and signalDeletedKeyAsReady), from the keyspace; key
   * null: every waited key of the db (SWAPDB, FLUSHDB). A waiter's serve()
   * decides whether the key's state serves it.
   */
  signal(db: Database, key: string | null): void {
    const m = this.waiting[db.id];
    if (m === undefined || m.size === 0) return;
    if (key === null) {
      for (const k of m.keys()) this.addReady(db, k);
      return;
    }
    if (m.has(key)) this.addReady(db, key);
  }

  private addReady(db: Database, key: string): void {
    const id = `${db.id}\0${key}`;
    if (this.readySet.has(id)) return;
    this.readySet.add(id);
    this.ready.push({ db, key });
  }

  /**
   * handleClientsBlockedOnKeys: serves the waiters of every ready key, first
   * blocked first. Each served client's effect is propagated on its own, and
   * keys a serve makes ready (BLMOVE's destination) are served in turn.
   */
  handleReady(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.length !== 0) {
        const batch = this.ready;
        this.ready = [];
        for (const { db, key } of batch) {
          this.readySet.delete(`${db.id}\0${key}`);
          this.serveKey(db, key);
        }
      }
    } finally {
      this.serving = false;
    }
  }

  private serveKey(db: Database, key: string): void {
    const q = this.waiting[db.id]?.get(key);
    if (q === undefined) return;
    const server = this.server;
    const prop = server.ks.propagator;
    for (const c of [...q]) {
      const st = c.blocked;
      if (st === null || st.dbId !== db.id || !st.keys.includes(key)) continue;
      const errorsBefore = server.stats.totalErrorReplies;
      const offsetBefore = server.replOffset;
      const t0 = performance.now();
      c.propagateOverride = null;
      let done: boolean;
      prop.depth++;
      try {
        done = st.spec.serve(c, key);
      } finally {
        prop.depth--;
      }
      const effect = c.propagateOverride;
      c.propagateOverride = null;
      if (Array.isArray(effect)) prop.add(db.id, effect);
      prop.flush();
      // WAIT after the pop waits for it.
      if (server.replOffset !== offsetBefore) c.woff = server.replOffset;
      if (done) this.finish(c, (performance.now() - t0) * 1000, server.stats.totalErrorReplies !== errorsBefore);
    }
  }
}

/** CLIENT_DENY_BLOCKING: inside MULTI/EXEC (or a script), and for our master, block means "time out now". */
export function canBlock(ctx: CommandContext): boolean {
  return ctx.ks.propagator.depth <= 1 && !ctx.client.isMaster;
}

/**
 * getTimeoutFromObjectOrReply(UNIT_SECONDS): a float number of seconds, as an
 * absolute unix time in ms (0 = forever), or null after replying the error.
 * Like Redis, the seconds are truncated to whole ms (so -0.0001 means 0, forever)
 * and a value too large for a long long reads as negative.
 */
export function timeoutOrReply(ctx: CommandContext, s: string): number | null {
  const d = parseDouble(s);
  if (d === null) {
    ctx.reply.error(ERR.timeoutNotFloat);
    return null;
  }
  const ms = d * 1000;
  // (long long) of an out-of-range long double is LLONG_MIN on x86.
  const t = ms >= 9223372036854775808 || ms <= -9223372036854775808 || Number.isNaN(ms) ? -1 : Math.trunc(ms);
  if (t < 0) {
    ctx.reply.error('ERR timeout is negative');
    return null;
  }
  if (t === 0) return 0;
  const now = Date.now();
  if (t > 9223372036854775807 - now) {
    ctx.reply.error('ERR timeout is out of range');
    return null;
  }
  return t + now;
}

/** Parks the running client (see the module comment). */
export function blockForKeys(ctx: CommandContext, spec: BlockSpec): void {
  ctx.server.blocking.block(ctx.client, spec);
}
