/**
 * The deployment files in deploy/: the checks a reviewer would run by hand.
 *
 * - Prometheus: alerts.yml and both prometheus.yml pass `promtool check`, and
 *   `promtool test rules` evaluates every alert expression over the series in
 *   alerts.test.yml; a real Prometheus scrapes a running Reddish node with the
 *   compose stack's rules loaded and evaluates them without error.
 * - Grafana: the dashboard parses, every query is valid PromQL (promtool) and
 *   names only metrics Reddish serves.
 * - docker-compose: the topology, ports, volumes and files it mounts; the
 *   redis.conf/sentinel.conf it uses start a real reddish-server; the image's
 *   entrypoint; `docker compose config` where docker is installed.
 * - Kubernetes: the chart rendered by deploy/render-chart.mjs (default and other
 *   values) validates against the Kubernetes schemas (kubernetes-models:
 *   types, required fields, enums, formats; and its TypeScript types, which
 *   reject unknown fields), hangs together (selectors, ports, secrets, config
 *   keys), and deploy/k8s/reddish.yaml is the chart's current rendering; the
 *   role-labeler sidecar labels a real master and replica through a fake API.
 *
 * promtool/prometheus come from Debian's `prometheus` package; tests that need
 * them are skipped, with the reason, where it is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { Redis } from 'ioredis';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { freePort } from '../support/free-port.js';
import { startServer, type RunningServer } from '../support/servers.js';

/** A parsed YAML or JSON document, checked field by field. */
type Doc = Record<string, any>;

const here = dirname(fileURLToPath(import.meta.url));
/** The repository, from dist/test/integration. */
const ROOT = resolve(here, '..', '..', '..');
const DEPLOY = join(ROOT, 'deploy');
const read = (p: string): string => readFileSync(join(DEPLOY, p), 'utf8');
const yamlFile = (p: string): Doc => parseYaml(read(p), { merge: true }) as Doc;

function has(cmd: string, args = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}
const PROMTOOL = has('promtool');
const NO_PROMTOOL = PROMTOOL ? false : 'promtool not installed (Debian package `prometheus`)';
const NO_PROMETHEUS = has('prometheus') ? false : 'prometheus not installed (Debian package `prometheus`)';

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number; out: string } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
function promtool(...args: string[]): string {
  const r = run('promtool', args, { cwd: DEPLOY });
  assert.equal(r.status, 0, `promtool ${args.join(' ')} failed:\n${r.out}`);
  return r.out;
}

// The metric names the built-in endpoint serves (redis_exporter's); dashboards
// and alerts may use these and Prometheus's own `up`.
const METRICS = new Set([
  'redis_up', 'redis_instance_info', 'redis_connected_clients', 'redis_memory_used_bytes', 'redis_memory_max_bytes',
  'redis_commands_processed_total', 'redis_commands_total', 'redis_keyspace_hits_total', 'redis_keyspace_misses_total',
  'redis_db_keys', 'redis_connected_slaves', 'redis_master_repl_offset', 'redis_slave_repl_offset',
  'redis_connected_slave_lag_seconds', 'redis_connected_slave_offset_bytes', 'redis_master_link_up',
  'redis_master_last_io_seconds_ago', 'redis_net_input_bytes_total', 'redis_net_output_bytes_total',
  'redis_sentinel_masters', 'redis_sentinel_master_status', 'redis_sentinel_master_slaves',
  'redis_sentinel_master_sentinels', 'redis_sentinel_tilt',
]);
const PROMETHEUS_OWN = new Set(['up']);

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
/** Aggregations may be followed by `by (...)` before their parenthesis. */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile']);

/** The metric names a PromQL expression selects (not functions, keywords, label names or template variables). */
function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\$\{?\w+\}?/g, '');
  const names: string[] = [];
  const re = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const word = m[0];
    const before = s.slice(0, m.index);
    if (/\d$/.test(before) && /^[eE]/.test(word)) continue; // 10e6
    const after = s.slice(m.index + word.length);
    if (PROMQL_WORDS.has(word.toLowerCase())) {
      // by (a, b) / on (instance) / group_right (x): skip the label list.
      const list = /^\s*\(([^)]*)\)/.exec(after);
      if (list) re.lastIndex = m.index + word.length + list[0].length;
      continue;
    }
    if (/^\s*\(/.test(after) || AGGREGATIONS.has(word)) continue; // a function or an aggregation
    names.push(word);
  }
  return names;
}

/** Grafana's variables, replaced so that promtool can parse the query. */
const grafanaToPromql = (e: string): string =>
  e.replace(/\$__rate_interval|\$__interval/g, '1m').replace(/\$__range/g, '1h').replace(/\$\{?\w+\}?/g, '.*');

// ------------------------------------------------------------ Prometheus -----

test('alerts.yml passes promtool check rules, with severities and summaries', { skip: NO_PROMTOOL }, () => {
  assert.match(promtool('check', 'rules', 'prometheus/alerts.yml'), /SUCCESS: \d+ rules found/);
});

test('every alert has a severity, a summary and a description, and names only Reddish metrics', () => {
  const alerts = yamlFile('prometheus/alerts.yml');
  const names = new Set<string>();
  for (const g of alerts.groups as Doc[]) {
    for (const r of g.rules as Doc[]) {
      assert.ok(r.alert, `recording rules are not expected: ${JSON.stringify(r)}`);
      names.add(r.alert as string);
      assert.ok(['critical', 'warning', 'info'].includes(r.labels?.severity), `${r.alert}: severity`);
      assert.ok(r.annotations?.summary && r.annotations?.description, `${r.alert}: summary and description`);
      for (const n of metricNames(r.expr as string)) {
        assert.ok(METRICS.has(n) || PROMETHEUS_OWN.has(n), `${r.alert} uses ${n}, which Reddish does not serve`);
      }
    }
  }
  for (const want of ['ReddishInstanceDown', 'ReddishMasterDown', 'ReddishMasterChanged', 'ReddishReplicationLagHigh',
    'ReddishReplicaLinkDown', 'ReddishMemoryHigh', 'ReddishSentinelQuorumLost', 'ReddishSentinelCountLow']) {
    assert.ok(names.has(want), `alert ${want} is missing`);
  }
});

test('promtool test rules: each alert fires on its scenario and stays quiet on a healthy topology', { skip: NO_PROMTOOL }, () => {
  // Every alert must be expected to fire somewhere in the unit tests, so each expression is really evaluated.
  const alerts = yamlFile('prometheus/alerts.yml');
  const tests = yamlFile('prometheus/alerts.test.yml');
  const fired = new Set<string>();
  for (const t of tests.tests as Doc[]) {
    for (const a of t.alert_rule_test as Doc[]) if ((a.exp_alerts as Doc[]).length) fired.add(a.alertname as string);
  }
  for (const g of alerts.groups as Doc[]) {
    for (const r of g.rules as Doc[]) assert.ok(fired.has(r.alert as string), `alerts.test.yml never expects ${r.alert} to fire`);
  }
  assert.match(promtool('test', 'rules', 'prometheus/alerts.test.yml'), /SUCCESS/);
});

test('prometheus.yml (example) passes promtool check config', { skip: NO_PROMTOOL }, () => {
  assert.match(promtool('check', 'config', 'prometheus/prometheus.yml'), /SUCCESS/);
});

test('the compose stack\'s prometheus.yml passes promtool check config as mounted', { skip: NO_PROMTOOL }, () => {
  // Laid out as docker-compose.yml mounts it: /etc/prometheus/{prometheus,alerts}.yml.
  const dir = mkdtempSync(join(tmpdir(), 'deploy-prom-'));
  try {
    cpSync(join(DEPLOY, 'compose', 'prometheus.yml'), join(dir, 'prometheus.yml'));
    cpSync(join(DEPLOY, 'prometheus', 'alerts.yml'), join(dir, 'alerts.yml'));
    const out = promtool('check', 'config', join(dir, 'prometheus.yml'));
    assert.match(out, /SUCCESS: 1 rule files found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --------------------------------------------------------------- Grafana -----

function dashboardPanels(): Doc[] {
  const d = JSON.parse(read('grafana/reddish-dashboard.json')) as Doc;
  const out: Doc[] = [];
  (function walk(ps: Doc[]): void {
    for (const p of ps) {
      out.push(p);
      if (Array.isArray(p.panels)) walk(p.panels as Doc[]);
    }
  })(d.panels as Doc[]);
  return out;
}

test('the Grafana dashboard parses, uses the datasource variable and only Reddish metric names', () => {
  const d = JSON.parse(read('grafana/reddish-dashboard.json')) as Doc;
  assert.ok(d.schemaVersion >= 36 && d.schemaVersion <= 39, `schemaVersion ${d.schemaVersion}`);
  assert.ok(d.uid && d.title);
  const vars = (d.templating.list as Doc[]);
  const ds = vars.find((v) => v.type === 'datasource');
  assert.equal(ds?.query, 'prometheus');
  const panels = dashboardPanels().filter((p) => p.type !== 'row');
  const ids = new Set<number>();
  const exprs: string[] = [];
  for (const p of panels) {
    assert.ok(!ids.has(p.id as number), `duplicate panel id ${p.id}`);
    ids.add(p.id as number);
    assert.equal(p.datasource?.uid, `\${${ds?.name}}`, `${p.title}: datasource`);
    assert.ok((p.targets as Doc[]).length > 0, `${p.title}: no query`);
    for (const t of p.targets as Doc[]) {
      exprs.push(t.expr as string);
      const names = metricNames(t.expr as string);
      assert.ok(names.length > 0, `${p.title}: no metric in ${t.expr}`);
      for (const n of names) assert.ok(METRICS.has(n) || PROMETHEUS_OWN.has(n), `${p.title}: ${n} is not a Reddish metric (${t.expr})`);
    }
  }
  for (const v of vars) {
    if (v.type === 'query') for (const n of metricNames(v.query.query.replace(/^label_values\((.*),\s*\w+\)$/, '$1'))) {
      assert.ok(METRICS.has(n) || PROMETHEUS_OWN.has(n), `variable ${v.name}: ${n}`);
    }
  }
  const titles = panels.map((p) => String(p.title).toLowerCase()).join(' | ');
  for (const topic of ['status', 'role', 'clients', 'commands/s', 'top commands', 'memory used vs max', 'keys per db', 'network',
    'replication lag', 'master link', 'failovers', 'quorum']) {
    assert.ok(titles.includes(topic), `no panel about ${topic}`);
  }
  // The whole text as well: no metric name anywhere that the endpoint does not serve.
  const all = JSON.stringify(d).match(/\bredis_[a-z_]+/g) ?? [];
  for (const n of all) assert.ok(METRICS.has(n) || n === 'redis_exporter', `dashboard mentions ${n}`);
  assert.ok(exprs.length >= 20);
});

test('every dashboard query is valid PromQL (promtool)', { skip: NO_PROMTOOL }, () => {
  const exprs = dashboardPanels().flatMap((p) => ((p.targets as Doc[] | undefined) ?? []).map((t) => t.expr as string));
  const dir = mkdtempSync(join(tmpdir(), 'deploy-dash-'));
  try {
    const rules = { groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({ record: `dashboard_query_${i}`, expr: grafanaToPromql(e) })) }] };
    writeFileSync(join(dir, 'dashboard-rules.yml'), JSON.stringify(rules));
    assert.match(promtool('check', 'rules', join(dir, 'dashboard-rules.yml')), new RegExp(`SUCCESS: ${exprs.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// -------------------------------------------------------- docker-compose -----

const SERVERS = ['redis-master', 'redis-replica-1', 'redis-replica-2', 'redis-replica-3'];
const SENTINELS = ['redis-sentinel-1', 'redis-sentinel-2', 'redis-sentinel-3'];

test('docker-compose.yml: the guides\' topology, ports and files', () => {
  const c = yamlFile('docker-compose.yml');
  const services = c.services as Record<string, Doc>;
  assert.deepEqual(Object.keys(services).sort(), [...SERVERS, ...SENTINELS, 'grafana', 'prometheus'].sort());
  const hostPorts = new Map<string, string>();
  for (const [name, s] of Object.entries(services)) {
    for (const p of (s.ports as string[] | undefined) ?? []) {
      const [host, container] = p.split(':');
      assert.ok(!hostPorts.has(host!), `host port ${host} used twice`);
      hostPorts.set(host!, `${name}:${container}`);
    }
    for (const v of (s.volumes as string[] | undefined) ?? []) {
      const [src, target] = v.split(':');
      if (src!.startsWith('.') || src!.startsWith('/')) {
        assert.ok(existsSync(resolve(DEPLOY, src!)), `${name}: ${src} does not exist`);
      } else {
        assert.ok(src! in (c.volumes as Doc), `${name}: volume ${src} is not declared`);
      }
      assert.ok(target!.startsWith('/'), `${name}: ${v}`);
    }
    const deps = s.depends_on as string[] | Doc | undefined;
    for (const dep of Array.isArray(deps) ? deps : Object.keys(deps ?? {})) assert.ok(dep in services, `${name} depends on ${dep}`);
  }
  // The guides' host ports.
  assert.equal(hostPorts.get('6379'), 'redis-master:6379');
  ['6380', '6381', '6382'].forEach((p, i) => assert.equal(hostPorts.get(p), `redis-replica-${i + 1}:6379`));
  ['26379', '26380', '26381'].forEach((p, i) => assert.equal(hostPorts.get(p), `redis-sentinel-${i + 1}:26379`));
  [...SERVERS, ...SENTINELS].forEach((n, i) => assert.equal(hostPorts.get(String(9121 + i)), `${n}:9121`));
  assert.equal(hostPorts.get('9092'), 'prometheus:9090');
  assert.equal(hostPorts.get('3001'), 'grafana:3000');

  // Reddish services: built from deploy/Dockerfile, config copied from a mounted template.
  for (const name of [...SERVERS, ...SENTINELS]) {
    const s = services[name]!;
    assert.equal(s.build.dockerfile, 'deploy/Dockerfile');
    assert.ok(existsSync(join(resolve(DEPLOY, s.build.context as string), s.build.dockerfile as string)));
    const template = s.environment.REDDISH_CONFIG_TEMPLATE as string;
    assert.ok((s.volumes as string[]).some((v) => v.split(':')[1] === template), `${name}: ${template} is not mounted`);
    const cmd = s.command as string[];
    const conf = cmd.find((a) => a.endsWith('.conf'));
    assert.ok(conf?.startsWith('/data/'), `${name}: runs from a copy on its data volume`);
    const announce = SENTINELS.includes(name) ? cmd.slice(cmd.indexOf('announce-ip') + 1)[0] : cmd[cmd.indexOf('--replica-announce-ip') + 1];
    assert.equal(announce, name, `${name} announces its service name`);
    assert.ok(s.healthcheck?.test, `${name}: healthcheck`);
  }
  assert.deepEqual(services[SENTINELS[0]!]!.command.slice(0, 2), ['sentinel', '/data/sentinel.conf']);

  const sentinelConf = read('compose/sentinel.conf');
  assert.match(sentinelConf, /^sentinel monitor mymaster redis-master 6379 2$/m);
  assert.ok(sentinelConf.search(/^sentinel resolve-hostnames yes$/m) < sentinelConf.search(/^sentinel monitor /m), 'resolve-hostnames before monitor');
  assert.match(read('compose/redis-replica.conf'), /^replicaof redis-master 6379$/m);
  for (const f of ['compose/redis-master.conf', 'compose/redis-replica.conf', 'compose/sentinel.conf']) {
    assert.match(read(f), /^metrics-port 9121$/m, `${f}: metrics-port`);
  }

  // Prometheus scrapes every node; Grafana gets the datasource and the dashboard.
  const prom = yamlFile('compose/prometheus.yml');
  const targets = (job: string): string[] => (prom.scrape_configs as Doc[]).find((j) => j.job_name === job)!.static_configs.flatMap((sc: Doc) => sc.targets as string[]);
  assert.deepEqual(targets('reddish'), SERVERS.map((s) => `${s}:9121`));
  assert.deepEqual(targets('reddish-sentinel'), SENTINELS.map((s) => `${s}:9121`));
  assert.deepEqual(prom.rule_files, ['alerts.yml']);
  const grafana = services.grafana!;
  const ds = yamlFile('compose/grafana/provisioning/datasources/prometheus.yml');
  assert.equal(ds.datasources[0].url, 'http://prometheus:9090');
  const provider = yamlFile('compose/grafana/provisioning/dashboards/reddish.yml').providers[0];
  const dashMount = (grafana.volumes as string[]).find((v) => v.startsWith('./grafana/reddish-dashboard.json:'))!;
  assert.equal(dirname(dashMount.split(':')[1]!), provider.options.path);
  assert.equal(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, dashMount.split(':')[1]);
});

test('docker compose config accepts the file', { skip: has('docker', ['compose', 'version']) ? false : 'docker compose is not installed' }, () => {
  const r = run('docker', ['compose', '-f', join(DEPLOY, 'docker-compose.yml'), 'config', '--quiet']);
  assert.equal(r.status, 0, r.out);
});

test('the Dockerfile: node:20-slim, a build stage and a runtime stage, files that exist', () => {
  const text = read('Dockerfile');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  assert.match(text, /^ARG NODE_IMAGE=node:20-slim$/m);
  const froms = lines.filter((l) => l.startsWith('FROM '));
  assert.deepEqual(froms.map((l) => l.split(/\s+/).pop()), ['build', 'runtime']);
  assert.match(text, /npm ci --omit=dev/);
  assert.match(text, /COPY --from=build \/app\/dist\/src/);
  for (const l of lines.filter((x) => x.startsWith('COPY ') && !x.includes('--from'))) {
    const parts = l.split(/\s+/).slice(1, -1);
    for (const src of parts) assert.ok(existsSync(join(ROOT, src)), `COPY ${src}: no such file`);
  }
  assert.match(text, /^ENTRYPOINT \["docker-entrypoint\.sh"\]$/m);
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const needed of ['src', 'bin', 'deploy/scripts', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    assert.ok(!ignore.includes(needed), `.dockerignore leaves out ${needed}`);
  }
});

test('the image entrypoint runs reddish-server or Sentinel and copies config templates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-entry-'));
  try {
    // Stand-ins for the binaries: print how they were called.
    for (const bin of ['reddish-server', 'reddish-sentinel']) {
      writeFileSync(join(dir, bin), `#!/bin/sh\necho ${bin} "$@"\n`);
      chmodSync(join(dir, bin), 0o755);
    }
    const entry = join(DEPLOY, 'scripts', 'docker-entrypoint.sh');
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    const call = (args: string[], extra: NodeJS.ProcessEnv = {}): string => {
      const r = run('sh', [entry, ...args], { env: { ...env, ...extra } });
      assert.equal(r.status, 0, r.out);
      return r.out.trim();
    };
    assert.equal(call(['reddish-server']), 'reddish-server --protected-mode no');
    assert.equal(call(['--port', '7000']), 'reddish-server --port 7000 --protected-mode no');
    assert.equal(call(['--protected-mode', 'yes']), 'reddish-server --protected-mode yes');
    assert.equal(call(['/etc/r.conf', '--port', '1']), 'reddish-server /etc/r.conf --port 1');
    writeFileSync(join(dir, 'template.conf'), 'port 26379\n');
    const conf = join(dir, 'data', 'sentinel.conf');
    mkdirSync(dirname(conf));
    const out = call(['sentinel', conf, '--sentinel', 'announce-ip', 's1'], { REDDISH_CONFIG_TEMPLATE: join(dir, 'template.conf') });
    assert.match(out, new RegExp(`reddish-sentinel ${conf} --sentinel announce-ip s1$`));
    assert.equal(readFileSync(conf, 'utf8'), 'port 26379\n');
    // A config file that exists is Sentinel's own: left alone.
    writeFileSync(conf, 'port 26379\nsentinel myid abc\n');
    call(['sentinel', conf], { REDDISH_CONFIG_TEMPLATE: join(dir, 'template.conf') });
    assert.match(readFileSync(conf, 'utf8'), /myid abc/);
    assert.equal(call(['echo', 'hi']), 'hi');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Starts reddish-server with one of the compose configs, on loopback and free
 * ports (metrics too). `dir /data` is the container's: the copy points at a
 * temporary directory instead, as the only change.
 */
async function startWithConfig(file: string, extra: string[]): Promise<RunningServer & { metricsPort: number; confDir: string }> {
  const confDir = mkdtempSync(join(tmpdir(), 'deploy-conf-'));
  const conf = join(confDir, 'node.conf');
  const text = read(file);
  assert.match(text, /^dir \/data$/m);
  writeFileSync(conf, text.replace(/^dir \/data$/m, `dir ${confDir}`));
  const metricsPort = await freePort();
  const server = await startServer('reddish', ['--metrics-port', String(metricsPort), '--metrics-bind', '127.0.0.1', ...extra], { configFile: conf });
  const stop = server.stop.bind(server);
  return Object.assign(server, {
    metricsPort,
    confDir,
    async stop(): Promise<void> {
      await stop();
      rmSync(confDir, { recursive: true, force: true });
    },
  });
}

test('the compose redis.conf and sentinel.conf files start a real reddish-server', async () => {
  const started: Array<RunningServer & { confDir: string }> = [];
  try {
    const master = await startWithConfig('compose/redis-master.conf', ['--replica-announce-ip', 'redis-master']);
    started.push(master);
    const replica = await startWithConfig('compose/redis-replica.conf', ['--replica-announce-ip', 'redis-replica-1']);
    started.push(replica);
    // Sentinel rewrites its file, as in the container (a copy on the data volume).
    const sentinel = await startWithConfig('compose/sentinel.conf', ['--sentinel', '--sentinel', 'announce-ip', 'redis-sentinel-1']);
    started.push(sentinel);

    const m = new Redis({ port: master.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    const r = new Redis({ port: replica.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    const s = new Redis({ port: sentinel.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      assert.deepEqual(await m.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'allkeys-lru']);
      assert.deepEqual(await m.config('GET', 'maxmemory'), ['maxmemory', String(256 * 1024 * 1024)]);
      assert.deepEqual(await r.config('GET', 'replicaof'), ['replicaof', 'redis-master 6379']);
      assert.deepEqual(await r.config('GET', 'replica-announce-ip'), ['replica-announce-ip', 'redis-replica-1']);
      const info = (await s.call('SENTINEL', 'MASTER', 'mymaster')) as string[];
      const field = (k: string): string | undefined => info[info.indexOf(k) + 1];
      assert.equal(field('ip'), 'redis-master');
      assert.equal(field('quorum'), '2');
      assert.equal(field('down-after-milliseconds'), '5000');
      assert.equal(field('failover-timeout'), '10000');
      assert.match(readFileSync(join(sentinel.confDir, 'node.conf'), 'utf8'), /sentinel myid /, 'Sentinel rewrote its copy');
    } finally {
      m.disconnect();
      r.disconnect();
      s.disconnect();
    }
  } finally {
    await Promise.all(started.map((x) => x.stop()));
  }
});

test('a real Prometheus scrapes a Reddish node and evaluates the alert rules', { skip: NO_PROMETHEUS, timeout: 30000 }, async () => {
  const server = await startWithConfig('compose/redis-master.conf', []);
  const metricsPort = server.metricsPort;
  const dir = mkdtempSync(join(tmpdir(), 'deploy-prometheus-'));
  const webPort = await freePort();
  let prom: ReturnType<typeof spawn> | null = null;
  try {
    cpSync(join(DEPLOY, 'prometheus', 'alerts.yml'), join(dir, 'alerts.yml'));
    // The compose config, with this node as the only target and a fast clock.
    const cfg = yamlFile('compose/prometheus.yml');
    cfg.global = { scrape_interval: '1s', evaluation_interval: '1s' };
    cfg.scrape_configs = (cfg.scrape_configs as Doc[]).filter((j) => j.job_name === 'reddish');
    cfg.scrape_configs[0].static_configs = [{ targets: [`127.0.0.1:${metricsPort}`] }];
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(cfg));
    prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${webPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    prom.stdout!.on('data', (d) => (log += d));
    prom.stderr!.on('data', (d) => (log += d));
    const api = async (path: string): Promise<Doc | null> => {
      try {
        const res = await fetch(`http://127.0.0.1:${webPort}${path}`);
        return res.ok ? ((await res.json()) as Doc).data as Doc : null;
      } catch {
        return null;
      }
    };
    const deadline = Date.now() + 20000;
    let names: string[] = [];
    let groups: Doc[] = [];
    while (Date.now() < deadline) {
      const up = await api('/api/v1/query?query=up%7Bjob%3D%22reddish%22%7D');
      const rules = await api('/api/v1/rules');
      groups = (rules?.groups as Doc[] | undefined) ?? [];
      const evaluated = groups.length > 0 && groups.every((g) => (g.rules as Doc[]).every((r) => r.lastEvaluation && !r.lastEvaluation.startsWith('0001')));
      if (up?.result?.[0]?.value?.[1] === '1' && evaluated) {
        const res = await api('/api/v1/label/__name__/values');
        names = (res as unknown as string[] | null) ?? [];
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(names.length > 0, `Prometheus did not scrape the node and evaluate the rules in time:\n${log.slice(-2000)}`);
    for (const g of groups) for (const r of g.rules as Doc[]) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError}`);
    // A master's metrics that the dashboard and the alerts read.
    for (const n of ['redis_up', 'redis_instance_info', 'redis_connected_clients', 'redis_memory_used_bytes', 'redis_memory_max_bytes',
      'redis_commands_processed_total', 'redis_connected_slaves', 'redis_master_repl_offset', 'redis_net_input_bytes_total']) {
      assert.ok(names.includes(n), `${n} not scraped (got ${names.filter((x) => x.startsWith('redis_')).join(', ')})`);
    }
  } finally {
    if (prom && prom.exitCode === null) {
      const done = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await done;
    }
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------ Kubernetes -----

interface Manifest { source: string; doc: Doc }

/** node deploy/render-chart.mjs with these arguments; its documents. */
function render(args: string[]): { text: string; manifests: Manifest[] } {
  const r = run(process.execPath, [join(DEPLOY, 'render-chart.mjs'), ...args]);
  assert.equal(r.status, 0, `render-chart ${args.join(' ')}:\n${r.out}`);
  const manifests: Manifest[] = [];
  for (const part of r.out.split(/^---\n/m).slice(1)) {
    const source = /^# Source: (\S+)/.exec(part)?.[1] ?? '';
    const doc = parseYaml(part) as Doc | null;
    if (doc) manifests.push({ source, doc });
  }
  return { text: r.out, manifests };
}

/** Values combinations the chart must render valid objects for (besides the defaults). */
const VARIANTS: Record<string, string[]> = {
  defaults: [],
  'auth from an existing Secret': ['--set', 'auth.existingSecret=my-redis', '--set', 'auth.existingSecretPasswordKey=pw'],
  'auth with a given password': ['--set', 'auth.password=s3cret'],
  'no auth, no persistence, hard anti-affinity': ['--set', 'auth.enabled=false', '--set', 'persistence.enabled=false',
    '--set', 'sentinel.persistence.enabled=false', '--set', 'podAntiAffinity=hard'],
  'replication without Sentinel': ['--set', 'sentinel.enabled=false'],
  'single node': ['--set', 'replication.enabled=false'],
  'no role labeler, no metrics, no PDB': ['--set', 'roleLabeler.enabled=false', '--set', 'metrics.enabled=false', '--set', 'pdb.enabled=false'],
  'ServiceMonitor, other release and namespace': ['--set', 'metrics.serviceMonitor.enabled=true', '--release', 'cache', '--namespace', 'prod',
    '--set', 'replication.replicas=2', '--set', 'persistence.storageClass=fast-ssd'],
};

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap, 'v1/Secret': Secret, 'v1/Service': Service, 'v1/ServiceAccount': ServiceAccount,
  'apps/v1/StatefulSet': StatefulSet, 'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role, 'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};
/** The TypeScript interface of each kind, for the unknown-field check. */
const TYPES: Record<string, [string, string]> = {
  'v1/ConfigMap': ['IConfigMap', 'kubernetes-models/v1/ConfigMap'], 'v1/Secret': ['ISecret', 'kubernetes-models/v1/Secret'],
  'v1/Service': ['IService', 'kubernetes-models/v1/Service'], 'v1/ServiceAccount': ['IServiceAccount', 'kubernetes-models/v1/ServiceAccount'],
  'apps/v1/StatefulSet': ['IStatefulSet', 'kubernetes-models/apps/v1/StatefulSet'],
  'policy/v1/PodDisruptionBudget': ['IPodDisruptionBudget', 'kubernetes-models/policy/v1/PodDisruptionBudget'],
  'rbac.authorization.k8s.io/v1/Role': ['IRole', 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'],
  'rbac.authorization.k8s.io/v1/RoleBinding': ['IRoleBinding', 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['IServiceMonitor', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'],
};
const kindKey = (d: Doc): string => `${d.apiVersion}/${d.kind}`;

const rendered = new Map<string, Manifest[]>();
function variant(name: string): Manifest[] {
  if (!rendered.has(name)) rendered.set(name, render(['--seed', '1', ...VARIANTS[name]!]).manifests);
  return rendered.get(name)!;
}

test('deploy/k8s/reddish.yaml is the chart rendered with its default values', () => {
  const { text } = render(['--seed', '1', '--header']);
  assert.equal(readFileSync(join(DEPLOY, 'k8s', 'reddish.yaml'), 'utf8'), text,
    'out of date: run node deploy/render-chart.mjs --seed 1 --header --out deploy/k8s/reddish.yaml');
});

test('the rendered manifests validate against the Kubernetes schemas (kubernetes-models)', () => {
  const files = [join(DEPLOY, 'k8s', 'reddish.yaml')];
  for (const f of files) {
    const docs = parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Doc).filter((d) => d);
    assert.ok(docs.length >= 10);
    for (const d of docs) {
      const Model = MODELS[kindKey(d)];
      assert.ok(Model, `${kindKey(d)}: no schema`);
      assert.doesNotThrow(() => new Model(d).validate(), `${d.kind} ${d.metadata?.name}`);
    }
  }
  for (const name of Object.keys(VARIANTS)) {
    for (const { source, doc } of variant(name)) {
      const Model = MODELS[kindKey(doc)];
      assert.ok(Model, `${name}: ${kindKey(doc)} (${source}): no schema`);
      try {
        new Model(doc).validate();
      } catch (e) {
        assert.fail(`${name}: ${doc.kind} ${doc.metadata?.name} (${source}): ${(e as Error).message}`);
      }
    }
  }
});

test('the rendered manifests have no field the Kubernetes types do not know (TypeScript check)', () => {
  // Excess-property checking of object literals against kubernetes-models' interfaces:
  // a misspelt or misplaced field (spec.template.spec.contianers) is an error.
  const dir = join(ROOT, 'dist', '.deploy-typecheck');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const imports = new Set<string>();
    const lines: string[] = [];
    let i = 0;
    for (const name of Object.keys(VARIANTS)) {
      for (const { doc } of variant(name)) {
        const [iface, mod] = TYPES[kindKey(doc)]!;
        imports.add(`import type { ${iface} } from '${mod}';`);
        lines.push(`// ${name}: ${doc.kind} ${doc.metadata?.name}\nexport const m${i++}: ${iface} = ${JSON.stringify(doc, null, 1)};`);
      }
    }
    writeFileSync(join(dir, 'manifests.ts'), `${[...imports].join('\n')}\n${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: true, types: [] },
      files: ['manifests.ts'],
    }));
    const r = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')]);
    assert.equal(r.status, 0, `unknown or mistyped fields:\n${r.out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Labels that a pod of the StatefulSet gets (its template's), plus the role label the sidecar adds. */
function podLabels(sts: Doc, role?: string): Record<string, string> {
  return { ...(sts.spec.template.metadata.labels as Record<string, string>), 'statefulset.kubernetes.io/pod-name': `${sts.metadata.name}-0`, ...(role ? { 'reddish.io/role': role } : {}) };
}
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

test('the rendered objects hang together: selectors, ports, Secrets, config keys, RBAC', () => {
  for (const name of Object.keys(VARIANTS)) {
    const docs = variant(name).map((m) => m.doc);
    const of = (kind: string): Doc[] => docs.filter((d) => d.kind === kind);
    const sets = of('StatefulSet');
    const configMaps = new Map(of('ConfigMap').map((c) => [c.metadata.name as string, c]));
    const secrets = new Set(of('Secret').map((s) => s.metadata.name as string));
    for (const sts of sets) {
      const spec = sts.spec;
      assert.ok(matches(spec.selector.matchLabels, spec.template.metadata.labels), `${name}: ${sts.metadata.name} selector`);
      assert.ok(of('Service').some((s) => s.metadata.name === spec.serviceName && s.spec.clusterIP === 'None'), `${name}: governing Service of ${sts.metadata.name}`);
      const volumes = new Set([...(spec.template.spec.volumes as Doc[]).map((v) => v.name as string), ...((spec.volumeClaimTemplates as Doc[] | undefined) ?? []).map((v) => v.metadata.name as string)]);
      for (const v of spec.template.spec.volumes as Doc[]) if (v.configMap) assert.ok(configMaps.has(v.configMap.name), `${name}: ConfigMap ${v.configMap.name}`);
      const cm = configMaps.get((spec.template.spec.volumes as Doc[]).find((v) => v.configMap)!.configMap.name as string)!;
      for (const c of spec.template.spec.containers as Doc[]) {
        for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${name}: volume ${m.name}`);
        for (const arg of [...(c.command as string[]), ...((c.readinessProbe?.exec?.command as string[] | undefined) ?? []), ...((c.lifecycle?.preStop?.exec?.command as string[] | undefined) ?? [])]) {
          const key = /^\/etc\/reddish\/(.+)$/.exec(arg)?.[1];
          if (key) assert.ok(key in cm.data, `${name}: ${c.name} runs ${key}, which the ConfigMap lacks`);
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) assert.ok(secrets.has(ref.name) || name === 'auth from an existing Secret', `${name}: Secret ${ref.name}`);
        }
        const ports = new Set(((c.ports as Doc[] | undefined) ?? []).map((p) => p.name as string));
        for (const probe of [c.readinessProbe, c.livenessProbe]) if (probe?.tcpSocket) assert.ok(ports.has(probe.tcpSocket.port), `${name}: probe port ${probe.tcpSocket.port}`);
      }
    }
    for (const svc of of('Service')) {
      // Some pod (with some role) of some StatefulSet is selected, and the target ports exist on it.
      const target = sets.find((s) => ['master', 'replica', undefined].some((role) => matches(svc.spec.selector, podLabels(s, role))));
      assert.ok(target, `${name}: Service ${svc.metadata.name} selects no pod`);
      const names = new Set((target.spec.template.spec.containers as Doc[]).flatMap((c) => ((c.ports as Doc[] | undefined) ?? []).map((p) => p.name as string)));
      for (const p of svc.spec.ports as Doc[]) assert.ok(names.has(p.targetPort), `${name}: ${svc.metadata.name} port ${p.targetPort}`);
    }
    for (const pdb of of('PodDisruptionBudget')) {
      assert.ok(sets.some((s) => matches(pdb.spec.selector.matchLabels, s.spec.template.metadata.labels)), `${name}: PDB ${pdb.metadata.name}`);
    }
    for (const sm of of('ServiceMonitor')) {
      const scraped = of('Service').filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
      assert.deepEqual(scraped.map((s) => s.metadata.labels[sm.spec.jobLabel]).sort(), ['reddish', 'reddish-sentinel'], `${name}: ServiceMonitor jobs`);
      for (const s of scraped) assert.ok((s.spec.ports as Doc[]).some((p) => p.name === sm.spec.endpoints[0].port));
    }
    const role = of('Role')[0];
    if (role) {
      const nodes = sets.find((s) => s.spec.template.metadata.labels['app.kubernetes.io/component'] === 'node')!;
      assert.deepEqual(role.rules[0].resourceNames, Array.from({ length: nodes.spec.replicas as number }, (_, i) => `${nodes.metadata.name}-${i}`));
      assert.equal(of('RoleBinding')[0]!.subjects[0].name, nodes.spec.template.spec.serviceAccountName);
    }
    // The shell scripts in the ConfigMap parse.
    for (const cm of configMaps.values()) {
      for (const [key, script] of Object.entries(cm.data as Record<string, string>)) {
        if (!key.endsWith('.sh')) continue;
        const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
        assert.equal(r.status, 0, `${name}: ${key}: ${r.stderr}`);
      }
    }
  }
});

test('the default chart: 1 master + 3 replicas, 3 Sentinels with quorum 2, PVCs, a master Service', () => {
  const docs = variant('defaults').map((m) => m.doc);
  const get = (kind: string, name: string): Doc => docs.find((d) => d.kind === kind && d.metadata.name === name)!;
  const nodes = get('StatefulSet', 'reddish');
  const sentinels = get('StatefulSet', 'reddish-sentinel');
  assert.equal(nodes.spec.replicas, 4);
  assert.equal(sentinels.spec.replicas, 3);
  assert.equal(nodes.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '8Gi');
  assert.ok(nodes.spec.template.spec.affinity.podAntiAffinity);
  assert.deepEqual(get('Service', 'reddish-master').spec.selector['reddish.io/role'], 'master');
  assert.deepEqual(get('Service', 'reddish-replicas').spec.selector['reddish.io/role'], 'replica');
  const conf = get('ConfigMap', 'reddish').data['sentinel.conf'] as string;
  assert.match(conf, /^sentinel monitor mymaster @MASTER_HOST@ 6379 2$/m);
  assert.match(conf, /^sentinel down-after-milliseconds mymaster 5000$/m);
  assert.match(conf, /^sentinel failover-timeout mymaster 10000$/m);
  assert.ok(conf.indexOf('resolve-hostnames yes') < conf.indexOf('sentinel monitor'));
  assert.match(get('ConfigMap', 'reddish').data['redis.conf'] as string, /^metrics-port 9121$/m);
  const secret = get('Secret', 'reddish-auth');
  assert.equal(Buffer.from(secret.data['redis-password'] as string, 'base64').toString().length, 32);
  assert.ok(!docs.some((d) => d.kind === 'ServiceMonitor'), 'ServiceMonitor is off by default');
  assert.equal(get('PodDisruptionBudget', 'reddish-sentinel').spec.maxUnavailable, 1);
  // Without replication: one pod, no Sentinel, the master Service selects it without a role label.
  const single = variant('single node').map((m) => m.doc);
  assert.equal(single.find((d) => d.kind === 'StatefulSet')!.spec.replicas, 1);
  assert.equal(single.filter((d) => d.kind === 'StatefulSet').length, 1);
  assert.equal(single.find((d) => d.metadata.name === 'reddish-master')!.spec.selector['reddish.io/role'], undefined);
  // A given password is used as is; an existing Secret is referenced, not created.
  const given = variant('auth with a given password').map((m) => m.doc).find((d) => d.kind === 'Secret')!;
  assert.equal(Buffer.from(given.data['redis-password'] as string, 'base64').toString(), 's3cret');
  const existing = variant('auth from an existing Secret').map((m) => m.doc);
  assert.ok(!existing.some((d) => d.kind === 'Secret'));
  const env = existing.find((d) => d.kind === 'StatefulSet')!.spec.template.spec.containers[0].env as Doc[];
  assert.deepEqual(env.find((e) => e.name === 'REDIS_PASSWORD')!.valueFrom.secretKeyRef, { name: 'my-redis', key: 'pw' });
});

test('the role labeler labels a real master and replica through the Kubernetes API', { timeout: 20000 }, async () => {
  const master = await startServer('reddish', ['--requirepass', 'pw']);
  const replica = await startServer('reddish', ['--requirepass', 'pw', '--masterauth', 'pw']);
  const calls: string[] = [];
  const labels = new Map<string, Record<string, string>>();
  const api = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const pod = decodeURIComponent(req.url!.split('/').pop()!);
      calls.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${body}`.trim());
      if (req.method === 'PATCH') labels.set(pod, { ...labels.get(pod), ...(JSON.parse(body) as Doc).metadata.labels });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ metadata: { name: pod, labels: labels.get(pod) ?? {} } }));
    });
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const apiPort = (api.address() as { port: number }).port;
  try {
    // The replica follows the master (configured after start: the master's port was not known).
    const rc = new Redis({ port: replica.port, password: 'pw' });
    await rc.replicaof('127.0.0.1', master.port);
    rc.disconnect();
    const label = async (pod: string, port: number): Promise<void> => {
      const r = await new Promise<{ code: number | null; out: string }>((resolveRun) => {
        const p = spawn(process.execPath, [join(DEPLOY, 'scripts', 'role-labeler.mjs')], {
          env: { ...process.env, POD_NAME: pod, POD_NAMESPACE: 'ns', REDIS_PORT: String(port), REDIS_PASSWORD: 'pw', KUBE_API_URL: `http://127.0.0.1:${apiPort}`, ONCE: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('exit', (code) => resolveRun({ code, out }));
      });
      assert.equal(r.code, 0, r.out);
    };
    await label('reddish-0', master.port);
    await label('reddish-1', replica.port);
    assert.deepEqual(labels.get('reddish-0'), { 'reddish.io/role': 'master' });
    assert.deepEqual(labels.get('reddish-1'), { 'reddish.io/role': 'replica' });
    assert.ok(calls.includes('PATCH /api/v1/namespaces/ns/pods/reddish-0 application/merge-patch+json {"metadata":{"labels":{"reddish.io/role":"master"}}}'), calls.join('\n'));
    // Labelled already: nothing to patch on the next pass.
    const before = calls.length;
    await label('reddish-0', master.port);
    assert.deepEqual(calls.slice(before).map((c) => c.split(' ')[0]), ['GET']);

    // A server that says master while the Sentinels name another node is labelled replica.
    const mod = (await import(pathToFileURL(join(DEPLOY, 'scripts', 'role-labeler.mjs')).href)) as {
      decideRole: (local: string | null, sentinelHost: string | null, selfNames: string[]) => string | null;
    };
    const self = ['reddish-0.reddish-headless.ns.svc.cluster.local', '10.0.0.5'];
    assert.equal(mod.decideRole('master', 'reddish-1.reddish-headless.ns.svc.cluster.local', self), 'replica');
    assert.equal(mod.decideRole('master', 'reddish-0.reddish-headless.ns.svc.cluster.local', self), 'master');
    assert.equal(mod.decideRole('master', '10.0.0.5', self), 'master');
    assert.equal(mod.decideRole('master', null, self), 'master');
    assert.equal(mod.decideRole('slave', 'reddish-0.reddish-headless.ns.svc.cluster.local', self), 'replica');
    assert.equal(mod.decideRole(null, null, self), null);
  } finally {
    api.close();
    await master.stop();
    await replica.stop();
  }
});

