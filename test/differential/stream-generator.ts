/**
 * Shared by the stream differential tests (streams*.test.ts) and the stream
 * interop test: which servers to pair, the reply normalizer for time-like
 * values, and a seeded stream-command generator.
 *
 * REDDISH_VS_REDIS=1 puts a second redis-server where reddish-server would
 * run, so the suite checks its own determinism against Redis alone: every
 * test must pass that way, and fail against a server that answers otherwise.
 *
 * Normalization is deliberately narrow. Replies are compared raw; only
 * these are replaced, in place, keeping every other byte:
 *   - stream IDs whose milliseconds are within a day of now (made by `*`):
 *     the clock of two servers cannot agree on them;
 *   - idle times (XPENDING's extended form, XINFO CONSUMERS' `idle`/`inactive`),
 *     bucketed as under a day / a day or more;
 *   - absolute times (XINFO STREAM FULL's `seen-time`, `active-time` and the
 *     delivery times in its `pending` lists) only when within a day of now:
 *     times set with XCLAIM TIME to a fixed past value stay exact.
 */
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { Rng } from './generator.js';
import type { ServerKind } from '../support/servers.js';

export const VS_REDIS = process.env.REDDISH_VS_REDIS === '1';
/** What runs where Reddish would: Reddish, or Redis under REDDISH_VS_REDIS=1. */
export const SECOND: ServerKind = VS_REDIS ? 'redis' : 'reddish';

export function streamPair(extraArgs: string[] = []): Promise<Pair> {
  return startPair(extraArgs, { second: SECOND });
}

// ---- raw RESP tree -----------------------------------------------------------

/** A reply as its own bytes: the header line, a bulk body, or child nodes. */
interface RawNode {
  /** The type byte: + - : $ * % ~ > = , ( # _ ! */
  t: string;
  /** The rest of the header line. */
  line: string;
  body?: string;
  kids?: RawNode[];
}

class Cursor {
  pos = 0;
  constructor(readonly s: string) {}
  node(): RawNode {
    const t = this.s[this.pos];
    const cr = this.s.indexOf('\r\n', this.pos);
    if (t === undefined || cr < 0) throw new Error('truncated');
    const line = this.s.slice(this.pos + 1, cr);
    this.pos = cr + 2;
    if (t === '$' || t === '=' || t === '!') {
      const n = Number(line);
      if (n < 0) return { t, line };
      const body = this.s.slice(this.pos, this.pos + n);
      if (this.s.slice(this.pos + n, this.pos + n + 2) !== '\r\n') throw new Error('bad bulk');
      this.pos += n + 2;
      return { t, line, body };
    }
    if (t === '*' || t === '~' || t === '>' || t === '%') {
      const n = Number(line);
      if (n < 0) return { t, line };
      const kids: RawNode[] = [];
      for (let i = 0; i < (t === '%' ? 2 * n : n); i++) kids.push(this.node());
      return { t, line, kids };
    }
    if ('+-:,(#_'.includes(t)) return { t, line };
    throw new Error(`unexpected type byte ${JSON.stringify(t)}`);
  }
}

function parseRaw(raw: string): RawNode | null {
  try {
    const c = new Cursor(raw);
    const n = c.node();
    return c.pos === raw.length ? n : null;
  } catch {
    return null;
  }
}

function serialize(n: RawNode): string {
  let s = n.t + n.line + '\r\n';
  if (n.body !== undefined) s += n.body + '\r\n';
  if (n.kids) for (const k of n.kids) s += serialize(k);
  return s;
}

function text(n: RawNode | undefined): string | undefined {
  if (!n) return undefined;
  if (n.t === '$' && n.body !== undefined) return n.body;
  if (n.t === '+') return n.line;
  return undefined;
}

function intOf(n: RawNode | undefined): bigint | undefined {
  return n && n.t === ':' ? BigInt(n.line) : undefined;
}

function setMask(n: RawNode, label: string): void {
  // Keeps the node's type byte, so an integer stays an integer.
  if (n.t === '$') {
    n.line = '?';
    n.body = label;
  } else n.line = label;
}

// ---- normalizer --------------------------------------------------------------

const DAY_MS = 86_400_000n;
const CLOCK_ID = /^([0-9]+)-([0-9]+)$/;

function nearNow(ms: bigint, now: bigint): boolean {
  return ms > now - DAY_MS && ms < now + DAY_MS;
}

function maskClockIds(n: RawNode, now: bigint): void {
  const s = text(n);
  if (s !== undefined) {
    const m = CLOCK_ID.exec(s);
    if (m && nearNow(BigInt(m[1]), now)) setMask(n, '<clock-id>');
    return;
  }
  if (n.kids) for (const k of n.kids) maskClockIds(k, now);
}

function maskIdle(n: RawNode | undefined): void {
  const v = intOf(n);
  if (n && v !== undefined && v >= 0n) setMask(n, v < DAY_MS ? '<idle>' : '<idle-long>');
}

function maskTime(n: RawNode | undefined, now: bigint): void {
  const v = intOf(n);
  if (n && v !== undefined && nearNow(v, now)) setMask(n, '<now>');
}

/** XINFO: key/value lists (flat arrays in RESP2, maps in RESP3), walked whole. */
function maskXinfo(n: RawNode, now: bigint): void {
  if (!n.kids) return;
  for (let i = 0; i + 1 < n.kids.length; i += 2) {
    const key = text(n.kids[i]);
    const val = n.kids[i + 1];
    if (key === 'idle' || key === 'inactive') maskIdle(val);
    else if (key === 'seen-time' || key === 'active-time') maskTime(val, now);
    else if (key === 'pending' && val.t === '*' && val.kids) {
      // FULL: a group's [id, consumer, delivery-time, count], a consumer's [id, delivery-time, count].
      for (const e of val.kids) {
        if (e.kids?.length === 4) maskTime(e.kids[2], now);
        else if (e.kids?.length === 3) maskTime(e.kids[1], now);
      }
    }
  }
  for (const k of n.kids) maskXinfo(k, now);
}

/** The reply with its time-like values masked (see the file header); other bytes as they came. */
export function normalizeStreamReply(raw: string, cmd: readonly string[], nowMs = Date.now()): string {
  const root = parseRaw(raw);
  if (root === null) return raw;
  const now = BigInt(nowMs);
  const name = (cmd[0] ?? '').toUpperCase();
  maskClockIds(root, now);
  if (name === 'XPENDING' && root.kids) {
    for (const e of root.kids) if (e.kids?.length === 4) maskIdle(e.kids[2]);
  } else if (name === 'XINFO') maskXinfo(root, now);
  return serialize(root);
}

// ---- comparing without FLUSHALL ----------------------------------------------

export interface StateDiff {
  command: string[];
  redis: string;
  reddish: string;
}

/** Sends each command to both servers as things stand; returns the normalized differences. */
export async function compareNow(pair: Pair, cmds: string[][]): Promise<StateDiff[]> {
  const out: StateDiff[] = [];
  for (const cmd of cmds) {
    const [a, b] = await Promise.all([pair.redisClient.call(...cmd), pair.reddishClient.call(...cmd)]);
    if (normalizeStreamReply(a, cmd) !== normalizeStreamReply(b, cmd)) out.push({ command: cmd, redis: a, reddish: b });
  }
  return out;
}

// ---- the generator -----------------------------------------------------------

/**
 * The generator's streams, all with explicit IDs. No `*` here: masking the
 * IDs is not enough, since their deltas set the entries' byte sizes, and so
 * node boundaries and what `~` trims. `*` is in the scripted tests.
 */
export const STREAM_KEYS = ['s0', 's1', 's2'];
/** A string key, for WRONGTYPE. */
export const STRING_KEY = 'str';
const GROUPS = ['g0', 'g1', 'g2'];
const CONSUMERS = ['c0', 'c1', 'c2'];
const FIELDS = ['f', 'g', 'name', 'n'];

/** The commands that read a key's whole final state (time fields get masked). */
export function stateCommands(): string[][] {
  const out: string[][] = [];
  for (const k of [...STREAM_KEYS, STRING_KEY]) {
    out.push(['TYPE', k], ['XINFO', 'STREAM', k], ['XINFO', 'STREAM', k, 'FULL', 'COUNT', '0'], ['XINFO', 'GROUPS', k]);
    for (const g of GROUPS) out.push(['XPENDING', k, g], ['XPENDING', k, g, '-', '+', '1000'], ['XINFO', 'CONSUMERS', k, g]);
  }
  return out;
}

/**
 * A seeded generator. It tracks, per key, the largest explicit ms it has
 * used, so new IDs are mostly increasing and existing-looking IDs mostly hit.
 * Times used: min-idle and IDLE filters of 0 or one hour, XCLAIM IDLE of two
 * hours, XCLAIM TIME fixed far in the past: which entries qualify never
 * depends on how fast the servers run.
 */
class StreamGen {
  private top = new Map<string, number>();
  /** Per key, the IDs of its latest XADDs (as the generator expects them to come out). */
  private added = new Map<string, string[]>();
  constructor(private readonly r: Rng) {}

  private streamKey(): string {
    return this.r.chance(0.03) ? STRING_KEY : this.r.weighted([['s0', 4], ['s1', 3], ['s2', 2]] as const);
  }

  private topOf(k: string): number {
    return this.top.get(k) ?? 0;
  }

  /** An ID for XADD on key k. */
  private newId(k: string): string {
    const r = this.r;
    const t = this.topOf(k);
    // Bad or stale IDs now and then (the ID space's end is in the scripted tests: it would stall the key).
    if (r.chance(0.04)) return r.pick([`${Math.max(0, t - r.range(0, 3))}-0`, '0-0', '0', 'bad-id', '1-x']);
    const ms = t + r.range(1, 3);
    this.top.set(k, ms);
    const seq = r.pick([0, 0, 0, 1, 7]);
    const id = r.weighted<string>([[`${ms}-${seq}`, 12], [`${ms}-*`, 2], [String(ms), 1]]);
    this.remember(k, id.includes('-') && !id.endsWith('*') ? id : `${ms}-0`);
    return id;
  }

  private remember(k: string, id: string): void {
    const a = this.added.get(k) ?? [];
    a.push(id);
    if (a.length > 150) a.shift();
    this.added.set(k, a);
  }

  /**
   * An ID that likely names an entry of k: mostly one added lately, else one
   * near the top. `old` leans to the oldest remembered: groups deliver in ID
   * order, so pending entries are older ones.
   */
  private someId(k: string, old = false): string {
    const recent = this.added.get(k);
    if (recent && recent.length > 0 && this.r.chance(0.7)) {
      const u = this.r.next();
      const n = Math.min(recent.length, 60);
      return recent[recent.length - n + Math.floor(n * (old ? u * u : u))];
    }
    const t = Math.max(1, this.topOf(k));
    return `${this.r.range(Math.max(0, t - 25), t)}-${this.r.pick([0, 0, 1])}`;
  }

  private rangeBound(k: string, low: boolean): string {
    return this.r.weighted<string>([
      [low ? '-' : '+', 4],
      [this.someId(k), 4],
      [`(${this.someId(k)}`, 2],
      [String(this.r.range(0, this.topOf(k) + 1)), 1],
      [low ? '+' : '-', 0.2],
      [this.r.pick(['(-', 'x', '(18446744073709551615-18446744073709551615', '(0-0']), 0.2],
    ]);
  }

  private fields(): string[] {
    const r = this.r;
    const n = r.weighted([[1, 6], [2, 3], [3, 1]] as const);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const f = r.chance(0.8) ? FIELDS[i] : r.pick(FIELDS);
      const v = r.weighted<string>([
        [String(r.range(0, 1000)), 4],
        [r.pick(['a', 'hello', '', 'x y']), 3],
        [String(r.range(-100000, 100000000)), 1],
        ['v'.repeat(r.range(50, 1200)), 1],
      ]);
      out.push(f, v);
    }
    return out;
  }

  private trim(k: string): string[] {
    const r = this.r;
    const approx = r.weighted<string[]>([[[], 3], [['='], 1], [['~'], 3]]);
    const strat = r.chance(0.7) ? 'MAXLEN' : 'MINID';
    const threshold = strat === 'MAXLEN' ? String(r.weighted([[r.range(20, 150), 10], [r.range(0, 5), 0.5], [-1, 0.2]] as const)) : this.someId(k, true);
    const out = [r.chance(0.1) ? strat.toLowerCase() : strat, ...approx, threshold];
    if (r.chance(approx[0] === '~' ? 0.3 : 0.03)) out.push('LIMIT', String(r.pick([0, 1, 5, 100, 1000, -1])));
    return out;
  }

  private group(): string {
    return this.r.chance(0.95) ? this.r.pick(GROUPS.slice(0, 2)) : this.r.pick([GROUPS[2], 'nogroup']);
  }

  private consumer(): string {
    return this.r.pick(CONSUMERS);
  }

  private ids(k: string, lo: number, hi: number, old = false): string[] {
    return Array.from({ length: this.r.range(lo, hi) }, () => this.someId(k, old));
  }

  private xadd(): string[] {
    const r = this.r;
    const k = this.streamKey();
    const out = ['XADD', k];
    if (r.chance(0.08)) out.push('NOMKSTREAM');
    if (r.chance(0.12)) out.push(...this.trim(k));
    out.push(this.newId(k));
    out.push(...this.fields());
    if (r.chance(0.01)) out.pop(); // odd field/value count
    return out;
  }

  private xclaimOptions(k: string): string[] {
    const r = this.r;
    const out: string[] = [];
    if (r.chance(0.2)) out.push('IDLE', r.pick(['7200000', '0', '-5', 'x']));
    if (r.chance(0.15)) out.push('TIME', r.pick(['1000', '5000', 'x']));
    if (r.chance(0.2)) out.push('RETRYCOUNT', r.pick(['0', '3', '10', '-1']));
    if (r.chance(0.2)) out.push('FORCE');
    if (r.chance(0.25)) out.push('JUSTID');
    if (r.chance(0.1)) out.push('LASTID', this.someId(k));
    if (r.chance(0.01)) out.push('FOO');
    return out;
  }

  next(): string[] {
    const r = this.r;
    const k = this.streamKey();
    return r.weighted<() => string[]>([
      [() => this.xadd(), 26],
      [() => ['XLEN', k], 2],
      [() => {
        const rev = r.chance(0.3);
        const [a, b] = [this.rangeBound(k, true), this.rangeBound(k, false)];
        const out = rev ? ['XREVRANGE', k, b, a] : ['XRANGE', k, a, b];
        if (r.chance(0.4)) out.push('COUNT', String(r.pick([0, 1, 2, 5, 10, -1])));
        return out;
      }, 7],
      [() => ['XDEL', k, ...this.ids(k, 1, 3)], 4],
      [() => ['XTRIM', k, ...this.trim(k)], 1.5],
      [() => {
        const t = this.topOf(k);
        const out = ['XSETID', k, r.chance(0.8) ? `${t + r.range(0, 3)}-${r.range(0, 9)}` : this.someId(k)];
        if (r.chance(0.3)) out.push('ENTRIESADDED', String(r.pick([0, 5, 50, 500, -1])));
        if (r.chance(0.3)) out.push('MAXDELETEDID', this.someId(k));
        this.top.set(k, t + 3);
        return out;
      }, 1.5],
      [() => {
        const ks = r.chance(0.3) ? [k, this.streamKey()] : [k];
        const out = ['XREAD'];
        if (r.chance(0.5)) out.push('COUNT', String(r.pick([1, 2, 3, 10, 0])));
        out.push('STREAMS', ...ks, ...ks.map((x) => r.weighted<string>([[this.someId(x), 4], ['0', 2], ['$', 1]])));
        return out;
      }, 4],
      [() => {
        const out = ['XGROUP', 'CREATE', k, this.group(), r.weighted<string>([['0', 3], ['$', 3], [this.someId(k), 2]])];
        if (r.chance(0.4)) out.push('MKSTREAM');
        if (r.chance(0.2)) out.push('ENTRIESREAD', String(r.pick([0, 1, 3, 10, -1])));
        return out;
      }, 5],
      [() => {
        const out = ['XGROUP', 'SETID', k, this.group(), r.weighted<string>([['0', 2], ['$', 2], [this.someId(k), 3]])];
        if (r.chance(0.3)) out.push('ENTRIESREAD', String(r.pick([0, 2, 7, -1])));
        return out;
      }, 1.5],
      [() => ['XGROUP', 'DESTROY', k, this.group()], 0.4],
      [() => ['XGROUP', 'CREATECONSUMER', k, this.group(), this.consumer()], 1],
      [() => ['XGROUP', 'DELCONSUMER', k, this.group(), this.consumer()], 0.7],
      [() => {
        const ks = r.chance(0.25) ? [k, this.streamKey()] : [k];
        const out = ['XREADGROUP', 'GROUP', this.group(), this.consumer()];
        if (r.chance(0.5)) out.push('COUNT', String(r.pick([1, 2, 3, 5, 20])));
        if (r.chance(0.15)) out.push('NOACK');
        out.push('STREAMS', ...ks, ...ks.map((x) => r.weighted<string>([['>', 8], ['0', 2], [this.someId(x), 1], ['$', 0.1]])));
        return out;
      }, 12],
      [() => ['XACK', k, this.group(), ...this.ids(k, 1, 4, true)], 5],
      [() => {
        if (r.chance(0.3)) return ['XPENDING', k, this.group()];
        const out = ['XPENDING', k, this.group()];
        if (r.chance(0.3)) out.push('IDLE', r.pick(['0', '3600000']));
        out.push(this.rangeBound(k, true), this.rangeBound(k, false), String(r.pick([1, 3, 10, 100])));
        if (r.chance(0.3)) out.push(this.consumer());
        return out;
      }, 4],
      [() => ['XCLAIM', k, this.group(), this.consumer(), r.pick(['0', '0', '3600000']), ...this.ids(k, 1, 3, true), ...this.xclaimOptions(k)], 4],
      [() => {
        const out = ['XAUTOCLAIM', k, this.group(), this.consumer(), r.pick(['0', '0', '3600000']), r.pick(['0', '0-0', this.someId(k)])];
        if (r.chance(0.6)) out.push('COUNT', String(r.pick([1, 2, 3, 10])));
        if (r.chance(0.3)) out.push('JUSTID');
        return out;
      }, 3],
      [() => r.pick([
        ['XINFO', 'STREAM', k],
        ['XINFO', 'STREAM', k, 'FULL'],
        ['XINFO', 'STREAM', k, 'FULL', 'COUNT', String(r.pick([0, 1, 3]))],
        ['XINFO', 'GROUPS', k],
        ['XINFO', 'CONSUMERS', k, this.group()],
      ]), 4],
      [() => ['DEL', k], 0.3],
      [() => {
        const to = this.streamKey();
        this.top.set(to, Math.max(this.topOf(k), this.topOf(to)));
        return r.chance(0.5) ? ['RENAME', k, to] : ['COPY', k, to, ...(r.chance(0.5) ? ['REPLACE'] : [])];
      }, 0.6],
      [() => [r.pick(['TYPE', 'EXISTS']), k], 0.5],
      [() => ['OBJECT', 'ENCODING', k], 0.2],
      [() => ['SET', STRING_KEY, 'x'], 0.2],
      // Node boundaries decide what `~` trims: move them now and then.
      [() => ['CONFIG', 'SET', 'stream-node-max-entries', String(r.pick([2, 5, 100]))], 0.3],
      [() => ['CONFIG', 'SET', 'stream-node-max-bytes', String(r.pick([300, 4096]))], 0.2],
    ])();
  }
}

/** `n` commands from `seed`, after resetting the node-size config (which FLUSHALL does not). */
export function generateStreamScript(seed: number, n: number): string[][] {
  const g = new StreamGen(new Rng(seed));
  const out: string[][] = [
    ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
    ['CONFIG', 'SET', 'stream-node-max-bytes', '4096'],
  ];
  for (let i = 0; i < n; i++) out.push(g.next());
  return out;
}

/** Runs the scripts on both servers; fails with the divergences (stream replies normalized). */
export async function expectSameStreams(pair: Pair, scripts: Record<string, string[][]>): Promise<void> {
  const d = await runScripts(pair, scripts, { normalize: normalizeStreamReply });
  assert.equal(d.length, 0, formatDivergences(d));
}
