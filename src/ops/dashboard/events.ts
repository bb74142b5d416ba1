/**
 * The Sentinel event stream behind /api/events: a PSUBSCRIBE '*' connection
 * to every Sentinel it is told about, kept alive (a PING each second; a lost
 * link is reopened), so the timeline keeps going while Sentinels die and come
 * back. Every Sentinel publishes the same event (+sdown, +new-epoch,
 * +switch-master ...) for itself: messages with the same channel and text
 * arriving within a few seconds from different Sentinels are one entry, with
 * the list of Sentinels that reported it.
 */
import { OpsClient, formatAddr, type Addr } from '../ops-client.js';
import type { SentinelEvent } from './api-types.js';

/** Messages this far apart are separate events even when their text is the same. */
const MERGE_WINDOW_MS = 5000;
const KEEP_EVENTS = 1000;
const CHECK_EVERY_MS = 1000;

interface Subscription {
  addr: Addr;
  client: OpsClient | null;
  live: boolean;
  busy: boolean;
}

/** Same event, whoever saw it: +odown's "#quorum 2/3" is each Sentinel's own count. */
function mergeKey(channel: string, message: string): string {
  return `${channel} ${message.replace(/ #quorum \d+\/\d+$/, '')}`;
}

export class SentinelEventHub {
  private readonly subs = new Map<string, Subscription>();
  private readonly events: SentinelEvent[] = [];
  private readonly listeners = new Set<(e: SentinelEvent) => void>();
  private readonly timer: NodeJS.Timeout;
  private nextId = 1;
  private closed = false;

  constructor(sentinels: Addr[]) {
    this.watch(sentinels);
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  /** Adds Sentinels to listen to (ones already known are ignored). */
  watch(sentinels: Addr[]): void {
    for (const addr of sentinels) {
      const key = formatAddr(addr);
      if (this.subs.has(key) || this.closed) continue;
      const s: Subscription = { addr, client: null, live: false, busy: false };
      this.subs.set(key, s);
      void this.connect(s);
    }
  }

  /** Sentinels with a working subscription now. */
  listening(): string[] {
    return [...this.subs.entries()].filter(([, s]) => s.live).map(([k]) => k).sort();
  }

  /** Everything seen since the dashboard started, oldest first. */
  backlog(): SentinelEvent[] {
    return this.events.slice();
  }

  /** Calls `fn` for every new entry and every update of one; returns the unsubscribe function. */
  onEvent(fn: (e: SentinelEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    for (const s of this.subs.values()) s.client?.close();
    this.subs.clear();
    this.listeners.clear();
  }

  private async connect(s: Subscription): Promise<void> {
    s.busy = true;
    const c = new OpsClient(s.addr, { timeoutMs: 2000 });
    s.client = c;
    const from = formatAddr(s.addr);
    try {
      await c.subscribe('PSUBSCRIBE', ['*'], (channel, message) => this.record(from, channel, message));
      s.live = !this.closed;
    } catch {
      c.close();
      s.live = false;
    } finally {
      s.busy = false;
    }
  }

  /** Reopens lost subscriptions and finds dead ones: PING is allowed in subscribe mode and answered in order. */
  private check(): void {
    for (const s of this.subs.values()) {
      if (s.busy || this.closed) continue;
      if (!s.live || s.client === null) {
        void this.connect(s);
        continue;
      }
      const c = s.client;
      s.busy = true;
      c.raw(['PING'])
        .catch(() => {
          c.close();
          s.live = false;
        })
        .finally(() => {
          s.busy = false;
        });
    }
  }

  private record(sentinel: string, channel: string, message: string): void {
    // Hello messages are Sentinels' discovery chatter, not events (a Sentinel does not normally publish them on itself).
    if (channel === '__sentinel__:hello') return;
    const now = Date.now();
    const key = mergeKey(channel, message);
    for (let i = this.events.length - 1; i >= 0 && now - this.events[i].at <= MERGE_WINDOW_MS; i--) {
      const e = this.events[i];
      if (mergeKey(e.channel, e.message) === key && !e.sentinels.includes(sentinel)) {
        e.sentinels.push(sentinel);
        this.emit(e);
        return;
      }
    }
    const e: SentinelEvent = { id: this.nextId++, at: now, channel, message, sentinels: [sentinel] };
    this.events.push(e);
    if (this.events.length > KEEP_EVENTS) this.events.splice(0, this.events.length - KEEP_EVENTS);
    this.emit(e);
  }

  private emit(e: SentinelEvent): void {
    for (const fn of this.listeners) fn(e);
  }
}
