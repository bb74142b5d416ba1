/**
 * The RDB side of the server (rdb.c's rdbSave/rdbSaveBackground/rdbLoad
 * callers and serverCron's save points): SAVE, BGSAVE, save points, the
 * MISCONF state after a failed background save, loading at startup, and the
 * INFO persistence numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Server } from '../server.js';
import { Snapshot, runInBackground, type SnapshotOptions } from './snapshot.js';
import { FileSink, SyncFileSink } from './file-sink.js';
import { loadRdb, type LoadResult } from './rdb/rdb-loader.js';
import type { LoadLimits } from './rdb/value-reader.js';
import type { ObjectInfoOptions } from './rdb/value-writer.js';
import { RdbError } from './rdb/rdb-error.js';
import { functionsOf, libraryCodesOf, loadLibraries } from '../scripting/index.js';

/** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long (s). */
const BGSAVE_RETRY_DELAY = 5;
/** Event-loop time a background save takes per turn (ms). */
export const SNAPSHOT_SLICE_MS = 2;

interface Background {
  snapshot: Snapshot;
  startedAt: number;
  dirtyAtStart: number;
  cancel(): void;
}

export class RdbPersistence {
  private bg: Background | null = null;
  private status: 'ok' | 'err' = 'ok';
  lastBgsaveTimeSec = -1;
  lastBgsaveTry = 0;
  saves = 0;
  lastCowSize = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** BGSAVE SCHEDULE waiting for another background job. */
  scheduled = false;
  /** True while a load is in progress (INFO loading). */
  loading = false;

  constructor(private readonly server: Server) {}

  /** rdb_last_bgsave_status; the server caches whether writes must be refused. */
  get lastBgsaveStatus(): 'ok' | 'err' {
    return this.status;
  }

  set lastBgsaveStatus(v: 'ok' | 'err') {
    this.status = v;
    this.server.refreshDiskError();
  }

  get inProgress(): boolean {
    return this.bg !== null;
  }

  /** Seconds the running BGSAVE has taken so far, -1 when none runs. */
  currentSeconds(): number {
    return this.bg === null ? -1 : Math.floor((Date.now() - this.bg.startedAt) / 1000);
  }

  currentKeys(): { processed: number; total: number } {
    if (this.bg === null) return { processed: 0, total: 0 };
    let total = 0;
    for (const db of this.server.ks.dbs) total += db.size;
    return { processed: this.bg.snapshot.keysWritten, total };
  }

  currentCow(): number {
    return this.bg === null ? 0 : this.bg.snapshot.cowBytes;
  }

  /** Relative to the working directory, which `dir` sets (as Redis): it may vanish under us. */
  filePath(): string {
    return this.server.config.get('dbfilename');
  }

  snapshotOptions(aofBase = false): SnapshotOptions {
    const s = this.server;
    const c = s.config;
    return {
      compress: c.bool('rdbcompression'),
      checksum: c.bool('rdbchecksum'),
      listMaxListpackSize: c.num('list-max-listpack-size'),
      objectInfo: objectInfoOf(s),
      aux: [
        ['redis-ver', '7.0.15'],
        ['redis-bits', 64],
        ['ctime', Math.floor(Date.now() / 1000)],
        ['used-mem', process.memoryUsage().heapUsed],
        ['repl-stream-db', 0],
        ['repl-id', s.replId],
        ['repl-offset', s.replOffset],
        ['aof-base', aofBase ? 1 : 0],
      ],
      functions: libraryCodesOf(s),
    };
  }

  loadLimits(): LoadLimits {
    const c = this.server.config;
    return {
      hashMaxEntries: c.num('hash-max-listpack-entries'),
      hashMaxValue: c.num('hash-max-listpack-value'),
      zsetMaxEntries: c.num('zset-max-listpack-entries'),
      zsetMaxValue: c.num('zset-max-listpack-value'),
      setMaxIntset: c.num('set-max-intset-entries'),
    };
  }

  /** The save points of the `save` directive, as [seconds, changes] pairs. */
  savePoints(): Array<[number, number]> {
    const parts = this.server.config.get('save').split(/\s+/).filter((x) => x !== '');
    const out: Array<[number, number]> = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([Number(parts[i]), Number(parts[i + 1])]);
    return out;
  }

  /**
   * rdbSave: the whole dataset to dbfilename, synchronously (SAVE, SHUTDOWN,
   * FLUSHALL with save points). True on success; failures are logged.
   */
  saveSync(): boolean {
    const s = this.server;
    const final = this.filePath();
    const temp = path.join(path.dirname(final), `temp-${process.pid}.rdb`);
    let sink: SyncFileSink;
    try {
      sink = new SyncFileSink(temp);
    } catch (e) {
      s.log.warning(`Failed opening the temp RDB file ${path.basename(temp)} (in server root dir ${safeCwd()}) for saving: ${(e as Error).message}`);
      this.lastBgsaveStatus = 'err';
      return false;
    }
    try {
      const snap = new Snapshot(s.ks, this.snapshotOptions(), sink);
      snap.step(Infinity);
      sink.finish(final);
    } catch (e) {
      sink.abort();
      s.log.warning(`Write error saving DB on disk: ${(e as Error).message}`);
      this.lastBgsaveStatus = 'err';
      return false;
    }
    s.log.notice('DB saved on disk');
    s.ks.dirty = 0;
    s.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveStatus = 'ok';
    this.saves++;
    return true;
  }

  /**
   * rdbSaveBackground: starts a fork-less background save. Returns null when
   * started, or the error text (without "-ERR ").
   */
  startBackground(reason = 'BGSAVE'): string | null {
    const s = this.server;
    if (this.bg !== null) return 'Background save already in progress';
    if (!s.snapshotSlotFree()) {
      return "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";
    }
    const final = this.filePath();
    const temp = path.join(path.dirname(final), `temp-${process.pid}-bg.rdb`);
    let sink: FileSink;
    try {
      sink = new FileSink(temp);
    } catch (e) {
      this.lastBgsaveStatus = 'err';
      this.lastBgsaveTry = Math.floor(Date.now() / 1000);
      s.log.warning(`Failed opening the temp RDB file ${path.basename(temp)} (in server root dir ${safeCwd()}) for saving: ${(e as Error).message}`);
      return `Failed opening the temp RDB file: ${(e as Error).message}`;
    }
    this.lastBgsaveTry = Math.floor(Date.now() / 1000);
    const snapshot = new Snapshot(s.ks, this.snapshotOptions(), sink);
    const startedAt = Date.now();
    const dirtyAtStart = s.ks.dirty;
    s.log.notice(`Background saving started (${reason})`);
    const run = runInBackground(snapshot, sink, SNAPSHOT_SLICE_MS, (err) => {
      if (err !== null) {
        sink.abort();
        return this.backgroundDone(err, snapshot, startedAt, dirtyAtStart);
      }
      sink.finish(final, (ferr) => this.backgroundDone(ferr, snapshot, startedAt, dirtyAtStart));
    });
    this.bg = {
      snapshot, startedAt, dirtyAtStart,
      cancel: () => {
        run.cancel();
        sink.abort();
      },
    };
    return null;
  }

  private backgroundDone(err: Error | null, snap: Snapshot, startedAt: number, dirtyAtStart: number): void {
    const s = this.server;
    if (this.bg === null || this.bg.snapshot !== snap) return; // killed meanwhile
    this.bg = null;
    this.lastBgsaveTimeSec = Math.floor((Date.now() - startedAt) / 1000);
    this.lastCowSize = snap.cowBytes;
    if (err !== null) {
      s.log.warning(`Background saving error: ${err.message}`);
      this.lastBgsaveStatus = 'err';
      return;
    }
    s.log.notice(`DB saved on disk`);
    s.log.notice('Background saving terminated with success');
    s.ks.dirty = Math.max(0, s.ks.dirty - dirtyAtStart);
    s.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveStatus = 'ok';
    this.saves++;
  }

  /** killRDBChild: stops a running background save and drops its temp file. */
  killBackground(): void {
    if (this.bg === null) return;
    this.bg.cancel();
    this.bg = null;
    this.server.log.notice('Background saving terminated by signal');
  }

  /** serverCron's part: a due save point, or a scheduled BGSAVE, starts one. */
  cron(): void {
    if (this.bg !== null || !this.server.snapshotSlotFree()) return;
    const now = Math.floor(Date.now() / 1000);
    const ks = this.server.ks;
    if (this.scheduled) {
      this.scheduled = false;
      this.startBackground('scheduled');
      return;
    }
    for (const [secs, changes] of this.savePoints()) {
      if (ks.dirty >= changes && now - this.server.lastSave > secs &&
          (now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY || this.lastBgsaveStatus === 'ok')) {
        this.server.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
        this.startBackground('save point');
        return;
      }
    }
  }

  /** writeCommandsDeniedByDiskError's RDB half. */
  deniesWrites(): boolean {
    return this.lastBgsaveStatus === 'err' && this.server.config.bool('stop-writes-on-bgsave-error') && this.savePoints().length > 0;
  }

  /** rdbLoad of a file, or of an image already in memory. */
  loadBuffer(buf: Buffer, opts: { skipExpired?: boolean; allowDuplicates?: boolean } = {}): LoadResult {
    const s = this.server;
    this.loading = true;
    try {
      const r = loadRdb(buf, s.ks, {
        limits: this.loadLimits(),
        checksum: s.config.bool('rdbchecksum'),
        skipExpired: opts.skipExpired ?? !s.ks.isReplica,
        now: Date.now(),
        allowDuplicates: opts.allowDuplicates,
      });
      this.loadFunctions(r.functions, opts.allowDuplicates === true);
      this.lastLoadKeysLoaded = r.keysLoaded;
      this.lastLoadKeysExpired = r.keysExpired;
      if (r.checksumSkipped) s.log.notice('RDB file was saved with checksum disabled: no check performed.');
      return r;
    } finally {
      this.loading = false;
    }
  }

  /**
   * The image's function libraries replace the server's (every full load
   * empties the server first: startup, DEBUG RELOAD, a replica's full sync,
   * an AOF's RDB preamble), or join them replacing same-named ones for DEBUG
   * RELOAD MERGE. A library that does not load fails the load, as in Redis.
   */
  private loadFunctions(codes: string[], merge: boolean): void {
    const s = this.server;
    if (codes.length === 0 && libraryCodesOf(s).length === 0) return;
    const engine = functionsOf(s, (level, msg) => s.log.log((['debug', 'verbose', 'notice', 'warning'] as const)[level], msg));
    const err = loadLibraries(engine, codes, merge);
    if (err !== null) throw new RdbError(`Failed loading library, ${err.replace(/^ERR /, '')}`);
  }

  /** Loads dbfilename when it exists: false when there is none. Throws RdbError on a bad file. */
  loadFile(file = this.filePath(), opts: { allowDuplicates?: boolean } = {}): LoadResult | null {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new RdbError(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
    }
    const t0 = performance.now();
    const r = this.loadBuffer(buf, opts);
    const s = this.server;
    s.log.notice(`Loading RDB produced by version ${r.aux.get('redis-ver') ?? 'unknown'}`);
    const ctime = r.aux.get('ctime');
    if (ctime !== undefined) s.log.notice(`RDB age ${Math.floor(Date.now() / 1000) - Number(ctime)} seconds`);
    s.log.notice(`Done loading RDB, keys loaded: ${r.keysLoaded}, keys expired: ${r.keysExpired}.`);
    s.log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    return r;
  }

}

/** process.cwd() throws once the directory was removed; a log line must not. */
function safeCwd(): string {
  try {
    return process.cwd();
  } catch {
    return '(a directory that no longer exists)';
  }
}

/** rdbSaveKeyValuePair's savelru / savelfu: by maxmemory-policy's kind, whether maxmemory is set or not. */
function objectInfoOf(s: Server): ObjectInfoOptions | null {
  const policy = s.config.get('maxmemory-policy');
  if (policy.endsWith('-lru')) return { lfu: false, lruClock: s.ks.lruClock, lfuDecayTime: s.ks.lfuDecayTime };
  if (policy.endsWith('-lfu')) return { lfu: true, lruClock: s.ks.lruClock, lfuDecayTime: s.ks.lfuDecayTime };
  return null;
}
