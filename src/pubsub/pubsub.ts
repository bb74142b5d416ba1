/**
 * Pub/Sub state (pubsub.c): which clients listen to which channels, patterns
 * and shard channels, and message delivery.
 *
 * Server side, each channel / pattern / shard channel maps to its subscribers
 * in subscription order (a Set keeps insertion order, as Redis's client lists
 * do: a client that unsubscribes and subscribes again moves to the tail).
 * Client side, `client.subs` holds the client's own subscriptions (null when it
 * has none, which is Redis's CLIENT_PUBSUB flag being off); its pattern set is
 * in subscription order, like Redis's pattern list.
 *
 * Delivery writes the message into each subscriber's reply buffer as a RESP2
 * array or a RESP3 push, then schedules a flush at the end of the current
 * event-loop task (the publisher's read event, a cron tick), so subscribers
 * get their bytes without having sent a command and a burst of publishes
 * costs each subscriber one write.
 *
 * Used by the pub/sub commands, keyspace notifications and Sentinel.
 */
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import { globMatch } from '../util/glob.js';

export interface ClientSubs {
  channels: Set<string>;
  /** In subscription order (Redis keeps a list). */
  patterns: Set<string>;
  shard: Set<string>;
}

/** The three kinds, as Redis's pubsubtype: messages' names and what the count counts. */
export type SubKind = 'channel' | 'pattern' | 'shard';

const SUBSCRIBE_MSG: Record<SubKind, string> = { channel: 'subscribe', pattern: 'psubscribe', shard: 'ssubscribe' };
const UNSUBSCRIBE_MSG: Record<SubKind, string> = { channel: 'unsubscribe', pattern: 'punsubscribe', shard: 'sunsubscribe' };

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  /** Subscribers with bytes waiting for the end-of-task flush. */
  private readonly pending = new Set<Client>();
  private scheduled = false;

  constructor(private readonly server: Server) {}

  // ---- counts --------------------------------------------------------------

  /** clientSubscriptionsCount: channels + patterns (what (P)SUBSCRIBE replies count). */
  static subscriptionCount(c: Client): number {
    const s = c.subs;
    return s === null ? 0 : s.channels.size + s.patterns.size;
  }

  static shardCount(c: Client): number {
    return c.subs === null ? 0 : c.subs.shard.size;
  }

  private static countFor(c: Client, kind: SubKind): number {
    return kind === 'shard' ? PubSub.shardCount(c) : PubSub.subscriptionCount(c);
  }

  private mapFor(kind: SubKind): Map<string, Set<Client>> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }

  private static setFor(s: ClientSubs, kind: SubKind): Set<string> {
    return kind === 'channel' ? s.channels : kind === 'pattern' ? s.patterns : s.shard;
  }

  // ---- subscribe / unsubscribe --------------------------------------------

  /** pubsubSubscribeChannel / pubsubSubscribePattern: replies with the confirmation (always, even if already subscribed). */
  subscribe(c: Client, kind: SubKind, name: string, notify = true): void {
    if (c.subs === null) c.subs = { channels: new Set(), patterns: new Set(), shard: new Set() };
    const own = PubSub.setFor(c.subs, kind);
    if (!own.has(name)) {
      own.add(name);
      const map = this.mapFor(kind);
      let clients = map.get(name);
      if (clients === undefined) map.set(name, (clients = new Set()));
      clients.add(c);
    }
    if (notify) this.confirm(c, SUBSCRIBE_MSG[kind], name, PubSub.countFor(c, kind));
  }

  /** pubsubUnsubscribeChannel / Pattern: true if the client was subscribed. Replies when notify. */
  unsubscribe(c: Client, kind: SubKind, name: string, notify = true): boolean {
    let removed = false;
    if (c.subs !== null && PubSub.setFor(c.subs, kind).delete(name)) {
      removed = true;
      const map = this.mapFor(kind);
      const clients = map.get(name);
      if (clients !== undefined) {
        clients.delete(c);
        if (clients.size === 0) map.delete(name);
      }
    }
    if (notify) this.confirm(c, UNSUBSCRIBE_MSG[kind], name, PubSub.countFor(c, kind));
    this.dropIfEmpty(c);
    return removed;
  }

  /**
   * pubsubUnsubscribeAll{Channels,Patterns} / ShardAllChannels: one reply per
   * subscription, or the `<unsubscribe> nil <count>` reply when there was none.
   */
  unsubscribeAllOf(c: Client, kind: SubKind, notify = true): number {
    let n = 0;
    if (c.subs !== null) {
      for (const name of [...PubSub.setFor(c.subs, kind)]) {
        this.unsubscribe(c, kind, name, notify);
        n++;
        if (c.subs === null) break;
      }
    }
    if (notify && n === 0) this.confirm(c, UNSUBSCRIBE_MSG[kind], null, PubSub.countFor(c, kind));
    return n;
  }

  /** Disconnect and RESET: every subscription silently dropped. */
  unsubscribeAll(c: Client): void {
    if (c.subs === null) return;
    this.unsubscribeAllOf(c, 'channel', false);
    this.unsubscribeAllOf(c, 'shard', false);
    this.unsubscribeAllOf(c, 'pattern', false);
    c.subs = null;
    this.pending.delete(c);
  }

  /** CLIENT_PUBSUB goes off once the client has no subscription of any kind. */
  private dropIfEmpty(c: Client): void {
    const s = c.subs;
    if (s !== null && s.channels.size === 0 && s.patterns.size === 0 && s.shard.size === 0) c.subs = null;
  }

  /** addReplyPubsubSubscribed / Unsubscribed: [kind, name-or-nil, count]. */
  private confirm(c: Client, what: string, name: string | null, count: number): void {
    const r = c.reply;
    r.push(3);
    r.bulk(what);
    if (name === null) r.nil();
    else r.bulk(name);
    r.int(count);
  }

  // ---- publish -------------------------------------------------------------

  /** pubsubPublishMessage: channel subscribers, then every matching pattern's; returns the receivers. */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const clients = this.channels.get(channel);
    if (clients !== undefined) receivers += this.deliver(clients, 'message', null, channel, message);
    if (this.patterns.size !== 0) {
      for (const [pattern, pclients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        receivers += this.deliver(pclients, 'pmessage', pattern, channel, message);
      }
    }
    return receivers;
  }

  /** SPUBLISH: shard channels ignore patterns. */
  publishShard(channel: string, message: string): number {
    const clients = this.shardChannels.get(channel);
    return clients === undefined ? 0 : this.deliver(clients, 'smessage', null, channel, message);
  }

  private deliver(clients: Set<Client>, kind: string, pattern: string | null, channel: string, message: string): number {
    const n = pattern === null ? 3 : 4;
    const body = bulk(kind) + (pattern === null ? '' : bulk(pattern)) + bulk(channel) + bulk(message);
    let count = 0;
    for (const c of clients) {
      c.reply.raw((c.reply.resp === 2 ? '*' : '>') + n + '\r\n' + body);
      count++;
      this.scheduleFlush(c);
    }
    return count;
  }

  private scheduleFlush(c: Client): void {
    this.pending.add(c);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flushPending());
  }

  /** Writes what subscribers were sent during the task that just ran. */
  private flushPending(): void {
    this.scheduled = false;
    const stats = this.server.stats;
    for (const c of this.pending) {
      if (c.closed) continue;
      stats.netOutputBytes += c.reply.length;
      c.flush();
    }
    this.pending.clear();
  }

  // ---- introspection -------------------------------------------------------

  /** PUBSUB CHANNELS / SHARDCHANNELS. */
  channelList(kind: 'channel' | 'shard', pattern: string | null): string[] {
    const out: string[] = [];
    for (const ch of this.mapFor(kind).keys()) if (pattern === null || globMatch(pattern, ch)) out.push(ch);
    return out;
  }

  numSub(kind: 'channel' | 'shard', channel: string): number {
    return this.mapFor(kind).get(channel)?.size ?? 0;
  }
}
