/**
 * CONFIG GET / SET / RESETSTAT / REWRITE / HELP (config.c's config*Command).
 * GET answers a map (several names or glob patterns; Redis's order is its
 * hash table's, random per process, so Reddish uses argument order for exact
 * names and table order for patterns). SET is all-or-nothing: every pair is
 * checked first, then all are applied, and a failing apply restores the old
 * values.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import type { Directive } from '../config/directives.js';
import { ConfigError } from '../config/config.js';
import { rewriteConfig } from '../config/config-rewrite.js';
import { globMatch } from '../util/glob.js';

function configGet(ctx: CommandContext): void {
  const config = ctx.server.config;
  const matches = new Map<string, [string, Directive]>();
  for (let i = 2; i < ctx.argv.length; i++) {
    const name = ctx.argv[i];
    if (!/[[*?]/.test(name)) {
      const key = name.toLowerCase();
      if (matches.has(key)) continue;
      const d = config.directive(name);
      if (d) matches.set(key, [name, d]);
      continue;
    }
    for (const [key, d] of config.names()) {
      // Hidden configs need their exact name.
      if (d.hidden) continue;
      if (matches.has(key)) continue;
      if (globMatch(name, key, true)) matches.set(key, [key, d]);
    }
  }
  ctx.reply.map(matches.size);
  for (const [key, d] of matches.values()) {
    ctx.reply.bulk(key);
    ctx.reply.bulk(config.get(d.name));
  }
}

function isLocalClient(ctx: CommandContext): boolean {
  const addr = ctx.client.addr;
  if (!ctx.client.socket) return true;
  const host = addr.slice(0, addr.lastIndexOf(':'));
  return host.startsWith('127.') || host === '::1' || host.startsWith('::ffff:127.') || host === '';
}

function allowProtected(ctx: CommandContext): boolean {
  const v = ctx.server.config.get('enable-protected-configs');
  return v === 'yes' || (v === 'local' && isLocalClient(ctx));
}

function errorText(e: unknown): string {
  if (e instanceof ConfigError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

function configSet(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length % 2 === 1) return ctx.reply.error('ERR syntax error');
  const config = ctx.server.config;
  const count = (argv.length - 2) / 2;
  const set: Directive[] = [];
  const given: string[] = [];
  let invalidName: string | null = null;
  let errName: string | null = null;
  let errStr: string | null = null;
  let invalid = false;
  for (let i = 0; i < count; i++) {
    const name = argv[2 + i * 2];
    const d = config.directive(name);
    if (!d) {
      if (!invalid) {
        invalidName = name;
        invalid = true;
      }
      continue;
    }
    if (invalid) continue;
    if (d.immutable || (d.protected && !allowProtected(ctx))) {
      errStr = d.immutable ? "can't set immutable config" : "can't set protected config";
      errName = name;
      invalid = true;
      continue;
    }
    // Redis registers an alias as its own entry: "slave-x" and "replica-x" are not duplicates of each other.
    const entry = name.toLowerCase() === d.alias ? d.alias : d.name;
    if (given.includes(entry)) {
      errStr = 'duplicate parameter';
      errName = name;
      invalid = true;
      continue;
    }
    set.push(d);
    given.push(entry);
  }
  const fail = (): void => {
    if (invalidName !== null) ctx.reply.error(`ERR Unknown option or number of arguments for CONFIG SET - '${invalidName}'`);
    else if (errStr !== null) ctx.reply.error(`ERR CONFIG SET failed (possibly related to argument '${errName}') - ${errStr}`);
    else ctx.reply.error(`ERR CONFIG SET failed (possibly related to argument '${errName}')`);
  };
  if (invalid) return fail();

  // Check every value before changing anything.
  const olds = set.map((d) => config.raw(d.name));
  const news: string[] = [];
  for (let i = 0; i < set.length; i++) {
    try {
      news.push(config.parseSetValue(set[i], argv[3 + i * 2]));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errName = given[i];
      errStr = e.message;
      return fail();
    }
  }
  // Apply; a subscriber refusing its value rolls everything back.
  for (let i = 0; i < set.length; i++) {
    try {
      config.store(set[i], news[i]);
    } catch (e) {
      ctx.server.log.warning(`Failed applying new configuration. Possibly related to new ${set[i].name} setting. Restoring previous settings.`);
      for (let j = 0; j < set.length; j++) config.storeQuiet(set[j], olds[j]);
      for (let j = 0; j <= i; j++) {
        try {
          config.notify(set[j]);
        } catch (e2) {
          ctx.server.log.warning(`Failed applying restored failed CONFIG SET command: ${errorText(e2)}`);
        }
      }
      errName = given[i];
      errStr = errorText(e);
      return fail();
    }
  }
  ctx.reply.ok();
}

function configResetStat(ctx: CommandContext): void {
  const s = ctx.server;
  const st = s.stats;
  st.numCommands = 0;
  st.numConnections = 0;
  st.rejectedConnections = 0;
  st.totalErrorReplies = 0;
  st.errorCodes.clear();
  st.netInputBytes = 0;
  st.netOutputBytes = 0;
  st.clientQbufLimitDisconnections = 0;
  st.clientObufLimitDisconnections = 0;
  const ks = s.ks.stats as unknown as Record<string, number>;
  for (const k of Object.keys(ks)) if (typeof ks[k] === 'number') ks[k] = 0;
  for (const c of s.commands.all()) {
    c.stats.calls = 0;
    c.stats.usec = 0;
    c.stats.rejectedCalls = 0;
    c.stats.failedCalls = 0;
  }
  ctx.reply.ok();
}

const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied', ENOENT: 'No such file or directory', EISDIR: 'Is a directory', EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device', EPERM: 'Operation not permitted', ENOTDIR: 'Not a directory', ENAMETOOLONG: 'File name too long',
};

function configRewrite(ctx: CommandContext): void {
  const s = ctx.server;
  const file = s.config.file;
  if (file === null) return ctx.reply.error('ERR The server is running without a config file');
  try {
    rewriteConfig(s.config, file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = (err.code && STRERROR[err.code]) || err.message;
    s.log.warning(`CONFIG REWRITE failed: ${why}`);
    return ctx.reply.error(`ERR Rewriting config file: ${why}`);
  }
  s.log.warning('CONFIG REWRITE executed with success.');
  ctx.reply.ok();
}

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

function configHelp(ctx: CommandContext): void {
  ctx.reply.array(HELP.length);
  for (const l of HELP) ctx.reply.simple(l);
}

export const CONFIG_COMMANDS: CommandDef[] = [
  { name: 'config|get', handler: configGet },
  { name: 'config|set', handler: configSet },
  { name: 'config|resetstat', handler: configResetStat },
  { name: 'config|rewrite', handler: configRewrite },
  { name: 'config|help', handler: configHelp },
];
