/**
 * reddish-check-rdb and reddish-check-aof on real files: a dump.rdb and an
 * AOF directory written by reddish-server, then truncated and byte-flipped
 * copies. Where Debian's redis-check-rdb / redis-check-aof are installed,
 * both tools run on identical copies and must agree on the exit status, the
 * whole output (the server-log pid/time prefix and the program name aside)
 * and, for --fix, the bytes left on disk. --fix answered "y" must leave an
 * AOF that reddish-server loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisAvailable, startServer, type RunningServer } from '../support/servers.js';
import { RawClient } from '../support/raw-client.js';
import { checkRdbImage } from '../../src/tools/check-rdb.js';
import { main as checkAofMain } from '../../src/tools/check-aof.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The launchers, from dist/test/integration. */
const BIN = join(here, '..', '..', '..', 'bin');

const hasReal = (tool: string): boolean => spawnSync(tool, ['-v']).error === undefined;
const REAL_RDB = hasReal('redis-check-rdb');
const REAL_AOF = hasReal('redis-check-aof');

interface Run {
  status: number | null;
  out: string;
}

function run(cmd: string, args: string[], input = ''): Run {
  const r = spawnSync(cmd, args, { encoding: 'latin1', input, timeout: 20000 });
  return { status: r.status, out: r.stdout };
}

const mine = (tool: 'rdb' | 'aof', args: string[], input = ''): Run =>
  run(process.execPath, [join(BIN, `reddish-check-${tool}`), ...args], input);
const real = (tool: 'rdb' | 'aof', args: string[], input = ''): Run => run(`redis-check-${tool}`, args, input);

/** The real tool without blocking, so sweeps can keep both cores busy. */
function realAsync(tool: 'rdb' | 'aof', args: string[], input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(`redis-check-${tool}`, args, { encoding: 'latin1', timeout: 20000 }, (err, stdout) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ status: code, out: stdout });
    });
    child.stdin?.on('error', () => {}); // the tool may exit without reading its input
    child.stdin?.end(input);
  });
}

/** Runs job(0..count-1) on `workers` lanes; each lane gets its own index for scratch space. */
async function lanes(count: number, workers: number, job: (i: number, lane: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, lane) => {
      while (next < count) await job(next++, lane);
    }),
  );
}

/**
 * What may differ: the pid and clock of a server-log line, the program's
 * name, and the rdb.c line of an error (a build detail that Debian's security
 * patches move; src/tools/rdb-check-values.ts follows the current package).
 */
function norm(s: string, ...dirs: string[]): string {
  let out = s
    .replace(/^\d+:C \d+ \w+ \d+ [\d:.]+ # /gm, 'LOG # ')
    .replace(/redis-check-/g, 'reddish-check-')
    .replace(/function at rdb\.c:\d+ /g, 'function at rdb.c:<line> ');
  for (const d of dirs) out = out.split(d).join('<dir>');
  return out;
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'check-tools-'));
}

/** A dataset of every type Reddish saves, with and without TTLs. */
async function fill(srv: RunningServer): Promise<RawClient> {
  const c = await RawClient.connect(srv.port);
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'num', '12345');
  await c.call('SET', 'long', 'abc'.repeat(100));
  await c.call('RPUSH', 'list', 'a', 'b', 'c', '1', '2');
  await c.call('SADD', 'ints', '1', '2', '3');
  await c.call('SADD', 'words', 'x', 'y');
  await c.call('ZADD', 'zs', '1', 'm', '2.5', 'n');
  await c.call('HSET', 'h', 'f1', 'v1', 'f2', 'v2');
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  await c.call('SELECT', '2');
  await c.call('SET', 'other', 'db2');
  await c.call('SELECT', '0');
  return c;
}

/** Both tools on the same bytes: same status and output. */
function sameRdbVerdict(file: string): void {
  const a = real('rdb', [file]);
  const b = mine('rdb', [file]);
  assert.equal(b.status, a.status, `exit status for ${file}\n${a.out}\n---\n${b.out}`);
  assert.equal(norm(b.out), norm(a.out));
}

test('reddish-check-rdb on a Reddish dump.rdb: good, truncated and byte-flipped copies', async () => {
  const srv = await startServer('reddish');
  const dir = scratch();
  try {
    const c = await fill(srv);
    assert.equal(await c.call('SAVE'), '+OK\r\n');
    c.close();
    const good = readFileSync(join(srv.dir, 'dump.rdb'));
    const file = join(dir, 'dump.rdb');
    writeFileSync(file, good);

    const ok = mine('rdb', [file]);
    assert.equal(ok.status, 0, ok.out);
    assert.match(ok.out, /^\[offset 0\] Checking RDB file .*dump\.rdb\n/);
    assert.match(ok.out, /\[offset 27\] AUX FIELD redis-ver = '7\.0\.15'\n/);
    assert.match(ok.out, /\[offset \d+\] Selecting DB ID 2\n/);
    assert.match(ok.out, new RegExp(`\\[offset ${good.length}\\] Checksum OK\\n\\[offset ${good.length}\\] \\\\o/ RDB looks OK! \\\\o/\\n`));
    assert.match(ok.out, /\[info\] 10 keys read\n\[info\] 1 expires\n\[info\] 0 already expired\n$/);
    if (REAL_RDB) sameRdbVerdict(file);

    // Cut in the header, inside the AUX fields, inside a value, and inside the checksum.
    for (const n of [0, 5, 9, 30, Math.floor(good.length / 2), good.length - 20, good.length - 8, good.length - 1]) {
      const cut = join(dir, `cut-${n}.rdb`);
      writeFileSync(cut, good.subarray(0, n));
      const r = mine('rdb', [cut]);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /--- RDB ERROR DETECTED ---\n\[offset \d+\] Unexpected EOF reading RDB file\n\[additional info\] While doing: /);
      if (REAL_RDB) sameRdbVerdict(cut);
    }

    // A flipped checksum byte, and a type byte turned into an unknown one.
    const crc = Buffer.from(good);
    crc[crc.length - 3] ^= 0xff;
    writeFileSync(join(dir, 'crc.rdb'), crc);
    const rc = mine('rdb', [join(dir, 'crc.rdb')]);
    assert.equal(rc.status, 1);
    assert.match(rc.out, new RegExp(`\\[offset ${good.length}\\] RDB CRC error\\n\\[additional info\\] While doing: check-sum\\n`));
    const typ = Buffer.from(good);
    typ[9] = 100; // where the first AUX opcode is
    writeFileSync(join(dir, 'type.rdb'), typ);
    const rt = mine('rdb', [join(dir, 'type.rdb')]);
    assert.equal(rt.status, 1);
    assert.match(rt.out, /\[offset 10\] Invalid object type: 100\n\[additional info\] While doing: read-type\n\[additional info\] Reading type 0 \(string\)\n/);
    if (REAL_RDB) {
      sameRdbVerdict(join(dir, 'crc.rdb'));
      sameRdbVerdict(join(dir, 'type.rdb'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await srv.stop();
  }
});

test('reddish-check-rdb agrees with redis-check-rdb at every truncation and on byte flips', { skip: !(REAL_RDB && redisAvailable()) && 'redis-check-rdb or redis-server is not installed' }, async () => {
  // Redis's own dump, with the types Reddish cannot load yet (a stream with a consumer group).
  const srv = await startServer('redis');
  const dir = scratch();
  try {
    const c = await fill(srv);
    await c.call('XADD', 'st', '1-1', 'a', '1');
    await c.call('XADD', 'st', '2-1', 'a', '2', 'b', '3');
    await c.call('XGROUP', 'CREATE', 'st', 'g', '0');
    await c.call('XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 'st', '>');
    await c.call('SAVE');
    c.close();
    const good = readFileSync(join(srv.dir, 'dump.rdb'));
    // In-process for Reddish (the launcher is covered above), one process per copy for Redis.
    const cases: [Buffer, string][] = [[good, 'as saved']];
    for (let n = 0; n < good.length; n++) cases.push([good.subarray(0, n), `cut at ${n}`]);
    for (let i = 9; i < good.length; i += 7) {
      for (const v of [0x00, 0xff, good[i] ^ 0x01, 0xc3]) {
        const b = Buffer.from(good);
        b[i] = v;
        cases.push([b, `byte ${i} = ${v}`]);
      }
    }
    await lanes(cases.length, 4, async (i, lane) => {
      const [bytes, what] = cases[i];
      const file = join(dir, `lane${lane}.rdb`);
      writeFileSync(file, bytes);
      const a = await realAsync('rdb', [file]);
      let out = '';
      const res = checkRdbImage(bytes, file, (t) => (out += t));
      assert.equal(res.ok ? 0 : 1, a.status, `${what}\n${a.out}\n---\n${out}`);
      assert.equal(norm(out), norm(a.out), what);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await srv.stop();
  }
});

/** An AOF directory written by reddish-server (appendfsync always, so every write is on disk). */
async function reddishAofDir(): Promise<{ dir: string; incr: string }> {
  const srv = await startServer('reddish', ['--appendonly', 'yes', '--appendfsync', 'always']);
  const dir = scratch();
  try {
    const c = await fill(srv);
    await c.call('MULTI');
    await c.call('INCR', 'num');
    await c.call('SET', 'tx', 'done');
    await c.call('EXEC');
    await c.call('SET', 'last', 'value');
    c.close();
    cpSync(join(srv.dir, 'appendonlydir'), dir, { recursive: true });
  } finally {
    await srv.stop();
  }
  const incr = readdirSync(dir).find((f) => f.endsWith('.incr.aof'));
  assert.ok(incr, `an incr file in ${readdirSync(dir).join(', ')}`);
  return { dir, incr };
}

/** Copies `src` twice (one per tool), applies `mutate` to each, runs both with `args` + the entry file. */
function sameAofVerdict(src: string, entry: string, mutate: (d: string) => void, args: string[] = [], input = ''): Run {
  const a = scratch();
  const b = scratch();
  try {
    cpSync(src, a, { recursive: true });
    cpSync(src, b, { recursive: true });
    mutate(a);
    mutate(b);
    const ours = mine('aof', [...args, join(b, entry)], input);
    if (REAL_AOF) {
      const theirs = real('aof', [...args, join(a, entry)], input);
      assert.equal(ours.status, theirs.status, `${theirs.out}\n---\n${ours.out}`);
      assert.equal(norm(ours.out, b), norm(theirs.out, a));
      for (const f of readdirSync(a)) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} left the same`);
    }
    return { status: ours.status, out: norm(ours.out, b) };
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
}

test('reddish-check-aof on a Reddish AOF: valid, truncated mid-command, --fix', async () => {
  const { dir, incr } = await reddishAofDir();
  const manifest = 'appendonly.aof.manifest';
  try {
    const ok = sameAofVerdict(dir, manifest, () => {});
    assert.equal(ok.status, 0, ok.out);
    assert.match(ok.out, /^Start checking Multi Part AOF\nStart to check BASE AOF \(RDB format\)\.\n\[offset 0\] Checking RDB file appendonly\.aof\.1\.base\.rdb\n/);
    assert.match(ok.out, /RDB preamble is OK, proceeding with AOF tail\.\.\.\nAOF analyzed: filename=appendonly\.aof\.1\.base\.rdb, size=\d+, ok_up_to=\d+, ok_up_to_line=1, diff=0\nBASE AOF appendonly\.aof\.1\.base\.rdb is valid\n/);
    assert.match(ok.out, new RegExp(`Start to check INCR files\\.\\nAOF analyzed: filename=${incr}, size=(\\d+), ok_up_to=\\1, ok_up_to_line=\\d+, diff=0\\nINCR AOF ${incr} is valid\\nAll AOF files and manifest are valid\\n$`));

    // Cut inside the last command (SET last value): the check stops at the command before it.
    const size = statSync(join(dir, incr)).size;
    const cut = size - 4;
    const lastCmd = '*3\r\n$3\r\nSET\r\n$4\r\nlast\r\n$5\r\nvalue\r\n'.length;
    const okUpTo = size - lastCmd;
    const shorten = (d: string): void => truncateSync(join(d, incr), cut);
    const bad = sameAofVerdict(dir, manifest, shorten);
    assert.equal(bad.status, 1);
    assert.match(bad.out, new RegExp(`AOF analyzed: filename=${incr}, size=${cut}, ok_up_to=${okUpTo}, ok_up_to_line=\\d+, diff=${cut - okUpTo}\\nAOF ${incr} is not valid\\. Use the --fix option to try fixing it\\.\\n$`));
    assert.match(bad.out, /0x +[0-9a-f]+: Expected to read 7 bytes, got 3 bytes\n/);

    // --fix answered "n" leaves the file; "y" truncates it to ok_up_to.
    const no = sameAofVerdict(dir, manifest, shorten, ['--fix'], 'n\n');
    assert.equal(no.status, 1);
    assert.match(no.out, new RegExp(`This will shrink the AOF ${incr} from ${cut} bytes, with ${cut - okUpTo} bytes, to ${okUpTo} bytes\\nContinue\\? \\[y/N\\]: Aborting\\.\\.\\.\\n$`));
    const yes = sameAofVerdict(dir, manifest, shorten, ['--fix'], 'y\n');
    assert.equal(yes.status, 0, yes.out);
    assert.match(yes.out, new RegExp(`Continue\\? \\[y/N\\]: Successfully truncated AOF ${incr}\\nAll AOF files and manifest are valid\\n$`));

    // The fixed directory loads: everything but the cut command is there.
    const fixed = scratch();
    cpSync(dir, fixed, { recursive: true });
    shorten(fixed);
    const r = mine('aof', ['--fix', join(fixed, manifest)], 'y\n');
    assert.equal(r.status, 0, r.out);
    assert.equal(statSync(join(fixed, incr)).size, okUpTo);
    const again = mine('aof', [join(fixed, manifest)]);
    assert.equal(again.status, 0, again.out);
    const home = scratch();
    cpSync(fixed, join(home, 'appendonlydir'), { recursive: true });
    rmSync(fixed, { recursive: true, force: true });
    const srv = await startServer('reddish', ['--appendonly', 'yes', '--dir', home]);
    try {
      const c = await RawClient.connect(srv.port);
      assert.equal(await c.call('GET', 'tx'), '$4\r\ndone\r\n');
      assert.equal(await c.call('GET', 'num'), '$5\r\n12346\r\n');
      assert.equal(await c.call('LRANGE', 'list', '0', '-1'), '*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\n2\r\n');
      assert.equal(await c.call('EXISTS', 'last'), ':0\r\n');
      c.close();
    } finally {
      await srv.stop();
      rmSync(home, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reddish-check-aof agrees with redis-check-aof: every cut of the incr file, old-style files, bad manifests', { skip: !REAL_AOF && 'redis-check-aof is not installed' }, async () => {
  const { dir, incr } = await reddishAofDir();
  const manifest = 'appendonly.aof.manifest';
  const base = readdirSync(dir).find((f) => f.endsWith('.base.rdb'))!;
  const a = scratch();
  const b = scratch();
  try {
    // Every truncation of the incr file, in-process for Reddish, with and without --fix y.
    const incrBytes = readFileSync(join(dir, incr));
    const lane = (k: number, tool: string): string => join(k % 2 === 0 ? a : b, `${tool}${k}`);
    for (let k = 0; k < 4; k++) for (const t of ['real', 'mine']) cpSync(dir, lane(k, t), { recursive: true });
    // Every byte near both ends, a sample in between (mostly the long value's payload).
    const cuts: [number, boolean][] = [];
    for (let n = 0; n <= incrBytes.length; n++) {
      if (n >= 120 && n <= incrBytes.length - 120 && n % 9 !== 0) continue;
      cuts.push([n, false]);
      if (n % 4 === 0) cuts.push([n, true]);
    }
    await lanes(cuts.length, 4, async (i, k) => {
      const [n, fix] = cuts[i];
      const [ra, rb] = [lane(k, 'real'), lane(k, 'mine')];
      for (const d of [ra, rb]) writeFileSync(join(d, incr), incrBytes.subarray(0, n));
      const args = fix ? ['--fix'] : [];
      const theirs = await realAsync('aof', [...args, join(ra, manifest)], 'y\n');
      let out = '';
      const status = checkAofMain([...args, join(rb, manifest)], { print: (t) => (out += t), answer: () => 'y' });
      const what = `cut at ${n}${fix ? ' with --fix' : ''}`;
      assert.equal(status, theirs.status, `${what}\n${theirs.out}\n---\n${out}`);
      // Cut inside the first `*argc` line, C prints a byte of stack left over from the RDB check.
      const garbage = (t: string): string => (n < 4 ? t.replace(/got: 00(ffffff)?[0-9a-f]{2}/, 'got: 00??') : t);
      assert.equal(garbage(norm(out, rb)), garbage(norm(theirs.out, ra)), what);
      assert.ok(readFileSync(join(ra, incr)).equals(readFileSync(join(rb, incr))), `${what}: same bytes left`);
    });

    // Old style: the incr file alone, and base + incr as one RDB-preamble AOF, cut in its tail.
    const single = (d: string): void => writeFileSync(join(d, 'old.aof'), incrBytes.subarray(0, incrBytes.length - 10));
    const s = sameAofVerdict(dir, 'old.aof', single);
    assert.equal(s.status, 1);
    assert.match(s.out, /^Start checking Old-Style AOF\n/);
    const preamble = (d: string): void =>
      writeFileSync(join(d, 'pre.aof'), Buffer.concat([readFileSync(join(d, base)), incrBytes.subarray(0, incrBytes.length - 10)]));
    const p = sameAofVerdict(dir, 'pre.aof', preamble, ['--fix'], 'y\n');
    assert.equal(p.status, 0, p.out);
    assert.match(p.out, /RDB preamble is OK, proceeding with AOF tail\.\.\.\n/);
    assert.match(p.out, /Successfully truncated AOF <dir>\/pre\.aof\n$/);

    // --truncate-to-timestamp on timestamped files, and a MULTI left open.
    const stamped = (d: string): void =>
      writeFileSync(
        join(d, 'ts.aof'),
        '#TS:100\r\n*1\r\n$4\r\nPING\r\n#TS:200\r\n*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n#TS:300\r\n*1\r\n$4\r\nEXEC\r\n',
      );
    for (const t of ['150', '250', '50', '400', 'x']) {
      sameAofVerdict(dir, 'ts.aof', stamped, ['--truncate-to-timestamp', t]);
    }
    const open = sameAofVerdict(dir, 'ts.aof', (d) => {
      stamped(d);
      truncateSync(join(d, 'ts.aof'), statSync(join(d, 'ts.aof')).size - 16);
    });
    assert.match(open.out, /Reached EOF before reading EXEC for MULTI\n/);

    // Manifest problems are reported as the server reports them.
    const badManifests = [
      `file ${base} seq 1 type b\nfile ${incr} seq 1 type x\n`,
      `file ${base} seq 1 type b\nfile sub/${incr} seq 1 type i\n`,
      `file ${base} seq 1 type b\nfile ${incr} seq 1\n`,
      `file ${base} seq 1 type b\nfile ${incr} seq 1 type i`,
      `file ${base} seq 1 type b\nfile missing.aof seq 2 type i\n`,
    ];
    for (const text of badManifests) {
      const r = sameAofVerdict(dir, manifest, (d) => writeFileSync(join(d, manifest), text));
      assert.equal(r.status, 1, r.out);
    }
    // Usage errors.
    for (const args of [[], ['--fox', 'x'], ['--truncate-to-timestamp', '1']]) {
      const theirs = real('aof', args);
      const ours = mine('aof', args);
      assert.equal(ours.status, theirs.status);
      assert.equal(norm(ours.out), norm(theirs.out));
    }
  } finally {
    for (const d of [dir, a, b]) rmSync(d, { recursive: true, force: true });
  }
});
