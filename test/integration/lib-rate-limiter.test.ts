/**
 * rate-limiter-flexible's RateLimiterRedis against redis-server 7.0 and
 * reddish-server, the same decisions expected from both. With a duration it
 * counts in a Lua script (SET NX EX, INCRBY, PTTL) that ioredis registers
 * with defineCommand, i.e. EVALSHA with an EVAL fallback; node-redis sends
 * the same script with plain EVAL. Blocking and `set` go through MULTI, and
 * a limiter without a duration counts with MULTI/INCRBY/PTTL.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { libTest, onEachServer, sleep } from '../support/each-server.js';

/** RateLimiterRedis's options (the package does not export their interface). */
type RedisLimiterOptions = ConstructorParameters<typeof RateLimiterRedis>[0];

/** Resolves to the rejection, failing if the promise was fulfilled or rejected with an Error. */
async function rejection(p: Promise<RateLimiterRes>): Promise<RateLimiterRes> {
  try {
    const res = await p;
    assert.fail(`expected a rejection, got ${JSON.stringify(res)}`);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    return err;
  }
}

onEachServer('rate-limiter-flexible', (suite) => {
  const disconnects: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const d of disconnects) await d();
  });

  function ioredis(): Redis {
    const c = new Redis({ port: suite.server().port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined); // failures surface through the limiter's promises
    disconnects.push(() => c.disconnect());
    return c;
  }

  function limiter(opts: Omit<RedisLimiterOptions, 'storeClient'>, storeClient: unknown = ioredis()): RateLimiterRedis {
    return new RateLimiterRedis({ storeClient, ...opts });
  }

  libTest('consume until rejected: remaining points, msBeforeNext, then a fresh window', { timeout: 20000 }, async () => {
    const c = ioredis();
    const rl = limiter({ keyPrefix: 'consume', points: 5, duration: 10 }, c);
    for (let i = 1; i <= 5; i++) {
      const res = await rl.consume('alice');
      assert.equal(res.consumedPoints, i);
      assert.equal(res.remainingPoints, 5 - i);
      assert.equal(res.isFirstInDuration, i === 1);
      assert.ok(res.msBeforeNext > 0 && res.msBeforeNext <= 10000, `msBeforeNext ${res.msBeforeNext}`);
    }
    const rejected = await rejection(rl.consume('alice'));
    assert.equal(rejected.consumedPoints, 6);
    assert.equal(rejected.remainingPoints, 0);
    assert.ok(rejected.msBeforeNext > 0 && rejected.msBeforeNext <= 10000, `msBeforeNext ${rejected.msBeforeNext}`);

    // Another key is counted on its own; several points at once.
    const bob = await rl.consume('bob', 3);
    assert.deepEqual([bob.consumedPoints, bob.remainingPoints, bob.isFirstInDuration], [3, 2, true]);
    assert.equal((await rejection(rl.consume('bob', 3))).consumedPoints, 6);

    // What the script left in the store: the counter with the window's TTL.
    assert.equal(await c.get('consume:alice'), '6');
    const ttl = await c.pttl('consume:alice');
    assert.ok(ttl > 0 && ttl <= 10000, `pttl ${ttl}`);
    const got = await rl.get('alice');
    assert.equal(got?.consumedPoints, 6);
    assert.equal(await rl.get('nobody'), null);

    assert.equal(await rl.delete('alice'), true);
    assert.equal(await rl.delete('alice'), false);
    const fresh = await rl.consume('alice');
    assert.deepEqual([fresh.consumedPoints, fresh.isFirstInDuration], [1, true]);

    // ioredis's defineCommand: EVALSHA first, the script loaded by EVAL once.
    const cmdstats = await c.info('commandstats');
    assert.match(cmdstats, /^cmdstat_evalsha:calls=\d+,/m);
    assert.match(cmdstats, /^cmdstat_eval:calls=1,/m);
  });

  libTest('the window expires with its key', { timeout: 20000 }, async () => {
    const rl = limiter({ keyPrefix: 'expiry', points: 1, duration: 1 });
    await rl.consume('k');
    await rejection(rl.consume('k'));
    await sleep(1300); // past the 1 s window (a lower bound only)
    const res = await rl.consume('k');
    assert.deepEqual([res.consumedPoints, res.isFirstInDuration], [1, true]);
  });

  libTest('penalty and reward move the count without consuming', { timeout: 20000 }, async () => {
    const rl = limiter({ keyPrefix: 'pr', points: 5, duration: 10 });
    assert.equal((await rl.penalty('carol', 3)).consumedPoints, 3);
    assert.equal((await rl.reward('carol', 2)).consumedPoints, 1);
    assert.equal((await rl.consume('carol', 4)).remainingPoints, 0);
    await rejection(rl.consume('carol'));
    // 3 - 2 + 4 + 1 (the rejected consume still counts) - 10
    assert.equal((await rl.reward('carol', 10)).consumedPoints, -4);
    assert.equal((await rl.consume('carol')).consumedPoints, -3);
  });

  libTest('blockDuration: going over the limit blocks the key beyond the window', { timeout: 20000 }, async () => {
    const c = ioredis();
    const rl = limiter({ keyPrefix: 'blk', points: 2, duration: 5, blockDuration: 60 }, c);
    await rl.consume('dave');
    await rl.consume('dave');
    const first = await rejection(rl.consume('dave'));
    assert.equal(first.msBeforeNext, 60000);
    // The block is stored: a rejection now reports the block's TTL, not the window's.
    const again = await rejection(rl.consume('dave'));
    assert.ok(again.msBeforeNext > 5000 && again.msBeforeNext <= 60000, `msBeforeNext ${again.msBeforeNext}`);
    const ttl = await c.pttl('blk:dave');
    assert.ok(ttl > 5000 && ttl <= 60000, `pttl ${ttl}`);

    // Explicit block and set.
    const blocked = await rl.block('erin', 30);
    assert.equal(blocked.msBeforeNext, 30000);
    await rejection(rl.consume('erin'));
    const set = await rl.set('frank', 1, 20);
    assert.equal(set.consumedPoints, 1);
    assert.equal((await rl.consume('frank')).remainingPoints, 0);
    await rejection(rl.consume('frank'));
  });

  libTest('a limiter without a duration counts with MULTI and never expires', { timeout: 20000 }, async () => {
    const c = ioredis();
    const rl = limiter({ keyPrefix: 'forever', points: 2, duration: 0 }, c);
    assert.equal((await rl.consume('gina')).consumedPoints, 1);
    assert.equal((await rl.consume('gina')).remainingPoints, 0);
    const rejected = await rejection(rl.consume('gina'));
    assert.equal(rejected.msBeforeNext, -1);
    assert.equal(await c.pttl('forever:gina'), -1);
  });

  libTest('the same limits through node-redis (plain EVAL)', { timeout: 20000 }, async () => {
    const nr = createClient({ socket: { host: '127.0.0.1', port: suite.server().port, reconnectStrategy: false } });
    nr.on('error', () => undefined);
    await nr.connect();
    disconnects.push(() => nr.disconnect());
    const rl = limiter({ keyPrefix: 'nr', points: 3, duration: 10, useRedisPackage: true }, nr);
    for (let i = 1; i <= 3; i++) assert.equal((await rl.consume('hank')).remainingPoints, 3 - i);
    const rejected = await rejection(rl.consume('hank'));
    assert.equal(rejected.consumedPoints, 4);
    assert.ok(rejected.msBeforeNext > 0 && rejected.msBeforeNext <= 10000);
    assert.equal((await rl.penalty('hank', 2)).consumedPoints, 6);
    assert.equal((await rl.get('hank'))?.consumedPoints, 6);
  });
});
