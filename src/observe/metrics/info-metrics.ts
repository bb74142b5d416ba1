/**
 * INFO text → metrics, as redis_exporter's extractInfoMetrics reads it
 * (exporter/info.go): the same section rules, the same field tables
 * (info-map.ts), the same labels. Reading our own INFO text rather than the
 * fields behind it keeps one source of truth: whatever INFO says, the
 * metrics say, exactly as they would through redis_exporter.
 */
import { INFO_COUNTERS, INFO_GAUGES } from './info-map.js';
import { atoiOrZero, extractVal, parseGoFloat, type RedisMetrics } from './redis-metrics.js';

const RE_MASTER_HOST = /^master(_[0-9]+)?_host/;
const RE_MASTER_PORT = /^master(_[0-9]+)?_port/;
const RE_MASTER_LINK_STATUS = /^master(_[0-9]+)?_link_status/;
/** Replica-side fields exported with {master_host, master_port}. */
const RE_MASTER_DIRECT = /^(master(_[0-9]+)?_(last_io_seconds_ago|sync_in_progress)|slave_repl_offset)/;
const RE_SLAVE = /^slave\d+/;
const SENTINEL_SCALARS = new Set(['sentinel_masters', 'sentinel_tilt', 'sentinel_running_scripts', 'sentinel_scripts_queue_length', 'sentinel_simulate_failure_flags']);
const RE_SENTINEL_MASTER = /^master\d+/;

const INSTANCE_LABELS = ['role', 'redis_version', 'redis_build_id', 'redis_mode', 'os', 'maxmemory_policy', 'tcp_port', 'run_id', 'process_id', 'master_replid'];
const MASTER_LABELS = ['master_host', 'master_port'];
const SLAVE_LABELS = ['slave_ip', 'slave_port', 'slave_state'];
const SENTINEL_MASTER_LABELS = ['master_name', 'master_address'];

/** includeMetric: the fields exported under their (mapped) name. */
function included(key: string): boolean {
  return key.startsWith('db') || key.startsWith('cmdstat_') || key.startsWith('cluster_') || key in INFO_GAUGES || key in INFO_COUNTERS;
}

/** parseAndRegisterConstMetric: a plain field, renamed and typed by the tables. */
function plainField(m: RedisMetrics, key: string, value: string): void {
  const orig = key.replace(/[^a-zA-Z0-9_]/g, '_');
  let name = INFO_GAUGES[orig] ?? INFO_COUNTERS[orig] ?? orig;
  let val: number | null;
  if (value === 'ok' || value === 'true') val = 1;
  else if (value === 'err' || value === 'fail' || value === 'false') val = 0;
  else val = parseGoFloat(value);
  // An unparseable or non-finite value is skipped: it would blank a dashboard's sum().
  if (val === null || !Number.isFinite(val)) return;
  if (name === 'latest_fork_usec') {
    name = 'latest_fork_seconds';
    val /= 1e6;
  }
  if (orig in INFO_COUNTERS) m.counter(name, val);
  else m.gauge(name, val);
}

/** "a=1,b=x" → {a: '1', b: 'x'}; null if a part has no single `=`. */
function kvList(s: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    const x = part.split('=');
    if (x.length !== 2) return null;
    out.set(x[0], x[1]);
  }
  return out;
}

function replicationField(m: RedisMetrics, host: string, port: string, key: string, value: string): boolean {
  if (RE_MASTER_LINK_STATUS.test(key)) {
    m.gauge('master_link_up', value === 'up' ? 1 : 0, MASTER_LABELS, [host, port]);
    return true;
  }
  if (RE_MASTER_DIRECT.test(key)) {
    let name = key;
    if (key.endsWith('last_io_seconds_ago')) name = 'master_last_io_seconds_ago';
    else if (key.endsWith('sync_in_progress')) name = 'master_sync_in_progress';
    m.gauge(name, atoiOrZero(value), MASTER_LABELS, [host, port]);
    return true;
  }
  // slave0:ip=...,port=...,state=online,offset=...,lag=0 (a master's replicas)
  if (!RE_SLAVE.test(key)) return false;
  const kv = kvList(value);
  if (kv === null) return false;
  const offset = parseGoFloat(kv.get('offset') ?? '');
  if (offset === null) return false;
  const lagText = kv.get('lag');
  const lag = lagText === undefined ? -1 : parseGoFloat(lagText);
  if (lag === null) return false;
  const labels = [kv.get('ip') ?? '', kv.get('port') ?? '', kv.get('state') ?? ''];
  m.gauge('connected_slave_offset_bytes', offset, SLAVE_LABELS, labels);
  if (lag > -1) m.gauge('connected_slave_lag_seconds', lag, SLAVE_LABELS, labels);
  return true;
}

function serverField(m: RedisMetrics, key: string, value: string): void {
  if (key === 'uptime_in_seconds') {
    const up = parseGoFloat(value);
    if (up !== null) m.gauge('start_time_seconds', Math.floor(Date.now() / 1000) - up);
  }
  if (key === 'configured_hz' || key === 'hz') {
    if (/^[+-]?\d+$/.test(value)) m.gauge(key, Number(value));
  }
}

interface CommandTotals {
  calls: Map<string, number>;
  usec: Map<string, number>;
}

/** cmdstat_get:calls=21,usec=175,usec_per_call=8.33,rejected_calls=0,failed_calls=0 */
function commandstatField(m: RedisMetrics, key: string, value: string, totals: CommandTotals): void {
  if (!key.startsWith('cmdstat_')) return;
  const cmd = key.slice('cmdstat_'.length);
  const parts = value.split(',');
  if (parts.length < 3) return;
  const calls = extractVal(parts[0]);
  const usec = extractVal(parts[1]);
  if (calls === null || usec === null) return;
  const rejected = parts.length >= 5 ? extractVal(parts[3]) : null;
  const failed = parts.length >= 5 ? extractVal(parts[4]) : null;
  m.counter('commands_total', calls, ['cmd'], [cmd]);
  m.counter('commands_duration_seconds_total', usec / 1e6, ['cmd'], [cmd]);
  if (rejected !== null && failed !== null) {
    m.counter('commands_rejected_calls_total', rejected, ['cmd'], [cmd]);
    m.counter('commands_failed_calls_total', failed, ['cmd'], [cmd]);
  }
  totals.calls.set(cmd, calls);
  totals.usec.set(cmd, usec);
}

/** latency_percentiles_usec_get:p50=1.003,p99=3.007,p99.9=5.023 → (50, 1.003), ... */
function latencystatField(key: string, value: string, out: Map<string, Array<[number, number]>>): void {
  const prefix = 'latency_percentiles_usec_';
  if (!key.startsWith(prefix)) return;
  const qs: Array<[number, number]> = [];
  for (const kv of value.split(',')) {
    const x = kv.split('=');
    if (x.length !== 2 || x[0].length === 0) return;
    const p = parseGoFloat(x[0].slice(1));
    const v = parseGoFloat(x[1]);
    if (p === null || v === null) return;
    qs.push([p, v]);
  }
  out.set(key.slice(prefix.length), qs);
}

/** db0:keys=1,expires=0,avg_ttl=0 */
function keyspaceField(m: RedisMetrics, key: string, value: string): boolean {
  if (!key.startsWith('db')) return false;
  const kv = kvList(value);
  if (kv === null) return false;
  const keys = parseGoFloat(kv.get('keys') ?? '');
  const expires = parseGoFloat(kv.get('expires') ?? '');
  if (keys === null || expires === null) return false;
  const ttlText = kv.get('avg_ttl');
  const ttl = ttlText === undefined ? null : parseGoFloat(ttlText);
  if (ttlText !== undefined && ttl === null) return false;
  m.gauge('db_keys', keys, ['db'], [key]);
  m.gauge('db_keys_expiring', expires, ['db'], [key]);
  if (ttl !== null) m.gauge('db_avg_ttl_seconds', ttl / 1000, ['db'], [key]);
  return true;
}

/** master0:name=mymaster,status=ok,address=127.0.0.1:6379,slaves=2,sentinels=3 */
function sentinelField(m: RedisMetrics, key: string, value: string): void {
  if (SENTINEL_SCALARS.has(key)) {
    m.gauge(key, atoiOrZero(value));
    return;
  }
  if (!RE_SENTINEL_MASTER.test(key)) return;
  const kv = new Map<string, string>();
  for (const part of value.split(',')) {
    const x = part.split('=');
    if (x.length === 2) kv.set(x[0], x[1]);
  }
  const slaves = parseGoFloat(kv.get('slaves') ?? '');
  const sentinels = parseGoFloat(kv.get('sentinels') ?? '');
  if (slaves === null || sentinels === null) return;
  const name = kv.get('name') ?? '';
  const status = kv.get('status') ?? '';
  const addr = kv.get('address') ?? '';
  m.gauge('sentinel_master_status', status === 'ok' ? 1 : 0, [...SENTINEL_MASTER_LABELS, 'master_status'], [name, addr, status]);
  m.gauge('sentinel_master_slaves', slaves, SENTINEL_MASTER_LABELS, [name, addr]);
  m.gauge('sentinel_master_sentinels', sentinels, SENTINEL_MASTER_LABELS, [name, addr]);
}

/**
 * Adds the metrics of an INFO text. `dbCount` (CONFIG GET databases) pads
 * db_keys / db_keys_expiring with zeros for empty databases, as
 * redis_exporter does by default; null skips the padding. Returns the
 * fields seen, by name.
 */
export function addInfoMetrics(m: RedisMetrics, info: string, dbCount: number | null): Map<string, string> {
  const fields = new Map<string, string>();
  const handledDbs = new Set<string>();
  const totals: CommandTotals = { calls: new Map(), usec: new Map() };
  const percentiles = new Map<string, Array<[number, number]>>();
  let section = '';
  let masterHost = '';
  let masterPort = '';
  for (const raw of info.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('# ')) {
      section = line.slice(2);
      continue;
    }
    if (line.length < 2 || !line.includes(':')) continue;
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    fields.set(key, value);
    if (RE_MASTER_HOST.test(key)) masterHost = value;
    if (RE_MASTER_PORT.test(key)) masterPort = value;
    switch (section) {
      case 'Replication':
        if (replicationField(m, masterHost, masterPort, key, value)) continue;
        break;
      case 'Server':
        serverField(m, key, value);
        break;
      case 'Commandstats':
        commandstatField(m, key, value, totals);
        continue;
      case 'Latencystats':
        latencystatField(key, value, percentiles);
        continue;
      case 'Errorstats': {
        if (key.startsWith('errorstat_')) {
          const n = extractVal(value);
          if (n !== null) m.counter('errors_total', n, ['err'], [key.slice('errorstat_'.length)]);
        }
        continue;
      }
      case 'Keyspace':
        if (keyspaceField(m, key, value)) {
          handledDbs.add(key);
          continue;
        }
        break;
      case 'Sentinel':
        sentinelField(m, key, value);
        break;
    }
    if (included(key)) plainField(m, key, value);
  }
  // The percentile summaries take their count and sum from Commandstats.
  for (const [cmd, qs] of percentiles) {
    const calls = totals.calls.get(cmd);
    const usec = totals.usec.get(cmd);
    if (calls !== undefined && usec !== undefined) m.summary('latency_percentiles_usec', ['cmd'], [cmd], qs, usec, calls);
  }
  if (dbCount !== null) {
    for (let i = 0; i < dbCount; i++) {
      const db = `db${i}`;
      if (handledDbs.has(db)) continue;
      m.gauge('db_keys', 0, ['db'], [db]);
      m.gauge('db_keys_expiring', 0, ['db'], [db]);
    }
  }
  const role = fields.get('role') ?? '';
  m.gauge('instance_info', 1, INSTANCE_LABELS, [
    role, fields.get('redis_version') ?? '', fields.get('redis_build_id') ?? '', fields.get('redis_mode') ?? '', fields.get('os') ?? '',
    fields.get('maxmemory_policy') ?? '', fields.get('tcp_port') ?? '', fields.get('run_id') ?? '', fields.get('process_id') ?? '', fields.get('master_replid') ?? '',
  ]);
  if (role === 'slave') {
    m.gauge('slave_info', 1, ['master_host', 'master_port', 'read_only'], [fields.get('master_host') ?? '', fields.get('master_port') ?? '', fields.get('slave_read_only') ?? '']);
  }
  return fields;
}
