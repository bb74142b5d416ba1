/**
 * INFO, CLIENT, MONITOR, SLOWLOG, LATENCY and DEBUG against a running
 * reddish-server: INFO's sections and fields, CLIENT LIST/KILL, CLIENT PAUSE
 * really holding commands back, MONITOR streaming, the slow log recording.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import type { RespValue } from '../../src/protocol/resp-value.js';

let srv: RunningServer;
const clients: RawClient[] = [];
async function connect(): Promise<RawClient> {
  const c = await RawClient.connect(srv.port);
  clients.push(c);
  return c;
}
before(async () => {
  srv = await startServer('reddish', ['--enable-debug-command', 'yes']);
});
after(async () => {
  for (const c of clients) c.close();
  await srv?.stop();
});

function bulkText(raw: string): string {
  const nl = raw.indexOf('\r\n');
  return raw.slice(nl + 2, raw.length - 2);
}

function parseInfo(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let cur: Map<string, string> | null = null;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) sections.set(line.slice(2), (cur = new Map()));
    else if (line !== '' && cur) {
      const i = line.indexOf(':');
      cur.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  return sections;
}

test('INFO: default, all, everything and single sections with Redis field names', async () => {
  const c = await connect();
  await c.call('SET', 'k', 'v');
  await c.call('SET', 'e', 'v', 'EX', '100');
  await c.call('GET', 'k');
  await c.call('GET', 'missing');
  await c.call('NOSUCHCMD');
  const def = parseInfo(bulkText(await c.call('INFO')));
  assert.deepEqual([...def.keys()], ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace']);
  const all = parseInfo(bulkText(await c.call('INFO', 'all')));
  assert.deepEqual([...all.keys()], ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats', 'Errorstats', 'Latencystats', 'Cluster', 'Keyspace']);
  const every = parseInfo(bulkText(await c.call('INFO', 'everything')));
  assert.deepEqual([...every.keys()], [...all.keys()]);
  const server = all.get('Server')!;
  assert.equal(server.get('redis_version'), '7.0.15');
  assert.ok(server.has('reddish_version'));
  assert.equal(server.get('tcp_port'), String(srv.port));
  assert.match(server.get('run_id')!, /^[0-9a-f]{40}$/);
  for (const f of ['redis_mode', 'os', 'arch_bits', 'process_id', 'uptime_in_seconds', 'hz', 'lru_clock', 'executable', 'config_file']) assert.ok(server.has(f), f);
  assert.ok(Number(all.get('Clients')!.get('connected_clients')) >= 1);
  assert.ok(Number(all.get('Memory')!.get('used_memory')) > 0);
  assert.match(all.get('Memory')!.get('used_memory_human')!, /^[0-9.]+[BKMG]$/);
  const stats = all.get('Stats')!;
  assert.equal(stats.get('keyspace_hits'), '1');
  assert.equal(stats.get('keyspace_misses'), '1');
  assert.ok(Number(stats.get('total_commands_processed')) >= 4);
  assert.ok(stats.has('instantaneous_ops_per_sec'));
  assert.ok(Number(all.get('Persistence')!.get('rdb_changes_since_last_save')) >= 2);
  const repl = all.get('Replication')!;
  assert.equal(repl.get('role'), 'master');
  assert.equal(repl.get('connected_slaves'), '0');
  assert.match(repl.get('master_replid')!, /^[0-9a-f]{40}$/);
  assert.equal(repl.get('master_repl_offset'), '0');
  assert.match(all.get('CPU')!.get('used_cpu_user')!, /^\d+\.\d{6}$/);
  assert.match(all.get('Commandstats')!.get('cmdstat_set')!, /^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
  assert.match(all.get('Latencystats')!.get('latency_percentiles_usec_get')!, /^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
  assert.equal(all.get('Errorstats')!.get('errorstat_ERR'), 'count=1');
  assert.match(all.get('Keyspace')!.get('db0')!, /^keys=2,expires=1,avg_ttl=\d+$/);
  // several sections, in INFO's order whatever the argument order; unknown names add nothing
  const two = parseInfo(bulkText(await c.call('INFO', 'keyspace', 'SERVER', 'nosuch')));
  assert.deepEqual([...two.keys()], ['Server', 'Keyspace']);
  assert.equal(await c.call('INFO', 'nosuch'), '$0\r\n\r\n');
  // RESP3: a verbatim string
  await c.call('HELLO', '3');
  assert.match(await c.call('INFO', 'cluster'), /^=\d+\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n$/);
  await c.call('HELLO', '2');
});

test('CLIENT ID/INFO/LIST and KILL', async () => {
  const a = await connect();
  const b = await connect();
  await b.call('CLIENT', 'SETNAME', 'victim');
  const bid = Number((await b.call('CLIENT', 'ID')).slice(1, -2));
  const info = bulkText(await a.call('CLIENT', 'INFO'));
  const fields = info.trim().split(' ').map((f) => f.slice(0, f.indexOf('=')));
  assert.deepEqual(fields, ['id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp']);
  assert.match(info, / flags=N db=0 /);
  assert.match(info, / cmd=client\|info user=default redir=-1 resp=2\n$/);
  const list = bulkText(await a.call('CLIENT', 'LIST'));
  assert.match(list, new RegExp(`id=${bid} .* name=victim `));
  const one = bulkText(await a.call('CLIENT', 'LIST', 'ID', String(bid)));
  assert.equal(one.split('\n').filter((l) => l).length, 1);
  assert.match(one, / cmd=client\|id /);
  const aid = (await a.call('CLIENT', 'ID')).slice(1, -2);
  await a.call('MULTI');
  await a.call('SET', 'x', '1');
  await a.call('GET', 'x');
  assert.match(bulkText(await b.call('CLIENT', 'LIST', 'ID', aid)), / flags=x .* multi=2 /);
  await a.call('DISCARD');
  assert.equal(await a.call('CLIENT', 'KILL', 'ID', String(bid)), ':1\r\n');
  await b.readUntilClose();
  assert.equal(await a.call('CLIENT', 'KILL', 'ID', String(bid)), ':0\r\n');
  // the old form may kill the caller; the new form skips it unless SKIPME no
  const c = await connect();
  const addr = / addr=(\S+) /.exec(bulkText(await c.call('CLIENT', 'INFO')))![1];
  assert.equal(await c.call('CLIENT', 'KILL', 'ADDR', addr), ':0\r\n');
  assert.equal(await c.call('CLIENT', 'KILL', addr), '+OK\r\n');
  await c.readUntilClose();
});

test('CLIENT PAUSE holds commands until it ends; UNPAUSE releases them', async () => {
  const a = await connect();
  const b = await connect();
  assert.equal(await a.call('CLIENT', 'PAUSE', '300', 'WRITE'), '+OK\r\n');
  const t0 = Date.now();
  assert.equal(await b.call('GET', 'nothing'), '$-1\r\n'); // reads run during a WRITE pause
  assert.ok(Date.now() - t0 < 200);
  const set = b.call('SET', 'paused', '1');
  const r = await set;
  assert.equal(r, '+OK\r\n');
  assert.ok(Date.now() - t0 >= 250, `SET ran after ${Date.now() - t0} ms`);
  // ALL holds every client (the pausing one too) until the timeout
  assert.equal(await a.call('CLIENT', 'PAUSE', '300', 'ALL'), '+OK\r\n');
  const t1 = Date.now();
  assert.equal(await b.call('PING'), '+PONG\r\n');
  assert.ok(Date.now() - t1 >= 250, `PING ran after ${Date.now() - t1} ms`);
  // UNPAUSE releases the held clients at once
  assert.equal(await a.call('CLIENT', 'PAUSE', '10000', 'WRITE'), '+OK\r\n');
  b.write(RawClient.encode(['SET', 'held', '1']));
  await new Promise((res) => setTimeout(res, 100));
  assert.match(bulkText(await a.call('CLIENT', 'LIST')), / flags=b .* cmd=set /);
  assert.equal(await a.call('CLIENT', 'UNPAUSE'), '+OK\r\n');
  assert.equal((await b.readReply()).raw, '+OK\r\n');
  assert.equal(await a.call('GET', 'held'), '$1\r\n1\r\n');
});

test('CLIENT REPLY OFF/SKIP/ON', async () => {
  const c = await connect();
  c.write(RawClient.encode(['CLIENT', 'REPLY', 'OFF']) + RawClient.encode(['PING']) + RawClient.encode(['CLIENT', 'REPLY', 'ON']));
  assert.equal((await c.readReply()).raw, '+OK\r\n');
  c.write(RawClient.encode(['CLIENT', 'REPLY', 'SKIP']) + RawClient.encode(['ECHO', 'skipped']) + RawClient.encode(['ECHO', 'seen']));
  assert.equal((await c.readReply()).raw, '$4\r\nseen\r\n');
});

test('MONITOR streams commands in Redis format, redacting AUTH', async () => {
  const m = await connect();
  assert.equal(await m.call('MONITOR'), '+OK\r\n');
  const c = await connect();
  await c.call('SET', 'k"ey', 'a\nb');
  await c.call('SELECT', '2');
  await c.call('AUTH', 'secret');
  await c.call('CONFIG', 'GET', 'port'); // admin commands are not shown
  await c.call('PING');
  const lines: string[] = [];
  for (let i = 0; i < 4; i++) lines.push((await m.readReply()).raw);
  assert.match(lines[0], /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "k\\"ey" "a\\nb"\r\n$/);
  assert.match(lines[1], /^\+\d+\.\d{6} \[2 127\.0\.0\.1:\d+\] "SELECT" "2"\r\n$/);
  assert.match(lines[2], /"AUTH" "\(redacted\)"\r\n$/);
  assert.match(lines[3], /\[2 [^\]]+\] "PING"\r\n$/);
  m.close();
});

test('SLOWLOG records commands slower than the threshold', async () => {
  const c = await connect();
  await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await c.call('SLOWLOG', 'RESET');
  await c.call('CLIENT', 'SETNAME', 'slowpoke');
  await c.call('SET', 'slow', 'value');
  const len = Number((await c.call('SLOWLOG', 'LEN')).slice(1, -2));
  assert.ok(len >= 2);
  c.write(RawClient.encode(['SLOWLOG', 'GET', '1']));
  const got = (await c.readReply()).value;
  assert.equal(got.type, 'array');
  const entry = (got as { value: RespValue[] }).value[0] as { type: 'array'; value: RespValue[] };
  assert.equal(entry.value.length, 6);
  assert.deepEqual((entry.value[3] as { value: Array<{ value: string }> }).value.map((x) => x.value), ['SLOWLOG', 'LEN']);
  assert.deepEqual(entry.value[5], { type: 'bulk', value: 'slowpoke' });
  await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  assert.equal(await c.call('SLOWLOG', 'RESET'), '+OK\r\n');
  assert.equal(await c.call('SLOWLOG', 'LEN'), ':0\r\n');
});

test('pipelined fast commands share clock reads, yet each is counted, timed and logged in order', async () => {
  const c = await connect();
  await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await c.call('CONFIG', 'SET', 'slowlog-max-len', '1000');
  await c.call('CONFIG', 'RESETSTAT');
  await c.call('SLOWLOG', 'RESET');
  // One write: runs of INCRs (longer than one shared read covers), a command that is not fast, GETs.
  const script = [
    ...Array.from({ length: 70 }, () => ['INCR', 'clock:ctr']),
    ['SET', 'clock:s', 'v'],
    ...Array.from({ length: 5 }, () => ['GET', 'clock:s']),
  ];
  c.write(script.map((a) => RawClient.encode(a)).join(''));
  for (let i = 0; i < script.length; i++) await c.readReply();
  const stats = parseInfo(bulkText(await c.call('INFO', 'commandstats'))).get('Commandstats')!;
  const incr = /^calls=(\d+),usec=(\d+),usec_per_call=([\d.]+),/.exec(stats.get('cmdstat_incr') ?? '');
  assert.ok(incr, stats.get('cmdstat_incr'));
  assert.equal(incr[1], '70');
  assert.ok(Number(incr[3]) > 0, 'each INCR got a share of the measured time');
  assert.match(stats.get('cmdstat_get') ?? '', /^calls=5,/);
  assert.match(await c.call('LATENCY', 'HISTOGRAM', 'incr'), /^\*2\r\n\$4\r\nincr\r\n\*4\r\n\$5\r\ncalls\r\n:70\r\n/);
  c.write(RawClient.encode(['SLOWLOG', 'GET', '-1']));
  const entries = ((await c.readReply()).value as { value: Array<{ value: RespValue[] }> }).value;
  const names = entries
    .map((e) => ((e.value[3] as { value: Array<{ value: string }> }).value[0].value))
    .filter((n) => n === 'INCR' || n === 'SET' || n === 'GET')
    .reverse();
  assert.deepEqual(names, [...Array(70).fill('INCR'), 'SET', ...Array(5).fill('GET')]);
  await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  await c.call('CONFIG', 'SET', 'slowlog-max-len', '128');
  await c.call('SLOWLOG', 'RESET');
});

test('LATENCY records DEBUG SLEEP spikes above the threshold', async () => {
  const c = await connect();
  await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '5');
  await c.call('DEBUG', 'SLEEP', '0.02');
  const latest = (await c.call('LATENCY', 'LATEST'));
  assert.match(latest, /^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:\d+\r\n:(\d+)\r\n:\d+\r\n$/);
  assert.match(bulkText(await c.call('LATENCY', 'GRAPH', 'command')), /^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
  assert.match(bulkText(await c.call('LATENCY', 'DOCTOR')), /^Dave, I have observed latency spikes/);
  assert.match(await c.call('LATENCY', 'HISTOGRAM', 'debug'), /^\*2\r\n\$5\r\ndebug\r\n\*4\r\n\$5\r\ncalls\r\n:1\r\n/);
  assert.equal(await c.call('LATENCY', 'RESET'), ':1\r\n');
  await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
});

test('DEBUG is refused unless enable-debug-command allows it', async () => {
  const other = await startServer('reddish');
  try {
    const c = await RawClient.connect(other.port);
    assert.equal(
      await c.call('DEBUG', 'DIGEST'),
      '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n',
    );
    c.close();
  } finally {
    await other.stop();
  }
  const local = await startServer('reddish', ['--enable-debug-command', 'local']);
  try {
    const c = await RawClient.connect(local.port);
    assert.equal(await c.call('DEBUG', 'DIGEST'), '+0000000000000000000000000000000000000000\r\n');
    c.close();
  } finally {
    await local.stop();
  }
});

test('DEBUG SET-ACTIVE-EXPIRE 0 keeps expired keys until accessed', async () => {
  const c = await connect();
  await c.call('SELECT', '9');
  await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  await c.call('SET', 'tmp', 'v', 'PX', '10');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await c.call('DBSIZE'), ':1\r\n');
  await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await c.call('DBSIZE'), ':0\r\n');
  await c.call('SELECT', '0');
});
