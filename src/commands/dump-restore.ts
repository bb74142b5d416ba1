/**
 * DUMP and RESTORE (cluster.c): a value in Redis's DUMP format — its RDB type
 * byte and body, then the RDB version (2 bytes) and a CRC64 of all that
 * (8 bytes), both little-endian — so payloads cross between Reddish and Redis
 * 7.0 in both directions. MIGRATE (migrate.ts) sends the same payloads.
 */
import { lfuField, lfuMinutes } from '../keyspace/lfu.js';
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import type { Server } from '../server.js';
import type { Value } from '../keyspace/value.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { clock } from '../keyspace/clock.js';
import { RdbOutput } from '../persist/rdb/rdb-output.js';
import { RdbInput } from '../persist/rdb/rdb-input.js';
import { writeValue, writeValueType } from '../persist/rdb/value-writer.js';
import { readValue } from '../persist/rdb/value-reader.js';
import { Crc64 } from '../persist/rdb/crc64.js';
import { RDB_VERSION, isObjectType } from '../persist/rdb/rdb-format.js';
import { eqi } from './helpers.js';

/** Version (2) + CRC64 (8): the footer every payload ends with. */
const FOOTER_LEN = 10;
/** LRU_CLOCK_MAX: Redis's LRU clock is 24 bits of seconds. */
const LRU_CLOCK_MAX = (1 << 24) - 1;

/** createDumpPayload */
export function createDumpPayload(server: Server, v: Value): Buffer {
  const out = new RdbOutput(server.config.bool('rdbcompression'), 256);
  writeValueType(out, v);
  writeValue(out, v, { listMaxListpackSize: server.config.num('list-max-listpack-size') });
  out.byte(RDB_VERSION & 0xff);
  out.byte((RDB_VERSION >> 8) & 0xff);
  out.raw(new Crc64().update(out.view()).bytes());
  return out.take();
}

/** verifyDumpPayload: older RDB versions are accepted, newer ones and a wrong CRC are not. */
export function verifyDumpPayload(p: Buffer): boolean {
  if (p.length < FOOTER_LEN) return false;
  const footer = p.length - FOOTER_LEN;
  const rdbver = p[footer] | (p[footer + 1] << 8);
  if (rdbver > RDB_VERSION) return false;
  const crc = new Crc64().update(p, 0, p.length - 8).bytes();
  return crc.equals(p.subarray(footer + 2));
}

/**
 * rdbLoadObjectType + rdbLoadObject over the whole payload (as Redis, the
 * footer is not cut off first). Null for anything Redis calls "Bad data format".
 */
function loadPayload(ctx: CommandContext, p: Buffer): Value | null {
  try {
    const inp = new RdbInput(p, 0, p.length);
    const type = inp.byte();
    if (!isObjectType(type)) return null;
    return readValue(type, inp, ctx.server.rdb.loadLimits());
  } catch {
    // Any failure decoding client-supplied bytes (RdbError, or a decoder
    // tripping over a malformed blob) is bad data, never a server crash.
    return null;
  }
}

function dump(ctx: CommandContext): void {
  const v = ctx.ks.lookupRead(ctx.db, ctx.argv[1]);
  if (v === undefined) return ctx.reply.nil();
  ctx.reply.bulkBuffer(createDumpPayload(ctx.server, v));
}

/** long long arithmetic as C does it on x86 (wrapping), so huge TTLs and idle times behave as in Redis. */
function wrapInt64(n: bigint): bigint {
  return BigInt.asIntN(64, n);
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(ctx: CommandContext): void {
  const argv = ctx.argv;
  const ks = ctx.ks;
  const db = ctx.db;
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (eqi(argv[j], 'replace')) replace = true;
    else if (eqi(argv[j], 'absttl')) absttl = true;
    else if (eqi(argv[j], 'idletime') && additional >= 1 && freq === -1) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      if (n < 0) return ctx.reply.error('ERR Invalid IDLETIME value, must be >= 0');
      idle = BigInt(n);
      j++;
    } else if (eqi(argv[j], 'freq') && additional >= 1 && idle === -1n) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      if (n < 0 || n > 255) return ctx.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = Number(n);
      j++;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }

  const key = argv[1];
  if (!replace && ks.lookupWrite(db, key) !== undefined) return ctx.reply.error('BUSYKEY Target key name already exists.');
  const ttlArg = parseInt64(argv[2]);
  if (ttlArg === null) return ctx.reply.error(ERR.notInteger);
  if (ttlArg < 0) return ctx.reply.error('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload)) return ctx.reply.error('ERR DUMP payload version or checksum are wrong');
  const value = loadPayload(ctx, payload);
  if (value === null) return ctx.reply.error('ERR Bad data format');

  // dbDelete: removes even a logically expired key, without an expiry DEL.
  const deleted = replace && ks.delete(db, key);
  const now = clock.now();
  let ttl = BigInt(ttlArg);
  if (ttl !== 0n && !absttl) ttl = wrapInt64(ttl + BigInt(now));
  // checkAlreadyExpired: a replica keeps the key and waits for its master's DEL.
  if (ttl !== 0n && ttl <= BigInt(now) && !ks.isReplica) {
    if (deleted) {
      ks.notify('generic', 'del', key, db);
      ctx.propagateAs([ctx.server.config.bool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key]);
    }
    return ctx.reply.ok();
  }

  ks.set(db, key, value);
  if (ttl !== 0n) {
    ks.setExpire(db, key, Number(ttl), false);
    // A relative TTL is propagated as the absolute time it became, so replicas agree.
    if (!absttl) ctx.propagateAs([argv[0], key, ttl.toString(), ...argv.slice(3), 'ABSTTL']);
  }
  setLruOrLfu(ctx, key, freq, idle);
  ks.notify('generic', 'restore', key, db);
  ctx.reply.ok();
}

/**
 * objectSetLRUOrLFU. Under an LFU policy FREQ sets the access counter (the
 * field's time becomes now); otherwise IDLETIME backdates the last access.
 * Redis's LRU clock is 24 bits of seconds and wraps, so an idle time beyond
 * the clock reads back as Redis computes it (estimateObjectIdleTime of the
 * 24-bit field); Reddish stores the access time that reads back the same.
 */
function setLruOrLfu(ctx: CommandContext, key: string, freq: number, idle: bigint): void {
  if (ctx.ks.lfu) {
    if (freq < 0) return;
    const e = ctx.ks.peekEntry(ctx.db, key);
    if (e !== undefined) e.lru = lfuField(lfuMinutes(ctx.ks.lruClock), freq);
    return;
  }
  if (idle < 0n) return;
  const e = ctx.ks.peekEntry(ctx.db, key);
  if (e === undefined) return;
  const clock24 = BigInt(ctx.ks.lruClock & LRU_CLOCK_MAX);
  const max = BigInt(LRU_CLOCK_MAX);
  // lru_idle*1000/1000 in long long arithmetic (wrapping), then the absolute time.
  let abs = wrapInt64(clock24 - wrapInt64(idle * 1000n) / 1000n);
  if (abs < 0n) abs += max;
  const lru = BigInt.asUintN(24, abs); // the 24-bit bitfield keeps the low bits
  const reads = clock24 >= lru ? clock24 - lru : clock24 + max - lru;
  e.lru = ctx.ks.lruClock - Number(reads);
}

export const DUMP_RESTORE_COMMANDS: CommandDef[] = [
  { name: 'dump', handler: dump },
  { name: 'restore', handler: restore },
  // Without cluster mode RESTORE-ASKING is RESTORE (the ASKING flag only matters to redirections).
  { name: 'restore-asking', handler: restore },
];
