/**
 * The CLUSTER NODES line of a node (clusterGenNodeDescription), which is
 * also the line nodes.conf stores:
 *
 *   <id> <ip>:<port>@<cport>[,<hostname>] <flags> <master-id|-> <ping-sent> <pong-recv> <config-epoch> <connected|disconnected> <slots>...
 *
 *   07c37dfe... 127.0.0.1:30004@40004 slave e7d1eecc... 0 1426238317239 4 connected
 *   67ed2db8... 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922
 *
 * A replica shows its master's configEpoch. Slots are listed as ranges
 * ("0-5460") or single slots; for myself only, open slots follow as
 * "[slot->-target-id]" (migrating) and "[slot-<-source-id]" (importing).
 */
import { flagsText, type ClusterNode } from './cluster-node.js';
import type { ClusterState } from './cluster-state.js';
import { CLUSTER_SLOTS } from './key-slot.js';

/** The node's slots as [start, end] pairs, ascending. */
export function slotRanges(n: ClusterNode): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (n.numSlots === 0) return out;
  let start = -1;
  for (let j = 0; j < CLUSTER_SLOTS; j++) {
    const byte = n.slots[j >> 3];
    // Skip whole empty bytes outside a run: most of the bitmap is zeros for any one node.
    if (byte === 0 && start < 0 && (j & 7) === 0) {
      j += 7;
      continue;
    }
    const bit = (byte & (1 << (j & 7))) !== 0;
    if (bit && start < 0) start = j;
    else if (!bit && start >= 0) {
      out.push([start, j - 1]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, CLUSTER_SLOTS - 1]);
  return out;
}

export function nodeDescription(state: ClusterState, n: ClusterNode): string {
  let s = `${n.name} ${n.ip}:${n.port}@${n.cport}`;
  if (n.hostname !== '') s += `,${n.hostname}`;
  s += ` ${flagsText(n.flags)} ${n.slaveof ? n.slaveof.name : '-'}`;
  const epoch = n.isSlave() && n.slaveof ? n.slaveof.configEpoch : n.configEpoch;
  s += ` ${n.pingSent} ${n.pongReceived} ${epoch} ${n.link !== null || n.isMyself() ? 'connected' : 'disconnected'}`;
  for (const [a, b] of slotRanges(n)) s += a === b ? ` ${a}` : ` ${a}-${b}`;
  if (n.isMyself()) {
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      const to = state.migratingTo[j];
      if (to !== null) {
        s += ` [${j}->-${to.name}]`;
        continue;
      }
      const from = state.importingFrom[j];
      if (from !== null) s += ` [${j}-<-${from.name}]`;
    }
  }
  return s;
}

/** clusterGenNodesDescription: one line per node, skipping those with any flag in `filter`. */
export function nodesDescription(state: ClusterState, filter = 0): string {
  let s = '';
  for (const n of state.nodes.values()) {
    if (n.flags & filter) continue;
    s += nodeDescription(state, n) + '\n';
  }
  return s;
}
