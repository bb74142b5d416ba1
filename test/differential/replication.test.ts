/**
 * Replication commands byte for byte against redis-server: WAIT (counts,
 * errors, inside MULTI), min-replicas-to-write's NOREPLICAS, REPLCONF and
 * REPLICAOF argument errors, ROLE of a lone master, and on a replica: READONLY
 * for writes (also queued in MULTI), WAIT's refusal, ROLE's shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';
import { startServer, redisAvailable, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

const MASTER_SCRIPTS: Record<string, string[][]> = {
  wait: [
    ['SET', 'k', 'v'],
    ['WAIT', '0', '0'],
    ['WAIT', '1', '10'],
    ['WAIT', 'x', '0'],
    ['WAIT', '1', '-1'],
    ['WAIT', '1', 'abc'],
    ['WAIT', '1'],
    ['MULTI'],
    ['WAIT', '2', '0'],
    ['EXEC'],
  ],
  'min-replicas': [
    ['CONFIG', 'SET', 'min-replicas-to-write', '1'],
    ['SET', 'a', '1'],
    ['GET', 'a'],
    ['INCR', 'n'],
    ['MULTI'],
    ['SET', 'b', '2'],
    ['EXEC'],
    ['CONFIG', 'SET', 'min-replicas-to-write', '0'],
    ['SET', 'a', '1'],
  ],
  replconf: [
    ['REPLCONF', 'listening-port', '1234'],
    ['REPLCONF', 'listening-port', 'abc'],
    ['REPLCONF', 'capa', 'eof', 'capa', 'psync2'],
    ['REPLCONF', 'nosuchoption', 'x'],
    ['REPLCONF', 'listening-port'],
    ['PING'],
  ],
  failover: [
    ['FAILOVER'],
    ['FAILOVER', 'ABORT'],
    ['FAILOVER', 'TO', 'x'],
    ['FAILOVER', 'TO', '127.0.0.1', 'abc'],
    ['FAILOVER', 'TIMEOUT', '0'],
    ['FAILOVER', 'TIMEOUT', '-5'],
    ['FAILOVER', 'FORCE'],
    ['FAILOVER', 'FORCE', 'FORCE'],
    ['FAILOVER', 'BOGUS'],
    ['FAILOVER', 'TO', '127.0.0.1', '1', 'FORCE'],
  ],
  replicaof: [
    ['REPLICAOF', 'NO', 'ONE'],
    ['SLAVEOF', 'no', 'one'],
    ['REPLICAOF', '127.0.0.1', 'notaport'],
    ['REPLICAOF', '127.0.0.1', '70000'],
    ['REPLICAOF', '127.0.0.1'],
    ['ROLE'],
  ],
};

const REPLICA_SCRIPTS: Record<string, string[][]> = {
  'read-only replica': [
    ['SET', 'x', '1'],
    ['GET', 'x'],
    ['DEL', 'x'],
    ['MULTI'],
    ['SET', 'x', '1'],
    ['GET', 'x'],
    ['EXEC'],
    ['WAIT', '1', '0'],
    ['CONFIG', 'SET', 'replica-read-only', 'no'],
    ['SET', 'local', '1'],
    ['GET', 'local'],
    ['CONFIG', 'SET', 'replica-read-only', 'yes'],
  ],
};

test('replication commands on a master: byte for byte with redis-server', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  const pair = await startPair();
  try {
    const d = await runScripts(pair, MASTER_SCRIPTS);
    assert.equal(d.length, 0, formatDivergences(d));
  } finally {
    await pair.stop();
  }
});

async function linkUp(port: number): Promise<void> {
  const c = await RawClient.connect(port);
  try {
    for (let i = 0; i < 400; i++) {
      if ((await c.call('INFO', 'replication')).includes('master_link_status:up')) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`replica on ${port} did not sync`);
  } finally {
    c.close();
  }
}

test('on a replica: READONLY, WAIT refused, ROLE: byte for byte with redis-server', async (t) => {
  if (!redisAvailable()) return t.skip('redis-server is not installed');
  const masters = await startPair(['--repl-diskless-sync-delay', '0']);
  const extra: RunningServer[] = [];
  let pair: Pair | null = null;
  try {
    const [redisReplica, reddishReplica] = await Promise.all([
      startServer('redis', ['--replicaof', '127.0.0.1', String(masters.redis.port)]),
      startServer('reddish', ['--replicaof', '127.0.0.1', String(masters.reddish.port)]),
    ]);
    extra.push(redisReplica, reddishReplica);
    await Promise.all([linkUp(redisReplica.port), linkUp(reddishReplica.port)]);
    const [rc, dc] = await Promise.all([RawClient.connect(redisReplica.port), RawClient.connect(reddishReplica.port)]);
    pair = {
      redis: redisReplica, reddish: reddishReplica, redisClient: rc, reddishClient: dc,
      async stop() {
        rc.close();
        dc.close();
      },
    };
    const d = await runScripts(pair, REPLICA_SCRIPTS);
    assert.equal(d.length, 0, formatDivergences(d));
    // ROLE's shape on a replica: slave, host, port, state, offset (the ports differ by construction).
    const [a, b] = await Promise.all([rc.call('ROLE'), dc.call('ROLE')]);
    const shape = (raw: string) => raw.replace(/:\d+\r\n/g, ':N\r\n');
    assert.equal(shape(b), shape(a));
  } finally {
    await pair?.stop();
    for (const s of extra) await s.stop();
    await masters.stop();
  }
});
