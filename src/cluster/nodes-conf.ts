/**
 * nodes.conf (cluster-config-file): the node's own record of the cluster, in
 * Redis's format, so a restarted node keeps its id, epochs, slots and peers.
 * It is the CLUSTER NODES text without nodes still in handshake, followed by
 *
 *   vars currentEpoch 6 lastVoteEpoch 0
 *
 * Saved whole on every configuration change, atomically: the new text goes
 * to a temporary file in the same directory, is optionally fsynced, then
 * renamed over the old one, so a crash leaves either file, never half of one.
 * Loading follows clusterLoadConfig, including its refusals ("corrupted").
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync, unlinkSync } from 'node:fs';
import { ClusterNode, NODE_FAIL, NODE_HANDSHAKE, NODE_MYSELF, flagFromName, validNodeId } from './cluster-node.js';
import { ClusterState } from './cluster-state.js';
import { nodesDescription } from './node-description.js';
import { CLUSTER_SLOTS } from './key-slot.js';
import type { Logger } from '../observe/log.js';

/** The bus port is the client port plus this when not configured (CLUSTER_PORT_INCR). */
export const CLUSTER_PORT_INCR = 10000;

export class NodesConfError extends Error {}

export function nodesConfText(state: ClusterState): string {
  return nodesDescription(state, NODE_HANDSHAKE) + `vars currentEpoch ${state.currentEpoch} lastVoteEpoch ${state.lastVoteEpoch}\n`;
}

/** clusterSaveConfig, made atomic by write-then-rename. Throws on I/O errors. */
export function saveNodesConf(path: string, state: ClusterState, fsync: boolean): void {
  const text = nodesConfText(state);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  let written = false;
  try {
    writeSync(fd, text, null, 'latin1');
    if (fsync) fsyncSync(fd);
    written = true;
  } finally {
    closeSync(fd);
    if (!written) {
      try {
        unlinkSync(tmp);
      } catch {
        /* nothing to remove */
      }
    }
  }
  renameSync(tmp, path);
}

/**
 * clusterLoadConfig over the file's text (non-empty). Returns the state with
 * myself and every node, slot, open slot and epoch the file records; throws
 * NodesConfError for what Redis calls a corrupted cluster config file.
 */
export function parseNodesConf(text: string, log: Logger): ClusterState {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const records: string[][] = [];
  let vars: string[] | null = null;
  for (const line of lines) {
    const argv = line.trim().split(/\s+/);
    if (argv[0].toLowerCase() === 'vars') {
      if (argv.length % 2 === 0) throw new NodesConfError('vars line with an odd number of arguments');
      vars = argv;
      continue;
    }
    if (argv.length < 8) throw new NodesConfError('node line with fewer than eight fields');
    if (!validNodeId(argv[0])) throw new NodesConfError(`invalid node id ${argv[0]}`);
    records.push(argv);
  }
  const mine = records.filter((r) => r[2].split(',').some((f) => f.toLowerCase() === 'myself'));
  if (mine.length !== 1) throw new NodesConfError('no single "myself" node');
  const state = new ClusterState(new ClusterNode(mine[0][0], 0), log);
  const node = (id: string): ClusterNode => {
    let n = state.nodes.get(id);
    if (n === undefined) {
      n = new ClusterNode(id, 0);
      state.addNode(n);
    }
    return n;
  };
  const now = Date.now();
  const epochs: Array<[ClusterNode, number]> = [];
  for (const argv of records) {
    const n = node(argv[0]);
    // ip:port[@cport][,hostname]
    let addr = argv[1];
    const comma = addr.indexOf(',');
    n.hostname = comma >= 0 ? addr.slice(comma + 1) : '';
    if (comma >= 0) addr = addr.slice(0, comma);
    const colon = addr.lastIndexOf(':');
    if (colon < 0) throw new NodesConfError(`address without a port: ${argv[1]}`);
    n.ip = addr.slice(0, colon);
    const ports = addr.slice(colon + 1);
    const at = ports.indexOf('@');
    n.port = atoi(at >= 0 ? ports.slice(0, at) : ports);
    n.cport = at >= 0 ? atoi(ports.slice(at + 1)) : n.port + CLUSTER_PORT_INCR;
    for (const f of argv[2].split(',')) {
      const bit = flagFromName(f);
      if (bit === undefined) throw new NodesConfError(`unknown flag ${f}`);
      n.flags |= bit;
      if (bit === NODE_FAIL) n.failTime = now;
    }
    if (argv[3][0] !== '-') {
      if (!validNodeId(argv[3])) throw new NodesConfError(`invalid master id ${argv[3]}`);
      const master = node(argv[3]);
      n.slaveof = master;
      master.addSlave(n);
    }
    if (atoi(argv[4]) !== 0) n.pingSent = now;
    if (atoi(argv[5]) !== 0) n.pongReceived = now;
    epochs.push([n, Number(argv[6]) || 0]);
    for (let j = 8; j < argv.length; j++) parseSlotField(state, n, argv[j], node);
  }
  // A replica's line shows its master's epoch; its own is 0 (known only once it is promoted).
  for (const [n, e] of epochs) n.configEpoch = n.isSlave() && n.slaveof ? 0 : e;
  if (vars !== null) {
    for (let j = 1; j < vars.length; j += 2) {
      const k = vars[j].toLowerCase();
      if (k === 'currentepoch') state.currentEpoch = Number(vars[j + 1]) || 0;
      else if (k === 'lastvoteepoch') state.lastVoteEpoch = Number(vars[j + 1]) || 0;
      else log.warning(`Skipping unknown cluster config variable '${vars[j]}'`);
    }
  }
  state.myself.flags |= NODE_MYSELF;
  // Protection against hand edits: currentEpoch is never below a node's configEpoch.
  state.currentEpoch = state.maxEpoch();
  return state;
}

/** One slot field: "5", "0-5460", "[42->-<id>]" or "[42-<-<id>]". */
function parseSlotField(state: ClusterState, n: ClusterNode, field: string, node: (id: string) => ClusterNode): void {
  if (field[0] === '[') {
    const m = /^\[(\d+)-([<>])-([a-z0-9]{40})\]$/.exec(field);
    if (m === null) throw new NodesConfError(`bad open slot ${field}`);
    const slot = Number(m[1]);
    if (slot >= CLUSTER_SLOTS) throw new NodesConfError(`slot out of range in ${field}`);
    const other = node(m[3]);
    if (m[2] === '>') state.migratingTo[slot] = other;
    else state.importingFrom[slot] = other;
    return;
  }
  const dash = field.indexOf('-');
  const start = atoi(dash >= 0 ? field.slice(0, dash) : field);
  const stop = dash >= 0 ? atoi(field.slice(dash + 1)) : start;
  if (start < 0 || start >= CLUSTER_SLOTS || stop < 0 || stop >= CLUSTER_SLOTS) throw new NodesConfError(`slot out of range in ${field}`);
  for (let s = start; s <= stop; s++) state.addSlot(n, s);
}

/** atoi: leading digits, 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}
