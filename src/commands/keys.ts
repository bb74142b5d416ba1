/**
 * Generic key commands (db.c, expire.c): DEL, UNLINK, EXISTS, TYPE, TOUCH,
 * the EXPIRE family, TTL family and PERSIST. RENAME, KEYS, SCAN, COPY, MOVE,
 * OBJECT, RANDOMKEY and SORT are in keys-*.ts beside this file.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64, INT64_MAX, INT64_MIN } from '../util/numbers.js';
import { clock } from '../keyspace/clock.js';
import { typeName } from '../keyspace/value.js';

/** DEL key [key ...] / UNLINK: the same to a client; UNLINK frees in the background in Redis. */
function del(ctx: CommandContext): void {
  let n = 0;
  const argv = ctx.argv;
  for (let i = 1; i < argv.length; i++) {
    if (ctx.ks.lookupWrite(ctx.db, argv[i]) !== undefined && ctx.ks.delete(ctx.db, argv[i])) {
      ctx.ks.notify('generic', 'del', argv[i], ctx.db);
      n++;
    }
  }
  ctx.reply.int(n);
}

/** EXISTS key [key ...]: a key named twice counts twice. */
function exists(ctx: CommandContext): void {
  let n = 0;
  const argv = ctx.argv;
  // LOOKUP_NOTOUCH: counted as a hit or miss, but the key's idle time is kept.
  for (let i = 1; i < argv.length; i++) if (ctx.ks.lookupRead(ctx.db, argv[i], false) !== undefined) n++;
  ctx.reply.int(n);
}

/** TOUCH key [key ...] */
function touch(ctx: CommandContext): void {
  let n = 0;
  const argv = ctx.argv;
  for (let i = 1; i < argv.length; i++) if (ctx.ks.lookupRead(ctx.db, argv[i]) !== undefined) n++;
  ctx.reply.int(n);
}

/** TYPE key */
function type(ctx: CommandContext): void {
  const v = ctx.ks.lookupRead(ctx.db, ctx.argv[1], false);
  ctx.reply.simple(v === undefined ? 'none' : typeName(v));
}

const E_NX = 1, E_XX = 2, E_GT = 4, E_LT = 8;

/**
 * expireGenericCommand. `basetime` is now for EXPIRE/PEXPIRE, 0 for the AT
 * forms; `seconds` for EXPIRE/EXPIREAT. Propagated as PEXPIREAT with the
 * absolute time, or as DEL when the time is already past.
 */
function expireGeneric(ctx: CommandContext, basetime: number, seconds: boolean): void {
  const argv = ctx.argv;
  const key = argv[1];
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const o = argv[j].toLowerCase();
    if (o === 'nx') flags |= E_NX;
    else if (o === 'xx') flags |= E_XX;
    else if (o === 'gt') flags |= E_GT;
    else if (o === 'lt') flags |= E_LT;
    else return ctx.reply.error(`ERR Unsupported option ${argv[j]}`);
  }
  if (flags & E_NX && flags & (E_XX | E_GT | E_LT)) {
    return ctx.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if (flags & E_GT && flags & E_LT) return ctx.reply.error('ERR GT and LT options at the same time are not compatible');
  const n = parseInt64(argv[2]);
  if (n === null) return ctx.reply.error(ERR.notInteger);
  let when = BigInt(n);
  const name = ctx.client.cmd!.fullname;
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) return ctx.reply.error(ERR.invalidExpire(name));
    when *= 1000n;
  }
  if (when > INT64_MAX - BigInt(basetime)) return ctx.reply.error(ERR.invalidExpire(name));
  when += BigInt(basetime);
  const ks = ctx.ks;
  if (ks.lookupWrite(ctx.db, key) === undefined) return ctx.reply.int(0);
  const w = Number(when);
  if (flags) {
    const cur = ks.expireAt(ctx.db, key);
    if (flags & E_NX && cur !== -1) return ctx.reply.int(0);
    if (flags & E_XX && cur === -1) return ctx.reply.int(0);
    if (flags & E_GT && (w <= cur || cur === -1)) return ctx.reply.int(0);
    if (flags & E_LT && cur !== -1 && w >= cur) return ctx.reply.int(0);
  }
  if (w <= clock.now() && !ks.isReplica) {
    ks.delete(ctx.db, key);
    ks.notify('generic', 'del', key, ctx.db);
    ctx.propagateAs([ks.lazyfreeExpire ? 'UNLINK' : 'DEL', key]);
    return ctx.reply.int(1);
  }
  ks.setExpire(ctx.db, key, w);
  ks.notify('generic', 'expire', key, ctx.db);
  ctx.propagateAs(['PEXPIREAT', key, String(when), ...argv.slice(3)]);
  ctx.reply.int(1);
}

function expire(ctx: CommandContext): void {
  expireGeneric(ctx, clock.now(), true);
}
function pexpire(ctx: CommandContext): void {
  expireGeneric(ctx, clock.now(), false);
}
function expireat(ctx: CommandContext): void {
  expireGeneric(ctx, 0, true);
}
function pexpireat(ctx: CommandContext): void {
  expireGeneric(ctx, 0, false);
}

/** ttlGenericCommand: -2 no key, -1 no TTL; seconds are rounded to nearest. */
function ttlGeneric(ctx: CommandContext, ms: boolean, absolute: boolean): void {
  const key = ctx.argv[1];
  if (ctx.ks.lookupRead(ctx.db, key, false) === undefined) return ctx.reply.int(-2);
  const exp = ctx.ks.expireAt(ctx.db, key);
  if (exp === -1) return ctx.reply.int(-1);
  let ttl = absolute ? exp : exp - clock.now();
  if (ttl < 0) ttl = 0;
  ctx.reply.int(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function ttl(ctx: CommandContext): void {
  ttlGeneric(ctx, false, false);
}
function pttl(ctx: CommandContext): void {
  ttlGeneric(ctx, true, false);
}
function expiretime(ctx: CommandContext): void {
  ttlGeneric(ctx, false, true);
}
function pexpiretime(ctx: CommandContext): void {
  ttlGeneric(ctx, true, true);
}

/** PERSIST key */
function persist(ctx: CommandContext): void {
  const key = ctx.argv[1];
  if (ctx.ks.lookupWrite(ctx.db, key) === undefined) return ctx.reply.int(0);
  if (ctx.ks.persist(ctx.db, key)) {
    ctx.ks.notify('generic', 'persist', key, ctx.db);
    ctx.reply.int(1);
  } else {
    ctx.reply.int(0);
  }
}

export const KEY_COMMANDS: CommandDef[] = [
  { name: 'del', handler: del },
  { name: 'unlink', handler: del },
  { name: 'exists', handler: exists },
  { name: 'touch', handler: touch },
  { name: 'type', handler: type },
  { name: 'expire', handler: expire },
  { name: 'pexpire', handler: pexpire },
  { name: 'expireat', handler: expireat },
  { name: 'pexpireat', handler: pexpireat },
  { name: 'ttl', handler: ttl },
  { name: 'pttl', handler: pttl },
  { name: 'expiretime', handler: expiretime },
  { name: 'pexpiretime', handler: pexpiretime },
  { name: 'persist', handler: persist },
];
