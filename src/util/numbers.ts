/**
 * Redis's number conversions (util.c string2ll, string2ld, ld2string, d2string),
 * reproduced so that what a client sees matches byte for byte.
 *
 * 64-bit integers: values within ±2^53 stay JS numbers (the fast path every
 * counter takes); larger ones are carried as bigint so INCR at the int64 edge
 * is exact.
 */

export type Int64 = number | bigint;

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * string2ll: strict, no spaces, no '+', no leading zeros, no "-0", within int64.
 * Returns null when Redis would refuse the string as an integer.
 */
export function parseInt64(s: string): Int64 | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  if (len === 1 && s.charCodeAt(0) === 48) return 0;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (len === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  if (len - i <= 15) {
    let n = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      n = n * 10 + c;
    }
    return neg ? -n : n;
  }
  for (let j = i; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return null;
  return normalize(b);
}

/** A bigint that fits in a safe JS number becomes a number again. */
export function normalize(b: bigint): Int64 {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/** Adds with int64 overflow detection; null on overflow (Redis: "increment or decrement would overflow"). */
export function addInt64(a: Int64, b: Int64): Int64 | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > INT64_MAX || r < INT64_MIN) return null;
  return normalize(r);
}

/** True when the string is exactly how Redis would print this integer (used for int encoding). */
export function isCanonicalInt(s: string): boolean {
  return parseInt64(s) !== null;
}

/**
 * strtod as Redis's string2d/getDoubleFromObject accept it: no leading or
 * trailing space, the whole string consumed, not NaN. Accepts "inf", "-inf",
 * "+inf", "infinity" (case-insensitive), hex floats are rare enough to refuse.
 */
export function parseDouble(s: string): number | null {
  if (s.length === 0) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || c0 === 9 || c0 === 10 || c0 === 13 || c0 === 11 || c0 === 12) return null;
  const cl = s.charCodeAt(s.length - 1);
  if (cl === 32 || cl === 9 || cl === 10 || cl === 13 || cl === 11 || cl === 12) return null;
  const lower = s.toLowerCase();
  const body = lower[0] === '-' || lower[0] === '+' ? lower.slice(1) : lower;
  if (body === 'inf' || body === 'infinity') return lower[0] === '-' ? -Infinity : Infinity;
  if (body === 'nan' || body.startsWith('nan(')) return null;
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(body)) return null;
  return Number(s);
}

/**
 * printf("%.17g"), as Redis's addReplyDouble and d2string format scores.
 * Hot when saving sorted sets (every non-integer listpack score) and in
 * score replies, so the common case takes one toPrecision and no regex.
 */
export function formatG17(d: number): string {
  const a = d < 0 ? -d : d;
  // %g's fixed notation range (exponent -4..16; below 1e16 rounding cannot
  // carry into exponent 17), where toPrecision(17) prints the same digits
  // unless the value is an exact tie, which JS rounds up and glibc to even.
  if (a >= 1e-4 && a < 1e16 && !mayTieAt17(a)) {
    const p = a.toPrecision(17);
    let end = p.length;
    if (p.indexOf('.') !== -1) {
      while (p.charCodeAt(end - 1) === 48) end--;
      if (p.charCodeAt(end - 1) === 46) end--;
    }
    const body = end === p.length ? p : p.slice(0, end);
    return d < 0 ? '-' + body : body;
  }
  return formatG17Exact(d);
}

/**
 * Can the positive normal double `a` (1e-4 <= a < 1e16) be an exact tie at
 * 17 significant digits? a = m * 2^k with m odd; when k < 0 its decimal
 * expansion has exactly -k fractional digits, the last one 5, so it has
 * -k + X + 1 significant digits (X = floor(log10 a)), and a tie needs
 * exactly 18. An integer (k >= 0) below 1e16 has at most 16. log10 may be
 * off by one at a power of ten, hence the slack; a false "maybe" only costs
 * the exact path.
 */
function mayTieAt17(a: number): boolean {
  F64[0] = a;
  const lo = U32[0];
  const hi = U32[1];
  const tz = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 32 + (31 - Math.clz32((hi | 0x100000) & -(hi | 0x100000)));
  const k = ((hi >>> 20) & 0x7ff) - 1075 + tz;
  if (k >= 0) return false;
  const diff = -k - (17 - Math.floor(Math.log10(a)));
  return diff >= -1 && diff <= 1;
}

/** formatG17 for every double, ties and the scientific range included. */
function formatG17Exact(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const a = Math.abs(d);
  const sign = d < 0 ? '-' : '';
  // 17 significant digits, rounded as glibc does: ties to even (JS rounds them up).
  let e = a.toExponential(16);
  const t = a.toExponential(17);
  if (t[18] === '5' && isExactTie(a, t)) {
    const lastEven = (t.charCodeAt(17) - 48) % 2 === 0;
    if (lastEven) e = t.slice(0, 18) + t.slice(19);
  }
  const ePos = e.indexOf('e');
  const digits = e[0] + e.slice(2, ePos);
  const x = Number(e.slice(ePos + 1));
  if (x < -4 || x >= 17) {
    // %g scientific: trailing zeros removed, at least two exponent digits
    let mant = digits[0] + '.' + digits.slice(1);
    mant = mant.replace(/\.?0+$/, '');
    const abs = Math.abs(x);
    return `${sign}${mant}e${x < 0 ? '-' : '+'}${abs < 10 ? '0' + abs : abs}`;
  }
  let int: string;
  let frac: string;
  if (x >= 0) {
    int = digits.slice(0, x + 1);
    frac = digits.slice(x + 1);
  } else {
    int = '0';
    frac = '0'.repeat(-x - 1) + digits;
  }
  frac = frac.replace(/0+$/, '');
  return frac === '' ? sign + int : `${sign}${int}.${frac}`;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/**
 * Is the positive double `a` exactly the 18-significant-digit decimal `t`
 * (its toExponential(17), which ends in 5)? Then it lies exactly halfway
 * between two 17-digit decimals. Compared as integers: a = m * 2^k.
 */
function isExactTie(a: number, t: string): boolean {
  F64[0] = a;
  const lo = U32[0];
  const hi = U32[1];
  const bexp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let k: number;
  if (bexp === 0) k = -1074;
  else {
    m |= 1n << 52n;
    k = bexp - 1075;
  }
  const ePos = t.indexOf('e');
  const d18 = BigInt(t[0] + t.slice(2, ePos));
  const p10 = Number(t.slice(ePos + 1)) - 17;
  const lhs = m * (k > 0 ? 2n ** BigInt(k) : 1n) * (p10 < 0 ? 10n ** BigInt(-p10) : 1n);
  const rhs = d18 * (p10 > 0 ? 10n ** BigInt(p10) : 1n) * (k < 0 ? 2n ** BigInt(-k) : 1n);
  return lhs === rhs;
}
