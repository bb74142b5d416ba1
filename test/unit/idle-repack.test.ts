/**
 * keyspace/idle-repack.ts: listpack hashes and sorted sets left unread for
 * IDLE_SECONDS go back to their packed form, and nothing a client can see
 * changes (replies, DUMP, MEMORY USAGE, OBJECT ENCODING/IDLETIME); values in
 * other encodings are left alone, as is everything during a snapshot or
 * under an LFU policy; the walk survives FLUSHDB and covers every db.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server.js';
import { Client } from '../../src/net/client.js';
import { processCommand } from '../../src/dispatch/process-command.js';
import { IdleRepack, IDLE_SECONDS } from '../../src/keyspace/idle-repack.js';
import { RedisHash } from '../../src/datatypes/hash.js';
import { SortedSet } from '../../src/datatypes/sorted-set.js';

/** The counts below must not depend on how fast this machine packs (a loaded CI box cut a step short): the time budget is not under test. */
const NO_BUDGET = Infinity;

function setup() {
  const server = new Server(new Config());
  const c = new Client(server, null, 1);
  const run = (...argv: string[]): string => {
    processCommand(c, argv);
    return c.reply.take().toString();
  };
  const value = (key: string, db = 0): unknown => server.ks.dbs[db].keys.get(key)?.value;
  return { server, run, value, repack: new IdleRepack(server.ks) };
}

const LONG = 'x'.repeat(100);

function fill(run: (...argv: string[]) => string): void {
  run('HSET', 'h', 'f1', 'v1', 'n', '42', 'neg', '-7', 'big', '12345678901', 'e', '');
  run('ZADD', 'z', '1.5', 'a', '-0.25', 'b', '3', 'c', 'inf', 'd', '1e300', 'e', '-2', '17');
  run('HSET', 'ht', 'f', LONG); // hashtable
  run('ZADD', 'zs', '1', LONG); // skiplist
  run('RPUSH', 'l', 'a', 'b');
  run('SET', 's', 'v');
}

/** What a client can see of the keys (DUMP counts as an access, as in Redis). */
function observe(run: (...argv: string[]) => string): string[] {
  const out: string[] = [];
  for (const k of ['h', 'z', 'ht', 'zs', 'l', 's']) out.push(run('OBJECT', 'ENCODING', k), run('MEMORY', 'USAGE', k), run('DUMP', k));
  return out;
}

const idle = (run: (...argv: string[]) => string): string[] => ['h', 'z'].map((k) => run('OBJECT', 'IDLETIME', k));

test('idle listpack hashes and sorted sets are packed again, and nothing observable changes', () => {
  const { server, run, value, repack } = setup();
  fill(run);
  const reads = [run('HGETALL', 'h'), run('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), run('HGET', 'h', 'neg'), run('ZSCORE', 'z', 'e')];
  const before = observe(run);
  assert.equal(repack.step(undefined, NO_BUDGET), 0, 'nothing is idle yet');
  server.ks.lruClock += IDLE_SECONDS - 1;
  assert.equal(repack.step(undefined, NO_BUDGET), 0, 'not idle long enough');
  server.ks.lruClock += 1;
  const idleBefore = idle(run);
  assert.deepEqual(idleBefore, [`:${IDLE_SECONDS}\r\n`, `:${IDLE_SECONDS}\r\n`]);
  assert.equal(repack.step(undefined, NO_BUDGET), 2);
  assert.deepEqual(idle(run), idleBefore);
  assert.equal(repack.step(undefined, NO_BUDGET), 0, 'already packed');
  assert.ok((value('h') as RedisHash).packedListpack() !== null);
  assert.ok((value('z') as SortedSet).packedListpack() !== null);
  assert.equal((value('ht') as RedisHash).packedListpack(), null);
  assert.equal((value('zs') as SortedSet).packedListpack(), null);
  assert.deepEqual(observe(run), before);
  assert.equal(run('HLEN', 'h'), ':5\r\n');
  assert.equal(run('ZCARD', 'z'), ':6\r\n');
  assert.deepEqual([run('HGETALL', 'h'), run('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), run('HGET', 'h', 'neg'), run('ZSCORE', 'z', 'e')], reads);
  assert.equal((value('h') as RedisHash).packedListpack(), null, 'a read decodes it again');
  // Written after a repack: the new field goes where a listpack append puts it.
  server.ks.lruClock += IDLE_SECONDS;
  repack.step(undefined, NO_BUDGET);
  run('HSET', 'h', 'added', '1');
  assert.equal(run('HKEYS', 'h'), '*6\r\n$2\r\nf1\r\n$1\r\nn\r\n$3\r\nneg\r\n$3\r\nbig\r\n$1\r\ne\r\n$5\r\nadded\r\n');
});

test('no repacking during a snapshot or under an LFU policy; a HSCAN index keeps its Map', () => {
  const { server, run, value, repack } = setup();
  fill(run);
  server.ks.lruClock += IDLE_SECONDS;
  server.ks.cow = { beforeWrite() {} };
  assert.equal(repack.step(undefined, NO_BUDGET), 0);
  server.ks.cow = null;
  server.ks.lfu = true;
  assert.equal(repack.step(undefined, NO_BUDGET), 0);
  server.ks.lfu = false;
  assert.equal(repack.step(undefined, NO_BUDGET), 2);
  // A hash with a scan index (built for random picks once a hashtable; listpacks never have one) is never packed.
  const h = value('ht') as RedisHash;
  assert.equal(h.repack(), false);
});

test('the walk goes a few keys at a time, across dbs, and starts afresh after FLUSHDB', () => {
  const { server, run, value, repack } = setup();
  for (let i = 0; i < 10; i++) run('HSET', `h${i}`, 'f', String(i));
  run('SELECT', '3');
  run('ZADD', 'z3', '1', 'm');
  run('SELECT', '0');
  server.ks.lruClock += IDLE_SECONDS;
  assert.equal(repack.step(4, NO_BUDGET), 4);
  run('FLUSHDB');
  for (let i = 0; i < 3; i++) run('HSET', `g${i}`, 'f', String(i));
  server.ks.lruClock += IDLE_SECONDS;
  let total = 0;
  for (let i = 0; i < 5; i++) total += repack.step(2, NO_BUDGET);
  assert.equal(total, 4, 'the 3 new hashes and db 3 sorted set');
  assert.ok((value('z3', 3) as SortedSet).packedListpack() !== null);
  assert.equal(repack.total, 8);
});
