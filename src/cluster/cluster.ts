/**
 * Cluster mode (cluster-enabled yes): the subsystem the server holds as
 * `server.cluster` (null otherwise, so a plain server pays one null test per
 * command). It owns the cluster state, nodes.conf, the bus, the cron, the
 * per-slot key index and the client flags routing reads (READONLY, ASKING),
 * and does what touches the rest of the server: following a master through
 * the replication code, emptying data, saving the config.
 *
 * Layout of src/cluster/:
 *   key-slot.ts          CRC16 and hash tags → slot
 *   cluster-node.ts      one node: flags, slots bitmap, links, timestamps
 *   cluster-state.ts     nodes, slot owners, open slots, epochs (no I/O)
 *   node-description.ts  the CLUSTER NODES line
 *   nodes-conf.ts        nodes.conf load and atomic save
 *   bus-protocol.ts      frames and messages (README.md documents them)
 *   bus.ts               listener, links, framing
 *   messages.ts          building and sending PING/PONG/MEET/FAIL/UPDATE
 *   packet-handler.ts    what a received message changes (clusterProcessPacket)
 *   cluster-cron.ts      reconnects, pings, PFAIL detection (clusterCron)
 *   failure-detection.ts PFAIL → FAIL by majority, and back
 *   cluster-failover.ts  replica elections, CLUSTER FAILOVER
 *   replica-migration.ts a replica moving to an orphaned master
 *   blocked-redirect.ts  -MOVED/-CLUSTERDOWN for clients blocked on keys no longer served
 *   routing.ts           getNodeByQuery: MOVED, ASK, CROSSSLOT, CLUSTERDOWN
 *   slot-keys.ts         keys per slot (COUNTKEYSINSLOT, GETKEYSINSLOT)
 *   cluster-replies.ts   CLUSTER INFO/SLOTS/SHARDS/LINKS bodies
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Server } from '../server.js';
import type { Client } from '../net/client.js';
import { isIP } from 'node:net';
import { ClusterNode, randomNodeId, NODE_HANDSHAKE, NODE_MASTER, NODE_MEET, NODE_MIGRATE_TO, NODE_MYSELF, NODE_NOFAILOVER, NODE_SLAVE } from './cluster-node.js';
import { ClusterState, TODO_FSYNC_CONFIG, TODO_SAVE_CONFIG, TODO_UPDATE_STATE } from './cluster-state.js';
import { CLUSTER_PORT_INCR, NodesConfError, parseNodesConf, saveNodesConf } from './nodes-conf.js';
import { ClusterBus } from './bus.js';
import { PacketHandler, normalizeIp } from './packet-handler.js';
import { clusterCron } from './cluster-cron.js';
import { SlotKeyIndex } from './slot-keys.js';
import { CLUSTER_SLOTS } from './key-slot.js';
import { broadcastPong, sendPublish } from './messages.js';
import type { CommandSpec } from '../dispatch/command-spec.js';
import { getNodeByQuery } from './routing.js';
import { ClusterFailover, TODO_HANDLE_FAILOVER, TODO_HANDLE_MANUALFAILOVER } from './cluster-failover.js';

/** After a restart a master waits this long before declaring the cluster ok (CLUSTER_WRITABLE_DELAY). */
const WRITABLE_DELAY_MS = 2000;
const MAX_REJOIN_DELAY_MS = 5000;
const MIN_REJOIN_DELAY_MS = 500;
const CRON_PERIOD_MS = 100;

export class ClusterStartError extends Error {}

export class Cluster {
  state: ClusterState;
  readonly bus: ClusterBus;
  readonly packets: PacketHandler;
  readonly failover: ClusterFailover;
  readonly slotKeys: SlotKeyIndex;
  /** READONLY connections may read from a replica of the slot's master. */
  readonly readonlyClients = new WeakSet<Client>();
  /** ASKING: the next command (or transaction) may use a slot being imported. */
  readonly askingClients = new WeakSet<Client>();
  /** Set by the first ASKING: until then routing skips looking the client up. */
  askingUsed = false;
  /** The client whose command being run came with ASKING (scripts it runs inherit the flag). */
  askingNow: Client | null = null;
  readonly configFile: string;
  /** The ping round counter gossip uses to list a node once per packet. */
  pingRound = 0;
  cronIteration = 0;
  private cronTimer: NodeJS.Timeout | null = null;
  private todoScheduled = false;
  private firstStateUpdate = 0;
  private amongMinoritySince = 0;
  private stopped = false;

  private constructor(
    readonly server: Server,
    state: ClusterState,
    configFile: string,
  ) {
    this.state = state;
    this.configFile = configFile;
    state.onWant = () => this.scheduleTodo();
    this.bus = new ClusterBus(this);
    this.packets = new PacketHandler(this);
    this.failover = new ClusterFailover(this);
    this.slotKeys = new SlotKeyIndex(server.ks);
  }

  /**
   * clusterInit: load nodes.conf (or start as a new node with a random id
   * and save it), bind the bus port, start the cron. Throws ClusterStartError
   * with the words Redis logs before exiting.
   */
  static async start(server: Server): Promise<Cluster> {
    const log = server.log;
    const file = resolve(server.config.get('cluster-config-file'));
    let state: ClusterState;
    let loaded = false;
    if (existsSync(file) && statSync(file).size > 0) {
      try {
        state = parseNodesConf(readFileSync(file, 'latin1'), log);
      } catch (e) {
        if (e instanceof NodesConfError) throw new ClusterStartError('Unrecoverable error: corrupted cluster config file.');
        throw e;
      }
      loaded = true;
      log.notice(`Node configuration loaded, I'm ${state.myself.name}`);
    } else {
      state = new ClusterState(new ClusterNode(randomNodeId(), NODE_MYSELF | NODE_MASTER), log);
      log.notice(`No cluster configuration found, I'm ${state.myself.name}`);
    }
    const c = new Cluster(server, state, file);
    const port = server.config.num('port');
    const clusterPort = server.config.num('cluster-port');
    if (clusterPort === 0 && port > 65535 - CLUSTER_PORT_INCR) {
      throw new ClusterStartError('Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.');
    }
    const cport = clusterPort !== 0 ? clusterPort : port + CLUSTER_PORT_INCR;
    try {
      await c.bus.listen(cport);
    } catch (e) {
      // The cause first, as Redis logs it (a port already in use, most often).
      log.warning(`Warning: Could not create server TCP listening socket *:${cport}: ${(e as Error).message}`);
      throw new ClusterStartError(`Failed listening on port ${cport} (cluster), aborting.`);
    }
    c.applyAnnouncedAddress();
    if (!loaded) c.saveConfigOrDie(true);
    for (const name of ['cluster-announce-ip', 'cluster-announce-port', 'cluster-announce-bus-port', 'cluster-announce-hostname', 'cluster-replica-no-failover']) {
      server.config.watch(name, () => c.applyAnnouncedAddress());
    }
    c.cronTimer = setInterval(() => clusterCron(c), CRON_PERIOD_MS);
    c.state.want(TODO_UPDATE_STATE);
    return c;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.cronTimer) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.bus.stop();
    this.slotKeys.stop();
    if (this.state.todo & TODO_SAVE_CONFIG) this.trySaveConfig(true);
  }

  nodeTimeout(): number {
    return this.server.config.num('cluster-node-timeout');
  }

  /** deriveAnnouncedPorts: the client, plaintext and bus ports others should use for us. */
  announcedPorts(): { port: number; pport: number; cport: number } {
    const cfg = this.server.config;
    const port = cfg.num('port');
    const clusterPort = cfg.num('cluster-port');
    const announcePort = cfg.num('cluster-announce-port');
    const announceBus = cfg.num('cluster-announce-bus-port');
    return {
      port: announcePort !== 0 ? announcePort : port,
      pport: 0,
      cport: announceBus !== 0 ? announceBus : clusterPort !== 0 ? clusterPort : port + CLUSTER_PORT_INCR,
    };
  }

  /** clusterUpdateMyself{Ip,Hostname,Flags} and the announced ports, after start or CONFIG SET. */
  private applyAnnouncedAddress(): void {
    const me = this.state.myself;
    const cfg = this.server.config;
    const ports = this.announcedPorts();
    const changed = me.port !== ports.port || me.cport !== ports.cport;
    me.port = ports.port;
    me.pport = ports.pport;
    me.cport = ports.cport;
    const ip = cfg.get('cluster-announce-ip');
    if (ip !== '') me.ip = ip;
    me.hostname = cfg.get('cluster-announce-hostname');
    const flags = me.flags;
    me.flags = cfg.bool('cluster-replica-no-failover') ? me.flags | NODE_NOFAILOVER : me.flags & ~NODE_NOFAILOVER;
    if (changed || flags !== me.flags) this.state.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
  }

  // ---- deferred work (clusterBeforeSleep) --------------------------------

  private scheduleTodo(): void {
    if (this.todoScheduled || this.stopped) return;
    this.todoScheduled = true;
    setImmediate(() => {
      this.todoScheduled = false;
      this.beforeSleep();
    });
  }

  beforeSleep(): void {
    const flags = this.state.todo;
    this.state.todo = 0;
    // A vote or the master's final offset may have arrived: go on with the election at once.
    if (flags & TODO_HANDLE_MANUALFAILOVER) {
      if (this.state.myself.isSlave()) {
        this.failover.handleManual();
        this.failover.handle();
      }
    } else if (flags & TODO_HANDLE_FAILOVER) {
      this.failover.handle();
    }
    if (flags & TODO_UPDATE_STATE) this.updateState();
    if (flags & TODO_SAVE_CONFIG) this.saveConfigOrDie((flags & TODO_FSYNC_CONFIG) !== 0);
  }

  /** clusterSaveConfig: false (and errno text in `lastSaveError`) on failure. */
  trySaveConfig(fsync: boolean): boolean {
    this.state.todo &= ~(TODO_SAVE_CONFIG | (fsync ? TODO_FSYNC_CONFIG : 0));
    try {
      saveNodesConf(this.configFile, this.state, fsync);
      return true;
    } catch (e) {
      this.lastSaveError = (e as Error).message;
      return false;
    }
  }

  lastSaveError = '';

  /** clusterSaveConfigOrDie: a node that cannot record its configuration must not go on. */
  saveConfigOrDie(fsync: boolean): void {
    if (this.trySaveConfig(fsync)) return;
    this.server.log.warning(`Fatal: can't update cluster config file. ${this.lastSaveError}`);
    process.exit(1);
  }

  // ---- cluster state (clusterUpdateState) --------------------------------

  /**
   * ok when every slot has a non-failed owner (if cluster-require-full-coverage)
   * and a majority of the slot-serving masters is reachable; a master waits
   * WRITABLE_DELAY after start, and a while after leaving a minority
   * partition, before it turns ok again.
   */
  updateState(): void {
    const s = this.state;
    const me = s.myself;
    const now = Date.now();
    s.todo &= ~TODO_UPDATE_STATE;
    if (this.firstStateUpdate === 0) this.firstStateUpdate = now;
    if (me.isMaster() && s.state === 'fail' && now - this.firstStateUpdate < WRITABLE_DELAY_MS) {
      // Come back to this once the delay is over: nothing else may ask for it.
      setTimeout(() => s.want(TODO_UPDATE_STATE), WRITABLE_DELAY_MS - (now - this.firstStateUpdate) + 1).unref();
      return;
    }
    let next: 'ok' | 'fail' = 'ok';
    if (this.server.config.bool('cluster-require-full-coverage') && !s.fullyCovered()) next = 'fail';
    let size = 0;
    let reachable = 0;
    for (const n of s.nodes.values()) {
      if (n.isMaster() && n.numSlots > 0) {
        size++;
        if (!n.failed() && !n.timedOut()) reachable++;
      }
    }
    s.size = size;
    if (reachable < Math.floor(size / 2) + 1) {
      next = 'fail';
      this.amongMinoritySince = now;
    }
    if (next === s.state) return;
    const rejoin = Math.min(MAX_REJOIN_DELAY_MS, Math.max(MIN_REJOIN_DELAY_MS, this.nodeTimeout()));
    if (next === 'ok' && me.isMaster() && now - this.amongMinoritySince < rejoin) return;
    this.server.log.warning(`Cluster state changed: ${next}`);
    s.state = next;
  }

  // ---- roles ---------------------------------------------------------------

  /**
   * clusterSetMaster: become (or stay) a replica of `n`, through the
   * ordinary replication code. A master gives up its open slots.
   */
  setMaster(n: ClusterNode): void {
    const me = this.state.myself;
    if (me.isMaster()) {
      me.flags = (me.flags & ~(NODE_MASTER | NODE_MIGRATE_TO)) | NODE_SLAVE;
      this.state.closeAllSlots();
    } else if (me.slaveof) {
      me.slaveof.removeSlave(me);
    }
    me.slaveof = n;
    n.addSlave(me);
    this.server.replicaSide.setMaster(n.ip, n.port);
    this.failover.resetManual();
  }

  /**
   * clusterReset: forget every other node and every slot; a replica turns
   * into an empty master. HARD also takes a new id and zeroes the epochs.
   */
  reset(hard: boolean): void {
    const s = this.state;
    const me = s.myself;
    if (me.isSlave()) {
      s.setNodeAsMaster(me);
      this.server.replicaSide.unsetMaster();
      for (const db of this.server.ks.dbs) this.server.ks.flushDb(db);
    }
    s.closeAllSlots();
    this.failover.resetManual();
    for (let j = 0; j < CLUSTER_SLOTS; j++) s.delSlot(j);
    for (const n of [...s.nodes.values()]) if (n !== me) s.delNode(n);
    if (hard) {
      s.currentEpoch = 0;
      s.lastVoteEpoch = 0;
      me.configEpoch = 0;
      this.server.log.warning('configEpoch set to 0 via CLUSTER RESET HARD');
      s.renameNode(me, randomNodeId());
      this.server.log.notice(`Node hard reset, now I'm ${me.name}`);
    }
    s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE | TODO_FSYNC_CONFIG);
  }

  /**
   * clusterStartHandshake (CLUSTER MEET): a HANDSHAKE node with a random id
   * at that address; the cron connects and sends MEET, its PONG gives the
   * real id. 'invalid' for a bad address or port; false when a handshake
   * with that address is already under way.
   */
  startHandshake(ip: string, port: number, cport: number): boolean | 'invalid' {
    const family = isIP(ip);
    if (family === 0) return 'invalid';
    if (port <= 0 || port > 65535 || cport <= 0 || cport > 65535) return 'invalid';
    const norm = family === 6 ? normalizeIp(ip.toLowerCase()) : ip;
    for (const n of this.state.nodes.values()) {
      if (n.inHandshake() && n.ip.toLowerCase() === norm.toLowerCase() && n.port === port && n.cport === cport) return false;
    }
    const n = new ClusterNode(randomNodeId(), NODE_HANDSHAKE | NODE_MEET);
    n.ip = norm;
    n.port = port;
    n.cport = cport;
    this.state.addNode(n);
    return true;
  }

  /** After closing an import on ourselves: tell everyone at once (SETSLOT NODE). */
  announceConfig(): void {
    broadcastPong(this, 'all');
  }

  /**
   * verifyClusterConfigWithData, after the dataset is loaded: keys only in
   * db 0; a slot with keys but no owner is taken, one owned elsewhere is
   * marked importing so redis-cli --cluster fix can see it. False when keys
   * live in another db (the server must not start).
   */
  verifyWithData(): boolean {
    const s = this.state;
    if (s.myself.isSlave()) return true;
    const dbs = this.server.ks.dbs;
    for (let j = 1; j < dbs.length; j++) if (dbs[j].keys.size !== 0) return false;
    let changed = 0;
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (this.slotKeys.count(slot) === 0) continue;
      if (s.slots[slot] === s.myself || s.importingFrom[slot] !== null) continue;
      changed++;
      if (s.slots[slot] === null) {
        this.server.log.warning(`I have keys for unassigned slot ${slot}. Taking responsibility for it.`);
        s.addSlot(s.myself, slot);
      } else {
        this.server.log.warning(`I have keys for slot ${slot}, but the slot is assigned to another node. Setting it to importing state.`);
        s.importingFrom[slot] = s.slots[slot];
      }
    }
    if (changed !== 0) this.saveConfigOrDie(true);
    return true;
  }

  /**
   * processCommand's cluster check: null when this node serves the command,
   * else the -MOVED/-ASK/-CROSSSLOT/-TRYAGAIN/-CLUSTERDOWN error text.
   */
  /** PUBLISH / SPUBLISH ran here: the other nodes' subscribers get it over the bus. */
  propagatePublish(shard: boolean, channel: string, message: string): void {
    sendPublish(this, shard, channel, message);
  }

  redirect(c: Client, cmd: CommandSpec, argv: string[]): string | null {
    return getNodeByQuery(this, c, cmd, argv);
  }

  /** Deletes every key of a slot this node no longer serves (delKeysInSlot). */
  delKeysInSlot(slot: number): number {
    const ks = this.server.ks;
    const db = ks.dbs[0];
    const keys = this.slotKeys.keys(slot, Infinity);
    for (const k of keys) {
      if (ks.delete(db, k)) ks.propagator.add(0, ['DEL', k]);
    }
    return keys.length;
  }
}
