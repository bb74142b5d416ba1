/**
 * COMMAND and its subcommands, answered from the command table: what a real
 * Redis 7.0 says about every command Reddish implements, and nothing about
 * the ones it does not.
 */
import type { CommandContext, CommandDef, CommandSpec } from '../dispatch/command-spec.js';
import { writeTree } from '../dispatch/command-table.js';
import { globMatch } from '../util/glob.js';
import { getKeysFromCommand } from '../dispatch/key-extraction.js';

function command(ctx: CommandContext): void {
  const cmds = ctx.server.commands.commands;
  ctx.reply.array(cmds.length);
  for (const c of cmds) writeTree(ctx.reply, c.info);
}

function count(ctx: CommandContext): void {
  ctx.reply.int(ctx.server.commands.commands.length);
}

function info(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length === 2) return command(ctx);
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const c = ctx.server.commands.lookupFull(argv[i]);
    if (c) writeTree(ctx.reply, c.info);
    else ctx.reply.nil();
  }
}

function docs(ctx: CommandContext): void {
  const argv = ctx.argv;
  const table = ctx.server.commands;
  const found: CommandSpec[] = [];
  if (argv.length === 2) found.push(...table.commands);
  else for (let i = 2; i < argv.length; i++) {
    const c = table.lookupFull(argv[i]);
    if (c) found.push(c);
  }
  ctx.reply.map(found.length);
  for (const c of found) {
    ctx.reply.bulk(c.fullname);
    writeTree(ctx.reply, c.docs);
  }
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] */
function list(ctx: CommandContext): void {
  const argv = ctx.argv;
  let filter: ((c: CommandSpec) => boolean) | null = null;
  if (argv.length === 5 && argv[2].toLowerCase() === 'filterby') {
    const kind = argv[3].toLowerCase();
    const arg = argv[4];
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') filter = (c) => c.acl.includes(arg.toLowerCase());
    else if (kind === 'pattern') filter = (c) => globMatch(arg, c.fullname, true);
  }
  if (argv.length !== 2 && filter === null) return ctx.reply.error('ERR syntax error');
  const names: string[] = [];
  for (const c of ctx.server.commands.all()) if (filter === null || filter(c)) names.push(c.fullname);
  ctx.reply.array(names.length);
  for (const n of names) ctx.reply.bulk(n);
}

function getkeys(ctx: CommandContext): void {
  const r = getKeysFromCommand(ctx.server.commands, ctx.argv.slice(2));
  if (typeof r === 'string') return ctx.reply.error(r);
  ctx.reply.array(r.length);
  for (const k of r) ctx.reply.bulk(k.key);
}

function getkeysandflags(ctx: CommandContext): void {
  const r = getKeysFromCommand(ctx.server.commands, ctx.argv.slice(2));
  if (typeof r === 'string') return ctx.reply.error(r);
  ctx.reply.array(r.length);
  for (const k of r) {
    ctx.reply.array(2);
    ctx.reply.bulk(k.key);
    ctx.reply.set(k.flags.length);
    for (const f of k.flags) ctx.reply.simple(f);
  }
}

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

function help(ctx: CommandContext): void {
  ctx.reply.array(HELP.length);
  for (const l of HELP) ctx.reply.simple(l);
}

export const COMMAND_COMMANDS: CommandDef[] = [
  { name: 'command', handler: command },
  { name: 'command|count', handler: count },
  { name: 'command|info', handler: info },
  { name: 'command|docs', handler: docs },
  { name: 'command|list', handler: list },
  { name: 'command|getkeys', handler: getkeys },
  { name: 'command|getkeysandflags', handler: getkeysandflags },
  { name: 'command|help', handler: help },
];
