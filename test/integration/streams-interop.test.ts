/**
 * Streams crossing between a real redis-server 7.0 and reddish-server:
 *
 *   - RDB: streams with groups, PELs, consumers, deleted entries, trimmed
 *     streams, many nodes, an empty stream with groups, XSETID metadata,
 *     built on one server, SAVEd, loaded by the other (both ways); every key
 *     compared (XINFO STREAM / FULL, GROUPS, CONSUMERS, XPENDING, XRANGE,
 *     DEBUG DIGEST-VALUE, OBJECT ENCODING; time fields masked);
 *   - DUMP on one server and RESTORE on the other, both ways;
 *   - replication: a redis-server master with a Reddish replica, fed a
 *     consumer-group workload before the sync (full sync) and after it (the
 *     command stream: XREADGROUP, XCLAIM, XAUTOCLAIM, XTRIM ~, XDEL, XGROUP
 *     SETID, ...), then DEBUG DIGEST-VALUE and XINFO STREAM FULL of every
 *     stream key equal on master and replica.
 *
 * REDDISH_VS_REDIS=1 puts redis-server where Reddish would be. The random
 * part of the replication workload prints its seed (REDDISH_SEED).
 */
import { test, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisAvailable, startServer, type RunningServer, type ServerKind } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { chooseSeed } from '../differential/generator.js';
import { SECOND, generateStreamScript, normalizeStreamReply } from '../differential/stream-generator.js';

const skip = redisAvailable() ? false : 'redis-server is not installed';
const DEBUG = ['--enable-debug-command', 'yes'];

const servers: RunningServer[] = [];
const clients: RawClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
});
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Srv {
  s: RunningServer;
  c: RawClient;
  /** Where it saves (startServer's dir unless started on a dump of its own). */
  dir: string;
}

async function start(kind: ServerKind, args: string[] = [], dir?: string): Promise<Srv> {
  const s = await startServer(kind, [...DEBUG, ...args, ...(dir ? ['--dir', dir, '--dbfilename', 'dump.rdb'] : [])]);
  servers.push(s);
  const c = await RawClient.connect(s.port);
  clients.push(c);
  // A server still loading its RDB answers -LOADING; wait for PONG.
  for (let i = 0; i < 400 && (await c.call('PING')) !== '+PONG\r\n'; i++) await new Promise((r) => setTimeout(r, 25));
  return { s, c, dir: dir ?? s.dir };
}

/** A server of `kind` started on a copy of `file` as its dump.rdb. */
async function startOnDump(kind: ServerKind, file: string): Promise<Srv> {
  const d = mkdtempSync(join(tmpdir(), 'streams-interop-'));
  dirs.push(d);
  copyFileSync(file, join(d, 'dump.rdb'));
  return start(kind, [], d);
}

/** Runs commands; every error reply is collected (the fixtures must build without one). */
async function build(c: RawClient, cmds: string[][]): Promise<string[]> {
  const errors: string[] = [];
  for (const cmd of cmds) {
    const r = await c.call(...cmd);
    if (r.startsWith('-')) errors.push(`${JSON.stringify(cmd)} → ${r.trim()}`);
  }
  return errors;
}

function entries(key: string, from: number, n: number, fv: (i: number) => string[]): string[][] {
  return Array.from({ length: n }, (_, i) => ['XADD', key, `${from + i}-${i % 3}`, ...fv(from + i)]);
}

/** Streams of every shape the RDB stream encoding has to carry. */
function fixtures(): string[][] {
  return [
    // Many nodes (5 entries each), some deleted, a few consumers and claimed entries with fixed delivery times.
    ['CONFIG', 'SET', 'stream-node-max-entries', '5'],
    ...entries('big', 1, 120, (i) => (i % 4 === 0 ? ['f', String(i), 'g', 'x'] : ['f', String(i * 1000), 'h', 'v'.repeat(i % 50)])),
    ['CONFIG', 'SET', 'stream-node-max-entries', '100'],
    ['XDEL', 'big', '3-2', '10-0', '11-1', '50-1', '120-2'],
    ['XGROUP', 'CREATE', 'big', 'g1', '0'], ['XGROUP', 'CREATE', 'big', 'g2', '40-0', 'ENTRIESREAD', '38'], ['XGROUP', 'CREATE', 'big', 'g3', '$'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '10', 'STREAMS', 'big', '>'], ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '5', 'STREAMS', 'big', '>'],
    ['XREADGROUP', 'GROUP', 'g2', 'carol', 'NOACK', 'COUNT', '7', 'STREAMS', 'big', '>'], ['XREADGROUP', 'GROUP', 'g2', 'dave', 'COUNT', '3', 'STREAMS', 'big', '>'],
    ['XACK', 'big', 'g1', '2-1', '4-0'], ['XCLAIM', 'big', 'g1', 'erin', '0', '5-1', '6-2', 'TIME', '1234567', 'RETRYCOUNT', '9'],
    ['XCLAIM', 'big', 'g1', 'bob', '0', '1-0', 'TIME', '7654321'], ['XGROUP', 'CREATECONSUMER', 'big', 'g3', 'idle-one'],
    // Big values: node bytes, not entry counts, end nodes.
    ...entries('bytes', 1, 30, (i) => ['payload', 'p'.repeat(600 + i * 37)]), ['XTRIM', 'bytes', 'MAXLEN', '~', '20'],
    // Trimmed (recorded first ID and max deleted ID move), XSETID metadata.
    ...entries('trimmed', 1, 50, (i) => ['n', String(i)]), ['XTRIM', 'trimmed', 'MAXLEN', '=', '17'], ['XTRIM', 'trimmed', 'MINID', '40'],
    ['XSETID', 'trimmed', '90-0', 'ENTRIESADDED', '77', 'MAXDELETEDID', '60-0'], ['XGROUP', 'CREATE', 'trimmed', 'g', '45-0'],
    ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'trimmed', '>'],
    // Empty streams: with groups, and after deleting everything.
    ['XGROUP', 'CREATE', 'empty', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', 'empty', 'h', '0', 'MKSTREAM', 'ENTRIESREAD', '0'],
    ['XGROUP', 'CREATECONSUMER', 'empty', 'g', 'waiting'], ['XADD', 'gone', '5-5', 'a', 'b'], ['XDEL', 'gone', '5-5'],
    // Deleted entries still pending; a lag that is unknown (nil) after a deletion.
    ...entries('pel', 1, 12, (i) => ['k', `v${i}`]), ['XGROUP', 'CREATE', 'pel', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'x', 'COUNT', '6', 'STREAMS', 'pel', '>'], ['XDEL', 'pel', '2-1', '3-2', '9-2'],
    ['XGROUP', 'CREATE', 'pel', 'lagless', '1-0'], ['XGROUP', 'SETID', 'pel', 'g', '4-0'],
    // Binary names and values, a single-entry stream, a stream at the top of the ID space.
    ['XADD', 'bin\x00key', '1-1', 'f\x00\xff', '\r\n\x00bin'], ['XGROUP', 'CREATE', 'bin\x00key', 'gr\xffoup', '0'],
    ['XREADGROUP', 'GROUP', 'gr\xffoup', 'c\x00', 'STREAMS', 'bin\x00key', '>'],
    ['XADD', 'top', '18446744073709551615-18446744073709551615', 'last', '1'],
    ['XADD', 'ints', '1-0', 'a', '0', 'b', '-1', 'c', '127', 'd', '4095', 'e', '-4096', 'f', '8388607', 'g', '9223372036854775807', 'h', '-9223372036854775808', 'i', '12345678901'],
  ];
}

/** Everything observable about every key, time fields masked, one line per command. */
async function snapshot(c: RawClient): Promise<string[]> {
  const keysRaw = await c.call('KEYS', '*');
  const keys = [...keysRaw.matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((m) => m[1]).sort();
  const out: string[] = [`KEYS ${JSON.stringify(keys)}`];
  const q = async (...cmd: string[]) => out.push(`${JSON.stringify(cmd)} → ${normalizeStreamReply(await c.call(...cmd), cmd)}`);
  for (const k of keys) {
    await q('TYPE', k);
    await q('OBJECT', 'ENCODING', k);
    await q('DEBUG', 'DIGEST-VALUE', k);
    await q('XINFO', 'STREAM', k);
    await q('XINFO', 'STREAM', k, 'FULL', 'COUNT', '0');
    await q('XRANGE', k, '-', '+');
    const groups = await c.call('XINFO', 'GROUPS', k);
    out.push(`${k} groups → ${normalizeStreamReply(groups, ['XINFO'])}`);
    for (const m of groups.matchAll(/\$4\r\nname\r\n\$\d+\r\n([^\r]*)\r\n/g)) {
      await q('XINFO', 'CONSUMERS', k, m[1]);
      await q('XPENDING', k, m[1]);
      await q('XPENDING', k, m[1], '-', '+', '1000');
    }
  }
  return out;
}

function sameSnapshots(what: string, a: string[], b: string[]): void {
  const diffs: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && diffs.length < 8; i++) {
    if (a[i] !== b[i]) diffs.push(`  source: ${JSON.stringify(a[i]?.slice(0, 600))}\n  copy:   ${JSON.stringify(b[i]?.slice(0, 600))}`);
  }
  assert.equal(diffs.length, 0, `${what}: ${diffs.length}+ differences\n${diffs.join('\n')}`);
}

async function rdbCrossing(writer: ServerKind, reader: ServerKind): Promise<void> {
  const w = await start(writer);
  assert.deepEqual(await build(w.c, fixtures()), [], `building the streams on ${writer}`);
  const before = await snapshot(w.c);
  assert.equal(await w.c.call('SAVE'), '+OK\r\n');
  const r = await startOnDump(reader, join(w.dir, 'dump.rdb'));
  sameSnapshots(`${writer} SAVE → ${reader} load`, before, await snapshot(r.c));
  assert.equal(await r.c.call('DEBUG', 'DIGEST'), await w.c.call('DEBUG', 'DIGEST'), 'DEBUG DIGEST of the whole dataset');
  // And back: the reader's own SAVE loads into the writer's kind unchanged.
  assert.equal(await r.c.call('SAVE'), '+OK\r\n');
  const back = await startOnDump(writer, join(r.dir, 'dump.rdb'));
  sameSnapshots(`${writer} → ${reader} → ${writer}`, before, await snapshot(back.c));
}

test('RDB: redis-server SAVE → Reddish loads every stream equal', { skip }, async () => {
  await rdbCrossing('redis', SECOND);
});

test('RDB: Reddish SAVE → redis-server loads every stream equal', { skip }, async () => {
  await rdbCrossing(SECOND, 'redis');
});

async function dumpCrossing(from: ServerKind, to: ServerKind): Promise<void> {
  const [a, b] = await Promise.all([start(from), start(to)]);
  assert.deepEqual(await build(a.c, fixtures()), [], `building the streams on ${from}`);
  const keysRaw = await a.c.call('KEYS', '*');
  for (const m of keysRaw.matchAll(/\$\d+\r\n([^\r]*)\r\n/g)) {
    a.c.write(RawClient.encode(['DUMP', m[1]]));
    const d = await a.c.readReply();
    assert.equal(d.value.type, 'bulk', `DUMP ${m[1]} on ${from}: ${d.raw.slice(0, 200)}`);
    const payload = d.value.type === 'bulk' ? d.value.value : '';
    assert.equal(await b.c.call('RESTORE', m[1], '0', payload), '+OK\r\n', `RESTORE ${JSON.stringify(m[1])} on ${to}`);
  }
  sameSnapshots(`DUMP on ${from} → RESTORE on ${to}`, await snapshot(a.c), await snapshot(b.c));
}

test('DUMP on redis-server → RESTORE on Reddish', { skip }, async () => {
  await dumpCrossing('redis', SECOND);
});

test('DUMP on Reddish → RESTORE on redis-server', { skip }, async () => {
  await dumpCrossing(SECOND, 'redis');
});

async function infoField(c: RawClient, section: string, name: string): Promise<string> {
  const raw = await c.call('INFO', section);
  return new RegExp(`^${name}:(.*)$`, 'm').exec(raw)?.[1].trim() ?? '';
}

/** Until the replica's link is up and its offset equals the master's. */
async function synced(m: Srv, r: Srv): Promise<void> {
  const end = Date.now() + 10000;
  for (;;) {
    const [mo, ro, link] = await Promise.all([
      infoField(m.c, 'replication', 'master_repl_offset'), infoField(r.c, 'replication', 'slave_repl_offset'), infoField(r.c, 'replication', 'master_link_status'),
    ]);
    if (link === 'up' && mo === ro) return;
    if (Date.now() > end) throw new Error(`replica not in sync: master offset ${mo}, replica ${ro}, link ${link}\n${r.s.output().slice(-1500)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** The consumer-group workload the replica follows live (explicit IDs, `*`, and every group command). */
function liveWorkload(): string[][] {
  return [
    ...entries('live', 1, 40, (i) => ['f', String(i)]), ['XADD', 'live', '*', 'clock', '1'], ['XGROUP', 'CREATE', 'live', 'g', '0'],
    ['XGROUP', 'CREATE', 'live', 'h', '$'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '10', 'STREAMS', 'live', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '10', 'NOACK', 'STREAMS', 'live', '>'], ['XREADGROUP', 'GROUP', 'g', 'c3', 'COUNT', '5', 'STREAMS', 'live', '>'],
    ['XACK', 'live', 'g', '2-1', '3-2', '4-0'], ['XCLAIM', 'live', 'g', 'c4', '0', '5-1', '6-2', 'IDLE', '7200000', 'RETRYCOUNT', '3'],
    ['XCLAIM', 'live', 'g', 'c4', '0', '7-0', 'TIME', '99999', 'JUSTID'], ['XCLAIM', 'live', 'g', 'c5', '0', '30-2', 'FORCE'],
    ['XCLAIM', 'live', 'g', 'c5', '0', '8-1', 'LASTID', '35-0'], ['XAUTOCLAIM', 'live', 'g', 'c6', '3600000', '0', 'COUNT', '5'],
    ['XDEL', 'live', '8-1', '9-2', '33-2'], ['XAUTOCLAIM', 'live', 'g', 'c6', '0', '0', 'COUNT', '20'], ['XAUTOCLAIM', 'live', 'g', 'c7', '0', '0', 'JUSTID'],
    ['XTRIM', 'live', 'MAXLEN', '~', '10'], ['XADD', 'live', 'MAXLEN', '~', '5', '*', 'f', 'x'], ['XGROUP', 'SETID', 'live', 'h', '0', 'ENTRIESREAD', '0'],
    ['XREADGROUP', 'GROUP', 'h', 'd', 'COUNT', '3', 'STREAMS', 'live', '>'], ['XGROUP', 'DELCONSUMER', 'live', 'g', 'c2'],
    ['XGROUP', 'CREATE', 'live', 'tmp', '$'], ['XGROUP', 'DESTROY', 'live', 'tmp'], ['XSETID', 'live', '999999999999999-0', 'ENTRIESADDED', '1000'],
    ['XADD', 'live', '*', 'after', 'setid'], ['XGROUP', 'CREATECONSUMER', 'live', 'h', 'later'],
    ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 'live', '0'], ['XTRIM', 'big', 'MINID', '~', '60'], ['XDEL', 'big', '61-0', '62-1'],
    ['XREADGROUP', 'GROUP', 'g3', 'late', 'COUNT', '2', 'STREAMS', 'big', '>'], ['XADD', 'big', '200-0', 'f', 'new'],
    ['XREADGROUP', 'GROUP', 'g3', 'late', 'STREAMS', 'big', '>'],
  ];
}

/**
 * A Redis replica's stream state is not always the master's (7.0 propagates
 * XREADGROUP as XCLAIM + XGROUP SETID, so e.g. entries-read and consumers
 * that read nothing can differ), so the oracle for the Reddish replica is a
 * redis-server replica of the same master; entries (DEBUG DIGEST-VALUE) must
 * equal the master's.
 */
test('replication: a Reddish replica of redis-server follows a consumer-group workload as a Redis replica does', { skip }, async (t) => {
  const seed = chooseSeed();
  t.diagnostic(`random workload seed ${seed} (REDDISH_SEED=${seed})`);
  const args = ['--repl-diskless-sync-delay', '0'];
  const [m, oracle, r] = await Promise.all([start('redis', args), start('redis', args), start(SECOND, args)]);
  assert.deepEqual(await build(m.c, fixtures()), [], 'building the streams on the master');
  for (const x of [oracle, r]) assert.equal(await x.c.call('REPLICAOF', '127.0.0.1', String(m.s.port)), '+OK\r\n');
  await synced(m, oracle);
  await synced(m, r);
  sameSnapshots('after the full sync: Redis replica vs Reddish replica', await snapshot(oracle.c), await snapshot(r.c));
  // Live: the fixed workload, then the random generator's (its CONFIG SETs are not replicated, so left out).
  for (const cmd of liveWorkload()) await m.c.call(...cmd);
  const random = generateStreamScript(seed, 1500).filter((c) => c[0] !== 'CONFIG');
  for (const cmd of random) await m.c.call(...cmd);
  await synced(m, oracle);
  await synced(m, r);
  sameSnapshots(`Redis replica vs Reddish replica (seed ${seed})`, await snapshot(oracle.c), await snapshot(r.c));
  const digests = async (x: Srv) => {
    const keys = [...(await x.c.call('KEYS', '*')).matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((k) => k[1]).sort();
    return Promise.all(keys.map(async (k) => `${JSON.stringify(k)} ${await x.c.call('DEBUG', 'DIGEST-VALUE', k)}`));
  };
  assert.deepEqual(await digests(r), await digests(m), 'DEBUG DIGEST-VALUE of every key, replica vs master');
  assert.equal(await r.c.call('DEBUG', 'DIGEST'), await m.c.call('DEBUG', 'DIGEST'), 'DEBUG DIGEST of the whole dataset');
});
