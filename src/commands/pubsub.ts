/**
 * Pub/Sub commands (pubsub.c, Redis 7.0): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
 * PUNSUBSCRIBE, PUBLISH, SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH and PUBSUB's
 * subcommands. The state and delivery live in pubsub/pubsub.ts; the RESP2
 * subscribed-context restriction is in dispatch/process-command.ts and PING's
 * subscribed form in connection.ts.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { subSyntax, replyHelp } from './client.js';

/** SUBSCRIBE channel [channel ...] */
function subscribe(ctx: CommandContext): void {
  const ps = ctx.server.pubsub;
  const argv = ctx.argv;
  for (let j = 1; j < argv.length; j++) ps.subscribe(ctx.client, 'channel', argv[j]);
}

/** UNSUBSCRIBE [channel ...] */
function unsubscribe(ctx: CommandContext): void {
  const ps = ctx.server.pubsub;
  const argv = ctx.argv;
  if (argv.length === 1) ps.unsubscribeAllOf(ctx.client, 'channel');
  else for (let j = 1; j < argv.length; j++) ps.unsubscribe(ctx.client, 'channel', argv[j]);
}

/** PSUBSCRIBE pattern [pattern ...] */
function psubscribe(ctx: CommandContext): void {
  const ps = ctx.server.pubsub;
  const argv = ctx.argv;
  for (let j = 1; j < argv.length; j++) ps.subscribe(ctx.client, 'pattern', argv[j]);
}

/** PUNSUBSCRIBE [pattern ...] */
function punsubscribe(ctx: CommandContext): void {
  const ps = ctx.server.pubsub;
  const argv = ctx.argv;
  if (argv.length === 1) ps.unsubscribeAllOf(ctx.client, 'pattern');
  else for (let j = 1; j < argv.length; j++) ps.unsubscribe(ctx.client, 'pattern', argv[j]);
}

/**
 * SSUBSCRIBE shardchannel [shardchannel ...]. Unlike SUBSCRIBE it is refused
 * inside EXEC (Redis's CLIENT_DENY_BLOCKING without the MULTI exemption): a
 * nested call() is what runs a queued command.
 */
function ssubscribe(ctx: CommandContext): void {
  if (ctx.ks.propagator.depth > 1) return ctx.reply.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  const ps = ctx.server.pubsub;
  const argv = ctx.argv;
  for (let j = 1; j < argv.length; j++) ps.subscribe(ctx.client, 'shard', argv[j]);
}

/** SUNSUBSCRIBE [shardchannel ...] */
function sunsubscribe(ctx: CommandContext): void {
  const ps = ctx.server.pubsub;
  const argv = ctx.argv;
  if (argv.length === 1) ps.unsubscribeAllOf(ctx.client, 'shard');
  else for (let j = 1; j < argv.length; j++) ps.unsubscribe(ctx.client, 'shard', argv[j]);
}

/** PUBLISH channel message */
function publish(ctx: CommandContext): void {
  const receivers = ctx.server.pubsub.publish(ctx.argv[1], ctx.argv[2]);
  // Redis relays PUBLISH to its replicas' subscribers: over the cluster bus in
  // cluster mode, in the replication stream (not the AOF) otherwise.
  const cluster = ctx.server.cluster;
  if (cluster) cluster.propagatePublish(false, ctx.argv[1], ctx.argv[2]);
  else ctx.client.forcePropagation = 'repl';
  ctx.reply.int(receivers);
}

/** SPUBLISH shardchannel message */
function spublish(ctx: CommandContext): void {
  const receivers = ctx.server.pubsub.publishShard(ctx.argv[1], ctx.argv[2]);
  ctx.server.cluster?.propagatePublish(true, ctx.argv[1], ctx.argv[2]);
  ctx.reply.int(receivers);
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

/** PUBSUB CHANNELS [pattern] / SHARDCHANNELS [pattern] */
function channelList(ctx: CommandContext, kind: 'channel' | 'shard'): void {
  const argv = ctx.argv;
  if (argv.length > 3) return ctx.reply.error(subSyntax(argv[1], 'PUBSUB'));
  const list = ctx.server.pubsub.channelList(kind, argv.length === 3 ? argv[2] : null);
  ctx.reply.array(list.length);
  for (const ch of list) ctx.reply.bulk(ch);
}

/** PUBSUB NUMSUB [channel ...] / SHARDNUMSUB [shardchannel ...] */
function numsub(ctx: CommandContext, kind: 'channel' | 'shard'): void {
  const argv = ctx.argv;
  const ps = ctx.server.pubsub;
  ctx.reply.array((argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) {
    ctx.reply.bulk(argv[j]);
    ctx.reply.int(ps.numSub(kind, argv[j]));
  }
}

export const PUBSUB_COMMANDS: CommandDef[] = [
  { name: 'subscribe', handler: subscribe },
  { name: 'unsubscribe', handler: unsubscribe },
  { name: 'psubscribe', handler: psubscribe },
  { name: 'punsubscribe', handler: punsubscribe },
  { name: 'ssubscribe', handler: ssubscribe },
  { name: 'sunsubscribe', handler: sunsubscribe },
  { name: 'publish', handler: publish },
  { name: 'spublish', handler: spublish },
  { name: 'pubsub|channels', handler: (ctx) => channelList(ctx, 'channel') },
  { name: 'pubsub|shardchannels', handler: (ctx) => channelList(ctx, 'shard') },
  { name: 'pubsub|numsub', handler: (ctx) => numsub(ctx, 'channel') },
  { name: 'pubsub|shardnumsub', handler: (ctx) => numsub(ctx, 'shard') },
  { name: 'pubsub|numpat', handler: (ctx) => ctx.reply.int(ctx.server.pubsub.patterns.size) },
  { name: 'pubsub|help', handler: (ctx) => replyHelp(ctx, PUBSUB_HELP) },
];
