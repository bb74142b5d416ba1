#!/usr/bin/env node
/**
 * reddish-check-rdb: redis-check-rdb 7.0 for RDB files (and, through
 * checkRdbImage, for the RDB preamble of an AOF). Walks the file as the real
 * tool does and prints the same lines: an `[offset N]` line per AUX field and
 * SELECTDB, then either `\o/ RDB looks OK! \o/` with the key counts, or
 * `--- RDB ERROR DETECTED ---` with the offset reached, what was being read,
 * the key and its type. Offsets are bytes consumed, so a short read reports
 * where the failed read began, as rio's processed_bytes does.
 *
 *   reddish-check-rdb <rdb-file-name>     exit 0 when sane, 1 otherwise
 */
import { readFileSync, realpathSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RdbInput, RdbTruncated } from '../persist/rdb/rdb-input.js';
import { Crc64 } from '../persist/rdb/crc64.js';
import { timestamp } from '../observe/log.js';
import { VERSION } from '../version.js';
import {
  RDB_VERSION, RDB_OPCODE_AUX, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME, RDB_OPCODE_EXPIRETIME_MS, RDB_OPCODE_FREQ,
  RDB_OPCODE_FUNCTION2, RDB_OPCODE_FUNCTION_PRE_GA, RDB_OPCODE_IDLE, RDB_OPCODE_MODULE_AUX, RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
} from '../persist/rdb/rdb-format.js';
import {
  CheckCorrupt, checkModuleValue, checkValue, cString, isObjectType70, moduleTypeName, readLen, readLenBig, readString,
  typeName,
} from './rdb-check-values.js';

/** rdb_check_doing_string: what the checker was about to do, for the error report. */
const DOING = [
  'start', 'read-type', 'read-expire', 'read-key', 'read-object-value', 'check-sum', 'read-len', 'read-aux',
  'read-module-aux', 'read-functions',
];
const enum Doing { Start, ReadType, ReadExpire, ReadKey, ReadValue, CheckSum, ReadLen, ReadAux, ReadModuleAux, ReadFunctions }

/** Output is bytes (keys and AUX values are printed raw), carried as latin1 strings. */
export type Print = (latin1: string) => void;

export interface RdbCheckResult {
  ok: boolean;
  /** An rdbReportError: the real tool has already exited (even inside redis-check-aof). */
  fatal: boolean;
  /** The offset after the image (the checksum's end), where an AOF tail starts. */
  end: number;
}

/** redis-check-rdb's rdbstate. key_type starts at 0, so errors before the first key say "Reading type 0 (string)". */
class CheckState {
  doing = Doing.Start;
  key: Buffer | null = null;
  keyType = 0;
  keys = 0;
  expires = 0;
  alreadyExpired = 0;

  constructor(readonly inp: RdbInput, readonly print: Print) {}

  info(msg: string): void {
    this.print(`[offset ${this.inp.pos}] ${msg}\n`);
  }

  generic(): void {
    this.print(`[info] ${this.keys} keys read\n[info] ${this.expires} expires\n[info] ${this.alreadyExpired} already expired\n`);
  }

  /** rdbCheckError */
  error(msg: string): void {
    this.print('--- RDB ERROR DETECTED ---\n');
    this.info(msg);
    this.print(`[additional info] While doing: ${DOING[this.doing]}\n`);
    if (this.key !== null) this.print(`[additional info] Reading key '${cString(this.key)}'\n`);
    if (this.keyType !== -1) this.print(`[additional info] Reading type ${this.keyType} (${typeName(this.keyType)})\n`);
    this.generic();
  }
}

/** C's atoi over the four version digits. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? parseInt(m[1], 10) : 0;
}

/**
 * redis_check_rdb_main on an image already in memory: prints the report and
 * says whether the image is sane. `name` is what "Checking RDB file" names.
 */
export function checkRdbImage(buf: Buffer, name: string, print: Print, now = Date.now()): RdbCheckResult {
  const inp = new RdbInput(buf, 0);
  const st = new CheckState(inp, print);
  print(`[offset 0] Checking RDB file ${name}\n`);
  try {
    if (!walk(st, now)) return { ok: false, fatal: false, end: inp.pos };
  } catch (e) {
    if (e instanceof RdbTruncated) {
      st.error('Unexpected EOF reading RDB file');
      return { ok: false, fatal: false, end: inp.pos };
    }
    if (e instanceof CheckCorrupt) {
      // rdbReportError: the report, one server log line, and exit(1) on the spot.
      st.error(`Internal error in RDB reading offset 0, function at rdb.c:${e.line} -> ${e.reason}`);
      print(`${process.pid}:C ${timestamp()} # Terminating server after rdb file reading failure.\n`);
      return { ok: false, fatal: true, end: inp.pos };
    }
    throw e;
  }
  st.info('\\o/ RDB looks OK! \\o/');
  st.generic();
  return { ok: true, fatal: false, end: inp.pos };
}

/** redis_check_rdb's loop; false after reporting a non-fatal error. Short reads throw RdbTruncated. */
function walk(st: CheckState, now: number): boolean {
  const inp = st.inp;
  const header = inp.bytes(9);
  if (header.toString('latin1', 0, 5) !== 'REDIS') {
    st.error('Wrong signature trying to load DB from file');
    return false;
  }
  const version = atoi(header.toString('latin1', 5, 9));
  if (version < 1 || version > RDB_VERSION) {
    st.error(`Can't handle RDB format version ${version}`);
    return false;
  }
  let expire = -1;
  for (;;) {
    st.doing = Doing.ReadType;
    const type = inp.byte();
    if (type === RDB_OPCODE_EXPIRETIME) {
      st.doing = Doing.ReadExpire;
      expire = inp.bytes(4).readInt32LE(0) * 1000;
    } else if (type === RDB_OPCODE_EXPIRETIME_MS) {
      st.doing = Doing.ReadExpire;
      expire = inp.millis();
    } else if (type === RDB_OPCODE_FREQ) {
      inp.byte();
    } else if (type === RDB_OPCODE_IDLE) {
      readLenBig(inp);
    } else if (type === RDB_OPCODE_EOF) {
      break;
    } else if (type === RDB_OPCODE_SELECTDB) {
      st.doing = Doing.ReadLen;
      st.info(`Selecting DB ID ${readLenBig(inp)}`);
    } else if (type === RDB_OPCODE_RESIZEDB) {
      st.doing = Doing.ReadLen;
      readLenBig(inp);
      readLenBig(inp);
    } else if (type === RDB_OPCODE_AUX) {
      st.doing = Doing.ReadAux;
      const k = readString(inp);
      const v = readString(inp);
      st.info(`AUX FIELD ${cString(k)} = '${cString(v)}'`);
    } else if (type === RDB_OPCODE_MODULE_AUX) {
      st.doing = Doing.ReadModuleAux;
      const id = readLenBig(inp);
      const whenOpcode = readLenBig(inp);
      readLenBig(inp);
      if (whenOpcode !== 2n) {
        st.error('bad when_opcode');
        return false;
      }
      const name = moduleTypeName(id);
      st.info(`MODULE AUX for: ${name}`);
      checkModuleValue(inp, name);
    } else if (type === RDB_OPCODE_FUNCTION2 || type === RDB_OPCODE_FUNCTION_PRE_GA) {
      st.doing = Doing.ReadFunctions;
      const err = checkFunction(type, inp);
      if (err !== null) {
        st.error(`Failed loading library, ${err}`);
        return false;
      }
    } else {
      if (!isObjectType70(type)) {
        st.error(`Invalid object type: ${type}`);
        return false;
      }
      st.keyType = type;
      st.doing = Doing.ReadKey;
      st.key = readString(inp);
      st.keys++;
      st.doing = Doing.ReadValue;
      checkValue(type, inp);
      if (expire !== -1 && expire < now) st.alreadyExpired++;
      if (expire !== -1) st.expires++;
      st.key = null;
      st.keyType = -1;
      expire = -1;
    }
  }
  if (version >= 5) {
    st.doing = Doing.CheckSum;
    const bodyEnd = inp.pos;
    const trailer = inp.bytes(8);
    if (trailer.every((b) => b === 0)) {
      st.info('RDB file was saved with checksum disabled: no check performed.');
    } else if (!new Crc64().update(inp.buf, 0, bodyEnd).bytes().equals(trailer)) {
      st.error('RDB CRC error');
      return false;
    } else {
      st.info('Checksum OK');
    }
  }
  return true;
}

/** rdbFunctionLoad without a library context: only the shape is read. The error text, or null. */
function checkFunction(type: number, inp: RdbInput): string | null {
  const step = (read: () => unknown, err: string): string | null => {
    try {
      read();
      return null;
    } catch (e) {
      if (e instanceof RdbTruncated) return err;
      throw e;
    }
  };
  if (type === RDB_OPCODE_FUNCTION2) return step(() => readString(inp), 'Failed loading library payload');
  // The 7.0 release-candidate format: name, engine, optional description, code.
  let hasDesc = 0;
  return (
    step(() => readString(inp), 'Failed loading library name') ??
    step(() => readString(inp), 'Failed loading engine name') ??
    step(() => (hasDesc = readLen(inp)), 'Failed loading library description indicator') ??
    (hasDesc ? step(() => readString(inp), 'Failed loading library description') : null) ??
    step(() => readString(inp), 'Failed loading library blob')
  );
}

/** Writes latin1-carried bytes to stdout synchronously, so output order matches the C tool's. */
export function stdoutPrint(latin1: string): void {
  const b = Buffer.from(latin1, 'latin1');
  for (let off = 0; off < b.length; ) {
    try {
      off += writeSync(1, b, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A reader that went away (| head) ends the tool, as SIGPIPE ends the C one.
      if (code === 'EPIPE') process.exit(1);
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // a full non-blocking pipe: wait for the reader
    }
  }
}

/** Command-line arguments as bytes, the way C sees them (file names print back unchanged). */
export function argBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** The command line; returns the exit status. */
export function main(argv: string[]): number {
  if (argv.length !== 1) {
    process.stderr.write('Usage: reddish-check-rdb <rdb-file-name>\n');
    return 1;
  }
  if (argv[0] === '-v' || argv[0] === '--version') {
    stdoutPrint(`reddish-check-rdb ${VERSION}\n`);
    return 0;
  }
  let buf: Buffer;
  try {
    buf = readFileSync(argv[0]);
  } catch (e) {
    // fopen succeeds on a directory and the first read fails: a short read at offset 0.
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') buf = Buffer.alloc(0);
    else {
      // redis-check-rdb says nothing more when fopen fails.
      stdoutPrint(`[offset 0] Checking RDB file ${argBytes(argv[0])}\n`);
      return 1;
    }
  }
  return checkRdbImage(buf, argBytes(argv[0]), stdoutPrint).ok ? 0 : 1;
}

/** True when `node <this file>` runs it (the bin/ launcher calls main itself). */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

if (isEntryPoint(import.meta.url)) process.exitCode = main(process.argv.slice(2));
