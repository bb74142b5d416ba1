/**
 * Config file parsing: quoting, includes, save accumulation, command-line
 * options, and the FATAL CONFIG FILE ERROR report compared with redis-server's
 * for the same bad configurations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../src/config/config.js';
import { loadConfigString, newLoadState, optionsToConfig, FatalConfigError } from '../../src/config/config-file.js';
import { REDDISH_MAIN, redisAvailable } from '../support/servers.js';

function load(text: string): Config {
  const c = new Config();
  loadConfigString(c, text, 'test.conf', newLoadState());
  return c;
}

test('quoting and escapes follow sdssplitargs', () => {
  const c = load(String.raw`requirepass "a b\x41\n"` + "\nmasteruser " + String.raw`'it\'s'` + '\nlogfile ""\n  # indented comment\n\t\nproc-title-template "{title} {port}"\n');
  assert.equal(c.get('requirepass'), 'a bA\n');
  assert.equal(c.get('masteruser'), "it's");
  assert.equal(c.get('logfile'), '');
  assert.equal(c.get('proc-title-template'), '{title} {port}');
});

test('save lines add up; save "" clears; defaults otherwise', () => {
  assert.equal(load('').get('save'), '3600 1 300 100 60 10000');
  assert.equal(load('save 900 1\nsave 300 10\n').get('save'), '900 1 300 10');
  assert.equal(load('save 900 1\nsave ""\nsave 7 7\n').get('save'), '7 7');
  assert.equal(load('save 900 1 300 10 60 10000\n').get('save'), '900 1 300 10 60 10000');
});

test('values are canonicalised as CONFIG GET shows them', () => {
  const c = load('maxmemory 1gb\nappendonly YES\nloglevel WARNING\nclient-output-buffer-limit replica 1mb 2k 3\nnotify-keyspace-events KEA\nhz 1000\nslave-priority 5\nunixsocketperm 700\nmaxmemory-clients 10%\n');
  assert.equal(c.get('maxmemory'), '1073741824');
  assert.equal(c.get('appendonly'), 'yes');
  assert.equal(c.get('loglevel'), 'warning');
  assert.equal(c.get('client-output-buffer-limit'), 'normal 0 0 0 slave 1048576 2000 3 pubsub 33554432 8388608 60');
  assert.equal(c.get('notify-keyspace-events'), 'AKE');
  assert.equal(c.get('hz'), '500');
  assert.equal(c.get('replica-priority'), '5');
  assert.equal(c.get('unixsocketperm'), '700');
  assert.equal(c.get('maxmemory-clients'), '10%');
});

test('include reads files relative to the working directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-unit-'));
  const cwd = process.cwd();
  try {
    writeFileSync(join(dir, 'inc.conf'), 'hz 33\nsave 5 5\n');
    writeFileSync(join(dir, 'a-1.conf'), 'maxclients 77\n');
    const c = new Config();
    process.chdir(dir);
    loadConfigString(c, 'save 1 1\ninclude inc.conf\ninclude a-*.conf\ninclude nomatch-*.conf\n', 'main.conf', newLoadState());
    assert.equal(c.get('hz'), '33');
    assert.equal(c.get('maxclients'), '77');
    assert.equal(c.get('save'), '1 1 5 5');
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fatal errors name the line', () => {
  const cases: Array<[string, number, string]> = [
    ['port 1\nfoo bar\n', 2, 'Bad directive or wrong number of arguments'],
    ['\n\nport "1\n', 3, 'Unbalanced quotes in configuration line'],
    ['appendonly maybe\n', 1, "argument must be 'yes' or 'no'"],
    ['port 1 2\n', 1, 'wrong number of arguments'],
    ['save 900\n', 1, 'Invalid save parameters'],
    ['maxmemory lots\n', 1, 'argument must be a memory value'],
  ];
  for (const [text, line, reason] of cases) {
    assert.throws(() => load(text), (e: unknown) => e instanceof FatalConfigError && e.lineNo === line && e.reason === reason, text);
  }
  // Deprecated directives are accepted silently.
  load('list-max-ziplist-entries 5\nlua-replicate-commands yes\n');
});

test('command-line options become quoted config lines', () => {
  assert.deepEqual(optionsToConfig(['--port', '7777', '--save', '--loglevel', 'verbose']), { text: 'port "7777" \nsave ""\nloglevel "verbose" ', stdin: false });
  assert.deepEqual(optionsToConfig(['--save', '900', '1', '-']), { text: 'save "900" "1" ', stdin: true });
  assert.deepEqual(optionsToConfig(['--port 7777']), { text: 'port 7777 ', stdin: false });
});

/** The report lines (without our extra "(in file)" line). */
function report(stderr: string): string[] {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('*** FATAL CONFIG FILE ERROR'));
  if (start < 0) return [stderr];
  return lines.slice(start).filter((l) => l !== '' && !l.startsWith('(in '));
}

test('FATAL CONFIG FILE ERROR reports match redis-server', { skip: !redisAvailable() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-fatal-'));
  try {
    writeFileSync(join(dir, 'bad-include.conf'), 'hz 10\nnosuchdirective 1\n');
    const cases: Array<{ file?: string; args: string[] }> = [
      { file: '# comment\nport 6379\nbogus yes\n', args: [] },
      { file: 'port 6379\nrequirepass "unbalanced\n', args: [] },
      { file: 'appendonly maybe\n', args: [] },
      { file: 'hz 10\n', args: ['--maxmemory', 'lots'] },
      { file: 'hz 10\nhz 11\n', args: ['--port', '0', '--nosuch', 'x'] },
      { args: ['--port', '0', '--save', '900'] },
      { args: ['--port', '0', '--loglevel', 'loud'] },
      { file: `include ${join(dir, 'bad-include.conf')}\n`, args: [] },
      { file: 'save 900 1\nsave 300\n', args: [] },
      { file: 'client-output-buffer-limit normal 0 0\n', args: [] },
      { file: 'maxclients 0\n', args: [] },
      { file: 'port 1 2\n', args: [] },
      { file: 'loglevel\n', args: [] },
      { file: 'notify-keyspace-events Q\n', args: [] },
      { file: 'sentinel monitor x 127.0.0.1 6379 2\n', args: [] },
      { file: 'logfile /nonexistent-dir/x.log\n', args: [] },
    ];
    for (const [i, c] of cases.entries()) {
      const args = [...c.args];
      if (c.file !== undefined) {
        const p = join(dir, `c${i}.conf`);
        writeFileSync(p, c.file);
        args.unshift(p);
      }
      const redis = spawnSync('redis-server', args, { encoding: 'latin1', timeout: 5000 });
      const ours = spawnSync(process.execPath, [REDDISH_MAIN, ...args], { encoding: 'latin1', timeout: 5000 });
      assert.equal(ours.status, 1, `exit status for ${JSON.stringify(c)}: ${ours.stderr}`);
      assert.deepEqual(report(ours.stderr), report(redis.stderr), JSON.stringify(c));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('daemonize yes stops start-up with a clear error; -v and -h', () => {
  const r = spawnSync(process.execPath, [REDDISH_MAIN, '--daemonize', 'yes', '--port', '0'], { encoding: 'utf8', timeout: 5000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /daemonize yes is not supported/);
  const v = spawnSync(process.execPath, [REDDISH_MAIN, '-v'], { encoding: 'utf8' });
  assert.equal(v.status, 0);
  assert.match(v.stdout, /redis_version=7\.0\.15/);
  const h = spawnSync(process.execPath, [REDDISH_MAIN, '--help'], { encoding: 'utf8' });
  assert.match(h.stderr, /Usage: /);
});
