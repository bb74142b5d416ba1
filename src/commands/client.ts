/**
 * CLIENT and its subcommands (networking.c clientCommand, Redis 7.0.15):
 * ID, INFO, LIST, SETNAME, GETNAME, KILL, PAUSE/UNPAUSE, REPLY, NO-EVICT,
 * UNBLOCK, TRACKING, CACHING, GETREDIR, TRACKINGINFO (client-side caching
 * itself lives in tracking/tracking.ts) and HELP.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import { PAUSE_ALL, PAUSE_WRITE } from '../server.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { validClientName } from './connection.js';
import { eqi } from './helpers.js';
import { trackingOf } from '../tracking/tracking.js';

type ClientType = 'normal' | 'replica' | 'pubsub' | 'master';

/** getClientTypeByName */
function clientTypeByName(name: string): ClientType | null {
  const n = name.toLowerCase();
  if (n === 'normal') return 'normal';
  if (n === 'slave' || n === 'replica') return 'replica';
  if (n === 'pubsub') return 'pubsub';
  if (n === 'master') return 'master';
  return null;
}

/** Optional pub/sub counters, present once the pub/sub family adds them to Client. */
interface PubsubCounts {
  subscriptionCount?: () => number;
  patternCount?: () => number;
  shardCount?: () => number;
}

function subCounts(c: Client): [number, number, number] {
  const p = c as unknown as PubsubCounts;
  return [p.subscriptionCount?.() ?? 0, p.patternCount?.() ?? 0, p.shardCount?.() ?? 0];
}

/** getClientType: monitors count as normal clients (they are flagged S|O in Redis). */
function clientType(c: Client): ClientType {
  if (c.isMaster) return 'master';
  if (c.replicaInfo !== null) return 'replica';
  const [sub, psub, ssub] = subCounts(c);
  if (sub + psub + ssub > 0) return 'pubsub';
  return 'normal';
}

function fdOf(c: Client): number {
  const h = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

function argvLen(argv: string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

/** catClientInfoString: one CLIENT LIST line, fields in 7.0.15's order. */
export function clientInfoString(c: Client, self: Client | null): string {
  const now = Date.now();
  const [sub, psub, ssub] = subCounts(c);
  let flags = '';
  if (c.monitor) flags += 'O';
  if (c.isMaster) flags += 'M';
  if (c.replicaInfo !== null) flags += 'S';
  if (sub + psub + ssub > 0) flags += 'P';
  if (c.multi !== null) flags += 'x';
  if (c.pausedArgv !== null || c.blocked !== null) flags += 'b';
  const t = c.tracking;
  if (t !== null) flags += 't';
  if (t !== null && t.brokenRedir) flags += 'R';
  if (t !== null && t.bcast) flags += 'B';
  if (c.dirtyCas) flags += 'd';
  if (c.closeAfterReply) flags += 'c';
  if (c.noEvict) flags += 'e';
  if (flags === '') flags = 'N';
  const running = c === self;
  const argvMem = running ? argvLen(c.argv) : c.pausedArgv !== null ? argvLen(c.pausedArgv) : 0;
  let multiMem = 0;
  if (c.multi !== null) for (const q of c.multi.queue) multiMem += argvLen(q.argv) + q.argv.length * 8;
  const qbuf = c.parser.pending;
  const obl = c.reply.length;
  const omem = c.outputBacklog();
  const totMem = qbuf + argvMem + multiMem + obl + omem;
  const events = omem > 0 ? 'rw' : 'r';
  const cmd = running ? c.cmd : c.pausedArgv !== null ? c.server.commands.lookup(c.pausedArgv[0]) ?? c.lastCommand : c.lastCommand;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${fdOf(c)} name=${c.name}` +
    ` age=${Math.floor((now - c.createdAt) / 1000)} idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${flags}` +
    ` db=${c.db.id} sub=${sub} psub=${psub} ssub=${ssub} multi=${c.multi !== null ? c.multi.queue.length : -1}` +
    ` qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} multi-mem=${multiMem} rbs=16384 rbp=${obl}` +
    ` obl=${obl} oll=0 omem=${omem} tot-mem=${totMem} events=${events} cmd=${cmd ? cmd.fullname : 'NULL'}` +
    ` user=${c.user} redir=${t !== null ? t.redirect : -1} resp=${c.reply.resp}`
  );
}

function id(ctx: CommandContext): void {
  ctx.reply.int(ctx.client.id);
}

function info(ctx: CommandContext): void {
  ctx.reply.verbatim(clientInfoString(ctx.client, ctx.client) + '\n');
}

function lookupClient(server: Server, s: string): Client | undefined {
  const n = parseInt64(s);
  return n === null ? undefined : server.clients.get(Number(n));
}

/** CLIENT LIST [TYPE type] [ID id ...] */
function list(ctx: CommandContext): void {
  const argv = ctx.argv;
  const self = ctx.client;
  let out = '';
  if (argv.length === 4 && eqi(argv[2], 'type')) {
    const type = clientTypeByName(argv[3]);
    if (type === null) return ctx.reply.error(`ERR Unknown client type '${argv[3]}'`);
    for (const c of ctx.server.clients.values()) if (clientType(c) === type) out += clientInfoString(c, self) + '\n';
  } else if (argv.length > 3 && eqi(argv[2], 'id')) {
    for (let j = 3; j < argv.length; j++) {
      if (parseInt64(argv[j]) === null) return ctx.reply.error('ERR Invalid client ID');
      const c = lookupClient(ctx.server, argv[j]);
      if (c) out += clientInfoString(c, self) + '\n';
    }
  } else if (argv.length !== 2) {
    return ctx.reply.error(ERR.syntax);
  } else {
    for (const c of ctx.server.clients.values()) out += clientInfoString(c, self) + '\n';
  }
  ctx.reply.verbatim(out);
}

function setname(ctx: CommandContext): void {
  const name = ctx.argv[2];
  if (!validClientName(name)) return ctx.reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
  ctx.client.name = name;
  ctx.reply.ok();
}

function getname(ctx: CommandContext): void {
  const n = ctx.client.name;
  if (n === '') ctx.reply.nil();
  else ctx.reply.bulk(n);
}

/** CLIENT KILL addr | CLIENT KILL [ID id] [TYPE type] [ADDR addr] [LADDR addr] [USER user] [SKIPME yes|no] ... */
function kill(ctx: CommandContext): void {
  const argv = ctx.argv;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let type: ClientType | null = null;
  let cid = 0;
  let skipme = true;
  if (argv.length === 3) {
    addr = argv[2];
    skipme = false; // the old form may kill the caller
  } else if (argv.length > 3) {
    for (let i = 2; i < argv.length; i += 2) {
      const more = argv.length > i + 1;
      const opt = argv[i].toLowerCase();
      if (opt === 'id' && more) {
        const n = parseInt64(argv[i + 1]);
        if (n === null || n < 1n || (typeof n === 'bigint' ? n > 9223372036854775807n : false)) {
          return ctx.reply.error('ERR client-id should be greater than 0');
        }
        cid = Number(n);
      } else if (opt === 'type' && more) {
        type = clientTypeByName(argv[i + 1]);
        if (type === null) return ctx.reply.error(`ERR Unknown client type '${argv[i + 1]}'`);
      } else if (opt === 'addr' && more) {
        addr = argv[i + 1];
      } else if (opt === 'laddr' && more) {
        laddr = argv[i + 1];
      } else if (opt === 'user' && more) {
        // Only the default user exists until ACL users arrive.
        if (argv[i + 1] !== 'default') return ctx.reply.error(`ERR No such user '${argv[i + 1]}'`);
        user = argv[i + 1];
      } else if (opt === 'skipme' && more) {
        const v = argv[i + 1].toLowerCase();
        if (v === 'yes') skipme = true;
        else if (v === 'no') skipme = false;
        else return ctx.reply.error(ERR.syntax);
      } else {
        return ctx.reply.error(ERR.syntax);
      }
    }
  } else {
    return ctx.reply.error(ERR.syntax);
  }
  const self = ctx.client;
  let killed = 0;
  let closeSelf = false;
  for (const c of [...ctx.server.clients.values()]) {
    if (addr !== null && c.addr !== addr) continue;
    if (laddr !== null && c.laddr !== laddr) continue;
    if (type !== null && clientType(c) !== type) continue;
    if (cid !== 0 && c.id !== cid) continue;
    if (user !== null && c.user !== user) continue;
    if (c === self && skipme) continue;
    if (c === self) closeSelf = true;
    else c.close();
    killed++;
  }
  if (argv.length === 3) {
    if (killed === 0) ctx.reply.error('ERR No such client');
    else ctx.reply.ok();
  } else {
    ctx.reply.int(killed);
  }
  if (closeSelf) self.closeAfterReply = true;
}

/** CLIENT PAUSE timeout [WRITE|ALL] */
function pause(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length > 4) return ctx.reply.error(subSyntax(argv[1], 'CLIENT'));
  let type: 1 | 2 = PAUSE_ALL;
  if (argv.length === 4) {
    const m = argv[3].toLowerCase();
    if (m === 'write') type = PAUSE_WRITE;
    else if (m === 'all') type = PAUSE_ALL;
    else return ctx.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const t = parseInt64(argv[2]);
  if (t === null) return ctx.reply.error('ERR timeout is not an integer or out of range');
  if (t < 0) return ctx.reply.error('ERR timeout is negative');
  const now = Date.now();
  if (t > 0 && BigInt(t) > 9223372036854775807n - BigInt(now)) return ctx.reply.error('ERR timeout is out of range');
  const end = t > 0 ? now + Number(t) : 0;
  ctx.server.pauseClients(type, end);
  ctx.reply.ok();
}

function unpause(ctx: CommandContext): void {
  ctx.server.unpauseClients();
  ctx.reply.ok();
}

/** CLIENT REPLY ON|OFF|SKIP; server.processInput drops the replies. */
function reply(ctx: CommandContext): void {
  const c = ctx.client;
  const m = ctx.argv[2].toLowerCase();
  if (m === 'on') {
    c.replyMode = 'on';
    c.replySkipNext = false;
    ctx.reply.ok();
  } else if (m === 'off') {
    c.replyMode = 'off';
  } else if (m === 'skip') {
    if (c.replyMode !== 'off') c.replySkipNext = true;
  } else {
    ctx.reply.error(ERR.syntax);
  }
}

function noEvict(ctx: CommandContext): void {
  const m = ctx.argv[2].toLowerCase();
  if (m === 'on') ctx.client.noEvict = true;
  else if (m === 'off') ctx.client.noEvict = false;
  else return ctx.reply.error(ERR.syntax);
  ctx.reply.ok();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: a client blocked on keys answers as on timeout, or -UNBLOCKED. */
function unblock(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length > 4) return ctx.reply.error(subSyntax(argv[1], 'CLIENT'));
  let error = false;
  if (argv.length === 4) {
    const r = argv[3].toLowerCase();
    if (r !== 'timeout' && r !== 'error') return ctx.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
    error = r === 'error';
  }
  const id = parseInt64(argv[2]);
  if (id === null) return ctx.reply.error(ERR.notInteger);
  const target = ctx.server.clients.get(Number(id));
  ctx.reply.int(target !== undefined && ctx.server.blocking.unblockByRequest(target, error) ? 1 : 0);
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP] */
function tracking(ctx: CommandContext): void {
  const argv = ctx.argv;
  const c = ctx.client;
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j > 0;
    const o = argv[j].toLowerCase();
    if (o === 'redirect' && more) {
      j++;
      if (redirect !== 0) return ctx.reply.error('ERR A client can only redirect to a single other client');
      const id = parseInt64(argv[j]);
      if (id === null) return ctx.reply.error(ERR.notInteger);
      // The client must exist now, even though it may go away later.
      if (ctx.server.clients.get(Number(id)) === undefined || id <= 0) {
        return ctx.reply.error('ERR The client ID you want redirect to does not exist');
      }
      redirect = Number(id);
    } else if (o === 'bcast') {
      bcast = true;
    } else if (o === 'optin') {
      optin = true;
    } else if (o === 'optout') {
      optout = true;
    } else if (o === 'noloop') {
      noloop = true;
    } else if (o === 'prefix' && more) {
      prefixes.push(argv[++j]);
    } else {
      return ctx.reply.error(ERR.syntax);
    }
  }
  const mode = argv[2].toLowerCase();
  const t = c.tracking;
  if (mode === 'on') {
    if (!bcast && prefixes.length !== 0) return ctx.reply.error('ERR PREFIX option requires BCAST mode to be enabled');
    if (t !== null && t.bcast !== bcast) {
      return ctx.reply.error('ERR You can\'t switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.');
    }
    if (bcast && (optin || optout)) return ctx.reply.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
    if (optin && optout) return ctx.reply.error('ERR You can\'t specify both OPTIN mode and OPTOUT mode');
    if (t !== null && ((optin && t.optout) || (optout && t.optin))) {
      return ctx.reply.error('ERR You can\'t switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.');
    }
    const hub = trackingOf(ctx.server);
    if (bcast) {
      const err = hub.prefixCollision(c, prefixes);
      if (err !== null) return ctx.reply.error(err);
    }
    hub.enable(c, { redirect, bcast, optin, optout, noloop, prefixes });
  } else if (mode === 'off') {
    if (t !== null) t.hub.disable(c);
  } else {
    return ctx.reply.error(ERR.syntax);
  }
  ctx.reply.ok();
}

/** CLIENT CACHING YES|NO: OPTIN/OPTOUT exception for the next command or transaction. */
function caching(ctx: CommandContext): void {
  const t = ctx.client.tracking;
  if (t === null) {
    return ctx.reply.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  }
  const o = ctx.argv[2].toLowerCase();
  if (o === 'yes') {
    if (!t.optin) return ctx.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (o === 'no') {
    if (!t.optout) return ctx.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    return ctx.reply.error(ERR.syntax);
  }
  t.caching = true;
  ctx.reply.ok();
}

function getredir(ctx: CommandContext): void {
  const t = ctx.client.tracking;
  ctx.reply.int(t !== null ? t.redirect : -1);
}

function trackinginfo(ctx: CommandContext): void {
  const r = ctx.reply;
  const t = ctx.client.tracking;
  const flags = [t !== null ? 'on' : 'off'];
  if (t !== null) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin');
    if (t.optin && t.caching) flags.push('caching-yes');
    if (t.optout) flags.push('optout');
    if (t.optout && t.caching) flags.push('caching-no');
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedir) flags.push('broken_redirect');
  }
  r.map(3);
  r.bulk('flags');
  r.set(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('redirect');
  r.int(t !== null ? t.redirect : -1);
  r.bulk('prefixes');
  const prefixes = t?.prefixes ? [...t.prefixes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  r.array(prefixes.length);
  for (const p of prefixes) r.bulk(p);
}

/** addReplySubcommandSyntaxError */
export function subSyntax(sub: string, cmd: string): string {
  return `ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. Try ${cmd} HELP.`;
}

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
];

export function replyHelp(ctx: CommandContext, lines: readonly string[]): void {
  ctx.reply.array(lines.length);
  for (const l of lines) ctx.reply.simple(l);
}

export const CLIENT_COMMANDS: CommandDef[] = [
  { name: 'client|id', handler: id },
  { name: 'client|info', handler: info },
  { name: 'client|list', handler: list },
  { name: 'client|setname', handler: setname },
  { name: 'client|getname', handler: getname },
  { name: 'client|kill', handler: kill },
  { name: 'client|pause', handler: pause },
  { name: 'client|unpause', handler: unpause },
  { name: 'client|reply', handler: reply },
  { name: 'client|no-evict', handler: noEvict },
  { name: 'client|unblock', handler: unblock },
  { name: 'client|tracking', handler: tracking },
  { name: 'client|caching', handler: caching },
  { name: 'client|getredir', handler: getredir },
  { name: 'client|trackinginfo', handler: trackinginfo },
  { name: 'client|help', handler: (ctx) => replyHelp(ctx, HELP) },
];
