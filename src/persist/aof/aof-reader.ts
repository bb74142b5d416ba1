/**
 * Reads commands out of an AOF file's bytes (loadSingleAppendOnlyFile's
 * parsing): `*argc` then `$len` bulk strings; lines starting with '#' are
 * annotations (aof-timestamp-enabled) and are skipped. A file that ends in
 * the middle of a command raises AofTruncated with the offset of the last
 * complete command, so the loader can trim it when aof-load-truncated allows.
 */

export class AofTruncated extends Error {
  constructor(readonly validUpTo: number) {
    super('short read');
  }
}

export class AofBadFormat extends Error {
  constructor(readonly at: number) {
    super('bad file format');
  }
}

export class AofReader {
  pos = 0;

  constructor(private readonly buf: Buffer) {}

  /** Offset just after `\n` of the line starting at `from`, or -1 when there is none. */
  private lineEnd(from: number): number {
    const i = this.buf.indexOf(10, from);
    return i === -1 ? -1 : i + 1;
  }

  /** The next command, or null at a clean end of file. */
  next(): string[] | null {
    const buf = this.buf;
    for (;;) {
      const start = this.pos;
      if (start >= buf.length) return null;
      const c = buf[start];
      if (c === 0x23) {
        // '#' annotation line
        const end = this.lineEnd(start);
        if (end === -1) throw new AofTruncated(start);
        this.pos = end;
        continue;
      }
      if (c !== 0x2a) throw new AofBadFormat(start);
      const hdrEnd = this.lineEnd(start);
      if (hdrEnd === -1) throw new AofTruncated(start);
      const argc = parseInt(buf.toString('latin1', start + 1, hdrEnd - 2), 10);
      if (!(argc >= 1)) throw new AofBadFormat(start);
      let p = hdrEnd;
      const argv: string[] = new Array(argc);
      for (let i = 0; i < argc; i++) {
        if (p >= buf.length) throw new AofTruncated(start);
        if (buf[p] !== 0x24) throw new AofBadFormat(p);
        const le = this.lineEnd(p);
        if (le === -1) throw new AofTruncated(start);
        const len = parseInt(buf.toString('latin1', p + 1, le - 2), 10);
        if (!(len >= 0)) throw new AofBadFormat(p);
        if (le + len + 2 > buf.length) throw new AofTruncated(start);
        argv[i] = buf.toString('latin1', le, le + len);
        p = le + len + 2;
      }
      this.pos = p;
      return argv;
    }
  }
}
