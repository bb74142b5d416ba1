/**
 * Redis 7's multi-part AOF manifest (aof.c: aofLoadManifestFromFile,
 * getAofManifestAsString): one base file, incremental files in order, and
 * history files awaiting deletion after a rewrite. One line per file:
 *   file appendonly.aof.1.base.rdb seq 1 type b
 * Written base first, then history, then incr, and replaced atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import { splitArgs } from '../../util/split-args.js';
import { repr } from '../../util/repr.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export class ManifestError extends Error {}

export class Manifest {
  base: AofFileInfo | null = null;
  incr: AofFileInfo[] = [];
  history: AofFileInfo[] = [];
  /** Highest sequence used for each kind, so new files never reuse a name. */
  currBaseSeq = 0;
  currIncrSeq = 0;

  constructor(readonly appendFilename: string) {}

  static parse(text: string, appendFilename: string): Manifest {
    const m = new Manifest(appendFilename);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i];
      if (raw.length > 1024) throw new ManifestError('The AOF manifest file contains too long line');
      const line = raw.replace(/\r$/, '').trim();
      if (line === '' || line.startsWith('#')) continue;
      const parts = splitArgs(line);
      if (parts === null || parts.length < 6 || parts.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format');
      let name: string | null = null;
      let seq = -1;
      let type: string | null = null;
      for (let j = 0; j < parts.length; j += 2) {
        const k = parts[j];
        if (k === 'file') name = parts[j + 1];
        else if (k === 'seq') seq = Number(parts[j + 1]);
        else if (k === 'type') type = parts[j + 1];
        // Unknown keys are skipped: a newer Redis may add some.
      }
      if (name === null || !Number.isInteger(seq) || seq < 0 || (type !== 'b' && type !== 'h' && type !== 'i')) {
        throw new ManifestError('Invalid AOF manifest file format');
      }
      const info: AofFileInfo = { name, seq, type };
      if (type === 'b') {
        if (m.base !== null) throw new ManifestError('Found duplicate base file information');
        m.base = info;
        m.currBaseSeq = seq;
      } else if (type === 'h') {
        m.history.push(info);
      } else {
        if (seq <= m.currIncrSeq) throw new ManifestError('Found a non-monotonic sequence number');
        m.incr.push(info);
        m.currIncrSeq = seq;
      }
    }
    return m;
  }

  toString(): string {
    let s = '';
    const line = (f: AofFileInfo): string => `file ${quoteIfNeeded(f.name)} seq ${f.seq} type ${f.type}\n`;
    if (this.base !== null) s += line(this.base);
    for (const f of this.history) s += line(f);
    for (const f of this.incr) s += line(f);
    return s;
  }

  /** getNewBaseFileNameAndMarkPreAsHistory */
  newBase(rdbPreamble: boolean): AofFileInfo {
    if (this.base !== null) this.history.push({ ...this.base, type: 'h' });
    const seq = ++this.currBaseSeq;
    this.base = { name: `${this.appendFilename}.${seq}.base.${rdbPreamble ? 'rdb' : 'aof'}`, seq, type: 'b' };
    return this.base;
  }

  /** getNewIncrAofName */
  newIncr(): AofFileInfo {
    const seq = ++this.currIncrSeq;
    const f: AofFileInfo = { name: `${this.appendFilename}.${seq}.incr.aof`, seq, type: 'i' };
    this.incr.push(f);
    return f;
  }

  /** markRewrittenIncrAofAsHistory: every incr file but the newest (opened when the rewrite began). */
  markRewrittenIncrAsHistory(keep: AofFileInfo | null): void {
    const old = this.incr.filter((f) => f !== keep);
    for (const f of old) this.history.push({ ...f, type: 'h' });
    this.incr = this.incr.filter((f) => f === keep);
  }

  clone(): Manifest {
    const m = new Manifest(this.appendFilename);
    m.base = this.base && { ...this.base };
    m.incr = this.incr.map((f) => ({ ...f }));
    m.history = this.history.map((f) => ({ ...f }));
    m.currBaseSeq = this.currBaseSeq;
    m.currIncrSeq = this.currIncrSeq;
    return m;
  }

  /** persistAofManifest: temp file, fsync, rename, fsync the directory. */
  persist(dir: string): void {
    const final = path.join(dir, `${this.appendFilename}.manifest`);
    const temp = path.join(dir, `temp-${this.appendFilename}.manifest`);
    const fd = fs.openSync(temp, 'w', 0o644);
    try {
      fs.writeSync(fd, this.toString());
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, final);
    fsyncDir(dir);
  }
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some filesystems refuse fsync on a directory; the rename still stands */
  }
}

/** Names with spaces, quotes or unprintable bytes are written quoted (sdsneedsrepr + sdscatrepr). */
function quoteIfNeeded(name: string): string {
  return /[\s"\\]/.test(name) || /[^\x21-\x7e]/.test(name) ? repr(name) : name;
}
