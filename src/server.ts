/**
 * Server: owns the configuration, the keyspace, the command table, the
 * connected clients and the observability state, and runs the request loop:
 * bytes from a socket → parser → processCommand → replies flushed once per read.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { writeFileSync, unlinkSync } from 'node:fs';
import { Config } from './config/config.js';
import { Keyspace } from './keyspace/keyspace.js';
import { Propagator } from './propagate/propagate.js';
import { CommandTable } from './dispatch/command-table.js';
import { processCommand } from './dispatch/process-command.js';
import { beginInput, endInput } from './dispatch/command-clock.js';
import { acceptWithSharedReads, type ReadTarget } from './net/shared-read-socket.js';
import { ProtocolError } from './protocol/request-parser.js';
import { Client } from './net/client.js';
import { OutputLimits } from './net/output-limits.js';
import { Logger, type LogLevel } from './observe/log.js';
import { Slowlog } from './observe/slowlog.js';
import { LatencyMonitor } from './observe/latency.js';
import { ALL_COMMANDS } from './commands/index.js';
import { SENTINEL_MODE_COMMANDS } from './commands/sentinel.js';
import { Sentinel } from './sentinel/sentinel.js';
import { rewriteSentinelOptions } from './sentinel/sentinel-config.js';
import { installTypeHooks } from './commands/type-hooks.js';
import { Cron } from './cron.js';
import { VERSION } from './version.js';
import { repr } from './util/repr.js';
import { Watchers } from './dispatch/transaction.js';
import { Blocking } from './dispatch/blocking.js';
import type { BusyScript } from './dispatch/async-reply.js';
import { PubSub } from './pubsub/pubsub.js';
import { installKeyspaceEvents } from './keyspace/keyspace-events.js';
import { RdbPersistence } from './persist/rdb-persistence.js';
import { Aof } from './persist/aof/aof.js';
import { ReplicationMaster } from './replicate/master.js';
import { ReplicaSide } from './replicate/replica.js';
import { Failover } from './replicate/failover.js';
import { MetricsEndpoint } from './observe/metrics/metrics-server.js';
import { Cluster } from './cluster/cluster.js';
import { Evictor, type MaxmemoryPolicy } from './keyspace/eviction.js';
import { startupMemoryBytes } from './observe/info.js';
import { HeapGuard, maxmemoryAboveHeapLimit } from './keyspace/heap-guard.js';

export interface ServerStats {
  numCommands: number;
  numConnections: number;
  rejectedConnections: number;
  totalErrorReplies: number;
  errorCodes: Map<string, number>;
  netInputBytes: number;
  netOutputBytes: number;
  startTime: number;
  clientQbufLimitDisconnections: number;
  clientObufLimitDisconnections: number;
  totalReads: number;
  totalWrites: number;
}

/** CLIENT PAUSE state (pauseClients in networking.c): none, WRITE or ALL until `end` (ms). */
export type PauseType = 0 | 1 | 2;
export const PAUSE_NONE = 0;
export const PAUSE_WRITE = 1;
export const PAUSE_ALL = 2;

export class Server {
  readonly config: Config;
  readonly log = new Logger();
  readonly propagator = new Propagator();
  ks!: Keyspace;
  readonly commands: CommandTable;
  /** Sentinel mode's state; null for a data server. */
  readonly sentinel: Sentinel | null = null;
  /** Cluster mode's state (cluster-enabled yes); null otherwise, which is all processCommand tests. */
  cluster: Cluster | null = null;
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly pubsub: PubSub = new PubSub(this);
  readonly slowlog = new Slowlog();
  readonly latency = new LatencyMonitor();
  readonly stats: ServerStats = {
    numCommands: 0, numConnections: 0, rejectedConnections: 0, totalErrorReplies: 0, errorCodes: new Map(),
    netInputBytes: 0, netOutputBytes: 0, startTime: Date.now(), clientQbufLimitDisconnections: 0, clientObufLimitDisconnections: 0,
    totalReads: 0, totalWrites: 0,
  };
  slowlogThreshold = 10000;
  /** client-output-buffer-limit per client class, parsed once per change (net/output-limits.ts). */
  readonly obufLimits = new OutputLimits();
  /** client-query-buffer-limit, cached: it is checked on every read. */
  queryBufLimit = 1024 * 1024 * 1024;
  latencyThreshold = 0;
  /** Refreshed by cron and on every read event; cheap "now" for bookkeeping. */
  cachedNow = Date.now();
  lastSave = Math.floor(Date.now() / 1000);
  readonly runId: string;
  /** Replication ids and offsets as INFO replication shows them (DEBUG CHANGE-REPL-ID renews replId). */
  replId = randomHex(40);
  replId2 = '0000000000000000000000000000000000000000';
  replOffset = 0;
  secondReplOffset = -1;
  /** latency-tracking: per-command latency histograms for INFO latencystats. */
  latencyTracking = true;
  /** CLIENT PAUSE: the active type, when it ends, and the clients holding a postponed command. */
  pauseType: PauseType = PAUSE_NONE;
  pauseEnd = 0;
  readonly pausedClients = new Set<Client>();
  private pauseTimer: NodeJS.Timeout | null = null;
  readonly listeners: net.Server[] = [];
  readonly cron: Cron;
  watchers!: Watchers;
  /** maxmemory and its policies (keyspace/eviction.ts). */
  evictor!: Evictor;
  /** maxmemory in bytes, cached: processCommand's one check per command when it is 0. */
  maxmemory = 0;
  /** Refuses writes near the V8 heap limit, maxmemory or not (keyspace/heap-guard.ts). */
  readonly heapGuard = new HeapGuard((level, msg) => this.log[level](msg));
  /** replica-ignore-maxmemory, cached. */
  replicaIgnoreMaxmemory = true;
  /** server.script_oom: memory was over the limit when the running EVAL/FCALL was processed. */
  scriptOom = false;
  /** A script suspended past busy-reply-threshold: other clients get -BUSY (commands/script-busy.ts). */
  busyScript: BusyScript | null = null;
  /** Clients parked by blocking commands (BLPOP...). */
  readonly blocking: Blocking = new Blocking(this);
  readonly rdb: RdbPersistence = new RdbPersistence(this);
  readonly aof: Aof = new Aof(this);
  master!: ReplicationMaster;
  readonly replicaSide: ReplicaSide = new ReplicaSide(this);
  readonly failover: Failover = new Failover(this);
  /** The Prometheus endpoint (metrics-port); it follows CONFIG SET metrics-port / metrics-bind itself. */
  readonly metrics: MetricsEndpoint = new MetricsEndpoint(this);
  private nextClientId = 1;

  /** A client id for connections the server opens itself (the link to our master). */
  allocClientId(): number {
    return this.nextClientId++;
  }
  port = 6379;
  shuttingDown = false;
  /** Invoked when the process should exit (main.ts sets it; tests embed without exiting). */
  onShutdown: (code: number) => void = (code) => process.exit(code);

  constructor(config: Config) {
    installTypeHooks();
    this.config = config;
    if (config.sentinelMode) {
      // Sentinel is a mode of this server: its own command table and state, the same net, protocol and pub/sub.
      this.commands = new CommandTable(SENTINEL_MODE_COMMANDS, 'redis-sentinel-commands.json');
      this.log.role = 'X';
      const sentinel = new Sentinel(this);
      this.sentinel = sentinel;
      config.rewriteExtra = (state) => rewriteSentinelOptions(sentinel, state);
      sentinel.loadConfig(config.sentinelLines);
    } else {
      this.commands = new CommandTable(ALL_COMMANDS);
    }
    this.runId = randomHex(40);
    this.ks = new Keyspace(config.num('databases'), this.propagator);
    this.watchers = new Watchers(this.ks);
    this.evictor = new Evictor(this.ks, {
      mayEvict: () => this.mayEvict(),
      notCountedMemory: () => this.notCountedMemory(),
      baselineMemory: () => startupMemoryBytes(),
      latencySample: (event, ms) => {
        if (this.latencyThreshold > 0 && ms >= this.latencyThreshold) this.latency.add(event, Math.round(ms));
      },
    });
    this.watchMaxmemory(config);
    config.watch('loglevel', (v) => (this.log.level = v as LogLevel));
    config.watch('logfile', (v) => (this.log.file = v));
    config.watch('client-query-buffer-limit', (v) => (this.queryBufLimit = Number(v)));
    config.watch('client-output-buffer-limit', (v) => this.obufLimits.set(v));
    config.watch('slowlog-log-slower-than', (v) => (this.slowlogThreshold = Number(v)));
    config.watch('slowlog-max-len', (v) => {
      this.slowlog.maxLen = Number(v);
      this.slowlog.trim();
    });
    config.watch('latency-monitor-threshold', (v) => (this.latencyThreshold = Number(v)));
    config.watch('latency-tracking', (v) => (this.latencyTracking = v === 'yes'));
    config.watch('min-replicas-to-write', (v) => (this.minReplicasToWrite = Number(v)));
    config.watch('lazyfree-lazy-expire', (v) => (this.ks.lazyfreeExpire = v === 'yes'));
    config.watch('proto-max-bulk-len', (v) => {
      for (const c of this.clients.values()) c.parser.limits.maxBulkLen = Number(v);
    });
    config.watch('dir', (v) => {
      if (v !== '') process.chdir(v);
    });
    config.watch('requirepass', () => {
      // Redis: changing the password does not log out connected clients.
    });
    installKeyspaceEvents(this);
    this.master = new ReplicationMaster(this);
    this.cron = new Cron(this);
  }

  /** The maxmemory directives, followed into the evictor and the keyspace's LFU settings. */
  private watchMaxmemory(config: Config): void {
    const ev = this.evictor;
    config.watch('maxmemory-policy', (v) => ev.setPolicy(v as MaxmemoryPolicy));
    config.watch('maxmemory-samples', (v) => (ev.samples = Number(v)));
    config.watch('maxmemory-eviction-tenacity', (v) => (ev.tenacity = Number(v)));
    config.watch('lazyfree-lazy-eviction', (v) => (ev.lazy = v === 'yes'));
    config.watch('lfu-log-factor', (v) => (this.ks.lfuLogFactor = Number(v)));
    config.watch('lfu-decay-time', (v) => (this.ks.lfuDecayTime = Number(v)));
    config.watch('replica-ignore-maxmemory', (v) => (this.replicaIgnoreMaxmemory = v === 'yes'));
    config.watch('maxmemory', (v) => {
      const n = Number(v);
      this.maxmemory = n;
      ev.setMaxmemory(n);
      const aboveHeap = maxmemoryAboveHeapLimit(n);
      if (aboveHeap !== null) this.log.warning(aboveHeap);
      // updateMaxmemory: a CONFIG SET below the current usage warns and starts evicting at once.
      if (n !== 0 && this.cron !== undefined && this.cron.running) {
        const used = ev.logicalUsed(performance.now());
        if (n < used) {
          this.log.warning(`WARNING: the new maxmemory value set via CONFIG SET (${n}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`);
        }
        ev.perform(performance.now());
      }
    });
  }

  /** isPerformEvictions: not while loading, on a replica that ignores maxmemory, with clients paused, or inside a busy script. */
  private mayEvict(): boolean {
    if (this.rdb.loading || this.propagator.suspended || this.busyScript !== null) return false;
    if (this.ks.isReplica && this.replicaIgnoreMaxmemory) return false;
    return this.pauseType === PAUSE_NONE;
  }

  /** freeMemoryGetNotCountedMemory: the AOF buffer and what waits to be sent to replicas. */
  private notCountedMemory(): number {
    let n = this.aof.enabled ? this.aof.bufferLength : 0;
    for (const r of this.master.replicas.values()) n += r.pendingBytes + r.client.outputBacklog();
    return n;
  }

  authRequired(): boolean {
    return this.config.get('requirepass') !== '';
  }

  // ---- lifecycle ---------------------------------------------------------

  async start(): Promise<void> {
    this.port = this.config.num('port');
    const log = this.log;
    log.notice('oO0OoO0OoO0Oo Reddish is starting oO0OoO0OoO0Oo');
    log.notice(`Reddish version=${VERSION}, redis_version=7.0.15, bits=64, pid=${process.pid}, just started`);
    log.notice(this.config.file ? 'Configuration loaded' : 'Warning: no config file specified, using the default config. In order to specify a config file use reddish-server /path/to/redis.conf');
    const clusterMode = this.sentinel === null && this.config.bool('cluster-enabled');
    log.notice(`Running mode=${this.sentinel ? 'sentinel' : clusterMode ? 'cluster' : 'standalone'}, port=${this.port}.`);
    if (this.maxmemory > 0 && this.maxmemory < 1024 * 1024) {
      log.warning(`WARNING: You specified a maxmemory value that is less than 1MB (current value is ${this.maxmemory} bytes). Are you sure this is what you really want?`);
    }
    if (this.port !== 0) await this.listen();
    // clusterInit: nodes.conf and the bus port, before the dataset is loaded.
    if (clusterMode) this.cluster = await Cluster.start(this);
    await this.metrics.start();
    const pidfile = this.config.get('pidfile');
    if (pidfile !== '') writeFileSync(pidfile, `${process.pid}\n`);
    log.notice('Server initialized');
    if (this.sentinel) this.sentinel.start();
    else this.loadDataFromDisk();
    if (this.cluster !== null && !this.cluster.verifyWithData()) {
      throw new Error("You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.");
    }
    this.cron.start();
    this.config.watch('port', () => this.rebind());
    this.config.watch('bind', () => this.rebind());
    log.notice('Ready to accept connections tcp');
  }

  /**
   * loadDataFromDisk: the AOF when appendonly is on (and then dbfilename is
   * ignored, as in Redis), else dbfilename if present. Then AOF writing starts,
   * and CONFIG SET appendonly switches it at runtime.
   */
  loadDataFromDisk(): void {
    const replicaof = this.config.get('replicaof');
    if (this.config.bool('appendonly')) {
      this.aof.load();
      this.aof.openOnStart();
    } else {
      const r = this.rdb.loadFile();
      // A restarted replica offers its master the history it saved (rdbPopulateSaveInfo's rsi).
      const id = r?.aux.get('repl-id');
      const off = r?.aux.get('repl-offset');
      if (replicaof !== '' && id !== undefined && id.length === 40 && off !== undefined) {
        this.replId = id;
        this.replOffset = Number(off);
      }
    }
    this.ks.dirty = 0;
    if (replicaof !== '') {
      const [host, port] = replicaof.split(' ');
      this.replicaSide.setMaster(host, Number(port));
    }
    this.config.watch('appendonly', (v) => {
      if (v === 'yes') {
        const err = this.aof.start();
        if (err !== null) this.log.warning(`Could not start the AOF: ${err}`);
      } else {
        this.aof.stop();
      }
    });
  }

  /** A failed BGSAVE or AOF write may refuse writes (checked per command, so cached here). */
  diskError = false;
  /** min-replicas-to-write, cached for the per-write check. */
  minReplicasToWrite = 0;

  refreshDiskError(): void {
    this.diskError = this.rdb.lastBgsaveStatus === 'err' || this.aof.lastWriteStatus === 'err';
  }

  /** No snapshot (BGSAVE, AOF rewrite, full sync) is walking the keyspace: one may start. */
  snapshotSlotFree(): boolean {
    return this.ks.cow === null;
  }

  /**
   * CONFIG SET port / bind: listen on the new address, then close the old
   * listeners. Node binds asynchronously, so the command has already answered
   * OK; if binding fails, the old listeners stay and the setting is put back,
   * with a warning in the log (Redis would refuse the CONFIG SET instead).
   */
  private rebindQueue: Promise<void> = Promise.resolve();

  private rebind(): void {
    this.rebindQueue = this.rebindQueue.then(async () => {
      const port = this.config.num('port');
      const bind = this.config.get('bind');
      if (port === this.port && bind === this.boundTo) return;
      const old = this.listeners.splice(0);
      const oldPort = this.port;
      this.port = port;
      try {
        if (port !== 0) await this.listen();
        for (const l of old) l.close();
        this.log.notice(`Listening on port ${port} (bind ${bind})`);
      } catch (e) {
        for (const l of this.listeners.splice(0)) l.close();
        this.listeners.push(...old);
        this.port = oldPort;
        this.log.warning(`${(e as Error).message} Keeping port ${oldPort} and bind ${this.boundTo}.`);
        const pd = this.config.directive('port')!;
        const bd = this.config.directive('bind')!;
        this.config.storeQuiet(pd, String(oldPort));
        this.config.storeQuiet(bd, this.boundTo);
      }
    });
  }

  /** The bind value the current listeners were opened with. */
  private boundTo = '';

  private async listen(): Promise<void> {
    const bindValue = this.config.get('bind');
    const binds = bindValue.split(' ').filter((b) => b !== '');
    const backlog = this.config.num('tcp-backlog');
    let bound = 0;
    for (const raw of binds) {
      const optional = raw.startsWith('-');
      let host = optional ? raw.slice(1) : raw;
      if (host === '*') host = '0.0.0.0';
      else if (host === '::*') host = '::';
      const srv = net.createServer({ noDelay: true, allowHalfOpen: true });
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port: this.port, host, backlog, ipv6Only: host.includes(':') }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
        if (!acceptWithSharedReads(srv, (s) => this.accept(s))) {
          srv.on('connection', (s: net.Socket) => {
            const target = this.accept(s);
            s.on('data', target);
          });
        }
        srv.on('error', (e) => this.log.warning(`Listener error: ${e.message}`));
        this.listeners.push(srv);
        bound++;
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) {
          this.log.verbose(`Skipping optional bind ${host}: ${err.message}`);
          continue;
        }
        this.log.warning(`Warning: Could not create server TCP listening socket ${host}:${this.port}: ${err.message}`);
        throw new Error(`Failed listening on port ${this.port} (tcp), aborting.`);
      }
    }
    if (bound === 0) throw new Error(`Failed listening on port ${this.port} (tcp), aborting.`);
    this.boundTo = bindValue;
  }

  /** A new connection: its Client, or a refusal. Returns where its input goes. */
  private accept(socket: net.Socket): ReadTarget {
    const maxclients = this.config.num('maxclients');
    if (this.clients.size >= maxclients) return this.refuse(socket, '-ERR max number of clients reached\r\n');
    if (this.protectedModeDenies(socket)) return this.refuse(socket, `-${PROTECTED_MODE_DENIED}\r\n`);
    const keepalive = this.config.num('tcp-keepalive');
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    const client = new Client(this, socket, this.nextClientId++);
    this.clients.set(client.id, client);
    this.stats.numConnections++;
    socket.on('error', () => this.unlinkClient(client));
    socket.on('close', () => this.unlinkClient(client));
    // The client closed its side: like Redis, close ours; replies still queued go out first.
    socket.on('end', () => {
      if (client.outputBacklog() === 0) socket.destroy();
      else socket.end();
    });
    // Replies go out through the writer or, while the Writable holds bytes, through it: either may drain last.
    const drained = (): void => {
      if (client.readPaused && !client.closed && client.outputBacklog() === 0) {
        client.readPaused = false;
        socket.resume();
      }
    };
    socket.on('drain', drained);
    if (client.writer !== null) client.writer.onDrain = drained;
    return (chunk) => this.onData(client, chunk);
  }

  /** Answers a connection we do not serve with one error line, then closes it; its input is ignored. */
  private refuse(socket: net.Socket, line: string): ReadTarget {
    this.stats.rejectedConnections++;
    socket.on('error', () => socket.destroy());
    socket.end(line, () => socket.destroy());
    return ignoreInput;
  }

  /** protected-mode: no password and the default bind, so only loopback may connect. */
  private protectedModeDenies(socket: net.Socket): boolean {
    if (!this.config.bool('protected-mode') || this.authRequired()) return false;
    if (this.config.get('bind') !== '* -::*') return false;
    const a = socket.remoteAddress ?? '';
    return !(a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1' || a.startsWith('127.'));
  }

  onData(c: Client, chunk: Buffer): void {
    if (c.closed) return;
    this.stats.netInputBytes += chunk.length;
    this.stats.totalReads++;
    this.cachedNow = Date.now();
    c.parser.feed(chunk);
    if (c.parser.pending > this.queryBufLimit) {
      this.log.warning(`Closing client that reached max query buffer length: id=${c.id} addr=${c.addr} (qbuf initial bytes: ${JSON.stringify('')})`);
      this.stats.clientQbufLimitDisconnections++;
      c.close();
      return;
    }
    this.processInput(c);
    // The chunk may be the shared read buffer: keep our own copy of any unparsed tail.
    c.parser.retainInput();
  }

  /** Runs every complete request in the client's buffer, then flushes replies once. */
  processInput(c: Client): void {
    beginInput(c);
    try {
      while (!c.closeAfterReply && !c.closed && c.blocked === null && c.parked === null) {
        let argv: string[] | null;
        if (c.pausedArgv === null) argv = c.parser.next();
        else {
          argv = c.pausedArgv;
          c.pausedArgv = null;
        }
        if (argv === null) break;
        if (this.pauseType !== PAUSE_NONE && this.mustPostpone(c, argv)) {
          c.pausedArgv = argv;
          this.pausedClients.add(c);
          break;
        }
        if (c.replyMode !== 'on' || c.replySkipNext) {
          // CLIENT REPLY: a command's reply is dropped when SKIP preceded it or
          // when replies are OFF once it ran (so CLIENT REPLY ON answers OK).
          const mark = c.reply.length;
          const skipThis = c.replySkipNext || c.replyMode === 'skip';
          c.replySkipNext = false;
          if (c.replyMode === 'skip') c.replyMode = 'on';
          processCommand(c, argv);
          if (skipThis || (c.replyMode as string) === 'off') c.reply.truncate(mark);
        } else {
          processCommand(c, argv);
        }
      }
    } catch (e) {
      endInput();
      if (!(e instanceof ProtocolError)) throw e;
      this.log.verbose(`Protocol error (${e.message.replace('ERR Protocol error: ', '')}) from client: id=${c.id} addr=${c.addr}`);
      c.reply.error(e.message);
      c.close();
      return;
    }
    endInput();
    const n = c.reply.length;
    this.stats.netOutputBytes += n;
    c.flush();
    if (c.closeAfterReply) c.close();
    else if (c.socket && c.outputBacklog() > 64 * 1024 * 1024) {
      // A client that reads its replies slower than it sends requests: stop reading until 'drain'.
      c.readPaused = true;
      c.socket.pause();
    }
  }

  // ---- CLIENT PAUSE ------------------------------------------------------

  /**
   * processCommand's pause check: while paused, a normal client's command
   * waits (ALL: any existing command; WRITE: writes, may-replicate commands
   * and an EXEC whose queue holds one). Unknown commands still fail at once.
   */
  private mustPostpone(c: Client, argv: string[]): boolean {
    if (c.isMaster) return false;
    let cmd = this.commands.lookup(argv[0]);
    if (cmd === undefined) return false;
    if (cmd.subcommands !== null && argv.length >= 2) cmd = cmd.subcommands.get(argv[1].toLowerCase()) ?? cmd;
    if (this.pauseType === PAUSE_ALL) return true;
    if (cmd.isWrite || cmd.flags.has('may_replicate')) return true;
    if (cmd.fullname === 'exec' && c.multi !== null) {
      for (const q of c.multi.queue) if (q.cmd.isWrite || q.cmd.flags.has('may_replicate')) return true;
    }
    return false;
  }

  /** pauseClients: a longer or more restrictive pause wins over the current one. */
  pauseClients(type: PauseType, endMs: number): void {
    if (type > this.pauseType) this.pauseType = type;
    if (endMs > this.pauseEnd) this.pauseEnd = endMs;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.checkPauseEnd(), Math.max(0, this.pauseEnd - Date.now()) + 1);
  }

  private checkPauseEnd(): void {
    this.pauseTimer = null;
    if (this.pauseType === PAUSE_NONE) return;
    const left = this.pauseEnd - Date.now();
    if (left > 0) {
      this.pauseTimer = setTimeout(() => this.checkPauseEnd(), left + 1);
      return;
    }
    this.unpauseClients();
  }

  /**
   * unpauseClients: the pause ends now; every postponed command runs on the
   * next turn of the loop (after the reply of the command that unpaused), in
   * the order the clients were paused. One that meets a new pause waits again.
   */
  unpauseClients(): void {
    this.pauseType = PAUSE_NONE;
    this.pauseEnd = 0;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    if (this.pausedClients.size === 0) return;
    const waiting = [...this.pausedClients];
    this.pausedClients.clear();
    setImmediate(() => {
      for (const c of waiting) if (!c.closed && c.pausedArgv !== null) this.processInput(c);
    });
  }

  unlinkClient(c: Client): void {
    if (!this.clients.delete(c.id)) return;
    c.closed = true;
    if (c.blocked !== null) this.blocking.disconnected(c);
    if (c.replicaInfo !== null) this.master.disconnected(c);
    if (c.isMaster) this.replicaSide.masterClientClosed(c);
    this.pausedClients.delete(c);
    this.monitors.delete(c);
    if (c.subs !== null) this.pubsub.unsubscribeAll(c);
    if (c.tracking !== null) c.tracking.hub.disable(c); // freeClient → disableTracking
    c.unwatchAll();
    if (c.socket && !c.socket.destroyed) c.socket.destroy();
  }

  /** Error replies are counted here for INFO errorstats (afterErrorReply). */
  countError(msg: string): void {
    this.stats.totalErrorReplies++;
    const sp = msg.indexOf(' ');
    const code = sp < 0 ? msg : msg.slice(0, sp);
    this.stats.errorCodes.set(code, (this.stats.errorCodes.get(code) ?? 0) + 1);
  }

  /**
   * replicationFeedMonitors: called by call() after a command ran (so SELECT
   * shows its new db), for every command but admin and skip_monitor ones.
   * Passwords are redacted as AUTH and HELLO redact them.
   */
  feedMonitors(c: Client, argv: string[]): void {
    const now = performance.timeOrigin + performance.now();
    const secs = Math.floor(now / 1000);
    const usec = String(Math.floor((now % 1000) * 1000)).padStart(6, '0');
    const who = c.isMaster ? 'master' : c.socket ? c.addr : 'lua';
    const redact = monitorRedactions(argv);
    let args = '';
    for (let i = 0; i < argv.length; i++) {
      if (i !== 0) args += ' ';
      args += redact !== null && redact.has(i) ? '"(redacted)"' : repr(argv[i]);
    }
    const line = `+${secs}.${usec} [${c.db.id} ${who}] ${args}\r\n`;
    for (const m of this.monitors) {
      if (m.closed) continue;
      if (m === c) {
        // The monitor's own command: its reply is pending and goes first.
        m.reply.raw(line);
        continue;
      }
      m.reply.raw(line);
      this.stats.netOutputBytes += line.length;
      m.flush();
    }
  }

  /**
   * prepareForShutdown + finishShutdown: kills a background save, saves
   * synchronously when save points are configured (or SAVE is asked, and not
   * NOSAVE), then closes everything and exits. False when the save failed
   * and FORCE was not given: the server keeps running, as Redis does.
   */
  shutdown(code = 0, how: { save?: boolean; nosave?: boolean; force?: boolean } = {}): boolean {
    if (this.shuttingDown) return true;
    this.log.warning('User requested shutdown...');
    if (this.rdb.inProgress) {
      this.log.warning('There is a child saving an .rdb. Killing it!');
      this.rdb.killBackground();
      try {
        unlinkSync(`temp-${process.pid}-bg.rdb`);
      } catch {
        /* already gone */
      }
    }
    if (this.aof.rewriting) {
      this.log.warning('There is a child rewriting the AOF. Killing it!');
      this.aof.killRewrite();
    }
    if (this.aof.enabled) {
      this.log.notice('Calling fsync() on the AOF file.');
      this.aof.flushAndSync();
    }
    if (this.sentinel === null && !how.nosave && (how.save || this.rdb.savePoints().length > 0)) {
      this.log.notice('Saving the final RDB snapshot before exiting.');
      if (!this.rdb.saveSync() && !how.force) {
        this.log.warning('Error trying to save the DB, can\'t exit.');
        return false;
      }
    }
    this.shuttingDown = true;
    this.cron.stop();
    this.sentinel?.stop();
    this.cluster?.stop();
    for (const l of this.listeners) l.close();
    this.metrics.stop();
    for (const c of [...this.clients.values()]) {
      c.flush();
      c.socket?.destroy();
    }
    const pidfile = this.config.get('pidfile');
    if (pidfile !== '') {
      try {
        unlinkSync(pidfile);
      } catch {
        /* already gone */
      }
    }
    this.log.warning(`${this.sentinel ? 'Sentinel' : 'Reddish'} is now ready to exit, bye bye...`);
    this.onShutdown(code);
    return true;
  }

  /** Address the listener actually bound (port 0 in tests picks a free one). */
  boundPort(): number {
    const a = this.listeners[0]?.address();
    return a && typeof a === 'object' ? a.port : this.port;
  }
}

/** Input of a refused connection. */
function ignoreInput(): void {}

const PROTECTED_MODE_DENIED =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, n);
}

/** Argument positions AUTH, HELLO ... AUTH and MIGRATE ... AUTH/AUTH2 hide from MONITOR. */
function monitorRedactions(argv: string[]): Set<number> | null {
  const n = argv[0].toLowerCase();
  if (n === 'auth') {
    const s = new Set<number>();
    for (let i = 1; i < argv.length; i++) s.add(i);
    return s;
  }
  if (n === 'hello' || n === 'migrate') {
    let s: Set<number> | null = null;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i].toLowerCase();
      if (a === 'auth' && i + 2 < argv.length + 1) {
        s ??= new Set();
        if (n === 'hello') s.add(i + 1);
        s.add(n === 'hello' ? i + 2 : i + 1);
      } else if (a === 'auth2' && n === 'migrate') {
        s ??= new Set();
        s.add(i + 1);
        s.add(i + 2);
      }
    }
    return s;
  }
  return null;
}

