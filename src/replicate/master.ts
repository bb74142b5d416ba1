/**
 * The master side of replication (replication.c: syncCommand, replconfCommand,
 * replicationFeedSlaves, masterTryPartialResynchronization, replicationCron's
 * master half).
 *
 * Every effect from the propagator is encoded once (SELECT when the db
 * changes), appended to the backlog, and written to each online replica. A
 * replica that asks for PSYNC either continues from the backlog (+CONTINUE)
 * or gets +FULLRESYNC and a fork-less snapshot — diskless ($EOF:<mark>) into
 * its socket when it can read that, else through a temp file ($<len>) — and
 * meanwhile the stream after the snapshot's instant is kept for it, sent once
 * the snapshot is through (diskless: once it ACKs, as Redis waits too, since
 * a replica finds the EOF mark at the end of what it read).
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import type { Effect } from '../propagate/propagate.js';
import { Backlog } from './backlog.js';
import { encodeCommand } from '../protocol/encode-command.js';
import { CommandBuffer } from '../protocol/command-buffer.js';
import { Snapshot, runInBackground, type SnapshotSink } from '../persist/snapshot.js';
import { FileSink } from '../persist/file-sink.js';
import { SNAPSHOT_SLICE_MS } from '../persist/rdb-persistence.js';

export type ReplicaState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'wait_ack' | 'online';

export interface ReplicaInfo {
  client: Client;
  state: ReplicaState;
  listeningPort: number;
  ipAddress: string;
  capaEof: boolean;
  capaPsync2: boolean;
  ackOffset: number;
  ackTime: number;
  /** The stream since the snapshot's instant, held until the snapshot is through. */
  pending: Buffer[];
  pendingBytes: number;
  /** When it started waiting for a full sync (repl-diskless-sync-delay counts from here). */
  waitingSince: number;
  /** Came with SYNC, not PSYNC: no +FULLRESYNC line, and the payload only as $<len>. */
  prePsync: boolean;
}

/** A sink writing the same bytes to several replica sockets, waiting for the slowest. */
class ReplicaSink implements SnapshotSink {
  constructor(readonly targets: ReplicaInfo[]) {}

  private live(): ReplicaInfo[] {
    return this.targets.filter((r) => !r.client.closed && r.client.socket !== null);
  }

  write(chunk: Buffer): boolean {
    let ok = true;
    for (const r of this.live()) {
      r.client.socket!.write(chunk);
      if (r.client.socket!.writableLength > 4 * 1024 * 1024) ok = false;
    }
    return ok;
  }

  onDrain(cb: () => void): void {
    const waiting = this.live().filter((r) => r.client.socket!.writableLength > 4 * 1024 * 1024);
    if (waiting.length === 0) return cb();
    let left = waiting.length;
    const one = (): void => {
      if (--left === 0) cb();
    };
    for (const r of waiting) {
      const s = r.client.socket!;
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        one();
      };
      s.on('drain', done);
      s.on('close', done);
    }
  }
}

/** A client parked in WAIT (commands/replication.ts). */
export interface WaitingClient {
  client: Client;
  /** The replication offset its writes reached. */
  offset: number;
  needed: number;
  /** Replies the count and resumes the client. */
  finish(acked: number): void;
  /** Replies an error and closes the client once it is out (disconnectAllBlockedClients). */
  unblock(error: string): void;
}

export class ReplicationMaster {
  readonly replicas = new Map<Client, ReplicaInfo>();
  /** Clients waiting in WAIT for acknowledgements. */
  readonly waiting = new Set<WaitingClient>();
  private backlogRing: Backlog | null = null;
  /**
   * The stream encoded since the last flush, not yet in the backlog nor
   * queued for replicas: commands are encoded into bytes as they come and
   * handed on once per event-loop turn, not once per command (the offset
   * counts them at once). Everything that reads the backlog or changes a
   * replica's state goes through materialize() first, so the order of bytes is kept.
   */
  private readonly unsent = new CommandBuffer();

  /** The backlog, holding every byte fed so far. */
  get backlog(): Backlog | null {
    if (this.unsent.length !== 0) this.materialize();
    return this.backlogRing;
  }

  set backlog(b: Backlog | null) {
    if (this.unsent.length !== 0) this.materialize();
    this.backlogRing = b;
  }
  private selectedDb = -1;
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  private syncRunning = false;
  private lastPing = 0;
  /** When the last replica went away (repl-backlog-ttl counts from here). */
  private noReplicasSince = 0;
  /** Set while the replica side applies its master's stream: that stream is proxied raw instead. */
  proxying = false;
  /** Called with every replica ACK (WAIT wakes on these). */
  onAck: (() => void) | null = null;

  /** Subscribed to the effect stream only once there is a backlog: until then writes pay nothing. */
  private subscribed = false;

  constructor(private readonly server: Server) {
    server.config.watch('repl-backlog-size', (v) => this.backlog?.resize(Number(v)));
  }

  get log() {
    return this.server.log;
  }

  /** createReplicationBacklog */
  private ensureBacklog(): Backlog {
    if (this.backlogRing === null) {
      this.backlogRing = new Backlog(this.server.config.num('repl-backlog-size'), this.server.replOffset);
    }
    this.subscribe();
    return this.backlogRing;
  }

  private subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    this.server.propagator.subscribe((fx) => this.feed(fx));
  }

  // ---- the stream --------------------------------------------------------

  /** replicationFeedSlaves for the effects of one command (or one MULTI/EXEC block). */
  feed(effects: readonly Effect[]): void {
    if (this.proxying || (this.backlogRing === null && this.replicas.size === 0)) return;
    // A replica's stream is its master's, proxied: its own writes (a client's
    // PUBLISH, a writable replica) stay local, as Redis's replicationFeedSlaves.
    if (this.server.ks.isReplica) return;
    if (effects.length === 0) return;
    // The backlog starts at the offset before these bytes.
    if (this.backlogRing === null) this.ensureBacklog();
    let n = 0;
    for (const e of effects) {
      if (e.db !== this.selectedDb) {
        n += this.unsent.command(['SELECT', String(e.db)]);
        this.selectedDb = e.db;
      }
      n += this.unsent.command(e.argv);
    }
    this.server.replOffset += n;
    this.scheduleFlush();
  }

  /** The unsent bytes go to the backlog and the replicas' queues. */
  private materialize(): void {
    this.append(this.unsent.take());
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushBatch());
  }

  /** The stream since the last flush, for the online replicas: written once per event-loop turn. */
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private flushScheduled = false;

  /** Appends bytes to the stream: backlog, offset, replicas. */
  feedRaw(data: Buffer): void {
    if (data.length === 0) return;
    if (this.unsent.length !== 0) this.materialize();
    this.append(data);
  }

  private append(data: Buffer): void {
    const b = this.ensureBacklog();
    b.append(data);
    this.server.replOffset = b.end;
    const limits = this.server.obufLimits;
    let online = false;
    for (const r of this.replicas.values()) {
      if (r.state === 'online') online = true;
      else if (r.state !== 'wait_bgsave_start') {
        r.pending.push(data);
        r.pendingBytes += data.length;
        if (limits.active.slave && limits.exceeded('slave', r.pendingBytes, r.client, this.server.cachedNow)) this.dropForBufferLimit(r);
      }
    }
    if (!online) return;
    // One write per replica per turn of the loop, however many commands (handleClientsWithPendingWrites).
    this.batch.push(data);
    this.batchBytes += data.length;
    this.scheduleFlush();
  }

  /**
   * Writes the batched stream to the replicas online now. Called before any
   * replica's state changes (putOnline, +CONTINUE), so none gets bytes twice.
   */
  flushBatch(): void {
    this.flushScheduled = false;
    if (this.unsent.length !== 0) this.materialize();
    if (this.batchBytes === 0) return;
    const data = this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
    const limits = this.server.obufLimits;
    for (const r of this.replicas.values()) {
      if (r.state !== 'online') continue;
      const sock = r.client.socket;
      if (sock === null || r.client.closed) continue;
      sock.write(data);
      if (limits.active.slave && limits.exceeded('slave', sock.writableLength, r.client, this.server.cachedNow)) this.dropForBufferLimit(r);
    }
  }

  private dropForBufferLimit(r: ReplicaInfo): void {
    this.log.warning(`Client id=${r.client.id} addr=${r.client.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    this.server.stats.clientObufLimitDisconnections++;
    r.client.drop();
  }

  // ---- commands ----------------------------------------------------------

  /** REPLCONF option value ... : null when handled without a reply (ACK), else the reply error or 'OK'. */
  replconf(c: Client, argv: string[]): string | null {
    if ((argv.length - 1) % 2 !== 0) return 'ERR syntax error';
    let info = this.replicas.get(c);
    const pre = c.replConf ??= { listeningPort: 0, ipAddress: '', capaEof: false, capaPsync2: false };
    for (let j = 1; j < argv.length; j += 2) {
      const opt = argv[j].toLowerCase();
      const val = argv[j + 1];
      if (opt === 'listening-port') {
        const p = Number(val);
        if (!Number.isInteger(p)) return 'ERR value is not an integer or out of range';
        pre.listeningPort = p;
      } else if (opt === 'ip-address') {
        pre.ipAddress = val;
      } else if (opt === 'capa') {
        if (val.toLowerCase() === 'eof') pre.capaEof = true;
        else if (val.toLowerCase() === 'psync2') pre.capaPsync2 = true;
      } else if (opt === 'ack' || opt === 'fack') {
        // Only a replica talks like this, and it gets no reply.
        if (info === undefined) return null;
        if (opt === 'ack') {
          const off = Number(val);
          if (Number.isFinite(off) && off > info.ackOffset) info.ackOffset = off;
          info.ackTime = Date.now();
          if (info.state === 'wait_ack') this.putOnline(info);
          this.onAck?.();
        }
        return null;
      } else if (opt === 'getack') {
        // Sent by a master to its replica: answered by the replica side.
        return 'GETACK';
      } else if (opt === 'rdb-only' || opt === 'rdb-filter-only') {
        // Accepted; Reddish always sends the whole dataset.
      } else {
        return `ERR Unrecognized REPLCONF option: ${argv[j]}`;
      }
    }
    if (info !== undefined) {
      info.listeningPort = pre.listeningPort;
      info.ipAddress = pre.ipAddress;
    }
    return 'OK';
  }

  /** PSYNC replid offset / SYNC (replid null). Writes the reply itself. */
  psync(c: Client, replid: string | null, offsetText: string | null, failover = false): void {
    const s = this.server;
    if (this.replicas.has(c)) return; // a replica repeating PSYNC is ignored, as Redis does
    // PSYNC ... FAILOVER: our master hands over to us (FAILOVER on its side).
    if (failover) {
      if (replid !== s.replId) {
        c.reply.error('ERR PSYNC FAILOVER replid must match my replid.');
        return;
      }
      s.replicaSide.unsetMaster();
      s.config.storeQuiet(s.config.directive('replicaof')!, '');
      this.log.notice(`MASTER MODE enabled (failover request from 'id=${c.id} addr=${c.addr}')`);
    }
    if (s.failover.state !== 'no-failover') {
      c.reply.error("NOMASTERLINK Can't SYNC while failing over");
      return;
    }
    if (s.ks.isReplica && !s.replicaSide.connected()) {
      c.reply.error('NOMASTERLINK Can\'t SYNC while not connected with my master');
      return;
    }
    const pre = c.replConf ?? { listeningPort: 0, ipAddress: '', capaEof: false, capaPsync2: false };
    const info: ReplicaInfo = {
      client: c, state: 'wait_bgsave_start', listeningPort: pre.listeningPort, ipAddress: pre.ipAddress,
      capaEof: pre.capaEof, capaPsync2: pre.capaPsync2, ackOffset: 0, ackTime: Date.now(), pending: [], pendingBytes: 0,
      waitingSince: Date.now(), prePsync: replid === null,
    };
    if (info.prePsync) info.capaEof = false;
    c.replicaInfo = info;
    if (replid !== null && this.tryPartial(info, replid, offsetText ?? '-1')) return;
    if (replid !== null) {
      if (replid !== '?') this.syncPartialErr++;
    }
    // First replica and no backlog: a new history starts (changeReplicationId + clearReplicationId2).
    if (this.backlog === null && this.replicas.size === 0 && !s.ks.isReplica) {
      s.replId = randomBytes(20).toString('hex');
      s.replId2 = '0'.repeat(40);
      s.secondReplOffset = -1;
    }
    this.replicas.set(c, info);
    this.ensureBacklog();
    this.syncFull++;
    this.log.notice(`Replica ${this.replicaName(info)} asks for synchronization`);
    if (!this.syncRunning && s.snapshotSlotFree() &&
        !(s.config.bool('repl-diskless-sync') && info.capaEof && s.config.num('repl-diskless-sync-delay') > 0)) {
      this.startFullSync();
    }
    // Otherwise replicationCron starts it (diskless delay, or another snapshot running).
  }

  /** masterTryPartialResynchronization */
  private tryPartial(info: ReplicaInfo, replid: string, offsetText: string): boolean {
    const s = this.server;
    const wanted = Number(offsetText);
    const b = this.backlog;
    const sameHistory = replid === s.replId || (replid === s.replId2 && wanted <= s.secondReplOffset);
    if (!sameHistory || b === null || !Number.isInteger(wanted) || !b.covers(wanted)) {
      if (replid !== '?') {
        if (!sameHistory) {
          this.log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${s.replId}' and '${s.replId2}')`);
        } else {
          this.log.notice(`Unable to partial resync with replica ${this.replicaName(info)} for lack of backlog (Replica request was: ${wanted}).`);
        }
      }
      return false;
    }
    const c = info.client;
    this.flushBatch(); // the backlog below already holds the batched bytes
    info.state = 'online';
    info.ackTime = Date.now();
    this.replicas.set(c, info);
    c.reply.raw(info.capaPsync2 ? `+CONTINUE ${s.replId}\r\n` : '+CONTINUE\r\n');
    c.flush();
    const data = b.since(wanted - 1);
    if (data.length > 0) c.socket?.write(data);
    this.syncPartialOk++;
    this.log.notice(`Partial resynchronization request from ${this.replicaName(info)} accepted. Sending ${data.length} bytes of backlog starting from offset ${wanted}.`);
    return true;
  }

  private replicaName(r: ReplicaInfo): string {
    const ip = r.ipAddress || (r.client.addr.slice(0, r.client.addr.lastIndexOf(':')) || '?');
    return `${ip}:${r.listeningPort}`;
  }

  /** The replica's address as INFO and ROLE show it. */
  replicaIp(r: ReplicaInfo): string {
    if (r.ipAddress) return r.ipAddress;
    const a = r.client.addr;
    const ip = a.slice(0, a.lastIndexOf(':'));
    return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  }

  // ---- full sync ---------------------------------------------------------

  /** startBgsaveForReplication: one snapshot for every replica waiting for one. */
  private startFullSync(): void {
    const s = this.server;
    const waiting = [...this.replicas.values()].filter((r) => r.state === 'wait_bgsave_start' && !r.client.closed);
    if (waiting.length === 0) return;
    // What was fed before the snapshot's instant is in it: not for these replicas' queues.
    if (this.unsent.length !== 0) this.materialize();
    const diskless = s.config.bool('repl-diskless-sync') && waiting.every((r) => r.capaEof);
    const targets = waiting;
    const offset = s.replOffset;
    for (const r of targets) {
      r.state = 'wait_bgsave_end';
      r.pending = [];
      r.pendingBytes = 0;
      const c = r.client;
      if (!r.prePsync) c.reply.raw(`+FULLRESYNC ${s.replId} ${offset}\r\n`);
      c.flush();
    }
    // The stream after the snapshot starts with a SELECT.
    this.selectedDb = -1;
    this.syncRunning = true;
    this.log.notice(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
    if (diskless) this.disklessSync(targets);
    else this.diskSync(targets);
  }

  private disklessSync(targets: ReplicaInfo[]): void {
    const s = this.server;
    const mark = randomBytes(20).toString('hex');
    const sink = new ReplicaSink(targets);
    sink.write(Buffer.from(`$EOF:${mark}\r\n`, 'latin1'));
    for (const r of targets) r.state = 'send_bulk';
    const snap = new Snapshot(s.ks, s.rdb.snapshotOptions(), sink);
    runInBackground(snap, sink, SNAPSHOT_SLICE_MS, (err) => {
      this.syncRunning = false;
      if (err !== null) {
        this.log.warning(`Diskless rdb transfer failed: ${err.message}`);
        for (const r of targets) r.client.close();
        return;
      }
      sink.write(Buffer.from(mark, 'latin1'));
      this.log.notice('Diskless rdb transfer, done reading from pipe, 1 replicas still up.');
      for (const r of targets) {
        if (r.client.closed) continue;
        // Online on the first ACK: the replica must find the mark at the end of what it read.
        r.state = 'wait_ack';
        this.log.notice(`Streamed RDB transfer with replica ${this.replicaName(r)} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`);
      }
    });
  }

  private diskSync(targets: ReplicaInfo[]): void {
    const s = this.server;
    const file = `temp-${process.pid}-repl.rdb`;
    let fileSink: FileSink;
    try {
      fileSink = new FileSink(file + '.part');
    } catch (e) {
      this.syncRunning = false;
      this.log.warning(`Can't save in background for replication: ${(e as Error).message}`);
      for (const r of targets) r.client.close();
      return;
    }
    const snap = new Snapshot(s.ks, s.rdb.snapshotOptions(), fileSink);
    runInBackground(snap, fileSink, SNAPSHOT_SLICE_MS, (err) => {
      const fail = (e: Error): void => {
        this.syncRunning = false;
        this.log.warning(`Background save for replication failed: ${e.message}`);
        for (const r of targets) r.client.close();
      };
      if (err !== null) {
        fileSink.abort();
        return fail(err);
      }
      fileSink.finish(file, (ferr) => {
        if (ferr !== null) return fail(ferr);
        this.syncRunning = false;
        this.log.notice('Background RDB transfer terminated with success');
        const size = fs.statSync(file).size;
        const body = fs.readFileSync(file);
        fs.unlink(file, () => {});
        for (const r of targets) {
          const sock = r.client.socket;
          if (r.client.closed || sock === null) continue;
          r.state = 'send_bulk';
          sock.write(`$${size}\r\n`);
          sock.write(body);
          this.log.notice(`Synchronization with replica ${this.replicaName(r)} succeeded`);
          this.putOnline(r);
        }
      });
    });
  }

  /** putSlaveOnline: the held stream goes out, then the live one. */
  private putOnline(r: ReplicaInfo): void {
    this.flushBatch();
    r.state = 'online';
    r.ackTime = Date.now();
    const sock = r.client.socket;
    if (sock !== null && !r.client.closed) for (const b of r.pending) sock.write(b);
    r.pending = [];
    r.pendingBytes = 0;
  }

  /** freeClient for a replica connection. */
  disconnected(c: Client): void {
    const r = this.replicas.get(c);
    if (r === undefined) return;
    this.replicas.delete(c);
    this.log.notice(`Connection with replica ${this.replicaName(r)} lost.`);
  }

  // ---- cron --------------------------------------------------------------

  /** replicationCron's master half, once a second. */
  cron(): void {
    const s = this.server;
    const now = Date.now();
    // repl-backlog-ttl: a master without replicas for that long frees its backlog (and so its
    // history: the next replica gets a full sync under a new replid). Replicas keep theirs.
    if (this.replicas.size > 0) this.noReplicasSince = 0;
    else if (this.backlog !== null && !s.ks.isReplica) {
      if (this.noReplicasSince === 0) this.noReplicasSince = now;
      const ttl = s.config.num('repl-backlog-ttl') * 1000;
      if (ttl > 0 && now - this.noReplicasSince >= ttl) {
        this.log.notice(`Replication backlog freed after ${ttl / 1000} seconds without connected replicas.`);
        this.backlog = null;
        this.noReplicasSince = 0;
      }
    }
    const period = s.config.num('repl-ping-replica-period') * 1000;
    // No PING while writes are paused: a FAILOVER waits for replicas to reach a still offset.
    if (this.replicas.size > 0 && now - this.lastPing >= period && !s.ks.isReplica && s.pauseType === 0) {
      this.lastPing = now;
      this.feedRaw(Buffer.from(encodeCommand(['PING']), 'latin1'));
    }
    const timeout = s.config.num('repl-timeout') * 1000;
    for (const r of this.replicas.values()) {
      if (r.state === 'wait_bgsave_start' && r.client.socket !== null) r.client.socket.write('\n');
      if (r.state === 'online' && now - r.ackTime > timeout) {
        this.log.warning(`Disconnecting timedout replica (streaming sync): ${this.replicaName(r)}`);
        r.client.close();
      }
    }
    if (!this.syncRunning && s.snapshotSlotFree()) {
      const waiting = [...this.replicas.values()].filter((r) => r.state === 'wait_bgsave_start');
      if (waiting.length > 0) {
        const delay = s.config.num('repl-diskless-sync-delay') * 1000;
        const max = s.config.num('repl-diskless-sync-max-replicas');
        const oldest = Math.min(...waiting.map((r) => r.waitingSince));
        if (!s.config.bool('repl-diskless-sync') || now - oldest >= delay || (max > 0 && waiting.length >= max)) this.startFullSync();
      }
    }
  }

  /** Replicas whose last ACK is within min-replicas-max-lag (refreshReplicationInfo's good_slaves). */
  goodReplicas(): number {
    const maxLag = this.server.config.num('min-replicas-max-lag') * 1000;
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && now - r.ackTime <= maxLag) n++;
    return n;
  }

  /** WAIT: replicas that acknowledged at least `offset`. */
  ackedAtLeast(offset: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** Asks every replica for an ACK now (WAIT). */
  requestAcks(): void {
    if (this.replicas.size === 0) return;
    this.feedRaw(Buffer.from(encodeCommand(['REPLCONF', 'GETACK', '*']), 'latin1'));
  }

  /** A replica's backlog starts at its master's offset (after a full sync or a +CONTINUE). */
  ensureBacklogAt(offset: number): void {
    if (this.backlog === null || this.backlog.end !== offset) {
      this.backlog = new Backlog(this.server.config.num('repl-backlog-size'), offset);
    }
    this.subscribe();
    this.server.replOffset = offset;
  }

  /** Forget everything about the history (a replica that becomes master of no one keeps it). */
  dropBacklog(): void {
    this.backlog = null;
  }

  /** Every replica is disconnected (a master turning into a replica, as Redis does). */
  disconnectAll(): void {
    for (const r of [...this.replicas.values()]) r.client.close();
  }
}
