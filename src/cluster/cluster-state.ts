/**
 * The cluster as this node knows it (cluster.h clusterState): every known
 * node by id, the owner of each of the 16384 slots, the slots being migrated
 * or imported, the epochs, and the cluster-wide ok/fail state. Pure
 * bookkeeping with no sockets or files: the bus, the cron and the commands
 * change it through these methods, which keep the two views of slot
 * ownership (`slots[i]` and each node's bitmap) and of replication
 * (`slaveof` and `slaves`) consistent, as clusterAddSlot/clusterDelSlot and
 * clusterNodeAddSlave/RemoveSlave do.
 *
 * What must happen after a change (save nodes.conf, recompute the state) is
 * requested with want(TODO_*) and done once per event-loop turn by the owner
 * (clusterDoBeforeSleep).
 */
import { ClusterNode, NODE_FAIL, NODE_MASTER, NODE_MIGRATE_TO, NODE_SLAVE, validNodeId } from './cluster-node.js';
import { CLUSTER_SLOTS } from './key-slot.js';
import type { Logger } from '../observe/log.js';

export const TODO_UPDATE_STATE = 1;
export const TODO_SAVE_CONFIG = 2;
export const TODO_FSYNC_CONFIG = 4;

/** clusterNodeFailureReports validity: twice the node timeout (CLUSTER_FAIL_REPORT_VALIDITY_MULT). */
const FAIL_REPORT_VALIDITY_MULT = 2;
/** CLUSTER FORGET keeps a node from being re-added by gossip for a minute (CLUSTER_BLACKLIST_TTL). */
const BLACKLIST_TTL_SEC = 60;

/** Bus message types as CLUSTER INFO names them, in Redis's type order (clusterGetMessageTypeString). */
export const MESSAGE_TYPES = ['ping', 'pong', 'meet', 'fail', 'publish', 'auth-req', 'auth-ack', 'update', 'mfstart', 'module', 'publishshard'] as const;
export type MessageTypeName = (typeof MESSAGE_TYPES)[number];

export class ClusterState {
  myself: ClusterNode;
  /** Every known node, myself included, by id (insertion order: CLUSTER NODES lists them so). */
  readonly nodes = new Map<string, ClusterNode>();
  readonly slots: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  readonly migratingTo: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  readonly importingFrom: Array<ClusterNode | null> = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  currentEpoch = 0;
  lastVoteEpoch = 0;
  state: 'ok' | 'fail' = 'fail';
  /** Masters serving at least one slot (computed by the state update). */
  size = 1;
  readonly messagesSent = new Array<number>(MESSAGE_TYPES.length).fill(0);
  readonly messagesReceived = new Array<number>(MESSAGE_TYPES.length).fill(0);
  /** Nodes in PFAIL at the last cron pass (their gossip goes in every ping). */
  pfailNodes = 0;
  /** Forgotten node id → unix second until which gossip may not re-add it. */
  private readonly blacklist = new Map<string, number>();
  /** Pending TODO_* work; `onWant` schedules it. */
  todo = 0;
  onWant: () => void = () => {};

  constructor(
    myself: ClusterNode,
    readonly log: Logger,
  ) {
    this.myself = myself;
    this.nodes.set(myself.name, myself);
  }

  want(flags: number): void {
    this.todo |= flags;
    this.onWant();
  }

  // ---- nodes -------------------------------------------------------------

  lookup(name: string): ClusterNode | undefined {
    if (!validNodeId(name)) return undefined;
    return this.nodes.get(name);
  }

  addNode(n: ClusterNode): void {
    this.nodes.set(n.name, n);
  }

  /**
   * clusterDelNode: its slots become unassigned, migrations to or from it
   * are closed, its failure reports about others are dropped, it leaves its
   * master's replica list and its replicas lose their master, and its links close.
   */
  delNode(n: ClusterNode): void {
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if (this.importingFrom[j] === n) this.importingFrom[j] = null;
      if (this.migratingTo[j] === n) this.migratingTo[j] = null;
      if (this.slots[j] === n) this.delSlot(j);
    }
    for (const other of this.nodes.values()) if (other !== n) other.failReports.delete(n);
    for (const s of n.slaves) s.slaveof = null;
    if (n.isSlave() && n.slaveof) n.slaveof.removeSlave(n);
    this.nodes.delete(n.name);
    n.link?.close();
    n.inboundLink?.close();
  }

  /** clusterRenameNode: a handshake node gets the id its first PONG announced. */
  renameNode(n: ClusterNode, name: string): void {
    this.log.debug(`Renaming node ${n.name} into ${name}`);
    this.nodes.delete(n.name);
    n.name = name;
    this.nodes.set(name, n);
  }

  /** clusterGetNodesServingMySlots: a shard's master, then its replicas. */
  shardOf(n: ClusterNode): ClusterNode[] {
    const m = n.shardMaster();
    return m === null ? [n] : [m, ...m.slaves];
  }

  /** clusterSetNodeAsMaster: a node we took for a replica now acts as a master. */
  setNodeAsMaster(n: ClusterNode): void {
    if (n.isMaster()) return;
    if (n.slaveof) {
      n.slaveof.removeSlave(n);
      if (n !== this.myself) n.flags |= NODE_MIGRATE_TO;
    }
    n.flags = (n.flags & ~NODE_SLAVE) | NODE_MASTER;
    n.slaveof = null;
    this.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
  }

  // ---- slots -------------------------------------------------------------

  /** clusterAddSlot: false if the slot already has an owner. */
  addSlot(n: ClusterNode, slot: number): boolean {
    if (this.slots[slot] !== null) return false;
    if (!n.setSlotBit(slot) && n.numSlots === 1 && this.mastersHaveSlaves()) {
      // A master getting its first slot is a replica-migration target when others have replicas.
      n.flags |= NODE_MIGRATE_TO;
    }
    this.slots[slot] = n;
    return true;
  }

  /** clusterDelSlot: false if the slot had no owner. */
  delSlot(slot: number): boolean {
    const n = this.slots[slot];
    if (n === null) return false;
    n.clearSlotBit(slot);
    this.slots[slot] = null;
    return true;
  }

  delNodeSlots(n: ClusterNode): number {
    let deleted = 0;
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      if (n.hasSlot(j)) {
        this.delSlot(j);
        deleted++;
      }
    }
    return deleted;
  }

  closeAllSlots(): void {
    this.migratingTo.fill(null);
    this.importingFrom.fill(null);
  }

  private mastersHaveSlaves(): boolean {
    for (const n of this.nodes.values()) if (!n.isSlave() && n.slaves.length > 0) return true;
    return false;
  }

  // ---- epochs ------------------------------------------------------------

  /** clusterGetMaxEpoch: the greatest configEpoch known, or currentEpoch if greater. */
  maxEpoch(): number {
    let max = 0;
    for (const n of this.nodes.values()) if (n.configEpoch > max) max = n.configEpoch;
    return Math.max(max, this.currentEpoch);
  }

  /**
   * clusterBumpConfigEpochWithoutConsensus: unless our configEpoch is already
   * the greatest (and not zero), take currentEpoch+1 without asking anyone.
   * Used when an import closes and by BUMPEPOCH; collisions are resolved later.
   */
  bumpEpochWithoutConsensus(): boolean {
    const max = this.maxEpoch();
    const me = this.myself;
    if (me.configEpoch !== 0 && me.configEpoch === max) return false;
    this.currentEpoch++;
    me.configEpoch = this.currentEpoch;
    this.want(TODO_SAVE_CONFIG | TODO_FSYNC_CONFIG);
    this.log.warning(`New configEpoch set to ${me.configEpoch}`);
    return true;
  }

  /**
   * clusterHandleConfigEpochCollision: two masters with one configEpoch; the
   * one with the lexicographically smaller id moves to a new epoch, so all
   * masters end up with distinct epochs (a new cluster starts with all at 0).
   * True when ours changed (the caller must save the config at once).
   */
  handleConfigEpochCollision(sender: ClusterNode): boolean {
    const me = this.myself;
    if (sender.configEpoch !== me.configEpoch || !sender.isMaster() || !me.isMaster()) return false;
    if (sender.name <= me.name) return false;
    this.currentEpoch++;
    me.configEpoch = this.currentEpoch;
    this.log.verbose(`WARNING: configEpoch collision with node ${sender.name}. configEpoch set to ${me.configEpoch}`);
    return true;
  }

  // ---- failure reports ---------------------------------------------------

  /** clusterNodeAddFailureReport: true when it is a new report (not a refreshed one). */
  addFailureReport(failing: ClusterNode, sender: ClusterNode, now = Date.now()): boolean {
    const isNew = !failing.failReports.has(sender);
    failing.failReports.set(sender, now);
    return isNew;
  }

  /** Reports older than twice the node timeout are dropped (clusterNodeCleanupFailureReports). */
  cleanupFailureReports(n: ClusterNode, nodeTimeout: number, now = Date.now()): void {
    const maxAge = nodeTimeout * FAIL_REPORT_VALIDITY_MULT;
    for (const [reporter, t] of n.failReports) if (now - t > maxAge) n.failReports.delete(reporter);
  }

  delFailureReport(n: ClusterNode, sender: ClusterNode, nodeTimeout: number): boolean {
    if (!n.failReports.delete(sender)) return false;
    this.cleanupFailureReports(n, nodeTimeout);
    return true;
  }

  failureReportsCount(n: ClusterNode, nodeTimeout: number): number {
    this.cleanupFailureReports(n, nodeTimeout);
    return n.failReports.size;
  }

  // ---- blacklist ---------------------------------------------------------

  blacklistAdd(n: ClusterNode): void {
    this.blacklistCleanup();
    this.blacklist.set(n.name, Math.floor(Date.now() / 1000) + BLACKLIST_TTL_SEC);
  }

  blacklisted(id: string): boolean {
    this.blacklistCleanup();
    return this.blacklist.has(id);
  }

  private blacklistCleanup(): void {
    const now = Math.floor(Date.now() / 1000);
    for (const [id, until] of this.blacklist) if (until < now) this.blacklist.delete(id);
  }

  // ---- slot statistics (CLUSTER INFO) ------------------------------------

  slotCounts(): { assigned: number; ok: number; pfail: number; fail: number } {
    let assigned = 0;
    let ok = 0;
    let pfail = 0;
    let fail = 0;
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      const n = this.slots[j];
      if (n === null) continue;
      assigned++;
      if (n.failed()) fail++;
      else if (n.timedOut()) pfail++;
      else ok++;
    }
    return { assigned, ok, pfail, fail };
  }

  /** Every slot has a non-failed owner (the full-coverage half of clusterUpdateState). */
  fullyCovered(): boolean {
    for (let j = 0; j < CLUSTER_SLOTS; j++) {
      const n = this.slots[j];
      if (n === null || (n.flags & NODE_FAIL) !== 0) return false;
    }
    return true;
  }
}
