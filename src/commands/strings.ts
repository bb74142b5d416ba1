/**
 * String commands (t_string.c). Values stay latin1 JS strings until edited in
 * place (APPEND, SETRANGE), when they become a growable Bytes. Bit operations,
 * INCRBYFLOAT and LCS live in bitmaps.ts and strings-extra.ts.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { addInt64, parseInt64, INT64_MAX, type Int64 } from '../util/numbers.js';
import { Bytes } from '../datatypes/bytes.js';
import { isString, stringOf, type StringValue } from '../keyspace/value.js';
import { clock } from '../keyspace/clock.js';
import { int64OrReply, intOrReply, readString, writeString } from './helpers.js';

const NX = 1, XX = 2, GET = 4, KEEPTTL = 8, EX = 16, PX = 32, EXAT = 64, PXAT = 128, PERSIST = 256;

/** Largest string Redis accepts (proto-max-bulk-len); checkStringLength. */
export function checkStringLength(ctx: CommandContext, size: number): boolean {
  if (size > ctx.server.config.num('proto-max-bulk-len')) {
    ctx.reply.error(ERR.stringTooLong);
    return false;
  }
  return true;
}

interface ExpireArgs {
  flags: number;
  expire: string | null;
}

/**
 * parseExtendedStringArgumentsOrReply: SET's and GETEX's options. Returns null
 * after replying a syntax error.
 */
function parseExtended(ctx: CommandContext, from: number, isSet: boolean): ExpireArgs | null {
  const argv = ctx.argv;
  let flags = 0;
  let expire: string | null = null;
  for (let j = from; j < argv.length; j++) {
    const a = argv[j];
    const next = j + 1 < argv.length ? argv[j + 1] : null;
    const o = a.length <= 7 ? a.toLowerCase() : '';
    // As in Redis, repeating an option is allowed (the last EX/PX value wins); only conflicting ones are refused.
    if (isSet && o === 'nx' && !(flags & XX)) flags |= NX;
    else if (isSet && o === 'xx' && !(flags & NX)) flags |= XX;
    else if (isSet && o === 'get') flags |= GET;
    else if (isSet && o === 'keepttl' && !(flags & (PERSIST | EX | EXAT | PX | PXAT))) flags |= KEEPTTL;
    else if (!isSet && o === 'persist' && !(flags & (EX | EXAT | PX | PXAT | KEEPTTL))) flags |= PERSIST;
    else if (o === 'ex' && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && next !== null) {
      flags |= EX;
      expire = next;
      j++;
    } else if (o === 'px' && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && next !== null) {
      flags |= PX;
      expire = next;
      j++;
    } else if (o === 'exat' && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && next !== null) {
      flags |= EXAT;
      expire = next;
      j++;
    } else if (o === 'pxat' && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && next !== null) {
      flags |= PXAT;
      expire = next;
      j++;
    } else {
      ctx.reply.error(ERR.syntax);
      return null;
    }
  }
  return { flags, expire };
}

/** getExpireMillisecondsOrReply: the absolute expiry in ms, or null after replying. */
function expireMsOrReply(ctx: CommandContext, expire: string, flags: number): number | null {
  const n = parseInt64(expire);
  if (n === null) {
    ctx.reply.error(ERR.notInteger);
    return null;
  }
  const name = ctx.client.cmd!.fullname;
  if (n <= 0 || ((flags & (EX | EXAT)) && BigInt(n) > INT64_MAX / 1000n)) {
    ctx.reply.error(ERR.invalidExpire(name));
    return null;
  }
  let ms = BigInt(n);
  if (flags & (EX | EXAT)) ms *= 1000n;
  if (flags & (EX | PX)) ms += BigInt(clock.now());
  if (ms <= 0n || ms > INT64_MAX) {
    ctx.reply.error(ERR.invalidExpire(name));
    return null;
  }
  return Number(ms);
}

/** setGenericCommand, shared by SET, SETNX, SETEX, PSETEX. */
function setGeneric(ctx: CommandContext, key: string, value: string, flags: number, expire: string | null, okReply: boolean): void {
  const ks = ctx.ks;
  const db = ctx.db;
  let ms = 0;
  if (expire !== null) {
    const m = expireMsOrReply(ctx, expire, flags);
    if (m === null) return;
    ms = m;
  }
  let old: StringValue | undefined;
  if (flags & GET) {
    const v = readString(ctx, key);
    if (v === null) return;
    old = v;
  }
  if (flags & (NX | XX)) {
    const exists = ks.lookupWrite(db, key) !== undefined;
    if ((flags & NX && exists) || (flags & XX && !exists)) {
      if (flags & GET) {
        if (old === undefined) ctx.reply.nil();
        else ctx.reply.bulk(stringOf(old));
      } else if (okReply) ctx.reply.nil();
      else ctx.reply.int(0);
      return;
    }
  }
  ks.set(db, key, value, (flags & KEEPTTL) !== 0);
  ks.notify('string', 'set', key, db);
  if (expire !== null) {
    ks.setExpire(db, key, ms, false);
    ks.notify('generic', 'expire', key, db);
    // Replicas and the AOF get an absolute time, so they expire it at the same instant.
    if (!(flags & PXAT)) ctx.propagateAs(['SET', key, value, 'PXAT', String(ms)]);
  }
  if (flags & GET) {
    if (old === undefined) ctx.reply.nil();
    else ctx.reply.bulk(stringOf(old));
  } else if (okReply) ctx.reply.ok();
  else ctx.reply.int(1);
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL] */
function set(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length === 3) return setGeneric(ctx, argv[1], argv[2], 0, null, true);
  const opts = parseExtended(ctx, 3, true);
  if (opts === null) return;
  setGeneric(ctx, argv[1], argv[2], opts.flags, opts.expire, true);
}

/** SETNX key value */
function setnx(ctx: CommandContext): void {
  setGeneric(ctx, ctx.argv[1], ctx.argv[2], NX, null, false);
}

/** SETEX key seconds value */
function setex(ctx: CommandContext): void {
  setGeneric(ctx, ctx.argv[1], ctx.argv[3], EX, ctx.argv[2], true);
}

/** PSETEX key milliseconds value */
function psetex(ctx: CommandContext): void {
  setGeneric(ctx, ctx.argv[1], ctx.argv[3], PX, ctx.argv[2], true);
}

/** GET key */
function get(ctx: CommandContext): void {
  const v = ctx.ks.lookupRead(ctx.db, ctx.argv[1]);
  if (v === undefined) return ctx.reply.nil();
  if (typeof v === 'string') return ctx.reply.bulk(v);
  if (v instanceof Bytes) return ctx.reply.bulkBuffer(v.view());
  ctx.reply.error(ERR.wrongType);
}

/** GETDEL key: propagated as DEL. */
function getdel(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const v = readString(ctx, key);
  if (v === null) return;
  if (v === undefined) return ctx.reply.nil();
  ctx.reply.bulk(stringOf(v));
  ctx.ks.delete(ctx.db, key);
  ctx.ks.notify('generic', 'del', key, ctx.db);
  ctx.propagateAs(['DEL', key]);
}

/** GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST] */
function getex(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const opts = parseExtended(ctx, 2, false);
  if (opts === null) return;
  // Redis looks the key up before validating the expire time: a missing key answers nil whatever the time.
  const v = readString(ctx, key);
  if (v === null) return;
  if (v === undefined) return ctx.reply.nil();
  let ms = 0;
  if (opts.expire !== null) {
    const m = expireMsOrReply(ctx, opts.expire, opts.flags);
    if (m === null) return;
    ms = m;
  }
  ctx.reply.bulk(stringOf(v));
  const ks = ctx.ks;
  if (opts.expire !== null && ms <= clock.now() && !ks.isReplica) {
    ks.delete(ctx.db, key);
    ks.notify('generic', 'del', key, ctx.db);
    ctx.propagateAs(['DEL', key]);
  } else if (opts.expire !== null) {
    ks.setExpire(ctx.db, key, ms);
    ks.notify('generic', 'expire', key, ctx.db);
    ctx.propagateAs(['PEXPIREAT', key, String(ms)]);
  } else if (opts.flags & PERSIST) {
    if (ks.persist(ctx.db, key)) {
      ks.notify('generic', 'persist', key, ctx.db);
      ctx.propagateAs(['PERSIST', key]);
    }
  }
}

/** GETSET key value */
function getset(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const v = writeString(ctx, key);
  if (v === null) return;
  if (v === undefined) ctx.reply.nil();
  else ctx.reply.bulk(stringOf(v));
  ctx.ks.set(ctx.db, key, ctx.argv[2]);
  ctx.ks.notify('string', 'set', key, ctx.db);
  ctx.propagateAs(['SET', key, ctx.argv[2]]);
}

/** MGET key [key ...]: non-strings read as nil. */
function mget(ctx: CommandContext): void {
  const argv = ctx.argv;
  ctx.reply.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = ctx.ks.lookupRead(ctx.db, argv[i]);
    if (typeof v === 'string') ctx.reply.bulk(v);
    else if (v instanceof Bytes) ctx.reply.bulkBuffer(v.view());
    else ctx.reply.nil();
  }
}

function msetGeneric(ctx: CommandContext, nx: boolean): void {
  const argv = ctx.argv;
  if (argv.length % 2 === 0) return ctx.reply.error(ERR.wrongArity(ctx.client.cmd!.fullname));
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (ctx.ks.lookupWrite(ctx.db, argv[i]) !== undefined) return ctx.reply.int(0);
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    ctx.ks.set(ctx.db, argv[i], argv[i + 1]);
    ctx.ks.notify('string', 'set', argv[i], ctx.db);
  }
  if (nx) ctx.reply.int(1);
  else ctx.reply.ok();
}

/** MSET key value [key value ...] */
function mset(ctx: CommandContext): void {
  msetGeneric(ctx, false);
}

/** MSETNX key value [key value ...] */
function msetnx(ctx: CommandContext): void {
  msetGeneric(ctx, true);
}

/** incrDecrCommand: the stored value must be a canonical int64. */
function incrDecr(ctx: CommandContext, by: Int64): void {
  const key = ctx.argv[1];
  const ks = ctx.ks;
  const e = ks.peekEntry(ctx.db, key);
  let cur: Int64 = 0;
  if (e !== undefined) {
    const v = e.value;
    if (!isString(v)) return ctx.reply.error(ERR.wrongType);
    const n = parseInt64(typeof v === 'string' ? v : v.toString());
    if (n === null) return ctx.reply.error(ERR.notInteger);
    cur = n;
  }
  const r = addInt64(cur, by);
  if (r === null) return ctx.reply.error(ERR.overflow);
  const s = String(r);
  if (e !== undefined) {
    ks.touch(e);
    ks.replaceValue(ctx.db, key, e, s);
  } else {
    ks.set(ctx.db, key, s, true);
  }
  ks.notify('string', 'incrby', key, ctx.db);
  ctx.reply.int(r);
}

function incr(ctx: CommandContext): void {
  incrDecr(ctx, 1);
}
function decr(ctx: CommandContext): void {
  incrDecr(ctx, -1);
}
function incrby(ctx: CommandContext): void {
  const n = int64OrReply(ctx, ctx.argv[2]);
  if (n !== null) incrDecr(ctx, n);
}
function decrby(ctx: CommandContext): void {
  const n = int64OrReply(ctx, ctx.argv[2]);
  if (n === null) return;
  if (n === -9223372036854775808n) return ctx.reply.error('ERR decrement would overflow');
  incrDecr(ctx, typeof n === 'number' ? -n : -n);
}

/** APPEND key value: the value becomes a growable Bytes, as Redis makes it a raw SDS. */
function append(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const add = ctx.argv[2];
  const v = writeString(ctx, key);
  if (v === null) return;
  if (v === undefined) {
    ctx.ks.set(ctx.db, key, add);
    ctx.ks.notify('string', 'append', key, ctx.db);
    return ctx.reply.int(add.length);
  }
  if (!checkStringLength(ctx, v.length + add.length)) return;
  let b: Bytes;
  if (v instanceof Bytes) b = v;
  else {
    b = new Bytes(v, v.length + add.length);
    ctx.ks.set(ctx.db, key, b, true);
  }
  b.append(add);
  ctx.ks.modified(ctx.db, key);
  ctx.ks.notify('string', 'append', key, ctx.db);
  ctx.reply.int(b.length);
}

/** STRLEN key */
function strlen(ctx: CommandContext): void {
  const v = readString(ctx, ctx.argv[1]);
  if (v === null) return;
  ctx.reply.int(v === undefined ? 0 : v.length);
}

/** GETRANGE key start end (SUBSTR is the old name) */
function getrange(ctx: CommandContext): void {
  const s0 = intOrReply(ctx, ctx.argv[2]);
  if (s0 === null) return;
  const e0 = intOrReply(ctx, ctx.argv[3]);
  if (e0 === null) return;
  const v = readString(ctx, ctx.argv[1]);
  if (v === null) return;
  if (v === undefined) return ctx.reply.bulk('');
  let start = s0;
  let end = e0;
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return ctx.reply.bulk('');
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return ctx.reply.bulk('');
  const str = typeof v === 'string' ? v : v.buf.latin1Slice(start, end + 1);
  ctx.reply.bulk(typeof v === 'string' ? str.slice(start, end + 1) : str);
}

/** SETRANGE key offset value */
function setrange(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const value = ctx.argv[3];
  const offset = intOrReply(ctx, ctx.argv[2]);
  if (offset === null) return;
  if (offset < 0) return ctx.reply.error('ERR offset is out of range');
  const v = writeString(ctx, key);
  if (v === null) return;
  if (v === undefined) {
    if (value.length === 0) return ctx.reply.int(0);
    if (!checkStringLength(ctx, offset + value.length)) return;
    const b = new Bytes('', offset + value.length);
    b.ensure(offset + value.length);
    b.buf.write(value, offset, 'latin1');
    ctx.ks.set(ctx.db, key, b);
  } else {
    if (value.length === 0) return ctx.reply.int(v.length);
    if (!checkStringLength(ctx, offset + value.length)) return;
    let b: Bytes;
    if (v instanceof Bytes) b = v;
    else {
      b = new Bytes(v, Math.max(v.length, offset + value.length));
      ctx.ks.set(ctx.db, key, b, true);
    }
    b.ensure(offset + value.length);
    b.buf.write(value, offset, 'latin1');
    ctx.ks.modified(ctx.db, key);
  }
  ctx.ks.notify('string', 'setrange', key, ctx.db);
  ctx.reply.int(Math.max(v === undefined ? 0 : v.length, offset + value.length));
}

export const STRING_COMMANDS: CommandDef[] = [
  { name: 'set', handler: set },
  { name: 'setnx', handler: setnx },
  { name: 'setex', handler: setex },
  { name: 'psetex', handler: psetex },
  { name: 'get', handler: get },
  { name: 'getdel', handler: getdel },
  { name: 'getex', handler: getex },
  { name: 'getset', handler: getset },
  { name: 'mget', handler: mget },
  { name: 'mset', handler: mset },
  { name: 'msetnx', handler: msetnx },
  { name: 'incr', handler: incr },
  { name: 'decr', handler: decr },
  { name: 'incrby', handler: incrby },
  { name: 'decrby', handler: decrby },
  { name: 'append', handler: append },
  { name: 'strlen', handler: strlen },
  { name: 'getrange', handler: getrange },
  { name: 'substr', handler: getrange },
  { name: 'setrange', handler: setrange },
];
