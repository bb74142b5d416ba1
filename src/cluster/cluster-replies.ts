/**
 * The bodies of CLUSTER INFO, SLOTS, SHARDS and LINKS, shaped as Redis 7.0
 * replies them, since clients parse them (ioredis reads SLOTS, node-redis
 * SHARDS and SLOTS, redis-cli NODES and INFO).
 *
 *   CLUSTER SLOTS  → [[start, end, [ip, port, id, {extra}], [replica...]...], ...]
 *   CLUSTER SHARDS → [{slots: [s1, e1, ...], nodes: [{id, port, ip, endpoint, role, replication-offset, health}, ...]}, ...]
 */
import type { ReplySink } from '../protocol/reply-writer.js';
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './cluster-node.js';
import { MESSAGE_TYPES } from './cluster-state.js';
import { CLUSTER_SLOTS } from './key-slot.js';
import { slotRanges } from './node-description.js';
import { preferredEndpoint } from './routing.js';

export function clusterInfoText(c: Cluster): string {
  const s = c.state;
  const me = s.myself;
  const slots = s.slotCounts();
  const myEpoch = me.isSlave() && me.slaveof ? me.slaveof.configEpoch : me.configEpoch;
  const lines = [
    `cluster_state:${s.state}`,
    `cluster_slots_assigned:${slots.assigned}`,
    `cluster_slots_ok:${slots.ok}`,
    `cluster_slots_pfail:${slots.pfail}`,
    `cluster_slots_fail:${slots.fail}`,
    `cluster_known_nodes:${s.nodes.size}`,
    `cluster_size:${s.size}`,
    `cluster_current_epoch:${s.currentEpoch}`,
    `cluster_my_epoch:${myEpoch}`,
  ];
  let sent = 0;
  MESSAGE_TYPES.forEach((name, i) => {
    const n = s.messagesSent[i];
    if (n === 0) return;
    sent += n;
    lines.push(`cluster_stats_messages_${name}_sent:${n}`);
  });
  lines.push(`cluster_stats_messages_sent:${sent}`);
  let received = 0;
  MESSAGE_TYPES.forEach((name, i) => {
    const n = s.messagesReceived[i];
    if (n === 0) return;
    received += n;
    lines.push(`cluster_stats_messages_${name}_received:${n}`);
  });
  lines.push(`cluster_stats_messages_received:${received}`);
  lines.push('total_cluster_links_buffer_limit_exceeded:0');
  return lines.join('\r\n') + '\r\n';
}

/** A node's replication offset as CLUSTER SLOTS/SHARDS see it; ours is read live. */
function replOffset(c: Cluster, n: ClusterNode): number {
  return n.isMyself() ? c.server.replOffset : n.replOffset;
}

/** isReplicaAvailable: not failed and past its first sync. */
function replicaAvailable(c: Cluster, n: ClusterNode): boolean {
  return !n.failed() && replOffset(c, n) !== 0;
}

/** addNodeToNodeReply: [endpoint, port, id, {the other known addresses}]. */
function writeSlotsNode(c: Cluster, r: ReplySink, n: ClusterNode): void {
  const type = c.server.config.get('cluster-preferred-endpoint-type');
  r.array(4);
  const endpoint = preferredEndpoint(c, n);
  if (endpoint === null) r.nil();
  else r.bulk(endpoint);
  r.int(n.port);
  r.bulk(n.name);
  const extra: Array<[string, string]> = [];
  if (type !== 'ip') extra.push(['ip', n.ip]);
  if (type !== 'hostname' && n.hostname !== '') extra.push(['hostname', n.hostname]);
  r.map(extra.length);
  for (const [k, v] of extra) {
    r.bulk(k);
    r.bulk(v);
  }
}

/** clusterReplyMultiBulkSlots: one entry per run of consecutive slots with the same owner. */
export function writeClusterSlots(c: Cluster, r: ReplySink): void {
  const slots = c.state.slots;
  const runs: Array<[number, number, ClusterNode]> = [];
  let start = 0;
  for (let i = 1; i <= CLUSTER_SLOTS; i++) {
    if (i < CLUSTER_SLOTS && slots[i] === slots[start]) continue;
    const n = slots[start];
    if (n !== null) runs.push([start, i - 1, n]);
    start = i;
  }
  r.array(runs.length);
  for (const [a, b, n] of runs) {
    const replicas = n.slaves.filter((x) => replicaAvailable(c, x));
    r.array(3 + replicas.length);
    r.int(a);
    r.int(b);
    writeSlotsNode(c, r, n);
    for (const x of replicas) writeSlotsNode(c, r, x);
  }
}

/** addNodeDetailsToShardReply */
function writeShardNode(c: Cluster, r: ReplySink, n: ClusterNode): void {
  const offset = replOffset(c, n);
  const fields: Array<[string, string | number]> = [['id', n.name]];
  if (n.port !== 0) fields.push(['port', n.port]);
  fields.push(['ip', n.ip], ['endpoint', preferredEndpoint(c, n) ?? '']);
  if (n.hostname !== '') fields.push(['hostname', n.hostname]);
  fields.push(['role', n.isSlave() ? 'replica' : 'master'], ['replication-offset', offset]);
  fields.push(['health', n.failed() ? 'fail' : n.isSlave() && offset === 0 ? 'loading' : 'online']);
  r.map(fields.length);
  for (const [k, v] of fields) {
    r.bulk(k);
    if (typeof v === 'number') r.int(v);
    else r.bulk(v);
  }
}

/** clusterReplyShards: one shard per master, with its slot ranges and its nodes. */
export function writeClusterShards(c: Cluster, r: ReplySink): void {
  const masters = [...c.state.nodes.values()].filter((n) => n.isMaster());
  r.array(masters.length);
  for (const m of masters) {
    r.map(2);
    r.bulk('slots');
    const ranges = slotRanges(m);
    r.array(ranges.length * 2);
    for (const [a, b] of ranges) {
      r.int(a);
      r.int(b);
    }
    r.bulk('nodes');
    const nodes = c.state.shardOf(m);
    r.array(nodes.length);
    for (const n of nodes) writeShardNode(c, r, n);
  }
}

/** addReplyClusterLinksDescription: every link we have, outbound ("to") and inbound ("from"). */
export function writeClusterLinks(c: Cluster, r: ReplySink): void {
  const links: Array<{ dir: 'to' | 'from'; node: ClusterNode; ctime: number; used: number }> = [];
  for (const n of c.state.nodes.values()) {
    if (n.link) links.push({ dir: 'to', node: n, ctime: n.link.ctime, used: n.link.sendBufferUsed });
    if (n.inboundLink) links.push({ dir: 'from', node: n, ctime: n.inboundLink.ctime, used: n.inboundLink.sendBufferUsed });
  }
  r.array(links.length);
  for (const l of links) {
    r.map(6);
    r.bulk('direction');
    r.bulk(l.dir);
    r.bulk('node');
    r.bulk(l.node.name);
    r.bulk('create-time');
    r.int(l.ctime);
    r.bulk('events');
    r.bulk(l.used > 0 ? 'rw' : 'r');
    r.bulk('send-buffer-allocated');
    r.int(l.used);
    r.bulk('send-buffer-used');
    r.int(l.used);
  }
}
