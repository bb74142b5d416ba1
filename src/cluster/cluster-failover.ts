/**
 * Replica promotion (cluster.c clusterHandleSlaveFailover and friends).
 *
 * Automatic failover, as a replica of a FAIL master sees it:
 *   1. schedule an election after 500 ms + random(0..500) ms + 1 s per replica
 *      of the same master with a better replication offset (rank), so the most
 *      up-to-date replica usually asks first;
 *   2. when the time comes: currentEpoch+1, and FAILOVER_AUTH_REQUEST to all;
 *   3. every master serving slots grants at most one vote per epoch, and none
 *      for the same failed master within twice the node timeout, to a replica
 *      whose claimed slots are not owned by a newer configuration (ACK);
 *   4. with ACKs from a majority of the slot-serving masters, the replica takes
 *      the election's epoch as configEpoch, turns master, claims its old
 *      master's slots and broadcasts a PONG. The other nodes, seeing the same
 *      slots claimed under a newer epoch, rebind them (and the old master's
 *      other replicas follow the new one). An election not won in
 *      max(2 × node timeout, 2 s) expires; another may start after twice that.
 *
 * CLUSTER FAILOVER (manual): the replica sends MFSTART; its master pauses
 * writes and PINGs it flagged PAUSED with its final offset; once the replica
 * has processed that offset, the election runs at once with FORCEACK (masters
 * vote although the master is up). FORCE skips the master's part; TAKEOVER
 * skips the election too (a configEpoch bumped without consensus).
 */
import type { Cluster } from './cluster.js';
import { NODE_NOFAILOVER, type ClusterNode } from './cluster-node.js';
import { TODO_FSYNC_CONFIG, TODO_SAVE_CONFIG, TODO_UPDATE_STATE } from './cluster-state.js';
import { CLUSTER_SLOTS } from './key-slot.js';
import { encodeMessage, MFLAG_FORCEACK, MSG_AUTH_ACK, MSG_AUTH_REQUEST, MSG_MFSTART, MSG_PING, type BusHeader } from './bus-protocol.js';
import { broadcastPong, buildHeader, sendPing } from './messages.js';
import { PAUSE_WRITE } from '../server.js';

export const TODO_HANDLE_FAILOVER = 8;
export const TODO_HANDLE_MANUALFAILOVER = 16;

/** How long a manual failover may take, and how long its master keeps writes paused (× 2). */
const MF_TIMEOUT_MS = 5000;
const MF_PAUSE_MULT = 2;
/** The same "can't failover" reason is logged again only after this long (CLUSTER_CANT_FAILOVER_RELOG_PERIOD). */
const CANT_FAILOVER_RELOG_MS = 10_000;

type CantFailoverReason = 'none' | 'data-age' | 'waiting-delay' | 'expired' | 'waiting-votes';

const CANT_FAILOVER_TEXT: Record<Exclude<CantFailoverReason, 'none'>, string> = {
  'data-age': "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option.",
  'waiting-delay': 'Waiting the delay before I can start a new failover.',
  expired: 'Failover attempt expired.',
  'waiting-votes': 'Waiting for votes, but majority still not reached.',
};

export class ClusterFailover {
  /** When the current (or next) election starts, the votes we got, whether we asked, our rank and the election's epoch. */
  authTime = 0;
  authCount = 0;
  authSent = false;
  authRank = 0;
  authEpoch = 0;
  private cantReason: CantFailoverReason = 'none';
  private cantLoggedAt = 0;
  /** Manual failover: when it gives up (0: none running), whether the election may run, the replica asking (master side), the master's paused offset. */
  mfEnd = 0;
  mfCanStart = false;
  mfSlave: ClusterNode | null = null;
  mfMasterOffset = -1;

  constructor(private readonly c: Cluster) {}

  private get log() {
    return this.c.server.log;
  }

  // ---- replica side: the election ----------------------------------------

  /** clusterGetSlaveRank: replicas of our master (that may fail over) with a greater offset than ours. */
  rank(): number {
    const me = this.c.state.myself;
    const master = me.slaveof;
    if (master === null) return 0;
    const mine = this.c.server.replOffset;
    let rank = 0;
    for (const r of master.slaves) if (r !== me && (r.flags & NODE_NOFAILOVER) === 0 && r.replOffset > mine) rank++;
    return rank;
  }

  /** clusterHandleSlaveFailover: one step of the election, from the cron or as soon as a vote arrives. */
  handle(): void {
    const c = this.c;
    const s = c.state;
    const me = s.myself;
    const now = Date.now();
    const timeout = c.nodeTimeout();
    const authAge = now - this.authTime;
    const needed = Math.floor(s.size / 2) + 1;
    const manual = this.mfEnd !== 0 && this.mfCanStart;
    const authTimeout = Math.max(timeout * 2, 2000);
    const authRetry = authTimeout * 2;
    s.todo &= ~TODO_HANDLE_FAILOVER;
    const cfg = c.server.config;
    if (me.isMaster() || me.slaveof === null || (!me.slaveof.failed() && !manual) ||
        (cfg.bool('cluster-replica-no-failover') && !manual) || me.slaveof.numSlots === 0) {
      this.cantReason = 'none';
      return;
    }
    // How long our data has been stale, beyond the time the master took to be flagged FAIL.
    const side = c.server.replicaSide;
    let dataAge = side.connected() ? now - side.lastIo : now - side.linkDownSince;
    if (dataAge > timeout) dataAge -= timeout;
    const factor = cfg.num('cluster-replica-validity-factor');
    if (factor !== 0 && dataAge > cfg.num('repl-ping-replica-period') * 1000 + timeout * factor && !manual) {
      this.cantFailover('data-age');
      return;
    }
    if (authAge > authRetry) {
      this.authTime = now + 500 + Math.floor(Math.random() * 500);
      this.authCount = 0;
      this.authSent = false;
      this.authRank = this.rank();
      this.authTime += this.authRank * 1000;
      if (this.mfEnd !== 0) {
        this.authTime = now;
        this.authRank = 0;
        s.want(TODO_HANDLE_FAILOVER);
      }
      this.log.warning(`Start of election delayed for ${this.authTime - now} milliseconds (rank #${this.authRank}, offset ${c.server.replOffset}).`);
      // Other replicas of our master learn our offset, and so their rank.
      broadcastPong(c, 'local-slaves');
      return;
    }
    if (!this.authSent && this.mfEnd === 0) {
      const rank = this.rank();
      if (rank > this.authRank) {
        const added = (rank - this.authRank) * 1000;
        this.authTime += added;
        this.authRank = rank;
        this.log.warning(`Replica rank updated to #${rank}, added ${added} milliseconds of delay.`);
      }
    }
    if (now < this.authTime) {
      this.cantFailover('waiting-delay');
      return;
    }
    if (authAge > authTimeout) {
      this.cantFailover('expired');
      return;
    }
    if (!this.authSent) {
      s.currentEpoch++;
      this.authEpoch = s.currentEpoch;
      this.log.warning(`Starting a failover election for epoch ${s.currentEpoch}.`);
      this.requestVotes();
      this.authSent = true;
      s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE | TODO_FSYNC_CONFIG);
      return;
    }
    if (this.authCount >= needed) {
      this.log.warning("Failover election won: I'm the new master.");
      if (me.configEpoch < this.authEpoch) {
        me.configEpoch = this.authEpoch;
        this.log.warning(`configEpoch set to ${me.configEpoch} after successful failover`);
      }
      this.replaceMaster();
    } else {
      this.cantFailover('waiting-votes');
    }
  }

  /** clusterLogCantFailover: say why we wait, but not too often and not in the first seconds. */
  private cantFailover(reason: Exclude<CantFailoverReason, 'none'>): void {
    const now = Date.now();
    if (reason === this.cantReason && now - this.cantLoggedAt < CANT_FAILOVER_RELOG_MS) return;
    this.cantReason = reason;
    const master = this.c.state.myself.slaveof;
    if (master && master.failed() && now - master.failTime < this.c.nodeTimeout() + 5000) return;
    this.cantLoggedAt = now;
    this.log.warning(`Currently unable to failover: ${CANT_FAILOVER_TEXT[reason]}`);
  }

  /** clusterRequestFailoverAuth: to every node; only masters answer. */
  private requestVotes(): void {
    const hdr = buildHeader(this.c);
    if (this.mfEnd !== 0) hdr.mflags |= MFLAG_FORCEACK;
    this.broadcast(encodeMessage({ type: MSG_AUTH_REQUEST, hdr }));
  }

  private broadcast(frame: Buffer): void {
    for (const n of this.c.state.nodes.values()) {
      if (n.link === null || n.isMyself() || n.inHandshake()) continue;
      n.link.send(frame);
    }
  }

  /** A master voted for us (counted only if it serves slots and knows our election's epoch). */
  onAuthAck(sender: ClusterNode, senderCurrentEpoch: number): void {
    if (sender.isMaster() && sender.numSlots > 0 && senderCurrentEpoch >= this.authEpoch) {
      this.authCount++;
      this.c.state.want(TODO_HANDLE_FAILOVER);
    }
  }

  /**
   * clusterFailoverReplaceYourMaster: become a master owning our old
   * master's slots, save, and tell everyone.
   */
  replaceMaster(): void {
    const c = this.c;
    const s = c.state;
    const me = s.myself;
    const old = me.slaveof;
    if (me.isMaster() || old === null) return;
    s.setNodeAsMaster(me);
    c.server.replicaSide.unsetMaster();
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if (old.hasSlot(j)) {
        s.delSlot(j);
        s.addSlot(me, j);
      }
    }
    c.updateState();
    c.saveConfigOrDie(true);
    broadcastPong(c, 'all');
    this.resetManual();
  }

  // ---- master side: voting ------------------------------------------------

  /** clusterSendFailoverAuthIfNeeded: vote for a replica of a failed (or, forced, a live) master. */
  onAuthRequest(node: ClusterNode, hdr: BusHeader, claimed: Uint8Array): void {
    const c = this.c;
    const s = c.state;
    const me = s.myself;
    const master = node.slaveof;
    const forceAck = (hdr.mflags & MFLAG_FORCEACK) !== 0;
    if (me.isSlave() || me.numSlots === 0) return;
    if (hdr.currentEpoch < s.currentEpoch) {
      this.log.warning(`Failover auth denied to ${node.name}: reqEpoch (${hdr.currentEpoch}) < curEpoch(${s.currentEpoch})`);
      return;
    }
    if (s.lastVoteEpoch === s.currentEpoch) {
      this.log.warning(`Failover auth denied to ${node.name}: already voted for epoch ${s.currentEpoch}`);
      return;
    }
    if (node.isMaster() || master === null || (!master.failed() && !forceAck)) {
      if (node.isMaster()) this.log.warning(`Failover auth denied to ${node.name}: it is a master node`);
      else if (master === null) this.log.warning(`Failover auth denied to ${node.name}: I don't know its master`);
      else this.log.warning(`Failover auth denied to ${node.name}: its master is up`);
      return;
    }
    const now = Date.now();
    const timeout = c.nodeTimeout();
    if (now - master.votedTime < timeout * 2) {
      this.log.warning(`Failover auth denied to ${node.name}: can't vote about this master before ${timeout * 2 - (now - master.votedTime)} milliseconds`);
      return;
    }
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if ((claimed[j >> 3] & (1 << (j & 7))) === 0) continue;
      const owner = s.slots[j];
      if (owner === null || owner.configEpoch <= hdr.configEpoch) continue;
      this.log.warning(`Failover auth denied to ${node.name}: slot ${j} epoch (${owner.configEpoch}) > reqEpoch (${hdr.configEpoch})`);
      return;
    }
    s.lastVoteEpoch = s.currentEpoch;
    master.votedTime = now;
    s.want(TODO_SAVE_CONFIG | TODO_FSYNC_CONFIG);
    node.link?.send(encodeMessage({ type: MSG_AUTH_ACK, hdr: buildHeader(c) }));
    this.log.warning(`Failover auth granted to ${node.name} for epoch ${s.currentEpoch}`);
  }

  // ---- manual failover ----------------------------------------------------

  /** CLUSTER FAILOVER [FORCE|TAKEOVER]: null, or the error to reply. */
  startManual(mode: 'default' | 'force' | 'takeover'): string | null {
    const c = this.c;
    const me = c.state.myself;
    const master = me.slaveof;
    if (me.isMaster()) return 'ERR You should send CLUSTER FAILOVER to a replica';
    if (master === null) return "ERR I'm a replica but my master is unknown to me";
    if (mode === 'default' && (master.failed() || master.link === null)) return 'ERR Master is down or failed, please use CLUSTER FAILOVER FORCE';
    this.resetManual();
    this.mfEnd = Date.now() + MF_TIMEOUT_MS;
    if (mode === 'takeover') {
      // No vote at all: a new epoch of our own, and the slots.
      this.log.warning('Taking over the master (user request).');
      c.state.bumpEpochWithoutConsensus();
      this.replaceMaster();
    } else if (mode === 'force') {
      this.log.warning('Forced failover user request accepted.');
      this.mfCanStart = true;
    } else {
      this.log.warning('Manual failover user request accepted.');
      master.link?.send(encodeMessage({ type: MSG_MFSTART, hdr: buildHeader(c) }));
    }
    return null;
  }

  /** A replica of ours asks for a manual failover: pause writes and keep it posted with our offset. */
  onMfStart(sender: ClusterNode): void {
    const c = this.c;
    if (sender.slaveof !== c.state.myself) return;
    this.resetManual();
    const now = Date.now();
    this.mfEnd = now + MF_TIMEOUT_MS;
    this.mfSlave = sender;
    c.server.pauseClients(PAUSE_WRITE, now + MF_TIMEOUT_MS * MF_PAUSE_MULT);
    this.log.warning(`Manual failover requested by replica ${sender.name}.`);
    if (sender.link) sendPing(c, sender.link, MSG_PING);
  }

  /** Our master's PING flagged PAUSED carries the offset we must reach before the election. */
  onMasterPaused(offset: number): void {
    if (this.mfEnd === 0 || this.mfMasterOffset !== -1) return;
    this.mfMasterOffset = offset;
    this.log.warning(`Received replication offset for paused master manual failover: ${offset}`);
    this.c.state.want(TODO_HANDLE_MANUALFAILOVER);
  }

  /** clusterHandleManualFailover: the election may start once we processed the master's final offset. */
  handleManual(): void {
    if (this.mfEnd === 0 || this.mfCanStart || this.mfMasterOffset === -1) return;
    if (this.mfMasterOffset === this.c.server.replOffset) {
      this.mfCanStart = true;
      this.log.warning('All master replication stream processed, manual failover can start.');
      this.c.state.want(TODO_HANDLE_FAILOVER);
      return;
    }
    this.c.state.want(TODO_HANDLE_MANUALFAILOVER);
  }

  /** resetManualFailover: a master that paused its clients for the failover resumes them. */
  resetManual(): void {
    if (this.mfSlave !== null) this.c.server.unpauseClients();
    this.mfEnd = 0;
    this.mfCanStart = false;
    this.mfSlave = null;
    this.mfMasterOffset = -1;
  }

  checkManualTimeout(): void {
    if (this.mfEnd !== 0 && this.mfEnd < Date.now()) {
      this.log.warning('Manual failover timed out.');
      this.resetManual();
    }
  }
}
