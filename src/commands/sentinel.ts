/**
 * Sentinel mode's commands: SENTINEL and its subcommands, and Sentinel's own
 * INFO, ROLE and PUBLISH (which only accepts hello messages). The replies
 * have redis-sentinel's shapes: instances as field/value maps, errors in its
 * words. SENTINEL_MODE_COMMANDS is the whole table a Sentinel serves.
 */
import { isIP } from 'node:net';
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ALL_COMMANDS } from './index.js';
import { replyHelp } from './client.js';
import { genInfo } from '../observe/info.js';
import type { Sentinel } from '../sentinel/sentinel.js';
import { DuplicateInstance } from '../sentinel/sentinel.js';
import {
  AddrError, SRI_MASTER, SRI_SLAVE, SRI_SENTINEL, SRI_S_DOWN, SRI_O_DOWN, SRI_MASTER_DOWN, SRI_FAILOVER_IN_PROGRESS, SRI_PROMOTED,
  SRI_RECONF_SENT, SRI_RECONF_INPROG, SRI_RECONF_DONE, SRI_FORCE_FAILOVER, SRI_SCRIPT_KILL_SENT, type Instance,
} from '../sentinel/instance.js';
import { selectSlave, startFailover, voteLeader } from '../sentinel/failover.js';
import { processHelloMessage } from '../sentinel/monitor.js';
import { propagateDownAfter, SCRIPTS_DENIED, isExecutable } from '../sentinel/sentinel-config.js';
import { HELLO_CHANNEL, SIMFAILURE_CRASH_AFTER_ELECTION, SIMFAILURE_CRASH_AFTER_PROMOTION } from '../sentinel/sentinel.js';
import { globMatch } from '../util/glob.js';
import { sentinelInfoSection, quorumStatus } from '../sentinel/sentinel-report.js';
import { parseInt64 } from '../util/numbers.js';

function sentinelOf(ctx: CommandContext): Sentinel {
  return ctx.server.sentinel!;
}

function masterOrReply(ctx: CommandContext, name: string): Instance | null {
  const ri = sentinelOf(ctx).masters.get(name);
  if (!ri) {
    ctx.reply.error('ERR No such master with that name');
    return null;
  }
  return ri;
}

function flagsString(ri: Instance): string {
  const f: string[] = [];
  if (ri.flags & SRI_S_DOWN) f.push('s_down');
  if (ri.flags & SRI_O_DOWN) f.push('o_down');
  if (ri.flags & SRI_MASTER) f.push('master');
  if (ri.flags & SRI_SLAVE) f.push('slave');
  if (ri.flags & SRI_SENTINEL) f.push('sentinel');
  if (ri.link.disconnected) f.push('disconnected');
  if (ri.flags & SRI_MASTER_DOWN) f.push('master_down');
  if (ri.flags & SRI_FAILOVER_IN_PROGRESS) f.push('failover_in_progress');
  if (ri.flags & SRI_PROMOTED) f.push('promoted');
  if (ri.flags & SRI_RECONF_SENT) f.push('reconf_sent');
  if (ri.flags & SRI_RECONF_INPROG) f.push('reconf_inprog');
  if (ri.flags & SRI_RECONF_DONE) f.push('reconf_done');
  if (ri.flags & SRI_FORCE_FAILOVER) f.push('force_failover');
  if (ri.flags & SRI_SCRIPT_KILL_SENT) f.push('script_kill_sent');
  return f.join(',');
}

/** addReplySentinelRedisInstance: the field/value list of SENTINEL MASTER / REPLICAS / SENTINELS. */
function replyInstance(ctx: CommandContext, ri: Instance): void {
  const s = sentinelOf(ctx);
  const now = Date.now();
  const fields: Array<[string, string | number]> = [
    ['name', ri.name],
    ['ip', s.announceAddr(ri.addr)],
    ['port', ri.addr.port],
    ['runid', ri.runid ?? ''],
    ['flags', flagsString(ri)],
    ['link-pending-commands', ri.link.pendingCommands],
    ['link-refcount', 1],
  ];
  if (ri.flags & SRI_FAILOVER_IN_PROGRESS) fields.push(['failover-state', ri.failoverState]);
  fields.push(
    ['last-ping-sent', ri.link.actPingTime ? now - ri.link.actPingTime : 0],
    ['last-ok-ping-reply', now - ri.link.lastAvailTime],
    ['last-ping-reply', now - ri.link.lastPongTime],
  );
  if (ri.flags & SRI_S_DOWN) fields.push(['s-down-time', now - ri.sDownSince]);
  if (ri.flags & SRI_O_DOWN) fields.push(['o-down-time', now - ri.oDownSince]);
  fields.push(['down-after-milliseconds', ri.downAfter]);
  if (ri.flags & (SRI_MASTER | SRI_SLAVE)) {
    fields.push(
      ['info-refresh', ri.infoRefresh ? now - ri.infoRefresh : 0],
      ['role-reported', ri.roleReported === SRI_MASTER ? 'master' : 'slave'],
      ['role-reported-time', now - ri.roleReportedTime],
    );
  }
  if (ri.flags & SRI_MASTER) {
    fields.push(
      ['config-epoch', ri.configEpoch],
      ['num-slaves', ri.slaves.size],
      ['num-other-sentinels', ri.sentinels.size],
      ['quorum', ri.quorum],
      ['failover-timeout', ri.failoverTimeout],
      ['parallel-syncs', ri.parallelSyncs],
    );
    if (ri.notificationScript) fields.push(['notification-script', ri.notificationScript]);
    if (ri.clientReconfigScript) fields.push(['client-reconfig-script', ri.clientReconfigScript]);
  }
  if (ri.flags & SRI_SLAVE) {
    fields.push(
      ['master-link-down-time', ri.masterLinkDownTime],
      ['master-link-status', ri.slaveMasterLinkUp ? 'ok' : 'err'],
      ['master-host', ri.slaveMasterHost ?? '?'],
      ['master-port', ri.slaveMasterPort],
      ['slave-priority', ri.slavePriority],
      ['slave-repl-offset', ri.slaveReplOffset],
      ['replica-announced', ri.replicaAnnounced],
    );
  }
  if (ri.flags & SRI_SENTINEL) {
    fields.push(['last-hello-message', now - ri.lastHelloTime], ['voted-leader', ri.leader ?? '?'], ['voted-leader-epoch', ri.leaderEpoch]);
  }
  ctx.reply.map(fields.length);
  for (const [k, v] of fields) {
    ctx.reply.bulk(k);
    ctx.reply.bulk(String(v));
  }
}

function replyInstances(ctx: CommandContext, instances: Iterable<Instance>): void {
  const list = [...instances].filter((ri) => !(ri.flags & SRI_SLAVE) || ri.replicaAnnounced);
  ctx.reply.array(list.length);
  for (const ri of list) replyInstance(ctx, ri);
}

const HELP = [
  'SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CKQUORUM <master-name>',
  '    Check if the current Sentinel configuration is able to reach the quorum',
  '    needed to failover a master and the majority needed to authorize the',
  '    failover.',
  'CONFIG SET <param> <value>',
  '    Set a global Sentinel configuration parameter.',
  'CONFIG GET <param>',
  '    Get global Sentinel configuration parameter.',
  'DEBUG [<param> <value> ...]',
  '    Show a list of configurable time parameters and their values (milliseconds).',
  '    Or update current configurable parameters values (one or more).',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  '    Return the ip and port number of the master with that name.',
  'FAILOVER <master-name>',
  '    Manually failover a master node without asking for agreement from other',
  '    Sentinels',
  'FLUSHCONFIG',
  '    Force Sentinel to rewrite its configuration on disk, including the current',
  '    Sentinel state.',
  'INFO-CACHE <master-name>',
  '    Return last cached INFO output from masters and all its replicas.',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  "    Check if the master specified by ip:port is down from current Sentinel's",
  '    point of view.',
  'MASTER <master-name>',
  '    Show the state and info of the specified master.',
  'MASTERS',
  '    Show a list of monitored masters and their state.',
  'MONITOR <name> <ip> <port> <quorum>',
  '    Start monitoring a new master with the specified name, ip, port and quorum.',
  'MYID',
  '    Return the ID of the Sentinel instance.',
  'PENDING-SCRIPTS',
  '    Get pending scripts information.',
  'REMOVE <master-name>',
  "    Remove master from Sentinel's monitor list.",
  'REPLICAS <master-name>',
  '    Show a list of replicas for this master and their state.',
  'RESET <pattern>',
  '    Reset masters for specific master name matching this pattern.',
  'SENTINELS <master-name>',
  '    Show a list of Sentinel instances for this master and their state.',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  '    Set configuration parameters for certain masters.',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  '    Simulate a Sentinel crash.',
  'HELP',
  '    Prints this help.',
];

/** SENTINEL IS-MASTER-DOWN-BY-ADDR ip port current-epoch runid: our SDOWN view, and our vote when asked for one. */
function isMasterDownByAddr(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const port = parseInt64(ctx.argv[3]);
  const epoch = parseInt64(ctx.argv[4]);
  if (port === null || epoch === null) return ctx.reply.error('ERR value is not an integer or out of range');
  const ri = s.findByAddrAndRunId(s.masters, ctx.argv[2], Number(port), null);
  const isDown = !s.tilt && ri !== undefined && (ri.flags & SRI_S_DOWN) !== 0 && (ri.flags & SRI_MASTER) !== 0;
  let leader: string | null = null;
  let leaderEpoch = 0;
  if (ri && ri.flags & SRI_MASTER && ctx.argv[5] !== '*') {
    const v = voteLeader(s, ri, Number(epoch), ctx.argv[5]);
    leader = v.leader;
    leaderEpoch = v.epoch;
  }
  ctx.reply.array(3);
  ctx.reply.int(isDown ? 1 : 0);
  ctx.reply.bulk(leader ?? '*');
  ctx.reply.int(leaderEpoch);
}

function failover(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const ri = masterOrReply(ctx, ctx.argv[2]);
  if (!ri) return;
  if (ri.flags & SRI_FAILOVER_IN_PROGRESS) return ctx.reply.error('INPROG Failover already in progress');
  if (selectSlave(s, ri) === null) return ctx.reply.error('NOGOODSLAVE No suitable replica to promote');
  ctx.server.log.warning(`Executing user requested FAILOVER of '${ri.name}'`);
  startFailover(s, ri);
  ri.flags |= SRI_FORCE_FAILOVER;
  ctx.reply.ok();
}

function monitor(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const quorum = parseInt64(ctx.argv[5]);
  if (quorum === null) return ctx.reply.error('ERR Invalid quorum');
  const port = parseInt64(ctx.argv[4]);
  if (port === null) return ctx.reply.error('ERR Invalid port');
  if (Number(quorum) <= 0) return ctx.reply.error('ERR Quorum must be 1 or greater.');
  if (isIP(ctx.argv[3]) === 0 && !s.resolveHostnames) return ctx.reply.error('ERR Invalid IP address or hostname specified');
  let ri: Instance;
  try {
    ri = s.createInstance(ctx.argv[2], SRI_MASTER, ctx.argv[3], Number(port), Number(quorum), null);
  } catch (e) {
    if (e instanceof AddrError || e instanceof DuplicateInstance) return ctx.reply.error(`ERR ${e.message}`);
    throw e;
  }
  s.flushConfig();
  s.event('warning', '+monitor', ri, `${s.describe(ri)} quorum ${ri.quorum}`);
  ctx.reply.ok();
}

function remove(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const ri = masterOrReply(ctx, ctx.argv[2]);
  if (!ri) return;
  s.event('warning', '-monitor', ri, s.describe(ri));
  s.releaseInstance(ri);
  s.masters.delete(ri.name);
  s.flushConfig();
  ctx.reply.ok();
}

function ckquorum(ctx: CommandContext): void {
  const ri = masterOrReply(ctx, ctx.argv[2]);
  if (!ri) return;
  const q = quorumStatus(ri);
  if (q.ok) ctx.reply.simple(q.message);
  else ctx.reply.error(q.message);
}

/** SENTINEL SET master option value [option value ...] */
function set(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const ri = masterOrReply(ctx, ctx.argv[2]);
  if (!ri) return;
  const argv = ctx.argv;
  let changes = 0;
  const flushAnd = (reply: () => void): void => {
    if (changes && !s.flushConfig()) return ctx.reply.error('ERR Failed to save Sentinel new configuration on disk');
    reply();
  };
  for (let j = 3; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    const option = argv[j];
    const opt = option.toLowerCase();
    const oldJ = j;
    let redacted = false;
    const positive = (allowZero = false): number | null => {
      const v = parseInt64(argv[++j]);
      if (v === null || Number(v) < 0 || (!allowZero && Number(v) === 0)) return null;
      return Number(v);
    };
    const badfmt = (): void => flushAnd(() => ctx.reply.error(`ERR Invalid argument '${argv[j]}' for SENTINEL SET '${option}'`));
    if (opt === 'down-after-milliseconds' && moreargs > 0) {
      const v = positive();
      if (v === null) return badfmt();
      ri.downAfter = v;
      propagateDownAfter(ri);
    } else if (opt === 'failover-timeout' && moreargs > 0) {
      const v = positive();
      if (v === null) return badfmt();
      ri.failoverTimeout = v;
    } else if (opt === 'parallel-syncs' && moreargs > 0) {
      const v = positive();
      if (v === null) return badfmt();
      ri.parallelSyncs = v;
    } else if ((opt === 'notification-script' || opt === 'client-reconfig-script') && moreargs > 0) {
      const value = argv[++j];
      if (s.denyScriptsReconfig) return flushAnd(() => ctx.reply.error(`ERR ${SCRIPTS_DENIED}`));
      if (value.length > 0 && !isExecutable(value)) {
        const what = opt === 'notification-script' ? 'Notification script' : 'Client reconfiguration script';
        return flushAnd(() => ctx.reply.error(`ERR ${what} seems non existing or non executable`));
      }
      if (opt === 'notification-script') ri.notificationScript = value.length ? value : null;
      else ri.clientReconfigScript = value.length ? value : null;
    } else if (opt === 'auth-pass' && moreargs > 0) {
      const value = argv[++j];
      ri.authPass = value.length ? value : null;
      redacted = true;
    } else if (opt === 'auth-user' && moreargs > 0) {
      const value = argv[++j];
      ri.authUser = value.length ? value : null;
    } else if (opt === 'quorum' && moreargs > 0) {
      const v = positive();
      if (v === null) return badfmt();
      ri.quorum = v;
    } else if (opt === 'rename-command' && moreargs > 1) {
      const from = argv[++j];
      const to = argv[++j];
      if (from.length === 0 || to.length === 0) {
        if (to.length !== 0) j--;
        return badfmt();
      }
      ri.renamedCommands.delete(from.toLowerCase());
      if (from.toLowerCase() !== to.toLowerCase()) ri.renamedCommands.set(from.toLowerCase(), to);
    } else if (opt === 'master-reboot-down-after-period' && moreargs > 0) {
      const v = positive(true);
      if (v === null) return badfmt();
      ri.masterRebootDownAfter = v;
    } else {
      return flushAnd(() => ctx.reply.error(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`));
    }
    changes++;
    const shown = argv.slice(oldJ, j + 1);
    if (redacted) shown[1] = '******';
    s.event('warning', '+set', ri, `${s.describe(ri)} ${shown.join(' ')}`);
  }
  flushAnd(() => ctx.reply.ok());
}

function configCmd(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const argv = ctx.argv;
  const sub = argv[2].toLowerCase();
  if (sub === 'set' && argv.length === 5) {
    const opt = argv[3].toLowerCase();
    const val = argv[4];
    const yesno = val.toLowerCase() === 'yes' ? true : val.toLowerCase() === 'no' ? false : null;
    const badfmt = (): void => ctx.reply.error(`ERR Invalid value '${val}' to SENTINEL CONFIG SET '${argv[3]}'`);
    let dropConns = false;
    if (opt === 'resolve-hostnames') {
      if (yesno === null) return badfmt();
      s.resolveHostnames = yesno;
    } else if (opt === 'announce-hostnames') {
      if (yesno === null) return badfmt();
      s.announceHostnames = yesno;
    } else if (opt === 'announce-ip') {
      s.announceIp = val;
    } else if (opt === 'announce-port') {
      const n = parseInt64(val);
      if (n === null || Number(n) < 0 || Number(n) > 65535) return badfmt();
      s.announcePort = Number(n);
    } else if (opt === 'sentinel-user') {
      s.sentinelAuthUser = val.length ? val : null;
      dropConns = true;
    } else if (opt === 'sentinel-pass') {
      s.sentinelAuthPass = val.length ? val : null;
      dropConns = true;
    } else {
      return ctx.reply.error(`ERR Invalid argument '${argv[3]}' to SENTINEL CONFIG SET`);
    }
    s.flushConfig();
    ctx.reply.ok();
    if (dropConns) s.dropSentinelConnections();
    return;
  }
  if (sub === 'get' && argv.length === 4) {
    const values: Array<[string, string]> = [
      ['resolve-hostnames', s.resolveHostnames ? 'yes' : 'no'],
      ['announce-hostnames', s.announceHostnames ? 'yes' : 'no'],
      ['announce-ip', s.announceIp ?? ''],
      ['announce-port', String(s.announcePort)],
      ['sentinel-user', s.sentinelAuthUser ?? ''],
      ['sentinel-pass', s.sentinelAuthPass ?? ''],
    ];
    const hits = values.filter(([k]) => globMatch(argv[3], k, true));
    ctx.reply.map(hits.length);
    for (const [k, v] of hits) {
      ctx.reply.bulk(k);
      ctx.reply.bulk(v);
    }
    return;
  }
  ctx.reply.error('ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.');
}

function infoCache(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const now = Date.now();
  const masters = ctx.argv.length > 2 ? [...new Set(ctx.argv.slice(2))].map((n) => s.masters.get(n)).filter((m): m is Instance => m !== undefined) : [...s.masters.values()];
  ctx.reply.array(masters.length * 2);
  for (const ri of masters) {
    ctx.reply.bulk(ri.name);
    ctx.reply.array(ri.slaves.size + 1);
    for (const x of [ri, ...ri.slaves.values()]) {
      ctx.reply.array(2);
      // As Redis: every entry's age is reported when the master has INFO at all.
      ctx.reply.int(ri.infoRefresh ? now - x.infoRefresh : 0);
      if (x.info !== null) ctx.reply.bulk(x.info);
      else ctx.reply.nil();
    }
  }
}

function simulateFailure(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  s.simFailureFlags = 0;
  for (const a of ctx.argv.slice(2)) {
    const x = a.toLowerCase();
    if (x === 'crash-after-election') {
      s.simFailureFlags |= SIMFAILURE_CRASH_AFTER_ELECTION;
      ctx.server.log.warning('Failure simulation: this Sentinel will crash after being successfully elected as failover leader');
    } else if (x === 'crash-after-promotion') {
      s.simFailureFlags |= SIMFAILURE_CRASH_AFTER_PROMOTION;
      ctx.server.log.warning('Failure simulation: this Sentinel will crash after promoting the selected replica to master');
    } else if (x === 'help') {
      ctx.reply.array(2);
      ctx.reply.bulk('crash-after-election');
      ctx.reply.bulk('crash-after-promotion');
      return;
    } else {
      return ctx.reply.error('ERR Unknown failure simulation specified');
    }
  }
  ctx.reply.ok();
}

const DEBUG_PARAMS: Array<[string, keyof Sentinel['timing']]> = [
  ['info-period', 'infoPeriod'],
  ['ping-period', 'pingPeriod'],
  ['ask-period', 'askPeriod'],
  ['publish-period', 'publishPeriod'],
  ['default-down-after', 'defaultDownAfter'],
  ['default-failover-timeout', 'defaultFailoverTimeout'],
  ['tilt-trigger', 'tiltTrigger'],
  ['tilt-period', 'tiltPeriod'],
  ['slave-reconf-timeout', 'slaveReconfTimeout'],
  ['min-link-reconnect-period', 'minLinkReconnectPeriod'],
  ['election-timeout', 'electionTimeout'],
  ['script-max-runtime', 'scriptMaxRuntime'],
  ['script-retry-delay', 'scriptRetryDelay'],
];

function debug(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const argv = ctx.argv;
  if (argv.length === 2) {
    ctx.reply.map(DEBUG_PARAMS.length);
    for (const [name, key] of DEBUG_PARAMS) {
      ctx.reply.bulk(name.toUpperCase());
      ctx.reply.bulk(String(s.timing[key]));
    }
    return;
  }
  for (let j = 2; j < argv.length; j++) {
    const option = argv[j];
    const p = DEBUG_PARAMS.find(([name]) => name === option.toLowerCase());
    if (!p || j === argv.length - 1) return ctx.reply.error(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${option}'`);
    const v = parseInt64(argv[++j]);
    if (v === null || Number(v) <= 0) return ctx.reply.error(`ERR Invalid argument '${argv[j]}' for SENTINEL DEBUG '${option}'`);
    s.timing[p[1]] = Number(v);
  }
  ctx.reply.ok();
}

function pendingScripts(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const now = Date.now();
  ctx.reply.array(s.scripts.jobs.length);
  for (const j of s.scripts.jobs) {
    ctx.reply.map(5);
    ctx.reply.bulk('argv');
    ctx.reply.array(j.argv.length);
    for (const a of j.argv) ctx.reply.bulk(a);
    ctx.reply.bulk('flags');
    ctx.reply.bulk(j.running ? 'running' : 'scheduled');
    ctx.reply.bulk('pid');
    ctx.reply.bulk(String(j.pid));
    if (j.running) {
      ctx.reply.bulk('run-time');
      ctx.reply.bulk(String(now - j.startTime));
    } else {
      ctx.reply.bulk('run-delay');
      ctx.reply.bulk(String(j.startTime ? Math.max(0, j.startTime - now) : 0));
    }
    ctx.reply.bulk('retry-num');
    ctx.reply.bulk(String(j.retryNum));
  }
}

const SENTINEL_INFO_SECTIONS = ['server', 'clients', 'stats', 'cpu', 'sentinel'];

/** INFO in Sentinel mode: server, clients, stats, cpu, and the sentinel section. */
function sentinelInfo(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  const want = new Set(ctx.argv.slice(1).map((a) => a.toLowerCase()));
  if (want.size === 0) want.add('default');
  if (want.has('default') || want.has('all') || want.has('everything')) for (const x of SENTINEL_INFO_SECTIONS) want.add(x);
  const parts: string[] = [];
  // A Sentinel has no dataset: only these server sections exist, in INFO's usual order.
  const serverSections = ['server', 'clients', 'stats', 'cpu'].filter((x) => want.has(x));
  if (serverSections.length > 0) parts.push(genInfo(ctx.server, serverSections));
  if (want.has('sentinel')) parts.push(sentinelInfoSection(s));
  ctx.reply.verbatim(parts.join('\r\n'));
}

function sentinelRole(ctx: CommandContext): void {
  const s = sentinelOf(ctx);
  ctx.reply.array(2);
  ctx.reply.bulk('sentinel');
  ctx.reply.array(s.masters.size);
  for (const name of s.masters.keys()) ctx.reply.bulk(name);
}

/** PUBLISH in Sentinel mode: other Sentinels may send us hellos directly. */
function sentinelPublish(ctx: CommandContext): void {
  if (ctx.argv[1] !== HELLO_CHANNEL) return ctx.reply.error('ERR Only HELLO messages are accepted by Sentinel instances.');
  processHelloMessage(sentinelOf(ctx), ctx.argv[2]);
  ctx.reply.int(1);
}

const SENTINEL_DEFS: CommandDef[] = [
  { name: 'sentinel|help', handler: (ctx) => replyHelp(ctx, HELP) },
  { name: 'sentinel|masters', handler: (ctx) => replyInstances(ctx, sentinelOf(ctx).masters.values()) },
  {
    name: 'sentinel|master',
    handler: (ctx) => {
      const ri = masterOrReply(ctx, ctx.argv[2]);
      if (ri) replyInstance(ctx, ri);
    },
  },
  {
    name: 'sentinel|replicas',
    handler: (ctx) => {
      const ri = masterOrReply(ctx, ctx.argv[2]);
      if (ri) replyInstances(ctx, ri.slaves.values());
    },
  },
  {
    name: 'sentinel|slaves',
    handler: (ctx) => {
      const ri = masterOrReply(ctx, ctx.argv[2]);
      if (ri) replyInstances(ctx, ri.slaves.values());
    },
  },
  {
    name: 'sentinel|sentinels',
    handler: (ctx) => {
      const ri = masterOrReply(ctx, ctx.argv[2]);
      if (ri) replyInstances(ctx, ri.sentinels.values());
    },
  },
  { name: 'sentinel|myid', handler: (ctx) => ctx.reply.bulk(sentinelOf(ctx).myid) },
  { name: 'sentinel|is-master-down-by-addr', handler: isMasterDownByAddr },
  { name: 'sentinel|reset', handler: (ctx) => ctx.reply.int(sentinelOf(ctx).resetMastersByPattern(ctx.argv[2])) },
  {
    name: 'sentinel|get-master-addr-by-name',
    handler: (ctx) => {
      const s = sentinelOf(ctx);
      const ri = s.masters.get(ctx.argv[2]);
      if (!ri) return ctx.reply.nilArray();
      const a = s.currentMasterAddr(ri);
      ctx.reply.array(2);
      ctx.reply.bulk(s.announceAddr(a));
      ctx.reply.bulk(String(a.port));
    },
  },
  { name: 'sentinel|failover', handler: failover },
  { name: 'sentinel|pending-scripts', handler: pendingScripts },
  { name: 'sentinel|monitor', handler: monitor },
  {
    name: 'sentinel|flushconfig',
    handler: (ctx) => {
      sentinelOf(ctx).flushConfig();
      ctx.reply.ok();
    },
  },
  { name: 'sentinel|remove', handler: remove },
  { name: 'sentinel|ckquorum', handler: ckquorum },
  { name: 'sentinel|set', handler: set },
  { name: 'sentinel|config', handler: configCmd },
  { name: 'sentinel|info-cache', handler: infoCache },
  { name: 'sentinel|simulate-failure', handler: simulateFailure },
  { name: 'sentinel|debug', handler: debug },
  { name: 'info', handler: sentinelInfo },
  { name: 'role', handler: sentinelRole },
  { name: 'publish', handler: sentinelPublish },
];

/** The server commands a Sentinel also serves (redis-sentinel's table). */
const SHARED = new Set(['ping', 'auth', 'hello', 'client', 'command', 'shutdown', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe']);

export const SENTINEL_MODE_COMMANDS: readonly CommandDef[] = [
  ...ALL_COMMANDS.filter((d) => SHARED.has(d.name.split('|')[0])),
  ...SENTINEL_DEFS,
];
