/**
 * Building and sending bus messages (clusterBuildMessageHdr, clusterSendPing,
 * clusterBroadcastPong, clusterSendFail, clusterSendUpdate).
 *
 * Every message carries our view of ourselves. A replica sends its master's
 * slots and configEpoch, flagged as a replica, so receivers learn who serves
 * the slots without trusting the replica to own them. PING, PONG and MEET add
 * gossip about other nodes: every usable node in a small cluster (up to
 * GOSSIP_ALL_UP_TO nodes), a tenth of them chosen at random (at least 3) in a
 * big one, as Redis does, plus every node we think is failing, so failure
 * reports reach a majority quickly.
 */
import type { Cluster } from './cluster.js';
import type { BusLink } from './bus.js';
import type { ClusterNode } from './cluster-node.js';
import { NODE_HANDSHAKE, NODE_NOADDR, NODE_PFAIL } from './cluster-node.js';
import { encodeMessage, encodeSlots, MFLAG_PAUSED, MSG_FAIL, MSG_MEET, MSG_PING, MSG_PONG, MSG_PUBLISH, MSG_PUBLISHSHARD, MSG_UPDATE, type BusHeader, type GossipEntry } from './bus-protocol.js';

const GOSSIP_ALL_UP_TO = 32;

export function buildHeader(c: Cluster): BusHeader {
  const s = c.state;
  const me = s.myself;
  const master = me.isSlave() && me.slaveof ? me.slaveof : me;
  const ports = c.announcedPorts();
  return {
    sender: me.name,
    myip: c.server.config.get('cluster-announce-ip'),
    port: ports.port,
    pport: ports.pport,
    cport: ports.cport,
    hostname: me.hostname,
    flags: me.flags,
    slaveof: me.slaveof ? me.slaveof.name : null,
    currentEpoch: s.currentEpoch,
    configEpoch: master.configEpoch,
    offset: c.server.replOffset,
    slots: encodeSlots(master.slots),
    state: s.state,
    // A master paused for a manual failover says so: its offset is final.
    mflags: me.isMaster() && c.failover.mfEnd !== 0 ? MFLAG_PAUSED : 0,
  };
}

function gossipEntry(n: ClusterNode): GossipEntry {
  return {
    id: n.name,
    ip: n.ip,
    port: n.port,
    pport: n.pport,
    cport: n.cport,
    flags: n.flags,
    pingSent: Math.floor(n.pingSent / 1000),
    pongReceived: Math.floor(n.pongReceived / 1000),
  };
}

/** Nodes worth telling others about: known address, handshake done, and either linked or serving slots. */
function gossipable(c: Cluster, n: ClusterNode, to: ClusterNode | null): boolean {
  if (n === c.state.myself || n === to) return false;
  if (n.flags & (NODE_HANDSHAKE | NODE_NOADDR | NODE_PFAIL)) return false;
  return !(n.link === null && n.numSlots === 0);
}

/** clusterSendPing: a PING, PONG or MEET with gossip sections. */
export function sendPing(c: Cluster, link: BusLink, type: typeof MSG_PING | typeof MSG_PONG | typeof MSG_MEET): void {
  const s = c.state;
  const round = ++c.pingRound;
  const to = link.inbound ? null : link.node;
  const candidates: ClusterNode[] = [];
  for (const n of s.nodes.values()) if (gossipable(c, n, to)) candidates.push(n);
  let chosen = candidates;
  if (s.nodes.size > GOSSIP_ALL_UP_TO) {
    const wanted = Math.min(Math.max(3, Math.floor(s.nodes.size / 10)), candidates.length);
    chosen = [];
    for (let i = 0; i < wanted; i++) {
      const j = i + Math.floor(Math.random() * (candidates.length - i));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
      chosen.push(candidates[i]);
    }
  }
  const gossip: GossipEntry[] = [];
  for (const n of chosen) {
    n.lastInPingGossip = round;
    gossip.push(gossipEntry(n));
  }
  for (const n of s.nodes.values()) {
    if (n.flags & (NODE_HANDSHAKE | NODE_NOADDR)) continue;
    if (n.flags & NODE_PFAIL && n !== s.myself && n.lastInPingGossip !== round) gossip.push(gossipEntry(n));
  }
  if (!link.inbound && type === MSG_PING && link.node) link.node.pingSent = Date.now();
  link.send(encodeMessage({ type, hdr: buildHeader(c), gossip }));
}

/** clusterBroadcastPong: our configuration to every linked node (or to our shard's replicas). */
export function broadcastPong(c: Cluster, target: 'all' | 'local-slaves'): void {
  const me = c.state.myself;
  for (const n of c.state.nodes.values()) {
    if (n.link === null || n === me || n.inHandshake()) continue;
    if (target === 'local-slaves') {
      const local = n.isSlave() && n.slaveof !== null && (n.slaveof === me || n.slaveof === me.slaveof);
      if (!local) continue;
    }
    sendPing(c, n.link, MSG_PONG);
  }
}

/** clusterBroadcastMessage: to every node we have a link to, but not ourselves or handshakes. */
function broadcast(c: Cluster, frame: Buffer): void {
  for (const n of c.state.nodes.values()) {
    if (n.link === null || n.isMyself() || n.inHandshake()) continue;
    n.link.send(frame);
  }
}

/** clusterSendFail: everybody reachable must flag `name` as FAIL. */
export function sendFail(c: Cluster, name: string): void {
  broadcast(c, encodeMessage({ type: MSG_FAIL, hdr: buildHeader(c), about: name }));
}

/** clusterSendUpdate: tells a node with a stale view who serves `node`'s slots now. */
export function sendUpdate(c: Cluster, link: BusLink | null, node: ClusterNode): void {
  if (link === null) return;
  link.send(encodeMessage({ type: MSG_UPDATE, hdr: buildHeader(c), about: node.name, configEpoch: node.configEpoch, slots: encodeSlots(node.slots) }));
}

/**
 * clusterPropagatePublish / clusterPropagatePublishShard: a PUBLISH reaches
 * every node's subscribers; an SPUBLISH the other nodes of our shard (our
 * master or replicas), whose subscribers are the shard channel's too.
 */
export function sendPublish(c: Cluster, shard: boolean, channel: string, message: string): void {
  const frame = encodeMessage({ type: shard ? MSG_PUBLISHSHARD : MSG_PUBLISH, hdr: buildHeader(c), channel, message });
  if (!shard) return broadcast(c, frame);
  const me = c.state.myself;
  const master = me.isSlave() ? me.slaveof : me;
  if (master === null) return;
  for (const n of c.state.nodes.values()) {
    if (n.link === null || n === me || n.inHandshake()) continue;
    if (n === master || (n.isSlave() && n.slaveof === master)) n.link.send(frame);
  }
}
