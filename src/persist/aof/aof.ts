/**
 * The append-only file, as Redis 7 keeps it (aof.c): a directory holding a
 * base file (RDB preamble or commands), incremental files of commands, and a
 * manifest naming them.
 *
 * Writing: the propagated effect of every write (propagate/propagate.ts) is
 * appended to a buffer, SELECT first when the db changes. The buffer is
 * written to the current incr file before any client gets a reply (Client.flush
 * calls flushBeforeReply), and with `appendfsync always` fsynced then too, so
 * an acknowledged write is on disk; `everysec` fsyncs in the background once a
 * second; `no` leaves it to the kernel.
 *
 * Rewriting (BGREWRITEAOF, auto-aof-rewrite-*, turning appendonly on): a new
 * incr file is opened at once and receives every later write, while a
 * fork-less snapshot (persist/snapshot.ts) writes the dataset as of that
 * moment into a new base; when it completes, the manifest switches to the
 * new base plus the new incr file and the older files are deleted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Server } from '../../server.js';
import type { Effect } from '../../propagate/propagate.js';
import { Client } from '../../net/client.js';
import { processCommand } from '../../dispatch/process-command.js';
import { Snapshot, rdbFormat, runInBackground } from '../snapshot.js';
import { FileSink, SyncFileSink } from '../file-sink.js';
import { SNAPSHOT_SLICE_MS } from '../rdb-persistence.js';
import { Manifest, ManifestError, fsyncDir, type AofFileInfo } from './manifest.js';
import { aofCommandFormat } from './aof-format.js';
import { encodeCommand } from '../../protocol/encode-command.js';
import { AofReader, AofTruncated, AofBadFormat } from './aof-reader.js';

/** A fatal problem with the AOF at startup: the server logs it and exits. */
export class AofLoadError extends Error {}

type AofState = 'off' | 'on' | 'wait_rewrite';

interface Rewrite {
  snapshot: Snapshot;
  sink: FileSink;
  startedAt: number;
  /** The incr file opened when the rewrite began (null when appendonly is off). */
  incr: AofFileInfo | null;
  cancel(): void;
}

export class Aof {
  state: AofState = 'off';
  manifest: Manifest | null = null;
  private fd: number | null = null;
  private buf = '';
  private flushScheduled = false;
  private selectedDb = -1;
  private lastTs = 0;
  private unsubscribe: (() => void) | null = null;
  private rewrite: Rewrite | null = null;
  rewriteScheduled = false;
  currentSize = 0;
  baseSize = 0;
  lastRewriteTimeSec = -1;
  lastBgrewriteStatus: 'ok' | 'err' = 'ok';
  private writeStatus: 'ok' | 'err' = 'ok';
  lastWriteError = '';
  rewrites = 0;
  consecutiveFailures = 0;
  lastCowSize = 0;
  private fsyncInFlight = false;
  private unsyncedWrites = false;
  private lastFsync = Date.now();
  delayedFsync = 0;

  constructor(private readonly server: Server) {}

  /** aof_last_write_status; the server caches whether writes must be refused. */
  get lastWriteStatus(): 'ok' | 'err' {
    return this.writeStatus;
  }

  set lastWriteStatus(v: 'ok' | 'err') {
    this.writeStatus = v;
    this.server.refreshDiskError();
  }

  get enabled(): boolean {
    return this.state !== 'off';
  }

  get rewriting(): boolean {
    return this.rewrite !== null;
  }

  get bufferLength(): number {
    return this.buf.length;
  }

  private get cfg() {
    return this.server.config;
  }

  /** Relative to the working directory (`dir`), as Redis keeps it. */
  dir(): string {
    return this.cfg.get('appenddirname');
  }

  private filename(): string {
    return this.cfg.get('appendfilename');
  }

  currentCow(): number {
    return this.rewrite === null ? 0 : this.rewrite.snapshot.cowBytes;
  }

  currentRewriteSeconds(): number {
    return this.rewrite === null ? -1 : Math.floor((Date.now() - this.rewrite.startedAt) / 1000);
  }

  // ---- loading -----------------------------------------------------------

  /** Reads the manifest, migrating a pre-7.0 single appendonly.aof into the directory. Null when no AOF exists. */
  private readManifest(): Manifest | null {
    const dir = this.dir();
    const file = path.join(dir, `${this.filename()}.manifest`);
    let text: string | null = null;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new AofLoadError(`Can't open the AOF manifest file ${path.basename(file)} for reading: ${(e as Error).message}`);
    }
    if (text !== null) {
      try {
        return Manifest.parse(text, this.filename());
      } catch (e) {
        if (e instanceof ManifestError) throw new AofLoadError(e.message);
        throw e;
      }
    }
    const legacy = this.filename();
    if (!fs.existsSync(legacy)) return null;
    // aofUpgradePrepare: the old file becomes the base, under its own name, inside the directory.
    fs.mkdirSync(dir, { recursive: true });
    const m = new Manifest(this.filename());
    m.base = { name: this.filename(), seq: 1, type: 'b' };
    m.currBaseSeq = 1;
    fs.renameSync(legacy, path.join(dir, this.filename()));
    m.persist(dir);
    this.server.log.notice('Successfully migrated an old-style AOF into the AOF directory');
    return m;
  }

  /** loadAppendOnlyFiles: base then incr files, in manifest order. */
  load(): void {
    const s = this.server;
    const m = this.readManifest();
    this.manifest = m;
    if (m === null) return;
    const files: AofFileInfo[] = [];
    if (m.base !== null) files.push(m.base);
    files.push(...m.incr);
    const t0 = performance.now();
    s.propagator.suspended = true;
    try {
      this.loadFiles(files);
    } finally {
      s.propagator.suspended = false;
    }
    s.log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  }

  private loadFiles(files: AofFileInfo[]): void {
    const s = this.server;
    const fake = new Client(s, null, 0);
    fake.authenticated = true;
    fake.isMaster = true; // obeyed like the master's stream: no MISCONF or read-only refusals
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const p = path.join(this.dir(), f.name);
      if (!fs.existsSync(p)) throw new AofLoadError(`The AOF file ${f.name} doesn't exist`);
      const ft = performance.now();
      this.loadFile(p, f.name, i === files.length - 1, fake);
      s.log.notice(`DB loaded from ${f.type === 'b' ? 'base' : 'incr'} file ${f.name}: ${((performance.now() - ft) / 1000).toFixed(3)} seconds`);
    }
  }

  /** loadSingleAppendOnlyFile */
  private loadFile(p: string, name: string, isLast: boolean, fake: Client): void {
    const s = this.server;
    const buf = fs.readFileSync(p);
    if (buf.length === 0) return;
    let start = 0;
    if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'REDIS') {
      s.log.notice('Reading RDB base file on AOF loading...');
      try {
        start = s.rdb.loadBuffer(buf, { skipExpired: false }).end;
      } catch (e) {
        throw new AofLoadError(`Error reading the RDB base file ${name}, AOF loading aborted: ${(e as Error).message}`);
      }
      s.log.notice('Reading the remaining AOF tail...');
    }
    const reader = new AofReader(buf);
    reader.pos = start;
    let validBeforeMulti = -1;
    let inMulti = false;
    let lastGood = start;
    const fixHint = `make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`;
    try {
      for (;;) {
        const before = reader.pos;
        const argv = reader.next();
        if (argv === null) break;
        const name0 = argv[0].toLowerCase();
        if (s.commands.lookup(argv[0]) === undefined) {
          throw new AofLoadError(`Unknown command '${argv[0]}' reading the append only file ${name}`);
        }
        if (name0 === 'multi') {
          inMulti = true;
          validBeforeMulti = before;
        } else if (name0 === 'exec') inMulti = false;
        processCommand(fake, argv);
        fake.reply.truncate(0);
        lastGood = reader.pos;
      }
      if (inMulti) throw new AofTruncated(lastGood);
    } catch (e) {
      if (e instanceof AofBadFormat) throw new AofLoadError(`Bad file format reading the append only file ${name}: ${fixHint}`);
      if (!(e instanceof AofTruncated)) throw e;
      if (!isLast) throw new AofLoadError(`Fatal error: the truncated file is not the last file`);
      if (!this.cfg.bool('aof-load-truncated')) {
        throw new AofLoadError(
          `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
        );
      }
      // A transaction cut short is dropped whole; the data before it stays.
      let cut = e.validUpTo;
      if (inMulti) {
        s.log.warning('Revert incomplete MULTI/EXEC transaction in AOF file');
        cut = validBeforeMulti;
        fake.multi = null;
        // The queued commands never ran (EXEC never came): nothing to undo.
      }
      s.log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
      s.log.warning(`!!! Truncating the AOF ${name} at offset ${cut} !!!`);
      fs.truncateSync(p, cut);
      s.log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
    }
  }

  // ---- opening for writes ------------------------------------------------

  /**
   * aofOpenIfNeededOnServerStart: with appendonly yes at startup, makes sure
   * there is a base (an empty dataset's, when no AOF existed) and an incr
   * file, opens the last incr for appending and starts feeding.
   */
  openOnStart(): void {
    const s = this.server;
    const dir = this.dir();
    fs.mkdirSync(dir, { recursive: true });
    const m = this.manifest ?? new Manifest(this.filename());
    this.manifest = m;
    if (m.base === null && m.incr.length === 0) {
      const base = m.newBase(this.cfg.bool('aof-use-rdb-preamble'));
      this.writeBaseSync(path.join(dir, base.name));
      s.log.notice(`Creating AOF base file ${base.name} on server start`);
    }
    if (m.incr.length === 0) {
      const inc = m.newIncr();
      s.log.notice(`Creating AOF incr file ${inc.name} on server start`);
    }
    this.fd = fs.openSync(path.join(dir, m.incr[m.incr.length - 1].name), 'a', 0o644);
    m.persist(dir);
    this.deleteHistory();
    this.currentSize = this.filesSize();
    this.baseSize = this.currentSize;
    this.state = 'on';
    this.subscribe();
  }

  private filesSize(): number {
    const m = this.manifest!;
    let n = 0;
    for (const f of [m.base, ...m.incr]) {
      if (f === null) continue;
      try {
        n += fs.statSync(path.join(this.dir(), f.name)).size;
      } catch {
        /* missing: counted as empty */
      }
    }
    return n;
  }

  private writeBaseSync(p: string): void {
    const sink = new SyncFileSink(p + '.tmp');
    try {
      const preamble = this.cfg.bool('aof-use-rdb-preamble');
      const opts = this.server.rdb.snapshotOptions(true);
      new Snapshot(this.server.ks, opts, sink, preamble ? rdbFormat(opts) : aofCommandFormat).step(Infinity);
      sink.finish(p);
    } catch (e) {
      sink.abort();
      throw e;
    }
  }

  private subscribe(): void {
    if (this.unsubscribe === null) this.unsubscribe = this.server.propagator.subscribe((fx) => this.feed(fx));
  }

  // ---- feeding -----------------------------------------------------------

  /** feedAppendOnlyFile */
  feed(effects: readonly Effect[]): void {
    if (this.fd === null) return;
    if (effects.some((e) => e.replOnly)) {
      // PUBLISH is for replicas only; a MULTI/EXEC left with nothing inside is dropped too.
      effects = effects.filter((e) => !e.replOnly);
      if (effects.length === 0 || (effects.length === 2 && effects[0].argv[0] === 'MULTI')) return;
    }
    let out = '';
    if (this.cfg.bool('aof-timestamp-enabled')) {
      const now = Math.floor(Date.now() / 1000);
      if (now !== this.lastTs) {
        out += `#TS:${now}\r\n`;
        this.lastTs = now;
      }
    }
    for (const e of effects) {
      if (e.db !== this.selectedDb) {
        out += encodeCommand(['SELECT', String(e.db)]);
        this.selectedDb = e.db;
      }
      out += encodeCommand(e.argv);
    }
    this.buf += out;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushBeforeReply());
    }
  }

  /**
   * flushAppendOnlyFile: writes the buffer to the incr file, and with
   * appendfsync always fsyncs it, before replies leave.
   */
  flushBeforeReply(): void {
    this.flushScheduled = false;
    if (this.buf.length === 0 || this.fd === null) return;
    const data = Buffer.from(this.buf, 'latin1');
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
      if (this.cfg.get('appendfsync') === 'always') fs.fsyncSync(this.fd);
      else this.unsyncedWrites = true;
    } catch (e) {
      const msg = (e as Error).message;
      if (this.cfg.get('appendfsync') === 'always') {
        this.server.log.warning(`Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting... (${msg})`);
        process.exit(1);
      }
      if (this.lastWriteStatus === 'ok') this.server.log.warning(`Error writing to the AOF file: ${msg}`);
      this.lastWriteStatus = 'err';
      this.lastWriteError = msg;
      return; // kept in the buffer, retried by cron
    }
    if (this.lastWriteStatus === 'err') this.server.log.warning('AOF write error looks solved, Redis can write again.');
    this.lastWriteStatus = 'ok';
    this.currentSize += data.length;
    this.buf = '';
  }

  /** Writes refused while the AOF cannot be written (writeCommandsDeniedByDiskError's AOF half). */
  deniesWrites(): boolean {
    return this.state !== 'off' && this.lastWriteStatus === 'err';
  }

  /** serverCron's part: retry a failed write, the everysec fsync, scheduled and automatic rewrites. */
  cron(): void {
    if (this.fd !== null && this.buf.length !== 0) this.flushBeforeReply();
    if (this.fd !== null && this.unsyncedWrites && this.cfg.get('appendfsync') === 'everysec' && Date.now() - this.lastFsync >= 1000) {
      if (this.fsyncInFlight) this.delayedFsync++;
      else {
        this.fsyncInFlight = true;
        this.unsyncedWrites = false;
        const fd = this.fd;
        fs.fsync(fd, () => {
          this.fsyncInFlight = false;
          this.lastFsync = Date.now();
        });
      }
    }
    if (this.rewrite !== null || !this.server.snapshotSlotFree()) return;
    if (this.rewriteScheduled) {
      this.rewriteScheduled = false;
      this.startRewrite();
      return;
    }
    if (this.state === 'on') {
      const perc = this.cfg.num('auto-aof-rewrite-percentage');
      const min = this.cfg.num('auto-aof-rewrite-min-size');
      if (perc > 0 && this.currentSize > min) {
        const base = this.baseSize > 0 ? this.baseSize : 1;
        const growth = (this.currentSize * 100) / base - 100;
        if (growth >= perc) {
          this.server.log.notice(`Starting automatic rewriting of AOF on ${Math.floor(growth)}% growth`);
          this.startRewrite();
        }
      }
    }
  }

  // ---- rewriting ---------------------------------------------------------

  /**
   * rewriteAppendOnlyFileBackground. Returns null when started, 'scheduled'
   * when it waits for a BGSAVE, or an error text.
   */
  startRewrite(): string | null {
    try {
      return this.startRewriteUnsafe();
    } catch (e) {
      // A full disk or a vanished dir: the command fails, the server goes on.
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      this.server.log.warning(`Can't rewrite append only file in background: ${(e as Error).message}`);
      return `Can't rewrite append only file in background: ${(e as Error).message}`;
    }
  }

  private startRewriteUnsafe(): string | null {
    const s = this.server;
    if (this.rewrite !== null) return 'Background append only file rewriting already in progress';
    // One keyspace walk at a time (BGSAVE, a replica's full sync): wait for it.
    if (!s.snapshotSlotFree()) {
      this.rewriteScheduled = true;
      return 'scheduled';
    }
    const dir = this.dir();
    fs.mkdirSync(dir, { recursive: true });
    this.manifest ??= new Manifest(this.filename());
    // Everything before this instant goes to the old incr file; from now on, to a new one.
    // With appendonly off there is no incr file: the rewrite only produces a base.
    let incr: AofFileInfo | null = null;
    if (this.state !== 'off') {
      this.flushBeforeReply();
      if (this.fd !== null) {
        try {
          fs.fsyncSync(this.fd);
        } catch {
          /* the rewrite will produce a complete base anyway */
        }
        fs.closeSync(this.fd);
      }
      incr = this.manifest.newIncr();
      this.fd = fs.openSync(path.join(dir, incr.name), 'a', 0o644);
      this.selectedDb = -1;
      this.subscribe();
      if (this.state === 'on') this.manifest.persist(dir);
    }
    const preamble = this.cfg.bool('aof-use-rdb-preamble');
    const temp = path.join(dir, `temp-rewriteaof-bg-${process.pid}.aof`);
    const sink = new FileSink(temp);
    const opts = s.rdb.snapshotOptions(true);
    const snapshot = new Snapshot(s.ks, opts, sink, preamble ? rdbFormat(opts) : aofCommandFormat);
    const startedAt = Date.now();
    s.log.notice('Background append only file rewriting started');
    const run = runInBackground(snapshot, sink, SNAPSHOT_SLICE_MS, (err) => {
      if (err !== null) {
        sink.abort();
        return this.rewriteDone(err, snapshot, null);
      }
      const next = this.manifest!.clone().newBase(preamble);
      sink.finish(path.join(dir, next.name), (ferr) => this.rewriteDone(ferr, snapshot, preamble));
    });
    this.rewrite = {
      snapshot, sink, startedAt, incr,
      cancel: () => {
        run.cancel();
        sink.abort();
      },
    };
    return null;
  }

  /** backgroundRewriteDoneHandler */
  private rewriteDone(err: Error | null, snap: Snapshot, preamble: boolean | null): void {
    const s = this.server;
    const rw = this.rewrite;
    if (rw === null || rw.snapshot !== snap) return;
    this.rewrite = null;
    this.lastRewriteTimeSec = Math.floor((Date.now() - rw.startedAt) / 1000);
    this.lastCowSize = snap.cowBytes;
    if (err !== null || preamble === null) {
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      s.log.warning(`Background AOF rewrite failed: ${err?.message ?? 'unknown error'}`);
      return;
    }
    const m = this.manifest!;
    m.newBase(preamble);
    m.markRewrittenIncrAsHistory(rw.incr);
    const dir = this.dir();
    try {
      m.persist(dir);
    } catch (e) {
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      s.log.warning(`Error trying to persist the AOF manifest after the rewrite: ${(e as Error).message}`);
      return;
    }
    fsyncDir(dir);
    this.deleteHistory();
    if (this.state === 'wait_rewrite') {
      this.state = 'on';
      s.log.notice('Background AOF rewrite finished successfully');
    }
    this.currentSize = this.filesSize();
    this.baseSize = this.currentSize;
    this.lastBgrewriteStatus = 'ok';
    this.consecutiveFailures = 0;
    this.rewrites++;
    s.log.notice('Background AOF rewrite terminated with success');
    s.log.notice('Background AOF rewrite finished successfully');
  }

  /** aofDelHistoryFiles */
  private deleteHistory(): void {
    const m = this.manifest;
    if (m === null || m.history.length === 0) return;
    for (const f of m.history) {
      try {
        fs.unlinkSync(path.join(this.dir(), f.name));
        this.server.log.notice(`Removing the history file ${f.name} in the background`);
      } catch {
        /* already gone */
      }
    }
    m.history = [];
    try {
      m.persist(this.dir());
    } catch (e) {
      this.server.log.warning(`Error trying to persist the AOF manifest: ${(e as Error).message}`);
    }
  }

  // ---- switching on and off ----------------------------------------------

  /** startAppendOnly (CONFIG SET appendonly yes): a rewrite produces the first base. */
  start(): string | null {
    if (this.state !== 'off') return null;
    this.state = 'wait_rewrite';
    const r = this.startRewrite();
    if (r !== null && r !== 'scheduled') {
      this.state = 'off';
      return r;
    }
    return null;
  }

  /** stopAppendOnly (CONFIG SET appendonly no, shutdown). */
  stop(): void {
    if (this.state === 'off') return;
    this.flushBeforeReply();
    if (this.fd !== null) {
      try {
        fs.fsyncSync(this.fd);
      } catch {
        /* nothing more to do on the way out */
      }
      fs.closeSync(this.fd);
      this.fd = null;
    }
    if (this.rewrite !== null) {
      this.rewrite.cancel();
      this.rewrite = null;
      this.server.log.notice('Killing running AOF rewrite');
    }
    this.rewriteScheduled = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.state = 'off';
  }

  /** Kills a rewrite in progress (FLUSHALL does not, but shutdown does). */
  killRewrite(): void {
    if (this.rewrite === null) return;
    this.rewrite.cancel();
    this.rewrite = null;
  }

  /** On shutdown: everything written and fsynced. */
  flushAndSync(): void {
    if (this.fd === null) return;
    this.flushBeforeReply();
    try {
      fs.fsyncSync(this.fd);
    } catch {
      /* logged by the caller's exit path */
    }
  }
}
