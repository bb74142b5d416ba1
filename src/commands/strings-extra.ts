/**
 * INCRBYFLOAT and LCS (t_string.c).
 *
 * INCRBYFLOAT does its arithmetic in C `long double`, which on x86-64 is the
 * x87 80-bit extended format (64-bit mantissa), parses with strtold and
 * prints with "%.17Lf" (util.c string2ld / ld2string LD_STR_HUMAN). A JS
 * double would print 10.5 + 0.1 as "10.599999999999999645", so the format is
 * emulated exactly with BigInt: values are mantissa × 2^exponent, every
 * conversion and the addition round to nearest-even, and printing is exact.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { isString, stringOf } from '../keyspace/value.js';
import { eqi, writeString } from './helpers.js';

// ---- x87 extended precision ------------------------------------------------

/** A finite extended value: (-1)^neg × m × 2^e, m < 2^64. */
interface Ext {
  neg: boolean;
  m: bigint;
  e: number;
}

type ExtOrInf = Ext | 'inf';

const MANT_BITS = 64;
/** Exponent of the mantissa's last bit for subnormals (2^-16445 is the smallest step). */
const E_MIN = -16445;
/** Largest exponent with a 64-bit mantissa: 2^16384 and above overflow. */
const E_MAX = 16383 - 63;
const TWO64 = 1n << 64n;
/** MAX_LONG_DOUBLE_CHARS: string2ld refuses strings of 5k or longer. */
const MAX_LD_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds (-1)^neg × num/den × 2^e0 (num ≥ 0, den > 0) to the nearest extended
 * value, ties to even, with gradual underflow; 'inf' when it overflows.
 */
function roundExt(neg: boolean, num: bigint, den: bigint, e0: number): ExtOrInf {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  // Scale so the integer quotient has at least 66 bits (two guard bits plus sticky remainder).
  const sh = bitLength(num) - bitLength(den) - 66;
  let q: bigint;
  let r: bigint;
  if (sh >= 0) {
    const d = den << BigInt(sh);
    q = num / d;
    r = num - q * d;
  } else {
    const n = num << BigInt(-sh);
    q = n / den;
    r = n - q * den;
  }
  let e = e0 + sh;
  let extra = bitLength(q) - MANT_BITS;
  if (e + extra < E_MIN) extra = E_MIN - e;
  const ex = BigInt(extra);
  let m = q >> ex;
  const dropped = q - (m << ex);
  const half = 1n << (ex - 1n);
  if (dropped > half || (dropped === half && (r !== 0n || (m & 1n) === 1n))) m++;
  if (m === TWO64) {
    m >>= 1n;
    extra++;
  }
  e += extra;
  if (m === 0n) return { neg, m: 0n, e: 0 };
  if (e > E_MAX) return 'inf';
  return { neg, m, e };
}

const DEC_RE = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^[+-]?inf(inity)?$/i;

/** An exponent string as a number, saturated far beyond any value that matters. */
function clampExp(s: string | undefined): number {
  if (s === undefined) return 0;
  const neg = s[0] === '-';
  const digits = s.replace(/^[+-]/, '').replace(/^0+/, '');
  if (digits.length > 7) return neg ? -1e7 : 1e7;
  const n = digits.length === 0 ? 0 : Number(digits);
  return neg ? -n : n;
}

/**
 * string2ld: strtold over the whole string, no leading space, refusing NaN,
 * overflow to ±HUGE_VAL and underflow to zero. Null when refused.
 */
export function parseLongDouble(s: string): { neg: boolean; v: ExtOrInf } | null {
  if (s.length === 0 || s.length >= MAX_LD_CHARS) return null;
  let m = DEC_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === '-';
    const int = m[2] ?? '';
    const frac = m[3] ?? m[4] ?? '';
    const digits = (int + frac).replace(/^0+/, '');
    if (digits.length === 0) return { neg, v: { neg, m: 0n, e: 0 } };
    const k = clampExp(m[5]) - frac.length;
    const mag = digits.length + k; // value is in [10^(mag-1), 10^mag)
    if (mag > 4940) return null; // overflow: strtold gives HUGE_VALL with ERANGE
    if (mag < -4960) return null; // underflow to zero with ERANGE
    const d = BigInt(digits);
    const v = k >= 0 ? roundExt(neg, d * 10n ** BigInt(k), 1n, 0) : roundExt(neg, d, 10n ** BigInt(-k), 0);
    if (v === 'inf' || v.m === 0n) return null;
    return { neg, v };
  }
  m = HEX_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === '-';
    const int = m[2] ?? '';
    const frac = m[3] ?? m[4] ?? '';
    const digits = (int + frac).replace(/^0+/, '');
    if (digits.length === 0) return { neg, v: { neg, m: 0n, e: 0 } };
    const k = clampExp(m[5]) - 4 * frac.length;
    const mag = digits.length * 4 + k;
    if (mag > 16400) return null;
    if (mag < -16500) return null;
    const v = roundExt(neg, BigInt('0x' + digits), 1n, k);
    if (v === 'inf' || v.m === 0n) return null;
    return { neg, v };
  }
  if (INF_RE.test(s)) return { neg: s[0] === '-', v: 'inf' };
  return null;
}

/** a + b in extended precision; 'inf' on overflow (or when either is infinite). */
function addExt(a: ExtOrInf, b: ExtOrInf): ExtOrInf {
  if (a === 'inf' || b === 'inf') return 'inf';
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  if (sum === 0n) return { neg: false, m: 0n, e: 0 };
  return roundExt(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/**
 * ld2string(LD_STR_HUMAN): "%.17Lf" (exact, ties to even), trailing zeros and
 * a trailing '.' dropped, "-0" printed as "0".
 */
export function formatLongDouble(x: Ext): string {
  const scaled = x.m * 10n ** 17n;
  let q: bigint;
  if (x.e >= 0) q = scaled << BigInt(x.e);
  else {
    const sh = BigInt(-x.e);
    q = scaled >> sh;
    const r = scaled - (q << sh);
    const half = 1n << (sh - 1n);
    if (r > half || (r === half && (q & 1n) === 1n)) q++;
  }
  const digits = q.toString().padStart(18, '0');
  let s = digits.slice(0, -17) + '.' + digits.slice(-17);
  s = s.replace(/0+$/, '');
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (x.neg) s = '-' + s;
  return s === '-0' ? '0' : s;
}

/** INCRBYFLOAT key increment: propagated as SET key result KEEPTTL. */
function incrbyfloat(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const v = writeString(ctx, key);
  if (v === null) return;
  let cur: ExtOrInf = { neg: false, m: 0n, e: 0 };
  if (v !== undefined) {
    const p = parseLongDouble(stringOf(v));
    if (p === null) return ctx.reply.error(ERR.notFloat);
    cur = p.v === 'inf' ? 'inf' : p.v;
  }
  const inc = parseLongDouble(ctx.argv[2]);
  if (inc === null) return ctx.reply.error(ERR.notFloat);
  // +inf and -inf are both refused by the sum check; only their finiteness matters here.
  const sum = addExt(cur, inc.v);
  if (sum === 'inf') return ctx.reply.error(ERR.nanOrInf);
  const s = formatLongDouble(sum);
  ctx.ks.set(ctx.db, key, s, true);
  ctx.ks.notify('string', 'incrbyfloat', key, ctx.db);
  ctx.reply.bulk(s);
  ctx.propagateAs(['SET', key, s, 'KEEPTTL']);
}

// ---- LCS ---------------------------------------------------------------------

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] */
function lcs(ctx: CommandContext): void {
  const argv = ctx.argv;
  const va = ctx.ks.lookupRead(ctx.db, argv[1]);
  const vb = ctx.ks.lookupRead(ctx.db, argv[2]);
  if ((va !== undefined && !isString(va)) || (vb !== undefined && !isString(vb))) {
    return ctx.reply.error('ERR The specified keys must contain string values');
  }
  const a = va === undefined ? '' : stringOf(va);
  const b = vb === undefined ? '' : stringOf(vb);
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    const more = argv.length - 1 - j;
    if (eqi(opt, 'idx')) getIdx = true;
    else if (eqi(opt, 'len')) getLen = true;
    else if (eqi(opt, 'withmatchlen')) withMatchLen = true;
    else if (eqi(opt, 'minmatchlen') && more > 0) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      minMatchLen = n < 0 ? 0 : Number(n);
      j++;
    } else return ctx.reply.error(ERR.syntax);
  }
  if (getIdx && getLen) return ctx.reply.error('ERR If you want both the length and indexes, please just use IDX.');
  const alen = a.length;
  const blen = b.length;
  if (alen >= 0xffffffff - 1 || blen >= 0xffffffff - 1) return ctx.reply.error('ERR String too long for LCS');
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > ctx.server.config.num('proto-max-bulk-len')) {
    return ctx.reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  let t: Uint32Array;
  try {
    t = new Uint32Array(cells);
  } catch {
    return ctx.reply.error('ERR Insufficient memory, failed allocating transient memory for LCS');
  }
  const w = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ca = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ca === b.charCodeAt(j - 1)) t[row + j] = t[prev + j - 1] + 1;
      else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = up > left ? up : left;
      }
    }
  }
  const total = t[alen * w + blen];
  if (getLen) return ctx.reply.int(total);

  // Walk back from the end, collecting the LCS and, for IDX, the matching ranges.
  const out = Buffer.alloc(total);
  let idx = total;
  const ranges: number[][] = [];
  let aStart = alen, aEnd = 0, bStart = 0, bEnd = 0; // aStart === alen: no range open
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      out[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getIdx && (minMatchLen === 0 || matchLen >= minMatchLen)) ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      aStart = alen;
    }
  }
  if (!getIdx) return ctx.reply.bulk(out.latin1Slice(0, total));
  ctx.reply.map(2);
  ctx.reply.bulk('matches');
  ctx.reply.array(ranges.length);
  for (const [as, ae, bs, be, ml] of ranges) {
    ctx.reply.array(withMatchLen ? 3 : 2);
    ctx.reply.array(2);
    ctx.reply.int(as);
    ctx.reply.int(ae);
    ctx.reply.array(2);
    ctx.reply.int(bs);
    ctx.reply.int(be);
    if (withMatchLen) ctx.reply.int(ml);
  }
  ctx.reply.bulk('len');
  ctx.reply.int(total);
}

export const STRING_EXTRA_COMMANDS: CommandDef[] = [
  { name: 'incrbyfloat', handler: incrbyfloat },
  { name: 'lcs', handler: lcs },
];
