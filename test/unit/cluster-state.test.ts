/**
 * The cluster state's bookkeeping (no sockets): slot ownership kept in step
 * with the nodes' bitmaps, epochs (bump, collision resolution), failure
 * reports and their expiry, node removal, and the bus frame codec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '../../src/observe/log.js';
import { ClusterNode, NODE_MASTER, NODE_MYSELF, NODE_SLAVE, flagsText } from '../../src/cluster/cluster-node.js';
import { ClusterState } from '../../src/cluster/cluster-state.js';
import {
  decodeMessage,
  decodeSlots,
  encodeMessage,
  encodeSlots,
  frameLength,
  MSG_PING,
  MSG_UPDATE,
  type BusHeader,
} from '../../src/cluster/bus-protocol.js';

const quiet = new Logger();
quiet.level = 'warning';

function id(c: string): string {
  return c.repeat(40);
}

function cluster(): { s: ClusterState; me: ClusterNode; other: ClusterNode } {
  const me = new ClusterNode(id('b'), NODE_MYSELF | NODE_MASTER);
  const s = new ClusterState(me, quiet);
  const other = new ClusterNode(id('c'), NODE_MASTER);
  s.addNode(other);
  return { s, me, other };
}

test('addSlot/delSlot keep slots[] and the bitmaps in step', () => {
  const { s, me, other } = cluster();
  assert.equal(s.addSlot(me, 10), true);
  assert.equal(s.addSlot(other, 10), false, 'a busy slot is not taken');
  assert.equal(me.numSlots, 1);
  assert.ok(me.hasSlot(10));
  assert.equal(s.delSlot(10), true);
  assert.equal(s.delSlot(10), false);
  assert.equal(me.numSlots, 0);
  for (let j = 0; j < 100; j++) s.addSlot(other, j);
  assert.equal(s.delNodeSlots(other), 100);
  assert.equal(s.slotCounts().assigned, 0);
});

test('removing a node frees its slots, open slots, replicas and reports', () => {
  const { s, me, other } = cluster();
  const replica = new ClusterNode(id('d'), NODE_SLAVE);
  s.addNode(replica);
  replica.slaveof = other;
  other.addSlave(replica);
  s.addSlot(other, 5);
  s.migratingTo[7] = other;
  s.addFailureReport(me, other);
  s.delNode(other);
  assert.equal(s.slots[5], null);
  assert.equal(s.migratingTo[7], null);
  assert.equal(replica.slaveof, null);
  assert.equal(me.failReports.size, 0);
  assert.equal(s.lookup(other.name), undefined);
});

test('BUMPEPOCH takes currentEpoch+1 unless ours is already the greatest', () => {
  const { s, me, other } = cluster();
  other.configEpoch = 4;
  s.currentEpoch = 4;
  assert.equal(s.bumpEpochWithoutConsensus(), true);
  assert.equal(me.configEpoch, 5);
  assert.equal(s.currentEpoch, 5);
  assert.equal(s.bumpEpochWithoutConsensus(), false);
  assert.equal(me.configEpoch, 5);
});

test('an epoch collision moves only the node with the smaller id', () => {
  const { s, me, other } = cluster();
  me.configEpoch = 3;
  other.configEpoch = 3;
  s.currentEpoch = 3;
  assert.equal(s.handleConfigEpochCollision(other), true, 'b... < c...: we move');
  assert.equal(me.configEpoch, 4);
  const low = new ClusterNode(id('a'), NODE_MASTER);
  low.configEpoch = 4;
  s.addNode(low);
  assert.equal(s.handleConfigEpochCollision(low), false, 'a... < b...: the other one moves');
  assert.equal(me.configEpoch, 4);
});

test('failure reports expire after twice the node timeout', () => {
  const { s, me, other } = cluster();
  const now = Date.now();
  assert.equal(s.addFailureReport(other, me, now - 5000), true);
  assert.equal(s.addFailureReport(other, me, now - 5000), false, 'a refresh, not a new report');
  assert.equal(s.failureReportsCount(other, 3000), 1);
  assert.equal(s.failureReportsCount(other, 2000), 0);
});

test('flags print as CLUSTER NODES prints them', () => {
  assert.equal(flagsText(NODE_MYSELF | NODE_MASTER), 'myself,master');
  assert.equal(flagsText(0), 'noflags');
  assert.equal(flagsText(NODE_SLAVE | 8 | 16), 'slave,fail?,fail');
});

function header(): BusHeader {
  const slots = new Uint8Array(2048);
  slots[0] = 0b101;
  return {
    sender: id('e'), myip: '', port: 7000, pport: 0, cport: 17000, hostname: 'h', flags: NODE_MASTER, slaveof: null,
    currentEpoch: 3, configEpoch: 2, offset: 12345, slots: encodeSlots(slots), state: 'ok', mflags: 0,
  };
}

test('bus frames round-trip and refuse garbage', () => {
  const gossip = [{ id: id('f'), ip: '127.0.0.1', port: 7001, pport: 0, cport: 17001, flags: NODE_SLAVE, pingSent: 0, pongReceived: 1700000000 }];
  const frame = encodeMessage({ type: MSG_PING, hdr: header(), gossip });
  assert.equal(frameLength(frame), frame.length);
  const back = decodeMessage(frame);
  assert.deepEqual(back, { type: MSG_PING, hdr: header(), gossip });
  const bitmap = decodeSlots(back!.hdr.slots)!;
  assert.equal(bitmap[0], 0b101);
  const upd = decodeMessage(encodeMessage({ type: MSG_UPDATE, hdr: header(), about: id('f'), configEpoch: 9, slots: encodeSlots(new Uint8Array(2048)) }));
  assert.equal(upd?.type, MSG_UPDATE);

  const bad = Buffer.from(frame);
  bad.write('XXXX', 0, 'latin1');
  assert.equal(frameLength(bad), 'bad');
  const body = Buffer.from(frame);
  body.writeUInt16BE(99, 10);
  assert.equal(decodeMessage(body), null, 'unknown type');
  const noGossip = encodeMessage({ type: MSG_PING, hdr: { ...header(), port: 70000 }, gossip: [] });
  assert.equal(decodeMessage(noGossip), null, 'a port out of range');
  assert.equal(decodeSlots(Buffer.alloc(10).toString('base64')), null);
});
