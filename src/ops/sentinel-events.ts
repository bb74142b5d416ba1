/**
 * The Sentinels' event stream (+sdown, +odown, +switch-master, ...) with
 * arrival times: PSUBSCRIBE * on each Sentinel that answers, since some
 * events (+elected-leader, +promoted-slave) come only from the leader.
 */
import { OpsClient, formatAddr, type Addr } from './ops-client.js';

export interface SentinelEvent {
  /** Date.now() at arrival. */
  at: number;
  sentinel: string;
  channel: string;
  message: string;
}

export interface EventWatch {
  events: SentinelEvent[];
  /** The Sentinels actually subscribed to. */
  watching: string[];
  close(): void;
}

export async function watchSentinelEvents(sentinels: Addr[]): Promise<EventWatch> {
  const events: SentinelEvent[] = [];
  const clients: OpsClient[] = [];
  const watching: string[] = [];
  await Promise.all(sentinels.map(async (s) => {
    const c = new OpsClient(s, { timeoutMs: 2000 });
    try {
      await c.subscribe('PSUBSCRIBE', ['*'], (channel, message) => {
        events.push({ at: Date.now(), sentinel: formatAddr(s), channel, message });
      });
      clients.push(c);
      watching.push(formatAddr(s));
    } catch {
      c.close(); // an unreachable Sentinel: the others still report
    }
  }));
  return {
    events,
    watching,
    close: () => clients.forEach((c) => c.close()),
  };
}
