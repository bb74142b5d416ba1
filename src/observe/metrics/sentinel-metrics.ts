/**
 * A Sentinel's metrics, as redis_exporter reads them from a redis-sentinel:
 * the "# Sentinel" INFO section (redis_sentinel_masters, _tilt, ...,
 * redis_sentinel_master_status / _slaves / _sentinels per master), and per
 * master what it gets from SENTINEL MASTERS, CKQUORUM, SENTINELS and SLAVES
 * (exporter/sentinels.go): the master's settings, whether the quorum is
 * reachable, and how many of its sentinels and replicas are not down.
 */
import type { Sentinel } from '../../sentinel/sentinel.js';
import { isDown, quorumStatus } from '../../sentinel/sentinel-report.js';
import type { RedisMetrics } from './redis-metrics.js';

const MASTER_LABELS = ['master_name', 'master_address'];

/** extractSentinelMetrics: the per-master metrics from SENTINEL MASTERS and friends. */
export function addSentinelMasterMetrics(m: RedisMetrics, s: Sentinel): void {
  for (const ri of s.masters.values()) {
    // SENTINEL MASTERS' ip and port fields, joined.
    const labels = [ri.name, `${s.announceAddr(ri.addr)}:${ri.addr.port}`];
    const q = quorumStatus(ri);
    m.gauge('sentinel_master_ckquorum_status', q.ok ? 1 : 0, ['master_name', 'message'], [ri.name, q.message]);
    m.gauge('sentinel_master_setting_ckquorum', ri.quorum, MASTER_LABELS, labels);
    m.gauge('sentinel_master_setting_failover_timeout', ri.failoverTimeout, MASTER_LABELS, labels);
    m.gauge('sentinel_master_setting_parallel_syncs', ri.parallelSyncs, MASTER_LABELS, labels);
    m.gauge('sentinel_master_setting_down_after_milliseconds', ri.downAfter, MASTER_LABELS, labels);
    // This sentinel counts itself: it is answering, so it is ok.
    let okSentinels = 1;
    for (const si of ri.sentinels.values()) if (!isDown(si)) okSentinels++;
    m.gauge('sentinel_master_ok_sentinels', okSentinels, MASTER_LABELS, labels);
    // SENTINEL SLAVES lists the announced replicas only.
    let okSlaves = 0;
    for (const r of ri.slaves.values()) if (r.replicaAnnounced && !isDown(r)) okSlaves++;
    m.gauge('sentinel_master_ok_slaves', okSlaves, MASTER_LABELS, labels);
  }
}
