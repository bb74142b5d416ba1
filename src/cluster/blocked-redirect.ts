/**
 * clusterRedirectBlockedClientIfNeeded (cluster.c), for every client
 * blocked on keys (BLPOP, BLMOVE, BLMPOP, BZPOPMIN, XREAD/XREADGROUP BLOCK).
 * Redis's clientsCron visits every client each tick while there are few of
 * them; we check them all on each cluster cron tick.
 *
 *   cluster down                          -CLUSTERDOWN The cluster is down (even
 *                                         with reads allowed when down: only a write
 *                                         here could serve the client, and none will)
 *   slot without owner                    -CLUSTERDOWN Hash slot not served
 *   slot owned elsewhere, not importing   -MOVED <slot> <endpoint>:<port>
 *
 * A slot migrating away keeps its waiters (its keys may still be pushed here),
 * and a READONLY client blocked by a read on a replica of the slot's master
 * stays. A master that turns replica answers its waiters -UNBLOCKED instead
 * (replicaSide.setMaster → Blocking.disconnectAll), before this runs.
 */
import type { Cluster } from './cluster.js';
import type { Client } from '../net/client.js';
import { keyHashSlot } from './key-slot.js';
import { CLUSTERDOWN, CLUSTERDOWN_UNBOUND, preferredEndpoint } from './routing.js';

export function redirectBlockedClients(c: Cluster): void {
  const blocking = c.server.blocking;
  if (blocking.blockedCount === 0) return;
  for (const client of blocking.clients()) {
    const err = redirectionFor(c, client);
    if (err !== null) blocking.abort(client, err, false);
  }
}

/** The error a blocked client must get now, or null while this node still serves its keys. */
function redirectionFor(c: Cluster, client: Client): string | null {
  const st = client.blocked;
  if (st === null || st.keys.length === 0) return null;
  const s = c.state;
  if (s.state === 'fail') return CLUSTERDOWN;
  // Routing let the command block only if all its keys share one slot: the first key's is theirs.
  const slot = keyHashSlot(st.keys[0]);
  let node = s.slots[slot];
  const me = s.myself;
  if (c.readonlyClients.has(client) && st.cmd !== null && !st.cmd.isWrite && me.isSlave() && me.slaveof === node) node = me;
  if (node === me || s.importingFrom[slot] !== null) return null;
  if (node === null) return CLUSTERDOWN_UNBOUND;
  return `MOVED ${slot} ${preferredEndpoint(c, node) ?? ''}:${node.port}`;
}
