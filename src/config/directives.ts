/**
 * Every redis.conf directive Reddish knows, as data: name, aliases, type,
 * default, whether CONFIG SET may change it, and bounds. config.ts parses and
 * formats values from this table; subsystems read typed values and subscribe
 * to changes. Defaults are Redis 7.0's (config.c standardConfig table).
 */

export type DirectiveType =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number; memory?: boolean }
  | { kind: 'string'; emptyAsNull?: boolean }
  | { kind: 'enum'; values: readonly string[]; multi?: boolean }
  /** Values with their own syntax (save, bind, client-output-buffer-limit...); kept as the canonical string. */
  | { kind: 'special'; validate: (args: string[]) => string | null; format: (args: string[], current: string) => string };

export interface Directive {
  name: string;
  aliases?: string[];
  type: DirectiveType;
  default: string;
  /** CONFIG SET refuses it (Redis's IMMUTABLE_CONFIG). */
  immutable?: boolean;
  /** Repeated lines in one config file add up (save points) instead of replacing. */
  accumulate?: boolean;
  /** Not visible to CONFIG GET (e.g. replicaof, include, rename-command). */
  hidden?: boolean;
  /** Accepted only as "no"/off: Reddish cannot fork, so daemonize yes is refused at start. */
  unsupported?: (value: string) => string | null;
}

const LLONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;

const bool = (name: string, def: boolean, extra: Partial<Directive> = {}): Directive => ({
  name, type: { kind: 'bool' }, default: def ? 'yes' : 'no', ...extra,
});
const int = (name: string, def: number, min: number, max: number, extra: Partial<Directive> = {}): Directive => ({
  name, type: { kind: 'int', min, max }, default: String(def), ...extra,
});
const mem = (name: string, def: number, min: number, max: number, extra: Partial<Directive> = {}): Directive => ({
  name, type: { kind: 'int', min, max, memory: true }, default: String(def), ...extra,
});
const str = (name: string, def: string, extra: Partial<Directive> = {}): Directive => ({
  name, type: { kind: 'string' }, default: def, ...extra,
});
const enm = (name: string, def: string, values: readonly string[], extra: Partial<Directive> = {}): Directive => ({
  name, type: { kind: 'enum', values }, default: def, ...extra,
});

function saveValidate(args: string[]): string | null {
  if (args.length === 1 && args[0] === '') return null;
  if (args.length % 2 !== 0) return 'Invalid save parameters';
  for (const a of args) if (!/^\d+$/.test(a)) return 'Invalid save parameters';
  return null;
}

function bindValidate(args: string[]): string | null {
  if (args.length > 16) return 'Too many bind addresses specified.';
  return null;
}

const OBUF_CLASSES = ['normal', 'slave', 'replica', 'pubsub'];
function obufValidate(args: string[]): string | null {
  if (args.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
  for (let i = 0; i < args.length; i += 4) {
    if (!OBUF_CLASSES.includes(args[i].toLowerCase())) return 'Invalid client class specified in buffer limit configuration.';
    if (memToLong(args[i + 1]) === null || memToLong(args[i + 2]) === null || !/^\d+$/.test(args[i + 3])) {
      return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
    }
  }
  return null;
}

/** Canonical form as CONFIG GET shows it: all three classes, bytes as numbers. */
function obufFormat(args: string[], current: string): string {
  const c = current.split(' ');
  const cur: Record<string, string[]> = {};
  for (let i = 0; i + 3 < c.length; i += 4) cur[c[i]] = c.slice(i + 1, i + 4);
  for (let i = 0; i + 3 < args.length; i += 4) {
    let c = args[i].toLowerCase();
    if (c === 'replica') c = 'slave';
    cur[c] = [String(memToLong(args[i + 1])), String(memToLong(args[i + 2])), args[i + 3]];
  }
  return ['normal', 'slave', 'pubsub'].map((c) => `${c} ${cur[c].join(' ')}`).join(' ');
}

/** memtoll: "1gb", "100mb", "64k"; null if malformed. */
export function memToLong(s: string): number | null {
  const m = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mul: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  return Number(m[1]) * mul[unit];
}

export const DIRECTIVES: readonly Directive[] = [
  // network
  int('port', 6379, 0, 65535),
  special('bind', '* -::*', bindValidate, (a) => a.join(' ')),
  bool('protected-mode', true),
  int('tcp-backlog', 511, 0, INT_MAX, { immutable: true }),
  int('timeout', 0, 0, INT_MAX),
  int('tcp-keepalive', 300, 0, INT_MAX),
  str('unixsocket', '', { immutable: true }),
  int('unixsocketperm', 0, 0, 0o777, { immutable: true }),
  int('maxclients', 10000, 1, INT_MAX),
  // general
  bool('daemonize', false, {
    immutable: true,
    unsupported: (v) => (v === 'yes' ? 'daemonize yes is not supported: Reddish runs in the foreground; use your service manager to background it' : null),
  }),
  enm('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { immutable: true }),
  str('pidfile', '', { immutable: true }),
  enm('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  str('logfile', '', { immutable: true }),
  bool('syslog-enabled', false, { immutable: true }),
  str('syslog-ident', 'redis', { immutable: true }),
  enm('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], { immutable: true }),
  int('databases', 16, 1, INT_MAX, { immutable: true }),
  bool('always-show-logo', false, { immutable: true }),
  bool('set-proc-title', true, { immutable: true }),
  str('proc-title-template', '{title} {listen-addr} {server-mode}'),
  str('locale-collate', ''),
  int('hz', 10, 0, INT_MAX),
  bool('dynamic-hz', true),
  // limits and protocol
  mem('proto-max-bulk-len', 512 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
  mem('client-query-buffer-limit', 1024 * 1024 * 1024, 1024 * 1024, LLONG_MAX),
  special('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', obufValidate, obufFormat),
  // snapshotting (owned by the persistence issue; stored now)
  special('save', '3600 1 300 100 60 10000', saveValidate, (a) => (a.length === 1 && a[0] === '' ? '' : a.join(' ')), { accumulate: true }),
  bool('stop-writes-on-bgsave-error', true),
  bool('rdbcompression', true),
  bool('rdbchecksum', true),
  enm('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  str('dbfilename', 'dump.rdb'),
  bool('rdb-del-sync-files', false),
  str('dir', ''),
  // replication (owned by the replication issue; stored now)
  special('replicaof', '', () => null, (a) => a.join(' '), { aliases: ['slaveof'], hidden: true, immutable: true }),
  str('masterauth', ''),
  str('masteruser', ''),
  bool('replica-serve-stale-data', true, { aliases: ['slave-serve-stale-data'] }),
  bool('replica-read-only', true, { aliases: ['slave-read-only'] }),
  bool('repl-diskless-sync', true),
  int('repl-diskless-sync-delay', 5, 0, INT_MAX),
  int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX),
  enm('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  int('repl-ping-replica-period', 10, 1, INT_MAX, { aliases: ['repl-ping-slave-period'] }),
  int('repl-timeout', 60, 1, INT_MAX),
  bool('repl-disable-tcp-nodelay', false),
  mem('repl-backlog-size', 1024 * 1024, 1, LLONG_MAX),
  int('repl-backlog-ttl', 3600, 0, INT_MAX),
  int('replica-priority', 100, 0, INT_MAX, { aliases: ['slave-priority'] }),
  bool('replica-announced', true),
  int('min-replicas-to-write', 0, 0, INT_MAX, { aliases: ['min-slaves-to-write'] }),
  int('min-replicas-max-lag', 10, 0, INT_MAX, { aliases: ['min-slaves-max-lag'] }),
  str('replica-announce-ip', '', { aliases: ['slave-announce-ip'] }),
  int('replica-announce-port', 0, 0, 65535, { aliases: ['slave-announce-port'] }),
  bool('replica-lazy-flush', false, { aliases: ['slave-lazy-flush'] }),
  bool('replica-ignore-maxmemory', true, { aliases: ['slave-ignore-maxmemory'] }),
  // security
  str('requirepass', ''),
  str('aclfile', '', { immutable: true }),
  int('acllog-max-len', 128, 0, LLONG_MAX),
  enm('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  // memory
  mem('maxmemory', 0, 0, LLONG_MAX),
  enm('maxmemory-policy', 'noeviction', [
    'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction',
  ]),
  int('maxmemory-samples', 5, 1, 64),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  int('lfu-log-factor', 10, 0, INT_MAX),
  int('lfu-decay-time', 1, 0, INT_MAX),
  bool('lazyfree-lazy-eviction', false),
  bool('lazyfree-lazy-expire', false),
  bool('lazyfree-lazy-server-del', false),
  bool('lazyfree-lazy-user-del', false),
  bool('lazyfree-lazy-user-flush', false),
  int('active-expire-effort', 1, 1, 10),
  // append only file (owned by the persistence issue; stored now)
  bool('appendonly', false),
  str('appendfilename', 'appendonly.aof', { immutable: true }),
  str('appenddirname', 'appendonlydir', { immutable: true }),
  enm('appendfsync', 'everysec', ['always', 'everysec', 'no']),
  bool('no-appendfsync-on-rewrite', false),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  mem('auto-aof-rewrite-min-size', 64 * 1024 * 1024, 0, LLONG_MAX),
  bool('aof-load-truncated', true),
  bool('aof-use-rdb-preamble', true),
  bool('aof-timestamp-enabled', false),
  bool('aof-rewrite-incremental-fsync', true),
  bool('rdb-save-incremental-fsync', true),
  // scripting
  int('lua-time-limit', 5000, 0, LLONG_MAX, { aliases: ['busy-reply-threshold'] }),
  // cluster (owned by the cluster issue; stored now)
  bool('cluster-enabled', false, { immutable: true }),
  str('cluster-config-file', 'nodes.conf', { immutable: true }),
  int('cluster-node-timeout', 15000, 0, LLONG_MAX),
  int('cluster-port', 0, 0, 65535, { immutable: true }),
  int('cluster-replica-validity-factor', 10, 0, INT_MAX, { aliases: ['cluster-slave-validity-factor'] }),
  int('cluster-migration-barrier', 1, 0, INT_MAX),
  bool('cluster-allow-replica-migration', true),
  bool('cluster-require-full-coverage', true),
  bool('cluster-replica-no-failover', false, { aliases: ['cluster-slave-no-failover'] }),
  bool('cluster-allow-reads-when-down', false),
  bool('cluster-allow-pubsubshard-when-down', true),
  str('cluster-announce-ip', ''),
  int('cluster-announce-port', 0, 0, 65535),
  int('cluster-announce-bus-port', 0, 0, 65535),
  int('cluster-announce-tls-port', 0, 0, 65535),
  str('cluster-announce-hostname', ''),
  enm('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  mem('cluster-link-sendbuf-limit', 0, 0, LLONG_MAX),
  // observability
  int('slowlog-log-slower-than', 10000, -1, LLONG_MAX),
  int('slowlog-max-len', 128, 0, LLONG_MAX),
  int('latency-monitor-threshold', 0, 0, LLONG_MAX),
  bool('latency-tracking', true),
  str('latency-tracking-info-percentiles', '50 99 99.9'),
  str('notify-keyspace-events', ''),
  // data structure encodings (owned by the data-types issue; stored now)
  mem('hash-max-listpack-entries', 128, 0, LLONG_MAX, { aliases: ['hash-max-ziplist-entries'] }),
  mem('hash-max-listpack-value', 64, 0, LLONG_MAX, { aliases: ['hash-max-ziplist-value'] }),
  int('list-max-listpack-size', -2, -5, INT_MAX, { aliases: ['list-max-ziplist-size'] }),
  int('list-compress-depth', 0, 0, INT_MAX),
  mem('set-max-intset-entries', 512, 0, LLONG_MAX),
  mem('zset-max-listpack-entries', 128, 0, LLONG_MAX, { aliases: ['zset-max-ziplist-entries'] }),
  mem('zset-max-listpack-value', 64, 0, LLONG_MAX, { aliases: ['zset-max-ziplist-value'] }),
  mem('hll-sparse-max-bytes', 3000, 0, LLONG_MAX),
  mem('stream-node-max-bytes', 4096, 0, LLONG_MAX),
  int('stream-node-max-entries', 100, 0, LLONG_MAX),
  bool('activerehashing', true),
  bool('jemalloc-bg-thread', true),
  bool('activedefrag', false),
  int('tracking-table-max-keys', 1000000, 0, LLONG_MAX),
  bool('lazyfree-lazy-user-flush', false),
  bool('io-threads-do-reads', false, { immutable: true }),
  int('io-threads', 1, 1, 128, { immutable: true }),
  str('oom-score-adj-values', '0 200 800'),
  enm('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  bool('disable-thp', true, { immutable: true }),
  bool('crash-log-enabled', true),
  bool('crash-memcheck-enabled', true),
  bool('protected-mode', true),
  enm('enable-protected-configs', 'no', ['no', 'yes', 'local'], { immutable: true }),
  enm('enable-debug-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  enm('enable-module-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  int('max-new-connections-per-cycle', 10, 1, 1000),
  int('tls-port', 0, 0, 65535),
  int('shutdown-timeout', 10, 0, INT_MAX),
  enm('shutdown-on-sigint', 'default', ['default', 'save', 'nosave', 'now', 'force'], { }),
  enm('shutdown-on-sigterm', 'default', ['default', 'save', 'nosave', 'now', 'force'], { }),
].filter((d, i, all) => all.findIndex((x) => x.name === d.name) === i);

function special(
  name: string,
  def: string,
  validate: (args: string[]) => string | null,
  format: (args: string[], current: string) => string,
  extra: Partial<Directive> = {},
): Directive {
  return { name, type: { kind: 'special', validate, format }, default: def, ...extra };
}

void UINT_MAX;
