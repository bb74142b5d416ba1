/**
 * Failover, as sentinel.c runs it: when a master is ODOWN a Sentinel starts a
 * new epoch and asks the others for their vote; one that collects a majority
 * (and at least the quorum) selects the best replica, promotes it with
 * REPLICAOF NO ONE, waits to see it report the master role, repoints the
 * other replicas (parallel-syncs at a time), and finally switches its own
 * view to the new master; the others follow through the hello messages that
 * carry the new config epoch. Each step is a named state, changed here only.
 */
import {
  SRI_S_DOWN, SRI_O_DOWN, SRI_FAILOVER_IN_PROGRESS, SRI_FORCE_FAILOVER, SRI_PROMOTED,
  SRI_RECONF_SENT, SRI_RECONF_INPROG, SRI_RECONF_DONE, type Instance, type Addr, type FailoverState,
} from './instance.js';
import { MAX_DESYNC, SIMFAILURE_CRASH_AFTER_ELECTION, type Sentinel } from './sentinel.js';
import { sendSlaveOf } from './monitor.js';

function setState(master: Instance, state: FailoverState): void {
  master.failoverState = state;
  master.failoverStateChangeTime = Date.now();
}

/** Records a step of this master's failover for the timeline logged at the end. */
export function noteTimeline(master: Instance, what: string): void {
  if (what === 'sdown') master.timeline = [];
  master.timeline.push({ what, at: Date.now() });
}

function logTimeline(s: Sentinel, master: Instance): void {
  const t = master.timeline;
  if (t.length === 0) return;
  const start = t[0].at;
  const steps = t.map((x) => `${x.what} +${x.at - start}ms`).join(', ');
  s.server.log.warning(`Failover timeline for ${master.name} (epoch ${master.configEpoch}): ${steps}`);
  master.timeline = [];
}

export function startFailover(s: Sentinel, master: Instance): void {
  setState(master, 'wait_start');
  master.flags |= SRI_FAILOVER_IN_PROGRESS;
  master.failoverEpoch = ++s.currentEpoch;
  s.event('warning', '+new-epoch', master, String(s.currentEpoch));
  s.event('warning', '+try-failover', master, s.describe(master));
  master.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
  noteTimeline(master, 'try-failover');
}

/** A new failover only once the last attempt is more than twice failover-timeout old. */
export function startFailoverIfNeeded(s: Sentinel, master: Instance): boolean {
  if (!(master.flags & SRI_O_DOWN) || master.flags & SRI_FAILOVER_IN_PROGRESS) return false;
  if (Date.now() - master.failoverStartTime < master.failoverTimeout * 2) {
    if (master.failoverDelayLogged !== master.failoverStartTime) {
      master.failoverDelayLogged = master.failoverStartTime;
      const when = ctime(new Date(master.failoverStartTime + master.failoverTimeout * 2));
      s.server.log.warning(`Next failover delay: I will not start a failover before ${when}`);
    }
    return false;
  }
  startFailover(s, master);
  return true;
}

/**
 * sentinelVoteLeader: one vote per epoch, to the first Sentinel asking for a
 * newer one. Voting for someone else delays our own attempt, so Sentinels
 * don't keep splitting the vote.
 */
export function voteLeader(s: Sentinel, master: Instance, reqEpoch: number, reqRunid: string): { leader: string | null; epoch: number } {
  if (reqEpoch > s.currentEpoch) {
    s.currentEpoch = reqEpoch;
    s.flushConfig();
    s.event('warning', '+new-epoch', master, String(s.currentEpoch));
  }
  if (master.leaderEpoch < reqEpoch && s.currentEpoch <= reqEpoch) {
    master.leader = reqRunid;
    master.leaderEpoch = s.currentEpoch;
    s.flushConfig();
    s.event('warning', '+vote-for-leader', master, `${master.leader} ${master.leaderEpoch}`);
    if (master.leader.toLowerCase() !== s.myid) master.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
  }
  return { leader: master.leader, epoch: master.leaderEpoch };
}

/**
 * sentinelGetLeader: count the votes the other Sentinels reported for this
 * epoch, add ours (for the front runner, else ourselves); the winner needs an
 * absolute majority of the known Sentinels and at least the quorum.
 */
function getLeader(s: Sentinel, master: Instance, epoch: number): string | null {
  const counters = new Map<string, number>();
  const voters = master.sentinels.size + 1;
  for (const ri of master.sentinels.values()) {
    if (ri.leader !== null && ri.leaderEpoch === s.currentEpoch) counters.set(ri.leader, (counters.get(ri.leader) ?? 0) + 1);
  }
  let winner: string | null = null;
  let maxVotes = 0;
  for (const [id, n] of counters) {
    if (n > maxVotes) {
      maxVotes = n;
      winner = id;
    }
  }
  const mine = voteLeader(s, master, epoch, winner ?? s.myid);
  if (mine.leader !== null && mine.epoch === epoch) {
    const n = (counters.get(mine.leader) ?? 0) + 1;
    counters.set(mine.leader, n);
    if (n > maxVotes) {
      maxVotes = n;
      winner = mine.leader;
    }
  }
  const majority = Math.floor(voters / 2) + 1;
  if (winner !== null && (maxVotes < majority || maxVotes < master.quorum)) winner = null;
  return winner;
}

/**
 * sentinelSelectSlave: drop replicas that are down, disconnected, silent,
 * priority 0, with stale INFO, or disconnected from the master for too long;
 * then lowest replica-priority, highest replication offset, smallest run id.
 */
export function selectSlave(s: Sentinel, master: Instance): Instance | null {
  const now = Date.now();
  let maxMasterDown = master.downAfter * 10;
  if (master.flags & SRI_S_DOWN) maxMasterDown += now - master.sDownSince;
  const candidates: Instance[] = [];
  for (const r of master.slaves.values()) {
    if (r.flags & (SRI_S_DOWN | SRI_O_DOWN)) continue;
    if (r.link.disconnected) continue;
    if (now - r.link.lastAvailTime > s.timing.pingPeriod * 5) continue;
    if (r.slavePriority === 0) continue;
    const validity = master.flags & SRI_S_DOWN ? s.timing.pingPeriod * 5 : s.timing.infoPeriod * 3;
    if (now - r.infoRefresh > validity) continue;
    if (r.masterLinkDownTime > maxMasterDown) continue;
    candidates.push(r);
  }
  candidates.sort(comparePromotion);
  return candidates[0] ?? null;
}

function comparePromotion(a: Instance, b: Instance): number {
  if (a.slavePriority !== b.slavePriority) return a.slavePriority - b.slavePriority;
  if (a.slaveReplOffset !== b.slaveReplOffset) return a.slaveReplOffset > b.slaveReplOffset ? -1 : 1;
  if (a.runid === null && b.runid === null) return 0;
  if (a.runid === null) return 1;
  if (b.runid === null) return -1;
  const x = a.runid.toLowerCase();
  const y = b.runid.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function abortFailover(master: Instance): void {
  master.flags &= ~(SRI_FAILOVER_IN_PROGRESS | SRI_FORCE_FAILOVER);
  setState(master, 'none');
  if (master.promotedSlave) {
    master.promotedSlave.flags &= ~SRI_PROMOTED;
    master.promotedSlave = null;
  }
}

export function simFailureCrash(s: Sentinel): never {
  s.server.log.warning('Sentinel CRASH because of SENTINEL simulate-failure');
  process.exit(99);
}

function waitStart(s: Sentinel, master: Instance): void {
  const leader = getLeader(s, master, master.failoverEpoch);
  const isLeader = leader !== null && leader.toLowerCase() === s.myid;
  if (!isLeader && !(master.flags & SRI_FORCE_FAILOVER)) {
    const electionTimeout = Math.min(s.timing.electionTimeout, master.failoverTimeout);
    if (Date.now() - master.failoverStartTime > electionTimeout) {
      s.event('warning', '-failover-abort-not-elected', master, s.describe(master));
      abortFailover(master);
    }
    return;
  }
  s.event('warning', '+elected-leader', master, s.describe(master));
  noteTimeline(master, 'elected');
  if (s.simFailureFlags & SIMFAILURE_CRASH_AFTER_ELECTION) simFailureCrash(s);
  setState(master, 'select_slave');
  s.event('warning', '+failover-state-select-slave', master, s.describe(master));
}

/**
 * Reddish: before choosing, every usable replica's INFO must have been read
 * after the master went down, so the offsets compared are final and the
 * replica holding the most (every WAIT-acknowledged write) wins. Redis
 * compares offsets that may be seconds old. A replica that does not answer
 * within two ping periods is not waited for.
 */
function offsetsSettled(s: Sentinel, master: Instance): boolean {
  if (!(master.flags & SRI_S_DOWN)) return true;
  if (Date.now() - master.failoverStateChangeTime > s.timing.pingPeriod * 2) return true;
  let settled = true;
  for (const r of master.slaves.values()) {
    if (r.flags & (SRI_S_DOWN | SRI_O_DOWN) || r.link.disconnected || r.slavePriority === 0) continue;
    if (r.infoRefresh <= master.sDownSince) {
      r.infoWanted = true;
      settled = false;
    }
  }
  return settled;
}

function selectSlaveState(s: Sentinel, master: Instance): void {
  if (!offsetsSettled(s, master)) return;
  const slave = selectSlave(s, master);
  if (slave === null) {
    s.event('warning', '-failover-abort-no-good-slave', master, s.describe(master));
    abortFailover(master);
    return;
  }
  s.event('warning', '+selected-slave', slave, s.describe(slave));
  noteTimeline(master, `selected ${slave.name} (offset ${slave.slaveReplOffset})`);
  slave.flags |= SRI_PROMOTED;
  master.promotedSlave = slave;
  setState(master, 'send_slaveof_noone');
  s.event('notice', '+failover-state-send-slaveof-noone', slave, s.describe(slave));
}

function sendSlaveOfNoOne(s: Sentinel, master: Instance): void {
  const promoted = master.promotedSlave!;
  if (promoted.link.disconnected) {
    if (Date.now() - master.failoverStateChangeTime > master.failoverTimeout) {
      s.event('warning', '-failover-abort-slave-timeout', master, s.describe(master));
      abortFailover(master);
    }
    return;
  }
  if (!sendSlaveOf(s, promoted, null)) return;
  // Reddish: ask for INFO right behind the promotion (same connection, so it sees the new role)
  // instead of waiting up to a second for the next poll.
  promoted.infoWanted = true;
  s.event('notice', '+failover-state-wait-promotion', promoted, s.describe(promoted));
  setState(master, 'wait_promotion');
}

function waitPromotion(s: Sentinel, master: Instance): void {
  // The INFO handler (monitor.ts) moves on when the replica reports role:master.
  if (Date.now() - master.failoverStateChangeTime > master.failoverTimeout) {
    s.event('warning', '-failover-abort-slave-timeout', master, s.describe(master));
    abortFailover(master);
  }
}

/** Done when every reachable replica is reconfigured, or failover-timeout passed (then the rest are told best-effort). */
function detectEnd(s: Sentinel, master: Instance): void {
  const promoted = master.promotedSlave;
  if (promoted === null || promoted.flags & SRI_S_DOWN) return;
  let notReconfigured = 0;
  for (const r of master.slaves.values()) {
    if (r.flags & (SRI_PROMOTED | SRI_RECONF_DONE)) continue;
    if (r.flags & SRI_S_DOWN) continue;
    notReconfigured++;
  }
  let timeout = false;
  if (Date.now() - master.failoverStateChangeTime > master.failoverTimeout) {
    notReconfigured = 0;
    timeout = true;
    s.event('warning', '+failover-end-for-timeout', master, s.describe(master));
  }
  if (notReconfigured === 0) {
    s.event('warning', '+failover-end', master, s.describe(master));
    noteTimeline(master, 'replicas reconfigured');
    setState(master, 'update_config');
  }
  if (timeout) {
    for (const r of master.slaves.values()) {
      if (r.flags & (SRI_PROMOTED | SRI_RECONF_DONE | SRI_RECONF_SENT)) continue;
      if (r.link.disconnected) continue;
      if (sendSlaveOf(s, r, promoted.addr)) {
        s.event('notice', '+slave-reconf-sent-be', r, s.describe(r));
        r.flags |= SRI_RECONF_SENT;
      }
    }
  }
}

/** Repoints replicas at the promoted one, at most parallel-syncs of them syncing at a time. */
function reconfNextSlave(s: Sentinel, master: Instance): void {
  let inProgress = 0;
  for (const r of master.slaves.values()) {
    if (!(r.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG))) continue;
    inProgress++;
    // Reddish: poll a replica being repointed every tick, not every second, so the failover ends
    // (and the leader switches) as soon as its link to the new master is up.
    r.infoWanted = true;
  }
  for (const r of master.slaves.values()) {
    if (inProgress >= master.parallelSyncs) break;
    if (r.flags & (SRI_PROMOTED | SRI_RECONF_DONE)) continue;
    if (r.flags & SRI_RECONF_SENT && Date.now() - r.slaveReconfSentTime > s.timing.slaveReconfTimeout) {
      s.event('notice', '-slave-reconf-sent-timeout', r, s.describe(r));
      r.flags &= ~SRI_RECONF_SENT;
      r.flags |= SRI_RECONF_DONE;
    }
    if (r.flags & (SRI_RECONF_SENT | SRI_RECONF_INPROG)) continue;
    if (r.link.disconnected) continue;
    if (sendSlaveOf(s, r, master.promotedSlave!.addr)) {
      r.flags |= SRI_RECONF_SENT;
      r.infoWanted = true;
      r.slaveReconfSentTime = Date.now();
      s.event('notice', '+slave-reconf-sent', r, s.describe(r));
      inProgress++;
    }
  }
  detectEnd(s, master);
}

export function failoverStateMachine(s: Sentinel, master: Instance): void {
  if (!(master.flags & SRI_FAILOVER_IN_PROGRESS)) return;
  switch (master.failoverState) {
    case 'wait_start':
      waitStart(s, master);
      break;
    case 'select_slave':
      selectSlaveState(s, master);
      break;
    case 'send_slaveof_noone':
      sendSlaveOfNoOne(s, master);
      break;
    case 'wait_promotion':
      waitPromotion(s, master);
      break;
    case 'reconf_slaves':
      reconfNextSlave(s, master);
      break;
    default:
      break;
  }
}

/** The leader's last step: the master record now points at the promoted replica. */
export function switchToPromoted(s: Sentinel, master: Instance): void {
  const ref = master.promotedSlave ?? master;
  s.event('warning', '+switch-master', master, `${master.name} ${s.announceAddr(master.addr)} ${master.addr.port} ${s.announceAddr(ref.addr)} ${ref.addr.port}`);
  noteTimeline(master, 'switch-master');
  s.resetMasterAndChangeAddress(master, ref.addr.hostname, ref.addr.port);
  logTimeline(s, master);
}

/** A peer's hello moved the master: log what this Sentinel saw of it. */
export function observedSwitch(s: Sentinel, master: Instance): void {
  noteTimeline(master, 'switch-master (from a peer)');
  logTimeline(s, master);
}

export function callClientReconfScript(s: Sentinel, master: Instance, role: 'leader' | 'observer', state: string, from: Addr, to: Addr): void {
  if (master.clientReconfigScript === null) return;
  s.scripts.schedule(master.clientReconfigScript, [master.name, role, state, s.announceAddr(from), String(from.port), s.announceAddr(to), String(to.port)]);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) without the newline: "Mon Nov 23 07:39:19 2026". */
function ctime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${d.getFullYear()}`;
}
