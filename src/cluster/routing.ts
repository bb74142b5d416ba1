/**
 * Which node serves a command (cluster.c getNodeByQuery +
 * clusterRedirectClient), checked by processCommand for every command with
 * key arguments, and for EXEC over its whole queue:
 *
 *   all keys must hash to one slot            else -CROSSSLOT
 *   the slot must have an owner               else -CLUSTERDOWN Hash slot not served
 *   the cluster must be up                    else -CLUSTERDOWN (reads may pass with
 *                                             cluster-allow-reads-when-down)
 *   slot migrating away, some keys gone       -ASK <slot> <target> (all gone) or -TRYAGAIN
 *   slot being imported                       served after ASKING (TRYAGAIN if a
 *                                             multi-key request misses keys)
 *   READONLY client reading on a replica      served when our master owns the slot
 *   slot owned by another node                -MOVED <slot> <ip>:<port>
 *
 * Keys come from the command table's key specs (dispatch/key-extraction.ts);
 * a shard-channel command's channel counts as its key.
 */
import type { Client } from '../net/client.js';
import type { CommandSpec, MetaTree } from '../dispatch/command-spec.js';
import { keysBySpecs } from '../dispatch/key-extraction.js';
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './cluster-node.js';
import { keyHashSlot } from './key-slot.js';
import { keyInFlight } from '../commands/migrate.js';

export const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
export const TRYAGAIN = 'TRYAGAIN Multiple keys request during rehashing of slot';
export const CLUSTERDOWN = 'CLUSTERDOWN The cluster is down';
export const CLUSTERDOWN_RO = 'CLUSTERDOWN The cluster is down and only accepts read commands';
export const CLUSTERDOWN_UNBOUND = 'CLUSTERDOWN Hash slot not served';

const PUBSUB_SHARD = new Set(['ssubscribe', 'sunsubscribe', 'spublish']);

interface KeyRange {
  first: number;
  lastkey: number;
  step: number;
}

/** What routing needs to know about a command, worked out once from its key specs. */
interface RouteInfo {
  /** It can name keys at all (key specs or movable keys): the others are never redirected. */
  hasKeys: boolean;
  /** The key specs as plain index + range steps (GET, SET, MSET, ...: nearly all), or null for the general path. */
  ranges: KeyRange[] | null;
  pubsubShard: boolean;
}

const infos = new WeakMap<CommandSpec, RouteInfo>();

function routeInfo(cmd: CommandSpec): RouteInfo {
  let info = infos.get(cmd);
  if (info === undefined) {
    const specs = listOf((cmd.info as MetaTree[])[8]);
    info = { hasKeys: specs.length > 0 || cmd.flags.has('movablekeys'), ranges: compileRanges(specs), pubsubShard: PUBSUB_SHARD.has(cmd.fullname) };
    infos.set(cmd, info);
  }
  return info;
}

export function commandHasKeys(cmd: CommandSpec): boolean {
  return routeInfo(cmd).hasKeys;
}

function field(t: MetaTree | undefined, key: string): MetaTree | undefined {
  if (t === null || t === undefined || typeof t !== 'object' || !('%' in t)) return undefined;
  for (const [k, v] of t['%']) if (k === key) return v;
  return undefined;
}

function listOf(t: MetaTree | undefined): MetaTree[] {
  if (t && typeof t === 'object' && '~' in t) return t['~'];
  return Array.isArray(t) ? t : [];
}

function compileRanges(specs: MetaTree[]): KeyRange[] | null {
  const ranges: KeyRange[] = [];
  for (const spec of specs) {
    const bs = field(spec, 'begin_search');
    const fk = field(spec, 'find_keys');
    const fkSpec = field(fk, 'spec');
    const incomplete = listOf(field(spec, 'flags')).some((f) => typeof f === 'object' && f !== null && '+' in f && f['+'] === 'incomplete');
    if (field(bs, 'type') !== 'index' || field(fk, 'type') !== 'range' || field(fkSpec, 'limit') !== 0 || incomplete) return null;
    ranges.push({ first: field(field(bs, 'spec'), 'index') as number, lastkey: field(fkSpec, 'lastkey') as number, step: field(fkSpec, 'keystep') as number });
  }
  return ranges;
}

/**
 * The key arguments routing looks at: the key specs' keys, or for a command
 * whose specs cannot say (SORT's STORE, MIGRATE's KEYS) what its getkeys proc finds.
 */
export function routingKeys(cmd: CommandSpec, argv: string[]): string[] {
  const ranges = routeInfo(cmd).ranges;
  if (ranges === null) return slowKeys(cmd, argv);
  const out: string[] = [];
  const argc = argv.length;
  for (const r of ranges) {
    const last = r.lastkey >= 0 ? r.first + r.lastkey : argc + r.lastkey;
    for (let i = r.first; i <= last && i < argc; i += r.step) out.push(argv[i]);
  }
  return out;
}

function slowKeys(cmd: CommandSpec, argv: string[]): string[] {
  const refs = keysBySpecs(cmd, argv);
  if (refs !== null) return refs.map((r) => r.key);
  if (cmd.fullname === 'migrate') {
    // migrateGetKeys: the KEYS option's list, else the single key argument.
    for (let i = 6; i < argv.length; i++) if (argv[i].toLowerCase() === 'keys') return argv.slice(i + 1);
    return argv.length > 3 ? [argv[3]] : [];
  }
  if (cmd.fullname === 'sort') {
    // sortGetKeys: the sorted key and the last STORE target; BY/GET patterns are not keys.
    let store: string | null = null;
    for (let i = 2; i < argv.length; i++) {
      const a = argv[i].toLowerCase();
      if (a === 'limit') i += 2;
      else if (a === 'get' || a === 'by') i += 1;
      else if (a === 'store' && i + 1 < argv.length) store = argv[i + 1];
    }
    return store === null ? [argv[1]] : [argv[1], store];
  }
  const out: string[] = [];
  if (cmd.firstKey <= 0) return out;
  const last = cmd.lastKey < 0 ? argv.length + cmd.lastKey : cmd.lastKey;
  for (let i = cmd.firstKey; i <= last && i < argv.length; i += Math.max(1, cmd.keyStep)) out.push(argv[i]);
  return out;
}

/**
 * The common case without allocating: one key range whose first key's slot
 * is ours, stable, in a cluster that is up. Then the answer is "served here"
 * or CROSSSLOT; anything else (undefined) takes the general path.
 */
function servedLocally(c: Cluster, r: KeyRange, argv: string[]): string | null | undefined {
  const argc = argv.length;
  const last = r.lastkey >= 0 ? r.first + r.lastkey : argc + r.lastkey;
  if (r.first > last || r.first >= argc) return null;
  const s = c.state;
  const firstKey = argv[r.first];
  const slot = keyHashSlot(firstKey);
  if (s.slots[slot] !== s.myself || s.state !== 'ok' || s.migratingTo[slot] !== null || s.importingFrom[slot] !== null) return undefined;
  for (let i = r.first + r.step; i <= last && i < argc; i += r.step) {
    const k = argv[i];
    if (k !== firstKey && keyHashSlot(k) !== slot) return CROSSSLOT;
  }
  return null;
}

/** getPreferredEndpoint: what MOVED, ASK and CLUSTER SLOTS name a node by. */
export function preferredEndpoint(c: Cluster, n: ClusterNode): string | null {
  const t = c.server.config.get('cluster-preferred-endpoint-type');
  if (t === 'hostname') return n.hostname !== '' ? n.hostname : '?';
  if (t === 'unknown-endpoint') return null;
  return n.ip;
}

/**
 * The ASKING flag lasts for one command, or for a whole MULTI ... EXEC
 * (resetClient clears it after any command but ASKING outside a transaction).
 * Returns whether it applies to this command.
 */
function takeAsking(c: Cluster, client: Client, cmd: CommandSpec): boolean {
  if (!c.askingClients.has(client)) return false;
  const n = cmd.fullname;
  const keeps = n === 'asking' || n === 'multi' || (client.multi !== null && n !== 'exec' && n !== 'discard');
  if (!keeps) c.askingClients.delete(client);
  return true;
}

/** null when this node serves the command; otherwise the error to reply (EXEC's transaction is discarded). */
export function getNodeByQuery(c: Cluster, client: Client, cmd: CommandSpec, argv: string[]): string | null {
  const asking = c.askingUsed && takeAsking(c, client, cmd);
  // A script run by this command reads the flag as it was (scriptVerifyClusterState copies CLIENT_ASKING).
  if (c.askingUsed) c.askingNow = asking ? client : null;
  // Our master's stream and the AOF are obeyed whatever the slot.
  if (client.isMaster) return null;
  const isExec = cmd.fullname === 'exec';
  if (!isExec) {
    const info = routeInfo(cmd);
    if (!info.hasKeys) return null;
    if (info.ranges !== null && info.ranges.length === 1 && !info.pubsubShard) {
      const local = servedLocally(c, info.ranges[0], argv);
      if (local !== undefined) return local;
    }
  } else if (client.multi === null) {
    return null;
  }
  const err = route(c, client, cmd, argv, asking);
  if (err !== null && isExec) {
    // discardTransaction: the queued commands are dropped, not just flagged.
    client.multi = null;
    client.dirtyCas = false;
    client.unwatchAll();
  }
  return err;
}

function route(c: Cluster, client: Client, cmd: CommandSpec, argv: string[], asking: boolean): string | null {
  const s = c.state;
  const me = s.myself;
  const isExec = cmd.fullname === 'exec';
  const pubsubShard = routeInfo(cmd).pubsubShard;
  const queue = isExec ? client.multi!.queue : null;
  const count = queue !== null ? queue.length : 1;
  let firstKey: string | null = null;
  let slot = 0;
  let n: ClusterNode | null = null;
  let multipleKeys = false;
  let migrating = false;
  let importing = false;
  let missing = 0;
  let existing = 0;
  let inFlight = 0;
  let anyWrite = cmd.isWrite;
  const ks = c.server.ks;
  const db0 = ks.dbs[0];
  for (let qi = 0; qi < count; qi++) {
    const qcmd = queue !== null ? queue[qi].cmd : cmd;
    if (qcmd.isWrite) anyWrite = true;
    for (const key of routingKeys(qcmd, queue !== null ? queue[qi].argv : argv)) {
      const keySlot = keyHashSlot(key);
      if (firstKey === null) {
        firstKey = key;
        slot = keySlot;
        n = s.slots[slot];
        // Not yet reflected in the cluster state maybe, but unservable all the same.
        if (n === null) return CLUSTERDOWN_UNBOUND;
        if (n === me && s.migratingTo[slot] !== null) migrating = true;
        else if (s.importingFrom[slot] !== null) importing = true;
      } else if (key !== firstKey) {
        if (keySlot !== slot) return CROSSSLOT;
        multipleKeys = true;
      }
      if ((migrating || importing) && !pubsubShard) {
        if (ks.exists(db0, key)) {
          existing++;
          if (migrating && keyInFlight(c.server, db0, key)) inFlight++;
        } else missing++;
      }
    }
  }
  if (n === null) return null;
  if (s.state !== 'ok') {
    const cfg = c.server.config;
    if (pubsubShard) {
      if (!cfg.bool('cluster-allow-pubsubshard-when-down')) return CLUSTERDOWN;
    } else if (!cfg.bool('cluster-allow-reads-when-down')) {
      return CLUSTERDOWN;
    } else if (cmd.isWrite) {
      return CLUSTERDOWN_RO;
    }
  }
  // MIGRATE moves keys of an open slot from wherever they are: always served here.
  if ((migrating || importing) && cmd.fullname === 'migrate') return null;
  if (migrating && inFlight > 0 && cmd.fullname !== 'migrate') return TRYAGAIN;
  if (migrating && missing > 0) {
    if (existing > 0) return TRYAGAIN;
    return redirection(c, 'ASK', slot, s.migratingTo[slot]!);
  }
  if (importing && (asking || cmd.flags.has('asking'))) {
    if (multipleKeys && missing > 0) return TRYAGAIN;
    return null;
  }
  const isWrite = isExec ? anyWrite : cmd.isWrite;
  if (me.isSlave() && me.slaveof === n && !isWrite && (pubsubShard || c.readonlyClients.has(client))) return null;
  if (n !== me) return redirection(c, 'MOVED', slot, n);
  return null;
}

function redirection(c: Cluster, kind: 'MOVED' | 'ASK', slot: number, n: ClusterNode): string {
  return `${kind} ${slot} ${preferredEndpoint(c, n) ?? ''}:${n.port}`;
}

/** What a script run keeps for its cluster checks (scriptRunCtx flags + the caller's c->slot). */
export interface ScriptSlotScope {
  /** The slot the run is bound to: its declared keys' slot, else the first key a command touches; -1 none yet. */
  slot: number;
  /** SCRIPT_ALLOW_CROSS_SLOT: EVAL without shebang, or the allow-cross-slot-keys flag. */
  allowCrossSlot: boolean;
}

/**
 * scriptVerifyClusterState (7.0), for redis.call/pcall inside EVAL/FCALL: a
 * command a script runs must be served here (any redirection, CROSSSLOT
 * included, reads as "non local key"), and unless the run allows cross-slot
 * access it must touch the slot the run is bound to. Null when allowed.
 */
export function scriptClusterCheck(c: Cluster, client: Client, cmd: CommandSpec, argv: string[], scope: ScriptSlotScope): string | null {
  if (client.isMaster || !commandHasKeys(cmd)) return null;
  const err = route(c, client, cmd, argv, c.askingUsed && c.askingNow === client);
  if (err !== null) {
    if (err === CLUSTERDOWN_RO) return 'ERR Script attempted to execute a write command while the cluster is down and readonly';
    if (err === CLUSTERDOWN) return 'ERR Script attempted to execute a command while the cluster is down';
    return 'ERR Script attempted to access a non local key in a cluster node';
  }
  if (scope.allowCrossSlot) return null;
  const keys = routingKeys(cmd, argv);
  if (keys.length === 0) return null;
  const slot = keyHashSlot(keys[0]);
  if (scope.slot === -1) scope.slot = slot;
  else if (scope.slot !== slot) return 'ERR Script attempted to access keys that do not hash to the same slot';
  return null;
}
