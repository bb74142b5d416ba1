/**
 * The `sentinel ...` directives of sentinel.conf: read after the rest of the
 * file in three passes (global settings, then `monitor`, then per-master
 * settings and known peers) as sentinel.c's loadSentinelConfigFromQueue does,
 * and written back by CONFIG REWRITE (rewriteConfigSentinelOption).
 */
import { accessSync, constants } from 'node:fs';
import type { Sentinel } from './sentinel.js';
import { SRI_MASTER, SRI_SLAVE, SRI_SENTINEL, DEFAULT_PARALLEL_SYNCS, AddrError, type Instance } from './instance.js';
import { DuplicateInstance } from './sentinel.js';
import { FatalConfigError } from '../config/config-file.js';
import type { RewriteSink } from '../config/config-rewrite.js';
import { repr } from '../util/repr.js';

/** One `sentinel` line as the config loader queued it (argv without the leading "sentinel"). */
export interface QueuedLine {
  argv: string[];
  line: string;
  lineno: number;
  file: string;
}

const PRE_MONITOR = new Set(['announce-ip', 'announce-port', 'deny-scripts-reconfig', 'sentinel-user', 'sentinel-pass', 'current-epoch', 'myid', 'resolve-hostnames', 'announce-hostnames']);

export function applyQueuedConfig(s: Sentinel, lines: QueuedLine[]): void {
  const pre = lines.filter((l) => PRE_MONITOR.has(l.argv[0].toLowerCase()));
  const monitor = lines.filter((l) => l.argv[0].toLowerCase() === 'monitor');
  const post = lines.filter((l) => !PRE_MONITOR.has(l.argv[0].toLowerCase()) && l.argv[0].toLowerCase() !== 'monitor');
  for (const l of [...pre, ...monitor, ...post]) {
    const err = handleConfiguration(s, l.argv);
    if (err !== null) throw new FatalConfigError(l.lineno, l.line, err, l.file);
  }
}

function yesno(v: string): boolean | null {
  const x = v.toLowerCase();
  return x === 'yes' ? true : x === 'no' ? false : null;
}

/** atoi: leading digits, 0 when none. */
function atoi(v: string): number {
  const m = /^\s*([+-]?\d+)/.exec(v);
  return m ? Number(m[1]) : 0;
}

function creationError(e: unknown): string {
  if (e instanceof AddrError || e instanceof DuplicateInstance) return e.message;
  throw e;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** sentinelHandleConfiguration: null when applied, else the reason. */
export function handleConfiguration(s: Sentinel, argv: string[]): string | null {
  const opt = argv[0].toLowerCase();
  const argc = argv.length;
  const master = (): Instance | null => s.masters.get(argv[1]) ?? null;
  const noMaster = 'No such master with specified name.';
  if (opt === 'monitor' && argc === 5) {
    const quorum = atoi(argv[4]);
    if (quorum <= 0) return 'Quorum must be 1 or greater.';
    try {
      s.createInstance(argv[1], SRI_MASTER, argv[2], atoi(argv[3]), quorum, null);
    } catch (e) {
      return creationError(e);
    }
  } else if (opt === 'down-after-milliseconds' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.downAfter = atoi(argv[2]);
    if (ri.downAfter <= 0) return 'negative or zero time parameter.';
    propagateDownAfter(ri);
  } else if (opt === 'failover-timeout' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.failoverTimeout = atoi(argv[2]);
    if (ri.failoverTimeout <= 0) return 'negative or zero time parameter.';
  } else if (opt === 'parallel-syncs' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.parallelSyncs = atoi(argv[2]);
  } else if (opt === 'notification-script' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    if (!executable(argv[2])) return 'Notification script seems non existing or non executable.';
    ri.notificationScript = argv[2];
  } else if (opt === 'client-reconfig-script' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    if (!executable(argv[2])) return 'Client reconfiguration script seems non existing or non executable.';
    ri.clientReconfigScript = argv[2];
  } else if (opt === 'auth-pass' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.authPass = argv[2];
  } else if (opt === 'auth-user' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.authUser = argv[2];
  } else if (opt === 'current-epoch' && argc === 2) {
    const e = atoi(argv[1]);
    if (e > s.currentEpoch) s.currentEpoch = e;
  } else if (opt === 'myid' && argc === 2) {
    if (argv[1].length !== 40) return 'Malformed Sentinel id in myid option.';
    s.myid = argv[1];
  } else if (opt === 'config-epoch' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.configEpoch = atoi(argv[2]);
    if (ri.configEpoch > s.currentEpoch) s.currentEpoch = ri.configEpoch;
  } else if (opt === 'leader-epoch' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.leaderEpoch = atoi(argv[2]);
  } else if ((opt === 'known-slave' || opt === 'known-replica') && argc === 4) {
    const ri = master();
    if (!ri) return noMaster;
    try {
      s.createInstance(null, SRI_SLAVE, argv[2], atoi(argv[3]), ri.quorum, ri);
    } catch (e) {
      return creationError(e);
    }
  } else if (opt === 'known-sentinel' && (argc === 4 || argc === 5)) {
    // The 4-argument form (no run id) is from old versions and ignored, as Redis does.
    if (argc === 5) {
      const ri = master();
      if (!ri) return noMaster;
      try {
        const si = s.createInstance(argv[4], SRI_SENTINEL, argv[2], atoi(argv[3]), ri.quorum, ri);
        si.runid = argv[4];
      } catch (e) {
        return creationError(e);
      }
    }
  } else if (opt === 'rename-command' && argc === 4) {
    const ri = master();
    if (!ri) return noMaster;
    const from = argv[2].toLowerCase();
    if (ri.renamedCommands.has(from)) return 'Same command renamed multiple times with rename-command.';
    ri.renamedCommands.set(from, argv[3]);
  } else if (opt === 'announce-ip' && argc === 2) {
    if (argv[1].length > 0) s.announceIp = argv[1];
  } else if (opt === 'announce-port' && argc === 2) {
    s.announcePort = atoi(argv[1]);
  } else if (opt === 'deny-scripts-reconfig' && argc === 2) {
    const v = yesno(argv[1]);
    if (v === null) return 'Please specify yes or no for the deny-scripts-reconfig options.';
    s.denyScriptsReconfig = v;
  } else if (opt === 'sentinel-user' && argc === 2) {
    if (argv[1].length > 0) s.sentinelAuthUser = argv[1];
  } else if (opt === 'sentinel-pass' && argc === 2) {
    if (argv[1].length > 0) s.sentinelAuthPass = argv[1];
  } else if (opt === 'resolve-hostnames' && argc === 2) {
    const v = yesno(argv[1]);
    if (v === null) return 'Please specify yes or no for the resolve-hostnames option.';
    s.resolveHostnames = v;
  } else if (opt === 'announce-hostnames' && argc === 2) {
    const v = yesno(argv[1]);
    if (v === null) return 'Please specify yes or no for the announce-hostnames option.';
    s.announceHostnames = v;
  } else if (opt === 'master-reboot-down-after-period' && argc === 3) {
    const ri = master();
    if (!ri) return noMaster;
    ri.masterRebootDownAfter = atoi(argv[2]);
    if (ri.masterRebootDownAfter < 0) return 'negative time parameter.';
  } else {
    return 'Unrecognized sentinel configuration statement.';
  }
  return null;
}

/** A master's down-after-milliseconds applies to its replicas and Sentinels too. */
export function propagateDownAfter(master: Instance): void {
  for (const r of master.slaves.values()) r.downAfter = master.downAfter;
  for (const r of master.sentinels.values()) r.downAfter = master.downAfter;
}

/** rewriteConfigSentinelOption: the whole Sentinel state as `sentinel ...` lines. */
export function rewriteSentinelOptions(s: Sentinel, state: RewriteSink): void {
  const line = (option: string, text: string, force = true): void => state.rewriteLine(`sentinel ${option}`, `sentinel ${text}`, force);
  line('myid', `myid ${s.myid}`);
  line('deny-scripts-reconfig', `deny-scripts-reconfig ${s.denyScriptsReconfig ? 'yes' : 'no'}`, !s.denyScriptsReconfig);
  line('resolve-hostnames', `resolve-hostnames ${s.resolveHostnames ? 'yes' : 'no'}`, s.resolveHostnames);
  line('announce-hostnames', `announce-hostnames ${s.announceHostnames ? 'yes' : 'no'}`, s.announceHostnames);
  for (const m of s.masters.values()) {
    const addr = s.currentMasterAddr(m);
    line('monitor', `monitor ${m.name} ${s.announceAddr(addr)} ${addr.port} ${m.quorum}`);
    if (m.downAfter !== s.timing.defaultDownAfter) line('down-after-milliseconds', `down-after-milliseconds ${m.name} ${m.downAfter}`);
    if (m.failoverTimeout !== s.timing.defaultFailoverTimeout) line('failover-timeout', `failover-timeout ${m.name} ${m.failoverTimeout}`);
    if (m.parallelSyncs !== DEFAULT_PARALLEL_SYNCS) line('parallel-syncs', `parallel-syncs ${m.name} ${m.parallelSyncs}`);
    if (m.notificationScript) line('notification-script', `notification-script ${m.name} ${m.notificationScript}`);
    if (m.clientReconfigScript) line('client-reconfig-script', `client-reconfig-script ${m.name} ${m.clientReconfigScript}`);
    if (m.authPass) line('auth-pass', `auth-pass ${m.name} ${m.authPass}`);
    if (m.authUser) line('auth-user', `auth-user ${m.name} ${m.authUser}`);
    if (m.masterRebootDownAfter !== 0) line('master-reboot-down-after-period', `master-reboot-down-after-period ${m.name} ${m.masterRebootDownAfter}`);
    line('config-epoch', `config-epoch ${m.name} ${m.configEpoch}`);
    line('leader-epoch', `leader-epoch ${m.name} ${m.leaderEpoch}`);
    for (const r of m.slaves.values()) {
      // While reconfiguring, the promoted replica is the master: the old master's address is listed instead.
      const a = r.addr.port === addr.port && r.addr.ip === addr.ip ? m.addr : r.addr;
      line('known-replica', `known-replica ${m.name} ${s.announceAddr(a)} ${a.port}`);
    }
    for (const si of m.sentinels.values()) {
      if (si.runid === null) continue;
      line('known-sentinel', `known-sentinel ${m.name} ${s.announceAddr(si.addr)} ${si.addr.port} ${si.runid}`);
    }
    for (const [from, to] of m.renamedCommands) line('rename-command', `rename-command ${m.name} ${from} ${to}`);
  }
  line('current-epoch', `current-epoch ${s.currentEpoch}`);
  if (s.announceIp !== null) line('announce-ip', `announce-ip ${repr(s.announceIp)}`);
  else state.markProcessed('sentinel announce-ip');
  if (s.announcePort !== 0) line('announce-port', `announce-port ${s.announcePort}`);
  else state.markProcessed('sentinel announce-port');
  if (s.sentinelAuthUser !== null) line('sentinel-user', `sentinel-user ${s.sentinelAuthUser}`);
  else state.markProcessed('sentinel sentinel-user');
  if (s.sentinelAuthPass !== null) line('sentinel-pass', `sentinel-pass ${s.sentinelAuthPass}`);
  else state.markProcessed('sentinel sentinel-pass');
  for (const o of ['monitor', 'down-after-milliseconds', 'failover-timeout', 'parallel-syncs', 'notification-script', 'client-reconfig-script',
    'auth-pass', 'auth-user', 'config-epoch', 'leader-epoch', 'known-replica', 'known-sentinel', 'rename-command', 'master-reboot-down-after-period']) {
    state.markProcessed(`sentinel ${o}`);
  }
}

/** The SENTINEL SET / CONFIG errors and names reused by the command. */
export const SCRIPTS_DENIED = 'Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration';
export { executable as isExecutable };
