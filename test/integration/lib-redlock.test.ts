/**
 * Redlock v5 (with ioredis) against redis-server 7.0 and reddish-server, the
 * same scenarios on both: the acquire/extend/release cycle, a competing
 * acquire refused while the lock is held, value-guarded extend and release
 * after the lock changed hands, `using` with automatic extension, and a
 * three-server quorum that survives one server going down. Redlock's work is
 * three Lua scripts sent with EVALSHA (falling back to EVAL on NOSCRIPT).
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import Redlock, { ExecutionError, type Lock } from 'redlock';
import { libTest, onEachServer, sleep } from '../support/each-server.js';

onEachServer('Redlock', (suite) => {
  const clients: Redis[] = [];
  after(() => {
    for (const c of clients) c.disconnect();
  });

  function client(port: number): Redis {
    const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined); // failures surface as Redlock votes against
    clients.push(c);
    return c;
  }

  /** A Redlock that gives up at once, so "refused" is observable without waiting. */
  function redlock(cs: Redis[], settings: Partial<Redlock['settings']> = {}): Redlock {
    const r = new Redlock(cs, { retryCount: 0, ...settings });
    r.on('error', () => undefined); // per-client errors; outcomes are asserted on the promises
    return r;
  }

  async function refused(p: Promise<Lock>): Promise<void> {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof ExecutionError, String(err));
      assert.match(err.message, /unable to achieve a quorum/);
      return true;
    });
  }

  libTest('acquire, extend and release one resource', { timeout: 20000 }, async () => {
    const c = client(suite.server().port);
    const rl = redlock([c]);
    const lock = await rl.acquire(['res:cycle'], 2000);
    assert.equal(await c.get('res:cycle'), lock.value);
    const ttl = await c.pttl('res:cycle');
    assert.ok(ttl > 0 && ttl <= 2000, `pttl ${ttl}`);

    const extended = await lock.extend(10000);
    assert.equal(extended.value, lock.value);
    assert.ok(extended.expiration > lock.expiration);
    assert.ok((await c.pttl('res:cycle')) > 2000);

    const released = await extended.release();
    const stats = await released.attempts[0];
    assert.equal(stats.votesFor.size, 1);
    assert.equal(await c.exists('res:cycle'), 0);
    // The scripts went by hash, each loaded once by EVAL after a NOSCRIPT.
    const cmdstats = await c.info('commandstats');
    assert.match(cmdstats, /^cmdstat_evalsha:calls=3,/m);
    assert.match(cmdstats, /^cmdstat_eval:calls=3,/m);
  });

  libTest('a second acquire is refused while the lock is held, and succeeds after release', { timeout: 20000 }, async () => {
    const c = client(suite.server().port);
    const first = redlock([c]);
    const second = redlock([client(suite.server().port)]);
    const held = await first.acquire(['res:a', 'res:b'], 10000);
    await refused(second.acquire(['res:b'], 10000));
    // Multi-resource acquire is all or nothing: res:c must not be taken.
    await refused(second.acquire(['res:c', 'res:a'], 10000));
    assert.equal(await c.exists('res:c'), 0);
    assert.equal(await c.get('res:b'), held.value);

    await held.release();
    const next = await second.acquire(['res:b'], 10000);
    assert.notEqual(next.value, held.value);
    assert.equal(await c.get('res:b'), next.value);
    await next.release();
  });

  libTest('extend and release after the lock changed hands do not touch the new holder', { timeout: 20000 }, async () => {
    const c = client(suite.server().port);
    const rl = redlock([c]);
    const old = await rl.acquire(['res:handover'], 10000);
    // As if the key had expired on the server (clock drift, a long pause)
    // while the old holder still believes it holds the lock: the scripts'
    // value check is what must protect the new holder.
    assert.equal(await c.del('res:handover'), 1);
    const current = await rl.acquire(['res:handover'], 10000);
    await refused(old.extend(10000));
    await assert.rejects(old.release(), ExecutionError);
    assert.equal(await c.get('res:handover'), current.value);
    await current.release();
    assert.equal(await c.exists('res:handover'), 0);
  });

  libTest('using() keeps extending the lock while its routine runs', { timeout: 20000 }, async () => {
    const c = client(suite.server().port);
    const rl = redlock([c]);
    const rival = redlock([client(suite.server().port)]);
    let value = '';
    // Extensions start 1000 ms before expiry, slack enough for a loaded machine.
    const result = await rl.using(['res:using'], 2000, { automaticExtensionThreshold: 1000 }, async (signal) => {
      value = (await c.get('res:using')) ?? '';
      // Both probes come after the first 2000 ms have run out: only the
      // automatic extensions can still be holding the lock.
      for (const [pause, at] of [[2500, 2500], [1000, 3500]]) {
        await sleep(pause);
        assert.equal(signal.aborted, false, `aborted: ${signal.error?.message}`);
        assert.equal(await c.get('res:using'), value, `lock lost by ${at} ms`);
        await refused(rival.acquire(['res:using'], 2000));
      }
      return 'routine done';
    });
    assert.equal(result, 'routine done');
    assert.ok(value.length > 0);
    assert.equal(await c.exists('res:using'), 0); // released when the routine returned
  });

  libTest('three servers: quorum locks, and a lock still granted with one server down', { timeout: 20000 }, async () => {
    const servers = [suite.server(), await suite.startAnother(), await suite.startAnother()];
    const cs = servers.map((s) => client(s.port));
    const rl = redlock(cs);
    const rival = redlock(servers.map((s) => client(s.port)));

    const lock = await rl.acquire(['res:quorum'], 10000);
    // acquire() resolves at quorum; its stats settle once every server answered.
    assert.equal((await lock.attempts[0]).votesFor.size, 3);
    for (const c of cs) assert.equal(await c.get('res:quorum'), lock.value);
    await refused(rival.acquire(['res:quorum'], 10000));

    // A minority of one already holding a resource does not stop a quorum.
    await cs[2].set('res:partial', 'someone-else', 'PX', 10000);
    const partial = await rl.acquire(['res:partial'], 10000);
    const pStats = await partial.attempts[0];
    assert.equal(pStats.votesFor.size, 2);
    assert.equal(pStats.votesAgainst.size, 1);
    assert.equal(await cs[2].get('res:partial'), 'someone-else');

    await servers[2].stop();
    const degraded = await rl.acquire(['res:degraded'], 10000);
    const dStats = await degraded.attempts[0];
    assert.equal(dStats.votesFor.size, 2);
    assert.equal(dStats.votesAgainst.size, 1);
    assert.equal(await cs[0].get('res:degraded'), degraded.value);
    assert.equal(await cs[1].get('res:degraded'), degraded.value);
    await refused(rival.acquire(['res:degraded'], 10000));

    await degraded.release();
    await lock.release();
    assert.equal(await cs[0].exists('res:degraded', 'res:quorum'), 0);
    assert.equal(await cs[1].exists('res:degraded', 'res:quorum'), 0);
  });
});
