/**
 * Watching one instance, as sentinel.c does every timer tick: keep its two
 * links up, send PING / INFO / hello on their periods, learn replicas and
 * roles from INFO, peers and newer configurations from hello messages, and
 * decide subjective (SDOWN) and objective (ODOWN) down states.
 */
import type { RespValue } from '../protocol/resp-value.js';
import { RespConnection } from '../net/resp-connection.js';
import {
  SRI_MASTER, SRI_SLAVE, SRI_SENTINEL, SRI_S_DOWN, SRI_O_DOWN, SRI_MASTER_DOWN, SRI_FAILOVER_IN_PROGRESS, SRI_PROMOTED,
  SRI_RECONF_SENT, SRI_RECONF_INPROG, SRI_RECONF_DONE, SRI_SCRIPT_KILL_SENT, SRI_MASTER_REBOOT,
  type Instance, type Addr,
} from './instance.js';
import { HELLO_CHANNEL, SIMFAILURE_CRASH_AFTER_PROMOTION, type Sentinel } from './sentinel.js';
import { startFailoverIfNeeded, failoverStateMachine, callClientReconfScript, simFailureCrash, noteTimeline, observedSwitch } from './failover.js';

const MAX_PENDING_COMMANDS = 100;

/** sentinelHandleRedisInstance: one tick's work for one instance. */
export function handleInstance(s: Sentinel, ri: Instance): void {
  reconnectInstance(s, ri);
  sendPeriodicCommands(s, ri);
  if (s.tilt) {
    if (Date.now() - s.tiltStartTime < s.timing.tiltPeriod) return;
    s.tilt = false;
    s.event('warning', '-tilt', null, '#tilt mode exited');
  }
  checkSubjectivelyDown(s, ri);
  if (ri.flags & SRI_MASTER) {
    checkObjectivelyDown(s, ri);
    if (startFailoverIfNeeded(s, ri)) askMasterStateToOtherSentinels(s, ri, true);
    failoverStateMachine(s, ri);
    askMasterStateToOtherSentinels(s, ri, false);
  }
}

// ---- links ---------------------------------------------------------------

function sendAuthIfNeeded(s: Sentinel, ri: Instance, c: RespConnection): void {
  let pass: string | null = null;
  let user: string | null = null;
  if (ri.flags & (SRI_MASTER | SRI_SLAVE)) {
    pass = ri.owner().authPass;
    user = ri.owner().authUser;
  } else if (s.sentinelAuthPass !== null) {
    pass = s.sentinelAuthPass;
    user = s.sentinelAuthUser;
  } else {
    const rp = s.server.config.get('requirepass');
    pass = rp === '' ? null : rp;
  }
  if (pass === null) return;
  ri.link.pendingCommands++;
  c.send(user === null ? [ri.command('AUTH'), pass] : [ri.command('AUTH'), user, pass], () => ri.link.pendingCommands--);
}

function setClientName(s: Sentinel, ri: Instance, c: RespConnection, type: 'cmd' | 'pubsub'): void {
  ri.link.pendingCommands++;
  c.send([ri.command('CLIENT'), 'SETNAME', `sentinel-${s.myid.slice(0, 8)}-${type}`], () => ri.link.pendingCommands--);
}

/** sentinelReconnectInstance: at most once per ping period, reopen whichever link is missing. */
export function reconnectInstance(s: Sentinel, ri: Instance): void {
  const link = ri.link;
  if (!link.disconnected || ri.addr.port === 0) return;
  const now = Date.now();
  if (now - link.lastReconnTime < s.timing.pingPeriod) return;
  link.lastReconnTime = now;
  if (link.cc === null) {
    const cc = new RespConnection(ri.addr.ip, ri.addr.port);
    cc.onClose = (why) => {
      if (link.cc !== cc) return;
      link.cc = null;
      link.disconnected = true;
      s.event('debug', '-cmd-link-reconnection', ri, `${s.describe(ri)} #${why}`);
    };
    link.cc = cc;
    link.pendingCommands = 0;
    link.ccConnTime = now;
    sendAuthIfNeeded(s, ri, cc);
    setClientName(s, ri, cc, 'cmd');
    sendPing(s, ri);
  }
  if (ri.flags & (SRI_MASTER | SRI_SLAVE) && link.pc === null) {
    const pc = new RespConnection(ri.addr.ip, ri.addr.port);
    pc.onClose = (why) => {
      if (link.pc !== pc) return;
      link.pc = null;
      link.disconnected = true;
      s.event('debug', '-pubsub-link-reconnection', ri, `${s.describe(ri)} #${why}`);
    };
    link.pc = pc;
    link.pcConnTime = now;
    sendAuthIfNeeded(s, ri, pc);
    setClientName(s, ri, pc, 'pubsub');
    pc.onMessage = (msg) => receiveHelloMessage(s, ri, msg);
    pc.send([ri.command('SUBSCRIBE'), HELLO_CHANNEL]);
  }
  if (link.cc !== null && (ri.flags & SRI_SENTINEL || link.pc !== null)) link.disconnected = false;
}

export function sendPing(s: Sentinel, ri: Instance): boolean {
  const link = ri.link;
  const cc = link.cc;
  if (cc === null) return false;
  link.pendingCommands++;
  cc.send([ri.command('PING')], (r) => pingReply(s, ri, r));
  link.lastPingTime = Date.now();
  if (link.actPingTime === 0) link.actPingTime = link.lastPingTime;
  return true;
}

function pingReply(s: Sentinel, ri: Instance, r: RespValue | null): void {
  if (r === null) return;
  const link = ri.link;
  link.pendingCommands--;
  if (r.type === 'simple' || r.type === 'error') {
    const v = r.value;
    if (v.startsWith('PONG') || v.startsWith('LOADING') || v.startsWith('MASTERDOWN')) {
      link.lastAvailTime = Date.now();
      link.actPingTime = 0;
      if (ri.flags & SRI_MASTER_REBOOT && v.startsWith('PONG')) ri.flags &= ~SRI_MASTER_REBOOT;
    } else if (v.startsWith('BUSY') && ri.flags & SRI_S_DOWN && !(ri.flags & SRI_SCRIPT_KILL_SENT) && link.cc) {
      // A script is hogging the instance: ask it to stop before we fail over.
      link.pendingCommands++;
      link.cc.send([ri.command('SCRIPT'), 'KILL'], () => link.pendingCommands--);
      ri.flags |= SRI_SCRIPT_KILL_SENT;
    }
  }
  link.lastPongTime = Date.now();
}

/**
 * sentinelSendSlaveOf: REPLICAOF inside MULTI/EXEC with CONFIG REWRITE and
 * the killing of normal and pub/sub clients, so clients reconnect and
 * re-resolve the master. `addr` null means REPLICAOF NO ONE.
 */
export function sendSlaveOf(s: Sentinel, ri: Instance, addr: Addr | null): boolean {
  const cc = ri.link.cc;
  if (cc === null) return false;
  const host = addr === null ? 'NO' : s.announceAddr(addr);
  const port = addr === null ? 'ONE' : String(addr.port);
  const done = (): void => {
    ri.link.pendingCommands--;
  };
  const cmds: string[][] = [
    [ri.command('MULTI')],
    [ri.command('SLAVEOF'), host, port],
    [ri.command('CONFIG'), 'REWRITE'],
    [ri.command('CLIENT'), 'KILL', 'TYPE', 'normal'],
    [ri.command('CLIENT'), 'KILL', 'TYPE', 'pubsub'],
    [ri.command('EXEC')],
  ];
  for (const c of cmds) {
    ri.link.pendingCommands++;
    cc.send(c, done);
  }
  return true;
}

function sendPeriodicCommands(s: Sentinel, ri: Instance): void {
  const link = ri.link;
  if (link.disconnected || link.cc === null) return;
  if (link.pendingCommands >= MAX_PENDING_COMMANDS) return;
  const now = Date.now();
  const t = s.timing;
  // While the master is down or failing over, replicas are polled every second: their role and offset matter now.
  // Reddish also counts the master's SDOWN: the replicas' offsets must be fresh when the failover picks one.
  const masterTrouble = SRI_S_DOWN | SRI_O_DOWN | SRI_FAILOVER_IN_PROGRESS;
  const infoPeriod = ri.flags & SRI_SLAVE && (ri.master!.flags & masterTrouble || ri.masterLinkDownTime !== 0) ? 1000 : t.infoPeriod;
  const pingPeriod = Math.min(ri.downAfter, t.pingPeriod);
  const infoDue = ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod || (ri.infoWanted && !ri.infoInFlight);
  if (!(ri.flags & SRI_SENTINEL) && infoDue) {
    link.pendingCommands++;
    ri.infoInFlight = true;
    link.cc.send([ri.command('INFO')], (r) => {
      ri.infoInFlight = false;
      if (r === null) return;
      link.pendingCommands--;
      if (r.type === 'bulk' || r.type === 'verbatim') {
        ri.infoWanted = false;
        refreshInstanceInfo(s, ri, r.value);
      }
    });
  }
  if (now - link.lastPongTime > pingPeriod && now - link.lastPingTime > pingPeriod / 2) sendPing(s, ri);
  if (now - ri.lastPubTime > t.publishPeriod) sendHello(s, ri);
}

// ---- INFO ----------------------------------------------------------------

function masterLooksSane(s: Sentinel, master: Instance): boolean {
  return (
    (master.flags & SRI_MASTER) !== 0 &&
    master.roleReported === SRI_MASTER &&
    (master.flags & (SRI_S_DOWN | SRI_O_DOWN)) === 0 &&
    Date.now() - master.infoRefresh < s.timing.infoPeriod * 2
  );
}

function noDownFor(ri: Instance, ms: number): boolean {
  const recent = Math.max(ri.sDownSince, ri.oDownSince);
  return recent === 0 || Date.now() - recent > ms;
}

function addrEqualsHost(s: Sentinel, a: Addr, host: string | null): boolean {
  return host !== null && a.ip.toLowerCase() === host.toLowerCase();
}

/** sentinelRefreshInstanceInfo: what INFO tells about an instance, and what Sentinel does about it. */
export function refreshInstanceInfo(s: Sentinel, ri: Instance, info: string): void {
  ri.info = info;
  ri.masterLinkDownTime = 0;
  let role = 0;
  for (const l of info.split('\r\n')) {
    if (l.length >= 47 && l.startsWith('run_id:')) {
      const id = l.slice(7, 47);
      if (ri.runid === null) ri.runid = id;
      else if (ri.runid !== id) {
        s.event('notice', '+reboot', ri, s.describe(ri));
        if (ri.flags & SRI_MASTER && ri.masterRebootDownAfter !== 0) {
          ri.flags |= SRI_MASTER_REBOOT;
          ri.masterRebootSince = Date.now();
        }
        ri.runid = id;
      }
    }
    if (ri.flags & SRI_MASTER && l.length >= 7 && l.startsWith('slave') && l.charCodeAt(5) >= 48 && l.charCodeAt(5) <= 57) {
      const parsed = parseSlaveLine(l);
      if (parsed && s.lookupSlave(ri, parsed.ip, parsed.port) === undefined) {
        try {
          const r = s.createInstance(null, SRI_SLAVE, parsed.ip, parsed.port, ri.quorum, ri);
          s.event('notice', '+slave', r, s.describe(r));
          s.flushConfig();
        } catch {
          /* unusable address: ignored as Redis does */
        }
      }
    }
    if (l.length >= 32 && l.startsWith('master_link_down_since_seconds')) ri.masterLinkDownTime = parseInt(l.slice(31), 10) * 1000;
    if (l.startsWith('role:master')) role = SRI_MASTER;
    else if (l.startsWith('role:slave')) role = SRI_SLAVE;
    if (role === SRI_SLAVE) {
      if (l.startsWith('master_host:')) {
        const h = l.slice(12);
        if (ri.slaveMasterHost === null || h.toLowerCase() !== ri.slaveMasterHost.toLowerCase()) {
          ri.slaveMasterHost = h;
          ri.slaveConfChangeTime = Date.now();
        }
      }
      if (l.startsWith('master_port:')) {
        const p = parseInt(l.slice(12), 10) || 0;
        if (ri.slaveMasterPort !== p) {
          ri.slaveMasterPort = p;
          ri.slaveConfChangeTime = Date.now();
        }
      }
      if (l.startsWith('master_link_status:')) ri.slaveMasterLinkUp = l.slice(19).toLowerCase() === 'up';
      if (l.startsWith('slave_priority:')) ri.slavePriority = parseInt(l.slice(15), 10) || 0;
      if (l.startsWith('slave_repl_offset:')) ri.slaveReplOffset = Number(l.slice(18)) || 0;
      if (l.startsWith('replica_announced:')) ri.replicaAnnounced = parseInt(l.slice(18), 10) || 0;
    }
  }
  ri.infoRefresh = Date.now();
  if (role !== ri.roleReported) {
    ri.roleReportedTime = Date.now();
    ri.roleReported = role;
    if (role === SRI_SLAVE) ri.slaveConfChangeTime = Date.now();
    const expected = (ri.flags & (SRI_MASTER | SRI_SLAVE)) === role;
    s.event('verbose', expected ? '+role-change' : '-role-change', ri, `${s.describe(ri)} new reported role is ${role === SRI_MASTER ? 'master' : 'slave'}`);
  }
  if (s.tilt) return;
  const master = ri.master;
  if (ri.flags & SRI_SLAVE && master && role === SRI_MASTER) {
    if (ri.flags & SRI_PROMOTED && master.flags & SRI_FAILOVER_IN_PROGRESS && master.failoverState === 'wait_promotion') {
      // The replica we promoted reports itself master: the failover's config epoch becomes the master's.
      master.configEpoch = master.failoverEpoch;
      master.failoverState = 'reconf_slaves';
      master.failoverStateChangeTime = Date.now();
      s.flushConfig();
      s.event('warning', '+promoted-slave', ri, s.describe(ri));
      noteTimeline(master, 'promoted');
      if (s.simFailureFlags & SIMFAILURE_CRASH_AFTER_PROMOTION) simFailureCrash(s);
      s.event('warning', '+failover-state-reconf-slaves', master, s.describe(master));
      callClientReconfScript(s, master, 'leader', 'start', master.addr, ri.addr);
      forceHelloUpdateForMaster(s, master);
    } else {
      // A replica claims to be master on its own (an old master restarted): make it a replica again, once things look stable.
      const wait = s.timing.publishPeriod * 4;
      if (!(ri.flags & SRI_PROMOTED) && masterLooksSane(s, master) && noDownFor(ri, wait) && Date.now() - ri.roleReportedTime > wait) {
        if (sendSlaveOf(s, ri, master.addr)) s.event('notice', '+convert-to-slave', ri, s.describe(ri));
      }
    }
  }
  if (ri.flags & SRI_SLAVE && master && role === SRI_SLAVE && (ri.slaveMasterPort !== master.addr.port || !addrEqualsHost(s, master.addr, ri.slaveMasterHost))) {
    // Replicating from the wrong master for longer than failover-timeout: point it at ours.
    const wait = master.failoverTimeout;
    if (masterLooksSane(s, master) && noDownFor(ri, wait) && Date.now() - ri.slaveConfChangeTime > wait) {
      if (sendSlaveOf(s, ri, master.addr)) s.event('notice', '+fix-slave-config', ri, s.describe(ri));
    }
  }
  if (ri.flags & SRI_SLAVE && master && role === SRI_SLAVE && ri.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) {
    const promoted = master.promotedSlave;
    if (ri.flags & SRI_RECONF_SENT && promoted && addrEqualsHost(s, promoted.addr, ri.slaveMasterHost) && ri.slaveMasterPort === promoted.addr.port) {
      ri.flags &= ~SRI_RECONF_SENT;
      ri.flags |= SRI_RECONF_INPROG;
      s.event('notice', '+slave-reconf-inprog', ri, s.describe(ri));
    }
    if (ri.flags & SRI_RECONF_INPROG && ri.slaveMasterLinkUp) {
      ri.flags &= ~SRI_RECONF_INPROG;
      ri.flags |= SRI_RECONF_DONE;
      s.event('notice', '+slave-reconf-done', ri, s.describe(ri));
    }
  }
}

/** `slaveN:ip=...,port=...,...` (or the pre-2.8 `slaveN:<ip>,<port>,<state>`). */
function parseSlaveLine(l: string): { ip: string; port: number } | null {
  const body = l.slice(l.indexOf(':') + 1);
  if (!l.includes('ip=')) {
    const parts = body.split(',');
    if (parts.length < 3) return null;
    return { ip: parts[0], port: parseInt(parts[1], 10) || 0 };
  }
  const fields = new Map<string, string>();
  for (const kv of body.split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) fields.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const ip = fields.get('ip');
  const port = fields.get('port');
  if (ip === undefined || port === undefined) return null;
  return { ip, port: parseInt(port, 10) || 0 };
}

// ---- hello ---------------------------------------------------------------

/**
 * sentinelSendHello: PUBLISH on the instance's hello channel
 * `<ip>,<port>,<runid>,<current-epoch>,<master-name>,<master-ip>,<master-port>,<master-config-epoch>`.
 */
export function sendHello(s: Sentinel, ri: Instance): boolean {
  const cc = ri.link.cc;
  if (ri.link.disconnected || cc === null) return false;
  const master = ri.flags & SRI_MASTER ? ri : ri.master!;
  const maddr = s.currentMasterAddr(master);
  const ip = s.announceIp ?? cc.localAddress().replace(/^::ffff:/, '');
  if (ip === '') return false;
  const port = s.announcePort !== 0 ? s.announcePort : s.server.boundPort();
  const payload = `${ip},${port},${s.myid},${s.currentEpoch},${master.name},${s.announceAddr(maddr)},${maddr.port},${master.configEpoch}`;
  ri.link.pendingCommands++;
  cc.send([ri.command('PUBLISH'), HELLO_CHANNEL, payload], (r) => {
    if (r === null) return;
    ri.link.pendingCommands--;
    if (r.type !== 'error') ri.lastPubTime = Date.now();
  });
  return true;
}

/** Makes every instance of this master send its hello on the next tick (a new config must spread fast). */
export function forceHelloUpdateForMaster(s: Sentinel, master: Instance): void {
  const back = s.timing.publishPeriod + 1;
  const bump = (ri: Instance): void => {
    if (ri.lastPubTime >= back) ri.lastPubTime -= back;
  };
  bump(master);
  for (const r of master.sentinels.values()) bump(r);
  for (const r of master.slaves.values()) bump(r);
}

function receiveHelloMessage(s: Sentinel, ri: Instance, msg: RespValue[]): void {
  ri.link.pcLastActivity = Date.now();
  if (msg.length !== 3 || msg[0].type !== 'bulk' || msg[0].value !== 'message' || msg[2].type !== 'bulk') return;
  const text = msg[2].value;
  if (text.includes(s.myid)) return;
  processHelloMessage(s, text);
}

/**
 * sentinelProcessHelloMessage: learn (or re-address) the Sentinel that sent
 * it, adopt a newer current epoch, and switch to a newer master config.
 */
export function processHelloMessage(s: Sentinel, hello: string): void {
  const token = hello.split(',');
  if (token.length !== 8) return;
  const master = s.masters.get(token[4]);
  if (!master) return;
  const port = parseInt(token[1], 10) || 0;
  const masterPort = parseInt(token[6], 10) || 0;
  const currentEpoch = Number(token[3]) || 0;
  const masterConfigEpoch = Number(token[7]) || 0;
  let si = s.findByAddrAndRunId(master.sentinels, token[0], port, token[2]) ?? null;
  if (si === null) {
    // Same run id at a new address: forget the old entry. Another Sentinel at this address: it is gone.
    let removed = 0;
    for (const [k, r] of [...master.sentinels]) {
      if (r.runid === token[2]) {
        s.releaseInstance(r);
        master.sentinels.delete(k);
        removed++;
      }
    }
    if (removed) {
      s.event('notice', '+sentinel-address-switch', master, `${s.describe(master)} ip ${token[0]} port ${port} for ${token[2]}`);
    } else {
      const other = s.findByAddrAndRunId(master.sentinels, token[0], port, null);
      if (other) {
        s.event('notice', '+sentinel-invalid-addr', other, s.describe(other));
        other.addr.port = 0;
        updateSentinelAddressInAllMasters(s, other);
      }
    }
    try {
      si = s.createInstance(token[2], SRI_SENTINEL, token[0], port, master.quorum, master);
      if (!removed) s.event('notice', '+sentinel', si, s.describe(si));
      si.runid = token[2];
      if (removed) updateSentinelAddressInAllMasters(s, si);
      s.flushConfig();
    } catch {
      si = null;
    }
  }
  if (currentEpoch > s.currentEpoch) {
    s.currentEpoch = currentEpoch;
    s.flushConfig();
    s.event('warning', '+new-epoch', master, String(s.currentEpoch));
  }
  if (si !== null && master.configEpoch < masterConfigEpoch) {
    master.configEpoch = masterConfigEpoch;
    if (masterPort !== master.addr.port || !addrEqualsHost(s, master.addr, token[5])) {
      s.event('warning', '+config-update-from', si, s.describe(si));
      s.event('warning', '+switch-master', master, `${master.name} ${s.announceAddr(master.addr)} ${master.addr.port} ${token[5]} ${masterPort}`);
      const old = { ...master.addr };
      try {
        s.resetMasterAndChangeAddress(master, token[5], masterPort);
        callClientReconfScript(s, master, 'observer', 'start', old, master.addr);
        observedSwitch(s, master);
      } catch {
        /* unusable address in the hello: keep ours */
      }
    }
  }
  if (si !== null) si.lastHelloTime = Date.now();
}

/** A Sentinel's address changed: every master's entry for it follows (links reopen at the new one). */
function updateSentinelAddressInAllMasters(s: Sentinel, ri: Instance): void {
  let reconfigured = 0;
  for (const master of s.masters.values()) {
    const match = ri.runid === null ? undefined : s.findByAddrAndRunId(master.sentinels, null, 0, ri.runid);
    if (!match) continue;
    match.link.closeAll();
    if (match.addr.port === 0) {
      master.sentinels.delete(match.name);
      continue;
    }
    if (match === ri) continue;
    match.addr = { ...ri.addr };
    reconfigured++;
  }
  if (reconfigured) s.event('notice', '+sentinel-address-update', ri, `${s.describe(ri)} ${reconfigured} additional matching instances`);
}

// ---- down detection --------------------------------------------------------

/**
 * sentinelCheckSubjectivelyDown: no valid PING reply for down-after-milliseconds
 * (or a master reporting itself replica for too long, or a reboot not yet
 * recovered) is SDOWN. Links idle for too long are closed and reopened first.
 */
function checkSubjectivelyDown(s: Sentinel, ri: Instance): void {
  const link = ri.link;
  const now = Date.now();
  let elapsed = 0;
  if (link.actPingTime) elapsed = now - link.actPingTime;
  else if (link.disconnected) elapsed = now - link.lastAvailTime;
  if (link.cc && now - link.ccConnTime > s.timing.minLinkReconnectPeriod && link.actPingTime !== 0 &&
      now - link.actPingTime > ri.downAfter / 2 && now - link.lastPongTime > ri.downAfter / 2) {
    link.closeCommand();
  }
  if (link.pc && now - link.pcConnTime > s.timing.minLinkReconnectPeriod && now - link.pcLastActivity > s.timing.publishPeriod * 3) {
    link.closePubsub();
  }
  const down =
    elapsed > ri.downAfter ||
    (ri.flags & SRI_MASTER && ri.roleReported === SRI_SLAVE && now - ri.roleReportedTime > ri.downAfter + s.timing.infoPeriod * 2) ||
    (ri.flags & SRI_MASTER_REBOOT && now - ri.masterRebootSince > ri.masterRebootDownAfter);
  if (down) {
    if (!(ri.flags & SRI_S_DOWN)) {
      s.event('warning', '+sdown', ri, s.describe(ri));
      ri.sDownSince = now;
      ri.flags |= SRI_S_DOWN;
      if (ri.flags & SRI_MASTER) noteTimeline(ri, 'sdown');
    }
  } else if (ri.flags & SRI_S_DOWN) {
    s.event('warning', '-sdown', ri, s.describe(ri));
    ri.flags &= ~(SRI_S_DOWN | SRI_SCRIPT_KILL_SENT);
  }
}

/** ODOWN: SDOWN here plus enough Sentinels reporting it down to reach the quorum. */
function checkObjectivelyDown(s: Sentinel, master: Instance): void {
  let quorum = 0;
  let odown = false;
  if (master.flags & SRI_S_DOWN) {
    quorum = 1;
    for (const r of master.sentinels.values()) if (r.flags & SRI_MASTER_DOWN) quorum++;
    if (quorum >= master.quorum) odown = true;
  }
  if (odown) {
    if (!(master.flags & SRI_O_DOWN)) {
      s.event('warning', '+odown', master, `${s.describe(master)} #quorum ${quorum}/${master.quorum}`);
      master.flags |= SRI_O_DOWN;
      master.oDownSince = Date.now();
      noteTimeline(master, 'odown');
    }
  } else if (master.flags & SRI_O_DOWN) {
    s.event('warning', '-odown', master, s.describe(master));
    master.flags &= ~SRI_O_DOWN;
  }
}

/**
 * sentinelAskMasterStateToOtherSentinels: while our master is SDOWN, ask the
 * others (every ask period, or now when forced) whether they see it down, and
 * during a failover also for their vote (our run id instead of "*").
 */
export function askMasterStateToOtherSentinels(s: Sentinel, master: Instance, forced: boolean): void {
  const now = Date.now();
  for (const ri of master.sentinels.values()) {
    const elapsed = now - ri.lastMasterDownReplyTime;
    if (elapsed > s.timing.askPeriod * 5) {
      ri.flags &= ~SRI_MASTER_DOWN;
      ri.leader = null;
    }
    if (!(master.flags & SRI_S_DOWN)) continue;
    if (ri.link.disconnected || ri.link.cc === null) continue;
    if (!forced && now - ri.lastMasterDownReplyTime < s.timing.askPeriod) continue;
    ri.link.pendingCommands++;
    const runid = master.failoverState !== 'none' ? s.myid : '*';
    ri.link.cc.send(
      [ri.command('SENTINEL'), 'is-master-down-by-addr', s.announceAddr(master.addr), String(master.addr.port), String(s.currentEpoch), runid],
      (r) => isMasterDownReply(s, ri, r),
    );
  }
}

function isMasterDownReply(s: Sentinel, ri: Instance, r: RespValue | null): void {
  if (r === null) return;
  ri.link.pendingCommands--;
  if (r.type !== 'array' || r.value === null || r.value.length !== 3) return;
  const [down, leader, epoch] = r.value;
  if (down.type !== 'integer' || leader.type !== 'bulk' || epoch.type !== 'integer') return;
  ri.lastMasterDownReplyTime = Date.now();
  if (down.value === 1n) ri.flags |= SRI_MASTER_DOWN;
  else ri.flags &= ~SRI_MASTER_DOWN;
  if (leader.value !== '*') {
    if (ri.leaderEpoch !== Number(epoch.value)) s.server.log.warning(`${ri.name} voted for ${leader.value} ${epoch.value}`);
    ri.leader = leader.value;
    ri.leaderEpoch = Number(epoch.value);
  }
}

