/**
 * The built-in Prometheus endpoint (metrics-port): real server and Sentinel
 * processes serve GET /metrics; every page must pass a strict parser of the
 * text exposition format (HELP and TYPE for every family, well-formed
 * samples, no duplicate series, sane histograms), carry redis_exporter's
 * names, and move with traffic. A real Prometheus (Debian's package) then
 * scrapes a server and must see it up.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { RawClient } from '../support/raw-client.js';
import {
  startServer, startSentinel, monitorLines, waitFor, waitSynced, stopAll, sentinelImpl, MASTER_NAME, type Proc,
} from '../support/sentinel-topology.js';

after(async () => {
  await stopAll();
});

// ------------------------------------------------------------ exposition parser

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

interface Sample {
  name: string;
  family: string;
  labels: Map<string, string>;
  value: number;
}

interface Exposition {
  families: Map<string, { help: string; type: MetricType }>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;

function parseValue(s: string, line: string): number {
  assert.match(s, VALUE, `bad value in: ${line}`);
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

/** `{a="x",b="y\"z"}` → labels; throws on anything the format does not allow. */
function parseLabels(s: string, line: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 1;
  while (s[i] !== '}') {
    const eq = s.indexOf('=', i);
    assert.ok(eq > i, `label without '=' in: ${line}`);
    const name = s.slice(i, eq);
    assert.match(name, LABEL_NAME, `bad label name ${name} in: ${line}`);
    assert.equal(s[eq + 1], '"', `unquoted label value in: ${line}`);
    let v = '';
    let j = eq + 2;
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] === '\\') {
        const n = s[++j];
        assert.ok(n === '\\' || n === '"' || n === 'n', `bad escape in: ${line}`);
        v += n === 'n' ? '\n' : n;
      } else {
        assert.notEqual(s[j], '\n');
        v += s[j];
      }
    }
    assert.equal(s[j], '"', `unterminated label value in: ${line}`);
    assert.ok(!out.has(name), `label ${name} twice in: ${line}`);
    out.set(name, v);
    i = j + 1;
    if (s[i] === ',') i++;
    else assert.equal(s[i], '}', `expected ',' or '}' in: ${line}`);
  }
  assert.equal(i, s.length - 1, `text after labels in: ${line}`);
  return out;
}

/** The family a sample belongs to: histogram and summary samples carry suffixes. */
function familyOf(name: string, families: Exposition['families']): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const f = families.get(base);
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return base;
  }
  return name;
}

/** A strict reader of the text format 0.0.4: throws (assert) on the first violation. */
function parseExposition(text: string): Exposition {
  assert.ok(text.endsWith('\n'), 'exposition must end with a newline');
  const families: Exposition['families'] = new Map();
  const samples: Sample[] = [];
  const helps = new Map<string, string>();
  const series = new Set<string>();
  const closed = new Set<string>();
  let current = '';
  const sampleRe = new RegExp(`^(${NAME})(\\{.*\\})? (\\S+)(?: (-?\\d+))?$`);
  for (const line of text.slice(0, -1).split('\n')) {
    assert.notEqual(line, '', 'empty line in exposition');
    if (line.startsWith('# HELP ')) {
      const m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
      assert.ok(m, `bad HELP: ${line}`);
      assert.ok(!helps.has(m[1]), `second HELP for ${m[1]}`);
      helps.set(m[1], m[2]);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
      assert.ok(m, `bad TYPE: ${line}`);
      assert.ok(!families.has(m[1]), `second TYPE for ${m[1]}`);
      assert.ok(helps.has(m[1]), `TYPE before HELP for ${m[1]}`);
      families.set(m[1], { help: helps.get(m[1])!, type: m[2] as MetricType });
      continue;
    }
    assert.ok(!line.startsWith('#'), `stray comment: ${line}`);
    const m = sampleRe.exec(line);
    assert.ok(m, `bad sample line: ${line}`);
    const [, name, labelText, valueText] = m;
    const labels = labelText ? parseLabels(labelText, line) : new Map<string, string>();
    const family = familyOf(name, families);
    const f = families.get(family);
    assert.ok(f, `sample of ${family} without HELP/TYPE before it: ${line}`);
    if (family !== current) {
      assert.ok(!closed.has(family), `samples of ${family} are not together`);
      if (current !== '') closed.add(current);
      current = family;
    }
    if (f.type === 'counter' || f.type === 'gauge') assert.equal(name, family, `suffixed sample in ${f.type} ${family}`);
    if (name.endsWith('_bucket') && f.type === 'histogram') assert.ok(labels.has('le'), `bucket without le: ${line}`);
    if (f.type === 'summary' && name === family) assert.ok(labels.has('quantile'), `summary sample without quantile: ${line}`);
    const key = `${name}{${[...labels.entries()].sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    assert.ok(!series.has(key), `duplicate series ${key}`);
    series.add(key);
    samples.push({ name, family, labels, value: parseValue(valueText, line) });
  }
  for (const [name] of helps) assert.ok(families.has(name), `HELP without TYPE for ${name}`);
  checkHistograms(families, samples);
  return { families, samples };
}

/** Per histogram series: buckets ascending in le and count, +Inf bucket equal to _count. */
function checkHistograms(families: Exposition['families'], samples: Sample[]): void {
  const bySeries = new Map<string, Sample[]>();
  for (const s of samples) {
    if (families.get(s.family)?.type !== 'histogram') continue;
    const rest = [...s.labels.entries()].filter(([k]) => k !== 'le').sort();
    const key = `${s.family}${JSON.stringify(rest)}`;
    if (!bySeries.has(key)) bySeries.set(key, []);
    bySeries.get(key)!.push(s);
  }
  for (const [key, ss] of bySeries) {
    const buckets = ss.filter((s) => s.name.endsWith('_bucket'));
    const count = ss.find((s) => s.name.endsWith('_count'));
    assert.ok(count && ss.some((s) => s.name.endsWith('_sum')), `${key}: _sum/_count missing`);
    let prevLe = -Infinity;
    let prevN = 0;
    for (const b of buckets) {
      const le = parseValue(b.labels.get('le')!, key);
      assert.ok(le > prevLe, `${key}: le not ascending`);
      assert.ok(b.value >= prevN, `${key}: bucket counts not cumulative`);
      prevLe = le;
      prevN = b.value;
    }
    assert.equal(prevLe, Infinity, `${key}: no +Inf bucket`);
    assert.equal(prevN, count.value, `${key}: +Inf bucket differs from _count`);
  }
}

function find(e: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels.get(k) === v));
}

/** The value of the one sample of `name` matching `match`. */
function one(e: Exposition, name: string, match: Record<string, string> = {}): number {
  const ss = find(e, name, match);
  assert.equal(ss.length, 1, `${name} ${JSON.stringify(match)}: ${ss.length} samples`);
  return ss[0].value;
}

function typeOf(e: Exposition, name: string): MetricType | undefined {
  return e.families.get(name)?.type;
}

// ------------------------------------------------------------ HTTP and processes

interface Reply {
  status: number;
  type: string;
  body: string;
}

/** One GET on a fresh connection (no keep-alive, so nothing lingers after the test). */
function httpGet(port: number, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { Connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${path} on ${port} timed out`)));
  });
}

async function scrape(port: number): Promise<Exposition> {
  const r = await httpGet(port, '/metrics');
  assert.equal(r.status, 200);
  assert.equal(r.type, 'text/plain; version=0.0.4; charset=utf-8');
  const e = parseExposition(r.body);
  promtoolCheck(r.body);
  return e;
}

const promtool = spawnSync('promtool', ['--version']).status === 0;

/** promtool's own parser, where installed: exit 1 is a parse error (3 only lints redis_exporter's names). */
function promtoolCheck(body: string): void {
  if (!promtool) return;
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body });
  assert.notEqual(r.status, 1, `promtool: ${String(r.stdout)}${String(r.stderr)}`);
}

async function withClient<T>(port: number, f: (c: RawClient) => Promise<T>): Promise<T> {
  const c = await RawClient.connect(port);
  try {
    return await f(c);
  } finally {
    c.close();
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function serverWithMetrics(extra: string[] = []): Promise<{ srv: Proc; mport: number }> {
  const mport = await freePort();
  const srv = await startServer('reddish', { extraArgs: ['--metrics-port', String(mport), ...extra] });
  return { srv, mport };
}

// ------------------------------------------------------------ tests

test('a server serves redis_exporter metrics that move with traffic', async () => {
  const { srv, mport } = await serverWithMetrics();
  const before = await scrape(mport);
  assert.equal(one(before, 'redis_up'), 1);
  assert.equal(one(before, 'redis_instance_info', { role: 'master', redis_mode: 'standalone', tcp_port: String(srv.port), redis_version: '7.0.15' }), 1);
  assert.equal(find(before, 'redis_commands_total', { cmd: 'set' }).length, 0);
  assert.equal(one(before, 'redis_db_keys', { db: 'db0' }), 0);
  // Types and HELP as redis_exporter declares them.
  for (const [name, type] of [
    ['redis_connected_clients', 'gauge'], ['redis_commands_processed_total', 'counter'], ['redis_memory_used_bytes', 'gauge'],
    ['redis_keyspace_hits_total', 'counter'], ['redis_db_keys', 'gauge'], ['redis_rdb_last_bgsave_status', 'gauge'],
    ['redis_uptime_in_seconds', 'gauge'], ['redis_net_input_bytes_total', 'counter'], ['redis_config_maxmemory', 'gauge'],
  ] as const) assert.equal(typeOf(before, name), type, name);
  assert.equal(before.families.get('redis_db_keys')?.help, 'Total number of keys by DB');
  assert.equal(before.families.get('redis_connected_clients')?.help, 'connected_clients metric');

  await withClient(srv.port, async (c) => {
    for (let i = 0; i < 5; i++) assert.equal(await c.call('SET', `k${i}`, 'v'), '+OK\r\n');
    await c.call('EXPIRE', 'k0', '1000');
    await c.call('GET', 'k1');
    await c.call('GET', 'missing');
    await c.call('INCR', 'k2'); // ERR value is not an integer: a failed call
    await c.call('SET', 'only-key'); // wrong arity: a rejected call
    await c.call('NOSUCHCOMMAND');
    await c.call('CONFIG', 'GET', 'maxmemory');
  });
  const e = await scrape(mport);
  for (const [name, type] of [
    ['redis_commands_total', 'counter'], ['redis_commands_duration_seconds_total', 'counter'], ['redis_commands_failed_calls_total', 'counter'],
    ['redis_commands_rejected_calls_total', 'counter'], ['redis_errors_total', 'counter'], ['redis_commands_latencies_usec', 'histogram'],
    ['redis_latency_percentiles_usec', 'summary'], ['redis_db_keys_expiring', 'gauge'], ['redis_db_avg_ttl_seconds', 'gauge'],
  ] as const) assert.equal(typeOf(e, name), type, name);
  assert.equal(one(e, 'redis_commands_total', { cmd: 'set' }), 5);
  assert.equal(one(e, 'redis_commands_total', { cmd: 'config|get' }), 1);
  assert.ok(one(e, 'redis_commands_duration_seconds_total', { cmd: 'set' }) > 0);
  assert.equal(one(e, 'redis_commands_failed_calls_total', { cmd: 'incr' }), 1);
  assert.equal(one(e, 'redis_commands_rejected_calls_total', { cmd: 'set' }), 1);
  assert.equal(one(e, 'redis_errors_total', { err: 'ERR' }), 3);
  assert.equal(one(e, 'redis_db_keys', { db: 'db0' }), 5);
  assert.equal(one(e, 'redis_db_keys_expiring', { db: 'db0' }), 1);
  // avg_ttl is the active expire cycle's running estimate: 0 until a cycle has sampled the key.
  assert.ok(one(e, 'redis_db_avg_ttl_seconds', { db: 'db0' }) >= 0);
  assert.equal(one(e, 'redis_db_keys', { db: 'db15' }), 0);
  assert.ok(one(e, 'redis_keyspace_hits_total') >= one(before, 'redis_keyspace_hits_total') + 1);
  assert.ok(one(e, 'redis_keyspace_misses_total') >= 1);
  assert.ok(one(e, 'redis_commands_processed_total') > one(before, 'redis_commands_processed_total'));
  assert.ok(one(e, 'redis_net_input_bytes_total') > one(before, 'redis_net_input_bytes_total'));
  assert.equal(one(e, 'redis_rdb_changes_since_last_save'), 6);
  assert.equal(one(e, 'redis_rdb_last_bgsave_status'), 1);
  assert.equal(one(e, 'redis_connected_slaves'), 0);
  assert.ok(one(e, 'redis_memory_used_bytes') > 0);
  assert.equal(one(e, 'redis_exporter_scrapes_total'), 2);
  // The latency histogram counts every SET, and its sum is commandstats' µs.
  assert.equal(one(e, 'redis_commands_latencies_usec_count', { cmd: 'set' }), 5);
  assert.equal(one(e, 'redis_commands_latencies_usec_bucket', { cmd: 'set', le: '+Inf' }), 5);
  assert.ok(find(e, 'redis_commands_latencies_usec_bucket', { cmd: 'set' }).length > 10, 'every bound is exported');
  assert.equal(one(e, 'redis_latency_percentiles_usec_count', { cmd: 'set' }), 5);
  assert.equal(find(e, 'redis_latency_percentiles_usec', { cmd: 'set' }).length, 3, 'p50, p99, p99.9');

  const index = await httpGet(mport, '/');
  assert.equal(index.status, 200);
  assert.match(index.body, /href="\/metrics"/);
  assert.equal((await httpGet(mport, '/nope')).status, 404);
});

test('CONFIG SET metrics-port opens, moves and closes the endpoint; a busy port keeps the old one', async () => {
  const srv = await startServer('reddish');
  const blocker = net.createServer();
  try {
    await withClient(srv.port, async (c) => {
      // Hidden from patterns (CONFIG GET * stays Redis 7.0's list), answered by exact name.
      assert.equal(await c.call('CONFIG', 'GET', 'metrics-*'), '*0\r\n');
      assert.equal(await c.call('CONFIG', 'GET', 'metrics-port', 'metrics-bind'), '*4\r\n$12\r\nmetrics-port\r\n$1\r\n0\r\n$12\r\nmetrics-bind\r\n$9\r\n127.0.0.1\r\n');
      const p1 = await freePort();
      assert.equal(await c.call('CONFIG', 'SET', 'metrics-port', String(p1)), '+OK\r\n');
      await waitFor(`metrics on ${p1}`, async () => (await httpGet(p1, '/metrics').catch(() => null))?.status === 200, 5000);
      assert.equal(one(await scrape(p1), 'redis_up'), 1);

      const p2 = await freePort();
      assert.equal(await c.call('CONFIG', 'SET', 'metrics-port', String(p2)), '+OK\r\n');
      await waitFor(`metrics moved to ${p2}`, async () => (await httpGet(p2, '/metrics').catch(() => null))?.status === 200, 5000);
      await waitFor(`${p1} closed`, async () => !(await listening(p1)), 5000);

      const busy = await freePort();
      await new Promise<void>((r) => blocker.listen(busy, '127.0.0.1', () => r()));
      assert.equal(await c.call('CONFIG', 'SET', 'metrics-port', String(busy)), '+OK\r\n');
      await waitFor('metrics-port put back', async () => (await c.call('CONFIG', 'GET', 'metrics-port')).includes(`\r\n${p2}\r\n`), 5000);
      assert.equal((await httpGet(p2, '/metrics')).status, 200);

      assert.equal(await c.call('CONFIG', 'SET', 'metrics-bind', ''), '-ERR CONFIG SET failed (possibly related to argument \'metrics-bind\') - metrics-bind needs at least one address\r\n');
      assert.equal(await c.call('CONFIG', 'SET', 'metrics-port', '0'), '+OK\r\n');
      await waitFor(`${p2} closed`, async () => !(await listening(p2)), 5000);
    });
  } finally {
    blocker.close();
    await srv.kill();
  }
});

test('replication metrics on a master and its replica', async () => {
  const { srv: master, mport: mm } = await serverWithMetrics();
  const { srv: replica, mport: rm } = await serverWithMetrics(['--replicaof', '127.0.0.1', String(master.port)]);
  await waitSynced(master.port, replica.port);
  // Written once the replica is attached: the replication offset counts only from the backlog's creation.
  await withClient(master.port, async (c) => {
    for (let i = 0; i < 10; i++) await c.call('SET', `r${i}`, 'x');
  });
  // The replica acks its offset once a second: wait until the master has heard it.
  const me = await waitFor('master lists its replica online at its offset', async () => {
    const e = await scrape(mm);
    const acked = find(e, 'redis_connected_slave_offset_bytes', { slave_state: 'online' });
    return acked.length === 1 && acked[0].value === one(e, 'redis_master_repl_offset') ? e : undefined;
  });
  const slave = { slave_ip: '127.0.0.1', slave_port: String(replica.port), slave_state: 'online' };
  assert.equal(one(me, 'redis_connected_slaves'), 1);
  assert.ok(one(me, 'redis_master_repl_offset') > 0);
  assert.ok(one(me, 'redis_connected_slave_offset_bytes', slave) > 0);
  assert.ok(one(me, 'redis_connected_slave_lag_seconds', slave) >= 0);
  assert.equal(one(me, 'redis_repl_backlog_is_active'), 1);
  assert.ok(one(me, 'redis_replication_backlog_bytes') > 0);
  assert.equal(find(me, 'redis_master_link_up').length, 0, 'a master has no master link');

  const re = await scrape(rm);
  const link = { master_host: '127.0.0.1', master_port: String(master.port) };
  assert.equal(one(re, 'redis_instance_info', { role: 'slave' }), 1);
  assert.equal(one(re, 'redis_master_link_up', link), 1);
  assert.equal(one(re, 'redis_master_sync_in_progress', link), 0);
  assert.ok(one(re, 'redis_master_last_io_seconds_ago', link) >= 0);
  assert.ok(one(re, 'redis_slave_repl_offset', link) >= one(me, 'redis_master_repl_offset'));
  assert.equal(one(re, 'redis_slave_info', { ...link, read_only: '1' }), 1);
  await waitFor('the replica has the 10 keys', async () => one(await scrape(rm), 'redis_db_keys', { db: 'db0' }) === 10, 5000);
  assert.equal(typeOf(re, 'redis_master_link_up'), 'gauge');
  await Promise.all([master.kill(), replica.kill()]);
});

test('a Reddish Sentinel serves redis_exporter sentinel metrics', { skip: sentinelImpl('reddish') !== 'reddish' ? 'SENTINEL_IMPL forces redis-sentinel' : false }, async () => {
  const master = await startServer('reddish');
  const replica = await startServer('reddish', { replicaOf: master.port });
  await waitSynced(master.port, replica.port);
  const mport = await freePort();
  const sentinel = await startSentinel('reddish', [...monitorLines(master.port, { quorum: 1 }), `metrics-port ${mport}`]);
  const labels = { master_name: MASTER_NAME, master_address: `127.0.0.1:${master.port}` };
  const e = await waitFor('the sentinel discovers the replica', async () => {
    const x = await scrape(mport);
    return find(x, 'redis_sentinel_master_slaves', labels)[0]?.value === 1 ? x : undefined;
  });
  assert.equal(one(e, 'redis_up'), 1);
  assert.equal(one(e, 'redis_instance_info', { redis_mode: 'sentinel', tcp_port: String(sentinel.port), role: '' }), 1);
  assert.equal(one(e, 'redis_sentinel_masters'), 1);
  assert.equal(one(e, 'redis_sentinel_tilt'), 0);
  assert.equal(one(e, 'redis_sentinel_running_scripts'), 0);
  assert.equal(one(e, 'redis_sentinel_scripts_queue_length'), 0);
  assert.equal(one(e, 'redis_sentinel_master_status', { ...labels, master_status: 'ok' }), 1);
  assert.equal(one(e, 'redis_sentinel_master_sentinels', labels), 1);
  assert.equal(one(e, 'redis_sentinel_master_ok_sentinels', labels), 1);
  assert.equal(one(e, 'redis_sentinel_master_ok_slaves', labels), 1);
  assert.equal(one(e, 'redis_sentinel_master_setting_ckquorum', labels), 1);
  assert.equal(one(e, 'redis_sentinel_master_setting_down_after_milliseconds', labels), 1000);
  assert.equal(one(e, 'redis_sentinel_master_setting_parallel_syncs', labels), 1);
  assert.equal(one(e, 'redis_sentinel_master_ckquorum_status', { master_name: MASTER_NAME, message: 'OK 1 usable Sentinels. Quorum and failover authorization can be reached' }), 1);
  assert.equal(e.families.get('redis_sentinel_master_status')?.help, 'Master status on Sentinel');
  assert.ok(one(e, 'redis_connections_received_total') >= 1);
  // A Sentinel has no keyspace, CONFIG or command statistics in its INFO.
  assert.equal(find(e, 'redis_db_keys').length, 0);
  assert.equal(find(e, 'redis_config_maxmemory').length, 0);
  await Promise.all([sentinel.kill(), master.kill(), replica.kill()]);
});

test('a real Prometheus scrapes the endpoint', { skip: spawnSync('prometheus', ['--version']).status !== 0 ? 'prometheus is not installed (apt-get install prometheus)' : false }, async () => {
  const { srv, mport } = await serverWithMetrics();
  await withClient(srv.port, async (c) => {
    for (let i = 0; i < 3; i++) await c.call('SET', `p${i}`, 'v');
  });
  const dir = mkdtempSync(join(tmpdir(), 'reddish-prometheus-'));
  const webPort = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: reddish',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${mport}']`,
    '',
  ].join('\n'));
  let out = '';
  const prom: ChildProcess = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`,
  ], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  prom.stdout!.on('data', (d) => (out += d));
  prom.stderr!.on('data', (d) => (out += d));
  const query = async (q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
    const r = await httpGet(webPort, `/api/v1/query?query=${encodeURIComponent(q)}`);
    const j = JSON.parse(r.body) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    return j.status === 'success' ? j.data.result : [];
  };
  try {
    await waitFor('Prometheus reads redis_up 1', async () => (await query('redis_up'))[0]?.value[1] === '1', 30000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${out.slice(-3000)}`); });
    const sets = await waitFor('redis_commands_total has series', async () => {
      const r = await query('redis_commands_total{cmd="set"}');
      return r.length === 1 ? r : undefined;
    }, 10000);
    assert.equal(sets[0].value[1], '3');
    assert.equal(sets[0].metric.job, 'reddish');
    // The scrape itself is healthy: Prometheus parsed the whole page.
    const targets = JSON.parse((await httpGet(webPort, '/api/v1/targets')).body) as { data: { activeTargets: Array<{ health: string; lastError: string }> } };
    assert.equal(targets.data.activeTargets[0]?.health, 'up', targets.data.activeTargets[0]?.lastError);
    assert.equal((await query('up{job="reddish"}'))[0]?.value[1], '1');
    assert.ok((await query('redis_commands_latencies_usec_bucket{cmd="set"}')).length > 10);
  } finally {
    const exited = new Promise((r) => prom.once('exit', r));
    if (prom.exitCode === null && prom.signalCode === null) {
      prom.kill('SIGTERM');
      const t = setTimeout(() => prom.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
    await srv.kill();
  }
});
