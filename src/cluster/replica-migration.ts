/**
 * Replica migration (cluster.c: the orphaned-master count in clusterCron and
 * clusterHandleSlaveMigration), run by a replica on each cron tick.
 *
 * A master is orphaned when it serves slots, is not FAIL, has no replica that
 * is not FAIL, and is flagged MIGRATE_TO (it had replicas, or took over from
 * a master that had some): a replica was meant to cover it. When one exists,
 * the masters with the most working replicas (at least two) give one away:
 * among their replicas, the one with the smallest node id moves to the first
 * orphaned master found, provided
 *   - cluster-allow-replica-migration is yes and the cluster is ok,
 *   - its master keeps more than cluster-migration-barrier working replicas
 *     (counting neither FAIL nor PFAIL ones) before it leaves,
 *   - the target has been orphaned for CLUSTER_SLAVE_MIGRATION_DELAY, which
 *     gives a failed-over master's own replicas time to announce that they
 *     follow the new one.
 * Several replicas may move at once in a race; Redis accepts that as rare
 * and harmless.
 */
import type { Cluster } from './cluster.js';
import { NODE_HANDSHAKE, NODE_MIGRATE_TO, NODE_MYSELF, NODE_NOADDR, type ClusterNode } from './cluster-node.js';
import { TODO_SAVE_CONFIG, TODO_UPDATE_STATE } from './cluster-state.js';

/** CLUSTER_SLAVE_MIGRATION_DELAY */
export const MIGRATION_DELAY_MS = 5000;

/** clusterCountNonFailingSlaves: replicas not flagged FAIL (PFAIL ones count). */
function nonFailingSlaves(n: ClusterNode): number {
  let ok = 0;
  for (const r of n.slaves) if (!r.failed()) ok++;
  return ok;
}

/** The clusterCron part: is there an orphaned master, and is our master among the richest? */
export function considerReplicaMigration(c: Cluster): void {
  const s = c.state;
  const me = s.myself;
  if (!me.isSlave()) return;
  let orphaned = 0;
  let maxSlaves = 0;
  let thisSlaves = 0;
  for (const n of s.nodes.values()) {
    if (n.flags & (NODE_MYSELF | NODE_NOADDR | NODE_HANDSHAKE)) continue;
    if (!n.isMaster() || n.failed()) continue;
    const ok = nonFailingSlaves(n);
    if (ok === 0 && n.numSlots > 0 && (n.flags & NODE_MIGRATE_TO)) orphaned++;
    if (ok > maxSlaves) maxSlaves = ok;
    if (me.slaveof === n) thisSlaves = ok;
  }
  // Moving makes sense only from a master with at least two working replicas.
  if (orphaned > 0 && maxSlaves >= 2 && thisSlaves === maxSlaves && c.server.config.bool('cluster-allow-replica-migration')) {
    migrateIfCandidate(c, maxSlaves);
  }
}

/** clusterHandleSlaveMigration */
function migrateIfCandidate(c: Cluster, maxSlaves: number): void {
  const s = c.state;
  const me = s.myself;
  const myMaster = me.slaveof;
  if (s.state !== 'ok' || myMaster === null) return;
  let okSlaves = 0;
  for (const r of myMaster.slaves) if (!r.failed() && !r.timedOut()) okSlaves++;
  if (okSlaves <= c.server.config.num('cluster-migration-barrier')) return;

  let target: ClusterNode | null = null;
  let candidate: ClusterNode = me;
  const now = Date.now();
  for (const n of s.nodes.values()) {
    let ok = 0;
    let isOrphaned = n.isMaster() && !n.failed() && (n.flags & NODE_MIGRATE_TO) !== 0;
    if (n.isMaster()) ok = nonFailingSlaves(n);
    if (ok > 0) isOrphaned = false;
    if (isOrphaned) {
      if (target === null && n.numSlots > 0) target = n;
      if (n.orphanedTime === 0) n.orphanedTime = now;
    } else {
      n.orphanedTime = 0;
    }
    // The candidate: the smallest id among all replicas (failing ones too) of the richest masters.
    if (ok === maxSlaves) {
      for (const r of n.slaves) if (r.name < candidate.name) candidate = r;
    }
  }
  if (target !== null && candidate === me && now - target.orphanedTime > MIGRATION_DELAY_MS) {
    c.server.log.warning(`Migrating to orphaned master ${target.name}`);
    c.setMaster(target);
    s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
  }
}
