/**
 * Failure detection's two verdicts (markNodeAsFailingIfNeeded,
 * clearNodeFailureIfNeeded). PFAIL is local: the cron sets it when a node did
 * not answer within cluster-node-timeout. FAIL is agreed: a node we see as
 * PFAIL becomes FAIL once a majority of the slot-serving masters (counting
 * ourselves if we are one) reported it as PFAIL or FAIL within twice the node
 * timeout; we then broadcast FAIL so every reachable node flags it at once.
 */
import type { Cluster } from './cluster.js';
import { NODE_FAIL, NODE_PFAIL, type ClusterNode } from './cluster-node.js';
import { TODO_SAVE_CONFIG, TODO_UPDATE_STATE } from './cluster-state.js';
import { sendFail } from './messages.js';

/** A master that stays FAIL this many node timeouts with its slots unclaimed is cleared (CLUSTER_FAIL_UNDO_TIME_MULT). */
const FAIL_UNDO_TIME_MULT = 2;

export function markNodeAsFailingIfNeeded(c: Cluster, node: ClusterNode): void {
  const s = c.state;
  const needed = Math.floor(s.size / 2) + 1;
  if (!node.timedOut() || node.failed()) return;
  let failures = s.failureReportsCount(node, c.nodeTimeout());
  if (s.myself.isMaster()) failures++;
  if (failures < needed) return;
  c.server.log.notice(`Marking node ${node.name} as failing (quorum reached).`);
  node.flags = (node.flags & ~NODE_PFAIL) | NODE_FAIL;
  node.failTime = Date.now();
  sendFail(c, node.name);
  s.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
}

/**
 * A FAIL node answered again: a replica or a master without slots is cleared
 * at once; a master still owning its slots only after a long while, when
 * evidently nobody failed it over.
 */
export function clearNodeFailureIfNeeded(c: Cluster, node: ClusterNode): void {
  const log = c.server.log;
  if (node.isSlave() || node.numSlots === 0) {
    log.notice(`Clear FAIL state for node ${node.name}: ${node.isSlave() ? 'replica' : 'master without slots'} is reachable again.`);
    node.flags &= ~NODE_FAIL;
    c.state.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
  }
  if (node.isMaster() && node.numSlots > 0 && Date.now() - node.failTime > c.nodeTimeout() * FAIL_UNDO_TIME_MULT) {
    log.notice(`Clear FAIL state for node ${node.name}: is reachable again and nobody is serving its slots after some time.`);
    node.flags &= ~NODE_FAIL;
    c.state.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
  }
}
