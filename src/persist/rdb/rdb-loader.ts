/**
 * rdbLoad: a whole RDB image (file or payload in memory) into the keyspace.
 * Checks the signature, the version (1..10), every opcode, and the CRC64
 * trailer when rdbchecksum is on; the first problem is an RdbError whose
 * message is Redis's wording where Redis has one.
 */
import type { Keyspace } from '../../keyspace/keyspace.js';
import { RdbError } from './rdb-error.js';
import { Crc64 } from './crc64.js';
import { readValue, type LoadLimits } from './value-reader.js';
import { RDB_VERSION } from './rdb-format.js';
import { lfuField, lfuMinutes } from '../../keyspace/lfu.js';
import { walkRdb } from './rdb-walk.js';

export interface LoadOptions {
  limits: LoadLimits;
  /** rdbchecksum: verify the trailer. */
  checksum: boolean;
  /** A master drops keys already expired; a replica keeps them for the master's DEL. */
  skipExpired: boolean;
  now: number;
  /** DEBUG RELOAD MERGE / RESTORE-like loads: a duplicate key replaces instead of failing. */
  allowDuplicates?: boolean;
}

export interface LoadResult {
  version: number;
  keysLoaded: number;
  keysExpired: number;
  emptySkipped: number;
  aux: Map<string, string>;
  /** Where the image ended (the byte after the checksum). */
  end: number;
  /** The trailer was all zeros: saved with rdbchecksum no. */
  checksumSkipped: boolean;
  /** The function libraries' code (RDB_OPCODE_FUNCTION2), for the caller to load: they need the function engine. */
  functions: string[];
}

export function loadRdb(buf: Buffer, ks: Keyspace, opts: LoadOptions): LoadResult {
  if (buf.length < 9 || buf.toString('latin1', 0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
  const version = Number(buf.toString('latin1', 5, 9));
  if (!Number.isInteger(version) || version < 1 || version > RDB_VERSION) {
    throw new RdbError(`Can't handle RDB format version ${buf.toString('latin1', 5, 9)}`);
  }
  const res: LoadResult = {
    version, keysLoaded: 0, keysExpired: 0, emptySkipped: 0, aux: new Map(), end: 0, checksumSkipped: false, functions: [],
  };
  let db = ks.dbs[0];
  const inp = walkRdb(buf, {
    selectDb(id) {
      if (id >= ks.dbs.length) {
        throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${ks.dbs.length} databases. Exiting`);
      }
      db = ks.dbs[id];
    },
    aux(k, v) {
      res.aux.set(k, v);
    },
    resizeDb(size, expiresSize) {
      // Sized once for what is coming (dictExpand); a key takes at least 3 bytes of the
      // image, which bounds what a corrupt hint can make us allocate.
      const most = Math.floor(buf.length / 3);
      db.keys.reserve(db.keys.size + Math.min(size, most));
      db.expires.reserve(db.expires.size + Math.min(expiresSize, most));
    },
    functionLibrary(code) {
      res.functions.push(code);
    },
    unsupported(what, type) {
      if (what === 'module-aux') throw new RdbError('The RDB file contains AUX module data I can\'t load: no matching module');
      throw new RdbError(`Unknown RDB encoding type ${type}`);
    },
    entry(key, type, input, exp, idleSecs, freq) {
      const value = readValue(type, input, opts.limits);
      if (value === null) {
        res.emptySkipped++;
        return;
      }
      if (opts.skipExpired && exp !== -1 && exp < opts.now) {
        res.keysExpired++;
        return;
      }
      // objectSetLRUOrLFU: under an LFU policy the file's counter (a new key's without one),
      // otherwise the file's idle time; the other kind of hint is ignored.
      let lru: number;
      if (ks.lfu) lru = freq === -1 ? ks.freshLru() : lfuField(lfuMinutes(ks.lruClock), freq);
      else lru = idleSecs === -1 ? ks.lruClock : ks.lruClock - idleSecs;
      if (!ks.loadKey(db, key, value, exp, lru)) {
        if (!opts.allowDuplicates) throw new RdbError(`RDB has duplicated key '${key}' in DB ${db.id}`);
        // MERGE: the loaded value replaced the old one; its TTL is the file's.
        if (exp === -1) db.expires.delete(key);
        else db.expires.set(key, exp);
      }
      res.keysLoaded++;
    },
  });
  if (version >= 5) {
    const bodyEnd = inp.pos;
    const trailer = inp.bytes(8);
    if (opts.checksum) {
      if (trailer.every((b) => b === 0)) res.checksumSkipped = true;
      else {
        const expected = new Crc64().update(buf, 0, bodyEnd).bytes();
        if (!expected.equals(trailer)) {
          throw new RdbError(
            `Wrong RDB checksum expected: (${hex(expected)}) but got (${hex(trailer)}). Aborting now.`,
          );
        }
      }
    }
  }
  res.end = inp.pos;
  return res;
}

function hex(le: Buffer): string {
  return le.readBigUInt64LE(0).toString(16);
}
