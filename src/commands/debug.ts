/**
 * DEBUG (debug.c debugCommand), the subcommands that make sense without
 * crashing the process: HELP, SLEEP, SET-ACTIVE-EXPIRE, DIGEST,
 * DIGEST-VALUE, OBJECT, CHANGE-REPL-ID, PROTOCOL, LOG, ERROR, POPULATE,
 * PAUSE-CRON. Like Redis 7, DEBUG obeys enable-debug-command (no | yes |
 * local: loopback connections only).
 */
import { lruIdleSeconds } from '../keyspace/lfu.js';
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { isString } from '../keyspace/value.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { datasetDigest, keyValueDigest } from '../observe/digest.js';
import { replyHelp, subSyntax } from './client.js';
import { stringEncoding } from './introspection.js';

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
  'HELP',
  '    Prints this help.',
];

/** C's atoi: leading blanks, optional sign, digits; anything else stops it. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1], 10) | 0 : 0;
}

/** C's strtod prefix parse (no hex floats). */
function strtod(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?inf(inity)?|[+-]?nan)/i.exec(s);
  if (!m) return 0;
  const t = m[1].toLowerCase();
  if (t.includes('inf')) return t.startsWith('-') ? -Infinity : Infinity;
  if (t.includes('nan')) return NaN;
  return Number(t);
}

function sleepMs(ms: number): void {
  if (!(ms > 0)) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** rdbSaveLen's size. */
function lenSize(n: number): number {
  if (n < 1 << 6) return 1;
  if (n < 1 << 14) return 2;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** rdbSavedObjectLen for strings (LZF compression not modelled: the uncompressed length). */
function serializedLength(v: string | { length: number }): number {
  if (typeof v === 'string' && v.length <= 11 && /^(0|-?[1-9][0-9]*)$/.test(v)) {
    const n = Number(v);
    if (n >= -128 && n <= 127) return 2;
    if (n >= -32768 && n <= 32767) return 3;
    if (n >= -2147483648 && n <= 2147483647) return 5;
  }
  return lenSize(v.length) + v.length;
}

/** A stable fake address for DEBUG OBJECT's "Value at:". */
function fakeAddress(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return '0x7f' + (h >>> 0).toString(16).padStart(8, '0') + '0';
}

function debugObject(ctx: CommandContext): void {
  const key = ctx.argv[2];
  const e = ctx.db.keys.get(key);
  if (!e) return ctx.reply.error(ERR.noKey);
  const v = e.value;
  // The raw 24-bit field and estimateObjectIdleTime over it, as Redis prints
  // them (under LFU both read the LFU field as if it were an LRU time).
  const lru = e.lru & ((1 << 24) - 1);
  const idle = lruIdleSeconds(ctx.ks.lruClock, e.lru);
  let encoding: string;
  let refcount = 1;
  let serlen = 0;
  if (isString(v)) {
    encoding = stringEncoding(v);
    if (encoding === 'int' && typeof v === 'string') {
      const n = Number(v);
      if (n >= 0 && n < 10000 && Number.isInteger(n)) refcount = 2147483647;
    }
    serlen = serializedLength(v);
  } else {
    encoding = (v as { encoding?: string }).encoding ?? v.kind;
    serlen = 0;
  }
  ctx.reply.simple(
    `Value at:${fakeAddress(key)} refcount:${refcount} encoding:${encoding} serializedlength:${serlen} lru:${lru} lru_seconds_idle:${idle}`,
  );
}

function protocol(ctx: CommandContext): void {
  const r = ctx.reply;
  const t = ctx.argv[2].toLowerCase();
  switch (t) {
    case 'string':
      return r.bulk('Hello World');
    case 'integer':
      return r.int(12345);
    case 'double':
      return r.double(3.141);
    case 'bignum':
      return r.bigNumber('1234567999999999999999999999999999999');
    case 'null':
      return r.nil();
    case 'array':
      r.array(3);
      for (let j = 0; j < 3; j++) r.int(j);
      return;
    case 'set':
      r.set(3);
      for (let j = 0; j < 3; j++) r.int(j);
      return;
    case 'map':
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.int(j);
        r.bool(j === 1);
      }
      return;
    case 'attrib':
      if (r.resp >= 3) {
        r.raw('|1\r\n');
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.int(90);
      }
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (r.resp < 3) return r.error('ERR RESP2 is not supported by this command');
      r.push(2);
      r.bulk('server-cpu-usage');
      r.int(42);
      return r.bulk('Some real reply following the push reply');
    case 'verbatim':
      return r.verbatim('This is a verbatim\nstring');
    case 'true':
      return r.bool(true);
    case 'false':
      return r.bool(false);
    default:
      return r.error(
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

function populate(ctx: CommandContext): void {
  const argv = ctx.argv;
  const n = parseInt64(argv[2]);
  if (n === null) return ctx.reply.error(ERR.notInteger);
  if (n < 0) return ctx.reply.error('ERR value is out of range, must be positive');
  let size = 0;
  if (argv.length === 5) {
    const s = parseInt64(argv[4]);
    if (s === null) return ctx.reply.error(ERR.notInteger);
    if (s < 0) return ctx.reply.error('ERR value is out of range, must be positive');
    size = Number(s);
  }
  const prefix = argv.length >= 4 ? argv[3] : 'key';
  const count = Number(n);
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (ctx.ks.lookupWrite(ctx.db, key) !== undefined) continue;
    let val = `value:${j}`;
    // Padding by concatenation would leave a rope (a cons string and its two
    // halves, twice the memory); the value is written out flat, as Redis's is.
    if (size > 0) val = size <= val.length ? val.slice(0, size) : padded(val, size);
    ctx.ks.set(ctx.db, key, val);
  }
  ctx.reply.ok();
}

let padBuf = Buffer.alloc(64);

/** `s` followed by NULs up to `size` bytes, as one flat string. */
function padded(s: string, size: number): string {
  if (padBuf.length < size) padBuf = Buffer.alloc(size);
  padBuf.fill(0, 0, size);
  padBuf.latin1Write(s, 0);
  return padBuf.latin1Slice(0, size);
}

/** allowProtectedAction(server.enable_debug_cmd, c) */
function debugAllowed(ctx: CommandContext): boolean {
  const mode = ctx.server.config.get('enable-debug-command');
  return mode === 'yes' || (mode === 'local' && ctx.client.isLocal);
}

function debug(ctx: CommandContext): void {
  if (!debugAllowed(ctx)) {
    return ctx.reply.error(
      'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
    );
  }
  const argv = ctx.argv;
  const argc = argv.length;
  const sub = argv[1].toLowerCase();
  const r = ctx.reply;
  if (sub === 'help' && argc === 2) return replyHelp(ctx, HELP);
  if (sub === 'sleep' && argc === 3) {
    sleepMs(strtod(argv[2]) * 1000);
    return r.ok();
  }
  if (sub === 'set-active-expire' && argc === 3) {
    ctx.server.cron.activeExpireEnabled = atoi(argv[2]) !== 0;
    return r.ok();
  }
  if (sub === 'digest' && argc === 2) return r.simple(datasetDigest(ctx.ks));
  if (sub === 'digest-value' && argc >= 2) {
    r.array(argc - 2);
    for (let j = 2; j < argc; j++) r.simple(keyValueDigest(ctx.db, argv[j]));
    return;
  }
  if (sub === 'object' && argc === 3) return debugObject(ctx);
  if (sub === 'change-repl-id' && argc === 2) {
    const hex = () => {
      let s = '';
      for (let i = 0; i < 40; i++) s += Math.floor(Math.random() * 16).toString(16);
      return s;
    };
    ctx.server.replId = hex();
    ctx.server.replId2 = '0'.repeat(40);
    ctx.server.secondReplOffset = -1;
    return r.ok();
  }
  if (sub === 'protocol' && argc === 3) return protocol(ctx);
  if (sub === 'log' && argc === 3) {
    ctx.server.log.warning(`DEBUG LOG: ${argv[2]}`);
    return r.ok();
  }
  if (sub === 'error' && argc === 3) {
    // addReplyErrorSds with the string as given: no ERR prefix is added.
    return r.error(argv[2]);
  }
  if (sub === 'populate' && argc >= 3 && argc <= 5) return populate(ctx);
  if (sub === 'reload') return reload(ctx);
  if (sub === 'loadaof' && argc === 2) return loadAof(ctx);
  if (sub === 'pause-cron' && argc === 3) {
    if (atoi(argv[2]) !== 0) ctx.server.cron.stop();
    else if (!ctx.server.shuttingDown) {
      ctx.server.cron.stop();
      ctx.server.cron.start();
    }
    return r.ok();
  }
  r.error(subSyntax(argv[1], 'DEBUG'));
}

/** Empties every db without counting it as a change (emptyData). */
function emptyData(ctx: CommandContext): void {
  const dirty = ctx.ks.dirty;
  for (const db of ctx.ks.dbs) {
    ctx.server.watchers.touchDb(db);
    ctx.ks.flushDb(db);
  }
  ctx.ks.dirty = dirty;
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back. */
function reload(ctx: CommandContext): void {
  let flush = true;
  let save = true;
  let merge = false;
  for (let j = 2; j < ctx.argv.length; j++) {
    const o = ctx.argv[j].toLowerCase();
    if (o === 'merge') merge = true;
    else if (o === 'noflush') flush = false;
    else if (o === 'nosave') save = false;
    else return ctx.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const s = ctx.server;
  if (save && !s.rdb.saveSync()) return ctx.reply.error('ERR');
  if (flush) emptyData(ctx);
  try {
    if (s.rdb.loadFile(undefined, { allowDuplicates: merge }) === null) throw new Error('no file');
  } catch (e) {
    s.log.warning(`DEBUG RELOAD: ${(e as Error).message}`);
    return ctx.reply.error('ERR Error trying to load the RDB dump, check server logs.');
  }
  s.log.warning('DB reloaded by DEBUG RELOAD');
  ctx.reply.ok();
}

/** DEBUG LOADAOF: flush the AOF, empty the dataset, replay the AOF. */
function loadAof(ctx: CommandContext): void {
  const s = ctx.server;
  if (s.aof.enabled) s.aof.flushBeforeReply();
  emptyData(ctx);
  try {
    s.aof.load();
  } catch (e) {
    s.log.warning(`${(e as Error).message}`);
    process.exit(1);
  }
  ctx.ks.dirty = 0;
  s.log.warning('Append Only File loaded by DEBUG LOADAOF');
  ctx.reply.ok();
}

export const DEBUG_COMMANDS: CommandDef[] = [{ name: 'debug', handler: debug }];
