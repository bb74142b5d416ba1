/**
 * Sentinel mode's state (sentinel.c's `struct sentinelState`) and its timer.
 * The server runs with Sentinel's command table; this object holds the
 * watched masters with their replicas and peer Sentinels, the epochs and the
 * announce settings, publishes events, and rewrites the config file on every
 * state change so a restart resumes where it stopped.
 *
 * The per-instance work lives beside it: monitor.ts (links, PING/INFO/hello,
 * down detection), failover.ts (election and the failover state machine),
 * sentinel-config.ts (directives and the config rewrite), scripts.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from '../server.js';
import type { LogLevel } from '../observe/log.js';
import { rewriteConfig } from '../config/config-rewrite.js';
import {
  Instance, makeAddr, addrKey, addrEqual, FAILOVER_ORDER, DEFAULT_DOWN_AFTER, DEFAULT_FAILOVER_TIMEOUT,
  SRI_MASTER, SRI_SLAVE, type Addr,
} from './instance.js';
import { handleInstance } from './monitor.js';
import { switchToPromoted } from './failover.js';
import { ScriptQueue } from './scripts.js';
import { applyQueuedConfig, type QueuedLine } from './sentinel-config.js';
import { globMatch } from '../util/glob.js';

/** Periods Redis keeps as tunable statics (SENTINEL DEBUG shows and sets them). */
export interface SentinelTiming {
  infoPeriod: number;
  pingPeriod: number;
  askPeriod: number;
  publishPeriod: number;
  defaultDownAfter: number;
  defaultFailoverTimeout: number;
  tiltTrigger: number;
  tiltPeriod: number;
  slaveReconfTimeout: number;
  minLinkReconnectPeriod: number;
  electionTimeout: number;
  scriptMaxRuntime: number;
  scriptRetryDelay: number;
}

export const HELLO_CHANNEL = '__sentinel__:hello';
/** SENTINEL_MAX_DESYNC: random delay before a failover starts, so Sentinels don't all try at once. */
export const MAX_DESYNC = 1000;
export const SIMFAILURE_CRASH_AFTER_ELECTION = 1;
export const SIMFAILURE_CRASH_AFTER_PROMOTION = 2;

export class Sentinel {
  myid = '';
  currentEpoch = 0;
  readonly masters = new Map<string, Instance>();
  tilt = false;
  tiltStartTime = 0;
  previousTime = Date.now();
  announceIp: string | null = null;
  announcePort = 0;
  denyScriptsReconfig = true;
  sentinelAuthPass: string | null = null;
  sentinelAuthUser: string | null = null;
  resolveHostnames = false;
  announceHostnames = false;
  simFailureFlags = 0;
  readonly timing: SentinelTiming = {
    infoPeriod: 10000,
    pingPeriod: 1000,
    askPeriod: 1000,
    publishPeriod: 2000,
    defaultDownAfter: DEFAULT_DOWN_AFTER,
    defaultFailoverTimeout: DEFAULT_FAILOVER_TIMEOUT,
    tiltTrigger: 2000,
    tiltPeriod: 30000,
    slaveReconfTimeout: 10000,
    minLinkReconnectPeriod: 15000,
    electionTimeout: 10000,
    scriptMaxRuntime: 60000,
    scriptRetryDelay: 30000,
  };
  readonly scripts: ScriptQueue;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly server: Server) {
    this.scripts = new ScriptQueue(this);
  }

  /** Applies the `sentinel ...` lines the config loader queued (throws FatalConfigError). */
  loadConfig(lines: QueuedLine[]): void {
    applyQueuedConfig(this, lines);
  }

  /** sentinelIsRunning: a fresh id is saved at once; +monitor for every master; the timer starts. */
  start(): void {
    if (this.myid === '') {
      this.myid = randomBytes(20).toString('hex');
      this.flushConfig();
    }
    this.server.log.warning(`Sentinel ID is ${this.myid}`);
    for (const m of this.masters.values()) this.event('warning', '+monitor', m, `${this.describe(m)} quorum ${m.quorum}`);
    this.previousTime = Date.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const m of this.masters.values()) {
      m.link.closeAll();
      for (const r of m.slaves.values()) r.link.closeAll();
      for (const s of m.sentinels.values()) s.link.closeAll();
    }
    this.scripts.killAll();
  }

  /** serverCron runs sentinelTimer at a randomised hz (10..19) so Sentinels drift apart. */
  private schedule(): void {
    const hz = 10 + Math.floor(Math.random() * 10);
    this.timer = setTimeout(() => {
      this.tick();
      this.schedule();
    }, Math.floor(1000 / hz));
  }

  tick(): void {
    this.checkTilt();
    this.handleInstances(this.masters);
    this.scripts.run();
  }

  private handleInstances(instances: Map<string, Instance>): void {
    let switchTo: Instance | null = null;
    for (const ri of [...instances.values()]) {
      handleInstance(this, ri);
      if (ri.flags & SRI_MASTER) {
        this.handleInstances(ri.slaves);
        this.handleInstances(ri.sentinels);
        if (ri.failoverState === 'update_config') switchTo = ri;
      }
    }
    if (switchTo) switchToPromoted(this, switchTo);
  }

  /** TILT: the timer ran late (or the clock went back): our timings can't be trusted for a while. */
  private checkTilt(): void {
    const now = Date.now();
    const delta = now - this.previousTime;
    if (delta < 0 || delta > this.timing.tiltTrigger) {
      this.tilt = true;
      this.tiltStartTime = now;
      this.event('warning', '+tilt', null, '#tilt mode entered');
    }
    this.previousTime = now;
  }

  // ---- instances ---------------------------------------------------------

  /** createSentinelRedisInstance; throws AddrError, or Error('EBUSY') when the name is taken. */
  createInstance(name: string | null, flags: number, host: string, port: number, quorum: number, master: Instance | null): Instance {
    const addr = makeAddr(host, port, this.resolveHostnames);
    const key = flags & SRI_SLAVE ? addrKey(addr, this.announceHostnames) : name!;
    const table = flags & SRI_MASTER ? this.masters : flags & SRI_SLAVE ? master!.slaves : master!.sentinels;
    if (table.has(key)) throw new DuplicateInstance(flags);
    const ri = new Instance(flags, key, addr, quorum, master, Date.now(), this.timing.defaultDownAfter);
    if (flags & SRI_MASTER) ri.failoverTimeout = this.timing.defaultFailoverTimeout;
    table.set(key, ri);
    return ri;
  }

  releaseInstance(ri: Instance): void {
    ri.link.closeAll();
    for (const r of ri.slaves.values()) this.releaseInstance(r);
    for (const s of ri.sentinels.values()) this.releaseInstance(s);
    if (ri.flags & SRI_SLAVE && ri.master && ri.master.promotedSlave === ri) ri.master.promotedSlave = null;
  }

  lookupSlave(master: Instance, ip: string, port: number): Instance | undefined {
    try {
      return master.slaves.get(addrKey(makeAddr(ip, port, this.resolveHostnames), this.announceHostnames));
    } catch {
      return undefined;
    }
  }

  /** getSentinelRedisInstanceByAddrAndRunID: either part may be null (not both). */
  findByAddrAndRunId(instances: Map<string, Instance>, ip: string | null, port: number, runid: string | null): Instance | undefined {
    for (const ri of instances.values()) {
      if (runid !== null && ri.runid === null) continue;
      if ((runid === null || ri.runid === runid) && (ip === null || (ri.addr.ip === ip && ri.addr.port === port))) return ri;
    }
    return undefined;
  }

  /** The address clients should use now: the promoted replica once reconfiguration started. */
  currentMasterAddr(master: Instance): Addr {
    if (master.promotedSlave && FAILOVER_ORDER[master.failoverState] >= FAILOVER_ORDER.reconf_slaves) return master.promotedSlave.addr;
    return master.addr;
  }

  announceAddr(a: Addr): string {
    return this.announceHostnames ? a.hostname : a.ip;
  }

  /** The "%@" part of an event: `<type> <name> <ip> <port>[ @ <master> <ip> <port>]`. */
  describe(ri: Instance): string {
    const self = `${ri.typeName()} ${ri.name} ${this.announceAddr(ri.addr)} ${ri.addr.port}`;
    const m = ri.flags & SRI_MASTER ? null : ri.master;
    return m ? `${self} @ ${m.name} ${this.announceAddr(m.addr)} ${m.addr.port}` : self;
  }

  /** sentinelResetMaster: forget replicas (and, unless told, Sentinels), links and failover state. */
  resetMaster(ri: Instance, keepSentinels: boolean, generateEvent: boolean): void {
    for (const r of ri.slaves.values()) this.releaseInstance(r);
    ri.slaves = new Map();
    if (!keepSentinels) {
      for (const s of ri.sentinels.values()) this.releaseInstance(s);
      ri.sentinels = new Map();
    }
    ri.link.closeAll();
    ri.flags &= SRI_MASTER;
    ri.leader = null;
    ri.failoverState = 'none';
    ri.failoverStateChangeTime = 0;
    ri.failoverStartTime = 0;
    ri.promotedSlave = null;
    ri.runid = null;
    ri.slaveMasterHost = null;
    const now = Date.now();
    // Reconnect at the next tick: Redis keeps the last attempt's time here, so a
    // fresh master can go a whole second unpinged and be declared down right after a failover.
    ri.link.lastReconnTime = 0;
    ri.link.actPingTime = now;
    ri.link.lastPingTime = 0;
    ri.link.lastAvailTime = now;
    ri.link.lastPongTime = now;
    ri.roleReportedTime = now;
    ri.roleReported = SRI_MASTER;
    if (generateEvent) this.event('warning', '+reset-master', ri, this.describe(ri));
  }

  resetMastersByPattern(pattern: string): number {
    let n = 0;
    for (const ri of this.masters.values()) {
      if (globMatch(pattern, ri.name)) {
        this.resetMaster(ri, false, true);
        n++;
      }
    }
    return n;
  }

  /**
   * sentinelResetMasterAndChangeAddress: the master moved (failover, or a
   * peer's newer config). Its old replicas and the old master itself become
   * the replicas of the new address.
   */
  resetMasterAndChangeAddress(master: Instance, host: string, port: number): void {
    const newAddr = makeAddr(host, port, this.resolveHostnames);
    const slaves: Addr[] = [];
    for (const r of master.slaves.values()) if (!addrEqual(r.addr, newAddr)) slaves.push({ ...r.addr });
    if (!addrEqual(newAddr, master.addr)) slaves.push({ ...master.addr });
    this.resetMaster(master, true, false);
    master.addr = newAddr;
    master.oDownSince = 0;
    master.sDownSince = 0;
    for (const a of slaves) {
      try {
        const r = this.createInstance(null, SRI_SLAVE, a.hostname, a.port, master.quorum, master);
        this.event('notice', '+slave', r, this.describe(r));
      } catch {
        /* duplicate: already listed */
      }
    }
    this.flushConfig();
  }

  // ---- events and config ---------------------------------------------------

  /**
   * sentinelEvent: logged, published on a channel named after the event
   * (unless debug level), and handed to the notification script when it is a
   * warning about an instance.
   */
  event(level: LogLevel, type: string, ri: Instance | null, msg: string): void {
    this.server.log.log(level, `${type} ${msg}`);
    if (level !== 'debug') this.server.pubsub.publish(type, msg);
    if (level === 'warning' && ri !== null) {
      const m = ri.flags & SRI_MASTER ? ri : ri.master;
      if (m?.notificationScript) this.scripts.schedule(m.notificationScript, [type, msg]);
    }
  }

  /** sentinelFlushConfig: CONFIG REWRITE of the Sentinel's file (fsynced). False on failure, logged. */
  flushConfig(): boolean {
    const file = this.server.config.file;
    if (file === null) return false;
    try {
      rewriteConfig(this.server.config, file);
      this.server.log.notice('Sentinel new configuration saved on disk');
      return true;
    } catch (e) {
      this.server.log.warning(`WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(e as Error).message}`);
      return false;
    }
  }

  /** Drops the links to other Sentinels (their credentials changed); they reconnect on the next tick. */
  dropSentinelConnections(): number {
    let n = 0;
    for (const m of this.masters.values()) {
      for (const s of m.sentinels.values()) {
        if (!s.link.disconnected) {
          s.link.closeAll();
          n++;
        }
      }
    }
    return n;
  }
}

export class DuplicateInstance extends Error {
  constructor(flags: number) {
    super(flags & SRI_MASTER ? 'Duplicate master name.' : flags & SRI_SLAVE ? 'Duplicate hostname and port for replica.' : 'Duplicate runid for sentinel.');
  }
}
