#!/usr/bin/env node
/**
 * reddish-check-aof: redis-check-aof 7.0.
 *
 *   reddish-check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>
 *
 * Given a manifest it checks the base file (RDB preamble or RESP) and every
 * incr file in order; given one file it checks it as an old-style AOF, with
 * or without an RDB preamble. Each file is read the way the C tool reads it
 * (fgets/fread over `*argc`, `$len` and the payload, '#' annotation lines),
 * so "ok_up_to" (the last complete command outside MULTI), "ok_up_to_line"
 * (the tool's running count of CRLFs, shared by all files) and the
 * `0x<epos>: ...` error line come out the same. --fix truncates the last
 * file at ok_up_to after a `Continue? [y/N]:` answered on stdin;
 * --truncate-to-timestamp cuts at the first `#TS:` annotation past it.
 * Exit status 0 when everything is valid (or was fixed), 1 otherwise.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { timestamp } from '../observe/log.js';
import { checkRdbImage, stdoutPrint, argBytes, isEntryPoint, type Print } from './check-rdb.js';

/** exit(code) from deep inside a check, as the C tool does. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

const enum Result { Ok, Empty, Truncated, TimestampTruncated }

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

export interface CheckAofOptions {
  print?: Print;
  /** The answer to `Continue? [y/N]:` (what fgets would read from stdin); null at end of input. */
  answer?: () => string | null;
}

/** strerror's text for the errors opening a file can give. */
function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory', ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long',
    EROFS: 'Read-only file system', EPERM: 'Operation not permitted',
  };
  return (code && known[code]) || (e as Error).message;
}

/** strtol base 10: the value (clamped like LONG_MIN/LONG_MAX), where parsing stopped, and ERANGE. */
function strtol(b: Buffer, from: number, end: number): { value: bigint; stop: number; range: boolean } {
  let p = from;
  while (p < end && (b[p] === 32 || (b[p] >= 9 && b[p] <= 13))) p++;
  let neg = false;
  if (p < end && (b[p] === 43 || b[p] === 45)) neg = b[p++] === 45;
  const digits = p;
  let v = 0n;
  while (p < end && b[p] >= 48 && b[p] <= 57) v = v * 10n + BigInt(b[p++] - 48);
  if (p === digits) return { value: 0n, stop: from, range: false };
  if (neg) v = -v;
  const range = v > LONG_MAX || v < LONG_MIN;
  return { value: range ? (neg ? LONG_MIN : LONG_MAX) : v, stop: p, range };
}

/** printf("%02x") of a C char: bytes >= 0x80 are negative and print as ffffffXX. */
function hexChar(b: number): string {
  return b >= 0x80 ? `ffffff${b.toString(16)}` : b.toString(16).padStart(2, '0');
}

/** The checker's globals: the running line count and the error text persist across files, as in the C tool. */
class AofChecker {
  line = 1;
  error = '';
  epos = 0;
  /** fgets's buffer in readLong for `*` lines: past the NUL it still holds the previous line's bytes. */
  private argcBuf = Buffer.alloc(128);

  constructor(
    readonly print: Print,
    readonly fix: boolean,
    readonly toTimestamp: bigint,
    readonly answer: () => string | null,
  ) {}

  /** ERROR(): snprintf'd C strings, so a NUL in the message (a '\0' read as the prefix) ends it. */
  setError(msg: string): void {
    this.error = `0x${this.epos.toString(16).padStart(16, ' ')}: ${msg.split('\0')[0]}`;
  }

  /** checkSingleAof */
  checkSingle(name: string, filepath: Buffer, lastFile: boolean, preamble: boolean): Result {
    const shown = filepath.toString('latin1');
    let fd: number;
    try {
      fd = openSync(filepath, 'r+');
    } catch (e) {
      this.print(`Cannot open file ${shown}: ${strerror(e)}, aborting...\n`);
      throw new Exit(1);
    }
    try {
      const size = fstatSync(fd).size;
      if (size === 0) return Result.Empty;
      const buf = readFileSync(fd);
      const r = new FileReader(buf);
      if (preamble) {
        const rdb = checkRdbImage(buf, name, this.print);
        if (rdb.fatal) throw new Exit(1);
        if (!rdb.ok) {
          this.print('RDB preamble of AOF file is not sane, aborting.\n');
          throw new Exit(1);
        }
        this.print('RDB preamble is OK, proceeding with AOF tail...\n');
        r.pos = rdb.end;
      }
      const state = { multi: 0 };
      let pos = 0;
      for (;;) {
        if (!state.multi) pos = r.pos;
        if (r.pos >= buf.length) {
          r.eof = true;
          break;
        }
        r.eof = false; // the fseek back over the peeked byte clears the EOF flag
        const c = buf[r.pos];
        if (c === 0x23) {
          if (!this.annotation(r, fd, shown, lastFile)) return Result.TimestampTruncated;
        } else if (c === 0x2a) {
          if (!this.command(r, shown, state)) break;
        } else {
          this.print(`AOF ${name} format error\n`);
          break;
        }
      }
      if (r.eof && state.multi && this.error === '') this.setError('Reached EOF before reading EXEC for MULTI');
      if (this.error !== '') this.print(`${this.error}\n`);
      const diff = size - pos;
      if (diff === 0 && this.toTimestamp !== 0n) {
        this.print(`Truncate nothing in AOF ${name} to timestamp ${this.toTimestamp}\n`);
        return Result.Ok;
      }
      this.print(`AOF analyzed: filename=${name}, size=${size}, ok_up_to=${pos}, ok_up_to_line=${this.line}, diff=${diff}\n`);
      if (diff <= 0) return Result.Ok;
      if (!this.fix) {
        this.print(`AOF ${name} is not valid. Use the --fix option to try fixing it.\n`);
        throw new Exit(1);
      }
      if (!lastFile) {
        this.print(`Failed to truncate AOF ${name} because it is not the last file\n`);
        throw new Exit(1);
      }
      this.print(`This will shrink the AOF ${name} from ${size} bytes, with ${diff} bytes, to ${pos} bytes\n`);
      this.print('Continue? [y/N]: ');
      const a = this.answer();
      if (a === null || !/^y/i.test(a)) {
        this.print('Aborting...\n');
        throw new Exit(1);
      }
      try {
        ftruncateSync(fd, pos);
      } catch {
        this.print(`Failed to truncate AOF ${name}\n`);
        throw new Exit(1);
      }
      return Result.Truncated;
    } finally {
      closeSync(fd);
    }
  }

  /** processRESP: `*argc` then argc bulk strings; MULTI/EXEC must pair up. */
  private command(r: FileReader, filepath: string, state: { multi: number }): boolean {
    const argc = this.readLong(r, '*');
    if (argc === null) return false;
    for (let i = 0n; i < argc; i++) {
      const s = this.readString(r);
      if (s === null) return false;
      if (i !== 0n) continue;
      const cmd = s.toLowerCase();
      if (cmd === 'multi' && state.multi++) {
        this.setError(`Unexpected MULTI in AOF ${filepath}`);
        return false;
      }
      if (cmd === 'exec' && --state.multi) {
        this.setError(`Unexpected EXEC in AOF ${filepath}`);
        return false;
      }
    }
    return true;
  }

  /** readLong: one fgets of at most 127 bytes, the prefix, a number, then CRLF right after it. */
  private readLong(r: FileReader, prefix: '*' | '$'): bigint | null {
    this.epos = r.pos;
    const start = r.pos;
    const end = r.fgets(128);
    if (end === null) return null;
    const b = r.buf;
    // What the C buffer holds: the line, its NUL, then whatever an earlier fgets left there.
    const mem = prefix === '*' ? this.argcBuf : Buffer.alloc(128);
    b.copy(mem, 0, start, end);
    mem[end - start] = 0;
    if (mem[0] !== prefix.charCodeAt(0)) {
      this.setError(`Expected prefix '${prefix}', got: '${String.fromCharCode(mem[0])}'`);
      return null;
    }
    const n = strtol(mem, 1, end - start);
    if (!this.consumeNewline(mem[n.stop] ?? 0, mem[n.stop + 1] ?? 0)) return null;
    return n.value;
  }

  /** readString: `$len` CRLF, then len bytes and CRLF read in one fread. The C string (up to a NUL). */
  private readString(r: FileReader): string | null {
    const len = this.readLong(r, '$');
    if (len === null) return null;
    if (len < 0n || len > LONG_MAX - 2n) {
      this.setError(`Expected to read string of ${len} bytes, which is not in the suitable range`);
      return null;
    }
    const want = len + 2n;
    this.epos = r.pos;
    const got = r.fread(want);
    if (BigInt(got) !== want) {
      this.setError(`Expected to read ${want} bytes, got ${got} bytes`);
      return null;
    }
    const n = Number(len);
    const at = r.pos - n - 2;
    if (!this.consumeNewline(r.buf[at + n], r.buf[at + n + 1])) return null;
    const nul = r.buf.indexOf(0, at);
    return r.buf.toString('latin1', at, nul === -1 || nul > at + n ? at + n : nul);
  }

  private consumeNewline(a: number, b: number): boolean {
    if (a !== 13 || b !== 10) {
      this.setError(`Expected \\r\\n, got: ${hexChar(a)}${hexChar(b)}`);
      return false;
    }
    this.line++;
    return true;
  }

  /** processAnnotations: a '#' line; with --truncate-to-timestamp, `#TS:` past it cuts the file there. */
  private annotation(r: FileReader, fd: number, filepath: string, lastFile: boolean): boolean {
    this.epos = r.pos;
    const start = r.pos;
    const end = r.fgets(1024);
    if (end === null) {
      this.print(`Failed to read annotations from AOF ${filepath}, aborting...\n`);
      throw new Exit(1);
    }
    if (this.toTimestamp === 0n || r.buf.toString('latin1', start, Math.min(end, start + 4)) !== '#TS:') return true;
    const ts = strtol(r.buf, start + 4, end);
    if (ts.range || ts.stop >= end || r.buf[ts.stop] !== 13) {
      this.print('Invalid timestamp annotation\n');
      throw new Exit(1);
    }
    if (ts.value <= this.toTimestamp) return true;
    if (this.epos === 0) {
      this.print(`AOF ${filepath} has nothing before timestamp ${this.toTimestamp}, aborting...\n`);
      throw new Exit(1);
    }
    if (!lastFile) {
      this.print(
        `Failed to truncate AOF ${filepath} to timestamp ${this.toTimestamp} to offset ${this.epos} because it is not the last file.\n` +
          'If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run redis-check-aof.\n',
      );
      throw new Exit(1);
    }
    try {
      ftruncateSync(fd, this.epos);
    } catch {
      this.print(`Failed to truncate AOF ${filepath} to timestamp ${this.toTimestamp}\n`);
      throw new Exit(1);
    }
    return false;
  }
}

/** A FILE* over the whole file: fgets and fread with the EOF flag they leave. */
class FileReader {
  pos = 0;
  eof = false;

  constructor(readonly buf: Buffer) {}

  /** fgets(buf, size): up to size-1 bytes or through '\n'; the end offset, or null when nothing was left. */
  fgets(size: number): number | null {
    if (this.pos >= this.buf.length) {
      this.eof = true;
      return null;
    }
    const limit = this.pos + size - 1;
    const nl = this.buf.indexOf(10, this.pos);
    let end: number;
    if (nl !== -1 && nl < limit) end = nl + 1;
    else if (limit <= this.buf.length) end = limit;
    else {
      end = this.buf.length; // ran out before a newline or a full buffer
      this.eof = true;
    }
    this.pos = end;
    return end;
  }

  /** fread of n bytes: how many there were. */
  fread(n: bigint): number {
    const avail = this.buf.length - this.pos;
    const got = BigInt(avail) < n ? avail : Number(n);
    this.pos += got;
    if (BigInt(got) !== n) this.eof = true;
    return got;
  }
}

/** fileIsManifest: any line (in fgets chunks of 1024) not starting with '#' that starts with "file". */
function fileIsManifest(buf: Buffer): boolean {
  let p = 0;
  let found = false;
  while (p < buf.length) {
    const nl = buf.indexOf(10, p);
    const end = nl !== -1 && nl < p + 1024 ? nl + 1 : Math.min(buf.length, p + 1024);
    if (buf[p] !== 0x23 && buf.toString('latin1', p, p + 4) === 'file') found = true;
    p = end;
  }
  return found;
}

/** fileIsRDB: at least 8 bytes, starting with REDIS. */
function fileIsRdb(buf: Buffer): boolean {
  return buf.length >= 8 && buf.toString('latin1', 0, 5) === 'REDIS';
}

/** A whole file for the type probes; the C tool's fopen failure message otherwise. */
function readForProbe(print: Print, filepath: Buffer): Buffer {
  try {
    return readFileSync(filepath);
  } catch (e) {
    const shown = filepath.toString('latin1');
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') print(`Cannot read file: ${shown}\n`);
    else print(`Cannot open file ${shown}: ${strerror(e)}\n`);
    throw new Exit(1);
  }
}

interface ManifestEntry {
  name: string;
  type: string;
}

/**
 * sdssplitargs: words, "double quoted" with escapes, 'single quoted'; null on bad quoting.
 * Its own copy (not util/split-args.ts): redis-check-aof reads the line as a C string, so
 * bytes past a NUL are treated as the end, which its reports reproduce.
 */
function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let p = 0;
  const at = (i: number): string => (i < line.length ? line[i] : '\0');
  const isSpace = (c: string): boolean => c === ' ' || (c >= '\t' && c <= '\r');
  const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);
  for (;;) {
    while (p < line.length && isSpace(line[p])) p++;
    if (p >= line.length) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    for (let done = false; !done; ) {
      const c = at(p);
      if (inq) {
        if (c === '\\' && at(p + 1) === 'x' && isHex(at(p + 2)) && isHex(at(p + 3))) {
          cur += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === '\\' && at(p + 1) !== '\0') {
          const n = at(++p);
          cur += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n === 'b' ? '\b' : n === 'a' ? '\x07' : n;
        } else if (c === '"') {
          if (at(p + 1) !== '\0' && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === '\0') return null;
        else cur += c;
      } else if (insq) {
        if (c === '\\' && at(p + 1) === "'") {
          p++;
          cur += "'";
        } else if (c === "'") {
          if (at(p + 1) !== '\0' && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === '\0') return null;
        else cur += c;
      } else if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\0') done = true;
      else if (c === '"') inq = true;
      else if (c === "'") insq = true;
      else cur += c;
      if (c !== '\0') p++;
    }
    out.push(cur);
  }
}

/** C's atoll. */
function atoll(s: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? BigInt(m[1]) : 0n;
}

/**
 * aofLoadManifestFromFile, with its "*** FATAL AOF MANIFEST FILE ERROR ***"
 * server-log report (and exit) on the first bad line. Kept here rather than
 * using Manifest.parse because the report names the line and its text.
 */
function loadManifest(print: Print, buf: Buffer): { base: ManifestEntry | null; incr: ManifestEntry[] } {
  const text = buf.toString('latin1');
  const am: { base: ManifestEntry | null; incr: ManifestEntry[] } = { base: null, incr: [] };
  let maxSeq = 0n;
  let linenum = 0;
  let p = 0;
  const fail = (err: string, line: string | null): never => {
    const log = (msg: string): void => print(`${process.pid}:C ${timestamp()} # ${msg}\n`);
    log('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
    if (line !== null) {
      log(`Reading the manifest file, at line ${linenum}\n`);
      log(`>>> '${line}'\n`);
    }
    log(`${err}\n`);
    throw new Exit(1);
  };
  for (;;) {
    if (p >= text.length) {
      if (linenum === 0) fail('Found an empty AOF manifest', null);
      return am;
    }
    const nl = text.indexOf('\n', p);
    const end = nl !== -1 && nl < p + 1024 ? nl + 1 : Math.min(text.length, p + 1024);
    const chunk = text.slice(p, end);
    p = end;
    linenum++;
    if (chunk[0] === '#') continue;
    const raw = chunk.split('\0')[0]; // strchr and sdsnew see a C string
    if (!raw.includes('\n')) fail('The AOF manifest file contains too long line', null);
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') fail('Invalid AOF manifest file format', line);
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) fail('Invalid AOF manifest file format', line);
    let name: string | null = null;
    let seq = 0n;
    let type = '';
    for (let i = 0; i < argv!.length; i += 2) {
      const k = argv![i].toLowerCase();
      const v = argv![i + 1];
      if (k === 'file') {
        name = v;
        if (v.includes('/') || v.includes('\\')) fail("File can't be a path, just a filename", line);
      } else if (k === 'seq') seq = atoll(v);
      else if (k === 'type') type = v.length > 0 ? v[0] : '';
    }
    if (name === null || seq === 0n || type === '' || type === '\0') fail('Invalid AOF manifest file format', line);
    if (type === 'b') {
      if (am.base !== null) fail('Found duplicate base file information', line);
      am.base = { name: name!, type };
    } else if (type === 'i') {
      if (seq <= maxSeq) fail('Found a non-monotonic sequence number', line);
      am.incr.push({ name: name!, type });
      maxSeq = seq;
    } else if (type !== 'h') fail('Unknown AOF file type', line);
  }
}

function resultLine(kind: string, name: string, r: Result, to: bigint): string {
  const prefix = kind === '' ? 'AOF' : `${kind} AOF`;
  switch (r) {
    case Result.Ok:
      return `${prefix} ${name} is valid\n`;
    case Result.Empty:
      return `${prefix} ${name} is empty\n`;
    case Result.TimestampTruncated:
      return `Successfully truncated AOF ${name} to timestamp ${to}\n`;
    case Result.Truncated:
      return `Successfully truncated AOF ${name}\n`;
  }
}

/** checkMultiPartAof: base then incr files; only the last one may be truncated. */
function checkMultiPart(c: AofChecker, dir: Buffer, manifestPath: Buffer): void {
  c.print('Start checking Multi Part AOF\n');
  const am = loadManifest(c.print, readForProbe(c.print, manifestPath));
  const total = (am.base ? 1 : 0) + am.incr.length;
  let n = 0;
  // Paths stay bytes: a manifest may name a file that is not valid UTF-8.
  const pathOf = (name: string): Buffer => Buffer.concat([dir, Buffer.from(`/${name}`, 'latin1')]);
  if (am.base !== null) {
    const path = pathOf(am.base.name);
    const last = ++n === total;
    const preamble = fileIsRdb(readForProbe(c.print, path));
    c.print(`Start to check BASE AOF (${preamble ? 'RDB' : 'RESP'} format).\n`);
    c.print(resultLine('BASE', am.base.name, c.checkSingle(am.base.name, path, last, preamble), c.toTimestamp));
  }
  if (am.incr.length > 0) {
    c.print('Start to check INCR files.\n');
    for (const f of am.incr) {
      const last = ++n === total;
      c.print(resultLine('INCR', f.name, c.checkSingle(f.name, pathOf(f.name), last, false), c.toTimestamp));
    }
  }
  c.print('All AOF files and manifest are valid\n');
}

/** Reads what fgets(buf, 2, stdin) would: one byte, or null at end of input. */
function readAnswer(): string | null {
  const b = Buffer.alloc(1);
  for (;;) {
    try {
      return readSync(0, b, 0, 1, null) === 0 ? null : b.toString('latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return null;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // non-blocking stdin: wait for input
    }
  }
}

/** The command line; returns the exit status. */
export function main(argv: string[], opts: CheckAofOptions = {}): number {
  const print = opts.print ?? stdoutPrint;
  let fix = false;
  let to = 0n;
  let file: string;
  const usage = (): number => {
    print('Usage: reddish-check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>\n');
    return 1;
  };
  if (argv.length === 1) file = argv[0];
  else if (argv.length === 2 && argv[0] === '--fix') {
    fix = true;
    file = argv[1];
  } else if (argv.length === 3 && argv[0] === '--truncate-to-timestamp') {
    const raw = Buffer.from(argv[1], 'utf8');
    const t = strtol(raw, 0, raw.length);
    if (t.range || t.stop !== raw.length) {
      print('Invalid timestamp, aborting...\n');
      return 1;
    }
    to = t.value;
    file = argv[2];
  } else return usage();
  const checker = new AofChecker(print, fix, to, opts.answer ?? readAnswer);
  const path = Buffer.from(file, 'utf8');
  try {
    const probe = readForProbe(print, path);
    if (fileIsManifest(probe)) checkMultiPart(checker, Buffer.from(dirname(file), 'utf8'), path);
    else {
      print('Start checking Old-Style AOF\n');
      const name = argBytes(file);
      print(resultLine('', name, checker.checkSingle(name, path, true, fileIsRdb(probe)), to));
    }
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  }
}

if (isEntryPoint(import.meta.url)) process.exitCode = main(process.argv.slice(2));
