/**
 * Walks an RDB image key by key without a keyspace: for each key its db,
 * name, absolute expiry and the bytes of its value exactly as the file holds
 * them (a DUMP payload is those bytes plus a footer, so `reddish restore`
 * sends every value in its original encoding). Values are decoded with the
 * server's own reader, which checks their structure on the way; the CRC64
 * trailer is checked too.
 */
import { RdbError } from '../persist/rdb/rdb-error.js';
import { Crc64 } from '../persist/rdb/crc64.js';
import { readValue, DEFAULT_LIMITS } from '../persist/rdb/value-reader.js';
import { RDB_VERSION } from '../persist/rdb/rdb-format.js';
import { walkRdb } from '../persist/rdb/rdb-walk.js';

export interface RdbEntry {
  db: number;
  key: string;
  /** The RDB type byte. */
  type: number;
  /** The value's bytes in the file (after the key), a view into the image. */
  value: Buffer;
  /** Absolute expiry in ms, or -1. */
  expireMs: number;
}

export interface RdbHeader {
  /** The 4-digit version after "REDIS". */
  version: number;
}

export interface RdbScanResult extends RdbHeader {
  keys: number;
  /** Keys whose value is empty (Redis skips them on load too). */
  emptySkipped: number;
  keysPerDb: Map<number, number>;
  aux: Map<string, string>;
  /** Function library sources (RDB_OPCODE_FUNCTION2). */
  functions: string[];
  /** 'ok', or 'disabled' when the trailer is zeros (rdbchecksum no). */
  checksum: 'ok' | 'disabled';
}

/** The signature and version; throws when the image is not an RDB file. */
export function rdbHeader(buf: Buffer): RdbHeader {
  if (buf.length < 9 || buf.toString('latin1', 0, 5) !== 'REDIS') throw new RdbError('not an RDB file (no REDIS signature)');
  const text = buf.toString('latin1', 5, 9);
  const version = Number(text);
  if (!/^\d{4}$/.test(text) || version < 1) throw new RdbError(`bad RDB version '${text}'`);
  return { version };
}

/** The CRC64 trailer (RDB 5+): 'ok', 'disabled' (all zeros) or throws on a mismatch. */
export function checkRdbChecksum(buf: Buffer): 'ok' | 'disabled' {
  if (buf.length < 17) throw new RdbError('RDB image too short');
  const trailer = buf.subarray(buf.length - 8);
  if (trailer.every((b) => b === 0)) return 'disabled';
  const expected = new Crc64().update(buf, 0, buf.length - 8).bytes();
  if (!expected.equals(trailer)) {
    throw new RdbError(`wrong RDB checksum: computed ${expected.readBigUInt64LE(0).toString(16)}, file has ${trailer.readBigUInt64LE(0).toString(16)}`);
  }
  return 'ok';
}

/** Scans the whole image; `onEntry` sees every non-empty key in file order. */
export function scanRdb(buf: Buffer, onEntry?: (e: RdbEntry) => void): RdbScanResult {
  const { version } = rdbHeader(buf);
  if (version > RDB_VERSION) throw new RdbError(`RDB version ${version} is newer than this reader's (${RDB_VERSION})`);
  const checksum = version >= 5 ? checkRdbChecksum(buf) : 'disabled';
  const res: RdbScanResult = { version, keys: 0, emptySkipped: 0, keysPerDb: new Map(), aux: new Map(), functions: [], checksum };
  let db = 0;
  const inp = walkRdb(buf, {
    selectDb(id) {
      db = id;
    },
    aux(k, v) {
      res.aux.set(k, v);
    },
    functionLibrary(code) {
      res.functions.push(code);
    },
    unsupported(what, type, offset) {
      if (what === 'function-pre-ga') throw new RdbError('the file holds functions in the pre-7.0 format');
      if (what === 'module-aux') throw new RdbError('the file holds module data');
      throw new RdbError(`unknown RDB type ${type} at offset ${offset}`);
    },
    entry(key, type, input, expireMs) {
      const start = input.pos;
      if (readValue(type, input, DEFAULT_LIMITS) === null) {
        res.emptySkipped++;
        return;
      }
      res.keys++;
      res.keysPerDb.set(db, (res.keysPerDb.get(db) ?? 0) + 1);
      onEntry?.({ db, key, type, value: buf.subarray(start, input.pos), expireMs });
    },
  });
  if (version >= 5 && inp.pos + 8 !== buf.length) throw new RdbError(`${buf.length - inp.pos - 8} unexpected bytes after the RDB end`);
  return res;
}

/** A DUMP/RESTORE payload for an entry: type byte, value bytes, the image's RDB version (LE) and a CRC64 of all that. */
export function dumpPayload(e: RdbEntry, rdbVersion: number): Buffer {
  const body = Buffer.allocUnsafe(1 + e.value.length + 2);
  body[0] = e.type;
  e.value.copy(body, 1);
  body.writeUInt16LE(rdbVersion, 1 + e.value.length);
  return Buffer.concat([body, new Crc64().update(body).bytes()]);
}
