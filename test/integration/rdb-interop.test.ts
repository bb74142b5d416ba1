/**
 * RDB files crossing between reddish-server and a real redis-server 7.0:
 *
 *   - a seeded random dataset (test/support/dataset.ts: every type and
 *     encoding, binary keys and values, TTLs, dbs 0/1/5) saved by one server
 *     (SAVE, BGSAVE; rdbcompression no; rdbchecksum no; Redis with an LRU/LFU
 *     policy, so IDLE/FREQ opcodes) and loaded by the other, every key
 *     compared: TYPE, value, OBJECT ENCODING, PTTL, plus DBSIZE of every db
 *     (and DEBUG DIGEST on the small datasets);
 *   - BGSAVE's point-in-time view under concurrent writes of every kind
 *     (overwrites, deletes, RENAME, MOVE, list/hash/set/zset/HLL edits, TTL
 *     changes, lazy expiry, *STORE, MULTI, FLUSHDB of a db not walked yet,
 *     SWAPDB), the file loaded back into Reddish and into Redis;
 *   - keys already expired in the file are skipped on load, both ways;
 *   - load errors (truncated file, flipped byte, bad signature), with Redis
 *     as the oracle for the outcome;
 *   - persistence across restarts: SHUTDOWN with save points, SHUTDOWN
 *     NOSAVE/SAVE, SIGTERM.
 *
 * Tests marked BUG fail on a known product bug, described where they are.
 * The seed comes from REDDISH_SEED (or is random) and is printed.
 */
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { REDDISH_MAIN, redisAvailable, startServer, type RunningServer, type ServerKind } from '../support/servers.js';
import { Rng, chooseSeed } from '../differential/generator.js';
import {
  PipeClient, ReplyError, compareServers, dbSizes, dbSizesOf, diffState, generateDataset, info, keysOf, loadDataset,
  readKeys, show, str, waitBgsave, waitReady, type KeySpec, type KeyState, type Reply,
} from '../support/dataset.js';

const SEED = chooseSeed();
const skip = redisAvailable() ? false : 'redis-server is not installed';
const DEBUG = ['--enable-debug-command', 'yes'];

const servers: RunningServer[] = [];
const clients: PipeClient[] = [];
const dirs: string[] = [];

/** Servers that outlive their test (the first test's, for the BGSAVE test). */
const kept = new Set<RunningServer>();

async function cleanup(all: boolean): Promise<void> {
  for (const s of servers.splice(0)) {
    if (!all && kept.has(s)) servers.push(s);
    else await s.stop();
  }
  if (all) {
    for (const c of clients) c.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

// Each test's servers go when it ends: the file must not hold 20+ servers at once.
afterEach(() => cleanup(false));
after(() => cleanup(true));

interface Srv {
  s: RunningServer;
  c: PipeClient;
}

/** A server and a client; returns once it has loaded its data (PING answers PONG). */
async function start(kind: ServerKind, args: string[] = []): Promise<Srv> {
  const s = await startServer(kind, args);
  servers.push(s);
  const c = await PipeClient.connect(s.port);
  clients.push(c);
  await waitReady(c);
  return { s, c };
}

/** The log arrives through a pipe: waits (a little) for a line to show up. */
async function logMatches(s: Srv, re: RegExp, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!re.test(s.s.output())) {
    if (Date.now() > end) assert.match(s.s.output(), re, what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function scratchDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rdb-interop-'));
  dirs.push(d);
  return d;
}

/** A server of `kind` started on a copy of `file` (as dump.rdb in a dir of its own). */
async function startOnDump(kind: ServerKind, file: string, args: string[] = []): Promise<Srv> {
  const d = scratchDir();
  copyFileSync(file, join(d, 'dump.rdb'));
  return start(kind, [...DEBUG, ...args, '--dir', d, '--dbfilename', 'dump.rdb']);
}

function noMismatches(what: string, mismatches: string[]): void {
  assert.equal(mismatches.length, 0, `${what} (seed ${SEED}): ${mismatches.length} mismatches:\n  ${mismatches.slice(0, 25).join('\n  ')}`);
}

/**
 * Every key of dbs 0/1/5 and DBSIZE of all dbs equal on both servers; with
 * `digest`, DEBUG DIGEST too (a whole-dataset cross-check, skipped on the big
 * datasets: Reddish takes about 4 s to digest 20000 keys).
 */
async function assertSameData(what: string, a: PipeClient, b: PipeClient, digest = false): Promise<Map<string, number>> {
  const r = await compareServers(a, b, [0, 1, 5]);
  noMismatches(what, r.mismatches);
  if (digest) {
    const [da, db] = await Promise.all([a.call('DEBUG', 'DIGEST'), b.call('DEBUG', 'DIGEST')]);
    assert.equal(str(db), str(da), `${what}: DEBUG DIGEST differs (seed ${SEED})`);
  }
  return r.encodings;
}

async function assertSizes(c: PipeClient, ds: readonly KeySpec[]): Promise<void> {
  const want = dbSizes(ds);
  const got = await dbSizesOf(c);
  for (let i = 0; i < 16; i++) assert.equal(got[i], want.get(i) ?? 0, `DBSIZE of db ${i} after loading the dataset (seed ${SEED})`);
}

const ALL_ENCODINGS = [
  'string int', 'string embstr', 'string raw', 'list quicklist', 'hash listpack', 'hash hashtable',
  'set intset', 'set hashtable', 'zset listpack', 'zset skiplist',
];

function assertCoverage(enc: Map<string, number>): void {
  for (const e of ALL_ENCODINGS) assert.ok((enc.get(e) ?? 0) > 0, `the dataset has no ${e} key (seed ${SEED}): ${show([...enc].map(([k, v]) => `${k}=${v}`))}`);
}

/** The Reddish filled by the first test, reused by the BGSAVE test. */
let filledReddish: Srv | null = null;

test(`Reddish SAVE → redis-server loads every key equal (20000 keys, seed ${SEED})`, { skip }, async (t) => {
  const ds = generateDataset(SEED);
  const red = await start('reddish', DEBUG);
  await loadDataset(red.c, ds);
  await assertSizes(red.c, ds);
  assert.equal(str(await red.c.call('SAVE')), 'OK');
  filledReddish = red;
  kept.add(red.s);
  const rds = await startOnDump('redis', join(red.s.dir, 'dump.rdb'));
  await logMatches(rds, /DB loaded from disk/, 'redis-server log');
  const enc = await assertSameData('reddish → redis', red.c, rds.c);
  assertCoverage(enc);
  t.diagnostic(`encodings: ${[...enc].map(([k, v]) => `${k}=${v}`).join(', ')}`);
});

// Right after the SAVE test: its 30-60 s TTLs must not run out in between.
test('Reddish BGSAVE → redis-server loads every key equal', { skip }, async () => {
  const red = filledReddish;
  assert.ok(red !== null, 'needs the dataset of the first test');
  kept.delete(red.s); // stopped after this test
  const file = join(red.s.dir, 'dump.rdb');
  unlinkSync(file);
  const before = await info(red.c, 'persistence');
  assert.equal(str(await red.c.call('BGSAVE')), 'Background saving started');
  const p = await waitBgsave(red.c);
  assert.equal(p.get('rdb_last_bgsave_status'), 'ok');
  assert.equal(p.get('rdb_changes_since_last_save'), '0');
  assert.ok(Number(p.get('rdb_last_save_time')) >= Number(before.get('rdb_last_save_time')));
  assert.ok(existsSync(file), 'BGSAVE wrote no dump.rdb');
  const rds = await startOnDump('redis', file);
  await assertSameData('reddish BGSAVE → redis', red.c, rds.c);
});

test(`redis-server SAVE → Reddish loads every key equal (20000 keys, seed ${SEED + 1})`, { skip }, async () => {
  const ds = generateDataset(SEED + 1);
  const rds = await start('redis', DEBUG);
  await loadDataset(rds.c, ds);
  await assertSizes(rds.c, ds);
  assert.equal(str(await rds.c.call('SAVE')), 'OK');
  const red = await startOnDump('reddish', join(rds.s.dir, 'dump.rdb'));
  await logMatches(red, /Loading RDB produced by version 7\.0\.15/, 'reddish log');
  await logMatches(red, new RegExp(`Done loading RDB, keys loaded: ${ds.length}, keys expired: 0\\.`), 'reddish log');
  const enc = await assertSameData('redis → reddish', rds.c, red.c);
  assertCoverage(enc);
});

for (const [name, value] of [['rdbcompression', 'no'], ['rdbchecksum', 'no']] as const) {
  for (const [writer, reader] of [['reddish', 'redis'], ['redis', 'reddish']] as const) {
    test(`${writer} with ${name} ${value} → ${reader} (2000 keys)`, { skip }, async () => {
      const seed = SEED + (name === 'rdbcompression' ? 10 : 20) + (writer === 'reddish' ? 0 : 1);
      const ds = generateDataset(seed, { keys: 2000, big: 0.2 });
      const w = await start(writer, [...DEBUG, `--${name}`, value]);
      await loadDataset(w.c, ds);
      // A long compressible value: stored verbatim only without compression.
      const plain = 'compress me please '.repeat(20);
      await w.c.call('SET', 'plain-marker', plain);
      assert.equal(str(await w.c.call('SAVE')), 'OK');
      const file = join(w.s.dir, 'dump.rdb');
      const bytes = readFileSync(file);
      const trailer = bytes.subarray(bytes.length - 8);
      if (name === 'rdbcompression') {
        assert.ok(bytes.includes(Buffer.from(plain, 'latin1')), `${writer}: rdbcompression no still compressed the value`);
        assert.ok(!trailer.every((b) => b === 0), `${writer}: the checksum should be written`);
      } else {
        assert.ok(!bytes.includes(Buffer.from(plain, 'latin1')), `${writer}: rdbcompression yes left a compressible value verbatim`);
        assert.ok(trailer.every((b) => b === 0), `${writer}: rdbchecksum no must leave an all-zero trailer, got ${trailer.toString('hex')}`);
      }
      const r = await startOnDump(reader, file);
      if (reader === 'reddish' && name === 'rdbchecksum') {
        await logMatches(r, /RDB file was saved with checksum disabled: no check performed\./, 'reddish log');
      }
      await assertSameData(`${writer} (${name} ${value}) → ${reader}`, w.c, r.c, true);
    });
  }
}

// With an LRU or LFU maxmemory-policy Redis writes each key's idle time
// (RDB_OPCODE_IDLE) or access frequency (RDB_OPCODE_FREQ) before it.
for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
  test(`redis with maxmemory-policy ${policy} → Reddish (IDLE/FREQ opcodes)`, { skip }, async () => {
    const ds = generateDataset(SEED + 50, { keys: 1000, big: 0.1 });
    const w = await start('redis', [...DEBUG, '--maxmemory-policy', policy]);
    await loadDataset(w.c, ds);
    assert.equal(str(await w.c.call('SAVE')), 'OK');
    const r = await startOnDump('reddish', join(w.s.dir, 'dump.rdb'));
    await assertSameData(`redis (${policy}) → reddish`, w.c, r.c, true);
  });
}

// Both ways, with the policy on both sides: the access counters (FREQ) come
// through exactly, the idle times (IDLE) to the second.
for (const policy of ['allkeys-lfu', 'allkeys-lru']) {
  test(`${policy}: OBJECT FREQ / IDLETIME survive an RDB both ways`, { skip }, async () => {
    const lfu = policy === 'allkeys-lfu';
    const probe = lfu ? 'FREQ' : 'IDLETIME';
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const w = await start('redis', [...DEBUG, '--maxmemory-policy', policy]);
    for (const k of keys) await w.c.call('SET', k, 'v');
    if (lfu) {
      // Counters spread from 5 to ~10: key i read 40*i times.
      for (let i = 0; i < keys.length; i++) for (let n = 0; n < 40 * i; n++) await w.c.call('GET', keys[i]);
    } else {
      // Idle times of 0 and ~2 s.
      await new Promise((r) => setTimeout(r, 2100));
      for (let i = 0; i < keys.length; i += 2) await w.c.call('GET', keys[i]);
    }
    const read = async (c: PipeClient) => Promise.all(keys.map(async (k) => Number(await c.call('OBJECT', probe, k))));
    const fromRedis = await read(w.c);
    if (lfu) assert.ok(new Set(fromRedis).size > 2, `redis counters too alike: ${fromRedis.join(' ')}`);
    else assert.ok(Math.max(...fromRedis) >= 2, `redis idle times: ${fromRedis.join(' ')}`);
    assert.equal(str(await w.c.call('SAVE')), 'OK');

    const r = await startOnDump('reddish', join(w.s.dir, 'dump.rdb'), ['--maxmemory-policy', policy]);
    const inReddish = await read(r.c);
    const close = (a: number[], b: number[]) => (lfu ? a.every((x, i) => x === b[i]) : a.every((x, i) => Math.abs(x - b[i]) <= 1));
    assert.ok(close(inReddish, fromRedis), `redis → reddish ${probe}: ${fromRedis.join(' ')} vs ${inReddish.join(' ')}`);

    assert.equal(str(await r.c.call('SAVE')), 'OK');
    const rDir = (await r.c.call('CONFIG', 'GET', 'dir')) as Reply[];
    const back = await startOnDump('redis', join(str(rDir[1]), 'dump.rdb'), ['--maxmemory-policy', policy]);
    const inRedis = await read(back.c);
    assert.ok(close(inRedis, inReddish), `reddish → redis ${probe}: ${inReddish.join(' ')} vs ${inRedis.join(' ')}`);
  });
}

// BUG (src/util/numbers.ts formatG17, not the RDB code): a double exactly
// halfway between two 17-significant-digit decimals is rounded away from zero
// (JS toExponential/toFixed pick the larger n) where glibc's %.17g rounds half
// to even. `ZADD z -947051525581628.1 m` then `ZSCORE z m`: Redis
// "-947051525581628.12", Reddish "-947051525581628.13"; the same string goes
// into the listpack of a listpack-encoded zset in Reddish's RDB. The random
// datasets avoid such scores (dataset.ts isG17Tie) so that the bulk
// comparisons can stay strict; this test keeps the bug visible and fails
// until formatG17 is fixed.
test('zset scores on exact 17-digit ties print the same on both sides of an RDB', { skip }, async () => {
  const ties = ['-947051525581628.1', '453136630123481.1', '0.5', '-301331056049093.6'];
  for (const [writer, reader] of [['reddish', 'redis'], ['redis', 'reddish']] as const) {
    const w = await start(writer);
    const small = ties.flatMap((x, i) => [x, `m${i}`]);
    const big = [...small, ...Array.from({ length: 200 }, (_, i) => [String(i), `n${i}`]).flat()];
    await w.c.batch([['ZADD', 'lp', ...small], ['ZADD', 'sl', ...big]]);
    assert.equal(str(await w.c.call('SAVE')), 'OK');
    const r = await startOnDump(reader, join(w.s.dir, 'dump.rdb'));
    for (const k of ['lp', 'sl']) {
      const a = await w.c.call('ZRANGE', k, '0', '3', 'WITHSCORES');
      const b = await r.c.call('ZRANGE', k, '0', '3', 'WITHSCORES');
      assert.deepEqual(b, a, `${k} written by ${writer}, read back from ${reader}`);
    }
  }
});

// ------------------------------------------------------------ point in time

interface Op {
  /** Commands with their own SELECTs, leaving db 0 selected. */
  cmds: string[][];
}

/** Commands of the plan that are not writes themselves (not counted). */
const NOT_WRITES = new Set(['SELECT', 'GET', 'EXISTS', 'MULTI', 'EXEC', 'PFCOUNT']);

/** [db, key] pairs as "db\nkey" strings. */
const dk = (db: number, key: string): string => `${db}\n${key}`;

interface Plan {
  ops: Op[];
  touched: Set<string>;
  created: Array<[number, string]>;
  deleted: Array<[number, string]>;
}

/** Keys made before BGSAVE besides DEBUG POPULATE and the dataset (db 0). */
const EXTRA_KEYS = 200;

function extraKeys(): string[][] {
  const cmds: string[][] = [['SET', 'counter', '1000']];
  for (let i = 0; i < EXTRA_KEYS; i++) {
    cmds.push(['SET', `num:${i}`, String(i * 7)], ['SET', `float:${i}`, `${i}.25`]);
    if (i < 40) cmds.push(['PFADD', `hll:${i}`, ...Array.from({ length: 30 + i * 20 }, (_, j) => `e${j}`)]);
    if (i < 40) cmds.push(['GEOADD', `geo:${i}`, '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', String(i / 10), String(i / 20), `p${i}`]);
  }
  return cmds;
}

/**
 * Writes of every kind — overwrites, deletes, RENAME/MOVE/COPY, in-place
 * edits of lists, hashes, sets, zsets, strings, HyperLogLogs, TTL changes,
 * *STORE commands, blocking pops that are served at once, MULTI/EXEC,
 * FLUSHDB of db 5 (walked last), SWAPDB 2 3 and SWAPDB 0 1 — over the
 * populated keys (key:N), the typed keys of `ds` and the extra keys, with
 * every (db, key) they can touch. Replies may be errors (a RENAME may have
 * made a list a string, SWAPDB 0 1 moves keys away): only successes count.
 */
function planWrites(rng: Rng, ds: readonly KeySpec[], populated: number, n: number): Plan {
  const touched = new Set<string>();
  const created: Array<[number, string]> = [];
  const deleted: Array<[number, string]> = [];
  const byKind = (kind: string): KeySpec[] => ds.filter((k) => k.kind === kind && k.db === 0);
  const lists = byKind('list');
  const hashes = byKind('hash');
  const sets = byKind('set');
  const zsets = byKind('zset');
  const strings = byKind('string');
  const withTtl = ds.filter((k) => k.ttl !== undefined && k.db === 0);
  const ops: Op[] = [];
  /** Touched keys are in db 0 unless given as [db, key]. */
  const op = (keys: Array<string | [number, string]>, ...cmds: string[][]): void => {
    for (const k of keys) touched.add(typeof k === 'string' ? dk(0, k) : dk(k[0], k[1]));
    ops.push({ cmds });
  };
  const pop = (): string => `key:${rng.int(populated)}`;
  const num = (): string => `num:${rng.int(EXTRA_KEYS)}`;
  const flt = (): string => `float:${rng.int(EXTRA_KEYS)}`;
  const hll = (): string => `hll:${rng.int(40)}`;
  const geo = (): string => `geo:${rng.int(40)}`;
  const L = (): string => rng.pick(lists).key;
  const H = (): string => rng.pick(hashes).key;
  const S = (): string => rng.pick(sets).key;
  const Z = (): string => rng.pick(zsets).key;
  const first = (a: KeySpec[], key: string, at: number): string => a.find((k) => k.key === key)?.cmds[0][at] ?? 'x';
  const expiring: string[] = [];
  const makers: Array<(i: number) => void> = [
    (i) => { const k = pop(); op([k], ['SET', k, `overwritten:${i}`]); },
    () => { const k = pop(); deleted.push([0, k]); op([k], ['DEL', k]); },
    () => { const k = pop(); deleted.push([0, k]); op([k], ['UNLINK', k]); },
    (i) => { const a = pop(); const b = `renamed:${i}`; deleted.push([0, a]); created.push([0, b]); op([a, b], ['RENAME', a, b]); },
    () => { const a = pop(); const b = pop(); op([a, b], ['RENAME', a, b]); },
    () => { const a = L(); const b = pop(); op([a, b], ['RENAME', a, b]); },
    (i) => { const k = L(); op([k], ['LPUSH', k, `pushed:${i}`, 'x']); },
    () => { const k = L(); op([k], ['RPOP', k]); },
    (i) => { const k = L(); op([k], ['LSET', k, '0', `lset:${i}`]); },
    () => { const k = L(); op([k], ['LTRIM', k, '1', '-2']); },
    () => { const k = L(); op([k], ['LINSERT', k, 'BEFORE', 'x', 'inserted']); },
    () => { const k = L(); op([k], ['LREM', k, '0', 'x']); },
    () => { const k = L(); op([k], ['LMPOP', '1', k, 'LEFT', 'COUNT', '2']); },
    () => { const k = L(); op([k], ['BLPOP', k, '0.001']); },
    () => { const a = L(); const b = L(); op([a, b], ['LMOVE', a, b, 'LEFT', 'RIGHT']); },
    () => { const a = L(); const b = L(); op([a, b], ['BLMOVE', a, b, 'RIGHT', 'LEFT', '0.001']); },
    () => { const a = L(); const b = pop(); op([a, b], ['SORT', a, 'ALPHA', 'LIMIT', '0', '10', 'STORE', b]); },
    (i) => { const k = H(); op([k], ['HSET', k, `f:${i}`, 'v', first(hashes, k, 2), `changed:${i}`]); },
    () => { const k = H(); op([k], ['HDEL', k, first(hashes, k, 2)]); },
    () => { const k = H(); op([k], ['HINCRBY', k, '__n', '1']); },
    () => { const k = H(); op([k], ['HINCRBYFLOAT', k, '__f', '1.5']); },
    (i) => { const k = H(); op([k], ['HSETNX', k, `nx:${i}`, 'v']); },
    (i) => { const k = S(); op([k], ['SADD', k, `m:${i}`, String(i)]); },
    () => { const k = S(); op([k], ['SREM', k, first(sets, k, 2)]); },
    () => { const k = S(); op([k], ['SPOP', k, '2']); },
    () => { const a = S(); const b = S(); op([a, b], ['SMOVE', a, b, first(sets, a, 2)]); },
    () => { const a = S(); const b = S(); op([a], ['SINTERSTORE', a, a, b]); },
    () => { const a = S(); const b = S(); const d = pop(); op([d], ['SUNIONSTORE', d, a, b]); },
    () => { const a = S(); const b = S(); op([a], ['SDIFFSTORE', a, a, b]); },
    (i) => { const k = Z(); op([k], ['ZADD', k, String(i), `z:${i}`]); },
    () => { const k = Z(); op([k], ['ZADD', k, 'GT', 'INCR', '3', first(zsets, k, 3)]); },
    () => { const k = Z(); op([k], ['ZINCRBY', k, '2.5', first(zsets, k, 3)]); },
    () => { const k = Z(); op([k], ['ZPOPMIN', k]); },
    () => { const k = Z(); op([k], ['BZPOPMAX', k, '0.001']); },
    () => { const k = Z(); op([k], ['ZMPOP', '1', k, 'MAX', 'COUNT', '2']); },
    () => { const k = Z(); op([k], ['ZREMRANGEBYRANK', k, '0', '1']); },
    () => { const a = Z(); const b = Z(); op([a], ['ZUNIONSTORE', a, '2', a, b]); },
    () => { const a = Z(); const d = pop(); op([d], ['ZRANGESTORE', d, a, '0', '5']); },
    (i) => { const k = rng.pick(strings).key; op([k], ['APPEND', k, `+${i}`]); },
    () => { const k = rng.pick(strings).key; op([k], ['SETRANGE', k, '2', 'ZZ']); },
    () => { const k = pop(); op([k], ['SETBIT', k, '3', '1']); },
    () => { const k = pop(); op([k], ['BITFIELD', k, 'INCRBY', 'u8', '0', '1']); },
    () => { const d = pop(); const a = pop(); op([d], ['BITOP', 'OR', d, d, a]); },
    () => { const k = num(); op([k], ['INCRBY', k, '5']); },
    () => { const k = num(); op([k], ['DECR', k]); },
    () => { const k = flt(); op([k], ['INCRBYFLOAT', k, '0.5']); },
    (i) => { const a = pop(); const b = num(); op([a, b], ['MSET', a, `mset:${i}`, b, '1']); },
    (i) => { const a = `nx:${i}`; created.push([0, a]); op([a], ['MSETNX', a, '1', `nx2:${i}`, '2']); touched.add(dk(0, `nx2:${i}`)); },
    (i) => { const k = pop(); op([k], ['SET', k, `keepttl:${i}`, 'KEEPTTL']); },
    (i) => { const k = pop(); op([k], ['SET', k, `get:${i}`, 'GET']); },
    (i) => { const k = pop(); op([k], ['SETEX', k, '100000', `setex:${i}`]); },
    () => { const k = pop(); deleted.push([0, k]); op([k], ['GETDEL', k]); },
    (i) => { const k = pop(); op([k], ['GETSET', k, `getset:${i}`]); },
    () => { const k = pop(); op([k], ['GETEX', k, 'EX', '100000']); },
    () => { const k = rng.pick(withTtl).key; op([k], ['GETEX', k, 'PERSIST']); },
    () => { const k = rng.pick(withTtl).key; op([k], ['PERSIST', k]); },
    () => { const k = pop(); op([k], ['EXPIRE', k, '100000']); },
    () => { const k = rng.pick(withTtl).key; op([k], ['EXPIRE', k, '200000', 'GT']); },
    () => { const k = pop(); op([k], ['PEXPIREAT', k, String(Date.now() + 1e9)]); },
    () => { const k = pop(); expiring.push(k); op([k], ['PEXPIRE', k, '1']); },
    () => { if (expiring.length > 0) { const k = rng.pick(expiring); op([k], ['GET', k], ['EXISTS', k]); } }, // lazy expiry deletes it
    () => { const k = pop(); op([k, [1, k]], ['MOVE', k, '1']); },
    (i) => { const k = pop(); const d = `copy:${i}`; created.push([0, d]); op([k, d], ['COPY', k, d]); },
    () => { const k = pop(); const d = pop(); op([d], ['COPY', k, d, 'REPLACE']); },
    (i) => { const db = rng.pick([0, 1]); const k = `new:${i}`; created.push([db, k]); op([[db, k]], ['SELECT', String(db)], ['SET', k, 'created after BGSAVE'], ['SELECT', '0']); },
    (i) => { const k = `new5:${i}`; created.push([5, k]); op([[5, k]], ['SELECT', '5'], ['SET', k, 'in the flushed db'], ['SELECT', '0']); },
    (i) => { const k = hll(); op([k], ['PFADD', k, `x${i}`, `y${i}`]); },
    // BUG (src/commands/hyperloglog.ts pfcount): PFCOUNT rewrites an invalid
    // cached cardinality in place after a lookupRead, without the snapshot's
    // copy-on-write hook, so the file gets the post-BGSAVE bytes of the HLL
    // (hll:N keys show up in the mismatches) until it calls beforeWrite.
    () => { const k = hll(); op([k], ['PFCOUNT', k]); },
    () => { const a = hll(); const b = hll(); op([a], ['PFMERGE', a, b]); },
    (i) => { const k = geo(); op([k], ['GEOADD', k, '2.35', '48.85', `paris:${i}`]); },
    () => { const k = geo(); const d = pop(); op([d], ['GEOSEARCHSTORE', d, k, 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km']); },
    (i) => { const a = pop(); const b = L(); op([a, b], ['MULTI'], ['SET', a, `multi:${i}`], ['RPUSH', b, 'multi'], ['INCR', 'counter'], ['EXEC']); },
    (i) => { const k = `num:${i}`; op([k], ['INCRBY', k, '1'], ['SET', `num:${i}`, String(i)]); },
  ];
  for (let i = 0; ops.length < n; i++) {
    if (i === 3) {
      op([], ['SELECT', '5'], ['FLUSHDB'], ['SELECT', '0']); // db 5 is walked last: the snapshot must still write its old keys
      continue;
    }
    if (i % 1500 === 7) {
      op([], ['SWAPDB', '2', '3']);
      continue;
    }
    if (i === 400 || i === 800) {
      op([], ['SWAPDB', '0', '1']); // db 0 (200k keys) is being walked
      continue;
    }
    rng.pick(makers)(i);
  }
  touched.add(dk(0, 'counter'));
  return { ops, touched, created, deleted };
}

async function readTouched(c: PipeClient, touched: Set<string>): Promise<Map<string, KeyState>> {
  const byDb = new Map<number, string[]>();
  for (const t of touched) {
    const i = t.indexOf('\n');
    const db = Number(t.slice(0, i));
    let a = byDb.get(db);
    if (a === undefined) byDb.set(db, (a = []));
    a.push(t.slice(i + 1));
  }
  const out = new Map<string, KeyState>();
  for (const [db, keys] of byDb) {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const st = await readKeys(c, db, chunk);
      chunk.forEach((k, j) => out.set(dk(db, k), st[j]));
    }
  }
  return out;
}

async function readDbs(c: PipeClient, dbs: readonly number[]): Promise<Map<string, KeyState>> {
  const touched = new Set<string>();
  for (const db of dbs) for (const k of await keysOf(c, db)) touched.add(dk(db, k));
  return readTouched(c, touched);
}

function diffMaps(want: Map<string, KeyState>, got: Map<string, KeyState>, ttlTolerance: number): string[] {
  const out: string[] = [];
  const none: KeyState = { type: 'none', pttl: -2, encoding: '', value: '' };
  for (const k of new Set([...want.keys(), ...got.keys()])) {
    // The encoding is not compared: a load may pick a more compact one than the edited live value had.
    const d = diffState(want.get(k) ?? none, got.get(k) ?? none, ttlTolerance, false);
    if (d !== null) out.push(`${show(k.replace('\n', ' '), 60)}: ${d}`);
  }
  return out;
}

test('BGSAVE is a point-in-time snapshot while another client writes', { skip }, async (t) => {
  const POPULATED = 200000;
  const rng = new Rng(SEED ^ 0x5eed);
  const red = await start('reddish', DEBUG);
  const c = red.c;
  assert.equal(str(await c.call('DEBUG', 'POPULATE', String(POPULATED))), 'OK');
  // Typed keys in dbs 0, 1, 5 and two small dbs for SWAPDB; TTLs long enough to outlive the test.
  const longTtl = (k: KeySpec): KeySpec => (k.ttl !== undefined && 'rel' in k.ttl ? { ...k, ttl: { rel: 3600000 } } : k);
  const ds = generateDataset(SEED + 30, { keys: 3000, big: 0.1 }).map(longTtl);
  const ds23 = generateDataset(SEED + 31, { keys: 400, dbs: [2, 3], big: 0 }).map(longTtl);
  await loadDataset(c, [...ds, ...ds23]);
  for (const r of await c.batch(extraKeys())) assert.ok(!(r instanceof ReplyError), show(r));
  const plan = planWrites(rng, ds, POPULATED, 8000);
  // Checked after loading: every key the writes can touch, every typed and
  // extra key of dbs 0 and 1, and 10000 populated keys at random (a whole-
  // dataset DEBUG DIGEST would cost Reddish 6 s on 200k keys).
  const checked = new Set(plan.touched);
  for (const k of ds) if (k.db !== 5) checked.add(dk(k.db, k.key));
  for (const k of extraKeys()) if (k[0] !== 'SET' || k[1] !== 'counter') checked.add(dk(0, k[1]));
  for (let i = 0; i < 10000; i++) checked.add(dk(0, `key:${rng.int(POPULATED)}`));

  // The state at the instant BGSAVE is accepted: nothing else writes in between.
  const t0 = Date.now();
  const pre = await readTouched(c, checked);
  const preDbs = await readDbs(c, [2, 3, 5]);
  const preSizes = await dbSizesOf(c);
  assert.equal(str(await c.call('BGSAVE')), 'Background saving started');

  // Writes from another connection while the save runs. Each batch ends with
  // INFO persistence: while it still says in progress, every write of the
  // batch landed during the save.
  const w = await PipeClient.connect(red.s.port);
  clients.push(w);
  let during = 0;
  let afterSave = 0;
  let batches = 0;
  let next = 0;
  let filler = 0;
  for (;;) {
    const cmds: string[][] = [['INCR', 'counter']];
    for (let j = 0; j < 30; j++) {
      if (next < plan.ops.length) {
        cmds.push(...plan.ops[next++].cmds);
      } else {
        // Plan used up: keep writing to keys already recorded.
        cmds.push(['INCR', 'counter'], ['SET', 'counter', String(1000000 + filler++)]);
      }
    }
    cmds.push(['INFO', 'persistence']);
    const r = await w.batch(cmds);
    batches++;
    let ok = 0;
    for (let j = 0; j < cmds.length - 1; j++) if (!NOT_WRITES.has(cmds[j][0]) && !(r[j] instanceof ReplyError)) ok++;
    if (/rdb_bgsave_in_progress:1/.test(str(r[r.length - 1]))) during += ok;
    else {
      afterSave += ok;
      break;
    }
    if (batches > 100000) throw new Error('BGSAVE never finished');
  }
  const p = await waitBgsave(c);
  assert.equal(p.get('rdb_last_bgsave_status'), 'ok');
  t.diagnostic(`writes while BGSAVE was in progress: ${during} in ${batches - 1} batches (plan ops used: ${next}/${plan.ops.length}, then ${filler} filler); ${afterSave} more in the batch that saw it end; COW bytes ${p.get('rdb_last_cow_size')}`);
  assert.ok(during >= 500, `only ${during} writes landed while BGSAVE ran: the test is not testing anything`);

  // The live dataset really moved away from the snapshot.
  const live = await readTouched(c, checked);
  const changed = diffMaps(pre, live, 1e12).length;
  t.diagnostic(`keys checked: ${checked.size} (${plan.touched.size} the writes could touch), of which changed in the live dataset: ${changed}`);
  assert.ok(changed > 100, `only ${changed} keys changed during the save`);

  const file = join(red.s.dir, 'dump.rdb');
  // Every check on both loaded servers, all problems reported together.
  const problems: string[] = [];
  for (const kind of ['reddish', 'redis'] as const) {
    const l = await startOnDump(kind, file);
    const tol = Date.now() - t0 + 2000;
    const got = await readTouched(l.c, checked);
    for (const d of diffMaps(pre, got, tol)) problems.push(`${kind}, key ${d}`);
    for (const d of diffMaps(preDbs, await readDbs(l.c, [2, 3, 5]), tol)) problems.push(`${kind}, db 2/3 (SWAPDB) or 5 (FLUSHDB): ${d}`);
    const sizes = await dbSizesOf(l.c);
    if (sizes.join() !== preSizes.join()) problems.push(`${kind}: DBSIZE per db ${sizes.join()} vs ${preSizes.join()} when BGSAVE started`);
    const counter = await l.c.call('GET', 'counter');
    if (counter !== '1000') problems.push(`${kind}: counter ${show(counter)}, was 1000 when BGSAVE started`);
    for (const [db, k] of plan.created) {
      if (got.get(dk(db, k))?.type !== 'none') problems.push(`${kind}: key ${show(k)} in db ${db} was created after BGSAVE, yet is in the file`);
    }
    let deletedPresent = 0;
    for (const [db, k] of plan.deleted) {
      if (pre.get(dk(db, k))?.type === 'none') continue;
      if (got.get(dk(db, k))?.type === 'none') problems.push(`${kind}: key ${show(k)} in db ${db} was deleted after BGSAVE and is missing from the file`);
      deletedPresent++;
    }
    assert.ok(deletedPresent > 0);
  }
  noMismatches('the BGSAVE file loaded in reddish and in redis vs the dataset when BGSAVE started', problems);
});

// ------------------------------------------------------------ load errors

/** Runs a server on `dir` until it exits (or `ms` pass); returns its exit code and output. */
async function runToExit(kind: ServerKind, dir: string, args: string[] = [], ms = 15000): Promise<{ code: number | null; out: string }> {
  const base = ['--port', String(await freePort()), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no', ...args];
  const proc = kind === 'reddish' ? spawn(process.execPath, [REDDISH_MAIN, ...base], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('redis-server', base, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const MARKER = 'MARKER-0123456789';

/** A small valid dump.rdb written by Reddish, with MARKER stored verbatim. */
async function smallDump(): Promise<Buffer> {
  const red = await start('reddish');
  await loadDataset(red.c, generateDataset(SEED + 40, { keys: 500, big: 0 }));
  await red.c.call('SET', 'marker', MARKER);
  assert.equal(str(await red.c.call('SAVE')), 'OK');
  return readFileSync(join(red.s.dir, 'dump.rdb'));
}

test('a truncated dump.rdb: both servers exit non-zero with "Short read"', { skip }, async () => {
  const good = await smallDump();
  for (const len of [9, Math.floor(good.length * 0.6), good.length - 4]) {
    for (const kind of ['reddish', 'redis'] as const) {
      const d = scratchDir();
      writeFileSync(join(d, 'dump.rdb'), good.subarray(0, len));
      const r = await runToExit(kind, d);
      assert.notEqual(r.code, 0, `${kind} with a dump truncated to ${len}/${good.length} bytes exited ${r.code}:\n${r.out}`);
      assert.notEqual(r.code, null, `${kind} with a dump truncated to ${len} bytes did not exit:\n${r.out}`);
      assert.match(r.out, /Short read or OOM loading DB\. Unrecoverable error, aborting now\./, `${kind}, truncated to ${len}`);
    }
  }
});

test('a flipped byte: "Wrong RDB checksum" and exit, unless the reader has rdbchecksum no', { skip }, async () => {
  const good = await smallDump();
  const at = good.indexOf(Buffer.from(MARKER, 'latin1'));
  assert.ok(at > 0, 'the marker value is stored verbatim');
  const bad = Buffer.from(good);
  bad[at] ^= 0x01; // 'M' -> 'L': still a valid file, but not the checksummed one
  const sums = new Map<ServerKind, string>();
  const lines = new Map<ServerKind, string>();
  for (const kind of ['reddish', 'redis'] as const) {
    const d = scratchDir();
    writeFileSync(join(d, 'dump.rdb'), bad);
    const r = await runToExit(kind, d);
    assert.ok(r.code !== 0 && r.code !== null, `${kind} loaded a file with a wrong checksum (exit ${r.code}):\n${r.out}`);
    const m = /Wrong RDB checksum expected: \(([0-9a-f]+)\) (?:but )?got \(([0-9a-f]+)\)\. Aborting now\./.exec(r.out);
    assert.ok(m !== null, `${kind}: no "Wrong RDB checksum" line in\n${r.out}`);
    sums.set(kind, `${m[1]} ${m[2]}`);
    lines.set(kind, m[0]);

    const f = join(d, 'dump.rdb');
    const l = await startOnDump(kind, f, ['--rdbchecksum', 'no']);
    assert.equal(str(await l.c.call('GET', 'marker')), 'L' + MARKER.slice(1), `${kind} with rdbchecksum no`);
    assert.equal((await dbSizesOf(l.c)).reduce((a, b) => a + b, 0), 501);
  }
  // A bad signature too.
  for (const kind of ['reddish', 'redis'] as const) {
    const d = scratchDir();
    const sig = Buffer.from(good);
    sig.write('REDIX', 0, 'latin1');
    writeFileSync(join(d, 'dump.rdb'), sig);
    const r = await runToExit(kind, d);
    assert.ok(r.code !== 0 && r.code !== null, `${kind} with a bad signature exited ${r.code}`);
    assert.match(r.out, /Wrong signature trying to load DB from file/, kind);
  }
  // BUG (src/persist/rdb/rdb-loader.ts, the "Wrong RDB checksum" RdbError):
  // Redis 7.0.15 logs "Wrong RDB checksum expected: (<computed>) but got
  // (<file trailer>). Aborting now."; Reddish prints the two values the other
  // way round (the trailer as "expected") and leaves out "but". These two
  // assertions fail until the message matches.
  assert.equal(sums.get('reddish'), sums.get('redis'), 'the two checksums, in Redis\'s order (computed, then the file\'s)');
  assert.equal(lines.get('reddish'), lines.get('redis'), 'the checksum error line, word for word');
});

test('keys already expired in the file are not loaded, both ways', { skip }, async () => {
  for (const [writer, reader] of [['reddish', 'redis'], ['redis', 'reddish']] as const) {
    const w = await start(writer, DEBUG);
    // No active expiry on the writer: the keys are in the file however long SAVE takes.
    const cmds: string[][] = [['DEBUG', 'SET-ACTIVE-EXPIRE', '0']];
    for (let i = 0; i < 100; i++) cmds.push(['SET', `keep:${i}`, 'v'], ['SET', `gone:${i}`, 'v', 'PX', '300']);
    for (const r of await w.c.batch(cmds)) assert.ok(!(r instanceof ReplyError), show(r));
    assert.equal(str(await w.c.call('SAVE')), 'OK');
    await new Promise((r) => setTimeout(r, 400));
    const l = await startOnDump(reader, join(w.s.dir, 'dump.rdb'));
    assert.equal(Number(await l.c.call('DBSIZE')), 100, `${reader} loading ${writer}'s file`);
    await logMatches(l, /Done loading RDB, keys loaded: 100, keys expired: 100\./, `${reader}'s log`);
  }
});

// ------------------------------------------------------------ restarts

test('restarts: SHUTDOWN with save points, SHUTDOWN NOSAVE, SHUTDOWN SAVE, SIGTERM', { skip }, async () => {
  const dir = scratchDir();
  const file = join(dir, 'dump.rdb');
  // `--save 3600 1` as two words: the single word '3600 1' is refused (see the next test).
  const withSave = ['--dir', dir, '--save', '3600', '1'];
  const noSave = ['--dir', dir, '--save', ''];
  const boot = async (args: string[]): Promise<Srv> => {
    const s = await start('reddish', args);
    return s;
  };
  const exited = (s: Srv): Promise<number | null> =>
    s.s.proc.exitCode !== null ? Promise.resolve(s.s.proc.exitCode) : new Promise((r) => s.s.proc.once('exit', (code) => r(code)));
  const shutdown = async (s: Srv, ...args: string[]): Promise<number | null> => {
    const r: Reply | Error = await s.c.call('SHUTDOWN', ...args).catch((e: Error) => e);
    assert.ok(r instanceof Error, `SHUTDOWN ${args.join(' ')} replied ${show(r as Reply)}`);
    return exited(s);
  };

  let s = await boot(withSave);
  assert.equal(str((await s.c.call('CONFIG', 'GET', 'save') as Reply[])[1]), '3600 1');
  await s.c.batch([['SET', 'a', '1'], ['RPUSH', 'l', 'x', 'y'], ['HSET', 'h', 'f', 'v'], ['SET', 't', 'v', 'EX', '100000'], ['SELECT', '3'], ['SADD', 's3', '1', '2']]);
  assert.equal(await shutdown(s), 0);
  assert.ok(existsSync(file), 'SHUTDOWN with a save point wrote no dump.rdb');
  await logMatches(s, /Saving the final RDB snapshot before exiting\./, 'reddish log');

  s = await boot(withSave);
  assert.equal(str(await s.c.call('GET', 'a')), '1');
  assert.deepEqual(await s.c.call('LRANGE', 'l', '0', '-1'), ['x', 'y']);
  assert.deepEqual(await s.c.call('HGETALL', 'h'), ['f', 'v']);
  const ttl = Number(await s.c.call('TTL', 't'));
  assert.ok(ttl > 99000 && ttl <= 100000, `TTL after restart: ${ttl}`);
  await s.c.call('SELECT', '3');
  assert.deepEqual(await s.c.call('SMEMBERS', 's3'), ['1', '2']);
  await s.c.call('SELECT', '0');
  await s.c.call('SET', 'b', '2');
  assert.equal(await shutdown(s, 'NOSAVE'), 0);

  s = await boot(withSave);
  assert.equal(await s.c.call('GET', 'b'), null, 'SHUTDOWN NOSAVE saved');
  assert.equal(str(await s.c.call('GET', 'a')), '1');
  await s.c.call('SET', 'c', '3');
  const code = exited(s);
  s.s.proc.kill('SIGTERM');
  assert.equal(await code, 0);
  await logMatches(s, /Received SIGTERM scheduling shutdown/, 'reddish log');

  s = await boot(noSave);
  assert.equal(str(await s.c.call('GET', 'c')), '3', 'SIGTERM with save points did not save');
  await s.c.call('SET', 'd', '4');
  assert.equal(await shutdown(s), 0); // no save points: no save

  s = await boot(noSave);
  assert.equal(await s.c.call('GET', 'd'), null, 'SHUTDOWN without save points saved');
  await s.c.call('SET', 'e', '5');
  assert.equal(await shutdown(s, 'SAVE'), 0);

  s = await boot(noSave);
  assert.equal(str(await s.c.call('GET', 'e')), '5', 'SHUTDOWN SAVE did not save');
  assert.equal(str(await s.c.call('GET', 'c')), '3');
});

// BUG (src/config: the `save` directive, saveSet in directives.ts): Redis 7.0
// splits the single argument of a multi-argument config on spaces, so
// `redis-server --save "3600 1"` (the form Redis's docs use) starts with save
// "3600 1"; reddish-server exits with "FATAL CONFIG FILE ERROR ... >>> 'save
// "3600 1"' Invalid save parameters". Fails until that is fixed.
test('--save "3600 1" as one argument sets a save point, as in redis-server', { skip }, async () => {
  for (const kind of ['redis', 'reddish'] as const) {
    const d = scratchDir();
    const r = await runToExit(kind, d, ['--save', '3600 1'], 1500);
    assert.equal(r.code, null, `${kind} exited ${r.code} with --save "3600 1":\n${r.out}`); // null: still running when killed
  }
});
