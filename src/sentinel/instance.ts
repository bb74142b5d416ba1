/**
 * What a Sentinel knows about each instance it watches (sentinel.c's
 * sentinelRedisInstance): a monitored master, one of its replicas, or another
 * Sentinel watching the same master. Flags, timers and failover fields keep
 * Redis's names and meaning so SENTINEL MASTER/REPLICAS/SENTINELS read the same.
 */
import { isIP } from 'node:net';
import type { RespConnection } from '../net/resp-connection.js';

export const SRI_MASTER = 1 << 0;
export const SRI_SLAVE = 1 << 1;
export const SRI_SENTINEL = 1 << 2;
export const SRI_S_DOWN = 1 << 3;
export const SRI_O_DOWN = 1 << 4;
export const SRI_MASTER_DOWN = 1 << 5;
export const SRI_FAILOVER_IN_PROGRESS = 1 << 6;
export const SRI_PROMOTED = 1 << 7;
export const SRI_RECONF_SENT = 1 << 8;
export const SRI_RECONF_INPROG = 1 << 9;
export const SRI_RECONF_DONE = 1 << 10;
export const SRI_FORCE_FAILOVER = 1 << 11;
export const SRI_SCRIPT_KILL_SENT = 1 << 12;
export const SRI_MASTER_REBOOT = 1 << 13;

export type FailoverState = 'none' | 'wait_start' | 'select_slave' | 'send_slaveof_noone' | 'wait_promotion' | 'reconf_slaves' | 'update_config';

/** Failover states in order, so "at or after reconf_slaves" is a comparison. */
export const FAILOVER_ORDER: Record<FailoverState, number> = {
  none: 0, wait_start: 1, select_slave: 2, send_slaveof_noone: 3, wait_promotion: 4, reconf_slaves: 5, update_config: 6,
};

export const DEFAULT_DOWN_AFTER = 30000;
export const DEFAULT_FAILOVER_TIMEOUT = 180000;
export const DEFAULT_PARALLEL_SYNCS = 1;
export const DEFAULT_SLAVE_PRIORITY = 100;

export interface Addr {
  hostname: string;
  ip: string;
  port: number;
}

export class AddrError extends Error {
  constructor(readonly code: 'EINVAL' | 'ENOENT') {
    super(code === 'EINVAL' ? 'Invalid port number.' : "Can't resolve instance hostname.");
  }
}

/**
 * createSentinelAddr: without resolve-hostnames only IP literals are accepted.
 * With it, a name is kept as given and resolved when connecting.
 */
export function makeAddr(hostname: string, port: number, resolveHostnames: boolean): Addr {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AddrError('EINVAL');
  if (isIP(hostname) === 0 && !resolveHostnames) throw new AddrError('ENOENT');
  return { hostname, ip: hostname, port };
}

export function addrEqual(a: Addr, b: Addr): boolean {
  return a.port === b.port && a.ip.toLowerCase() === b.ip.toLowerCase();
}

/** "ip:port", with brackets for IPv6 (announceSentinelAddrAndPort). */
export function addrKey(a: Addr, announceHostnames: boolean): string {
  const host = announceHostnames ? a.hostname : a.ip;
  return host.includes(':') ? `[${host}]:${a.port}` : `${host}:${a.port}`;
}

/** The two connections to an instance: commands, and pub/sub for hello messages (none to Sentinels). */
export class InstanceLink {
  disconnected = true;
  pendingCommands = 0;
  cc: RespConnection | null = null;
  pc: RespConnection | null = null;
  ccConnTime = 0;
  pcConnTime = 0;
  pcLastActivity = 0;
  /** Last time a valid PING reply came. */
  lastAvailTime: number;
  /** When the oldest unanswered PING was sent; 0 when none is outstanding. */
  actPingTime: number;
  lastPingTime = 0;
  /** Last time any PING reply came. */
  lastPongTime: number;
  lastReconnTime = 0;

  constructor(now: number) {
    this.actPingTime = now;
    this.lastAvailTime = now;
    this.lastPongTime = now;
  }

  closeCommand(): void {
    if (this.cc === null) return;
    const c = this.cc;
    this.cc = null;
    this.pendingCommands = 0;
    this.disconnected = true;
    c.close();
  }

  closePubsub(): void {
    if (this.pc === null) return;
    const c = this.pc;
    this.pc = null;
    this.disconnected = true;
    c.close();
  }

  closeAll(): void {
    this.closeCommand();
    this.closePubsub();
  }
}

export class Instance {
  flags: number;
  name: string;
  runid: string | null = null;
  configEpoch = 0;
  addr: Addr;
  link: InstanceLink;
  lastPubTime: number;
  lastHelloTime: number;
  lastMasterDownReplyTime: number;
  sDownSince = 0;
  oDownSince = 0;
  downAfter: number;
  masterRebootDownAfter = 0;
  masterRebootSince = 0;
  infoRefresh = 0;
  /** An INFO is on its way; and whether a fresh one is wanted before the usual period (failover.ts). */
  infoInFlight = false;
  infoWanted = false;
  readonly renamedCommands = new Map<string, string>();
  roleReported: number;
  roleReportedTime: number;
  slaveConfChangeTime: number;

  // master
  sentinels = new Map<string, Instance>();
  slaves = new Map<string, Instance>();
  quorum: number;
  parallelSyncs = DEFAULT_PARALLEL_SYNCS;
  authPass: string | null = null;
  authUser: string | null = null;

  // replica
  masterLinkDownTime = 0;
  slavePriority = DEFAULT_SLAVE_PRIORITY;
  replicaAnnounced = 1;
  slaveReconfSentTime = 0;
  readonly master: Instance | null;
  slaveMasterHost: string | null = null;
  slaveMasterPort = 0;
  slaveMasterLinkUp = false;
  slaveReplOffset = 0;

  // failover (for a Sentinel: its vote)
  leader: string | null = null;
  leaderEpoch = 0;
  failoverEpoch = 0;
  failoverState: FailoverState = 'none';
  failoverStateChangeTime = 0;
  failoverStartTime = 0;
  failoverTimeout = DEFAULT_FAILOVER_TIMEOUT;
  failoverDelayLogged = 0;
  promotedSlave: Instance | null = null;
  notificationScript: string | null = null;
  clientReconfigScript: string | null = null;
  /** Steps of the current failover with their times, logged as one line when it ends. */
  timeline: Array<{ what: string; at: number }> = [];
  /** The last INFO text, for SENTINEL INFO-CACHE. */
  info: string | null = null;

  constructor(flags: number, name: string, addr: Addr, quorum: number, master: Instance | null, now: number, defaultDownAfter: number) {
    this.flags = flags;
    this.name = name;
    this.addr = addr;
    this.quorum = quorum;
    this.master = master;
    this.link = new InstanceLink(now);
    this.lastPubTime = now;
    this.lastHelloTime = now;
    this.lastMasterDownReplyTime = now;
    this.downAfter = master ? master.downAfter : defaultDownAfter;
    this.roleReported = flags & (SRI_MASTER | SRI_SLAVE);
    this.roleReportedTime = now;
    this.slaveConfChangeTime = now;
  }

  typeName(): 'master' | 'slave' | 'sentinel' {
    return this.flags & SRI_MASTER ? 'master' : this.flags & SRI_SLAVE ? 'slave' : 'sentinel';
  }

  /** The master this instance belongs to (itself for a master). */
  owner(): Instance {
    return this.master ?? this;
  }

  /** The command name to send, after the master's `rename-command` entries. */
  command(name: string): string {
    return this.owner().renamedCommands.get(name.toLowerCase()) ?? name;
  }
}
