/**
 * A seeded random dataset with every type and encoding Redis 7.0 has, for the
 * RDB interop tests and the RDB benchmark, plus what they need around it:
 *
 *   - PipeClient: a pipelined RESP2 client with an incremental parser (the
 *     test RawClient re-concatenates its buffer per chunk, too slow for the
 *     tens of megabytes a full dataset reads back), binary-safe through
 *     latin1 strings (one char per byte).
 *   - generateDataset(): keys over several dbs, each a list of commands that
 *     builds it, so the same dataset can be loaded into Reddish and Redis.
 *   - readKeys()/compareServers(): every key's TYPE, PTTL, OBJECT ENCODING and
 *     full value through type-specific reads, compared between two servers.
 */
import net from 'node:net';
import { Rng } from '../differential/generator.js';

// ---------------------------------------------------------------- client

export class ReplyError {
  constructor(readonly message: string) {}
  toString(): string {
    return `-${this.message}`;
  }
}

/** A decoded RESP2 reply: bulk and simple strings as latin1 strings. */
export type Reply = string | bigint | null | ReplyError | Reply[];

interface Frame {
  items: Reply[];
  n: number;
}

interface Waiter {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

export class PipeClient {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private readonly stack: Frame[] = [];
  private waiters: Waiter[] = [];
  private head = 0;
  private out: string[] = [];
  private flushScheduled = false;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    const fail = (): void => {
      this.closed = true;
      const w = this.waiters.slice(this.head);
      this.waiters = [];
      this.head = 0;
      for (const x of w) x.reject(new Error('connection closed'));
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  static async connect(port: number): Promise<PipeClient> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('error', reject);
    });
    s.setNoDelay(true);
    return new PipeClient(s);
  }

  /** Queues one command (arguments as latin1 strings); written with the others of this turn. */
  call(...args: string[]): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    let s = `*${args.length}\r\n`;
    for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
    this.out.push(s);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise<Reply>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Sends all commands in one pipeline; resolves with every reply, in order. */
  batch(cmds: readonly string[][]): Promise<Reply[]> {
    return Promise.all(cmds.map((c) => this.call(...c)));
  }

  /** Like batch(), in pipelines of `size`, so huge command lists do not sit in memory twice. */
  async batched(cmds: readonly string[][], size = 2000): Promise<Reply[]> {
    const out: Reply[] = [];
    for (let i = 0; i < cmds.length; i += size) out.push(...(await this.batch(cmds.slice(i, i + size))));
    return out;
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out.length === 0 || this.closed) return;
    const data = Buffer.from(this.out.join(''), 'latin1');
    this.out = [];
    this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), d]) : d;
    this.pos = 0;
    const buf = this.buf;
    let p = 0;
    for (;;) {
      if (p >= buf.length) break;
      const cr = buf.indexOf(13, p);
      if (cr < 0 || cr + 1 >= buf.length) break;
      const t = buf[p];
      const line = buf.toString('latin1', p + 1, cr);
      let value: Reply;
      if (t === 0x24) { // $
        const n = Number(line);
        if (n < 0) {
          value = null;
          p = cr + 2;
        } else {
          if (cr + 2 + n + 2 > buf.length) break;
          value = buf.toString('latin1', cr + 2, cr + 2 + n);
          p = cr + 2 + n + 2;
        }
      } else if (t === 0x2a) { // *
        const n = Number(line);
        p = cr + 2;
        if (n < 0) value = null;
        else if (n === 0) value = [];
        else {
          this.stack.push({ items: [], n });
          continue;
        }
      } else {
        p = cr + 2;
        if (t === 0x2b) value = line;
        else if (t === 0x2d) value = new ReplyError(line);
        else if (t === 0x3a) value = BigInt(line);
        else throw new Error(`PipeClient: unexpected RESP type byte ${t} (${line})`);
      }
      // Deliver: into the innermost open array, or to the next waiter.
      for (;;) {
        const top = this.stack[this.stack.length - 1];
        if (top === undefined) {
          const w = this.waiters[this.head++];
          if (this.head > 4096 && this.head * 2 > this.waiters.length) {
            this.waiters = this.waiters.slice(this.head);
            this.head = 0;
          }
          w?.resolve(value);
          break;
        }
        top.items.push(value);
        if (top.items.length < top.n) break;
        this.stack.pop();
        value = top.items;
      }
    }
    this.pos = p;
  }
}

/** The reply as a string, failing on anything else (an error reply included). */
export function str(r: Reply): string {
  if (typeof r === 'string') return r;
  throw new Error(`expected a string reply, got ${show(r)}`);
}

export function int(r: Reply): number {
  if (typeof r === 'bigint') return Number(r);
  throw new Error(`expected an integer reply, got ${show(r)}`);
}

export function arr(r: Reply): Reply[] {
  if (Array.isArray(r)) return r;
  throw new Error(`expected an array reply, got ${show(r)}`);
}

/** Printable form of a (possibly binary, possibly huge) value for messages. */
export function show(r: Reply | undefined, max = 120): string {
  const s = r === undefined ? 'undefined' : typeof r === 'string' ? JSON.stringify(r) : r instanceof ReplyError ? `-${r.message}` : Array.isArray(r) ? JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof ReplyError ? `-${v.message}` : v)) : String(r);
  return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s;
}

/** INFO <section> as a map of field → value. */
export async function info(c: PipeClient, section: string): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  for (const line of str(await c.call('INFO', section)).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** Waits until the server answers PING (not -LOADING). */
export async function waitReady(c: PipeClient, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.call('PING');
    if (r === 'PONG') return;
    if (!(r instanceof ReplyError && r.message.startsWith('LOADING')) || Date.now() > end) throw new Error(`PING: ${show(r)}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Polls INFO persistence until no BGSAVE runs; returns the section at that point. */
export async function waitBgsave(c: PipeClient, timeoutMs = 30000): Promise<Map<string, string>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await info(c, 'persistence');
    if (p.get('rdb_bgsave_in_progress') === '0') return p;
    if (Date.now() > end) throw new Error('BGSAVE still in progress after timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ---------------------------------------------------------------- dataset

export type Kind = 'string' | 'list' | 'hash' | 'set' | 'zset';

export interface KeySpec {
  db: number;
  key: string;
  kind: Kind;
  /** Commands that create the key (no SELECT; run in `db`). */
  cmds: string[][];
  /** TTL applied after creation: relative ms, or an absolute unix ms time. */
  ttl?: { rel: number } | { abs: number };
}

export interface DatasetOptions {
  /** Number of keys (default 20000). */
  keys?: number;
  dbs?: readonly number[];
  /** Scale for the big values (100 KB strings, 10k-element lists...): 0 drops them. */
  big?: number;
}

const INT_STRINGS = [
  '0', '1', '-1', '12', '13', '127', '128', '-128', '-129', '255', '256', '32767', '32768', '-32768', '-32769',
  '65535', '65536', '2147483647', '2147483648', '-2147483648', '-2147483649', '4294967295', '4294967296',
  '9007199254740993', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '10000', '9999',
];
/** Look like integers but are not canonical: must come back byte for byte. */
const NOT_INT_STRINGS = [
  '-0', '007', '00', '-01', '+5', ' 1', '1 ', '1.5', '-', '0x10', '1e3', '18446744073709551616',
  '9223372036854775808', '-9223372036854775809', '123456789012345678901', '1\u0000',
];
const SCORES = [
  'inf', '-inf', '+inf', '-0', '0', '1e300', '-1e300', '0.1', '-0.1', '3.14159', '1.5', '-2.25', '1e-300', '5e-324',
  '1.7976931348623157e308', '2.2250738585072014e-308', '9007199254740993', '9007199254740992', '18014398509481984',
  '-18014398509481985', '1e17', '123456789012345678', '4611686018427387904', '9223372036854775807', '1e20',
  '0.30000000000000004', '100', '-100', '42',
];
const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

function randBytes(rng: Rng, n: number): string {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(256);
  return b.toString('latin1');
}

function randText(rng: Rng, n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

/** Compressible by LZF: a few words repeated. */
function compressible(rng: Rng, n: number): string {
  const unit = randText(rng, rng.range(3, 12));
  let s = '';
  while (s.length < n) s += unit + (rng.chance(0.1) ? randText(rng, 2) : '');
  return s.slice(0, n);
}

function randInt(rng: Rng): string {
  switch (rng.int(6)) {
    case 0: return String(rng.range(-128, 127));
    case 1: return String(rng.range(-32768, 32767));
    case 2: return String(rng.range(-2147483648, 2147483647));
    case 3: return String(rng.range(-(2 ** 40), 2 ** 40) * 4096);
    case 4: return rng.pick(INT_STRINGS);
    default: return String(rng.range(0, 12));
  }
}

/** A list/set/hash element; `short` keeps it within the 64-byte listpack value limit. */
function element(rng: Rng, short = false): string {
  switch (rng.int(8)) {
    case 0: return randInt(rng);
    case 1: return rng.pick(NOT_INT_STRINGS);
    case 2: return randBytes(rng, rng.range(0, 30));
    case 3: return compressible(rng, rng.range(21, short ? 64 : 200));
    case 4: return '';
    default: return randText(rng, rng.range(1, 24));
  }
}

function stringValue(rng: Rng, big: number, budget: { huge: number }): string {
  const r = rng.int(100);
  if (r < 20) return randInt(rng);
  if (r < 27) return rng.pick(NOT_INT_STRINGS);
  if (r < 45) return randText(rng, rng.range(1, 20));
  if (r < 52) return randText(rng, rng.pick([20, 21, 43, 44, 45, 46]));
  if (r < 65) return compressible(rng, rng.range(21, 3000));
  if (r < 77) return randBytes(rng, rng.range(21, 3000));
  if (r < 80) return ALL_BYTES;
  if (r < 82) return '';
  if (r < 84 && big > 0 && budget.huge > 0) {
    budget.huge--;
    return rng.chance(0.5) ? compressible(rng, 100 * 1024) : randBytes(rng, 100 * 1024 + rng.int(100));
  }
  return randBytes(rng, rng.range(1, 20));
}

function pushAll(cmds: string[][], head: string[], items: string[], per = 1000): void {
  for (let i = 0; i < items.length; i += per) cmds.push([...head, ...items.slice(i, i + per)]);
}

function uniq(n: number, make: (i: number) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  let guard = 0;
  while (out.length < n && guard++ < n * 20) {
    const s = make(out.length);
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

function listKey(rng: Rng, key: string, big: number, budget: Budget): string[][] {
  const cmds: string[][] = [];
  const r = rng.int(100);
  let items: string[];
  if (r < 4 && big > 0 && budget.longList > 0) {
    budget.longList--;
    items = Array.from({ length: Math.round(10000 * big) }, (_, i) => (i % 3 === 0 ? String(i) : `e${i}:${randText(rng, rng.range(0, 12))}`));
  } else if (r < 12 && big > 0 && budget.bigElems > 0) {
    budget.bigElems--;
    items = Array.from({ length: rng.range(2, 12) }, () => (rng.chance(0.5) ? compressible(rng, rng.range(5000, 40000)) : randBytes(rng, rng.range(5000, 40000))));
  } else if (r < 20) {
    items = Array.from({ length: rng.range(100, 800) }, () => element(rng));
  } else {
    items = Array.from({ length: rng.range(1, 20) }, () => element(rng));
  }
  pushAll(cmds, [rng.chance(0.5) ? 'RPUSH' : 'LPUSH', key], items);
  return cmds;
}

function hashKey(rng: Rng, key: string, big: number, budget: Budget): string[][] {
  const cmds: string[][] = [];
  const r = rng.int(100);
  let n: number;
  if (r < 2 && big > 0 && budget.hugeColl > 0) {
    budget.hugeColl--;
    n = 17000; // more than 16383 entries: a 32-bit RDB length
  } else if (r < 8 && big > 0 && budget.bigHash > 0) {
    budget.bigHash--;
    n = rng.range(129, 600);
  } else if (r < 10) n = rng.pick([127, 128, 129]); // hash-max-listpack-entries
  else n = rng.range(1, 40);
  const fields = uniq(n, (i) => (rng.chance(0.2) ? randBytes(rng, rng.range(0, 10)) : rng.chance(0.2) ? randInt(rng) : `f${i}`));
  const longValue = rng.chance(0.15);
  const kv: string[] = [];
  for (const f of fields) kv.push(f, element(rng, true));
  if (longValue) kv[kv.length - 1] = rng.chance(0.5) ? compressible(rng, rng.range(65, 2000)) : randBytes(rng, rng.range(65, 2000));
  // A 64-byte value keeps the listpack; 65 converts (hash-max-listpack-value).
  if (!longValue && rng.chance(0.1)) kv[kv.length - 1] = randText(rng, 64);
  pushAll(cmds, ['HSET', key], kv, 1000);
  return cmds;
}

function setKey(rng: Rng, key: string, big: number, budget: Budget): string[][] {
  const cmds: string[][] = [];
  const r = rng.int(100);
  let members: string[];
  if (r < 15) members = uniq(rng.range(1, 60), () => String(rng.range(-32768, 32767)));
  else if (r < 30) members = uniq(rng.range(1, 60), () => String(rng.range(-2147483648, 2147483647)));
  else if (r < 40) members = uniq(rng.range(1, 60), () => String(BigInt(rng.range(-(2 ** 30), 2 ** 30)) * 8589934592n + BigInt(rng.int(1000))));
  else if (r < 43) members = ['9223372036854775807', '-9223372036854775808', '0', '1'];
  else if (r < 46) members = uniq(512, () => String(rng.range(-1e9, 1e9))); // exactly set-max-intset-entries
  else if (r < 47 && big > 0 && budget.hugeColl > 0) {
    budget.hugeColl--;
    members = uniq(20000, (i) => (i % 2 ? String(i) : `s${i}`));
  } else if (r < 52 && big > 0 && budget.bigSet > 0) {
    budget.bigSet--;
    members = uniq(rng.range(513, 3000), () => (rng.chance(0.7) ? String(rng.range(-1e9, 1e9)) : randText(rng, 10)));
  } else if (r < 55 && big > 0 && budget.bigSet > 0) {
    budget.bigSet--;
    members = uniq(rng.range(513, 2000), () => String(rng.range(-1e9, 1e9))); // all ints, too many for an intset
  } else members = uniq(rng.range(1, 50), () => element(rng));
  pushAll(cmds, ['SADD', key], members);
  return cmds;
}

function zsetKey(rng: Rng, key: string, big: number, budget: Budget): string[][] {
  const cmds: string[][] = [];
  const r = rng.int(100);
  let n: number;
  if (r < 2 && big > 0 && budget.hugeColl > 0) {
    budget.hugeColl--;
    n = 17000;
  } else if (r < 8 && big > 0 && budget.bigZset > 0) {
    budget.bigZset--;
    n = rng.range(129, 1500);
  } else if (r < 10) n = rng.pick([127, 128, 129]); // zset-max-listpack-entries
  else n = rng.range(1, 60);
  const members = uniq(n, (i) => (rng.chance(0.2) ? randBytes(rng, rng.range(0, 12)) : rng.chance(0.1) ? randInt(rng) : `m${i}:${randText(rng, 3)}`));
  if (rng.chance(0.08)) members[members.length - 1] = randText(rng, rng.range(65, 300)); // zset-max-listpack-value
  else if (rng.chance(0.05)) members[members.length - 1] = `~${randText(rng, 63)}`; // exactly 64: still a listpack
  const sm: string[] = [];
  for (const m of members) {
    let s = rng.chance(0.3) ? rng.pick(SCORES) : rng.chance(0.5) ? String(rng.range(-1000, 1000)) : String((rng.next() - 0.5) * 10 ** rng.range(-5, 20));
    if (isG17Tie(s)) s = String(rng.range(-1000, 1000));
    sm.push(s, m);
  }
  pushAll(cmds, ['ZADD', key], sm, 1000);
  return cmds;
}

/**
 * True when the double `s` denotes lies exactly halfway between two
 * 17-significant-digit decimals (its exact expansion has 18 digits ending in
 * 5). Reddish prints those differently from glibc's %.17g (a known bug, kept
 * visible by its own test in rdb-interop.test.ts), so the random scores avoid
 * them: the bulk comparisons can then compare printed scores and DEBUG
 * DIGEST strictly.
 */
export function isG17Tie(s: string): boolean {
  const x = Math.abs(Number(s === 'inf' || s === '+inf' ? Infinity : s === '-inf' ? -Infinity : s));
  if (!Number.isFinite(x) || x === 0) return false;
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  while ((mant & 1n) === 0n) {
    mant >>= 1n;
    e++;
  }
  // An odd mantissa times 5^-e has at least 0.69·(-e) digits, none of them trailing zeros.
  if (e < -26) return false;
  const digits = (e >= 0 ? mant << BigInt(e) : mant * 5n ** BigInt(-e)).toString().replace(/0+$/, '');
  return digits.length === 18 && digits.endsWith('5');
}

interface Budget {
  huge: number;
  longList: number;
  bigElems: number;
  bigHash: number;
  bigSet: number;
  bigZset: number;
  /** Collections of more than 16383 entries. */
  hugeColl: number;
}

/**
 * The dataset: `keys` keys over `dbs` (about 50/30/20 for three dbs), roughly
 * 55% strings, 10% each lists/hashes/sets/zsets and 5% binary-named keys of
 * any type; 12% with a TTL (most far in the future, some 30-60 s). Big values
 * are capped so a 20000-key dataset loads in a second or two.
 */
export function generateDataset(seed: number, opts: DatasetOptions = {}): KeySpec[] {
  const rng = new Rng(seed);
  const n = opts.keys ?? 20000;
  const dbs = opts.dbs ?? [0, 1, 5];
  const big = opts.big ?? 1;
  const scale = n / 20000;
  const at = (x: number, min = 1): number => Math.max(min, Math.round(x * scale));
  const budget: Budget = {
    huge: at(12), longList: at(5), bigElems: at(25), bigHash: at(60), bigSet: at(40), bigZset: at(60), hugeColl: at(3, 0),
  };
  const out: KeySpec[] = [];
  const names = dbs.map(() => new Set<string>());
  const now = Date.now();
  // The empty key name is a valid key.
  out.push({ db: dbs[0], key: '', kind: 'string', cmds: [['SET', '', 'empty key name']] });
  names[0].add('');
  for (let i = 0; out.length < n; i++) {
    const di = dbs.length === 1 ? 0 : rng.weighted(dbs.map((_, j) => [j, j === 0 ? 5 : j === 1 ? 3 : 2] as const));
    const db = dbs[di];
    const r = rng.int(100);
    const kind: Kind = r < 55 ? 'string' : r < 66 ? 'list' : r < 77 ? 'hash' : r < 88 ? 'set' : 'zset';
    let key = rng.chance(0.05) ? randBytes(rng, rng.range(1, 40)) : `${kind}:${i}:${randText(rng, rng.range(0, 8))}`;
    if (names[di].has(key)) key = `${kind}:${i}:dup`;
    if (names[di].has(key)) continue;
    names[di].add(key);
    let cmds: string[][];
    switch (kind) {
      case 'string': cmds = [['SET', key, stringValue(rng, big, budget)]]; break;
      case 'list': cmds = listKey(rng, key, big, budget); break;
      case 'hash': cmds = hashKey(rng, key, big, budget); break;
      case 'set': cmds = setKey(rng, key, big, budget); break;
      default: cmds = zsetKey(rng, key, big, budget); break;
    }
    const spec: KeySpec = { db, key, kind, cmds };
    if (rng.chance(0.12)) {
      const t = rng.int(10);
      if (t < 3) spec.ttl = { rel: rng.range(30000, 60000) };
      else if (t < 4) spec.ttl = { abs: 4102444800000 }; // 2100-01-01
      else if (t < 5) spec.ttl = { abs: now + rng.range(1, 3650) * 86400000 + rng.int(1000) };
      else spec.ttl = { rel: rng.range(3600, 30 * 86400) * 1000 + rng.int(1000) };
    }
    out.push(spec);
  }
  return out;
}

/** The commands that build `ds` on a server (SELECTs included), ending in SELECT 0. */
export function datasetCommands(ds: readonly KeySpec[]): string[][] {
  const cmds: string[][] = [];
  let cur = -1;
  for (const k of ds) {
    if (k.db !== cur) {
      cmds.push(['SELECT', String(k.db)]);
      cur = k.db;
    }
    cmds.push(...k.cmds);
    if (k.ttl !== undefined) {
      cmds.push('rel' in k.ttl ? ['PEXPIRE', k.key, String(k.ttl.rel)] : ['PEXPIREAT', k.key, String(k.ttl.abs)]);
    }
  }
  cmds.push(['SELECT', '0']);
  return cmds;
}

/** Loads `ds` through one pipelined connection; throws on the first error reply. */
export async function loadDataset(c: PipeClient, ds: readonly KeySpec[]): Promise<void> {
  const cmds = datasetCommands(ds);
  const replies = await c.batched(cmds, 4000);
  for (let i = 0; i < replies.length; i++) {
    if (replies[i] instanceof ReplyError) throw new Error(`loading the dataset: ${show(cmds[i])} -> ${show(replies[i])}`);
  }
}

/** How many keys of `ds` each db should hold. */
export function dbSizes(ds: readonly KeySpec[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const k of ds) m.set(k.db, (m.get(k.db) ?? 0) + 1);
  return m;
}

// ---------------------------------------------------------------- reading back

export interface KeyState {
  type: string;
  /** PTTL: -1 persistent, -2 missing. */
  pttl: number;
  encoding: string;
  /** The value in a canonical form (hash as sorted pairs, set sorted, zset in ZRANGE order). */
  value: string;
}

export const MISSING: KeyState = { type: 'none', pttl: -2, encoding: '', value: '' };

function canonical(type: string, r: Reply): string {
  switch (type) {
    case 'string': return typeof r === 'string' ? r : show(r);
    case 'list': return JSON.stringify(arr(r));
    case 'hash': {
      const a = arr(r) as string[];
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < a.length; i += 2) pairs.push([a[i], a[i + 1]]);
      pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
      return JSON.stringify(pairs);
    }
    case 'set': return JSON.stringify((arr(r) as string[]).slice().sort());
    case 'zset': return JSON.stringify(arr(r));
    default: return show(r, 1e9);
  }
}

const READ: Record<string, (k: string) => string[]> = {
  string: (k) => ['GET', k],
  list: (k) => ['LRANGE', k, '0', '-1'],
  hash: (k) => ['HGETALL', k],
  set: (k) => ['SMEMBERS', k],
  zset: (k) => ['ZRANGE', k, '0', '-1', 'WITHSCORES'],
};

/** The state of `keys` in `db`: two pipelines (TYPE/PTTL/OBJECT ENCODING, then the values). */
export async function readKeys(c: PipeClient, db: number, keys: readonly string[]): Promise<KeyState[]> {
  if (keys.length === 0) return [];
  const meta: string[][] = [['SELECT', String(db)]];
  for (const k of keys) meta.push(['TYPE', k], ['PTTL', k], ['OBJECT', 'ENCODING', k]);
  const m = await c.batch(meta);
  const reads: string[][] = [];
  const states: KeyState[] = [];
  for (let i = 0; i < keys.length; i++) {
    const type = str(m[1 + 3 * i]);
    const pttl = int(m[2 + 3 * i]);
    const e = m[3 + 3 * i];
    const st: KeyState = { type, pttl, encoding: typeof e === 'string' ? e : '', value: '' };
    states.push(st);
    const rd = READ[type];
    if (rd !== undefined) reads.push(rd(keys[i]));
    else if (type !== 'none') reads.push(['TYPE', keys[i]]);
  }
  const v = await c.batch(reads);
  let j = 0;
  for (const st of states) {
    if (st.type === 'none') {
      Object.assign(st, MISSING);
      continue;
    }
    st.value = canonical(st.type, v[j++]);
  }
  await c.call('SELECT', '0');
  return states;
}

/** KEYS * of one db. */
export async function keysOf(c: PipeClient, db: number): Promise<string[]> {
  const r = await c.batch([['SELECT', String(db)], ['KEYS', '*'], ['SELECT', '0']]);
  return arr(r[1]) as string[];
}

export async function dbSizesOf(c: PipeClient, dbs = 16): Promise<number[]> {
  const cmds: string[][] = [];
  for (let i = 0; i < dbs; i++) cmds.push(['SELECT', String(i)], ['DBSIZE']);
  cmds.push(['SELECT', '0']);
  const r = await c.batch(cmds);
  return Array.from({ length: dbs }, (_, i) => int(r[2 * i + 1]));
}

/**
 * The difference between two states of one key, or null when they agree:
 * type, encoding and value equal, PTTLs within `ttlTolerance` ms (both -1
 * for a persistent key). A key present on one side only is tolerated when
 * its TTL there is under the tolerance (it expired in between).
 */
export function diffState(a: KeyState, b: KeyState, ttlTolerance = 2000, checkEncoding = true): string | null {
  if (a.type === 'none' || b.type === 'none') {
    if (a.type === b.type) return null;
    const there = a.type === 'none' ? b : a;
    if (there.pttl >= 0 && there.pttl < ttlTolerance) return null;
    return `exists on one side only: ${a.type} vs ${b.type} (pttl ${a.pttl} vs ${b.pttl})`;
  }
  if (a.type !== b.type) return `TYPE ${a.type} vs ${b.type}`;
  if (a.value !== b.value) return `value differs: ${show(a.value)} vs ${show(b.value)}`;
  if (checkEncoding && a.encoding !== b.encoding) return `OBJECT ENCODING ${a.encoding} vs ${b.encoding}`;
  if ((a.pttl < 0 || b.pttl < 0) && a.pttl !== b.pttl) return `PTTL ${a.pttl} vs ${b.pttl}`;
  if (Math.abs(a.pttl - b.pttl) >= ttlTolerance) return `PTTL ${a.pttl} vs ${b.pttl}`;
  return null;
}

export interface CompareResult {
  keysCompared: number;
  mismatches: string[];
  /** How many keys of each `type encoding` the first server holds (the dataset's coverage). */
  encodings: Map<string, number>;
}

/**
 * Compares every key of `dbs` between two running servers (the union of both
 * sides' KEYS), in batches read from both sides back to back so that PTTLs
 * are comparable, plus DBSIZE of all 16 dbs.
 */
export async function compareServers(a: PipeClient, b: PipeClient, dbs: readonly number[] = [0, 1, 5], opts: { checkEncoding?: boolean } = {}): Promise<CompareResult> {
  const mismatches: string[] = [];
  const encodings = new Map<string, number>();
  let keysCompared = 0;
  const [sa, sb] = await Promise.all([dbSizesOf(a), dbSizesOf(b)]);
  for (let i = 0; i < 16; i++) if (sa[i] !== sb[i]) mismatches.push(`DBSIZE of db ${i}: ${sa[i]} vs ${sb[i]}`);
  for (const db of dbs) {
    const [ka, kb] = await Promise.all([keysOf(a, db), keysOf(b, db)]);
    const all = [...new Set([...ka, ...kb])].sort();
    for (let i = 0; i < all.length; i += 1000) {
      const chunk = all.slice(i, i + 1000);
      const [ra, rb] = await Promise.all([readKeys(a, db, chunk), readKeys(b, db, chunk)]);
      for (let j = 0; j < chunk.length; j++) {
        const te = `${ra[j].type} ${ra[j].encoding}`;
        encodings.set(te, (encodings.get(te) ?? 0) + 1);
        const d = diffState(ra[j], rb[j], 2000, opts.checkEncoding ?? true);
        if (d !== null) mismatches.push(`db ${db} key ${show(chunk[j], 60)}: ${d}`);
      }
      keysCompared += chunk.length;
    }
  }
  return { keysCompared, mismatches, encodings };
}
