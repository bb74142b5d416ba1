/**
 * What a bus message changes (clusterProcessPacket and its helpers).
 *
 * The handshake, as two nodes A and B see it after `CLUSTER MEET B` on A:
 *   A adds B as a HANDSHAKE node under a random id, connects and sends MEET.
 *   B does not know the sender, so it adds A as a HANDSHAKE node and answers PONG.
 *   A's PONG on its outbound link renames the handshake node to B's real id.
 *   B connects to A and PINGs; A's PONG completes B's side the same way.
 * From then on each PING/PONG refreshes liveness, epochs, roles and slot
 * ownership, and its gossip teaches the receiver about the other nodes, so a
 * node met by one member soon knows all of them.
 *
 * Slot ownership follows configEpoch: a master claiming a slot with a greater
 * epoch than its current owner takes it (clusterUpdateSlotsConfigWith); a
 * node claiming slots we know belong to a newer configuration gets an UPDATE.
 */
import { isIPv4 } from 'node:net';
import type { Cluster } from './cluster.js';
import type { BusLink } from './bus.js';
import {
  ClusterNode,
  randomNodeId,
  NODE_FAIL,
  NODE_HANDSHAKE,
  NODE_MASTER,
  NODE_MIGRATE_TO,
  NODE_MYSELF,
  NODE_NOADDR,
  NODE_NOFAILOVER,
  NODE_PFAIL,
  NODE_SLAVE,
  validNodeId,
} from './cluster-node.js';
import { TODO_FSYNC_CONFIG, TODO_SAVE_CONFIG, TODO_UPDATE_STATE } from './cluster-state.js';
import {
  decodeMessage, decodeSlots, frameType, MESSAGE_TYPE_COUNT, MFLAG_PAUSED, MSG_AUTH_ACK, MSG_AUTH_REQUEST, MSG_FAIL, MSG_MEET, MSG_MFSTART, MSG_PING, MSG_PONG, MSG_PUBLISH, MSG_PUBLISHSHARD, MSG_UPDATE,
  type BusHeader, type GossipEntry,
} from './bus-protocol.js';
import { sendPing, sendUpdate } from './messages.js';
import { clearNodeFailureIfNeeded, markNodeAsFailingIfNeeded } from './failure-detection.js';
import { CLUSTER_SLOTS } from './key-slot.js';

/** "::ffff:127.0.0.1" → "127.0.0.1": addresses are shown as Redis shows them. */
export function normalizeIp(ip: string | undefined): string {
  if (ip === undefined) return '';
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return ip.slice(7);
  return ip;
}

export class PacketHandler {
  constructor(private readonly c: Cluster) {}

  /** One complete frame from `link`. */
  process(link: BusLink, frame: Buffer): void {
    const c = this.c;
    const s = c.state;
    const type = frameType(frame);
    if (type < MESSAGE_TYPE_COUNT) s.messagesReceived[type]++;
    const msg = decodeMessage(frame);
    if (msg === null) return;
    const hdr = msg.hdr;
    const claimed = decodeSlots(hdr.slots);
    if (claimed === null) return;
    const now = Date.now();
    const sender = this.senderOf(link, hdr);
    if (sender) sender.dataReceived = now;
    let senderConfigEpoch = 0;
    if (sender && !sender.inHandshake()) {
      senderConfigEpoch = hdr.configEpoch;
      if (hdr.currentEpoch > s.currentEpoch) s.currentEpoch = hdr.currentEpoch;
      if (senderConfigEpoch > sender.configEpoch) {
        sender.configEpoch = senderConfigEpoch;
        s.want(TODO_SAVE_CONFIG | TODO_FSYNC_CONFIG);
      }
      sender.replOffset = hdr.offset;
      sender.replOffsetTime = now;
      const me = s.myself;
      if (hdr.mflags & MFLAG_PAUSED && me.isSlave() && me.slaveof === sender) c.failover.onMasterPaused(sender.replOffset);
    }

    if (msg.type === MSG_PING || msg.type === MSG_MEET) {
      this.learnMyAddress(link, msg.type === MSG_MEET);
      if (!sender && msg.type === MSG_MEET) {
        // A MEET is trusted by its nature: the node joins our table, fixed up by its PONGs.
        const n = new ClusterNode(randomNodeId(), NODE_HANDSHAKE);
        n.ip = hdr.myip !== '' ? hdr.myip : normalizeIp(link.socket.remoteAddress);
        n.port = hdr.port;
        n.pport = hdr.pport;
        n.cport = hdr.cport;
        s.addNode(n);
        s.want(TODO_SAVE_CONFIG);
        this.processGossip(msg.gossip, null);
      }
      sendPing(c, link, MSG_PONG);
    }

    if (msg.type === MSG_PING || msg.type === MSG_PONG || msg.type === MSG_MEET) {
      if (!link.inbound && link.node !== null) {
        const ln = link.node;
        if (ln.inHandshake()) {
          if (sender) {
            // We met a node we already know under its real id: keep that one.
            c.server.log.verbose(`Handshake: we already know node ${sender.name}, updating the address if needed.`);
            if (this.updateAddressIfNeeded(sender, link, hdr)) s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
            s.delNode(ln);
            return;
          }
          s.renameNode(ln, hdr.sender);
          c.server.log.debug(`Handshake with node ${ln.name} completed.`);
          ln.flags &= ~NODE_HANDSHAKE;
          ln.flags |= hdr.flags & (NODE_MASTER | NODE_SLAVE);
          s.want(TODO_SAVE_CONFIG);
        } else if (ln.name !== hdr.sender) {
          // Someone else answers at this address now: forget the address until gossip tells us the new one.
          c.server.log.debug(`PONG contains mismatching sender ID. About node ${ln.name} added ${now - ln.ctime} ms ago, having flags ${ln.flags}`);
          ln.flags |= NODE_NOADDR;
          ln.ip = '';
          ln.port = 0;
          ln.pport = 0;
          ln.cport = 0;
          link.close();
          s.want(TODO_SAVE_CONFIG);
          return;
        }
      }
      if (sender) sender.flags = (sender.flags & ~NODE_NOFAILOVER) | (hdr.flags & NODE_NOFAILOVER);
      if (sender && msg.type === MSG_PING && !sender.inHandshake() && this.updateAddressIfNeeded(sender, link, hdr)) {
        s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
      }
      if (!link.inbound && msg.type === MSG_PONG && link.node !== null) {
        const ln = link.node;
        ln.pongReceived = now;
        ln.pingSent = 0;
        if (ln.timedOut()) {
          ln.flags &= ~NODE_PFAIL;
          s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
        } else if (ln.failed()) {
          clearNodeFailureIfNeeded(c, ln);
        }
      }
      if (sender) this.updateRole(sender, hdr);

      let dirtySlots = false;
      if (sender) {
        const senderMaster = sender.isMaster() ? sender : sender.slaveof;
        if (senderMaster) dirtySlots = !sameBitmap(senderMaster.slots, claimed);
      }
      if (sender && sender.isMaster() && dirtySlots) this.updateSlotsConfigWith(sender, senderConfigEpoch, claimed);
      if (sender && dirtySlots) this.reportStaleSlots(sender, senderConfigEpoch, claimed);
      const me = s.myself;
      if (sender && me.isMaster() && sender.isMaster() && senderConfigEpoch === me.configEpoch) {
        if (s.handleConfigEpochCollision(sender)) c.saveConfigOrDie(true);
      }
      if (sender) {
        this.processGossip(msg.gossip, sender);
        if (sender.hostname !== hdr.hostname) {
          sender.hostname = hdr.hostname;
          s.want(TODO_SAVE_CONFIG);
        }
      }
    } else if (msg.type === MSG_FAIL) {
      if (!sender) {
        c.server.log.notice(`Ignoring FAIL message from unknown node ${hdr.sender} about ${msg.about}`);
        return;
      }
      const failing = s.lookup(msg.about);
      if (failing && !(failing.flags & (NODE_FAIL | NODE_MYSELF))) {
        c.server.log.notice(`FAIL message received from ${hdr.sender} about ${msg.about}`);
        failing.flags = (failing.flags | NODE_FAIL) & ~NODE_PFAIL;
        failing.failTime = now;
        s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
      }
    } else if (msg.type === MSG_UPDATE) {
      if (!sender) return;
      const n = s.lookup(msg.about);
      const slots = decodeSlots(msg.slots);
      if (!n || slots === null || n.configEpoch >= msg.configEpoch) return;
      if (n.isSlave()) s.setNodeAsMaster(n);
      n.configEpoch = msg.configEpoch;
      s.want(TODO_SAVE_CONFIG | TODO_FSYNC_CONFIG);
      this.updateSlotsConfigWith(n, msg.configEpoch, slots);
    } else if (msg.type === MSG_PUBLISH || msg.type === MSG_PUBLISHSHARD) {
      // Only from a node we know, as Redis; delivered here, never forwarded.
      if (!sender) return;
      if (msg.type === MSG_PUBLISH) c.server.pubsub.publish(msg.channel, msg.message);
      else c.server.pubsub.publishShard(msg.channel, msg.message);
    } else if (msg.type === MSG_AUTH_REQUEST) {
      if (sender) c.failover.onAuthRequest(sender, hdr, claimed);
    } else if (msg.type === MSG_AUTH_ACK) {
      if (sender) c.failover.onAuthAck(sender, sender.inHandshake() ? 0 : hdr.currentEpoch);
    } else if (msg.type === MSG_MFSTART) {
      // Only a replica of ours may ask us to step down.
      if (sender && sender.slaveof === s.myself) c.failover.onMfStart(sender);
    }
  }

  /**
   * getNodeFromLinkAndMsg: the link's node once the handshake is over, else
   * the node the message names; an inbound link is bound to its node here.
   */
  private senderOf(link: BusLink, hdr: BusHeader): ClusterNode | undefined {
    if (link.node && !link.node.inHandshake()) return link.node;
    const sender = this.c.state.lookup(hdr.sender);
    if (sender && link.node === null) {
      if (sender.inboundLink && sender.inboundLink !== link) sender.inboundLink.close();
      sender.inboundLink = link;
      link.node = sender;
    }
    return sender;
  }

  /**
   * Peers reach us at the address they connected to: a MEET (or any PING
   * while we know no address for ourselves) tells us our own IP, unless
   * cluster-announce-ip fixes it.
   */
  private learnMyAddress(link: BusLink, meet: boolean): void {
    const c = this.c;
    const me = c.state.myself;
    if (!(meet || me.ip === '') || c.server.config.get('cluster-announce-ip') !== '') return;
    const ip = normalizeIp(link.socket.localAddress);
    if (ip !== '' && ip !== me.ip) {
      me.ip = ip;
      c.server.log.warning(`IP address for this node updated to ${ip}`);
      c.state.want(TODO_SAVE_CONFIG);
    }
  }

  /**
   * nodeUpdateAddressIfNeeded: a node PINGing us from a new address (or
   * announcing new ports) moved; our link to the old address is dropped and
   * a replica of it follows it.
   */
  private updateAddressIfNeeded(node: ClusterNode, link: BusLink, hdr: BusHeader): boolean {
    if (link === node.link) return false;
    const ip = hdr.myip !== '' ? hdr.myip : normalizeIp(link.socket.remoteAddress);
    if (node.port === hdr.port && node.cport === hdr.cport && node.pport === hdr.pport && node.ip === ip) return false;
    node.ip = ip;
    node.port = hdr.port;
    node.pport = hdr.pport;
    node.cport = hdr.cport;
    node.link?.close();
    node.flags &= ~NODE_NOADDR;
    const c = this.c;
    c.server.log.warning(`Address updated for node ${node.name}, now ${node.ip}:${node.port}`);
    const me = c.state.myself;
    if (me.isSlave() && me.slaveof === node) c.server.replicaSide.setMaster(node.ip, node.port);
    return true;
  }

  /** A node's role as its header states it: master, or replica of the named master. */
  private updateRole(sender: ClusterNode, hdr: BusHeader): void {
    const s = this.c.state;
    if (hdr.slaveof === null) {
      s.setNodeAsMaster(sender);
      return;
    }
    const master = s.lookup(hdr.slaveof);
    if (sender.isMaster()) {
      // A master turned into a replica: its slots are no longer its own.
      s.delNodeSlots(sender);
      sender.flags = (sender.flags & ~(NODE_MASTER | NODE_MIGRATE_TO)) | NODE_SLAVE;
      s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
    }
    if (master && sender.slaveof !== master) {
      if (sender.slaveof) sender.slaveof.removeSlave(sender);
      master.addSlave(sender);
      sender.slaveof = master;
      s.want(TODO_SAVE_CONFIG);
    }
  }

  /**
   * The sender claims slots whose owner we know to have a newer configEpoch:
   * it missed a failover or a resharding, so it gets an UPDATE about that owner.
   */
  private reportStaleSlots(sender: ClusterNode, senderConfigEpoch: number, claimed: Uint8Array): void {
    const s = this.c.state;
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if ((claimed[j >> 3] & (1 << (j & 7))) === 0) continue;
      const owner = s.slots[j];
      if (owner === sender || owner === null) continue;
      if (owner.configEpoch > senderConfigEpoch) {
        this.c.server.log.verbose(`Node ${sender.name} has old slots configuration, sending an UPDATE message about ${owner.name}`);
        sendUpdate(this.c, sender.link, owner);
        break;
      }
    }
  }

  /**
   * clusterUpdateSlotsConfigWith: rebinds the slots `sender` claims under
   * `epoch` wherever our owner is older (or missing), except slots we are
   * importing. If that takes away all of our own (or our master's) slots, we
   * become a replica of the new owner; slots lost while keeping others have
   * their keys deleted.
   */
  updateSlotsConfigWith(sender: ClusterNode, epoch: number, slots: Uint8Array): void {
    const c = this.c;
    const s = c.state;
    const me = s.myself;
    if (sender === me) {
      c.server.log.warning('Discarding UPDATE message about myself.');
      return;
    }
    const curMaster = me.isMaster() ? me : me.slaveof;
    let newMaster: ClusterNode | null = null;
    const dirty: number[] = [];
    let senderSlots = 0;
    let migratedOurSlots = 0;
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if ((slots[j >> 3] & (1 << (j & 7))) === 0) continue;
      senderSlots++;
      const owner = s.slots[j];
      if (owner === sender) continue;
      if (s.importingFrom[j] !== null) continue;
      if (owner === null || owner.configEpoch < epoch) {
        if (owner === me && c.slotKeys.count(j) > 0) dirty.push(j);
        if (owner !== null && owner === curMaster) {
          newMaster = sender;
          migratedOurSlots++;
        }
        s.delSlot(j);
        s.addSlot(sender, j);
        s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE | TODO_FSYNC_CONFIG);
      }
    }
    if (newMaster && curMaster && curMaster.numSlots === 0 &&
        (c.server.config.bool('cluster-allow-replica-migration') || senderSlots === migratedOurSlots)) {
      c.server.log.warning(`Configuration change detected. Reconfiguring myself as a replica of ${sender.name}`);
      c.setMaster(sender);
      s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE | TODO_FSYNC_CONFIG);
    } else if (me.slaveof && me.slaveof.slaveof) {
      const grand = me.slaveof.slaveof;
      c.server.log.warning(`I'm a sub-replica! Reconfiguring myself as a replica of grandmaster ${grand.name}`);
      c.setMaster(grand);
      s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE | TODO_FSYNC_CONFIG);
    } else {
      for (const j of dirty) c.delKeysInSlot(j);
    }
  }

  /**
   * clusterProcessGossipSection: failure reports from masters, fresher pong
   * times, new addresses of nodes we cannot reach, and nodes we did not know
   * (only from a known sender, and never one CLUSTER FORGET just removed).
   */
  private processGossip(gossip: GossipEntry[], sender: ClusterNode | null): void {
    const c = this.c;
    const s = c.state;
    const log = c.server.log;
    const timeout = c.nodeTimeout();
    const now = Date.now();
    for (const g of gossip) {
      const node = s.lookup(g.id);
      if (node) {
        if (sender && sender.isMaster() && node !== s.myself) {
          if (g.flags & (NODE_FAIL | NODE_PFAIL)) {
            if (s.addFailureReport(node, sender, now)) log.verbose(`Node ${sender.name} reported node ${node.name} as not reachable.`);
            markNodeAsFailingIfNeeded(c, node);
          } else if (s.delFailureReport(node, sender, timeout)) {
            log.verbose(`Node ${sender.name} reported node ${node.name} is back online.`);
          }
        }
        if (!(g.flags & (NODE_FAIL | NODE_PFAIL)) && node.pingSent === 0 && s.failureReportsCount(node, timeout) === 0) {
          const pongTime = g.pongReceived * 1000;
          if (pongTime <= now + 500 && pongTime > node.pongReceived) node.pongReceived = pongTime;
        }
        if (node.flags & (NODE_FAIL | NODE_PFAIL) && !(g.flags & NODE_NOADDR) && !(g.flags & (NODE_FAIL | NODE_PFAIL)) &&
            (node.ip !== g.ip || node.port !== g.port || node.cport !== g.cport)) {
          node.link?.close();
          node.ip = g.ip;
          node.port = g.port;
          node.pport = g.pport;
          node.cport = g.cport;
          node.flags &= ~NODE_NOADDR;
        }
      } else if (sender && !(g.flags & NODE_NOADDR) && validNodeId(g.id) && !s.blacklisted(g.id)) {
        const n = new ClusterNode(g.id, g.flags & ~NODE_MYSELF);
        n.ip = g.ip;
        n.port = g.port;
        n.pport = g.pport;
        n.cport = g.cport;
        s.addNode(n);
      }
    }
  }
}

function sameBitmap(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
