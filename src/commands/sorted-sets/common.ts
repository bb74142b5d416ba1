/**
 * What the sorted-set command files share: number parsing exactly as Redis's
 * strtod-based parsers accept it, range specs, typed lookups, limits from the
 * config, and reply helpers for member/score pairs.
 */
import type { CommandContext } from '../../dispatch/command-spec.js';
import { ERR } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import type { Value } from '../../keyspace/value.js';
import { SortedSet, type LexBound, type LexRange, type ScoreRange, type ZsetLimits } from '../../datatypes/sorted-set.js';

export const ZERR = {
  minMaxNotFloat: 'ERR min or max is not a float',
  minMaxNotLex: 'ERR min or max not valid string range item',
  nan: 'ERR resulting score is not a number (NaN)',
  xxNx: 'ERR XX and NX options at the same time are not compatible',
  gtLtNx: 'ERR GT, LT, and/or NX options at the same time are not compatible',
  incrPair: 'ERR INCR option supports a single increment-element pair',
  weight: 'ERR weight value is not a float',
  limitRank: 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  withscoresLex: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  positive: 'ERR value is out of range, must be positive',
  numkeys: 'ERR numkeys should be greater than 0',
  count: 'ERR count should be greater than 0',
  limitNegative: "ERR LIMIT can't be negative",
  outOfRange: 'ERR value is out of range',
  atLeastOneKey: (cmd: string) => `ERR at least 1 input key is needed for '${cmd}' command`,
  invalidCursor: 'ERR invalid cursor',
} as const;

// ---- strtod ------------------------------------------------------------------

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export interface StrtodResult {
  value: number;
  /** Index just past what was consumed (0 when nothing was). */
  end: number;
  /** errno == ERANGE: overflow to ±inf or underflow to 0. */
  erange: boolean;
}

/** glibc strtod(3) over a latin1 string (stopping at a NUL, as the C string would). */
export function strtod(s: string): StrtodResult {
  const nul = s.indexOf('\0');
  const len = nul < 0 ? s.length : nul;
  let i = 0;
  while (i < len && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i++;
  }
  const rest = s.slice(i, Math.min(len, i + 8)).toLowerCase();
  if (rest.startsWith('inf')) {
    const end = i + (rest.startsWith('infinity') ? 8 : 3);
    return { value: neg ? -Infinity : Infinity, end, erange: false };
  }
  if (rest.startsWith('nan')) {
    let end = i + 3;
    if (s.charCodeAt(end) === 40) {
      let j = end + 1;
      while (j < len && /[0-9A-Za-z_]/.test(s[j])) j++;
      if (j < len && s.charCodeAt(j) === 41) end = j + 1;
    }
    return { value: NaN, end, erange: false };
  }
  // Hexadecimal: 0x, hex digits, optional '.', optional p exponent.
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    let j = i + 2;
    let mant = 0;
    let digits = 0;
    let exp = 0;
    while (j < len && hexVal(s.charCodeAt(j)) >= 0) {
      mant = mant * 16 + hexVal(s.charCodeAt(j));
      j++;
      digits++;
    }
    if (j < len && s.charCodeAt(j) === 46) {
      let k = j + 1;
      let frac = 0;
      while (k < len && hexVal(s.charCodeAt(k)) >= 0) {
        mant = mant * 16 + hexVal(s.charCodeAt(k));
        exp -= 4;
        k++;
        frac++;
      }
      if (digits + frac > 0) {
        digits += frac;
        j = k;
      }
    }
    if (digits > 0) {
      if ((s.charCodeAt(j) | 32) === 112) {
        let k = j + 1;
        let eneg = false;
        if (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45) {
          eneg = s.charCodeAt(k) === 45;
          k++;
        }
        if (k < len && isDigit(s.charCodeAt(k))) {
          let e = 0;
          while (k < len && isDigit(s.charCodeAt(k))) {
            e = Math.min(e * 10 + (s.charCodeAt(k) - 48), 100000);
            k++;
          }
          exp += eneg ? -e : e;
          j = k;
        }
      }
      const v = mant * Math.pow(2, exp);
      const value = neg ? -v : v;
      return { value, end: j, erange: (!Number.isFinite(v)) || (v === 0 && mant !== 0) };
    }
    // "0x" with no hex digits: just the "0".
    return { value: neg ? -0 : 0, end: i + 1, erange: false };
  }
  const start = i;
  let j = i;
  let digits = 0;
  let nonzero = false;
  while (j < len && isDigit(s.charCodeAt(j))) {
    if (s.charCodeAt(j) !== 48) nonzero = true;
    j++;
    digits++;
  }
  if (j < len && s.charCodeAt(j) === 46) {
    let k = j + 1;
    let frac = 0;
    while (k < len && isDigit(s.charCodeAt(k))) {
      if (s.charCodeAt(k) !== 48) nonzero = true;
      k++;
      frac++;
    }
    if (digits + frac > 0) {
      digits += frac;
      j = k;
    }
  }
  if (digits === 0) return { value: 0, end: 0, erange: false };
  if ((s.charCodeAt(j) | 32) === 101) {
    let k = j + 1;
    if (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45) k++;
    if (k < len && isDigit(s.charCodeAt(k))) {
      while (k < len && isDigit(s.charCodeAt(k))) k++;
      j = k;
    }
  }
  const v = Number(s.slice(start, j));
  return { value: neg ? -v : v, end: j, erange: !Number.isFinite(v) || (v === 0 && nonzero) };
}

/**
 * string2d, as getDoubleFromObject uses it (ZADD scores, ZINCRBY, WEIGHTS):
 * no leading space, the whole string, no overflow or underflow to zero, not NaN.
 */
export function parseScore(s: string): number | null {
  // The common score is a short plain integer: read its digits directly.
  const len = s.length;
  if (len > 0 && len <= 15) {
    let i = s.charCodeAt(0) === 45 ? 1 : 0;
    if (i < len) {
      let n = 0;
      for (; i < len; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      if (i === len) return s.charCodeAt(0) === 45 ? -n : n;
    }
  }
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length) return null;
  if (r.erange && (!Number.isFinite(r.value) || r.value === 0)) return null;
  if (Number.isNaN(r.value)) return null;
  return r.value;
}

export function scoreOrReply(ctx: CommandContext, s: string, msg: string = ERR.notFloat): number | null {
  const d = parseScore(s);
  if (d === null) ctx.reply.error(msg);
  return d;
}

/** One end of zslParseRange: strtod over the C string, '(' for exclusive. */
function parseScoreBound(s: string): { v: number; ex: boolean } | null {
  const nul = s.indexOf('\0');
  const c = nul < 0 ? s : s.slice(0, nul);
  const ex = c.charCodeAt(0) === 40;
  const body = ex ? c.slice(1) : c;
  const r = strtod(body);
  if (r.end !== body.length) {
    // strtod consumed nothing: eptr is the start, valid only when that is the end.
    if (!(r.end === 0 && body.length === 0)) return null;
  }
  if (Number.isNaN(r.value)) return null;
  return { v: r.value, ex };
}

/** zslParseRange */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = parseScoreBound(min);
  if (a === null) return null;
  const b = parseScoreBound(max);
  if (b === null) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex };
}

/** zslParseLexRangeItem */
function parseLexItem(s: string): { b: LexBound; ex: boolean } | null {
  const c = s.charCodeAt(0);
  if (c === 43 || c === 45) {
    if (s.length !== 1 && s.charCodeAt(1) !== 0) return null;
    return { b: { inf: c === 43 ? 1 : -1, s: '' }, ex: true };
  }
  if (c === 40) return { b: { inf: 0, s: s.slice(1) }, ex: true };
  if (c === 91) return { b: { inf: 0, s: s.slice(1) }, ex: false };
  return null;
}

/** zslParseLexRange */
export function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexItem(min);
  const b = parseLexItem(max);
  if (a === null || b === null) return null;
  return { min: a.b, max: b.b, minex: a.ex, maxex: b.ex };
}

// ---- integers ------------------------------------------------------------------

/** getLongFromObjectOrReply */
export function longOrReply(ctx: CommandContext, s: string, msg: string = ERR.notInteger): number | null {
  const n = parseInt64(s);
  if (n === null) {
    ctx.reply.error(msg);
    return null;
  }
  return Number(n);
}

/** getRangeLongFromObjectOrReply (bounds as int64). */
export function rangeLongOrReply(ctx: CommandContext, s: string, min: bigint, max: bigint, msg: string | null): number | null {
  const n = parseInt64(s);
  if (n === null) {
    ctx.reply.error(msg ?? ERR.notInteger);
    return null;
  }
  const b = BigInt(n);
  if (b < min || b > max) {
    ctx.reply.error(msg ?? `ERR value is out of range, value must between ${min} and ${max}`);
    return null;
  }
  return Number(n);
}

export const LONG_MAX = 9223372036854775807n;

// ---- lookups --------------------------------------------------------------------

export function limitsOf(ctx: CommandContext): ZsetLimits {
  const c = ctx.server.config;
  return { entries: c.num('zset-max-listpack-entries'), value: c.num('zset-max-listpack-value') };
}

export function isZset(v: Value | undefined): v is SortedSet {
  return v instanceof SortedSet;
}

/** lookupKeyRead + checkType: the set, undefined when missing, null after WRONGTYPE. */
export function readZset(ctx: CommandContext, key: string): SortedSet | undefined | null {
  const v = ctx.ks.lookupRead(ctx.db, key);
  if (v === undefined) return undefined;
  if (!(v instanceof SortedSet)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** lookupKeyWrite + checkType. */
export function writeZset(ctx: CommandContext, key: string): SortedSet | undefined | null {
  const v = ctx.ks.lookupWrite(ctx.db, key);
  if (v === undefined) return undefined;
  if (!(v instanceof SortedSet)) {
    ctx.reply.error(ERR.wrongType);
    return null;
  }
  return v;
}

/**
 * After removing `removed` members in place: counts the change, deletes the
 * key when the set became empty (then notifies `event` and del), else notifies.
 */
export function afterRemoval(ctx: CommandContext, key: string, z: SortedSet, removed: number, event: string): void {
  if (removed === 0) return;
  const ks = ctx.ks;
  if (z.length === 0) {
    if (removed > 1) ks.modified(ctx.db, key, removed - 1);
    ks.delete(ctx.db, key);
    ks.notify('zset', event, key, ctx.db);
    ks.notify('generic', 'del', key, ctx.db);
  } else {
    ks.modified(ctx.db, key, removed);
    ks.notify('zset', event, key, ctx.db);
  }
}

/**
 * Stores a result set at `dest` (setKey) or, when empty, deletes `dest`;
 * replies with the result's length and notifies `event` (or del).
 */
export function storeResult(ctx: CommandContext, dest: string, z: SortedSet, event: string): void {
  const ks = ctx.ks;
  if (z.length > 0) {
    ks.set(ctx.db, dest, z);
    ctx.reply.int(z.length);
    ks.notify('zset', event, dest, ctx.db);
  } else {
    ctx.reply.int(0);
    if (ks.delete(ctx.db, dest)) ks.notify('generic', 'del', dest, ctx.db);
  }
}

// ---- replies --------------------------------------------------------------------

/** The array header for n elements, doubled in RESP2 when scores are flat. */
export function replyArrayFor(ctx: CommandContext, n: number, withScores: boolean): void {
  ctx.reply.array(withScores && ctx.reply.resp === 2 ? n * 2 : n);
}

/** One element: bulk member, then its score (a nested pair in RESP3). */
export function replyElement(ctx: CommandContext, member: string, score: number, withScores: boolean): void {
  const r = ctx.reply;
  if (withScores && r.resp > 2) r.array(2);
  r.bulk(member);
  if (withScores) r.double(score);
}

