/**
 * The rest of the generic key commands (db.c, object.c): RENAME, RENAMENX,
 * KEYS, SCAN, RANDOMKEY, COPY, MOVE and OBJECT. SORT is in sort.ts.
 *
 * SCAN's cursor is a position in the db's KeyTable; see KeyTable#scan for
 * why it keeps Redis's guarantee.
 */
import { lfuDecrAndReturn, lfuMinutes, lruIdleSeconds } from '../keyspace/lfu.js';
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import type { Database } from '../keyspace/database.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { globMatch } from '../util/glob.js';
import { clock } from '../keyspace/clock.js';
import { isString, typeName, type StringValue, type TypedValue, type Value } from '../keyspace/value.js';
import { Bytes } from '../datatypes/bytes.js';
import { eqi, parseScanCursor } from './helpers.js';

// ---- RENAME / RENAMENX ------------------------------------------------------

/**
 * renameGenericCommand. Renaming a key onto itself is a no-op that still
 * wants the key to exist. The value, its TTL and its LRU move along.
 */
function renameGeneric(ctx: CommandContext, nx: boolean): void {
  const ks = ctx.ks;
  const db = ctx.db;
  const src = ctx.argv[1];
  const dst = ctx.argv[2];
  if (ks.lookupWrite(db, src) === undefined) return ctx.reply.error(ERR.noKey);
  if (src === dst) return nx ? ctx.reply.int(0) : ctx.reply.ok();
  if (ks.lookupWrite(db, dst) !== undefined && nx) return ctx.reply.int(0);
  ks.moveKey(db, src, db, dst);
  ks.notify('generic', 'rename_from', src, db);
  ks.notify('generic', 'rename_to', dst, db);
  if (nx) ctx.reply.int(1);
  else ctx.reply.ok();
}

function rename(ctx: CommandContext): void {
  renameGeneric(ctx, false);
}
function renamenx(ctx: CommandContext): void {
  renameGeneric(ctx, true);
}

// ---- KEYS -------------------------------------------------------------------

/** KEYS pattern: logically expired keys are skipped but not deleted (keyIsExpired). */
function keys(ctx: CommandContext): void {
  const pattern = ctx.argv[1];
  const all = pattern === '*';
  const db = ctx.db;
  const expires = db.expires;
  const now = clock.now();
  const out: string[] = [];
  for (const k of db.keys.keys()) {
    if (!all && !globMatch(pattern, k)) continue;
    if (expires.size !== 0) {
      const t = expires.get(k);
      if (t !== undefined && now > t) continue;
    }
    out.push(k);
  }
  ctx.reply.array(out.length);
  for (const k of out) ctx.reply.bulk(k);
}

// ---- SCAN -------------------------------------------------------------------


/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
function scan(ctx: CommandContext): void {
  const argv = ctx.argv;
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) return ctx.reply.error('ERR invalid cursor');
  let count = 10;
  let pattern: string | null = null;
  let type: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const more = argv.length - i >= 2;
    if (more && eqi(argv[i], 'count')) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      if (n < 1) return ctx.reply.error(ERR.syntax);
      count = Number(n);
    } else if (more && eqi(argv[i], 'match')) {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else if (more && eqi(argv[i], 'type')) {
      type = argv[i + 1].toLowerCase();
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  const ks = ctx.ks;
  const db = ctx.db;
  const at = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
  const step = db.keys.scan(at, count);
  const out: string[] = [];
  for (const k of step.keys) {
    if (pattern !== null && !globMatch(pattern, k)) continue;
    if (type !== null) {
      // lookupKeyReadWithFlags(NOTOUCH): counts a hit or miss, may expire the key.
      const e = ks.peekEntry(db, k);
      if (e === undefined) ks.stats.misses++;
      else ks.stats.hits++;
      if ((e === undefined ? 'none' : typeName(e.value)) !== type) continue;
    }
    if (!ks.exists(db, k)) continue;
    out.push(k);
  }
  ctx.reply.array(2);
  ctx.reply.bulk(String(step.next));
  ctx.reply.array(out.length);
  for (const k of out) ctx.reply.bulk(k);
}

// ---- RANDOMKEY --------------------------------------------------------------

/**
 * dbRandomKey: a fair random key; an expired pick is deleted (on a master)
 * and another drawn. A replica whose keys all have a TTL gives up after 100
 * draws and returns an expired name rather than spin.
 */
function randomkey(ctx: CommandContext): void {
  const ks = ctx.ks;
  const db = ctx.db;
  const allVolatile = db.keys.size === db.expires.size;
  let tries = 100;
  for (;;) {
    const k = db.keys.randomKey();
    if (k === undefined) return ctx.reply.nil();
    if (db.expires.has(k)) {
      if (allVolatile && ks.isReplica && --tries === 0) return ctx.reply.bulk(k);
      if (ks.expireIfNeeded(db, k)) continue;
    }
    return ctx.reply.bulk(k);
  }
}

// ---- COPY / MOVE ------------------------------------------------------------

/**
 * getIntFromObjectOrReply followed by selectDb's range check, as COPY's DB
 * option and MOVE parse a database index.
 */
function dbOrReply(ctx: CommandContext, s: string): Database | null {
  const n = parseInt64(s);
  if (n === null) {
    ctx.reply.error(ERR.notInteger);
    return null;
  }
  if (typeof n !== 'number' || n < -2147483648 || n > 2147483647) {
    ctx.reply.error('ERR value is out of range, value must between -2147483648 and 2147483647');
    return null;
  }
  if (n < 0 || n >= ctx.ks.dbs.length) {
    ctx.reply.error(ERR.selectDbRange);
    return null;
  }
  return ctx.ks.dbs[n];
}

/**
 * A value a data type can copy. Lists, sets, hashes, zsets and streams are
 * expected to implement `dup()` (a deep copy); a type that does not gets
 * Redis's "unknown type object" answer from COPY.
 */
interface Duplicable {
  dup(): TypedValue;
}

/** dupStringObject and friends: a copy that shares nothing mutable. */
export function duplicateValue(v: Value): Value | null {
  if (typeof v === 'string') return v;
  if (v instanceof Bytes) return new Bytes(v.view());
  const d = (v as Partial<Duplicable>).dup;
  return typeof d === 'function' ? d.call(v) : null;
}

/** COPY source destination [DB destination-db] [REPLACE] */
function copy(ctx: CommandContext): void {
  const argv = ctx.argv;
  const ks = ctx.ks;
  const src = ctx.db;
  let dst = ctx.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (eqi(argv[j], 'replace')) replace = true;
    else if (eqi(argv[j], 'db') && j + 1 < argv.length) {
      const d = dbOrReply(ctx, argv[j + 1]);
      if (d === null) return;
      dst = d;
      j++;
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  // Cluster mode has db 0 only (the range is checked first, as Redis does).
  if (ctx.server.cluster !== null && dst !== src) return ctx.reply.error('ERR Copying to another database is not allowed in cluster mode');
  const key = argv[1];
  const newKey = argv[2];
  if (src === dst && key === newKey) return ctx.reply.error(ERR.sameObject);
  const v = ks.lookupRead(src, key);
  if (v === undefined) return ctx.reply.int(0);
  const expire = ks.expireAt(src, key);
  if (ks.lookupWrite(dst, newKey) !== undefined && !replace) return ctx.reply.int(0);
  const dup = duplicateValue(v);
  if (dup === null) return ctx.reply.error('ERR unknown type object');
  // Redis deletes then adds; overwriting in place is the same to a client and
  // keeps the name's SCAN incarnation (scan-index.ts). set() drops the old TTL.
  ks.set(dst, newKey, dup);
  if (expire !== -1) ks.setExpire(dst, newKey, expire, false);
  ks.notify('generic', 'copy_to', newKey, dst);
  ctx.reply.int(1);
}

/** MOVE key db: value, TTL and LRU move to the other db unless the name is taken there. */
function move(ctx: CommandContext): void {
  if (ctx.server.cluster !== null) return ctx.reply.error('ERR MOVE is not allowed in cluster mode');
  const ks = ctx.ks;
  const src = ctx.db;
  const key = ctx.argv[1];
  const dst = dbOrReply(ctx, ctx.argv[2]);
  if (dst === null) return;
  if (dst === src) return ctx.reply.error(ERR.sameObject);
  if (ks.lookupWrite(src, key) === undefined) return ctx.reply.int(0);
  if (ks.lookupWrite(dst, key) !== undefined) return ctx.reply.int(0);
  ks.moveKey(src, key, dst, key);
  ks.notify('generic', 'move_from', key, src);
  ks.notify('generic', 'move_to', key, dst);
  ctx.reply.int(1);
}

// ---- OBJECT -----------------------------------------------------------------

/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT */
const EMBSTR_LIMIT = 44;
/** OBJ_SHARED_INTEGERS: 0..9999 are shared objects when sharing is allowed. */
const SHARED_INTEGERS = 10000;
/** OBJ_SHARED_REFCOUNT */
const SHARED_REFCOUNT = 2147483647;

/**
 * A data type may say how Redis would encode it (listpack, intset...). Until
 * a type does, its 7.0 general-purpose encoding is reported.
 */
interface Encoded {
  encoding(): string;
}
const DEFAULT_ENCODING: Record<TypedValue['kind'], string> = {
  list: 'quicklist', set: 'hashtable', zset: 'skiplist', hash: 'hashtable', stream: 'stream',
};

/**
 * tryObjectEncoding's decision for a string: "int" for a canonical int64 of
 * at most 20 chars, "embstr" up to 44 bytes, "raw" beyond. A Bytes is a value
 * edited in place (APPEND, SETRANGE, SETBIT), which Redis keeps raw.
 */
export function stringEncoding(v: StringValue): 'int' | 'embstr' | 'raw' {
  if (typeof v !== 'string') return 'raw';
  if (v.length <= 20 && parseInt64(v) !== null) return 'int';
  return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

export function encodingOf(v: Value): string {
  if (isString(v)) return stringEncoding(v);
  const e = (v as Partial<Encoded>).encoding;
  return typeof e === 'function' ? e.call(v) : DEFAULT_ENCODING[v.kind];
}

function lfuPolicy(ctx: CommandContext): boolean {
  return ctx.ks.lfu;
}

/** MAXMEMORY_FLAG_NO_SHARED_INTEGERS applies with maxmemory set and an LRU or LFU policy. */
function sharedIntegersAllowed(ctx: CommandContext): boolean {
  const policy = ctx.server.config.get('maxmemory-policy');
  return ctx.server.config.num('maxmemory') === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

/**
 * objectCommandLookupOrReply: the entry without refreshing its LRU, counting
 * a keyspace hit or miss; a missing key answers null.
 */
function objectLookup(ctx: CommandContext) {
  const e = ctx.ks.peekEntry(ctx.db, ctx.argv[2]);
  if (e === undefined) {
    ctx.ks.stats.misses++;
    ctx.reply.nil();
  } else {
    ctx.ks.stats.hits++;
  }
  return e;
}

function objectEncoding(ctx: CommandContext): void {
  const e = objectLookup(ctx);
  if (e !== undefined) ctx.reply.bulk(encodingOf(e.value));
}

function objectRefcount(ctx: CommandContext): void {
  const e = objectLookup(ctx);
  if (e === undefined) return;
  const v = e.value;
  if (typeof v === 'string' && stringEncoding(v) === 'int' && sharedIntegersAllowed(ctx)) {
    const n = parseInt64(v)!;
    if (n >= 0 && n < SHARED_INTEGERS) return ctx.reply.int(SHARED_REFCOUNT);
  }
  ctx.reply.int(1);
}

function idleSeconds(ctx: CommandContext, lru: number): number {
  return lruIdleSeconds(ctx.ks.lruClock, lru);
}

function objectIdletime(ctx: CommandContext): void {
  const e = objectLookup(ctx);
  if (e === undefined) return;
  if (lfuPolicy(ctx)) {
    return ctx.reply.error(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  ctx.reply.int(idleSeconds(ctx, e.lru));
}

/** OBJECT FREQ: the LFU counter decayed to now (LFUDecrAndReturn), without counting an access. */
function objectFreq(ctx: CommandContext): void {
  const e = objectLookup(ctx);
  if (e === undefined) return;
  if (!lfuPolicy(ctx)) {
    return ctx.reply.error(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  }
  const ks = ctx.ks;
  ctx.reply.int(lfuDecrAndReturn(e.lru, lfuMinutes(ks.lruClock), ks.lfuDecayTime));
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectHelp(ctx: CommandContext): void {
  ctx.reply.array(OBJECT_HELP.length);
  for (const l of OBJECT_HELP) ctx.reply.simple(l);
}

export const KEY_EXTRA_COMMANDS: CommandDef[] = [
  { name: 'rename', handler: rename },
  { name: 'renamenx', handler: renamenx },
  { name: 'keys', handler: keys },
  { name: 'scan', handler: scan },
  { name: 'randomkey', handler: randomkey },
  { name: 'copy', handler: copy },
  { name: 'move', handler: move },
  { name: 'object|encoding', handler: objectEncoding },
  { name: 'object|refcount', handler: objectRefcount },
  { name: 'object|idletime', handler: objectIdletime },
  { name: 'object|freq', handler: objectFreq },
  { name: 'object|help', handler: objectHelp },
];
