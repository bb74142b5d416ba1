/**
 * The opcode walk of an RDB image, shared by everything that reads one: the
 * loader (into a keyspace), `reddish backup`/`restore` (key by key, raw
 * bytes) and their like. It reads from after the 9-byte header to the EOF
 * opcode, tracks the db, the pending expiry and idle time, collects AUX
 * fields, and hands each key to the visitor, which reads the value itself.
 * Header and trailer checks stay with the callers: they word errors and
 * treat a disabled checksum each their own way.
 */
import { RdbInput } from './rdb-input.js';
import { RdbError } from './rdb-error.js';
import {
  RDB_OPCODE_AUX, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME, RDB_OPCODE_EXPIRETIME_MS, RDB_OPCODE_FREQ,
  RDB_OPCODE_FUNCTION2, RDB_OPCODE_FUNCTION_PRE_GA, RDB_OPCODE_IDLE, RDB_OPCODE_MODULE_AUX, RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB, isObjectType,
} from './rdb-format.js';

export interface RdbVisitor {
  /** SELECTDB; may throw (a db the server does not have). */
  selectDb(id: number): void;
  aux(key: string, value: string): void;
  /** RESIZEDB: how many keys, and keys with an expiry, the current db is about to get (a hint). */
  resizeDb?(size: number, expiresSize: number): void;
  /** A function library (RDB_OPCODE_FUNCTION2, or the 7.0 release candidates' format); may throw when the reader cannot take them. */
  functionLibrary(code: string): void;
  /** What it cannot read at all: module data, an unknown type byte ('function-pre-ga' is no longer reported: those are read). */
  unsupported(what: 'module-aux' | 'function-pre-ga' | 'unknown-type', type: number, offset: number): never;
  /** A key: the visitor reads its value from `inp` (readValue). expireMs / idleSecs / freq are -1 when absent. */
  entry(key: string, type: number, inp: RdbInput, expireMs: number, idleSecs: number, freq: number): void;
}

/** Walks from the byte after the header to EOF; returns the input, positioned after the EOF opcode. */
export function walkRdb(buf: Buffer, v: RdbVisitor): RdbInput {
  const inp = new RdbInput(buf, 9);
  let expire = -1;
  let idle = -1;
  let freq = -1;
  for (;;) {
    const type = inp.byte();
    switch (type) {
      case RDB_OPCODE_EOF:
        return inp;
      case RDB_OPCODE_EXPIRETIME:
        expire = inp.u32le() * 1000;
        continue;
      case RDB_OPCODE_EXPIRETIME_MS:
        expire = inp.millis();
        continue;
      case RDB_OPCODE_FREQ:
        freq = inp.byte();
        continue;
      case RDB_OPCODE_IDLE:
        idle = inp.len();
        continue;
      case RDB_OPCODE_SELECTDB:
        v.selectDb(inp.len());
        continue;
      case RDB_OPCODE_RESIZEDB: {
        const size = inp.len();
        const expiresSize = inp.len();
        if (v.resizeDb !== undefined) v.resizeDb(size, expiresSize);
        continue;
      }
      case RDB_OPCODE_AUX: {
        const k = inp.string();
        v.aux(k, inp.string());
        continue;
      }
      case RDB_OPCODE_FUNCTION2:
        v.functionLibrary(inp.string());
        continue;
      case RDB_OPCODE_FUNCTION_PRE_GA:
        v.functionLibrary(readPreGaLibrary(inp));
        continue;
      case RDB_OPCODE_MODULE_AUX:
        return v.unsupported('module-aux', type, inp.pos - 1);
      default:
        break;
    }
    if (!isObjectType(type)) return v.unsupported('unknown-type', type, inp.pos - 1);
    const key = inp.string();
    const exp = expire;
    const idleSecs = idle;
    const keyFreq = freq;
    expire = -1;
    idle = -1;
    freq = -1;
    v.entry(key, type, inp, exp, idleSecs, keyFreq);
  }
}


/**
 * A library in the format of Redis 7.0's release candidates
 * (RDB_OPCODE_FUNCTION_PRE_GA): name, engine, an optional description, the
 * code without its metadata line, rebuilt into `#!<engine> name=<name>\n<code>`
 * as rdbFunctionLoad does. Throws RdbError with Redis's words for the part
 * that could not be read.
 */
export function readPreGaLibrary(inp: RdbInput): string {
  const part = <T>(failure: string, read: () => T): T => {
    try {
      return read();
    } catch {
      throw new RdbError(failure);
    }
  };
  const name = part('Failed loading library name', () => inp.string());
  const engine = part('Failed loading engine name', () => inp.string());
  const hasDesc = part('Failed loading library description indicator', () => inp.len());
  if (hasDesc !== 0) part('Failed loading library description', () => inp.string());
  const blob = part('Failed loading library blob', () => inp.string());
  return `#!${engine} name=${name}\n${blob}`;
}
