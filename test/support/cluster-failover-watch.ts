/**
 * Timing a cluster failover from the outside, as an operator would see it:
 * after a master is killed, poll CLUSTER NODES / CLUSTER INFO on the
 * survivors (over one connection each, every POLL_MS) and note when
 *   - the replica calls itself a master serving the dead master's slots,
 *   - every survivor agrees on that,
 *   - every survivor says cluster_state:ok again.
 * Works against Reddish and redis-server alike.
 */
import { RawClient } from './raw-client.js';
import { bulkText, type NodeLine } from './cluster-nodes.js';

const POLL_MS = 50;

export interface FailoverTimes {
  /** ms from the kill to the replica's own view of itself as master of the slots. */
  promotedMs: number;
  /** ms from the kill until every survivor sees the replica as that master. */
  agreedMs: number;
  /** ms from the kill until every survivor reports cluster_state:ok (after the promotion). */
  okMs: number;
}

function parseNodes(text: string): NodeLine[] {
  return text.trim().split('\n').map((l) => {
    const f = l.split(' ');
    return { id: f[0], port: Number(f[1].split('@')[0].split(':')[1]), flags: f[2].split(','), master: f[3], slots: f.slice(8) };
  });
}

/** Slot ranges served (not the "[slot->-id]" markers of an open migration), as one comparable string. */
export function servedSlots(n: NodeLine): string {
  return n.slots.filter((r) => !r.startsWith('[')).join(' ');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for `replicaId` (on `replicaPort`) to take over `slots` after the kill
 * at `killAt` (Date.now()); `survivorPorts` includes the replica. Throws after
 * `timeoutMs` with what was reached.
 */
export async function watchFailover(survivorPorts: number[], replicaPort: number, replicaId: string, slots: string, killAt: number, timeoutMs = 60000): Promise<FailoverTimes> {
  const clients = new Map<number, RawClient>();
  for (const p of survivorPorts) clients.set(p, await RawClient.connect(p));
  const times: FailoverTimes = { promotedMs: NaN, agreedMs: NaN, okMs: NaN };
  const servesSlots = (v: NodeLine[]) => v.some((n) => n.id === replicaId && n.flags.includes('master') && servedSlots(n) === slots);
  try {
    while (Number.isNaN(times.okMs)) {
      const now = Date.now();
      if (now - killAt > timeoutMs) throw new Error(`failover not complete after ${timeoutMs} ms: ${JSON.stringify(times)}`);
      if (Number.isNaN(times.promotedMs) && servesSlots(parseNodes(bulkText(await clients.get(replicaPort)!.call('CLUSTER', 'NODES'))))) {
        times.promotedMs = Date.now() - killAt;
      }
      if (!Number.isNaN(times.promotedMs) && Number.isNaN(times.agreedMs)) {
        const views = await Promise.all(survivorPorts.map(async (p) => parseNodes(bulkText(await clients.get(p)!.call('CLUSTER', 'NODES')))));
        if (views.every(servesSlots)) times.agreedMs = Date.now() - killAt;
      }
      if (!Number.isNaN(times.agreedMs)) {
        const infos = await Promise.all(survivorPorts.map(async (p) => bulkText(await clients.get(p)!.call('CLUSTER', 'INFO'))));
        if (infos.every((i) => i.includes('cluster_state:ok'))) times.okMs = Date.now() - killAt;
      }
      await sleep(POLL_MS);
    }
    return times;
  } finally {
    for (const c of clients.values()) c.close();
  }
}
