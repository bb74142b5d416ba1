/**
 * One node of the cluster as this node sees it (cluster.h clusterNode): its
 * id, address, role flags, the slots it claims, its master or replicas, the
 * timestamps failure detection reads and the bus links to it.
 *
 * Flags use Redis's bit values (CLUSTER_NODE_*), so the names CLUSTER NODES
 * prints and the ones nodes.conf stores are the same table.
 */
import { randomBytes } from 'node:crypto';
import type { BusLink } from './bus.js';
import { CLUSTER_SLOTS } from './key-slot.js';

export const NODE_MYSELF = 1;
export const NODE_MASTER = 2;
export const NODE_SLAVE = 4;
export const NODE_PFAIL = 8;
export const NODE_FAIL = 16;
export const NODE_HANDSHAKE = 32;
export const NODE_NOADDR = 64;
export const NODE_MEET = 128;
export const NODE_MIGRATE_TO = 256;
export const NODE_NOFAILOVER = 512;

/** The flags CLUSTER NODES shows, in its order (redisNodeFlagsTable). */
const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [NODE_MYSELF, 'myself'],
  [NODE_MASTER, 'master'],
  [NODE_SLAVE, 'slave'],
  [NODE_PFAIL, 'fail?'],
  [NODE_FAIL, 'fail'],
  [NODE_HANDSHAKE, 'handshake'],
  [NODE_NOADDR, 'noaddr'],
  [NODE_NOFAILOVER, 'nofailover'],
];

/** representClusterNodeFlags: "myself,master", or "noflags". */
export function flagsText(flags: number): string {
  let s = '';
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) s += s === '' ? name : ',' + name;
  return s === '' ? 'noflags' : s;
}

/** The flag bit for a name nodes.conf may hold; undefined for an unknown name ("noflags" is 0). */
export function flagFromName(name: string): number | undefined {
  const n = name.toLowerCase();
  if (n === 'noflags') return 0;
  for (const [bit, fname] of FLAG_NAMES) if (fname === n) return bit;
  return undefined;
}

/** A node id: 40 lower-case hex digits or letters, as verifyClusterNodeId accepts. */
export function validNodeId(id: string): boolean {
  return id.length === 40 && /^[a-z0-9]{40}$/.test(id);
}

/** 40 random hex digits, as getRandomHexChars gives a new node. */
export function randomNodeId(): string {
  return randomBytes(20).toString('hex');
}

export const SLOT_BYTES = CLUSTER_SLOTS / 8;

export class ClusterNode {
  name: string;
  flags: number;
  readonly ctime = Date.now();
  configEpoch = 0;
  /** Slots this node claims, one bit each (bit slot&7 of byte slot>>3, as Redis lays it out). */
  readonly slots = new Uint8Array(SLOT_BYTES);
  numSlots = 0;
  slaves: ClusterNode[] = [];
  slaveof: ClusterNode | null = null;
  /** When our unanswered PING was sent (0: none pending), when its PONG came, when any data came. */
  pingSent = 0;
  pongReceived = 0;
  dataReceived = 0;
  failTime = 0;
  /** Since when this master has been seen orphaned (no working replica) by our replica migration check; 0: not. */
  orphanedTime = 0;
  votedTime = 0;
  replOffset = 0;
  replOffsetTime = 0;
  ip = '';
  hostname = '';
  port = 0;
  /** The plaintext port of a TLS cluster (0: none). */
  pport = 0;
  cport = 0;
  /** Our outbound link to it, and its link to us once we know who is on the other end. */
  link: BusLink | null = null;
  inboundLink: BusLink | null = null;
  /** Masters that told us this node looks down: reporter → when. */
  readonly failReports = new Map<ClusterNode, number>();
  /** The ping round that last put this node in a gossip section (no node twice per packet). */
  lastInPingGossip = 0;

  constructor(name: string, flags: number) {
    this.name = name;
    this.flags = flags;
  }

  isMaster(): boolean {
    return (this.flags & NODE_MASTER) !== 0;
  }

  isSlave(): boolean {
    return (this.flags & NODE_SLAVE) !== 0;
  }

  isMyself(): boolean {
    return (this.flags & NODE_MYSELF) !== 0;
  }

  inHandshake(): boolean {
    return (this.flags & NODE_HANDSHAKE) !== 0;
  }

  hasAddr(): boolean {
    return (this.flags & NODE_NOADDR) === 0;
  }

  /** PFAIL: we did not get a PONG in time. */
  timedOut(): boolean {
    return (this.flags & NODE_PFAIL) !== 0;
  }

  failed(): boolean {
    return (this.flags & NODE_FAIL) !== 0;
  }

  hasSlot(slot: number): boolean {
    return (this.slots[slot >> 3] & (1 << (slot & 7))) !== 0;
  }

  /** Sets the slot bit; true if it was already set. */
  setSlotBit(slot: number): boolean {
    const old = this.hasSlot(slot);
    if (!old) {
      this.slots[slot >> 3] |= 1 << (slot & 7);
      this.numSlots++;
    }
    return old;
  }

  /** Clears the slot bit; true if it was set. */
  clearSlotBit(slot: number): boolean {
    const old = this.hasSlot(slot);
    if (old) {
      this.slots[slot >> 3] &= ~(1 << (slot & 7));
      this.numSlots--;
    }
    return old;
  }

  /** clusterNodeAddSlave: false when it was already listed. */
  addSlave(n: ClusterNode): boolean {
    if (this.slaves.includes(n)) return false;
    this.slaves.push(n);
    this.flags |= NODE_MIGRATE_TO;
    return true;
  }

  removeSlave(n: ClusterNode): boolean {
    const i = this.slaves.indexOf(n);
    if (i < 0) return false;
    this.slaves.splice(i, 1);
    if (this.slaves.length === 0) this.flags &= ~NODE_MIGRATE_TO;
    return true;
  }

  /** The node whose slots this one serves: itself for a master, its master for a replica. */
  shardMaster(): ClusterNode | null {
    return this.isMaster() ? this : this.slaveof;
  }
}
