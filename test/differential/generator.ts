/**
 * A seeded random command generator for the randomized differential test.
 *
 * Commands are drawn from a small key space so they collide: a key is set,
 * appended to, incremented, renamed, expired and bit-twiddled by turns, and
 * every reply (raw bytes) is compared with Redis 7.0.
 *
 * The mix is a declared list of families (FAMILIES below); the test picks
 * which families run, so a family whose commands are not implemented yet can
 * be dropped visibly, with a comment naming why.
 *
 * Timing: nothing generated here depends on the wall clock at a precision
 * that could differ between the two servers. Relative expire times are all
 * at least 100 s and any two differ by at least 100 s (so GT/LT comparisons
 * between them are decided by the values, not by which millisecond they ran
 * in); absolute future times are far beyond any relative one; past times are
 * far in the past. TTL-like replies are normalized (see normalizeReply).
 */

/** mulberry32: small, fast, good enough for test generation. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  /** Picks by weight from [item, weight] pairs. */
  weighted<T>(a: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of a) total += w;
    let r = this.next() * total;
    for (const [x, w] of a) {
      r -= w;
      if (r < 0) return x;
    }
    return a[a.length - 1][0];
  }
}

/** Seed from REDDISH_SEED (decimal or 0x hex) or a fresh random one. */
export function chooseSeed(): number {
  const env = process.env.REDDISH_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isFinite(n)) throw new Error(`REDDISH_SEED must be a number, got ${env}`);
    return n >>> 0;
  }
  return (Math.random() * 4294967296) >>> 0;
}

// ---- shared vocabulary -------------------------------------------------------

/** The key space: small on purpose. `{t}` keys share a hash tag, harmless here. */
export const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'n0', 'n1', 'b0', 'b1', '{t}x'];

const INT_EDGE = [
  '0', '1', '-1', '10', '100', '-100', '42', '9223372036854775807', '-9223372036854775808', '9223372036854775806',
  '-9223372036854775807', '9223372036854775800', '-9223372036854775800', '4611686018427387904', '2147483647', '-2147483648',
  '4294967296', '9007199254740993', '-9007199254740993',
];
const BAD_INT = ['abc', '1.5', ' 1', '1 ', '+1', '01', '-0', '', '9223372036854775808', '-9223372036854775809', '0x10', '1e3', '١'];
const FLOATS = [
  '0', '1', '-1', '0.1', '0.2', '-0.3', '1.5', '3.0e3', '1e-5', '-1e10', '10.5', '5.0e3', '1.7976931348623157e308', '-1.7976931348623157e308',
  '123456789.123456789', '0.0000001', '3', '.5', '5.', '1e+2', '-0', '1e308', '17179869184', '0.333333333333333333',
];
const BAD_FLOAT = ['abc', 'inf', '-inf', '+inf', 'nan', '1.5x', '', ' 1', '1 ', '1e', '--1', 'infinity'];

function value(r: Rng): string {
  return r.weighted<() => string>([
    [() => r.pick(['a', 'b', 'hello', 'world', 'x', 'foo bar', '']), 4],
    [() => r.pick(INT_EDGE), 3],
    [() => r.pick(FLOATS), 1],
    [() => String.fromCharCode(...Array.from({ length: r.range(1, 8) }, () => r.int(256))), 1],
    [() => 'v'.repeat(r.range(1, 40)), 1],
  ])();
}

function key(r: Rng): string {
  return r.pick(KEYS);
}

function keys(r: Rng, lo: number, hi: number): string[] {
  return Array.from({ length: r.range(lo, hi) }, () => key(r));
}

/**
 * Expire times that cannot race: distinct relative values ≥ 100 s apart,
 * absolute ones either far in the past or far beyond every relative one.
 */
export class Times {
  private used = new Set<number>();
  constructor(private readonly r: Rng, private readonly nowSec: number) {}
  /** Relative seconds: 100 + 100·u, u distinct. */
  relSec(): number {
    for (;;) {
      const u = this.r.int(200000);
      if (!this.used.has(u)) {
        this.used.add(u);
        return 100 + 100 * u;
      }
    }
  }
  relMs(): number {
    return this.relSec() * 1000 + this.r.int(1000);
  }
  absFutureSec(): number {
    return this.nowSec + 40_000_000 + this.relSec();
  }
  absFutureMs(): number {
    return this.absFutureSec() * 1000 + this.r.int(1000);
  }
  absPastSec(): number {
    return this.r.pick([1, 1000, this.nowSec - 100000, 0]);
  }
  absPastMs(): number {
    return this.absPastSec() * 1000 + this.r.int(1000);
  }
  /** A seconds argument for EXPIRE-like commands: mostly valid, some past/negative/overflowing/garbage. */
  expireSec(abs: boolean): string {
    return this.r.weighted<() => string>([
      [() => String(abs ? this.absFutureSec() : this.relSec()), 8],
      [() => String(abs ? this.absPastSec() : this.r.pick([0, -1, -100])), 2],
      [() => this.r.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775', '922337203685477580']), 1],
      [() => this.r.pick(BAD_INT), 1],
    ])();
  }
  expireMs(abs: boolean): string {
    return this.r.weighted<() => string>([
      [() => String(abs ? this.absFutureMs() : this.relMs()), 8],
      [() => String(abs ? this.absPastMs() : this.r.pick([0, -1, -100000])), 2],
      [() => this.r.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775']), 1],
      [() => this.r.pick(BAD_INT), 1],
    ])();
  }
}

export interface GenContext {
  r: Rng;
  t: Times;
}

type Gen = (g: GenContext) => string[];

export interface Family {
  name: string;
  /** Relative weight in the mix. */
  weight: number;
  /** Commands this family sends (for reports). */
  commands: string[];
  gens: Array<readonly [Gen, number]>;
}

// ---- families ----------------------------------------------------------------

function setOptions(g: GenContext): string[] {
  const { r, t } = g;
  const out: string[] = [];
  if (r.chance(0.25)) out.push(r.pick(['NX', 'XX', 'nx', 'xx']));
  if (r.chance(0.2)) out.push('GET');
  if (r.chance(0.35)) {
    const opt = r.pick(['EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL', 'ex', 'px']);
    if (opt === 'KEEPTTL') out.push(opt);
    else if (opt.toUpperCase() === 'EX') out.push(opt, t.expireSec(false));
    else if (opt.toUpperCase() === 'PX') out.push(opt, t.expireMs(false));
    else if (opt === 'EXAT') out.push(opt, t.expireSec(true));
    else out.push(opt, t.expireMs(true));
  }
  if (r.chance(0.03)) out.push(r.pick(['NX', 'XX', 'GET', 'KEEPTTL', 'EX', 'PX', 'FOO', 'PERSIST'])); // conflicts and junk
  // shuffle a little: Redis parses options in any order
  if (out.length > 2 && r.chance(0.3)) out.reverse();
  return out;
}

export const STRINGS: Family = {
  name: 'strings',
  weight: 30,
  commands: ['SET', 'GET', 'GETEX', 'GETDEL', 'GETSET', 'MGET', 'MSET', 'MSETNX', 'SETNX', 'SETEX', 'PSETEX', 'APPEND', 'STRLEN', 'GETRANGE', 'SETRANGE', 'SUBSTR'],
  gens: [
    [(g) => ['SET', key(g.r), value(g.r), ...setOptions(g)], 10],
    [(g) => ['GET', key(g.r)], 8],
    [
      (g) => {
        const { r, t } = g;
        const opt = r.weighted<string[]>([
          [[], 2],
          [['EX', t.expireSec(false)], 2],
          [['PX', t.expireMs(false)], 2],
          [['EXAT', t.expireSec(true)], 1],
          [['PXAT', t.expireMs(true)], 1],
          [['PERSIST'], 2],
          [['EX', t.expireSec(false), 'PERSIST'], 0.3],
          [['FOO'], 0.2],
        ]);
        return ['GETEX', key(r), ...opt];
      },
      3,
    ],
    [(g) => ['GETDEL', key(g.r)], 2],
    [(g) => ['GETSET', key(g.r), value(g.r)], 2],
    [(g) => ['MGET', ...keys(g.r, 1, 5)], 3],
    [(g) => ['MSET', ...keys(g.r, 1, 4).flatMap((k) => [k, value(g.r)])], 3],
    [(g) => ['MSETNX', ...keys(g.r, 1, 3).flatMap((k) => [k, value(g.r)])], 2],
    [(g) => ['SETNX', key(g.r), value(g.r)], 2],
    [(g) => ['SETEX', key(g.r), g.t.expireSec(false), value(g.r)], 2],
    [(g) => ['PSETEX', key(g.r), g.t.expireMs(false), value(g.r)], 2],
    [(g) => ['APPEND', key(g.r), value(g.r)], 4],
    [(g) => ['STRLEN', key(g.r)], 2],
    [
      (g) => [g.r.chance(0.9) ? 'GETRANGE' : 'SUBSTR', key(g.r), String(g.r.range(-50, 50)), String(g.r.pick([g.r.range(-50, 50), -1, 9223372036854775807n, -9223372036854775808n]))],
      3,
    ],
    [(g) => ['SETRANGE', key(g.r), String(g.r.weighted([[g.r.range(0, 60), 10], [-1, 1], [536870912, 0.3]] as const)), value(g.r)], 3],
  ],
};

export const COUNTERS: Family = {
  name: 'counters',
  weight: 15,
  commands: ['INCR', 'DECR', 'INCRBY', 'DECRBY'],
  gens: [
    [(g) => [g.r.pick(['INCR', 'DECR']), key(g.r)], 4],
    [(g) => [g.r.pick(['INCRBY', 'DECRBY']), key(g.r), g.r.chance(0.9) ? g.r.pick(INT_EDGE) : g.r.pick(BAD_INT)], 4],
    // park a counter right at the edge, then push it
    [(g) => ['SET', g.r.pick(['n0', 'n1']), g.r.pick(['9223372036854775806', '-9223372036854775807', '9223372036854775807', '-9223372036854775808', '0'])], 2],
  ],
};

export const FLOAT_COUNTERS: Family = {
  name: 'incrbyfloat',
  weight: 4,
  commands: ['INCRBYFLOAT'],
  gens: [
    [(g) => ['INCRBYFLOAT', key(g.r), g.r.chance(0.9) ? g.r.pick(FLOATS) : g.r.pick(BAD_FLOAT)], 4],
    [(g) => ['SET', g.r.pick(['n0', 'n1']), g.r.pick(FLOATS)], 1],
  ],
};

export const KEYSPACE: Family = {
  name: 'keys',
  weight: 12,
  commands: ['DEL', 'UNLINK', 'EXISTS', 'TYPE', 'TOUCH', 'PERSIST', 'DBSIZE'],
  gens: [
    [(g) => [g.r.pick(['DEL', 'UNLINK']), ...keys(g.r, 1, 3)], 3],
    [(g) => ['EXISTS', ...keys(g.r, 1, 4)], 3],
    [(g) => ['TYPE', key(g.r)], 2],
    [(g) => ['TOUCH', ...keys(g.r, 1, 3)], 1],
    [(g) => ['PERSIST', key(g.r)], 2],
    [() => ['DBSIZE'], 1],
  ],
};

export const RENAME_COPY: Family = {
  name: 'rename-copy',
  weight: 6,
  commands: ['RENAME', 'RENAMENX', 'COPY'],
  gens: [
    [(g) => ['RENAME', key(g.r), key(g.r)], 3],
    [(g) => ['RENAMENX', key(g.r), key(g.r)], 2],
    [
      (g) => {
        const extra = g.r.weighted<string[]>([[[], 4], [['REPLACE'], 3], [['DB', '0'], 1], [['DB', '0', 'REPLACE'], 1], [['DB', '1'], 1], [['DB', 'x'], 0.3], [['FOO'], 0.3]]);
        return ['COPY', key(g.r), key(g.r), ...extra];
      },
      3,
    ],
  ],
};

export const EXPIRES: Family = {
  name: 'expire',
  weight: 12,
  commands: ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT', 'TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'PERSIST'],
  gens: [
    [
      (g) => {
        const { r, t } = g;
        const cmd = r.pick(['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']);
        const abs = cmd.endsWith('AT');
        const ms = cmd.startsWith('P');
        const when = ms ? t.expireMs(abs) : t.expireSec(abs);
        const flag = r.weighted<string[]>([[[], 4], [['NX'], 1], [['XX'], 1], [['GT'], 1.5], [['LT'], 1.5], [['nx'], 0.3], [['NX', 'XX'], 0.2], [['GT', 'LT'], 0.2], [['NX', 'GT'], 0.2], [['FOO'], 0.2]]);
        return [cmd, key(r), when, ...flag];
      },
      6,
    ],
    [(g) => [g.r.pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), key(g.r)], 4],
    [(g) => ['PERSIST', key(g.r)], 1],
  ],
};

function bitOffset(r: Rng): string {
  return r.weighted<() => string>([
    [() => String(r.range(0, 64)), 6],
    [() => String(r.range(0, 400)), 3],
    [() => String(r.range(1000, 20000)), 0.5],
    [() => r.pick(['-1', '4294967296', 'abc', '1.5', '9223372036854775807']), 0.5],
  ])();
}

function bitIndex(r: Rng): string {
  return r.weighted<() => string>([
    [() => String(r.range(-10, 10)), 6],
    [() => String(r.range(-100, 100)), 2],
    [() => r.pick(['9223372036854775807', '-9223372036854775808', 'x', '1.0']), 0.3],
  ])();
}

export const BITMAPS: Family = {
  name: 'bitmaps',
  weight: 12,
  commands: ['SETBIT', 'GETBIT', 'BITCOUNT', 'BITPOS', 'BITOP'],
  gens: [
    [(g) => ['SETBIT', key(g.r), bitOffset(g.r), g.r.chance(0.95) ? g.r.pick(['0', '1']) : g.r.pick(['2', '-1', 'x', ''])], 6],
    [(g) => ['GETBIT', key(g.r), bitOffset(g.r)], 4],
    [
      (g) => {
        const { r } = g;
        const range = r.weighted<string[]>([
          [[], 3],
          [[bitIndex(r), bitIndex(r)], 4],
          [[bitIndex(r), bitIndex(r), r.pick(['BYTE', 'BIT', 'bit', 'FOO'])], 3],
          [[bitIndex(r)], 0.3],
        ]);
        return ['BITCOUNT', key(r), ...range];
      },
      4,
    ],
    [
      (g) => {
        const { r } = g;
        const bit = r.chance(0.95) ? r.pick(['0', '1']) : r.pick(['2', 'x']);
        const range = r.weighted<string[]>([
          [[], 3],
          [[bitIndex(r)], 2],
          [[bitIndex(r), bitIndex(r)], 3],
          [[bitIndex(r), bitIndex(r), r.pick(['BYTE', 'BIT', 'FOO'])], 3],
        ]);
        return ['BITPOS', key(r), bit, ...range];
      },
      4,
    ],
    [
      (g) => {
        const { r } = g;
        const op = r.pick(['AND', 'OR', 'XOR', 'NOT', 'and', 'FOO']);
        const srcs = op.toUpperCase() === 'NOT' ? keys(r, r.chance(0.9) ? 1 : 2, r.chance(0.9) ? 1 : 2) : keys(r, 1, 4);
        return ['BITOP', op, key(r), ...srcs];
      },
      3,
    ],
  ],
};

function bitfieldType(r: Rng): string {
  return r.weighted<() => string>([
    [() => `${r.pick(['i', 'u'])}${r.pick([1, 2, 3, 4, 5, 7, 8, 12, 16, 31, 32])}`, 6],
    [() => `i${r.pick([63, 64])}`, 1],
    [() => `u${r.pick([62, 63])}`, 1],
    [() => r.pick(['u64', 'i65', 'i0', 'x8', 'u', 'I8']), 0.5],
  ])();
}

function bitfieldOffset(r: Rng): string {
  return r.weighted<() => string>([
    [() => String(r.range(0, 100)), 5],
    [() => `#${r.range(0, 10)}`, 3],
    [() => r.pick(['-1', '#-1', 'x', '4294967296']), 0.3],
  ])();
}

function bitfieldValue(r: Rng): string {
  return r.weighted<() => string>([
    [() => String(r.range(-300, 300)), 5],
    [() => r.pick(INT_EDGE), 2],
    [() => r.pick(['x', '1.5', '']), 0.3],
  ])();
}

export const BITFIELD: Family = {
  name: 'bitfield',
  weight: 6,
  commands: ['BITFIELD', 'BITFIELD_RO'],
  gens: [
    [
      (g) => {
        const { r } = g;
        const out = ['BITFIELD', key(r)];
        const n = r.range(0, 4);
        for (let i = 0; i < n; i++) {
          const op = r.weighted<string>([['GET', 3], ['SET', 3], ['INCRBY', 3], ['OVERFLOW', 2], ['FOO', 0.1]]);
          if (op === 'GET') out.push('GET', bitfieldType(r), bitfieldOffset(r));
          else if (op === 'SET' || op === 'INCRBY') out.push(op, bitfieldType(r), bitfieldOffset(r), bitfieldValue(r));
          else if (op === 'OVERFLOW') out.push('OVERFLOW', r.pick(['WRAP', 'SAT', 'FAIL', 'wrap', 'sat', 'fail', 'BAD']));
          else out.push('FOO');
        }
        if (r.chance(0.05)) out.pop(); // a truncated subcommand
        return out;
      },
      4,
    ],
    [
      (g) => {
        const { r } = g;
        const out = ['BITFIELD_RO', key(r)];
        const n = r.range(0, 3);
        for (let i = 0; i < n; i++) out.push('GET', bitfieldType(r), bitfieldOffset(r));
        if (r.chance(0.1)) out.push('SET', 'u8', '0', '1');
        return out;
      },
      1,
    ],
  ],
};

/** Wrong arity and malformed arguments for commands of the core families. */
export const ERRORS: Family = {
  name: 'errors',
  weight: 4,
  commands: ['(arity/number errors over the above)', 'unknown commands'],
  gens: [
    [
      (g) =>
        g.r.pick<string[]>([
          ['GET'], ['GET', 'k0', 'k1'], ['SET', 'k0'], ['SETNX', 'k0'], ['MSET', 'k0'], ['MSET', 'k0', 'v', 'k1'], ['MGET'], ['APPEND', 'k0'],
          ['INCR'], ['INCRBY', 'k0'], ['DECRBY', 'k0', '1', '2'], ['STRLEN'], ['GETRANGE', 'k0', '0'], ['SETRANGE', 'k0', '0'], ['DEL'], ['EXISTS'],
          ['TYPE'], ['EXPIRE', 'k0'], ['TTL'], ['PERSIST'], ['GETEX'], ['GETDEL'], ['SETEX', 'k0', '10'], ['PSETEX', 'k0'],
        ]),
      4,
    ],
    [(g) => ['SETEX', key(g.r), g.r.pick(BAD_INT), 'v'], 1],
    [(g) => ['EXPIRE', key(g.r), g.r.pick(BAD_INT)], 1],
    [(g) => ['GETRANGE', key(g.r), g.r.pick(BAD_INT), '1'], 1],
    [(g) => ['SETRANGE', key(g.r), g.r.pick(BAD_INT), 'x'], 1],
    [(g) => [g.r.pick(['NOSUCHCMD', 'GETT', 'sett']), ...keys(g.r, 0, 3)], 0.5],
  ],
};

export const BITMAP_ERRORS: Family = {
  name: 'bitmap-errors',
  weight: 1,
  commands: ['(arity errors for bitmap commands)'],
  gens: [
    [
      (g) =>
        g.r.pick<string[]>([
          ['SETBIT', 'k0', '1'], ['GETBIT', 'k0'], ['BITCOUNT'], ['BITPOS', 'k0'], ['BITOP', 'AND', 'd'], ['BITOP'], ['BITFIELD'], ['BITFIELD_RO'],
          ['BITCOUNT', 'k0', '0', '1', 'BIT', 'x'],
        ]),
      1,
    ],
  ],
};

export const ALL_FAMILIES: Record<string, Family> = Object.fromEntries(
  [STRINGS, COUNTERS, FLOAT_COUNTERS, KEYSPACE, RENAME_COPY, EXPIRES, BITMAPS, BITFIELD, ERRORS, BITMAP_ERRORS].map((f) => [f.name, f]),
);

/** A script of `n` commands drawn from the given families. */
export function generate(seed: number, n: number, families: readonly Family[], nowSec = Math.floor(Date.now() / 1000)): string[][] {
  const r = new Rng(seed);
  const g: GenContext = { r, t: new Times(r, nowSec) };
  const fams = families.map((f) => [f, f.weight] as const);
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const f = r.weighted(fams);
    out.push(r.weighted(f.gens)(g));
  }
  return out;
}

/**
 * Makes timing-dependent replies comparable: a positive integer reply to
 * TTL/PTTL/EXPIRETIME/PEXPIRETIME becomes `:<positive>`. Every other reply
 * is compared byte for byte. (Negative TTL replies, -1 and -2, are exact.)
 */
export function normalizeReply(raw: string, cmd: string[]): string {
  const name = (cmd[0] ?? '').toUpperCase();
  if (name === 'TTL' || name === 'PTTL' || name === 'EXPIRETIME' || name === 'PEXPIRETIME') {
    if (/^:[1-9][0-9]*\r\n$/.test(raw)) return ':<positive>\r\n';
  }
  return raw;
}
