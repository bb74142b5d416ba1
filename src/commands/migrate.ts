/**
 * MIGRATE (cluster.c migrateCommand): sends keys to another server as
 * RESTORE commands (after AUTH and SELECT), pipelined over a connection kept
 * per host:port for 10 seconds of idleness, then deletes the keys the target
 * acknowledged (unless COPY) and propagates that as one DEL.
 *
 * Redis does the exchange synchronously. Reddish must not block the event
 * loop, so the client is parked (dispatch/async-reply.ts) and replied to when
 * the exchange ends, with Redis's replies and its retry rule (one reconnect
 * when the cached connection failed before anything was processed, unless it
 * timed out). Differences a synchronous server cannot have, and what is done:
 * - The values are serialized when the command runs; a key written by another
 *   client while the transfer is in flight is left in place rather than
 *   deleted, so that write is never lost (the target holds the older value).
 * - Exchanges with one host:port take turns, as they would in Redis.
 * - Inside MULTI/EXEC (whose replies are laid out at once) MIGRATE cannot wait
 *   and answers an error.
 */
import net from 'node:net';
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import type { Server } from '../server.js';
import type { Database } from '../keyspace/database.js';
import type { KeyChangeListener, Keyspace } from '../keyspace/keyspace.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { clock } from '../keyspace/clock.js';
import { canPark, parkClient } from '../dispatch/async-reply.js';
import { createDumpPayload } from './dump-restore.js';
import { eqi } from './helpers.js';

/** MIGRATE_SOCKET_CACHE_ITEMS */
const CACHE_ITEMS = 64;
/** MIGRATE_SOCKET_CACHE_TTL is 10 s, checked once a second with "more than": closed 11 s after the last use. */
const CACHE_IDLE_MS = 11_000;
/** connSyncWrite's chunk. */
const WRITE_CHUNK = 64 * 1024;
/** The 1024-byte buffers connSyncReadLine fills (one byte for the terminator). */
const MAX_LINE = 1023;
/** setTimeout's largest delay. */
const MAX_DELAY = 2 ** 31 - 1;
/** migrateCachedSocket's last_dbid before any SELECT, and after an error. */
const NO_DB = '-1';

// ---- the job ----------------------------------------------------------------

interface KeyToSend {
  key: string;
  payload: Buffer;
  /** Absolute expiry (ms) or -1. */
  expireAt: number;
}

interface MigrateJob {
  /** host:port as typed: the connection cache key. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** The target db, as the decimal SELECT sends. */
  readonly dbid: string;
  readonly timeout: number;
  readonly copy: boolean;
  readonly replace: boolean;
  /** In cluster mode the target may be importing the slot: RESTORE-ASKING is served there without ASKING. */
  readonly restoreCommand: 'RESTORE' | 'RESTORE-ASKING';
  readonly username: string | null;
  readonly password: string | null;
  readonly db: Database;
  readonly keys: KeyToSend[];
  readonly names: Set<string>;
  /** Keys written by someone else while the job was in flight. */
  readonly changed: Set<string>;
}

/** What the exchange comes to: the keys to delete locally and the reply (null: +OK). */
interface Outcome {
  acked: string[];
  error: string | null;
}

// ---- the cached connection ----------------------------------------------------

type ReadResult = string | { timedOut: boolean };

/** migrateCachedSocket: one connection to a target, with the line reader the exchange needs. */
class TargetLink {
  /** The db selected on this connection; Redis's "none" is -1, which a MIGRATE to db -1 then matches. */
  lastDbid = NO_DB;
  closed = false;
  private inbuf: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly onClose: () => void,
  ) {
    socket.on('data', (d: Buffer) => {
      this.inbuf = this.inbuf.length === 0 ? d : Buffer.concat([this.inbuf, d]);
      this.wake?.();
    });
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.socket.destroy();
    this.onClose();
    this.wake?.();
  }

  /** In use: no idle close until released. */
  acquire(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  release(): void {
    if (this.closed) return;
    this.idleTimer = setTimeout(() => this.close(), CACHE_IDLE_MS);
    this.idleTimer.unref();
  }

  /** connSyncWrite in 64K chunks, each within the timeout: 'ok', 'error' or 'timeout'. */
  async write(buf: Buffer, timeoutMs: number): Promise<'ok' | 'error' | 'timeout'> {
    for (let pos = 0; pos < buf.length; pos += WRITE_CHUNK) {
      if (this.closed) return 'error';
      const chunk = buf.subarray(pos, pos + WRITE_CHUNK);
      const r = await new Promise<'ok' | 'error' | 'timeout'>((resolve) => {
        const t = setTimeout(() => resolve('timeout'), timeoutMs);
        this.socket.write(chunk, (err) => {
          clearTimeout(t);
          resolve(err ? 'error' : 'ok');
        });
      });
      if (r !== 'ok') return r;
    }
    return 'ok';
  }

  /**
   * connSyncReadLine: a line without its CRLF, within the timeout. Like
   * Redis, a bare "\n" counts as a failed read and a longer line than its
   * buffer is cut.
   */
  async readLine(timeoutMs: number): Promise<ReadResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.inbuf.indexOf(10);
      if (nl >= 0 && nl <= MAX_LINE) {
        let line = this.inbuf.latin1Slice(0, nl);
        this.inbuf = this.inbuf.subarray(nl + 1);
        if (line.length === 0) return { timedOut: false };
        if (line.endsWith('\r')) line = line.slice(0, -1);
        return line;
      }
      if (this.inbuf.length >= MAX_LINE) {
        const line = this.inbuf.latin1Slice(0, MAX_LINE);
        this.inbuf = this.inbuf.subarray(MAX_LINE);
        return line;
      }
      if (this.closed) return { timedOut: false };
      const left = deadline - Date.now();
      if (left <= 0) return { timedOut: true };
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.wake = null;
          resolve();
        }, Math.min(left, MAX_DELAY));
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
    }
  }
}

// ---- per-server state ---------------------------------------------------------

/**
 * The connection cache, the turn-taking per host:port, and the jobs in
 * flight, watched for writes by other clients (a KeyChangeListener
 * registered only while a job is in flight).
 */
class MigrateState implements KeyChangeListener {
  readonly links = new Map<string, TargetLink>();
  private readonly turns = new Map<string, Promise<void>>();
  private readonly jobs = new Set<MigrateJob>();

  constructor(private readonly ks: Keyspace) {}

  start(job: MigrateJob): void {
    this.jobs.add(job);
    if (this.jobs.size === 1) this.ks.listen(this, true);
  }

  end(job: MigrateJob): void {
    this.jobs.delete(job);
    if (this.jobs.size === 0) this.ks.listen(this, false);
  }

  has(db: Database, key: string): boolean {
    for (const j of this.jobs) if (j.db === db && j.names.has(key)) return true;
    return false;
  }

  touched(db: Database, key: string): void {
    for (const j of this.jobs) if (j.db === db && j.names.has(key)) j.changed.add(key);
  }

  flushed(db: Database): void {
    for (const j of this.jobs) if (j.db === db) for (const k of j.names) j.changed.add(k);
  }

  swapped(a: Database, b: Database): void {
    this.flushed(a);
    this.flushed(b);
  }

  /** Runs `fn` once every earlier exchange with the same host:port has ended. */
  async inTurn<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.turns.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = prev.then(() => new Promise<void>((r) => (release = r)));
    this.turns.set(name, mine);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.turns.get(name) === mine) this.turns.delete(name);
    }
  }

  /** migrateCloseSocket */
  closeLink(name: string): void {
    this.links.get(name)?.close();
  }

  /**
   * migrateGetSocket: the cached connection, or a new one; 'unreachable'
   * when connecting failed at once, 'refused' / 'timeout' when it failed later.
   */
  async getLink(job: MigrateJob): Promise<TargetLink | ConnectFailure> {
    const cached = this.links.get(job.name);
    if (cached !== undefined && !cached.closed) {
      cached.acquire();
      return cached;
    }
    if (this.links.size >= CACHE_ITEMS) {
      // Too many: drop one at random, as Redis does.
      const names = [...this.links.keys()];
      this.links.get(names[Math.floor(Math.random() * names.length)])?.close();
    }
    const socket = await connect(job.host, job.port, job.timeout);
    if (typeof socket === 'string') return socket;
    socket.setNoDelay(true);
    const link: TargetLink = new TargetLink(socket, () => {
      if (this.links.get(job.name) === link) this.links.delete(job.name);
    });
    this.links.set(job.name, link);
    return link;
  }
}

const states = new WeakMap<Server, MigrateState>();

/**
 * Whether a MIGRATE in flight is sending this key. Redis's MIGRATE blocks the
 * server, so no command can see such a key; cluster routing answers TRYAGAIN
 * for it instead, so a write is never made to a copy about to be dropped.
 */
export function keyInFlight(server: Server, db: Database, key: string): boolean {
  const st = states.get(server);
  if (st === undefined) return false;
  return st.has(db, key);
}

function stateOf(server: Server): MigrateState {
  let s = states.get(server);
  if (s === undefined) {
    s = new MigrateState(server.ks);
    states.set(server, s);
  }
  return s;
}

/**
 * How connecting failed. Redis 7.0's connBlockingConnect only fails when the
 * non-blocking connect() or the address lookup fails at once ("IOERR error or
 * timeout connecting to the client"); a refusal or a timeout found later
 * leaves it "connected", and the write that follows fails instead.
 */
type ConnectFailure = 'unreachable' | 'refused' | 'timeout';

/** Errors Linux's non-blocking connect() (or getaddrinfo) reports at once. */
const IMMEDIATE_ERRORS = new Set(['ENETUNREACH', 'EADDRNOTAVAIL', 'EACCES', 'EPERM', 'EAFNOSUPPORT', 'EINVAL']);

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket | ConnectFailure> {
  // Port 0 is refused by the kernel, not by the address lookup; beyond 16 bits getaddrinfo refuses it.
  if (port === 0) return Promise.resolve('refused');
  if (port < 0 || port > 65535) return Promise.resolve('unreachable');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const fail = (why: ConnectFailure): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => fail('timeout'), timeoutMs);
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const immediate = e.syscall === 'getaddrinfo' || (e.code !== undefined && IMMEDIATE_ERRORS.has(e.code));
      fail(immediate ? 'unreachable' : 'refused');
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

// ---- the exchange -------------------------------------------------------------

/** One command in RESP, as rioWriteBulkCount + rioWriteBulkString write it. */
function encodeCommand(out: Buffer[], args: Array<string | Buffer>): void {
  let head = `*${args.length}\r\n`;
  for (const a of args) {
    if (typeof a === 'string') {
      head += `$${a.length}\r\n${a}\r\n`;
    } else {
      out.push(Buffer.from(head + `$${a.length}\r\n`, 'latin1'), a);
      head = '\r\n';
    }
  }
  out.push(Buffer.from(head, 'latin1'));
}

interface Exchange {
  /** Null when connecting failed in a way Redis only notices when writing. */
  link: TargetLink | null;
  select: boolean;
  sent: KeyToSend[];
  lines: string[];
  writeError: boolean;
  timedOut: boolean;
}

/** One try: connect (or reuse), send everything, read the replies until one fails. */
async function exchange(st: MigrateState, job: MigrateJob): Promise<Exchange | null> {
  const link = await st.getLink(job);
  if (link === 'unreachable') return null;
  if (typeof link === 'string') {
    return { link: null, select: false, sent: [], lines: [], writeError: true, timedOut: link === 'timeout' };
  }
  try {
    const parts: Buffer[] = [];
    if (job.password !== null) {
      encodeCommand(parts, job.username !== null ? ['AUTH', job.username, job.password] : ['AUTH', job.password]);
    }
    const select = link.lastDbid !== job.dbid;
    if (select) encodeCommand(parts, ['SELECT', job.dbid]);
    const sent: KeyToSend[] = [];
    const now = clock.now();
    for (const k of job.keys) {
      let ttl = 0;
      if (k.expireAt !== -1) {
        ttl = k.expireAt - now;
        if (ttl < 0) continue; // expired since the command ran
        if (ttl < 1) ttl = 1;
      }
      sent.push(k);
      const args: Array<string | Buffer> = [job.restoreCommand, k.key, String(ttl), k.payload];
      if (job.replace) args.push('REPLACE');
      encodeCommand(parts, args);
    }
    const ex: Exchange = { link, select, sent, lines: [], writeError: false, timedOut: false };
    const w = await link.write(Buffer.concat(parts), job.timeout);
    if (w !== 'ok') {
      ex.writeError = true;
      ex.timedOut = w === 'timeout';
      return ex;
    }
    const expected = (job.password !== null ? 1 : 0) + (select ? 1 : 0) + sent.length;
    while (ex.lines.length < expected) {
      const r = await link.readLine(job.timeout);
      if (typeof r !== 'string') {
        ex.timedOut = r.timedOut;
        break;
      }
      ex.lines.push(r);
    }
    return ex;
  } finally {
    link.release();
  }
}

/**
 * migrateCommand's reading of the replies, over what one try got: the
 * outcome, or 'retry' when Redis would reconnect and try again.
 */
function judge(st: MigrateState, job: MigrateJob, ex: Exchange | null, mayRetry: boolean): Outcome | 'retry' {
  if (ex === null) return { acked: [], error: 'IOERR error or timeout connecting to the client' };
  const ioError = (acked: string[], writing: boolean): Outcome => ({
    acked, error: `IOERR error or timeout ${writing ? 'writing' : 'reading'} to target instance`,
  });
  // socket_err: close the cached connection; try once more unless it timed out.
  const socketErr = (writing: boolean): Outcome | 'retry' => {
    st.closeLink(job.name);
    return !ex.timedOut && mayRetry ? 'retry' : ioError([], writing);
  };
  if (ex.writeError) return socketErr(true);
  const lines = ex.lines;
  let i = 0;
  let auth: string | null = null;
  let sel: string | null = null;
  if (job.password !== null) {
    if (i >= lines.length) return socketErr(false);
    auth = lines[i++];
  }
  if (ex.select) {
    if (i >= lines.length) return socketErr(false);
    sel = lines[i++];
  }
  let fromTarget: string | null = null;
  let socketError = false;
  const acked: string[] = [];
  let j = 0;
  for (; j < ex.sent.length; j++) {
    if (i + j >= lines.length) {
      socketError = true;
      break;
    }
    const line = lines[i + j];
    if (auth?.[0] === '-' || sel?.[0] === '-' || line[0] === '-') {
      if (fromTarget === null) {
        ex.link!.lastDbid = NO_DB; // on error the selected db is no longer known
        const errLine = auth?.[0] === '-' ? auth : sel?.[0] === '-' ? sel : line;
        fromTarget = errLine.slice(1);
      }
    } else if (!job.copy) {
      acked.push(ex.sent[j].key);
    }
  }
  // Retry only when nothing was processed: the first reply never came.
  if (fromTarget === null && socketError && j === 0 && mayRetry && !ex.timedOut) return socketErr(false);
  if (socketError) st.closeLink(job.name);
  // Keys acknowledged before the connection failed are still deleted, with an IOERR reply.
  if (fromTarget === null && socketError) return ioError(acked, false);
  if (fromTarget !== null) return { acked, error: `ERR Target instance replied with error: ${fromTarget}` };
  ex.link!.lastDbid = job.dbid;
  return { acked, error: null };
}

async function run(st: MigrateState, job: MigrateJob): Promise<Outcome> {
  return st.inTurn(job.name, async () => {
    let mayRetry = true;
    for (;;) {
      const o = judge(st, job, await exchange(st, job), mayRetry);
      if (o !== 'retry') return o;
      mayRetry = false;
    }
  });
}

// ---- the command --------------------------------------------------------------

/** atoi: leading blanks, a sign, digits; anything else ends the number. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 *   [AUTH password | AUTH2 username password] [KEYS key [key ...]]
 */
function migrate(ctx: CommandContext): void {
  const argv = ctx.argv;
  let copy = false;
  let replace = false;
  let username: string | null = null;
  let password: string | null = null;
  let firstKey = 3;
  let numKeys = 1;
  // The slowlog shows passwords as Redis's redactClientCommandArgument leaves them.
  const shown = argv.slice();
  for (let j = 6; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    if (eqi(argv[j], 'copy')) copy = true;
    else if (eqi(argv[j], 'replace')) replace = true;
    else if (eqi(argv[j], 'auth')) {
      if (moreargs < 1) return ctx.reply.error(ERR.syntax);
      password = argv[++j];
      shown[j] = '(redacted)';
    } else if (eqi(argv[j], 'auth2')) {
      if (moreargs < 2) return ctx.reply.error(ERR.syntax);
      username = argv[++j];
      shown[j] = '(redacted)';
      password = argv[++j];
      shown[j] = '(redacted)';
    } else if (eqi(argv[j], 'keys')) {
      if (argv[3].length !== 0) {
        return ctx.reply.error('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
      }
      firstKey = j + 1;
      numKeys = argv.length - j - 1;
      break;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  let timeout = parseInt64(argv[5]);
  const dbid = parseInt64(argv[4]);
  if (timeout === null || dbid === null) return ctx.reply.error(ERR.notInteger);
  if (timeout <= 0) timeout = 1000;

  const ks = ctx.ks;
  const db = ctx.db;
  const keys: KeyToSend[] = [];
  for (let j = 0; j < numKeys; j++) {
    const key = argv[firstKey + j];
    const v = ks.lookupRead(db, key);
    if (v === undefined) continue;
    keys.push({ key, payload: createDumpPayload(ctx.server, v), expireAt: ks.expireAt(db, key) });
  }
  if (keys.length === 0) return ctx.reply.simple('NOKEY');
  if (!canPark(ctx)) return ctx.reply.error('ERR MIGRATE cannot wait for the target inside MULTI/EXEC in Reddish');

  const job: MigrateJob = {
    name: `${argv[1]}:${argv[2]}`,
    host: argv[1],
    port: atoi(argv[2]),
    dbid: String(dbid),
    timeout: Math.min(Number(timeout), MAX_DELAY),
    copy, replace, username, password, db, keys,
    restoreCommand: ctx.server.cluster !== null ? 'RESTORE-ASKING' : 'RESTORE',
    names: new Set(keys.map((k) => k.key)),
    changed: new Set(),
  };
  const st = stateOf(ctx.server);
  const parked = parkClient(ctx, shown);
  st.start(job);
  const conclude = (o: Outcome): void =>
    parked.finish((c) => {
      st.end(job);
      const deleted: string[] = [];
      for (const key of o.acked) {
        // A key another client wrote meanwhile keeps that write (see the module comment).
        if (job.changed.has(key) || !c.ks.delete(db, key)) continue;
        c.ks.notify('generic', 'del', key, db);
        deleted.push(key);
      }
      if (deleted.length !== 0) c.propagateAs(['DEL', ...deleted]);
      if (o.error === null) c.reply.ok();
      else c.reply.error(o.error);
    });
  run(st, job).then(conclude, (e: unknown) => {
    // Not expected (every I/O failure is an outcome); answer rather than leave the client parked.
    conclude({ acked: [], error: `IOERR error or timeout reading to target instance` });
    ctx.server.log.warning(`MIGRATE failed unexpectedly: ${String(e)}`);
  });
}

export const MIGRATE_COMMANDS: CommandDef[] = [{ name: 'migrate', handler: migrate }];
