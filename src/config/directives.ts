/**
 * Every redis.conf directive Redis 7.0 knows, as data: name, alias, type,
 * default, bounds, and the flags of config.c's standardConfig table
 * (immutable, protected, hidden). config.ts parses and formats values from
 * this table; config-rewrite.ts writes them back; subsystems read typed
 * values and subscribe to changes. Checked against `CONFIG GET *` of Debian's
 * redis-server 7.0.15.
 */
import { repr } from '../util/repr.js';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** A line CONFIG REWRITE writes for a directive; `force` means written even if absent from the file. */
export interface RewriteLine {
  line: string;
  force: boolean;
}

export type DirectiveType =
  | { kind: 'bool' }
  | {
      kind: 'int';
      min: bigint;
      max: bigint;
      /** Redis's unsigned numeric types (uint, unsigned long long, size_t): bounds checked as unsigned. */
      unsigned?: boolean;
      memory?: boolean;
      percent?: boolean;
      octal?: boolean;
      /** Applied after the bounds check (hz is capped to 1..500). */
      clamp?: (n: bigint) => bigint;
    }
  | { kind: 'string'; emptyAsNull?: boolean; validate?: (v: string) => string | null }
  | { kind: 'enum'; values: readonly string[] }
  /** Values with their own syntax (save, bind, client-output-buffer-limit...); kept as the CONFIG GET string. */
  | {
      kind: 'special';
      /** MULTI_ARG_CONFIG: the file gives several arguments, CONFIG SET one string split on spaces. */
      multiArg: boolean;
      /** Checks the arguments; returns the new CONFIG GET string, or throws the error text (as a string). */
      set: (args: string[], current: string, fromFile: FileState | null) => string;
      rewrite: (value: string, name: string) => RewriteLine[];
    };

/** What the file loader tracks for `save` (config.c's reading_config_file semantics). */
export interface FileState {
  saveLoaded: boolean;
}

export interface Directive {
  name: string;
  alias?: string;
  type: DirectiveType;
  /** The CONFIG GET form of the default. */
  default: string;
  /** IMMUTABLE_CONFIG: CONFIG SET refuses it. */
  immutable?: boolean;
  /** PROTECTED_CONFIG: CONFIG SET refuses it unless enable-protected-configs allows. */
  protected?: boolean;
  /** HIDDEN_CONFIG: CONFIG GET patterns skip it; an exact name still works. */
  hidden?: boolean;
  /** Refused at start-up with this message (daemonize yes: Reddish cannot fork). */
  unsupported?: (value: string) => string | null;
}

/** Kept for callers that still think in plain aliases lists. */
export const LLONG_MAX = 9223372036854775807n;
export const LONG_MAX = LLONG_MAX;
export const ULLONG_MAX = 18446744073709551615n;
export const INT_MAX = 2147483647n;
export const INT_MIN = -2147483648n;
export const UINT_MAX = 4294967295n;
const SSIZE_MAX = LLONG_MAX;

type Extra = Partial<Omit<Directive, 'name' | 'type' | 'default'>>;

const bool = (name: string, def: boolean, extra: Extra = {}): Directive => ({ name, type: { kind: 'bool' }, default: def ? 'yes' : 'no', ...extra });
const int = (name: string, def: bigint | number, min: bigint, max: bigint, extra: Extra = {}, flags: Partial<Extract<DirectiveType, { kind: 'int' }>> = {}): Directive => ({
  name, type: { kind: 'int', min, max, ...flags }, default: String(def), ...extra,
});
const uint = (name: string, def: bigint | number, min: bigint, max: bigint, extra: Extra = {}, flags: Partial<Extract<DirectiveType, { kind: 'int' }>> = {}): Directive =>
  int(name, def, min, max, extra, { unsigned: true, ...flags });
const mem = (name: string, def: bigint | number, min: bigint, max: bigint, extra: Extra = {}, unsigned = false): Directive =>
  int(name, def, min, max, extra, { memory: true, unsigned });
const str = (name: string, def: string, extra: Extra = {}, validate?: (v: string) => string | null): Directive => ({
  name, type: { kind: 'string', validate }, default: def, ...extra,
});
/** EMPTY_STRING_IS_NULL strings: an empty value is "not set", and CONFIG REWRITE drops their lines. */
const nstr = (name: string, extra: Extra = {}, validate?: (v: string) => string | null): Directive => ({
  name, type: { kind: 'string', emptyAsNull: true, validate }, default: '', ...extra,
});
const enm = (name: string, def: string, values: readonly string[], extra: Extra = {}): Directive => ({
  name, type: { kind: 'enum', values }, default: def, ...extra,
});
const special = (name: string, def: string, multiArg: boolean, set: Extract<DirectiveType, { kind: 'special' }>['set'], rewrite: Extract<DirectiveType, { kind: 'special' }>['rewrite'], extra: Extra = {}): Directive => ({
  name, type: { kind: 'special', multiArg, set, rewrite }, default: def, ...extra,
});

// ---- value helpers ------------------------------------------------------

/** memtoull: "1gb", "100mb", "64k", digits only; null if malformed. */
export function memToBig(s: string): bigint | null {
  let i = 0;
  if (s[0] === '-') return null;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const unit = s.slice(i).toLowerCase();
  const mul: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };
  if (!(unit in mul)) return null;
  const digits = s.slice(0, i);
  if (digits.length >= 128) return null;
  const v = digits === '' ? 0n : BigInt(digits);
  if (v > ULLONG_MAX) return null;
  if (v > ULLONG_MAX / mul[unit]) return null;
  return v * mul[unit];
}

/** Number form of memToBig, for callers that want a JS number. */
export function memToLong(s: string): number | null {
  const v = memToBig(s);
  return v === null ? null : Number(v);
}

/** string2ll: strict decimal (no '+', no spaces, no leading zeros), int64 range. */
export function string2ll(s: string): bigint | null {
  if (!/^(0|-?[1-9]\d*)$/.test(s)) return null;
  const v = BigInt(s);
  if (v > LLONG_MAX || v < -LLONG_MAX - 1n) return null;
  return v;
}

/** rewriteConfigFormatMemory */
export function formatMemory(bytes: bigint): string {
  const gb = 1024n * 1024n * 1024n;
  const mb = 1024n * 1024n;
  const kb = 1024n;
  if (bytes && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes && bytes % mb === 0n) return `${bytes / mb}mb`;
  if (bytes && bytes % kb === 0n) return `${bytes / kb}kb`;
  return String(bytes);
}


const splitSpaces = (v: string): string[] => (v === '' ? [] : v.split(' '));

// ---- special directives ---------------------------------------------------

function saveSet(args: string[], current: string, file: FileState | null): string {
  let a = args;
  if (a.length === 1 && a[0] === '') a = [];
  // MULTI_ARG_CONFIG: one argument holding spaces (--save "3600 1") is split on them.
  else if (a.length === 1 && a[0].includes(' ')) a = a[0].split(' ').filter((x) => x !== '');
  if (a.length % 2 !== 0) throw 'Invalid save parameters';
  for (let j = 0; j < a.length; j++) {
    const m = /^\s*[+-]?\d+$/.test(a[j]) ? BigInt(a[j].trim()) : null;
    if (m === null || (j % 2 === 0 && m < 1n) || (j % 2 === 1 && m < 0n)) throw 'Invalid save parameters';
  }
  const pairs: string[] = [];
  for (let j = 0; j < a.length; j += 2) pairs.push(`${BigInt(a[j].trim())} ${Number(BigInt.asIntN(32, BigInt(a[j + 1].trim())))}`);
  // In a config file, save lines add up (the first one replaces the defaults); `save ""` clears.
  if (file && a.length > 0) {
    if (!file.saveLoaded) {
      file.saveLoaded = true;
      return pairs.join(' ');
    }
    return [current, ...pairs].filter((x) => x !== '').join(' ');
  }
  return pairs.join(' ');
}

function saveRewrite(value: string, name: string): RewriteLine[] {
  const p = splitSpaces(value);
  if (p.length === 0) return [{ line: `${name} ""`, force: true }];
  const out: RewriteLine[] = [];
  for (let i = 0; i + 1 < p.length; i += 2) out.push({ line: `${name} ${p[i]} ${p[i + 1]}`, force: true });
  return out;
}

const OBUF_DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';
const OBUF_CLASS: Record<string, string> = { normal: 'normal', slave: 'slave', replica: 'slave', pubsub: 'pubsub' };

function obufSet(args: string[], current: string): string {
  if (args.length % 4 !== 0) throw 'Wrong number of arguments in buffer limit configuration.';
  const cur = parseObuf(current);
  const next: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i += 4) {
    const cls = OBUF_CLASS[args[i].toLowerCase()];
    if (!cls) throw 'Invalid client class specified in buffer limit configuration.';
    const hard = memToBig(args[i + 1]);
    const soft = memToBig(args[i + 2]);
    const secs = /^\s*[+-]?\d+/.exec(args[i + 3]);
    if (hard === null || soft === null || !secs || secs[0].length !== args[i + 3].length || BigInt(secs[0].trim()) < 0n) {
      throw 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
    }
    next[cls] = [String(hard), String(soft), String(BigInt(secs[0].trim()))];
  }
  Object.assign(cur, next);
  return ['normal', 'slave', 'pubsub'].map((c) => `${c} ${cur[c].join(' ')}`).join(' ');
}

function parseObuf(v: string): Record<string, string[]> {
  const c = v.split(' ');
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 3 < c.length; i += 4) out[c[i]] = c.slice(i + 1, i + 4);
  return out;
}

function obufRewrite(value: string, name: string): RewriteLine[] {
  const cur = parseObuf(value);
  const def = parseObuf(OBUF_DEFAULT);
  return ['normal', 'slave', 'pubsub'].map((c) => {
    const [h, s, secs] = cur[c];
    const force = cur[c].join(' ') !== def[c].join(' ');
    const type = c === 'slave' ? 'replica' : c;
    return { line: `${name} ${type} ${formatMemory(BigInt(h))} ${formatMemory(BigInt(s))} ${secs}`, force };
  });
}

function oomSet(args: string[]): string {
  if (args.length !== 3) throw 'wrong number of arguments';
  const vals = args.map((a) => {
    const m = /^\s*[+-]?\d+$/.test(a) ? BigInt(a.trim()) : null;
    if (m === null || m < -2000n || m > 2000n) throw 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.';
    return String(m);
  });
  return vals.join(' ');
}

// notify-keyspace-events: keyspaceEventsStringToFlags / FlagsToString
const NK: Record<string, number> = { g: 1 << 2, $: 1 << 3, l: 1 << 4, s: 1 << 5, h: 1 << 6, z: 1 << 7, x: 1 << 8, e: 1 << 9, K: 1, E: 1 << 1, t: 1 << 10, m: 1 << 11, d: 1 << 12, n: 1 << 13 };
const NK_ALL = NK.g | NK.$ | NK.l | NK.s | NK.h | NK.z | NK.x | NK.e | NK.t | NK.d;

export function keyspaceEventsFlags(s: string): number | null {
  let flags = 0;
  for (const c of s) {
    if (c === 'A') flags |= NK_ALL;
    else if (c in NK) flags |= NK[c];
    else return null;
  }
  return flags;
}

export function keyspaceEventsString(flags: number): string {
  let r = '';
  if ((flags & NK_ALL) === NK_ALL) r += 'A';
  else for (const c of ['g', '$', 'l', 's', 'h', 'z', 'x', 'e', 't', 'd', 'n']) if (flags & NK[c]) r += c;
  if (flags & NK.K) r += 'K';
  if (flags & NK.E) r += 'E';
  if (flags & NK.m) r += 'm';
  return r;
}

function nkeSet(args: string[]): string {
  if (args.length !== 1) throw 'wrong number of arguments';
  const f = keyspaceEventsFlags(args[0]);
  if (f === null) throw "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
  return keyspaceEventsString(f);
}

/** %f then trimDoubleString: "99.900000" → "99.9". */
function fmtPercentile(d: number): string {
  let s = d.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

function percentilesSet(args: string[]): string {
  const a = args.length === 1 && args[0] === '' ? [] : args;
  const out: string[] = [];
  for (const x of a) {
    const d = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(x) ? Number(x) : NaN;
    if (!Number.isFinite(d)) throw 'Invalid latency-tracking-info-percentiles parameters';
    if (d > 100 || d < 0) throw 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]';
    out.push(fmtPercentile(d));
  }
  return out.join(' ');
}

function bindSet(args: string[]): string {
  if (args.length > 16) throw 'Too many bind addresses specified.';
  const a = args.length === 1 && args[0] === '' ? [] : args;
  return a.join(' ');
}

function bindRewrite(value: string, name: string): RewriteLine[] {
  if (value === '* -::*') return [];
  return [{ line: `${name} ${value === '' ? '""' : value}`, force: true }];
}

function replicaofSet(args: string[]): string {
  if (args.length !== 2) throw 'wrong number of arguments';
  if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') return '';
  const m = /^\s*[+-]?\d*/.exec(args[1])!;
  const port = m[0].trim() === '' || m[0].trim() === '+' || m[0].trim() === '-' ? 0 : Number(m[0]);
  if (port < 0 || port > 65535 || m[0].length !== args[1].length) throw 'Invalid master port';
  return `${args[0]} ${port}`;
}

function dirSet(args: string[]): string {
  if (args.length !== 1) throw 'wrong number of arguments';
  const p = resolve(args[0]);
  let st;
  try {
    st = statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'EACCES' ? 'Permission denied' : 'No such file or directory';
  }
  if (!st.isDirectory()) throw 'Not a directory';
  return p;
}

function dbfilenameValid(v: string): string | null {
  return v.includes('/') ? "dbfilename can't be a path, just a filename" : null;
}

const PROC_TITLE_VARS = ['{title}', '{listen-addr}', '{server-mode}', '{port}', '{tls-port}', '{unixsocket}', '{config-file}'];
function procTitleValid(v: string): string | null {
  // validateProcTitleTemplate: every {...} must be a known variable, and the expansion must not be empty.
  const bad = 'template format is invalid or contains unknown variables';
  let i = 0;
  while (i < v.length) {
    if (v[i] === '{') {
      const end = v.indexOf('}', i);
      if (end < 0) return bad;
      if (!PROC_TITLE_VARS.includes(v.slice(i, end + 1))) return bad;
      i = end + 1;
    } else if (v[i] === '}') return bad;
    else i++;
  }
  if (v.trim() === '') return bad;
  return null;
}

function hostnameValid(v: string): string | null {
  if (v.length >= 256) return 'Hostnames must be less than 256 characters';
  if (!/^[A-Za-z0-9.-]*$/.test(v)) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  return null;
}

const SHUTDOWN_FLAGS = ['default', 'save', 'nosave', 'now', 'force'];
function shutdownSigSet(args: string[]): string {
  const set = new Set<string>();
  for (const a of args) {
    const l = a.toLowerCase();
    if (!SHUTDOWN_FLAGS.includes(l)) throw `argument(s) must be one of the following: ${SHUTDOWN_FLAGS.join(', ')}`;
    if (l !== 'default') set.add(l);
  }
  if (set.has('save') && set.has('nosave')) throw 'shutdown can\'t have both save and nosave flags';
  const out = SHUTDOWN_FLAGS.filter((f) => set.has(f));
  return out.length === 0 ? 'default' : out.join(' ');
}

/** metrics-bind: one to 16 addresses, as `bind` allows. */
function metricsBindValid(v: string): string | null {
  const addrs = splitSpaces(v).filter((a) => a !== '');
  if (addrs.length === 0) return 'metrics-bind needs at least one address';
  if (addrs.length > 16) return 'Too many bind addresses specified.';
  return null;
}

const clampHz = (n: bigint): bigint => (n < 1n ? 1n : n > 500n ? 500n : n);
const PROTECTED_ACTION = ['no', 'yes', 'local'];

export const DIRECTIVES: readonly Directive[] = [
  // ---- bool
  bool('rdbchecksum', true, { immutable: true }),
  bool('daemonize', false, {
    immutable: true,
    unsupported: (v) => (v === 'yes' ? 'daemonize yes is not supported: Reddish runs in the foreground only (it cannot fork); use your service manager to run it in the background, or set daemonize no' : null),
  }),
  bool('io-threads-do-reads', false, { immutable: true }),
  bool('always-show-logo', false, { immutable: true }),
  bool('protected-mode', true),
  bool('rdbcompression', true),
  bool('rdb-del-sync-files', false),
  bool('activerehashing', true),
  bool('stop-writes-on-bgsave-error', true),
  bool('set-proc-title', true, { immutable: true }),
  bool('dynamic-hz', true),
  bool('lazyfree-lazy-eviction', false),
  bool('lazyfree-lazy-expire', false),
  bool('lazyfree-lazy-server-del', false),
  bool('lazyfree-lazy-user-del', false),
  bool('lazyfree-lazy-user-flush', false),
  bool('repl-disable-tcp-nodelay', false),
  bool('repl-diskless-sync', true),
  bool('aof-rewrite-incremental-fsync', true),
  bool('no-appendfsync-on-rewrite', false),
  bool('cluster-require-full-coverage', true),
  bool('rdb-save-incremental-fsync', true),
  bool('aof-load-truncated', true),
  bool('aof-use-rdb-preamble', true),
  bool('aof-timestamp-enabled', false),
  bool('cluster-replica-no-failover', false, { alias: 'cluster-slave-no-failover' }),
  bool('replica-lazy-flush', false, { alias: 'slave-lazy-flush' }),
  bool('replica-serve-stale-data', true, { alias: 'slave-serve-stale-data' }),
  bool('replica-read-only', true, { alias: 'slave-read-only' }),
  bool('replica-ignore-maxmemory', true, { alias: 'slave-ignore-maxmemory' }),
  bool('jemalloc-bg-thread', true),
  bool('activedefrag', false),
  bool('syslog-enabled', false, { immutable: true }),
  bool('cluster-enabled', false, { immutable: true }),
  bool('appendonly', false),
  bool('cluster-allow-reads-when-down', false),
  bool('cluster-allow-pubsubshard-when-down', true),
  bool('crash-log-enabled', true),
  bool('crash-memcheck-enabled', true),
  bool('use-exit-on-panic', false, { hidden: true }),
  bool('disable-thp', true, { immutable: true }),
  bool('cluster-allow-replica-migration', true),
  bool('replica-announced', true),
  bool('latency-tracking', true),
  bool('aof-disable-auto-gc', false),
  bool('replica-ignore-disk-write-errors', false),
  // ---- string
  str('aclfile', '', { immutable: true }),
  nstr('unixsocket', { immutable: true }),
  nstr('pidfile', { immutable: true }),
  nstr('replica-announce-ip', { alias: 'slave-announce-ip' }),
  nstr('masteruser'),
  nstr('cluster-announce-ip'),
  str('cluster-config-file', 'nodes.conf', { immutable: true }),
  nstr('cluster-announce-hostname', {}, hostnameValid),
  str('syslog-ident', 'redis', { immutable: true }),
  str('dbfilename', 'dump.rdb', { protected: true }, dbfilenameValid),
  str('appendfilename', 'appendonly.aof', { immutable: true }, (v) => (v === '' ? "appendfilename can't be empty" : v.includes('/') ? "appendfilename can't be a path, just a filename" : null)),
  str('appenddirname', 'appendonlydir', { immutable: true }, (v) => (v === '' ? "appenddirname can't be empty" : v.includes('/') ? "appenddirname can't be a path, just a dirname" : null)),
  nstr('server_cpulist', { immutable: true }),
  nstr('bio_cpulist', { immutable: true }),
  nstr('aof_rewrite_cpulist', { immutable: true }),
  nstr('bgsave_cpulist', { immutable: true }),
  str('ignore-warnings', ''),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', {}, procTitleValid),
  nstr('bind-source-addr'),
  str('logfile', '', { immutable: true }),
  nstr('masterauth'),
  nstr('requirepass'),
  // ---- enum
  enm('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { immutable: true }),
  enm('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], { immutable: true }),
  enm('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  enm('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  enm('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  enm('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  enm('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  enm('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  enm('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  enm('enable-protected-configs', 'no', PROTECTED_ACTION, { immutable: true }),
  enm('enable-debug-command', 'no', PROTECTED_ACTION, { immutable: true }),
  enm('enable-module-command', 'no', PROTECTED_ACTION, { immutable: true }),
  enm('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  enm('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  // ---- int
  int('databases', 16, 1n, INT_MAX, { immutable: true }),
  int('port', 6379, 0n, 65535n),
  int('io-threads', 1, 1n, 128n, { immutable: true }),
  int('auto-aof-rewrite-percentage', 100, 0n, INT_MAX),
  int('cluster-replica-validity-factor', 10, 0n, INT_MAX, { alias: 'cluster-slave-validity-factor' }),
  int('list-max-listpack-size', -2, INT_MIN, INT_MAX, { alias: 'list-max-ziplist-size' }),
  int('tcp-keepalive', 300, 0n, INT_MAX),
  int('cluster-migration-barrier', 1, 0n, INT_MAX),
  int('active-defrag-cycle-min', 1, 1n, 99n),
  int('active-defrag-cycle-max', 25, 1n, 99n),
  int('active-defrag-threshold-lower', 10, 0n, 1000n),
  int('active-defrag-threshold-upper', 100, 0n, 1000n),
  int('lfu-log-factor', 10, 0n, INT_MAX),
  int('lfu-decay-time', 1, 0n, INT_MAX),
  int('replica-priority', 100, 0n, INT_MAX, { alias: 'slave-priority' }),
  int('repl-diskless-sync-delay', 5, 0n, INT_MAX),
  int('maxmemory-samples', 5, 1n, INT_MAX),
  int('maxmemory-eviction-tenacity', 10, 0n, 100n),
  int('timeout', 0, 0n, INT_MAX),
  int('replica-announce-port', 0, 0n, 65535n, { alias: 'slave-announce-port' }),
  int('tcp-backlog', 511, 0n, INT_MAX, { immutable: true }),
  int('cluster-port', 0, 0n, 65535n, { immutable: true }),
  int('cluster-announce-bus-port', 0, 0n, 65535n),
  int('cluster-announce-port', 0, 0n, 65535n),
  int('cluster-announce-tls-port', 0, 0n, 65535n),
  int('repl-timeout', 60, 1n, INT_MAX),
  int('repl-ping-replica-period', 10, 1n, INT_MAX, { alias: 'repl-ping-slave-period' }),
  int('list-compress-depth', 0, 0n, INT_MAX),
  int('rdb-key-save-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('key-load-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('active-expire-effort', 1, 1n, 10n),
  int('hz', 10, 0n, INT_MAX, {}, { clamp: clampHz }),
  int('min-replicas-to-write', 0, 0n, INT_MAX, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', 10, 0n, INT_MAX, { alias: 'min-slaves-max-lag' }),
  int('watchdog-period', 0, 0n, INT_MAX, { hidden: true }),
  int('shutdown-timeout', 10, 0n, INT_MAX),
  int('repl-diskless-sync-max-replicas', 0, 0n, INT_MAX),
  // unsigned int
  uint('maxclients', 10000, 1n, UINT_MAX),
  uint('unixsocketperm', 0, 0n, 0o777n, { immutable: true }, { octal: true }),
  uint('socket-mark-id', 0, 0n, UINT_MAX, { immutable: true }),
  // unsigned long (checked as signed in Redis)
  int('active-defrag-max-scan-fields', 1000, 1n, LONG_MAX),
  int('slowlog-max-len', 128, 0n, LONG_MAX),
  int('acllog-max-len', 128, 0n, LONG_MAX),
  // long long
  int('busy-reply-threshold', 5000, 0n, LONG_MAX, { alias: 'lua-time-limit' }),
  int('cluster-node-timeout', 15000, 0n, LLONG_MAX),
  int('slowlog-log-slower-than', 10000, -1n, LLONG_MAX),
  int('latency-monitor-threshold', 0, 0n, LLONG_MAX),
  mem('proto-max-bulk-len', 512n * 1024n * 1024n, 1024n * 1024n, LONG_MAX),
  int('stream-node-max-entries', 100, 0n, LLONG_MAX),
  mem('repl-backlog-size', 1024 * 1024, 1n, LLONG_MAX),
  // unsigned long long
  mem('maxmemory', 0, 0n, ULLONG_MAX, {}, true),
  mem('cluster-link-sendbuf-limit', 0, 0n, ULLONG_MAX, {}, true),
  // size_t
  uint('hash-max-listpack-entries', 512, 0n, LONG_MAX, { alias: 'hash-max-ziplist-entries' }),
  uint('set-max-intset-entries', 512, 0n, LONG_MAX),
  uint('zset-max-listpack-entries', 128, 0n, LONG_MAX, { alias: 'zset-max-ziplist-entries' }),
  mem('active-defrag-ignore-bytes', 100n << 20n, 1n, LLONG_MAX, {}, true),
  mem('hash-max-listpack-value', 64, 0n, LONG_MAX, { alias: 'hash-max-ziplist-value' }, true),
  mem('stream-node-max-bytes', 4096, 0n, LONG_MAX, {}, true),
  mem('zset-max-listpack-value', 64, 0n, LONG_MAX, { alias: 'zset-max-ziplist-value' }, true),
  mem('hll-sparse-max-bytes', 3000, 0n, LONG_MAX, {}, true),
  uint('tracking-table-max-keys', 1000000, 0n, LONG_MAX),
  mem('client-query-buffer-limit', 1024n * 1024n * 1024n, 1024n * 1024n, LONG_MAX, {}, true),
  int('maxmemory-clients', 0, -100n, SSIZE_MAX, {}, { memory: true, percent: true }),
  // other
  int('repl-backlog-ttl', 3600, 0n, LONG_MAX),
  mem('auto-aof-rewrite-min-size', 64 * 1024 * 1024, 0n, LLONG_MAX),
  int('loading-process-events-interval-bytes', 2 * 1024 * 1024, 1024n, INT_MAX, { hidden: true }),
  // TLS (Debian builds with TLS; Reddish stores these)
  int('tls-port', 0, 0n, 65535n),
  int('tls-session-cache-size', 20 * 1024, 0n, INT_MAX),
  int('tls-session-cache-timeout', 300, 0n, INT_MAX),
  bool('tls-cluster', false),
  bool('tls-replication', false),
  enm('tls-auth-clients', 'yes', ['no', 'yes', 'optional']),
  bool('tls-prefer-server-ciphers', false),
  bool('tls-session-caching', true),
  nstr('tls-cert-file'),
  nstr('tls-key-file'),
  nstr('tls-key-file-pass'),
  nstr('tls-client-cert-file'),
  nstr('tls-client-key-file'),
  nstr('tls-client-key-file-pass'),
  nstr('tls-dh-params-file'),
  nstr('tls-ca-cert-file'),
  nstr('tls-ca-cert-dir'),
  nstr('tls-protocols'),
  nstr('tls-ciphers'),
  nstr('tls-ciphersuites'),
  // ---- special
  special('dir', '', false, (a) => dirSet(a), (v, n) => [{ line: `${n} ${repr(v === '' ? process.cwd() : v)}`, force: true }], { protected: true }),
  special('save', '3600 1 300 100 60 10000', true, saveSet, saveRewrite),
  special('client-output-buffer-limit', OBUF_DEFAULT, true, obufSet, obufRewrite),
  special('oom-score-adj-values', '0 200 800', true, (a) => oomSet(a), (v, n) => [{ line: `${n} ${v}`, force: v !== '0 200 800' }]),
  special('notify-keyspace-events', '', false, (a) => nkeSet(a), (v, n) => [{ line: `${n} ${repr(v)}`, force: v !== '' }]),
  special('bind', '* -::*', true, (a) => bindSet(a), bindRewrite),
  special('replicaof', '', true, (a) => replicaofSet(a), (v, n) => (v === '' ? [] : [{ line: `${n} ${v}`, force: true }]), { alias: 'slaveof', immutable: true }),
  special('shutdown-on-sigint', 'default', true, (a) => shutdownSigSet(a), (v, n) => [{ line: `${n} ${v}`, force: v !== 'default' }]),
  special('shutdown-on-sigterm', 'default', true, (a) => shutdownSigSet(a), (v, n) => [{ line: `${n} ${v}`, force: v !== 'default' }]),
  special('latency-tracking-info-percentiles', '50 99 99.9', true, (a) => percentilesSet(a), (v, n) => [{ line: `${n} ${v === '' ? '""' : v}`, force: true }]),
  // ---- Reddish's own (not in Redis 7.0)
  // The built-in Prometheus endpoint (observe/metrics/): its HTTP port, 0 = off, and the
  // addresses it listens on, space separated as `bind` ('-' prefix = optional, '*' = all IPv4).
  // Loopback by default: exposing it is a deliberate choice, as protected-mode makes it for the data port.
  // Hidden, so CONFIG GET * (and any pattern) lists exactly Redis 7.0's names; CONFIG GET metrics-port works.
  int('metrics-port', 0, 0n, 65535n, { hidden: true }),
  str('metrics-bind', '127.0.0.1', { hidden: true }, metricsBindValid),
];
