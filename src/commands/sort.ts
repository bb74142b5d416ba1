/**
 * SORT and SORT_RO (sort.c).
 *
 * SORT reads the elements of a list, set or sorted set and writes its STORE
 * result as a list. Those types arrive later, so the two ends are isolated:
 * `sortInput` turns a key's value into elements (today: a missing key is an
 * empty list, a string is WRONGTYPE, as in Redis) and `storeList` writes the
 * result (today only the empty result, which deletes the destination, can
 * occur). Each data type plugs in through SORT_TYPES without touching the
 * sorting logic below.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { isString, stringOf, type TypedValue, type Value } from '../keyspace/value.js';
import { eqi } from './helpers.js';

type SortKind = 'list' | 'set' | 'zset';

/** Hooks the collection types fill in. */
export const SORT_TYPES = {
  /** kind → its elements in native order (list head to tail, zset by rank, set in iteration order). */
  elements: new Map<SortKind, (v: TypedValue) => string[]>(),
  /** Builds a list value holding `elements` (SORT ... STORE). */
  newList: null as ((elements: string[]) => TypedValue) | null,
  /** A hash field's value, or null (the `key->field` patterns of BY and GET). */
  hashField: null as ((v: TypedValue, field: string) => string | null) | null,
  /** zsetConvert(OBJ_ENCODING_SKIPLIST): SORT converts a sorted set it reads, whatever the options. */
  zsetToSkiplist: null as ((v: TypedValue) => void) | null,
};

interface SortInput {
  kind: SortKind;
  elements: string[];
}

/** The value to sort: null means WRONGTYPE; a missing key sorts as an empty list. */
function sortInput(v: Value | undefined): SortInput | null {
  if (v === undefined) return { kind: 'list', elements: [] };
  if (isString(v)) return null;
  const kind = v.kind;
  if (kind !== 'list' && kind !== 'set' && kind !== 'zset') return null;
  const f = SORT_TYPES.elements.get(kind);
  if (f === undefined) return null;
  return { kind, elements: f(v) };
}

/**
 * STORE: a non-empty result replaces the destination with a list; an empty one
 * deletes the destination (whatever it held).
 */
function storeList(ctx: CommandContext, dest: string, elements: string[]): void {
  const ks = ctx.ks;
  if (elements.length > 0) {
    if (SORT_TYPES.newList === null) throw new Error('SORT STORE needs the list type');
    ks.set(ctx.db, dest, SORT_TYPES.newList(elements));
    // The 'list' event class arrives with the list type.
    (ks.notify as (t: string, e: string, k: string, db: typeof ctx.db) => void)('list', 'sortstore', dest, ctx.db);
    ks.modified(ctx.db, dest, elements.length - 1);
  } else if (ks.delete(ctx.db, dest)) {
    ks.notify('generic', 'del', dest, ctx.db);
  }
}

/**
 * lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is
 * replaced by the element and the key read, as a string, or as a hash field
 * when the pattern goes on with "->field". A pattern without '*' finds nothing.
 */
function lookupByPattern(ctx: CommandContext, pattern: string, subst: string): string | null {
  if (pattern === '#') return subst;
  const p = pattern.indexOf('*');
  if (p < 0) return null;
  const f = pattern.indexOf('->', p + 1);
  const hasField = f >= 0 && f + 2 < pattern.length;
  const key = pattern.slice(0, p) + subst + pattern.slice(p + 1, hasField ? f : pattern.length);
  const v = ctx.ks.lookupRead(ctx.db, key);
  if (v === undefined) return null;
  if (hasField) {
    if (isString(v) || v.kind !== 'hash' || SORT_TYPES.hashField === null) return null;
    return SORT_TYPES.hashField(v, pattern.slice(f + 2));
  }
  return isString(v) ? stringOf(v) : null;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const HEXFLOAT = /^[+-]?0x([0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(p[+-]?\d+)?$/i;
const SPECIAL = /^[+-]?(inf|infinity|nan(\([0-9a-z_]*\))?)$/i;

function parseHexFloat(s: string): number {
  const m = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?\d+))?$/i.exec(s)!;
  const digits = m[2] + m[3];
  let v = 0;
  for (const d of digits) v = v * 16 + parseInt(d, 16);
  const exp = (m[4] ? Number(m[4]) : 0) - 4 * m[3].length;
  v *= 2 ** exp;
  return m[1] === '-' ? -v : v;
}

/**
 * strtod with SORT's checks: the whole C string consumed (an empty one is 0),
 * no ERANGE, not NaN. Returns null when Redis reports "One or more scores
 * can't be converted into double".
 */
function sortScore(raw: string): number | null {
  const nul = raw.indexOf('\0');
  const s0 = nul < 0 ? raw : raw.slice(0, nul);
  if (s0.length === 0) return 0;
  const s = s0.replace(/^[ \t\n\v\f\r]+/, '');
  if (s.length === 0) return null;
  let v: number;
  if (DECIMAL.test(s)) {
    v = Number(s);
    if (!Number.isFinite(v)) return null; // overflow
    const mantissaNonZero = /[1-9]/.test(s.replace(/e.*$/i, ''));
    if (mantissaNonZero && (v === 0 || Math.abs(v) < 2.2250738585072014e-308)) return null; // underflow
  } else if (HEXFLOAT.test(s)) {
    v = parseHexFloat(s);
    if (!Number.isFinite(v)) return null;
  } else if (SPECIAL.test(s)) {
    if (/nan/i.test(s)) return null;
    v = s[0] === '-' ? -Infinity : Infinity;
  } else {
    return null;
  }
  return v;
}

/** Binary comparison of latin1 strings (compareStringObjects / strcoll in the C locale). */
function cmpBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface SortItem {
  obj: string;
  score: number;
  cmp: string | null;
}

/** sortCommandGeneric */
function sortGeneric(ctx: CommandContext, readonly: boolean): void {
  const argv = ctx.argv;
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const a = argv[j];
    if (eqi(a, 'asc')) desc = false;
    else if (eqi(a, 'desc')) desc = true;
    else if (eqi(a, 'alpha')) alpha = true;
    else if (eqi(a, 'limit') && left >= 2) {
      const s = parseInt64(argv[j + 1]);
      if (s === null) return ctx.reply.error(ERR.notInteger);
      const c = parseInt64(argv[j + 2]);
      if (c === null) return ctx.reply.error(ERR.notInteger);
      limitStart = Number(s);
      limitCount = Number(c);
      j += 2;
    } else if (!readonly && eqi(a, 'store') && left >= 1) {
      storekey = argv[++j];
    } else if (eqi(a, 'by') && left >= 1) {
      sortby = argv[++j];
      // A pattern without '*' is constant: nothing to sort by, nothing to look up.
      if (!sortby.includes('*')) dontsort = true;
    } else if (eqi(a, 'get') && left >= 1) {
      gets.push(argv[++j]);
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }

  const value = ctx.ks.lookupRead(ctx.db, argv[1]);
  const input = sortInput(value);
  if (input === null) return ctx.reply.error(ERR.wrongType);
  const { kind, elements } = input;
  // sortCommandGeneric's "destructively convert encoded sorted sets" (OBJECT ENCODING shows it).
  if (kind === 'zset' && SORT_TYPES.zsetToSkiplist !== null) SORT_TYPES.zsetToSkiplist(value as TypedValue);

  // A set has no order of its own: with nothing to sort by, STORE would write
  // an arbitrary order, so the result is sorted as strings instead.
  if (dontsort && kind === 'set' && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }

  let vectorlen = elements.length;
  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  const count = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = count < 0 ? vectorlen - 1 : start + count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  let vector: SortItem[];
  if ((kind === 'list' || kind === 'zset') && dontsort) {
    // Native order (reversed for DESC), the LIMIT range taken directly.
    vector = [];
    if (end >= start) {
      for (let j = start; j <= end; j++) {
        const obj = desc ? elements[vectorlen - 1 - j] : elements[j];
        vector.push({ obj, score: 0, cmp: null });
      }
    }
    end -= start;
    start = 0;
    vectorlen = vector.length;
  } else {
    vector = elements.map((obj) => ({ obj, score: 0, cmp: null }));
  }

  let conversionError = false;
  if (!dontsort) {
    for (const item of vector) {
      let byval: string | null;
      if (sortby !== null) {
        byval = lookupByPattern(ctx, sortby, item.obj);
        if (byval === null) continue;
      } else {
        byval = item.obj;
      }
      if (alpha) {
        if (sortby !== null) item.cmp = byval;
      } else {
        const d = sortScore(byval);
        if (d === null) conversionError = true;
        else item.score = d;
      }
    }
    const byPattern = sortby !== null;
    const sign = desc ? -1 : 1;
    vector.sort((x, y) => {
      let c: number;
      if (!alpha) {
        c = x.score > y.score ? 1 : x.score < y.score ? -1 : cmpBinary(x.obj, y.obj);
      } else if (byPattern) {
        if (x.cmp === null || y.cmp === null) c = x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1;
        else c = cmpBinary(x.cmp, y.cmp);
      } else {
        c = cmpBinary(x.obj, y.obj);
      }
      return sign * c;
    });
  }

  const outputlen = gets.length > 0 ? gets.length * (end - start + 1) : end - start + 1;
  if (conversionError) return ctx.reply.error("ERR One or more scores can't be converted into double");
  if (storekey === null) {
    ctx.reply.array(outputlen);
    for (let j = start; j <= end; j++) {
      const obj = vector[j].obj;
      if (gets.length === 0) ctx.reply.bulk(obj);
      for (const g of gets) {
        const val = lookupByPattern(ctx, g, obj);
        if (val === null) ctx.reply.nil();
        else ctx.reply.bulk(val);
      }
    }
    return;
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const obj = vector[j].obj;
    if (gets.length === 0) out.push(obj);
    for (const g of gets) out.push(lookupByPattern(ctx, g, obj) ?? '');
  }
  storeList(ctx, storekey, out);
  ctx.reply.int(outputlen);
}

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] */
function sort(ctx: CommandContext): void {
  sortGeneric(ctx, false);
}

/** SORT_RO: SORT without STORE (which is then a syntax error). */
function sortRo(ctx: CommandContext): void {
  sortGeneric(ctx, true);
}

export const SORT_COMMANDS: CommandDef[] = [
  { name: 'sort', handler: sort },
  { name: 'sort_ro', handler: sortRo },
];
