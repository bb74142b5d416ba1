/**
 * Argument conversions shared by the command families, each replying with
 * Redis's error text and returning null when the argument is refused (the
 * getLongLongFromObjectOrReply family).
 */
import type { CommandContext } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseDouble, parseInt64, type Int64 } from '../util/numbers.js';
import { isString, type StringValue, type TypedValue, type Value } from '../keyspace/value.js';

export function int64OrReply(ctx: CommandContext, s: string, msg: string = ERR.notInteger): Int64 | null {
  const n = parseInt64(s);
  if (n === null) ctx.reply.error(msg);
  return n;
}

/** getLongLongFromObjectOrReply narrowed to a JS number (positions, counts, offsets). */
export function intOrReply(ctx: CommandContext, s: string, msg: string = ERR.notInteger): number | null {
  const n = parseInt64(s);
  if (n === null) {
    ctx.reply.error(msg);
    return null;
  }
  return Number(n);
}

export function doubleOrReply(ctx: CommandContext, s: string, msg: string = ERR.notFloat): number | null {
  const d = parseDouble(s);
  if (d === null) ctx.reply.error(msg);
  return d;
}

/** Looks a key up for reading and checks it holds a string; replies WRONGTYPE otherwise. */
export function readString(ctx: CommandContext, key: string): StringValue | undefined | null {
  const v = ctx.ks.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  if (!isString(v)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** As readString, with write lookup semantics (no hit/miss stats). */
export function writeString(ctx: CommandContext, key: string): StringValue | undefined | null {
  const v = ctx.ks.lookupWrite(ctx.db, key);
  if (v === undefined) return undefined;
  if (!isString(v)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

export function isWrongType(v: Value | undefined): boolean {
  return v !== undefined && !isString(v);
}

/** Case-insensitive option compare without allocating for the common case. */
export function eqi(a: string, lowerB: string): boolean {
  return a.length === lowerB.length && (a === lowerB || a.toLowerCase() === lowerB);
}

const ULONG_SPAN = 1n << 64n;

/**
 * parseScanCursorOrReply's parsing (SCAN, HSCAN, SSCAN): strtoul(3) over the
 * argument as a C string, refusing a leading space, trailing garbage and
 * overflow, so "" is cursor 0 and "-1" wraps to 2^64-1 as in Redis. Null
 * means "ERR invalid cursor".
 */
export function parseScanCursor(arg: string): bigint | null {
  const nul = arg.indexOf('\0');
  const s = nul < 0 ? arg : arg.slice(0, nul);
  if (s.length === 0) return 0n;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  let i = 0;
  let neg = false;
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  if (i === s.length) return null;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s.slice(i));
  if (v >= ULONG_SPAN) return null;
  return neg && v !== 0n ? ULONG_SPAN - v : v;
}

/**
 * checkType for the collection types: the value as `T` when it is of `kind`,
 * undefined when the key is missing, null after replying WRONGTYPE.
 */
export function ofKind<T extends TypedValue>(ctx: CommandContext, v: Value | undefined, kind: TypedValue['kind']): T | undefined | null {
  if (v === undefined) return undefined;
  if (isString(v) || v.kind !== kind) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v as T;
}
