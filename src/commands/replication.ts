/**
 * Replication commands: REPLICAOF/SLAVEOF, REPLCONF, PSYNC, SYNC, ROLE, WAIT, FAILOVER.
 * The work is in replicate/ (master.ts, replica.ts); these parse and reply.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { canPark, parkClient } from '../dispatch/async-reply.js';
import type { WaitingClient } from '../replicate/master.js';

/** REPLICAOF host port | NO ONE */
function replicaof(ctx: CommandContext): void {
  const s = ctx.server;
  const [, host, portText] = ctx.argv;
  if (s.config.bool('cluster-enabled')) return ctx.reply.error('ERR REPLICAOF not allowed in cluster mode.');
  const d = s.config.directive('replicaof')!;
  if (host.toLowerCase() === 'no' && portText.toLowerCase() === 'one') {
    if (s.ks.isReplica) {
      s.replicaSide.unsetMaster();
      s.config.storeQuiet(d, '');
      s.log.notice(`MASTER MODE enabled (user request from 'id=${ctx.client.id} addr=${ctx.client.addr}')`);
    }
    return ctx.reply.ok();
  }
  if (ctx.client.replicaInfo !== null) return ctx.reply.error('ERR Command is not valid when client is a replica.');
  const port = /^-?\d+$/.test(portText) ? Number(portText) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return ctx.reply.error('ERR Invalid master port');
  const side = s.replicaSide;
  if (s.ks.isReplica && side.host.toLowerCase() === host.toLowerCase() && side.port === port) {
    s.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    return ctx.reply.raw('+OK Already connected to specified master\r\n');
  }
  side.setMaster(host, port);
  s.config.storeQuiet(d, `${host} ${port}`);
  s.log.notice(`REPLICAOF ${host}:${port} enabled (user request from 'id=${ctx.client.id} addr=${ctx.client.addr}')`);
  ctx.reply.ok();
}

/** REPLCONF <option> <value> ... */
function replconf(ctx: CommandContext): void {
  const r = ctx.server.master.replconf(ctx.client, ctx.argv);
  if (r === null) return;
  if (r === 'OK') return ctx.reply.ok();
  if (r === 'GETACK') {
    // Only meaningful on the master link (handled by the replica side); a normal client gets nothing.
    return;
  }
  ctx.reply.error(r);
}

function psync(ctx: CommandContext): void {
  if (ctx.client.replicaInfo !== null) return;
  const failover = ctx.argv.length > 3 && ctx.argv[3].toLowerCase() === 'failover';
  ctx.server.master.psync(ctx.client, ctx.argv[1], ctx.argv[2], failover);
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] */
function failover(ctx: CommandContext): void {
  const err = ctx.server.failover.command(ctx.argv);
  if (err === null) ctx.reply.ok();
  else ctx.reply.error(err);
}

function sync(ctx: CommandContext): void {
  if (ctx.client.replicaInfo !== null) return;
  ctx.server.master.psync(ctx.client, null, null);
}

/** ROLE */
function role(ctx: CommandContext): void {
  const s = ctx.server;
  const r = ctx.reply;
  if (s.ks.isReplica) {
    const side = s.replicaSide;
    r.array(5);
    r.bulk('slave');
    r.bulk(side.host);
    r.int(side.port);
    r.bulk(side.roleState());
    r.int(side.connected() ? s.replOffset : -1);
    return;
  }
  const reps = [...s.master.replicas.values()].filter((x) => x.state === 'online' || x.state === 'wait_ack');
  r.array(3);
  r.bulk('master');
  r.int(s.replOffset);
  r.array(reps.length);
  for (const x of reps) {
    r.array(3);
    r.bulk(s.master.replicaIp(x));
    r.bulk(String(x.listeningPort));
    r.bulk(String(x.ackOffset));
  }
}

let ackRequested = false;

/** WAIT numreplicas timeout */
function wait(ctx: CommandContext): void {
  const s = ctx.server;
  if (s.ks.isReplica) {
    return ctx.reply.error('ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');
  }
  const [, nText, tText] = ctx.argv;
  if (!/^-?\d+$/.test(nText)) return ctx.reply.error(ERR.notInteger);
  if (!/^-?\d+$/.test(tText)) return ctx.reply.error('ERR timeout is not an integer or out of range');
  const needed = Number(nText);
  const timeout = Number(tText);
  if (timeout < 0) return ctx.reply.error('ERR timeout is negative');
  const c = ctx.client;
  const acked = s.master.ackedAtLeast(c.woff);
  if (acked >= needed || !canPark(ctx)) return ctx.reply.int(acked);
  const parked = parkClient(ctx);
  let timer: NodeJS.Timeout | null = null;
  const waiters = s.master.waiting;
  const w: WaitingClient = {
    client: c, offset: c.woff, needed,
    finish: (n) => {
      waiters.delete(w);
      if (timer !== null) clearTimeout(timer);
      parked.finish((cl) => cl.reply.int(n));
    },
    unblock: (error) => {
      waiters.delete(w);
      if (timer !== null) clearTimeout(timer);
      parked.finish((cl) => {
        cl.reply.error(error);
        cl.closeAfterReply = true;
      });
    },
  };
  waiters.add(w);
  if (timeout > 0) timer = setTimeout(() => w.finish(s.master.ackedAtLeast(w.offset)), timeout);
  s.master.onAck = () => {
    for (const x of [...waiters]) {
      if (x.client.closed) {
        x.finish(0);
        continue;
      }
      const n = s.master.ackedAtLeast(x.offset);
      if (n >= x.needed) x.finish(n);
    }
  };
  // One GETACK per event-loop turn, however many clients WAIT (beforeSleep's get_ack_from_slaves).
  if (!ackRequested) {
    ackRequested = true;
    setImmediate(() => {
      ackRequested = false;
      s.master.requestAcks();
    });
  }
}

export const REPLICATION_COMMANDS: CommandDef[] = [
  { name: 'replicaof', handler: replicaof },
  { name: 'slaveof', handler: replicaof },
  { name: 'replconf', handler: replconf },
  { name: 'psync', handler: psync },
  { name: 'sync', handler: sync },
  { name: 'role', handler: role },
  { name: 'wait', handler: wait },
  { name: 'failover', handler: failover },
];
