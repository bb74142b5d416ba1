/**
 * Client-side caching (tracking.c, Redis 7.0.15): which clients may hold which
 * keys, and the invalidation messages sent when those keys change.
 *
 * Default mode: after a read-only command of a tracking client, the keys it
 * read are remembered in a table key → client ids (keys, as in Redis, are not
 * per db). A change to such a key sends every remembered client an
 * `invalidate [key]` message and forgets the key. BCAST mode remembers nothing
 * per client: every changed key matching one of a client's prefixes is
 * collected and sent, per prefix, once the current event-loop task is over
 * (Redis's beforeSleep). FLUSHALL/FLUSHDB send every tracking client a null
 * invalidation ("everything") and empty the table.
 *
 * Messages go as a RESP3 push `>2 invalidate <keys>`; with REDIRECT, to the
 * other client, as a push if it speaks RESP3 or as a `__redis__:invalidate`
 * pub/sub message if it is a RESP2 subscriber. An invalidation for the client
 * whose command is running is held until the outermost command returns, so it
 * follows that command's (or EXEC's) reply.
 *
 * The keyspace reports changes through its listener hook (Keyspace.listen);
 * this listens only while there are tracking clients or remembered keys, so
 * writes pay nothing otherwise. call() enters/leaves here only for tracking
 * clients.
 */
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import type { Database } from '../keyspace/database.js';
import type { KeyChangeListener } from '../keyspace/keyspace.js';
import type { CommandSpec } from '../dispatch/command-spec.js';
import { keysBySpecs } from '../dispatch/key-extraction.js';

/** A client's tracking state (Redis's CLIENT_TRACKING_* flags); null on the client when tracking is off. */
export interface ClientTracking {
  readonly hub: Tracking;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING given for the next command (or transaction). */
  caching: boolean;
  brokenRedir: boolean;
  /** Client id invalidations go to; 0 for the client itself. */
  redirect: number;
  /** BCAST prefixes of this client, sorted when listed. */
  prefixes: Set<string> | null;
}

export interface TrackingOptions {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  redirect: number;
  prefixes: string[];
}

interface BcastState {
  /** Keys changed during the current task, each with the tracking client that changed it last (null: none). */
  keys: Map<string, Client | null>;
  clients: Set<Client>;
}

const CHANNEL = '__redis__:invalidate';
const RESP2_MESSAGE_HEAD = `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n`;

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const hubs = new WeakMap<Server, Tracking>();

/** The server's tracking state, created on first use. */
export function trackingOf(server: Server): Tracking {
  let t = hubs.get(server);
  if (t === undefined) hubs.set(server, (t = new Tracking(server)));
  return t;
}

/** INFO's counters without creating the state. */
export function trackingInfo(server: Server): { clients: number; keys: number; items: number; prefixes: number } {
  const t = hubs.get(server);
  if (t === undefined) return { clients: 0, keys: 0, items: 0, prefixes: 0 };
  return { clients: t.clientCount(), keys: t.table.size, items: t.totalItems, prefixes: t.prefixTable.size };
}

export class Tracking implements KeyChangeListener {
  /** key → ids of the clients that may cache it (TrackingTable). */
  readonly table = new Map<string, Set<number>>();
  totalItems = 0;
  /** prefix → BCAST state (PrefixTable); `prefixOrder` is its keys sorted, as rax iterates. */
  readonly prefixTable = new Map<string, BcastState>();
  private prefixOrder: string[] = [];
  private readonly clients = new Set<Client>();
  /** The tracking client whose command is running (server.current_client, when it tracks). */
  private current: Client | null = null;
  private readonly stack: Array<Client | null> = [];
  /** Invalidations for `current`, sent when its outermost command returns (null: flush). */
  private pendingForCurrent: Array<string | null> = [];
  private listening = false;
  private bcastScheduled = false;
  private readonly toFlush = new Set<Client>();
  private flushScheduled = false;
  private limitCounter = 0;
  /** The command count of the last flush notified: FLUSHALL empties every db but notifies once. */
  private lastFlushMark = -1;

  constructor(private readonly server: Server) {}

  clientCount(): number {
    for (const c of this.clients) if (c.closed) this.disable(c);
    return this.clients.size;
  }

  private updateInterest(): void {
    const want = this.clients.size !== 0 || this.table.size !== 0;
    if (want === this.listening) return;
    this.listening = want;
    this.server.ks.listen(this, want);
  }

  // ---- CLIENT TRACKING ---------------------------------------------------

  /** checkPrefixCollisionsOrReply: the error text, or null. */
  prefixCollision(c: Client, prefixes: string[]): string | null {
    const own = c.tracking?.prefixes ?? null;
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      if (own !== null) {
        for (const q of [...own].sort(byteOrder)) {
          if (q.startsWith(p) || p.startsWith(q)) {
            return `ERR Prefix '${p}' overlaps with an existing prefix '${q}'. Prefixes for a single client must not overlap.`;
          }
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        const q = prefixes[j];
        if (q.startsWith(p) || p.startsWith(q)) {
          return `ERR Prefix '${p}' overlaps with another provided prefix '${q}'. Prefixes for a single client must not overlap.`;
        }
      }
    }
    return null;
  }

  /** enableTracking: options already validated. */
  enable(c: Client, o: TrackingOptions): void {
    let t = c.tracking;
    if (t === null) {
      t = { hub: this, bcast: false, optin: false, optout: false, noloop: false, caching: false, brokenRedir: false, redirect: 0, prefixes: null };
      c.tracking = t;
      this.clients.add(c);
    }
    t.brokenRedir = false;
    t.redirect = o.redirect;
    t.optin = o.optin;
    t.optout = o.optout;
    t.noloop = o.noloop;
    if (o.bcast) {
      t.bcast = true;
      if (o.prefixes.length === 0) this.addPrefix(c, t, '');
      for (const p of o.prefixes) this.addPrefix(c, t, p);
    } else {
      t.bcast = false;
    }
    this.updateInterest();
  }

  private addPrefix(c: Client, t: ClientTracking, p: string): void {
    let bs = this.prefixTable.get(p);
    if (bs === undefined) {
      this.prefixTable.set(p, (bs = { keys: new Map(), clients: new Set() }));
      this.prefixOrder = [...this.prefixTable.keys()].sort(byteOrder);
    }
    bs.clients.add(c);
    if (t.prefixes === null) t.prefixes = new Set();
    t.prefixes.add(p);
  }

  /** disableTracking: the client's remembered keys are dropped lazily, as in Redis. */
  disable(c: Client): void {
    const t = c.tracking;
    if (t !== null && t.prefixes !== null) {
      for (const p of t.prefixes) {
        const bs = this.prefixTable.get(p);
        if (bs === undefined) continue;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.prefixTable.delete(p);
      }
      this.prefixOrder = [...this.prefixTable.keys()].sort(byteOrder);
    }
    c.tracking = null;
    this.clients.delete(c);
    this.updateInterest();
  }

  // ---- around a tracking client's command (dispatch/call.ts) ---------------

  enter(c: Client): void {
    this.stack.push(this.current);
    this.current = c;
  }

  /**
   * After a command of a client that tracks (or did when it started, or does
   * now): remember the keys a read-only command read, clear CLIENT CACHING
   * once the command (or transaction) is done, and when the outermost command
   * returns, send the invalidations held for this client.
   */
  leave(c: Client, cmd: CommandSpec, argv: string[], entered: boolean): void {
    if (entered) this.current = this.stack.pop() ?? null;
    const t = c.tracking;
    const outermost = this.server.ks.propagator.depth === 0;
    if (t !== null) {
      if (!t.bcast && cmd.flags.has('readonly') && !cmd.flags.has('pubsub')) this.rememberKeys(c, t, cmd, argv);
      if (outermost && c.multi === null && cmd.parent?.name !== 'client') t.caching = false;
      if (this.table.size > this.maxKeys()) this.limitUsedSlots();
    }
    if (outermost && this.pendingForCurrent.length !== 0 && this.current === null) {
      const pending = this.pendingForCurrent;
      this.pendingForCurrent = [];
      for (const k of pending) this.send(c, k === null ? this.nullOf(c) : '*1\r\n' + bulk(k));
    }
  }

  /** trackingRememberKeys */
  private rememberKeys(c: Client, t: ClientTracking, cmd: CommandSpec, argv: string[]): void {
    if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
    const keys = keysBySpecs(cmd, argv);
    if (keys === null || keys.length === 0) return;
    for (const k of keys) {
      let ids = this.table.get(k.key);
      if (ids === undefined) this.table.set(k.key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.totalItems++;
      }
    }
    this.updateInterest();
  }

  private maxKeys(): number {
    const n = this.server.config.num('tracking-table-max-keys');
    return n === 0 ? Infinity : n;
  }

  /**
   * trackingLimitUsedSlots: over tracking-table-max-keys, keys are forgotten
   * (oldest first here, at random in Redis) and their clients told as if the
   * keys had changed. The effort grows while the table stays over the limit.
   */
  private limitUsedSlots(): void {
    const max = this.maxKeys();
    let effort = 100 * (this.limitCounter + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateKey(key, null, false);
      if (this.table.size <= max) {
        this.limitCounter = 0;
        return;
      }
    }
    this.limitCounter++;
  }

  // ---- invalidation ------------------------------------------------------

  /** signalModifiedKey → trackingInvalidateKey(c, key, bcast=1); `internal` changes (expiry, eviction) have no client. */
  touched(_db: Database, key: string, internal: boolean): void {
    this.invalidateKey(key, internal ? null : this.current, true);
  }

  private invalidateKey(key: string, by: Client | null, bcast: boolean): void {
    if (bcast && this.prefixOrder.length !== 0) this.rememberKeyToBroadcast(key, by);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const clients = this.server.clients;
    const cur = this.current;
    for (const id of ids) {
      const target = clients.get(id);
      if (target === undefined || target.closed) continue;
      const t = target.tracking;
      if (t === null || t.bcast) continue;
      if (target === cur) {
        if (t.noloop) continue;
        this.pendingForCurrent.push(key);
      } else {
        this.send(target, '*1\r\n' + bulk(key));
      }
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
    if (this.table.size === 0) this.updateInterest();
  }

  /** trackingRememberKeyToBroadcast */
  private rememberKeyToBroadcast(key: string, by: Client | null): void {
    let any = false;
    for (const p of this.prefixOrder) {
      if (p.length > key.length || !key.startsWith(p)) continue;
      this.prefixTable.get(p)!.keys.set(key, by);
      any = true;
    }
    if (any && !this.bcastScheduled) {
      this.bcastScheduled = true;
      queueMicrotask(() => this.broadcast());
    }
  }

  /** trackingBroadcastInvalidationMessages: once per task, per prefix in order. */
  private broadcast(): void {
    this.bcastScheduled = false;
    for (const p of this.prefixOrder) {
      const bs = this.prefixTable.get(p)!;
      if (bs.keys.size === 0) continue;
      const keys = [...bs.keys.keys()].sort(byteOrder);
      let proto: string | null = null;
      for (const c of bs.clients) {
        if (c.closed || c.tracking === null) continue;
        if (c.tracking.noloop) {
          const own = keys.filter((k) => bs.keys.get(k) !== c);
          if (own.length !== 0) this.send(c, BcastReply(own));
        } else {
          proto ??= BcastReply(keys);
          this.send(c, proto);
        }
      }
      bs.keys = new Map();
    }
  }

  /** signalFlushedDb → trackingInvalidateKeysOnFlush: a null invalidation to every tracking client, once per command. */
  flushed(_db: Database): void {
    const mark = this.server.stats.numCommands;
    if (mark === this.lastFlushMark) return;
    this.lastFlushMark = mark;
    for (const c of this.clients) {
      if (c.closed || c.tracking === null) continue;
      if (c === this.current) this.pendingForCurrent.push(null);
      else this.send(c, this.nullOf(c));
    }
    this.table.clear();
    this.totalItems = 0;
    this.updateInterest();
  }

  /** SWAPDB does not touch tracking in Redis 7.0. */
  swapped(): void {}

  private nullOf(c: Client): string {
    return c.reply.resp === 2 ? '$-1\r\n' : '_\r\n';
  }

  /** sendTrackingMessage: `payload` is the RESP of the message's value (array of keys, or null). */
  private send(c: Client, payload: string): void {
    let target = c;
    let redirected = false;
    const t = c.tracking;
    if (t !== null && t.redirect !== 0) {
      const r = this.server.clients.get(t.redirect);
      if (r === undefined || r.closed) {
        t.brokenRedir = true;
        if (c.reply.resp === 3) {
          c.reply.raw('>2\r\n$21\r\ntracking-redir-broken\r\n');
          c.reply.int(t.redirect);
          this.scheduleFlush(c);
        }
        return;
      }
      target = r;
      redirected = true;
    }
    if (target.reply.resp === 3) target.reply.raw('>2\r\n$10\r\ninvalidate\r\n' + payload);
    else if (redirected && target.subs !== null) target.reply.raw(RESP2_MESSAGE_HEAD + payload);
    else return;
    this.scheduleFlush(target);
  }

  /** The messages reach clients that sent nothing: written at the end of the current task. */
  private scheduleFlush(c: Client): void {
    this.toFlush.add(c);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const stats = this.server.stats;
      for (const x of this.toFlush) {
        if (x.closed || x.reply.length === 0) continue;
        stats.netOutputBytes += x.reply.length;
        x.flush();
      }
      this.toFlush.clear();
    });
  }
}

function BcastReply(keys: string[]): string {
  let s = `*${keys.length}\r\n`;
  for (const k of keys) s += bulk(k);
  return s;
}
