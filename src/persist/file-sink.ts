/**
 * A SnapshotSink writing to a temp file with async writes, in order, at most
 * a few chunks in flight; close() fsyncs, closes and renames it into place,
 * so a reader never sees a half-written dump (rdbSave's temp + rename).
 */
import fs from 'node:fs';
import type { SnapshotSink } from './snapshot.js';

const MAX_IN_FLIGHT = 4;

export class FileSink implements SnapshotSink {
  private readonly fd: number;
  private queue: Buffer[] = [];
  private writing = false;
  private drainCb: (() => void) | null = null;
  private idleCb: (() => void) | null = null;
  error: Error | null = null;

  constructor(readonly tempPath: string) {
    this.fd = fs.openSync(tempPath, 'w', 0o644);
  }

  write(chunk: Buffer): boolean {
    this.queue.push(chunk);
    this.pump();
    return this.queue.length < MAX_IN_FLIGHT;
  }

  onDrain(cb: () => void): void {
    this.drainCb = cb;
    if (this.queue.length < MAX_IN_FLIGHT || this.error !== null) this.fireDrain();
  }

  private fireDrain(): void {
    const cb = this.drainCb;
    this.drainCb = null;
    cb?.();
  }

  private pump(): void {
    if (this.writing || this.queue.length === 0 || this.error !== null) return;
    this.writing = true;
    const chunk = this.queue[0];
    const writeAll = (off: number): void => {
      fs.write(this.fd, chunk, off, chunk.length - off, null, (err, n) => {
        if (err) {
          this.error = err;
          this.queue = [];
          this.writing = false;
          this.fireDrain();
          this.idleCb?.();
          return;
        }
        if (off + n < chunk.length) return writeAll(off + n);
        this.queue.shift();
        this.writing = false;
        if (this.queue.length < MAX_IN_FLIGHT) this.fireDrain();
        if (this.queue.length === 0) {
          const cb = this.idleCb;
          this.idleCb = null;
          cb?.();
        } else this.pump();
      });
    };
    writeAll(0);
  }

  /** Waits for the queued writes, fsyncs, closes, renames to `finalPath`. */
  finish(finalPath: string, cb: (err: Error | null) => void): void {
    const complete = (): void => {
      if (this.error !== null) return this.abort(() => cb(this.error));
      fs.fsync(this.fd, (err) => {
        if (err) return this.abort(() => cb(err));
        fs.close(this.fd, (err2) => {
          if (err2) return cb(err2);
          fs.rename(this.tempPath, finalPath, (err3) => cb(err3));
        });
      });
    };
    if (this.queue.length === 0 && !this.writing) complete();
    else this.idleCb = complete;
  }

  /** Drops the temp file. */
  abort(cb: () => void = () => {}): void {
    this.queue = [];
    fs.close(this.fd, () => fs.unlink(this.tempPath, () => cb()));
  }
}

/** The synchronous twin for SAVE and shutdown: every write completes before write() returns. */
export class SyncFileSink implements SnapshotSink {
  private readonly fd: number;

  constructor(readonly tempPath: string) {
    this.fd = fs.openSync(tempPath, 'w', 0o644);
  }

  write(chunk: Buffer): boolean {
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
    return true;
  }

  onDrain(cb: () => void): void {
    cb();
  }

  finish(finalPath: string): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.tempPath, finalPath);
  }

  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    try {
      fs.unlinkSync(this.tempPath);
    } catch {
      /* never created */
    }
  }
}
