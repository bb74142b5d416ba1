/**
 * INFO's text (server.c genRedisInfoString): the sections in Redis 7.0's
 * order with its field names and formats, filled with Reddish's true values.
 * Fields for subsystems Reddish has no equivalent of (jemalloc, forks, Lua,
 * modules, cluster) report what an idle Redis reports for them.
 *
 * Sections are chosen as genInfoSectionDict does: no argument or "default"
 * gives the default set, "all" adds commandstats and latencystats,
 * "everything" adds module-generated sections (none here); names are case
 * insensitive and unknown ones contribute nothing.
 */
import os from 'node:os';
import { resolve } from 'node:path';
import type { Server } from '../server.js';
import type { CommandSpec } from '../dispatch/command-spec.js';
import { histTotal, valueAtPercentile } from './histogram.js';
import { VERSION } from '../version.js';
import { trackingInfo } from '../tracking/tracking.js';

const DEFAULT = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'module_list', 'errorstats', 'cluster', 'keyspace'];
const ALL = [...DEFAULT, 'commandstats', 'latencystats'];

/** Memory at startup (used_memory_startup). */
let startupMemory = -1;

export function noteStartupMemory(): void {
  if (startupMemory < 0) startupMemory = usedMemory();
}

export function startupMemoryBytes(): number {
  noteStartupMemory();
  return startupMemory;
}

export function usedMemory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** bytesToHuman */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (let i = 0; i < units.length; i++) {
    if (d < 1024 || i === units.length - 1) return `${d.toFixed(2)}${units[i]}`;
    d /= 1024;
  }
  return `${n}B`;
}

function sectionSet(args: string[]): Set<string> {
  const set = new Set<string>();
  if (args.length === 0) {
    for (const s of DEFAULT) set.add(s);
    return set;
  }
  for (const a of args) {
    const s = a.toLowerCase();
    if (s === 'default') for (const x of DEFAULT) set.add(x);
    else if (s === 'all' || s === 'everything') for (const x of ALL) set.add(x);
    else if (s === 'modules') set.add('module_list');
    else set.add(s);
  }
  return set;
}

/** Builds the INFO reply text for the requested section names. */
export function genInfo(server: Server, args: string[]): string {
  const want = sectionSet(args);
  const parts: string[] = [];
  const add = (name: string, build: () => string[]) => {
    if (!want.has(name)) return;
    parts.push(build().map((l) => l + '\r\n').join(''));
  };
  add('server', () => serverSection(server));
  add('clients', () => clientsSection(server));
  add('memory', () => memorySection(server));
  add('persistence', () => persistenceSection(server));
  add('stats', () => statsSection(server));
  add('replication', () => replicationSection(server));
  add('cpu', () => cpuSection());
  add('module_list', () => ['# Modules']);
  add('commandstats', () => commandstatsSection(server));
  add('errorstats', () => errorstatsSection(server));
  add('latencystats', () => latencystatsSection(server));
  add('cluster', () => ['# Cluster', `cluster_enabled:${server.cluster !== null ? 1 : 0}`]);
  add('keyspace', () => keyspaceSection(server));
  return parts.join('\r\n');
}

function serverSection(s: Server): string[] {
  const now = Date.now();
  const uptime = Math.floor((now - s.stats.startTime) / 1000);
  const hz = s.config.num('hz');
  return [
    '# Server',
    'redis_version:7.0.15',
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:0',
    `redis_mode:${s.sentinel ? 'sentinel' : 'standalone'}`,
    `os:${os.type()} ${os.release()} ${os.machine()}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${s.runId}`,
    `tcp_port:${s.boundPort()}`,
    `server_time_usec:${Math.floor((performance.timeOrigin + performance.now()) * 1000)}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${Math.floor(now / 1000) & ((1 << 24) - 1)}`,
    `executable:${process.argv[1] ? resolve(process.argv[1]) : process.execPath}`,
    `config_file:${s.config.file ? resolve(s.config.file) : ''}`,
    'io_threads_active:0',
    `reddish_version:${VERSION}`,
  ];
}

function clientsSection(s: Server): string[] {
  let maxIn = 0;
  for (const c of s.clients.values()) if (c.parser.pending > maxIn) maxIn = c.parser.pending;
  return [
    '# Clients',
    `connected_clients:${s.clients.size}`,
    // getClusterConnectionsCount: one inbound and one outbound link per other node.
    `cluster_connections:${s.cluster !== null ? (s.cluster.state.nodes.size - 1) * 2 : 0}`,
    `maxclients:${s.config.num('maxclients')}`,
    `client_recent_max_input_buffer:${maxIn}`,
    'client_recent_max_output_buffer:0',
    `blocked_clients:${s.blocking.blockedCount}`,
    `tracking_clients:${trackingInfo(s).clients}`,
    `clients_in_timeout_table:${s.blocking.timeoutCount}`,
  ];
}

function pct(a: number, b: number): string {
  return `${(b > 0 ? (a * 100) / b : 0).toFixed(2)}%`;
}

function memorySection(s: Server): string[] {
  noteStartupMemory();
  const m = process.memoryUsage();
  const used = m.heapUsed + m.external;
  if (used > s.cron.memoryPeak) s.cron.memoryPeak = used;
  const peak = s.cron.memoryPeak;
  const rss = m.rss;
  const startup = Math.min(startupMemory, used);
  let clientsMem = 0;
  for (const c of s.clients.values()) clientsMem += c.parser.pending + c.reply.length + c.outputBacklog();
  const overhead = startup + clientsMem;
  const dataset = Math.max(0, used - overhead);
  const maxmemory = s.config.num('maxmemory');
  const allocated = m.heapTotal + m.external;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0).toFixed(2);
  const total = os.totalmem();
  return [
    '# Memory',
    `used_memory:${used}`,
    `used_memory_human:${bytesToHuman(used)}`,
    `used_memory_rss:${rss}`,
    `used_memory_rss_human:${bytesToHuman(rss)}`,
    `used_memory_peak:${peak}`,
    `used_memory_peak_human:${bytesToHuman(peak)}`,
    `used_memory_peak_perc:${pct(used, peak)}`,
    `used_memory_overhead:${overhead}`,
    `used_memory_startup:${startup}`,
    `used_memory_dataset:${dataset}`,
    `used_memory_dataset_perc:${pct(dataset, used - startup)}`,
    `allocator_allocated:${used}`,
    `allocator_active:${allocated}`,
    `allocator_resident:${rss}`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${bytesToHuman(total)}`,
    'used_memory_lua:0',
    'used_memory_vm_eval:0',
    'used_memory_lua_human:0B',
    'used_memory_scripts_eval:0',
    'number_of_cached_scripts:0',
    'number_of_functions:0',
    'number_of_libraries:0',
    'used_memory_vm_functions:0',
    'used_memory_vm_total:0',
    'used_memory_vm_total_human:0B',
    'used_memory_functions:0',
    'used_memory_scripts:0',
    'used_memory_scripts_human:0B',
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${bytesToHuman(maxmemory)}`,
    `maxmemory_policy:${s.config.get('maxmemory-policy')}`,
    `allocator_frag_ratio:${ratio(allocated, used)}`,
    `allocator_frag_bytes:${Math.max(0, allocated - used)}`,
    `allocator_rss_ratio:${ratio(rss, allocated)}`,
    `allocator_rss_bytes:${rss - allocated}`,
    'rss_overhead_ratio:1.00',
    'rss_overhead_bytes:0',
    `mem_fragmentation_ratio:${ratio(rss, used)}`,
    `mem_fragmentation_bytes:${rss - used}`,
    // Evictions whose memory the next major GC will return count here too (keyspace/eviction.ts).
    `mem_not_counted_for_evict:${maxmemory !== 0 ? Math.round(s.evictor.notCounted()) : 0}`,
    'mem_replication_backlog:0',
    'mem_total_replication_buffers:0',
    'mem_clients_slaves:0',
    `mem_clients_normal:${clientsMem}`,
    'mem_cluster_links:0',
    'mem_aof_buffer:0',
    'mem_allocator:libc',
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
  ];
}

function persistenceSection(s: Server): string[] {
  const rdb = s.rdb;
  const aof = s.aof;
  const keys = rdb.currentKeys();
  return [
    '# Persistence',
    `loading:${rdb.loading ? 1 : 0}`,
    'async_loading:0',
    `current_cow_peak:${rdb.currentCow() + aof.currentCow()}`,
    `current_cow_size:${rdb.currentCow() + aof.currentCow()}`,
    'current_cow_size_age:0',
    `current_fork_perc:${keys.total === 0 ? '0.00' : ((keys.processed * 100) / keys.total).toFixed(2)}`,
    `current_save_keys_processed:${keys.processed}`,
    `current_save_keys_total:${keys.total}`,
    `rdb_changes_since_last_save:${s.ks.dirty}`,
    `rdb_bgsave_in_progress:${rdb.inProgress ? 1 : 0}`,
    `rdb_last_save_time:${s.lastSave}`,
    `rdb_last_bgsave_status:${rdb.lastBgsaveStatus}`,
    `rdb_last_bgsave_time_sec:${rdb.lastBgsaveTimeSec}`,
    `rdb_current_bgsave_time_sec:${rdb.currentSeconds()}`,
    `rdb_saves:${rdb.saves}`,
    `rdb_last_cow_size:${rdb.lastCowSize}`,
    `rdb_last_load_keys_expired:${rdb.lastLoadKeysExpired}`,
    `rdb_last_load_keys_loaded:${rdb.lastLoadKeysLoaded}`,
    `aof_enabled:${aof.enabled ? 1 : 0}`,
    `aof_rewrite_in_progress:${aof.rewriting ? 1 : 0}`,
    `aof_rewrite_scheduled:${aof.rewriteScheduled ? 1 : 0}`,
    `aof_last_rewrite_time_sec:${aof.lastRewriteTimeSec}`,
    `aof_current_rewrite_time_sec:${aof.currentRewriteSeconds()}`,
    `aof_last_bgrewrite_status:${aof.lastBgrewriteStatus}`,
    `aof_rewrites:${aof.rewrites}`,
    `aof_rewrites_consecutive_failures:${aof.consecutiveFailures}`,
    `aof_last_write_status:${aof.lastWriteStatus}`,
    `aof_last_cow_size:${aof.lastCowSize}`,
    'module_fork_in_progress:0',
    'module_fork_last_cow_size:0',
    ...(aof.enabled
      ? [
        `aof_current_size:${aof.currentSize}`,
        `aof_base_size:${aof.baseSize}`,
        `aof_pending_rewrite:${aof.rewriteScheduled ? 1 : 0}`,
        `aof_buffer_length:${aof.bufferLength}`,
        'aof_pending_bio_fsync:0',
        `aof_delayed_fsync:${aof.delayedFsync}`,
      ]
      : []),
  ];
}

function statsSection(s: Server): string[] {
  const st = s.stats;
  const ks = s.ks.stats;
  const m = s.cron.metrics;
  const tracking = trackingInfo(s);
  const exceeded = s.evictor.exceededTimes();
  return [
    '# Stats',
    `total_connections_received:${st.numConnections}`,
    `total_commands_processed:${st.numCommands}`,
    `instantaneous_ops_per_sec:${Math.floor(m.ops.get())}`,
    `total_net_input_bytes:${st.netInputBytes}`,
    `total_net_output_bytes:${st.netOutputBytes}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    `instantaneous_input_kbps:${(m.netInput.get() / 1024).toFixed(2)}`,
    `instantaneous_output_kbps:${(m.netOutput.get() / 1024).toFixed(2)}`,
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${st.rejectedConnections}`,
    `sync_full:${s.master.syncFull}`,
    `sync_partial_ok:${s.master.syncPartialOk}`,
    `sync_partial_err:${s.master.syncPartialErr}`,
    `expired_keys:${ks.expiredKeys}`,
    `expired_stale_perc:${(ks.expiredStalePerc * 100).toFixed(2)}`,
    `expired_time_cap_reached_count:${ks.expiredTimeCapReached}`,
    `expire_cycle_cpu_milliseconds:${Math.round(ks.expireCycleCpuMs)}`,
    `evicted_keys:${ks.evictedKeys}`,
    'evicted_clients:0',
    `total_eviction_exceeded_time:${exceeded.total}`,
    `current_eviction_exceeded_time:${exceeded.current}`,
    `keyspace_hits:${ks.hits}`,
    `keyspace_misses:${ks.misses}`,
    `pubsub_channels:${s.pubsub.channels.size}`,
    `pubsub_patterns:${s.pubsub.patterns.size}`,
    `pubsubshard_channels:${s.pubsub.shardChannels.size}`,
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    `tracking_total_keys:${tracking.keys}`,
    `tracking_total_items:${tracking.items}`,
    `tracking_total_prefixes:${tracking.prefixes}`,
    'unexpected_error_replies:0',
    `total_error_replies:${st.totalErrorReplies}`,
    'dump_payload_sanitizations:0',
    `total_reads_processed:${st.totalReads}`,
    `total_writes_processed:${st.totalWrites}`,
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
  ];
}

function replicationSection(s: Server): string[] {
  const out = ['# Replication', `role:${s.ks.isReplica ? 'slave' : 'master'}`];
  const now = Date.now();
  if (s.ks.isReplica) {
    const side = s.replicaSide;
    const up = side.connected();
    out.push(
      `master_host:${side.host}`,
      `master_port:${side.port}`,
      `master_link_status:${up ? 'up' : 'down'}`,
      `master_last_io_seconds_ago:${up ? Math.floor((now - side.lastIo) / 1000) : -1}`,
      `master_sync_in_progress:${side.state === 'transfer' ? 1 : 0}`,
      `slave_read_repl_offset:${up ? side.readOffset : s.replOffset}`,
      `slave_repl_offset:${s.replOffset}`,
    );
    const t = side.syncInProgress();
    if (t !== null) {
      const total = t.size >= 0 ? t.size : -1;
      out.push(
        `master_sync_total_bytes:${total}`,
        `master_sync_read_bytes:${t.read}`,
        `master_sync_left_bytes:${total >= 0 ? total - t.read : -1}`,
        `master_sync_perc:${total > 0 ? ((t.read * 100) / total).toFixed(2) : '0.00'}`,
        `master_sync_last_io_seconds_ago:${Math.floor((now - t.lastIo) / 1000)}`,
      );
    }
    if (!up) out.push(`master_link_down_since_seconds:${side.linkDownSince === 0 ? -1 : Math.floor((now - side.linkDownSince) / 1000)}`);
    out.push(
      `slave_priority:${s.config.num('replica-priority')}`,
      `slave_read_only:${s.config.bool('replica-read-only') ? 1 : 0}`,
      `replica_announced:${s.config.bool('replica-announced') ? 1 : 0}`,
    );
  }
  const reps = [...s.master.replicas.values()];
  out.push(`connected_slaves:${reps.length}`);
  if (s.config.num('min-replicas-to-write') > 0 && s.config.num('min-replicas-max-lag') > 0) {
    out.push(`min_slaves_good_slaves:${s.master.goodReplicas()}`);
  }
  reps.forEach((r, i) => {
    const state = r.state === 'online' || r.state === 'wait_ack' ? 'online' : r.state === 'send_bulk' ? 'send_bulk' : 'wait_bgsave';
    out.push(`slave${i}:ip=${s.master.replicaIp(r)},port=${r.listeningPort},state=${state},offset=${r.ackOffset},lag=${Math.floor((now - r.ackTime) / 1000)}`);
  });
  const b = s.master.backlog;
  out.push(
    `master_failover_state:${s.failover.state}`,
    `master_replid:${s.replId}`,
    `master_replid2:${s.replId2}`,
    `master_repl_offset:${s.replOffset}`,
    `second_repl_offset:${s.secondReplOffset}`,
    `repl_backlog_active:${b !== null ? 1 : 0}`,
    `repl_backlog_size:${b !== null ? b.size : s.config.num('repl-backlog-size')}`,
    `repl_backlog_first_byte_offset:${b !== null ? b.firstByteOffset : 0}`,
    `repl_backlog_histlen:${b !== null ? b.histlen : 0}`,
  );
  return out;
}

function cpuSection(): string[] {
  const u = process.cpuUsage();
  const sys = (u.system / 1e6).toFixed(6);
  const user = (u.user / 1e6).toFixed(6);
  return [
    '# CPU',
    `used_cpu_sys:${sys}`,
    `used_cpu_user:${user}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${sys}`,
    `used_cpu_user_main_thread:${user}`,
  ];
}

/** Commands (and subcommands) that were called or rejected, in table order. */
function usedCommands(s: Server): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const c of s.commands.all()) {
    const st = c.stats;
    if (st.calls !== 0 || st.failedCalls !== 0 || st.rejectedCalls !== 0) out.push(c);
  }
  return out;
}

function commandstatsSection(s: Server): string[] {
  const lines = ['# Commandstats'];
  for (const c of usedCommands(s)) {
    const st = c.stats;
    const usec = Math.round(st.usec);
    const per = st.calls === 0 ? 0 : usec / st.calls;
    lines.push(
      `cmdstat_${c.fullname}:calls=${st.calls},usec=${usec},usec_per_call=${per.toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`,
    );
  }
  return lines;
}

function errorstatsSection(s: Server): string[] {
  const lines = ['# Errorstats'];
  const codes = [...s.stats.errorCodes.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [code, n] of codes) lines.push(`errorstat_${code}:count=${n}`);
  return lines;
}

/** latency-tracking-info-percentiles, parsed. */
function percentiles(s: Server): number[] {
  return s.config
    .get('latency-tracking-info-percentiles')
    .split(' ')
    .filter((x) => x !== '')
    .map(Number)
    .filter((x) => Number.isFinite(x));
}

function latencystatsSection(s: Server): string[] {
  const lines = ['# Latencystats'];
  const ps = percentiles(s);
  for (const c of usedCommands(s)) {
    const h = c.stats.hist;
    if (h === null) continue;
    const total = histTotal(h);
    if (total === 0) continue;
    const fields = ps.map((p) => `p${String(p)}=${(valueAtPercentile(h, total, p) / 1000).toFixed(3)}`);
    lines.push(`latency_percentiles_usec_${c.fullname}:${fields.join(',')}`);
  }
  return lines;
}

function keyspaceSection(s: Server): string[] {
  const lines = ['# Keyspace'];
  for (const db of s.ks.dbs) {
    const keys = db.keys.size;
    const vkeys = db.expires.size;
    if (keys || vkeys) lines.push(`db${db.id}:keys=${keys},expires=${vkeys},avg_ttl=${Math.floor(db.avgTtl)}`);
  }
  return lines;
}
