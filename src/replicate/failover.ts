/**
 * FAILOVER: a coordinated switchover started on the master (replication.c's
 * failoverCommand / updateFailoverStatus / abortFailover).
 *
 *   no-failover ─FAILOVER→ waiting-for-sync (writes paused)
 *   waiting-for-sync ─target ACKed our whole offset (or TIMEOUT with FORCE)→
 *     failover-in-progress: we become a replica of the target and send it
 *     PSYNC <replid> <offset> FAILOVER, which makes it a master
 *   failover-in-progress ─its PSYNC reply→ no-failover (writes resume)
 *   any state ─ABORT, timeout, rejected PSYNC→ no-failover (back to master)
 */
import type { Server } from '../server.js';
import type { ReplicaInfo } from './master.js';
import { PAUSE_WRITE } from '../server.js';

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

export class Failover {
  state: FailoverState = 'no-failover';
  private endTime = 0;
  private force = false;
  private targetHost: string | null = null;
  private targetPort = 0;

  constructor(private readonly server: Server) {}

  /** findReplica: an online-or-not replica by the address it announced. */
  private findReplica(host: string, port: number): ReplicaInfo | undefined {
    const m = this.server.master;
    for (const r of m.replicas.values()) {
      if (m.replicaIp(r).toLowerCase() === host.toLowerCase() && r.listeningPort === port) return r;
    }
    return undefined;
  }

  /** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: null for OK, else the error reply. */
  command(argv: string[]): string | null {
    const s = this.server;
    if (s.config.bool('cluster-enabled')) return 'ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.';
    if (argv.length === 2 && argv[1].toLowerCase() === 'abort') {
      if (this.state === 'no-failover') return 'ERR No failover in progress.';
      this.abort('Failover manually aborted');
      return null;
    }
    let timeout = 0;
    let force = false;
    let host: string | null = null;
    let port = 0;
    for (let j = 1; j < argv.length; j++) {
      const o = argv[j].toLowerCase();
      if (o === 'timeout' && j + 1 < argv.length && timeout === 0) {
        if (!/^-?\d+$/.test(argv[j + 1])) return 'ERR value is not an integer or out of range';
        timeout = Number(argv[j + 1]);
        if (timeout <= 0) return 'ERR FAILOVER timeout must be greater than 0';
        j++;
      } else if (o === 'to' && j + 2 < argv.length && host === null) {
        if (!/^-?\d+$/.test(argv[j + 2])) return 'ERR value is not an integer or out of range';
        port = Number(argv[j + 2]);
        host = argv[j + 1];
        j += 2;
      } else if (o === 'force' && !force) {
        force = true;
      } else {
        return 'ERR syntax error';
      }
    }
    if (this.state !== 'no-failover') return 'ERR FAILOVER already in progress.';
    if (s.ks.isReplica) return 'ERR FAILOVER is not valid when server is a replica.';
    if (s.master.replicas.size === 0) return 'ERR FAILOVER requires connected replicas.';
    if (force && (timeout === 0 || host === null)) return 'ERR FAILOVER with force option requires both a timeout and target HOST and IP.';
    if (host !== null) {
      const r = this.findReplica(host, port);
      if (r === undefined) return 'ERR FAILOVER target HOST and PORT is not a replica.';
      if (r.state !== 'online') return 'ERR FAILOVER target replica is not online.';
      this.targetHost = host;
      this.targetPort = port;
      s.log.notice(`FAILOVER requested to ${host}:${port}.`);
    } else {
      s.log.notice('FAILOVER requested to any replica.');
    }
    this.endTime = timeout > 0 ? Date.now() + timeout : 0;
    this.force = force;
    this.state = 'waiting-for-sync';
    // Writes wait (PAUSE_DURING_FAILOVER) so the target can catch up with a still offset.
    s.pauseClients(PAUSE_WRITE, Date.now() + 1e9);
    return null;
  }

  /** clearFailoverState */
  clear(): void {
    this.endTime = 0;
    this.force = false;
    this.targetHost = null;
    this.targetPort = 0;
    if (this.state !== 'no-failover') {
      this.state = 'no-failover';
      this.server.unpauseClients();
    }
  }

  /** abortFailover: back to a plain master. */
  abort(why: string): void {
    const s = this.server;
    if (this.state === 'no-failover') return;
    if (this.targetHost !== null) s.log.notice(`FAILOVER to ${this.targetHost}:${this.targetPort} aborted: ${why}`);
    else s.log.notice(`FAILOVER to any replica aborted: ${why}`);
    if (this.state === 'failover-in-progress') s.replicaSide.unsetMaster();
    this.clear();
  }

  /** updateFailoverStatus, from cron: has the target caught up, or has time run out? */
  update(): void {
    if (this.state !== 'waiting-for-sync') return;
    const s = this.server;
    const now = Date.now();
    if (this.endTime !== 0 && this.endTime <= now) {
      if (this.force && this.targetHost !== null) {
        s.log.notice(`FAILOVER to ${this.targetHost}:${this.targetPort} time out exceeded, failing over.`);
        this.state = 'failover-in-progress';
        s.replicaSide.setMaster(this.targetHost, this.targetPort);
      } else {
        this.abort('Replica never caught up before timeout');
      }
      return;
    }
    let r: ReplicaInfo | undefined;
    if (this.targetHost !== null) r = this.findReplica(this.targetHost, this.targetPort);
    else {
      for (const x of s.master.replicas.values()) {
        if (x.ackOffset === s.replOffset) {
          this.targetHost = s.master.replicaIp(x);
          this.targetPort = x.listeningPort;
          r = x;
          break;
        }
      }
    }
    if (r !== undefined && r.ackOffset === s.replOffset && this.targetHost !== null) {
      this.state = 'failover-in-progress';
      s.log.notice(`Failover target ${this.targetHost}:${this.targetPort} is synced, failing over.`);
      s.replicaSide.setMaster(this.targetHost, this.targetPort);
    }
  }
}
