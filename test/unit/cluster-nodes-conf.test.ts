/**
 * nodes.conf and the CLUSTER NODES line: a file as Redis 7.0 writes it is read
 * back into the same nodes, roles, slots, open slots and epochs, and written
 * out again line for line; malformed files are refused as Redis refuses them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../../src/observe/log.js';
import { NodesConfError, nodesConfText, parseNodesConf, saveNodesConf } from '../../src/cluster/nodes-conf.js';
import { nodeDescription, slotRanges } from '../../src/cluster/node-description.js';
import { ClusterNode, NODE_MASTER, NODE_MYSELF } from '../../src/cluster/cluster-node.js';
import { ClusterState } from '../../src/cluster/cluster-state.js';

const quiet = new Logger();
quiet.level = 'warning';

const A = '8f1c2be2ace02dd9a0401b0c3f79aaad62146564';
const B = '74a16ef2e5c92820ae9389cc4ad134f03c962ce2';
const C = '631fe1c96fa0f8d5ada8025ed07a56fa0ef92ddf';
const R = '06e531e0df2589a6c12d00e2211817e390f404d3';

// As redis-server 7.0 wrote it for a 3-master cluster with one replica (times are kept as given only when zero).
const FILE =
  `${C} 127.0.0.1:31003@41003 master - 0 1795433446278 3 connected 10923-16383\n` +
  `${A} 127.0.0.1:31001@41001 myself,master - 0 0 1 connected 0-5460 [5460->-${B}] [6000-<-${B}]\n` +
  `${R} 127.0.0.1:31004@41004,replica-host slave ${A} 0 1795433446000 1 connected\n` +
  `${B} 127.0.0.1:31002@41002 master,fail - 1795433446100 1795433446379 2 disconnected 5461-5999 6001-10922\n` +
  'vars currentEpoch 6 lastVoteEpoch 2\n';

test('a Redis nodes.conf loads: myself, roles, slots, open slots, epochs', () => {
  const s = parseNodesConf(FILE, quiet);
  assert.equal(s.myself.name, A);
  assert.equal(s.nodes.size, 4);
  assert.equal(s.currentEpoch, 6);
  assert.equal(s.lastVoteEpoch, 2);
  const a = s.lookup(A)!;
  const b = s.lookup(B)!;
  const r = s.lookup(R)!;
  assert.equal(a.numSlots, 5461);
  assert.equal(s.slots[0], a);
  assert.equal(s.slots[6000], null);
  assert.equal(b.numSlots, 10922 - 5461);
  assert.equal(s.migratingTo[5460], b);
  assert.equal(s.importingFrom[6000], b);
  assert.ok(b.failed());
  assert.equal(r.slaveof, a);
  assert.deepEqual(a.slaves, [r]);
  assert.equal(r.hostname, 'replica-host');
  assert.equal(r.cport, 41004);
  // A replica's own configEpoch is not what its line shows (its master's).
  assert.equal(r.configEpoch, 0);
  assert.equal(b.configEpoch, 2);
});

test('saving gives back the same lines (times and link states aside) and the vars line', () => {
  const s = parseNodesConf(FILE, quiet);
  const text = nodesConfText(s);
  // Loaded times become "now"; links are not open yet in a freshly loaded state.
  const mask = (f: string, i: number) => ((i === 4 || i === 5) && f !== '0' ? 'T' : i === 7 ? 'L' : f);
  const norm = (t: string) => t.split('\n').map((l) => (l.startsWith('vars') ? l : l.split(' ').map(mask).join(' ')));
  assert.deepEqual(norm(text).sort(), norm(FILE).sort());
});

test('a node line is CLUSTER NODES format', () => {
  const me = new ClusterNode(A, NODE_MYSELF | NODE_MASTER);
  const s = new ClusterState(me, quiet);
  me.port = 7000;
  me.cport = 17000;
  assert.equal(nodeDescription(s, me), `${A} :7000@17000 myself,master - 0 0 0 connected`);
  for (const slot of [0, 1, 2, 5, 16383]) s.addSlot(me, slot);
  assert.deepEqual(slotRanges(me), [[0, 2], [5, 5], [16383, 16383]]);
  assert.equal(nodeDescription(s, me), `${A} :7000@17000 myself,master - 0 0 0 connected 0-2 5 16383`);
  const other = new ClusterNode(B, 0);
  s.addNode(other);
  assert.equal(nodeDescription(s, other), `${B} :0@0 noflags - 0 0 0 disconnected`);
});

test('corrupted files are refused', () => {
  assert.throws(() => parseNodesConf(`${A} 127.0.0.1:1@2 master - 0 0 0 connected\n`, quiet), NodesConfError, 'no myself');
  assert.throws(() => parseNodesConf(`${A} 127.0.0.1:1@2 myself,master - 0 0\n`, quiet), NodesConfError, 'short line');
  assert.throws(() => parseNodesConf(`${A} 127.0.0.1:1@2 myself,wizard - 0 0 0 connected\n`, quiet), NodesConfError, 'unknown flag');
  assert.throws(() => parseNodesConf(`${A} 127.0.0.1:1@2 myself,master - 0 0 0 connected 16384\n`, quiet), NodesConfError, 'slot range');
  assert.throws(() => parseNodesConf(`abc 127.0.0.1:1@2 myself,master - 0 0 0 connected\n`, quiet), NodesConfError, 'node id');
  assert.throws(() => parseNodesConf(`${A} 127.0.0.1:1@2 myself,master - 0 0 0 connected\nvars currentEpoch\n`, quiet), NodesConfError, 'vars');
});

test('an old file without @cport gets port+10000; epochs never below a node epoch', () => {
  const s = parseNodesConf(`${A} 10.0.0.1:6379 myself,master - 0 0 7 connected 0-16383\nvars currentEpoch 3 lastVoteEpoch 0\n`, quiet);
  assert.equal(s.myself.cport, 16379);
  assert.equal(s.currentEpoch, 7);
});

test('saveNodesConf replaces the file whole and leaves no temporary behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodes-conf-'));
  try {
    const path = join(dir, 'nodes.conf');
    const s = parseNodesConf(FILE, quiet);
    saveNodesConf(path, s, true);
    const first = readFileSync(path, 'latin1');
    s.currentEpoch = 9;
    saveNodesConf(path, s, false);
    const second = readFileSync(path, 'latin1');
    assert.ok(first.endsWith('vars currentEpoch 6 lastVoteEpoch 2\n'));
    assert.ok(second.endsWith('vars currentEpoch 9 lastVoteEpoch 2\n'));
    assert.deepEqual(readdirSync(dir), ['nodes.conf']);
    assert.equal(parseNodesConf(second, quiet).myself.name, A);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
