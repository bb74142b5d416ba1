/**
 * One connection: its socket, query parser, pending replies and the state
 * commands care about (selected db, protocol version, name, auth, flags).
 * It implements CommandContext, so a handler sees the client through that
 * interface only and never its socket.
 *
 * Output: replies accumulate in `reply` while a read event's requests are
 * processed, then `flush()` writes them in one socket write (net/direct-writer.ts).
 */
import type { ReplicaInfo } from '../replicate/master.js';
import type { Socket } from 'node:net';
import { RequestParser } from '../protocol/request-parser.js';
import { ReplyWriter } from '../protocol/reply-writer.js';
import { DirectWriter } from './direct-writer.js';
import type { CommandContext } from '../dispatch/command-spec.js';
import type { Database } from '../keyspace/database.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { Server } from '../server.js';
import type { CommandSpec } from '../dispatch/command-spec.js';
import type { BlockedState } from '../dispatch/blocking.js';
import type { ParkedState } from '../dispatch/async-reply.js';
import type { ClientSubs } from '../pubsub/pubsub.js';
import type { ClientTracking } from '../tracking/tracking.js';

export type ReplyMode = 'on' | 'off' | 'skip';

export class Client implements CommandContext {
  readonly id: number;
  readonly parser: RequestParser;
  /** Replies pending for the socket; a script swaps in a capturing writer while its redis.call runs (commands/scripting.ts). */
  reply = new ReplyWriter();
  argv: string[] = [];
  db: Database;
  name = '';
  libName = '';
  libVer = '';
  user = 'default';
  authenticated: boolean;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand: CommandSpec | null = null;
  /** The command being executed (for error texts that name it). */
  cmd: CommandSpec | null = null;
  /** Set once QUIT, a protocol error or CLIENT KILL asked to close after the pending replies. */
  closeAfterReply = false;
  closed = false;
  /** client-output-buffer-limit: when the pending output first went over the soft limit (0: under it). */
  obufSoftSince = 0;
  /** Reading stopped because the socket's output backed up (resumed once it drains). */
  readPaused = false;
  replyMode: ReplyMode = 'on';
  /** CLIENT REPLY SKIP applies to the command after it. */
  replySkipNext = false;
  monitor = false;
  /** The replication link from our master: exempt from read-only and auth checks. */
  isMaster = false;
  /** Running a command from a script's redis.call (CLIENT_SCRIPT): XREAD BLOCK refuses it. */
  inScript = false;
  noEvict = false;
  noTouch = false;
  /** MULTI state: null outside a transaction. */
  multi: { queue: Array<{ cmd: CommandSpec; argv: string[] }>; failed: boolean } | null = null;
  /** WATCHed keys, "db\0key" → db. */
  watched: Map<string, Database> | null = null;
  dirtyCas = false;
  /** Override of what call() propagates for the running command; see propagateAs. */
  propagateOverride: string[] | null | false = null;
  /** REPLCONF options a replica announced before PSYNC (replicate/master.ts). */
  replConf: { listeningPort: number; ipAddress: string; capaEof: boolean; capaPsync2: boolean } | null = null;
  /** Set once this connection is a replica of ours. */
  replicaInfo: ReplicaInfo | null = null;
  /** The replication offset right after this client's last propagated write (WAIT). */
  woff = 0;
  /**
   * forceCommandPropagation: propagate even though dirty did not move. 'all'
   * for FLUSHALL after its SAVE; 'repl' for PUBLISH, which replicas relay to
   * their subscribers but the AOF must not replay.
   */
  forcePropagation: false | 'all' | 'repl' = false;
  /** Pub/sub subscriptions (pubsub/pubsub.ts); null when none, i.e. Redis's CLIENT_PUBSUB flag is off. */
  subs: ClientSubs | null = null;
  /** CLIENT TRACKING state (tracking/tracking.ts); null while tracking is off. */
  tracking: ClientTracking | null = null;
  /** CLIENT LIST sub=, psub=, ssub=. */
  subscriptionCount(): number {
    return this.subs === null ? 0 : this.subs.channels.size;
  }
  patternCount(): number {
    return this.subs === null ? 0 : this.subs.patterns.size;
  }
  shardCount(): number {
    return this.subs === null ? 0 : this.subs.shard.size;
  }
  /** A command read while CLIENT PAUSE held this client back; it runs first when the pause ends. */
  pausedArgv: string[] | null = null;
  /** Set while parked by a blocking command (dispatch/blocking.ts); no further input is processed. */
  blocked: BlockedState | null = null;
  /** Set while parked on a command's own I/O (dispatch/async-reply.ts, MIGRATE); no further input is processed. */
  parked: ParkedState | null = null;
  /** Local connection (loopback or unix socket), for enable-debug-command local. */
  get isLocal(): boolean {
    const a = this.socket?.remoteAddress;
    if (a === undefined) return true;
    return a === '127.0.0.1' || a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
  }
  addr: string;
  /** The local address, looked up on first use (CLIENT LIST, CLIENT KILL LADDR): a getsockname per connection saved. */
  get laddr(): string {
    if (this.localAddr === null) this.localAddr = this.socket ? `${this.socket.localAddress}:${this.socket.localPort}` : '';
    return this.localAddr;
  }
  set laddr(v: string) {
    this.localAddr = v;
  }
  private localAddr: string | null = null;

  constructor(
    readonly server: Server,
    readonly socket: Socket | null,
    id: number,
  ) {
    this.id = id;
    this.ks = server.ks;
    this.db = server.ks.dbs[0];
    this.authenticated = server.authRequired() === false;
    this.parser = new RequestParser({ maxBulkLen: server.config.num('proto-max-bulk-len'), authenticated: this.authenticated });
    this.reply.onError = (msg) => server.countError(msg);
    this.writer = socket ? DirectWriter.create(socket) : null;
    this.addr = socket ? `${socket.remoteAddress}:${socket.remotePort}` : '';
  }

  readonly ks: Keyspace;
  /** Writes replies to the socket's handle; null without a socket or where Node lacks the API. */
  readonly writer: DirectWriter | null;

  /** Reply bytes written but not yet taken by the kernel (CLIENT LIST omem, output buffer limits). */
  outputBacklog(): number {
    const s = this.socket;
    if (s === null) return 0;
    return s.writableLength + (this.writer !== null ? this.writer.pending : 0);
  }

  get client(): Client {
    return this;
  }

  propagateAs(argv: string[]): void {
    this.propagateOverride = argv;
  }

  preventPropagation(): void {
    this.propagateOverride = false;
  }

  setAuthenticated(v: boolean): void {
    this.authenticated = v;
    this.parser.limits.authenticated = v;
  }

  unwatchAll(): void {
    if (this.watched === null) return;
    for (const [k, db] of this.watched) this.server.watchers.unwatch(db, k.slice(k.indexOf('\0') + 1), this);
    this.watched = null;
  }

  /** Sends pending replies; honours CLIENT REPLY OFF/SKIP by discarding. */
  flush(): void {
    if (this.reply.length === 0) return;
    // Writes reach the AOF (and with appendfsync always, the disk) before their replies leave.
    if (this.server.aof.bufferLength !== 0) this.server.aof.flushBeforeReply();
    const out = this.reply.detach();
    if (this.socket && !this.closed) {
      const w = this.writer;
      let taken: boolean;
      if (w !== null) taken = w.write(out);
      else {
        this.socket.write(out);
        taken = this.socket.writableLength === 0;
      }
      this.server.stats.totalWrites++;
      // Taken by the kernel synchronously: the buffer is free again.
      if (taken) this.reply.reuse();
      else this.checkOutputLimit(this.outputBacklog());
    }
  }

  /** Over its class's client-output-buffer-limit: closed without sending the rest, as Redis does. */
  private checkOutputLimit(waiting: number): void {
    const s = this.server;
    const cls = this.replicaInfo !== null ? 'slave' : this.subs !== null ? 'pubsub' : 'normal';
    if (this.isMaster || !s.obufLimits.active[cls] || !s.obufLimits.exceeded(cls, waiting, this, s.cachedNow)) return;
    s.log.warning(`Client id=${this.id} addr=${this.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    s.stats.clientObufLimitDisconnections++;
    this.drop();
  }

  /** Closes at once, discarding what was not sent (an output buffer over its limit). */
  drop(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket?.destroy();
    this.server.unlinkClient(this);
  }

  /** Sends what is pending, then closes (QUIT, protocol errors, CLIENT KILL). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.socket?.end();
    this.server.unlinkClient(this);
  }
}
