/**
 * A master that turns replica (REPLICAOF host port) answers every client
 * blocked on keys and every client in WAIT with -UNBLOCKED and closes them,
 * as Redis 7.0's disconnectAllBlockedClients: the writes they wait for will
 * not happen here. Run against redis-server and Reddish, same expectations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisAvailable, startServer, type ServerKind } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';

const UNBLOCKED = '-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n';

/** Until CLIENT LIST shows a client running each of `cmds`. */
async function waitRunning(admin: RawClient, cmds: string[]): Promise<void> {
  for (const end = Date.now() + 5000; ; await sleep(10)) {
    const list = await admin.call('CLIENT', 'LIST');
    if (cmds.every((c) => list.includes(`cmd=${c} `))) return;
    if (Date.now() > end) throw new Error(`never saw ${cmds.join(', ')} in:\n${list}`);
  }
}

for (const kind of ['redis', 'reddish'] as ServerKind[]) {
  test(`${kind}: REPLICAOF unblocks BLPOP and WAIT clients with -UNBLOCKED and closes them`, { skip: kind === 'redis' && !redisAvailable() }, async () => {
    const a = await startServer(kind, ['--save', '']);
    const b = await startServer(kind, ['--save', '']);
    const clients: RawClient[] = [];
    try {
      const admin = await RawClient.connect(a.port);
      const popper = await RawClient.connect(a.port);
      const waiter = await RawClient.connect(a.port);
      const bystander = await RawClient.connect(a.port);
      clients.push(admin, popper, waiter, bystander);
      popper.write(RawClient.encode(['BLPOP', 'queue', '0']));
      assert.equal(await waiter.call('SET', 'k', 'v'), '+OK\r\n');
      // No replica: WAIT 1 0 waits for ever.
      waiter.write(RawClient.encode(['WAIT', '1', '0']));
      await waitRunning(admin, ['blpop', 'wait']);

      assert.equal(await admin.call('REPLICAOF', '127.0.0.1', String(b.port)), '+OK\r\n');
      assert.equal(await popper.readUntilClose(), UNBLOCKED);
      assert.equal(await waiter.readUntilClose(), UNBLOCKED);
      // A client that was not blocked stays connected.
      assert.equal(await bystander.call('PING'), '+PONG\r\n');
    } finally {
      for (const c of clients) c.close();
      await a.stop();
      await b.stop();
    }
  });
}
