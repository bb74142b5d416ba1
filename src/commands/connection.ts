/**
 * Connection commands: PING, ECHO, QUIT, RESET, SELECT, SWAPDB, AUTH, HELLO.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { eqi } from './helpers.js';

/** PING [message] */
function ping(ctx: CommandContext): void {
  if (ctx.argv.length > 2) return ctx.reply.error(ERR.wrongArity('ping'));
  if (ctx.client.subs !== null && ctx.reply.resp === 2) {
    // A RESP2 subscriber gets PING's answer in the shape of a message.
    ctx.reply.raw('*2\r\n$4\r\npong\r\n');
    return ctx.reply.bulk(ctx.argv.length === 1 ? '' : ctx.argv[1]);
  }
  if (ctx.argv.length === 1) ctx.reply.raw('+PONG\r\n');
  else ctx.reply.bulk(ctx.argv[1]);
}

/** ECHO message */
function echo(ctx: CommandContext): void {
  ctx.reply.bulk(ctx.argv[1]);
}

/** QUIT: replies OK, then the connection closes once the reply is written. */
function quit(ctx: CommandContext): void {
  ctx.reply.ok();
  ctx.client.closeAfterReply = true;
}

function dbIndex(ctx: CommandContext, s: string, notInt: string): number | null {
  const n = parseInt64(s);
  if (n === null || typeof n !== 'number' || n < -2147483648 || n > 2147483647) {
    ctx.reply.error(notInt);
    return null;
  }
  if (n < 0 || n >= ctx.ks.dbs.length) {
    ctx.reply.error(ERR.selectDbRange);
    return null;
  }
  return n;
}

/** SELECT index */
function select(ctx: CommandContext): void {
  // Cluster mode has db 0 only (said once the index parses, before its range is checked).
  if (ctx.server.cluster !== null) {
    const n = parseInt64(ctx.argv[1]);
    if (typeof n === 'number' && n !== 0 && n >= -2147483648 && n <= 2147483647) return ctx.reply.error('ERR SELECT is not allowed in cluster mode');
  }
  const id = dbIndex(ctx, ctx.argv[1], ERR.notInteger);
  if (id === null) return;
  ctx.db = ctx.ks.dbs[id];
  ctx.reply.ok();
}

/** SWAPDB index1 index2 */
function swapdb(ctx: CommandContext): void {
  if (ctx.server.cluster !== null) return ctx.reply.error('ERR SWAPDB is not allowed in cluster mode');
  const a = dbIndex(ctx, ctx.argv[1], 'ERR invalid first DB index');
  if (a === null) return;
  const b = dbIndex(ctx, ctx.argv[2], 'ERR invalid second DB index');
  if (b === null) return;
  const dbs = ctx.ks.dbs;
  if (a !== b) {
    ctx.server.watchers.touchDb(dbs[a]);
    ctx.server.watchers.touchDb(dbs[b]);
    ctx.ks.swapDb(dbs[a], dbs[b]);
  } else {
    ctx.ks.dirty++;
  }
  ctx.reply.ok();
}

/** Checks credentials against requirepass (the default user); ACL users come with the ACL issue. */
function checkPassword(ctx: CommandContext, user: string, pass: string): boolean {
  const required = ctx.server.config.get('requirepass');
  if (user !== 'default') return false;
  return required === '' || pass === required;
}

/** AUTH [username] password */
function auth(ctx: CommandContext): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(ERR.syntax);
  if (argv.length === 2 && ctx.server.config.get('requirepass') === '') return ctx.reply.error(ERR.noPasswordSet);
  const user = argv.length === 3 ? argv[1] : 'default';
  const pass = argv[argv.length - 1];
  if (checkPassword(ctx, user, pass)) {
    ctx.client.setAuthenticated(true);
    ctx.client.user = user;
    ctx.reply.ok();
  } else {
    ctx.reply.error(ERR.wrongPass);
  }
}

/** Client names: printable ASCII, no spaces (CLIENT SETNAME's rule). */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function hello(ctx: CommandContext): void {
  const argv = ctx.argv;
  const c = ctx.client;
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const n = parseInt64(argv[1]);
    if (n === null) return ctx.reply.error('ERR Protocol version is not an integer or out of range');
    next = 2;
    if (n < 2 || n > 3) return ctx.reply.error(ERR.protoVersion);
    ver = Number(n);
  }
  let user: string | null = null;
  let pass = '';
  let name: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (eqi(argv[j], 'auth') && more >= 2) {
      user = argv[j + 1];
      pass = argv[j + 2];
      j += 2;
    } else if (eqi(argv[j], 'setname') && more >= 1) {
      name = argv[j + 1];
      j += 1;
    } else {
      return ctx.reply.error(`ERR Syntax error in HELLO option '${argv[j]}'`);
    }
  }
  if (user !== null) {
    if (!checkPassword(ctx, user, pass)) return ctx.reply.error(ERR.wrongPass);
    c.setAuthenticated(true);
    c.user = user;
  }
  if (!c.authenticated) {
    return ctx.reply.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) {
    if (!validClientName(name)) return ctx.reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
    c.name = name;
  }
  if (ver !== 0) c.reply.resp = ver as 2 | 3;
  const r = ctx.reply;
  // A Sentinel has no role field (redis-sentinel's HELLO reply has six).
  const sentinel = ctx.server.sentinel !== null;
  r.map(sentinel ? 6 : 7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk('7.0.15');
  r.bulk('proto');
  r.int(r.resp);
  r.bulk('id');
  r.int(c.id);
  r.bulk('mode');
  r.bulk(sentinel ? 'sentinel' : 'standalone');
  if (!sentinel) {
    r.bulk('role');
    r.bulk(ctx.ks.isReplica ? 'replica' : 'master');
  }
  r.bulk('modules');
  r.array(0);
}

/** RESET: back to a fresh connection's state. */
function reset(ctx: CommandContext): void {
  const c = ctx.client;
  c.multi = null;
  c.unwatchAll();
  c.dirtyCas = false;
  c.db = ctx.ks.dbs[0];
  c.reply.resp = 2;
  c.name = '';
  c.replyMode = 'on';
  c.replySkipNext = false;
  c.noEvict = false;
  c.noTouch = false;
  if (c.monitor) {
    c.monitor = false;
    ctx.server.monitors.delete(c);
  }
  if (c.subs !== null) ctx.server.pubsub.unsubscribeAll(c);
  if (c.tracking !== null) c.tracking.hub.disable(c);
  c.setAuthenticated(!ctx.server.authRequired());
  c.user = 'default';
  ctx.reply.simple('RESET');
}

export const CONNECTION_COMMANDS: CommandDef[] = [
  { name: 'ping', handler: ping },
  { name: 'echo', handler: echo },
  { name: 'quit', handler: quit },
  { name: 'select', handler: select },
  { name: 'swapdb', handler: swapdb },
  { name: 'auth', handler: auth },
  { name: 'hello', handler: hello },
  { name: 'reset', handler: reset },
];
