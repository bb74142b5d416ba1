/**
 * CLUSTER and its subcommands, READONLY, READWRITE, ASKING (cluster.c
 * clusterCommand, readonlyCommand, ...). The work is in src/cluster/; these
 * parse, check preconditions in Redis's order and words, and reply. On a
 * server without cluster-enabled every one answers "This instance has
 * cluster support disabled".
 */
import type { CommandContext, CommandDef, Handler } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import type { Cluster } from '../cluster/cluster.js';
import { TODO_FSYNC_CONFIG, TODO_SAVE_CONFIG, TODO_UPDATE_STATE } from '../cluster/cluster-state.js';
import { CLUSTER_SLOTS, keyHashSlot } from '../cluster/key-slot.js';
import { CLUSTER_PORT_INCR } from '../cluster/nodes-conf.js';
import { nodeDescription, nodesDescription } from '../cluster/node-description.js';
import { clusterInfoText, writeClusterLinks, writeClusterShards, writeClusterSlots } from '../cluster/cluster-replies.js';
import { replyHelp } from './client.js';
import { eqi } from './helpers.js';

const DISABLED = 'ERR This instance has cluster support disabled';

type ClusterHandler = (ctx: CommandContext, c: Cluster) => void;

/** Every cluster command first needs cluster mode. */
function clusterOnly(fn: ClusterHandler): Handler {
  return (ctx) => {
    const c = ctx.server.cluster;
    if (c === null) return ctx.reply.error(DISABLED);
    fn(ctx, c);
  };
}

/** addReplySubcommandSyntaxError: a known subcommand with an argument count its parser refuses. */
function subcommandSyntax(ctx: CommandContext): void {
  ctx.reply.error(`ERR unknown subcommand or wrong number of arguments for '${ctx.argv[1]}'. Try CLUSTER HELP.`);
}

/** getSlotOrReply */
function slotOrReply(ctx: CommandContext, s: string): number | null {
  const n = parseInt64(s);
  if (n === null || n < 0 || n >= CLUSTER_SLOTS) {
    ctx.reply.error('ERR Invalid or out of range slot');
    return null;
  }
  return Number(n);
}

function intOrReply(ctx: CommandContext, s: string): number | null {
  const n = parseInt64(s);
  if (n === null) {
    ctx.reply.error(ERR.notInteger);
    return null;
  }
  return Number(n);
}

const HELP = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
  'HELP',
  '    Prints this help.',
];

/** CLUSTER MEET ip port [bus-port] */
function meet(ctx: CommandContext, c: Cluster): void {
  const argv = ctx.argv;
  if (argv.length !== 4 && argv.length !== 5) return subcommandSyntax(ctx);
  const port = parseInt64(argv[3]);
  if (port === null) return ctx.reply.error(`ERR Invalid TCP base port specified: ${argv[3]}`);
  let cport = Number(port) + CLUSTER_PORT_INCR;
  if (argv.length === 5) {
    const p = parseInt64(argv[4]);
    if (p === null) return ctx.reply.error(`ERR Invalid TCP bus port specified: ${argv[4]}`);
    cport = Number(p);
  }
  // A handshake already under way with that address is fine: OK all the same.
  if (c.startHandshake(argv[2], Number(port), cport) === 'invalid') {
    return ctx.reply.error(`ERR Invalid node address specified: ${argv[2]}:${argv[3]}`);
  }
  ctx.reply.ok();
}

/**
 * ADDSLOTS/DELSLOTS and their RANGE forms: every slot is checked (parseable,
 * free or assigned, not repeated) before any changes.
 */
function changeSlots(ctx: CommandContext, c: Cluster, del: boolean, ranges: boolean): void {
  const argv = ctx.argv;
  const s = c.state;
  const chosen = new Uint8Array(CLUSTER_SLOTS);
  const pick = (start: number, end: number): boolean => {
    for (let slot = start; slot <= end; slot++) {
      if (del && s.slots[slot] === null) {
        ctx.reply.error(`ERR Slot ${slot} is already unassigned`);
        return false;
      }
      if (!del && s.slots[slot] !== null) {
        ctx.reply.error(`ERR Slot ${slot} is already busy`);
        return false;
      }
      if (chosen[slot]++ === 1) {
        ctx.reply.error(`ERR Slot ${slot} specified multiple times`);
        return false;
      }
    }
    return true;
  };
  if (ranges) {
    if (argv.length % 2 === 1) return ctx.reply.error(ERR.wrongArity(`cluster|${argv[1].toLowerCase()}`));
    for (let j = 2; j < argv.length; j += 2) {
      const start = slotOrReply(ctx, argv[j]);
      if (start === null) return;
      const end = slotOrReply(ctx, argv[j + 1]);
      if (end === null) return;
      if (start > end) return ctx.reply.error(`ERR start slot number ${start} is greater than end slot number ${end}`);
      if (!pick(start, end)) return;
    }
  } else {
    const slots: number[] = [];
    for (let j = 2; j < argv.length; j++) {
      const slot = slotOrReply(ctx, argv[j]);
      if (slot === null) return;
      slots.push(slot);
    }
    for (const slot of slots) if (!pick(slot, slot)) return;
  }
  for (let j = 0; j < CLUSTER_SLOTS; j++) {
    if (!chosen[j]) continue;
    // Taking the slot ourselves ends an import of it.
    s.importingFrom[j] = null;
    if (del) s.delSlot(j);
    else s.addSlot(s.myself, j);
  }
  s.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
  ctx.reply.ok();
}

/** CLUSTER SETSLOT slot IMPORTING node | MIGRATING node | STABLE | NODE node */
function setslot(ctx: CommandContext, c: Cluster): void {
  const argv = ctx.argv;
  const s = c.state;
  const me = s.myself;
  if (me.isSlave()) return ctx.reply.error('ERR Please use SETSLOT only with masters.');
  const slot = slotOrReply(ctx, argv[2]);
  if (slot === null) return;
  const action = argv[3].toLowerCase();
  if (action === 'migrating' && argv.length === 5) {
    if (s.slots[slot] !== me) return ctx.reply.error(`ERR I'm not the owner of hash slot ${slot}`);
    const n = s.lookup(argv[4]);
    if (!n) return ctx.reply.error(`ERR I don't know about node ${argv[4]}`);
    if (n.isSlave()) return ctx.reply.error('ERR Target node is not a master');
    s.migratingTo[slot] = n;
  } else if (action === 'importing' && argv.length === 5) {
    if (s.slots[slot] === me) return ctx.reply.error(`ERR I'm already the owner of hash slot ${slot}`);
    const n = s.lookup(argv[4]);
    if (!n) return ctx.reply.error(`ERR I don't know about node ${argv[4]}`);
    if (n.isSlave()) return ctx.reply.error('ERR Target node is not a master');
    s.importingFrom[slot] = n;
  } else if (action === 'stable' && argv.length === 4) {
    s.importingFrom[slot] = null;
    s.migratingTo[slot] = null;
  } else if (action === 'node' && argv.length === 5) {
    const n = s.lookup(argv[4]);
    if (!n) return ctx.reply.error(`ERR Unknown node ${argv[4]}`);
    if (n.isSlave()) return ctx.reply.error('ERR Target node is not a master');
    const keys = c.slotKeys.count(slot);
    if (s.slots[slot] === me && n !== me && keys !== 0) {
      return ctx.reply.error(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
    }
    // An emptied migrating slot given away is no longer migrating.
    if (keys === 0 && s.migratingTo[slot] !== null) s.migratingTo[slot] = null;
    const wasMine = s.slots[slot] === me;
    s.delSlot(slot);
    s.addSlot(n, slot);
    if (wasMine && n !== me && me.numSlots === 0 && ctx.server.config.bool('cluster-allow-replica-migration')) {
      ctx.server.log.warning(`Configuration change detected. Reconfiguring myself as a replica of ${n.name}`);
      c.setMaster(n);
      s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE | TODO_FSYNC_CONFIG);
    }
    if (n === me && s.importingFrom[slot] !== null) {
      // A finished import gets a new epoch so the cluster adopts our claim.
      if (s.bumpEpochWithoutConsensus()) ctx.server.log.warning(`configEpoch updated after importing slot ${slot}`);
      s.importingFrom[slot] = null;
      c.announceConfig();
    }
  } else {
    return ctx.reply.error('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
  }
  s.want(TODO_SAVE_CONFIG | TODO_UPDATE_STATE);
  ctx.reply.ok();
}

function countKeysInSlot(ctx: CommandContext, c: Cluster): void {
  const slot = intOrReply(ctx, ctx.argv[2]);
  if (slot === null) return;
  if (slot < 0 || slot >= CLUSTER_SLOTS) return ctx.reply.error('ERR Invalid slot');
  ctx.reply.int(c.slotKeys.count(slot));
}

function getKeysInSlot(ctx: CommandContext, c: Cluster): void {
  const slot = intOrReply(ctx, ctx.argv[2]);
  if (slot === null) return;
  const max = intOrReply(ctx, ctx.argv[3]);
  if (max === null) return;
  if (slot < 0 || slot >= CLUSTER_SLOTS || max < 0) return ctx.reply.error('ERR Invalid slot or number of keys');
  const keys = c.slotKeys.keys(slot, max);
  ctx.reply.array(keys.length);
  for (const k of keys) ctx.reply.bulk(k);
}

function forget(ctx: CommandContext, c: Cluster): void {
  const s = c.state;
  const n = s.lookup(ctx.argv[2]);
  if (!n) return ctx.reply.error(`ERR Unknown node ${ctx.argv[2]}`);
  if (n === s.myself) return ctx.reply.error("ERR I tried hard but I can't forget myself...");
  if (s.myself.isSlave() && s.myself.slaveof === n) return ctx.reply.error("ERR Can't forget my master!");
  s.blacklistAdd(n);
  s.delNode(n);
  s.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
  ctx.reply.ok();
}

function replicate(ctx: CommandContext, c: Cluster): void {
  const s = c.state;
  const me = s.myself;
  const n = s.lookup(ctx.argv[2]);
  if (!n) return ctx.reply.error(`ERR Unknown node ${ctx.argv[2]}`);
  if (n === me) return ctx.reply.error("ERR Can't replicate myself");
  if (n.isSlave()) return ctx.reply.error('ERR I can only replicate a master, not a replica.');
  if (me.isMaster() && (me.numSlots !== 0 || ctx.ks.dbs[0].keys.size !== 0)) {
    return ctx.reply.error('ERR To set a master the node must be empty and without assigned slots.');
  }
  c.setMaster(n);
  s.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
  ctx.reply.ok();
}

function replicas(ctx: CommandContext, c: Cluster): void {
  const n = c.state.lookup(ctx.argv[2]);
  if (!n) return ctx.reply.error(`ERR Unknown node ${ctx.argv[2]}`);
  if (n.isSlave()) return ctx.reply.error('ERR The specified node is not a master');
  ctx.reply.array(n.slaves.length);
  for (const r of n.slaves) ctx.reply.bulk(nodeDescription(c.state, r));
}

function countFailureReports(ctx: CommandContext, c: Cluster): void {
  const n = c.state.lookup(ctx.argv[2]);
  if (!n) return ctx.reply.error(`ERR Unknown node ${ctx.argv[2]}`);
  ctx.reply.int(c.state.failureReportsCount(n, c.nodeTimeout()));
}

/** CLUSTER SET-CONFIG-EPOCH epoch: only on a fresh node (redis-cli --cluster create uses it). */
function setConfigEpoch(ctx: CommandContext, c: Cluster): void {
  const s = c.state;
  const epoch = intOrReply(ctx, ctx.argv[2]);
  if (epoch === null) return;
  if (epoch < 0) return ctx.reply.error(`ERR Invalid config epoch specified: ${epoch}`);
  if (s.nodes.size > 1) return ctx.reply.error('ERR The user can assign a config epoch only when the node does not know any other node.');
  if (s.myself.configEpoch !== 0) return ctx.reply.error('ERR Node config epoch is already non-zero');
  s.myself.configEpoch = epoch;
  ctx.server.log.warning(`configEpoch set to ${epoch} via CLUSTER SET-CONFIG-EPOCH`);
  if (s.currentEpoch < epoch) s.currentEpoch = epoch;
  s.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
  ctx.reply.ok();
}

/** CLUSTER RESET [HARD|SOFT] */
function reset(ctx: CommandContext, c: Cluster): void {
  const argv = ctx.argv;
  if (argv.length > 3) return subcommandSyntax(ctx);
  let hard = false;
  if (argv.length === 3) {
    if (eqi(argv[2], 'hard')) hard = true;
    else if (!eqi(argv[2], 'soft')) return ctx.reply.error(ERR.syntax);
  }
  if (c.state.myself.isMaster() && ctx.ks.dbs[0].keys.size !== 0) {
    return ctx.reply.error("ERR CLUSTER RESET can't be called with master nodes containing keys");
  }
  c.reset(hard);
  ctx.reply.ok();
}

function flushslots(ctx: CommandContext, c: Cluster): void {
  if (ctx.ks.dbs[0].keys.size !== 0) return ctx.reply.error('ERR DB must be empty to perform CLUSTER FLUSHSLOTS.');
  c.state.delNodeSlots(c.state.myself);
  c.state.want(TODO_UPDATE_STATE | TODO_SAVE_CONFIG);
  ctx.reply.ok();
}

/** CLUSTER FAILOVER [FORCE|TAKEOVER] */
function failover(ctx: CommandContext, c: Cluster): void {
  const argv = ctx.argv;
  if (argv.length > 3) return subcommandSyntax(ctx);
  let mode: 'default' | 'force' | 'takeover' = 'default';
  if (argv.length === 3) {
    if (eqi(argv[2], 'force')) mode = 'force';
    else if (eqi(argv[2], 'takeover')) mode = 'takeover';
    else return ctx.reply.error(ERR.syntax);
  }
  const err = c.failover.startManual(mode);
  if (err !== null) return ctx.reply.error(err);
  ctx.reply.ok();
}

function bumpepoch(ctx: CommandContext, c: Cluster): void {
  const bumped = c.state.bumpEpochWithoutConsensus();
  ctx.reply.simple(`${bumped ? 'BUMPED' : 'STILL'} ${c.state.myself.configEpoch}`);
}

function saveconfig(ctx: CommandContext, c: Cluster): void {
  if (c.trySaveConfig(true)) ctx.reply.ok();
  else ctx.reply.error(`ERR error saving the cluster node config: ${c.lastSaveError}`);
}

export const CLUSTER_COMMANDS: CommandDef[] = [
  { name: 'cluster|help', handler: clusterOnly((ctx) => replyHelp(ctx, HELP)) },
  { name: 'cluster|info', handler: clusterOnly((ctx, c) => ctx.reply.verbatim(clusterInfoText(c))) },
  { name: 'cluster|myid', handler: clusterOnly((ctx, c) => ctx.reply.bulk(c.state.myself.name)) },
  { name: 'cluster|nodes', handler: clusterOnly((ctx, c) => ctx.reply.verbatim(nodesDescription(c.state))) },
  { name: 'cluster|slots', handler: clusterOnly((ctx, c) => writeClusterSlots(c, ctx.reply)) },
  { name: 'cluster|shards', handler: clusterOnly((ctx, c) => writeClusterShards(c, ctx.reply)) },
  { name: 'cluster|links', handler: clusterOnly((ctx, c) => writeClusterLinks(c, ctx.reply)) },
  { name: 'cluster|keyslot', handler: clusterOnly((ctx) => ctx.reply.int(keyHashSlot(ctx.argv[2]))) },
  { name: 'cluster|countkeysinslot', handler: clusterOnly(countKeysInSlot) },
  { name: 'cluster|getkeysinslot', handler: clusterOnly(getKeysInSlot) },
  { name: 'cluster|addslots', handler: clusterOnly((ctx, c) => changeSlots(ctx, c, false, false)) },
  { name: 'cluster|addslotsrange', handler: clusterOnly((ctx, c) => changeSlots(ctx, c, false, true)) },
  { name: 'cluster|delslots', handler: clusterOnly((ctx, c) => changeSlots(ctx, c, true, false)) },
  { name: 'cluster|delslotsrange', handler: clusterOnly((ctx, c) => changeSlots(ctx, c, true, true)) },
  { name: 'cluster|flushslots', handler: clusterOnly(flushslots) },
  { name: 'cluster|setslot', handler: clusterOnly(setslot) },
  { name: 'cluster|meet', handler: clusterOnly(meet) },
  { name: 'cluster|forget', handler: clusterOnly(forget) },
  { name: 'cluster|replicate', handler: clusterOnly(replicate) },
  { name: 'cluster|replicas', handler: clusterOnly(replicas) },
  { name: 'cluster|slaves', handler: clusterOnly(replicas) },
  { name: 'cluster|count-failure-reports', handler: clusterOnly(countFailureReports) },
  { name: 'cluster|set-config-epoch', handler: clusterOnly(setConfigEpoch) },
  { name: 'cluster|bumpepoch', handler: clusterOnly(bumpepoch) },
  { name: 'cluster|saveconfig', handler: clusterOnly(saveconfig) },
  { name: 'cluster|reset', handler: clusterOnly(reset) },
  { name: 'cluster|failover', handler: clusterOnly(failover) },
  {
    name: 'readonly',
    handler: clusterOnly((ctx, c) => {
      c.readonlyClients.add(ctx.client);
      ctx.reply.ok();
    }),
  },
  {
    name: 'readwrite',
    handler: clusterOnly((ctx, c) => {
      c.readonlyClients.delete(ctx.client);
      ctx.reply.ok();
    }),
  },
  {
    name: 'asking',
    handler: clusterOnly((ctx, c) => {
      c.askingClients.add(ctx.client);
      c.askingUsed = true;
      ctx.reply.ok();
    }),
  },
];
