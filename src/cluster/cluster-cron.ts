/**
 * clusterCron, ten times a second: (re)connect the outbound link of every
 * node we know, drop handshakes that never completed, PING the node whose
 * PONG is oldest once a second and any node not heard from in half the node
 * timeout, drop links that went silent, flag as PFAIL a node that did not
 * answer a PING within cluster-node-timeout, make sure a replica follows
 * its master through the replication code, step failovers and replica
 * migration, and redirect clients blocked on keys this node no longer serves.
 */
import type { Cluster } from './cluster.js';
import type { BusLink } from './bus.js';
import { NODE_HANDSHAKE, NODE_MEET, NODE_MYSELF, NODE_NOADDR, NODE_PFAIL, NODE_FAIL, type ClusterNode } from './cluster-node.js';
import { MSG_MEET, MSG_PING } from './bus-protocol.js';
import { sendPing } from './messages.js';
import { considerReplicaMigration } from './replica-migration.js';
import { redirectBlockedClients } from './blocked-redirect.js';

export function clusterCron(c: Cluster): void {
  const s = c.state;
  const timeout = c.nodeTimeout();
  // A handshake that did not complete in the node timeout (at least a second) is abandoned.
  const handshakeTimeout = Math.max(timeout, 1000);
  let now = Date.now();
  let updateState = false;
  c.cronIteration++;

  s.pfailNodes = 0;
  for (const node of [...s.nodes.values()]) {
    if (node.flags & (NODE_MYSELF | NODE_NOADDR)) continue;
    if (node.flags & NODE_PFAIL) s.pfailNodes++;
    if (node.inHandshake() && now - node.ctime > handshakeTimeout) {
      s.delNode(node);
      continue;
    }
    if (node.link === null && node.ip !== '' && node.cport !== 0) c.bus.connect(node, (link) => onConnected(c, link));
  }

  // Once a second, PING the node whose PONG is oldest among a few picked at random.
  if (c.cronIteration % 10 === 0) {
    const all = [...s.nodes.values()];
    let oldest: ClusterNode | null = null;
    for (let j = 0; j < 5 && all.length > 0; j++) {
      const n = all[Math.floor(Math.random() * all.length)];
      if (n.link === null || n.pingSent !== 0) continue;
      if (n.flags & (NODE_MYSELF | NODE_HANDSHAKE)) continue;
      if (oldest === null || n.pongReceived < oldest.pongReceived) oldest = n;
    }
    if (oldest !== null && oldest.link !== null) {
      c.server.log.debug(`Pinging node ${oldest.name}`);
      sendPing(c, oldest.link, MSG_PING);
    }
  }

  for (const node of s.nodes.values()) {
    now = Date.now();
    if (node.flags & (NODE_MYSELF | NODE_NOADDR | NODE_HANDSHAKE)) continue;
    const pingDelay = now - node.pingSent;
    const dataDelay = now - node.dataReceived;
    // A link that carried nothing for half the timeout while a PING waits may be stuck: reconnect.
    if (node.link !== null && now - node.link.ctime > timeout && node.pingSent !== 0 &&
        pingDelay > timeout / 2 && dataDelay > timeout / 2) {
      node.link.close();
    }
    if (node.link !== null && node.pingSent === 0 && now - node.pongReceived > timeout / 2) {
      sendPing(c, node.link, MSG_PING);
      continue;
    }
    // A master paused for a replica's manual failover keeps it posted with its offset.
    if (c.failover.mfEnd !== 0 && s.myself.isMaster() && c.failover.mfSlave === node && node.link !== null) {
      sendPing(c, node.link, MSG_PING);
      continue;
    }
    if (node.pingSent === 0) continue;
    // Any data from the node is proof of life, as much as a PONG is.
    const nodeDelay = Math.min(pingDelay, dataDelay);
    if (nodeDelay > timeout && !(node.flags & (NODE_PFAIL | NODE_FAIL))) {
      c.server.log.debug(`*** NODE ${node.name} possibly failing`);
      node.flags |= NODE_PFAIL;
      updateState = true;
    }
  }

  // A replica whose replication is not running yet follows its master once it knows the address.
  const me = s.myself;
  if (me.isSlave() && c.server.replicaSide.host === '' && me.slaveof !== null && me.slaveof.hasAddr() && me.slaveof.ip !== '') {
    c.server.replicaSide.setMaster(me.slaveof.ip, me.slaveof.port);
  }
  c.failover.checkManualTimeout();
  if (me.isSlave()) {
    c.failover.handleManual();
    c.failover.handle();
    // A replica of the best-served master may move to a master left without working replicas.
    considerReplicaMigration(c);
  }

  if (updateState || s.state === 'fail') c.updateState();
  // Clients blocked on keys of slots no longer ours are redirected (clientsCron).
  redirectBlockedClients(c);
}

/** clusterLinkConnectHandler: the first message on a new link, MEET if we were asked to meet the node. */
function onConnected(c: Cluster, link: BusLink): void {
  const node = link.node;
  if (node === null) return;
  const oldPingSent = node.pingSent;
  sendPing(c, link, node.flags & NODE_MEET ? MSG_MEET : MSG_PING);
  // A PING already pending before the link broke keeps its time, or failure detection would restart.
  if (oldPingSent !== 0) node.pingSent = oldPingSent;
  node.flags &= ~NODE_MEET;
  c.server.log.debug(`Connecting with Node ${node.name} at ${node.ip}:${node.cport}`);
}
