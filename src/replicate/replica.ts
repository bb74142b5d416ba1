/**
 * The replica side of replication (replication.c: connectWithMaster,
 * syncWithMaster, readSyncBulkPayload, replicationCron's replica half), as an
 * explicit state machine:
 *
 *   none ─REPLICAOF→ connect ─cron→ connecting ─connected→ handshake
 *   handshake: PING → [AUTH] → REPLCONF listening-port → [REPLCONF ip-address]
 *              → REPLCONF capa eof capa psync2 → PSYNC replid offset
 *   +CONTINUE → connected (the stream continues from our offset)
 *   +FULLRESYNC → transfer ($len or $EOF:<mark> payload) → load → connected
 *   any failure or a lost link → connect (cron retries once a second)
 *
 * In `connected`, the master's stream is parsed and run by a client flagged
 * as the master (its replies are dropped), and the same bytes are appended
 * to our own backlog and proxied to our replicas, so offsets match along a
 * chain. Our offset is replied to REPLCONF GETACK and sent every second as
 * REPLCONF ACK.
 */
import { ERR } from '../protocol/errors.js';
import net from 'node:net';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Server } from '../server.js';
import { Client } from '../net/client.js';
import { processCommand } from '../dispatch/process-command.js';
import { encodeCommand } from '../protocol/encode-command.js';
import type { DbBackup } from '../keyspace/keyspace.js';

export type LinkState = 'none' | 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

interface Transfer {
  /** Payload size, or -1 with an EOF mark. */
  size: number;
  mark: string;
  chunks: Buffer[];
  read: number;
  replid: string;
  offset: number;
  lastIo: number;
}

export class ReplicaSide {
  host = '';
  port = 0;
  state: LinkState = 'none';
  private socket: net.Socket | null = null;
  private inbuf: Buffer = Buffer.alloc(0);
  /** Handshake: the replies still expected, in order, with what to do on each. */
  private expect: Array<(line: string) => boolean> = [];
  private transfer: Transfer | null = null;
  master: Client | null = null;
  lastIo = 0;
  linkDownSince = 0;
  /** slave_read_repl_offset: bytes of the stream received (applied ones are server.replOffset). */
  readOffset = 0;
  private lastAck = 0;
  /** A master we synced with before: PSYNC offers its replid and our offset. */
  private hasHistory = false;

  constructor(private readonly server: Server) {}

  private get log() {
    return this.server.log;
  }

  connected(): boolean {
    return this.state === 'connected';
  }

  /** The ROLE / INFO name of the state. */
  roleState(): string {
    switch (this.state) {
      case 'connect':
        return 'connect';
      case 'connecting':
        return 'connecting';
      case 'handshake':
        return 'handshake';
      case 'transfer':
        return 'sync';
      case 'connected':
        return 'connected';
      default:
        return 'none';
    }
  }

  syncInProgress(): Transfer | null {
    return this.transfer;
  }

  // ---- REPLICAOF ---------------------------------------------------------

  /** replicationSetMaster */
  setMaster(host: string, port: number): void {
    const s = this.server;
    const wasMaster = !s.ks.isReplica;
    this.dropLink();
    s.ks.isReplica = true;
    this.host = host;
    this.port = port;
    // Our replicas must learn the change; they can hopefully continue partially.
    s.master.disconnectAll();
    // Clients blocked on keys of what was a master wait for writes that will not come here.
    s.blocking.disconnectAll();
    for (const w of [...s.master.waiting]) w.unblock(ERR.unblockedRoleChange);
    // replicationCacheMasterUsingMyself: our own history is what we offer the new master.
    if (wasMaster) this.hasHistory = s.master.backlog !== null || s.replOffset > 0;
    this.state = 'connect';
    this.linkDownSince = Date.now();
    this.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.connect();
  }

  /** replicationUnsetMaster (REPLICAOF NO ONE): keeps the history as replid2 so others can continue. */
  unsetMaster(): void {
    const s = this.server;
    if (!s.ks.isReplica) return;
    this.dropLink();
    this.host = '';
    this.port = 0;
    this.state = 'none';
    // shiftReplicationId
    s.replId2 = s.replId;
    s.secondReplOffset = s.replOffset + 1;
    s.replId = randomBytes(20).toString('hex');
    this.log.notice(`Setting secondary replication ID to ${s.replId2}, valid up to offset: ${s.secondReplOffset}. New replication ID is ${s.replId}`);
    s.master.disconnectAll();
    s.ks.isReplica = false;
    this.hasHistory = false;
  }

  // ---- the link ----------------------------------------------------------

  private connect(): void {
    if (this.state !== 'connect') return;
    this.state = 'connecting';
    this.lastIo = Date.now();
    this.log.notice('MASTER <-> REPLICA sync started');
    const sock = net.connect({ host: this.host, port: this.port });
    sock.setNoDelay(true);
    this.socket = sock;
    this.inbuf = Buffer.alloc(0);
    sock.on('connect', () => {
      if (this.socket !== sock) return;
      this.log.notice('Non blocking connect for SYNC fired the event.');
      this.lastIo = Date.now();
      this.startHandshake();
    });
    sock.on('data', (d: Buffer) => {
      if (this.socket !== sock) return;
      this.lastIo = Date.now();
      this.onData(d);
    });
    const lost = (why: string): void => {
      if (this.socket !== sock) return;
      this.linkLost(why);
    };
    sock.on('error', (e) => lost(e.message));
    sock.on('close', () => lost('connection closed'));
  }

  private send(argv: string[]): void {
    this.socket?.write(encodeCommand(argv), 'latin1');
  }

  private startHandshake(): void {
    const s = this.server;
    this.state = 'handshake';
    this.send(['PING']);
    this.expect = [];
    this.expect.push((line) => {
      // NOAUTH / NOPERM mean the master is there and wants a password: go on.
      if (line.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
        this.fail(`Error reply to PING from master: '${line.slice(1)}'`);
        return false;
      }
      this.log.notice('Master replied to PING, replication can continue...');
      return true;
    });
    const auth = s.config.get('masterauth');
    if (auth !== '') {
      const user = s.config.get('masteruser');
      this.send(user !== '' ? ['AUTH', user, auth] : ['AUTH', auth]);
      this.expect.push((line) => {
        if (line.startsWith('-')) {
          this.fail(`Unable to AUTH to MASTER: ${line.slice(1)}`);
          return false;
        }
        return true;
      });
    }
    const announcePort = s.config.num('replica-announce-port') || s.boundPort();
    this.send(['REPLCONF', 'listening-port', String(announcePort)]);
    this.expect.push((line) => {
      if (line.startsWith('-')) this.log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line.slice(1)}`);
      return true;
    });
    const ip = s.config.get('replica-announce-ip');
    if (ip !== '') {
      this.send(['REPLCONF', 'ip-address', ip]);
      this.expect.push((line) => {
        if (line.startsWith('-')) this.log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line.slice(1)}`);
        return true;
      });
    }
    this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    this.expect.push((line) => {
      if (line.startsWith('-')) this.log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line.slice(1)}`);
      // PSYNC only once every earlier reply is read: a master refuses it with replies pending.
      this.sendPsync();
      return true;
    });
  }

  private sendPsync(): void {
    const s = this.server;
    const psyncId = this.hasHistory ? s.replId : '?';
    const psyncOffset = this.hasHistory ? String(s.replOffset + 1) : '-1';
    if (this.hasHistory) this.log.notice(`Trying a partial resynchronization (request ${psyncId}:${psyncOffset}).`);
    else this.log.notice('Partial resynchronization not possible (no cached master)');
    // An old master handing over (FAILOVER) tells the target to take the role.
    if (s.failover.state === 'failover-in-progress') this.send(['PSYNC', psyncId, psyncOffset, 'FAILOVER']);
    else this.send(['PSYNC', psyncId, psyncOffset]);
    this.expect.push((line) => this.onPsyncReply(line));
  }

  private onPsyncReply(line: string): boolean {
    const s = this.server;
    if (s.failover.state === 'failover-in-progress') {
      if (line.startsWith('+FULLRESYNC') || line.startsWith('+CONTINUE')) s.failover.clear();
      else {
        s.failover.abort('Failover target rejected psync request');
        return false;
      }
    }
    if (line.startsWith('+FULLRESYNC')) {
      const [, replid, offset] = line.split(' ');
      this.log.notice(`Full resync from master: ${replid}:${offset}`);
      this.transfer = { size: -2, mark: '', chunks: [], read: 0, replid, offset: Number(offset), lastIo: Date.now() };
      this.state = 'transfer';
      return true;
    }
    if (line.startsWith('+CONTINUE')) {
      const newId = line.split(' ')[1];
      if (newId !== undefined && newId !== s.replId) {
        s.replId2 = s.replId;
        s.secondReplOffset = s.replOffset + 1;
        s.replId = newId;
        this.log.notice(`Master replication ID changed to ${newId}`);
        // Our replicas must follow the new id too.
        s.master.disconnectAll();
      }
      this.log.notice('Successful partial resynchronization with master.');
      this.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      s.master.ensureBacklogAt(s.replOffset);
      this.becomeConnected();
      return true;
    }
    this.fail(`Unexpected reply to PSYNC from master: ${line}`);
    return false;
  }

  private onData(d: Buffer): void {
    if (this.state === 'connected') return this.streamData(d);
    this.inbuf = this.inbuf.length === 0 ? d : Buffer.concat([this.inbuf, d]);
    while (this.state === 'handshake' && this.expect.length > 0) {
      const nl = this.inbuf.indexOf(10);
      if (nl < 0) return;
      const line = this.inbuf.toString('latin1', 0, nl).replace(/\r$/, '');
      this.inbuf = this.inbuf.subarray(nl + 1);
      if (line === '') continue; // a master's keepalive newline while it prepares
      const handler = this.expect.shift()!;
      if (!handler(line)) return;
    }
    if (this.state === 'transfer') this.transferData();
    else if ((this.state as LinkState) === 'connected' && this.inbuf.length > 0) {
      const rest = this.inbuf;
      this.inbuf = Buffer.alloc(0);
      this.streamData(rest);
    }
  }

  /** readSyncBulkPayload */
  private transferData(): void {
    const t = this.transfer!;
    t.lastIo = Date.now();
    if (t.size === -2) {
      for (;;) {
        const nl = this.inbuf.indexOf(10);
        if (nl < 0) return;
        const line = this.inbuf.toString('latin1', 0, nl).replace(/\r$/, '');
        this.inbuf = this.inbuf.subarray(nl + 1);
        if (line === '') continue;
        if (line[0] === '-') return this.fail(`MASTER aborted replication with an error: ${line.slice(1)}`);
        if (line[0] !== '$') return this.fail(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
        if (line.startsWith('$EOF:')) {
          t.mark = line.slice(5);
          t.size = -1;
          this.log.notice(`MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${this.disklessLoad() ? 'to parser' : 'to disk'}`);
        } else {
          t.size = Number(line.slice(1));
          this.log.notice(`MASTER <-> REPLICA sync: receiving ${t.size} bytes from master ${this.disklessLoad() ? 'to parser' : 'to disk'}`);
        }
        break;
      }
    }
    if (this.inbuf.length > 0) {
      t.chunks.push(this.inbuf);
      t.read += this.inbuf.length;
      this.inbuf = Buffer.alloc(0);
    }
    let payload: Buffer | null = null;
    let rest: Buffer = Buffer.alloc(0);
    if (t.size >= 0) {
      if (t.read < t.size) return;
      const all = Buffer.concat(t.chunks);
      payload = all.subarray(0, t.size);
      rest = all.subarray(t.size);
    } else {
      const markLen = t.mark.length;
      if (t.read < markLen) return;
      const last = t.chunks[t.chunks.length - 1];
      const tail = last.length >= markLen ? last.subarray(last.length - markLen) : Buffer.concat(t.chunks).subarray(t.read - markLen);
      if (tail.toString('latin1') !== t.mark) return;
      payload = Buffer.concat(t.chunks).subarray(0, t.read - markLen);
    }
    this.loadPayload(payload, t);
    if (rest.length > 0 && this.state === 'connected') this.streamData(rest);
  }

  /**
   * useDisklessLoad: `swapdb` always parses from memory, `on-empty-db` only
   * when there is nothing to lose; `disabled` keeps the master's snapshot on
   * disk as dbfilename, as Redis does, so a restart has it.
   */
  private disklessLoad(): boolean {
    const mode = this.server.config.get('repl-diskless-load');
    return mode === 'swapdb' || (mode === 'on-empty-db' && this.server.ks.totalKeys() === 0);
  }

  /** The received snapshot in a temp file of the working dir (fsynced); undefined when it could not be written. */
  private writeSyncFile(payload: Buffer): string | undefined {
    const temp = `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`;
    try {
      const fd = fs.openSync(temp, 'w', 0o644);
      try {
        let off = 0;
        while (off < payload.length) off += fs.writeSync(fd, payload, off, payload.length - off);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return temp;
    } catch (e) {
      this.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${(e as Error).message}`);
      rmQuiet(temp);
      return undefined;
    }
  }

  private loadPayload(payload: Buffer, t: Transfer): void {
    const s = this.server;
    const diskless = this.disklessLoad();
    const swap = diskless && s.config.get('repl-diskless-load') === 'swapdb';
    // The file is written first but put in place only once it loaded: a bad
    // payload must not replace a good dump.rdb (Redis renames before loading).
    const temp = diskless ? null : this.writeSyncFile(payload);
    if (temp === undefined) return this.fail('Failed trying to write the MASTER synchronization DB to disk');
    let backup: DbBackup | null = null;
    if (swap) {
      // disklessLoadInitTempDb: the old data stays aside until the new data loaded.
      backup = s.ks.setAsideAll();
    } else {
      this.log.notice('MASTER <-> REPLICA sync: Flushing old data');
      for (const db of s.ks.dbs) {
        s.watchers.touchDb(db);
        s.ks.flushDb(db);
      }
    }
    this.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    s.propagator.suspended = true;
    try {
      s.rdb.loadBuffer(payload, { skipExpired: false });
    } catch (e) {
      s.propagator.suspended = false;
      this.transfer = null;
      if (temp !== null) rmQuiet(temp);
      if (backup !== null) {
        for (const db of s.ks.dbs) s.ks.flushDb(db);
        s.ks.restoreAll(backup);
        this.log.notice('MASTER <-> REPLICA sync: Discarding the half-loaded data');
        this.log.notice('MASTER <-> REPLICA sync: Restoring the backup');
      }
      return this.fail(`Failed trying to load the MASTER synchronization DB from ${diskless ? 'socket' : 'disk'}: ${(e as Error).message}`);
    } finally {
      s.propagator.suspended = false;
    }
    if (backup !== null) {
      for (const db of s.ks.dbs) s.watchers.touchDb(db);
      this.log.notice('MASTER <-> REPLICA sync: Discarding the old data');
    }
    if (temp !== null) {
      try {
        fs.renameSync(temp, s.rdb.filePath());
      } catch (e) {
        this.log.warning(`Failed trying to rename the temp DB into ${s.rdb.filePath()} in MASTER <-> REPLICA synchronization: ${(e as Error).message}`);
        rmQuiet(temp);
      }
      // rdb-del-sync-files: a replica without persistence keeps no copy on disk.
      if (s.config.bool('rdb-del-sync-files') && s.config.get('save') === '' && !s.config.bool('appendonly')) rmQuiet(s.rdb.filePath());
    }
    s.ks.dirty = 0;
    s.replId = t.replid;
    s.replOffset = t.offset;
    s.replId2 = '0'.repeat(40);
    s.secondReplOffset = -1;
    // A fresh history: our backlog restarts at the master's offset, our replicas resync.
    s.master.dropBacklog();
    s.master.ensureBacklogAt(t.offset);
    s.master.disconnectAll();
    this.transfer = null;
    this.hasHistory = true;
    this.log.notice('MASTER <-> REPLICA sync: Finished with success');
    // The AOF must describe the new dataset: rewrite it (restartAOFAfterSYNC).
    if (s.aof.enabled) s.aof.startRewrite();
    this.becomeConnected();
    this.sendAck();
  }

  private becomeConnected(): void {
    const s = this.server;
    this.state = 'connected';
    this.linkDownSince = 0;
    // The master link as a client of ours (CLIENT LIST flags=M, CLIENT KILL TYPE master);
    // it has no socket of its own: replies are dropped, the link is ours.
    const m = new Client(s, null, s.allocClientId());
    m.isMaster = true;
    m.authenticated = true;
    const sock = this.socket;
    if (sock !== null) {
      m.addr = `${sock.remoteAddress}:${sock.remotePort}`;
      m.laddr = `${sock.localAddress}:${sock.localPort}`;
    }
    s.clients.set(m.id, m);
    this.master = m;
    this.readOffset = s.replOffset;
    this.fed = 0;
    this.appliedPos = 0;
    this.raw = Buffer.alloc(0);
  }

  /** Stream bytes received from the master and given to its client's parser. */
  private fed = 0;
  /** Stream position (in `fed` terms) just after the last command applied. */
  private appliedPos = 0;
  /** The received bytes from appliedPos on: what is proxied once applied. */
  private raw: Buffer = Buffer.alloc(0);

  /**
   * The live stream: run each command as the master, then append the very
   * bytes received (not a re-encoding) to our backlog and sub-replicas, so
   * the offset advances by what was applied, as Redis's reploff does.
   */
  private streamData(d: Buffer): void {
    const m = this.master;
    if (m === null) return;
    const s = this.server;
    this.readOffset += d.length;
    this.raw = this.raw.length === 0 ? d : Buffer.concat([this.raw, d]);
    m.parser.feed(d);
    this.fed += d.length;
    let done = 0;
    for (;;) {
      let argv: string[] | null;
      try {
        argv = m.parser.next();
      } catch (e) {
        return this.fail(`Protocol error from master: ${(e as Error).message}`);
      }
      if (argv === null) break;
      const end = this.fed - m.parser.pending;
      const len = end - this.appliedPos;
      this.appliedPos = end;
      // Lengths first: lower-casing every command's name would allocate a string per command.
      if (argv.length >= 2 && argv[0].length === 8 && argv[0].toLowerCase() === 'replconf' && argv[1].toLowerCase() === 'getack') {
        // Our offset before this GETACK, as Redis replies from inside the command.
        if (done > 0) {
          s.master.feedRaw(this.raw.subarray(0, done));
          this.raw = this.raw.subarray(done);
          done = 0;
        }
        this.sendAck();
        done += len;
        continue;
      }
      this.applyMasterCommand(m, argv);
      done += len;
    }
    if (done > 0) {
      s.master.feedRaw(this.raw.subarray(0, done));
      this.raw = this.raw.subarray(done);
    }
    m.parser.retainInput();
  }

  private sendAck(): void {
    this.lastAck = Date.now();
    this.send(['REPLCONF', 'ACK', String(this.server.replOffset)]);
  }

  private fail(why: string): void {
    this.log.warning(why);
    // A handover that cannot reach its target gives the role back (writes resume).
    if (this.server.failover.state === 'failover-in-progress') this.server.failover.abort(why);
    this.linkLost(why);
  }

  private linkLost(why: string): void {
    if (this.state === 'none') return;
    const was = this.state;
    this.dropLink();
    this.state = 'connect';
    if (was === 'connected') {
      this.log.notice(`Connection with master lost (${why}).`);
      this.log.notice('Caching the disconnected master state.');
      this.hasHistory = true;
    }
    if (this.linkDownSince === 0) this.linkDownSince = Date.now();
  }

  /** CLIENT KILL of the master client: the link goes, and cron reconnects (partially, from our offset). */
  /** Runs one command of the master's stream as the master's client (its reply dropped). */
  applyMasterCommand(m: Client, argv: string[]): void {
    const s = this.server;
    s.master.proxying = true;
    s.ks.applyingMasterStream = true;
    try {
      processCommand(m, argv);
    } finally {
      s.master.proxying = false;
      s.ks.applyingMasterStream = false;
    }
    m.reply.truncate(0);
  }

  masterClientClosed(c: Client): void {
    if (this.master === c) this.linkLost('client killed');
  }

  private dropLink(): void {
    const sock = this.socket;
    this.socket = null;
    sock?.destroy();
    const m = this.master;
    this.master = null;
    if (m !== null && !m.closed) m.close();
    this.transfer = null;
    this.expect = [];
    this.inbuf = Buffer.alloc(0);
  }

  /** replicationCron's replica half, once a second. */
  cron(): void {
    if (this.state === 'none') return;
    const now = Date.now();
    const timeout = this.server.config.num('repl-timeout') * 1000;
    if ((this.state === 'connecting' || this.state === 'handshake') && now - this.lastIo > timeout) {
      this.fail('Timeout connecting to the MASTER...');
    } else if (this.state === 'transfer' && this.transfer !== null && now - this.transfer.lastIo > timeout) {
      this.fail('Timeout receiving bulk data from MASTER... If the problem persists try to set the \'repl-timeout\' parameter in redis.conf to a larger value.');
    } else if (this.state === 'connected' && now - this.lastIo > timeout) {
      this.fail('MASTER timeout: no data nor PING received...');
    }
    if (this.state === 'connect') {
      this.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
      this.connect();
    }
    if (this.state === 'connected' && now - this.lastAck >= 1000) this.sendAck();
  }
}

function rmQuiet(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    /* already gone */
  }
}
