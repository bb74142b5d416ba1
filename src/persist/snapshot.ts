/**
 * A point-in-time RDB snapshot written without fork (rdbSaveRio's content).
 *
 * Node cannot fork, so a background save walks the live keyspace a slice at
 * a time between event-loop turns, and keeps the point-in-time view by
 * copy-on-write at key granularity: the keyspace calls beforeWrite() (its
 * `cow` hook) before any key changes, and the first time a key that has not
 * been written yet is touched, its record (TTL, type, key, value) is
 * serialized right then. When the walk reaches the key it writes that record
 * instead of the current value. Keys created after the start are marked
 * absent and skipped; keys deleted before being reached are written at the end
 * of their db. Memory overhead is the records of the keys touched during the
 * save, never a copy of the dataset.
 *
 * Which keys the walk has written is kept on the entries (Entry.snap = this
 * snapshot's id), so a key written, deleted and re-created (it reappears at
 * the end of the Map) is not written twice. Dbs are followed by the identity
 * of their key Map: SWAPDB swaps maps, FLUSHDB gives the db new ones while the
 * walk finishes the old (keyspace.flushDb), so neither disturbs the view.
 */
import { performance } from 'node:perf_hooks';
import type { Keyspace, BeforeWriteListener } from '../keyspace/keyspace.js';
import type { Database, Entry } from '../keyspace/database.js';
import type { KeyTable } from '../keyspace/key-table.js';
import type { Value } from '../keyspace/value.js';
import { lfuDecrAndReturn, lfuMinutes, lruIdleSeconds } from '../keyspace/lfu.js';
import { RdbOutput } from './rdb/rdb-output.js';
import { Crc64 } from './rdb/crc64.js';
import { writeValue, writeValueType, type SaveOptions } from './rdb/value-writer.js';
import {
  RDB_VERSION, RDB_OPCODE_AUX, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME_MS, RDB_OPCODE_FREQ, RDB_OPCODE_FUNCTION2, RDB_OPCODE_IDLE, RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
} from './rdb/rdb-format.js';

/**
 * How the walk's output is spelled: RDB (the default) or AOF commands (an
 * AOF rewrite with aof-use-rdb-preamble no). The walk and its copy-on-write
 * are the same for both.
 */
export interface SnapshotFormat {
  header(out: RdbOutput): void;
  /** The function libraries' code, before the databases (rdbSaveFunctions / rewriteFunctions). */
  libraries(out: RdbOutput, codes: readonly string[]): void;
  beginDb(out: RdbOutput, id: number, size: number, expiresSize: number): void;
  /** `lru`: the entry's LRU/LFU field (Entry.lru). */
  record(out: RdbOutput, key: string, value: Value, expire: number | undefined, lru: number): void;
  /** Writes the end; `crc` is the checksum of everything before (RDB's trailer). */
  trailer(out: RdbOutput, crc: Crc64): void;
  /** The output is checksummed (RDB); AOF text is not. */
  readonly checksummed: boolean;
}

/** Where the bytes go: a file, a replica's socket. write() false = wait for onDrain. */
export interface SnapshotSink {
  write(chunk: Buffer): boolean;
  onDrain(cb: () => void): void;
}

export interface SnapshotOptions extends SaveOptions {
  /** rdbcompression */
  compress: boolean;
  /** rdbchecksum: when false the trailer is 8 zero bytes. */
  checksum: boolean;
  /** AUX fields after the header, in order. */
  aux: Array<[string, string | number]>;
  /** The function libraries' code as of the snapshot's start. */
  functions: readonly string[];
}

const ABSENT = 0;
const EMITTED = 1;
type Captured = typeof ABSENT | typeof EMITTED | Buffer;

interface DbWalk {
  id: number;
  keys: KeyTable<Entry>;
  expires: KeyTable<number>;
  size: number;
  expiresSize: number;
  iter: IterableIterator<[string, Entry]> | null;
  done: boolean;
  captured: Map<string, Captured>;
}

const CHUNK = 64 * 1024;
let nextId = 1;

/** Writes one key's record: [EXPIRETIME_MS ms] [IDLE secs | FREQ counter] type key value. */
export function writeRecord(out: RdbOutput, key: string, value: Value, expire: number | undefined, opts: SaveOptions, lru = 0): void {
  if (expire !== undefined) {
    out.byte(RDB_OPCODE_EXPIRETIME_MS);
    out.millis(expire);
  }
  const info = opts.objectInfo;
  if (info != null) {
    if (info.lfu) {
      out.byte(RDB_OPCODE_FREQ);
      out.byte(lfuDecrAndReturn(lru, lfuMinutes(info.lruClock), info.lfuDecayTime));
    } else {
      out.byte(RDB_OPCODE_IDLE);
      out.len(lruIdleSeconds(info.lruClock, lru));
    }
  }
  writeValueType(out, value);
  out.string(key);
  writeValue(out, value, opts);
}

/** The RDB spelling: header with AUX fields, SELECTDB + RESIZEDB per db, EOF and the CRC64 trailer. */
export function rdbFormat(opts: SnapshotOptions): SnapshotFormat {
  return {
    checksummed: true,
    header(out) {
      out.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
      for (const [k, v] of opts.aux) {
        out.byte(RDB_OPCODE_AUX);
        out.string(k);
        if (typeof v === 'number') out.integer(v);
        else out.string(v);
      }
    },
    libraries(out, codes) {
      for (const code of codes) {
        out.byte(RDB_OPCODE_FUNCTION2);
        out.string(code);
      }
    },
    beginDb(out, id, size, expiresSize) {
      out.byte(RDB_OPCODE_SELECTDB);
      out.len(id);
      out.byte(RDB_OPCODE_RESIZEDB);
      out.len(size);
      out.len(expiresSize);
    },
    record(out, key, value, expire, lru) {
      writeRecord(out, key, value, expire, opts, lru);
    },
    trailer(out, crc) {
      out.byte(RDB_OPCODE_EOF);
      // The checksum covers the EOF byte too: the caller fed `out` so far.
      out.raw(opts.checksum ? crcWithEof(crc) : Buffer.alloc(8));
    },
  };
}

/** The running CRC plus the EOF byte just written (not yet fed). */
function crcWithEof(crc: Crc64): Buffer {
  return crc.update(Buffer.of(RDB_OPCODE_EOF)).bytes();
}

export class Snapshot implements BeforeWriteListener {
  readonly id = nextId++;
  private readonly out: RdbOutput;
  private readonly crc = new Crc64();
  private readonly walks: DbWalk[] = [];
  private readonly byMap = new Map<KeyTable<Entry>, DbWalk>();
  private current = 0;
  private finished = false;
  /** Bytes handed to the sink so far. */
  written = 0;
  /** Bytes of records serialized ahead of the walk (INFO's rdb_last_cow_size). */
  cowBytes = 0;
  keysWritten = 0;

  private readonly format: SnapshotFormat;

  constructor(
    private readonly ks: Keyspace,
    private readonly opts: SnapshotOptions,
    private readonly sink: SnapshotSink,
    format?: SnapshotFormat,
  ) {
    this.format = format ?? rdbFormat(opts);
    this.out = new RdbOutput(opts.compress, CHUNK * 2);
    for (const db of ks.dbs) {
      const w: DbWalk = {
        id: db.id, keys: db.keys, expires: db.expires, size: db.keys.size, expiresSize: db.expires.size,
        iter: null, done: db.keys.size === 0, captured: new Map(),
      };
      this.walks.push(w);
      this.byMap.set(db.keys, w);
    }
    this.format.header(this.out);
    this.format.libraries(this.out, opts.functions);
  }

  /** Starts copy-on-write: from now on the snapshot is the dataset as of this moment. */
  attach(): void {
    if (this.ks.cow !== null && this.ks.cow !== this) throw new Error('another snapshot is running');
    this.ks.cow = this;
  }

  detach(): void {
    if (this.ks.cow === this) this.ks.cow = null;
  }

  get done(): boolean {
    return this.finished;
  }

  beforeWrite(db: Database, key: string): void {
    const w = this.byMap.get(db.keys);
    if (w === undefined || w.done || w.captured.has(key)) return;
    const e = w.keys.get(key);
    if (e === undefined) {
      w.captured.set(key, ABSENT);
    } else if (e.snap === this.id) {
      w.captured.set(key, EMITTED);
    } else {
      const rec = new RdbOutput(this.opts.compress, 256);
      this.format.record(rec, key, e.value, w.expires.get(key), e.lru);
      const b = rec.take();
      this.cowBytes += b.length;
      w.captured.set(key, b);
    }
  }

  /**
   * Writes for up to `budgetMs` (Infinity: to the end). Returns 'done' when
   * the trailer is written, 'drain' when the sink asked to wait, 'more' when
   * the budget ran out.
   */
  step(budgetMs: number): 'done' | 'drain' | 'more' {
    if (this.finished) return 'done';
    const until = budgetMs === Infinity ? Infinity : performance.now() + budgetMs;
    const out = this.out;
    let n = 0;
    while (this.current < this.walks.length) {
      const w = this.walks[this.current];
      if (w.done) {
        this.current++;
        continue;
      }
      if (w.iter === null) {
        this.format.beginDb(out, w.id, w.size, w.expiresSize);
        w.iter = w.keys.entries();
      }
      const r = w.iter.next();
      if (r.done) {
        // Keys deleted before the walk reached them.
        for (const c of w.captured.values()) {
          if (c !== ABSENT && c !== EMITTED) {
            out.raw(c);
            this.keysWritten++;
          }
        }
        w.done = true;
        w.captured = new Map();
        this.current++;
      } else {
        const [key, e] = r.value;
        const c = w.captured.size === 0 ? undefined : w.captured.get(key);
        if (c === undefined) {
          this.format.record(out, key, e.value, w.expires.get(key), e.lru);
          e.snap = this.id;
          this.keysWritten++;
        } else if (c !== ABSENT && c !== EMITTED) {
          out.raw(c);
          w.captured.set(key, EMITTED);
          this.keysWritten++;
        }
      }
      if (out.length >= CHUNK && !this.flush()) return 'drain';
      if ((++n & 63) === 0 && performance.now() >= until) {
        return 'more';
      }
    }
    if (this.format.checksummed) this.crc.update(out.view());
    this.format.trailer(out, this.crc);
    const last = out.take();
    this.written += last.length;
    this.finished = true;
    this.detach();
    this.sink.write(last);
    return 'done';
  }

  /** Hands the buffered bytes to the sink; false when it wants a drain first. */
  private flush(): boolean {
    const chunk = this.out.take();
    if (this.format.checksummed) this.crc.update(chunk);
    this.written += chunk.length;
    return this.sink.write(chunk);
  }
}

/**
 * Drives a snapshot to its end between event-loop turns: slices of
 * `sliceMs`, pausing while the sink drains. Calls `done` once.
 */
export function runInBackground(s: Snapshot, sink: SnapshotSink, sliceMs: number, done: (err: Error | null) => void): { cancel(): void } {
  let cancelled = false;
  const tick = (): void => {
    if (cancelled) return;
    let r: 'done' | 'drain' | 'more';
    try {
      r = s.step(sliceMs);
    } catch (e) {
      s.detach();
      done(e as Error);
      return;
    }
    if (r === 'done') done(null);
    else if (r === 'drain') sink.onDrain(() => setImmediate(tick));
    else setImmediate(tick);
  };
  s.attach();
  setImmediate(tick);
  return {
    cancel(): void {
      cancelled = true;
      s.detach();
    },
  };
}
