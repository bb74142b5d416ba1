/**
 * A cluster of a chosen shape, Reddish or real Redis: `masters` masters
 * made by `redis-cli --cluster create` (so slots 0-5460, 5461-10922,
 * 10923-16383 for three), then replicas attached where the test says with
 * CLUSTER MEET + CLUSTER REPLICATE. Resolves once every node agrees on the
 * roles, the cluster is ok everywhere and every replica's link is up.
 */
import assert from 'node:assert/strict';
import { bulkText, clusterCreate, cmd, nodesOf, startClusterNodes, waitUntil, type TestCluster } from './cluster-nodes.js';
import type { ServerKind } from './servers.js';

export interface ShapedCluster {
  kind: ServerKind;
  cluster: TestCluster;
  ports: number[];
  ids: string[];
}

/** `replicaOf[i]` is the index of the master node `masters + i` replicates. */
export async function startShape(kind: ServerKind, masters: number, replicaOf: number[], opts: { nodeTimeout?: number; args?: string[] } = {}): Promise<ShapedCluster> {
  // Replicas sync at once (Redis 7.0's diskless sync waits 5 s for more replicas by default).
  const args = ['--repl-diskless-sync-delay', '0', ...(opts.args ?? [])];
  const cluster = await startClusterNodes(kind, masters + replicaOf.length, { nodeTimeout: opts.nodeTimeout ?? 2000, args });
  try {
    const r = await clusterCreate(cluster.nodes.slice(0, masters), 0);
    assert.equal(r.status, 0, r.out);
    const ports = cluster.nodes.map((n) => n.port);
    const ids = await Promise.all(ports.map(async (p) => bulkText(await cmd(p, 'CLUSTER', 'MYID'))));
    const first = cluster.nodes[0];
    for (let i = 0; i < replicaOf.length; i++) {
      const p = ports[masters + i];
      const masterId = ids[replicaOf[i]];
      assert.equal(await cmd(p, 'CLUSTER', 'MEET', '127.0.0.1', String(first.port), String(first.busPort)), '+OK\r\n');
      await waitUntil(`${kind} ${p} to learn its master`, async () =>
        (await nodesOf(p)).some((n) => n.id === masterId && !n.flags.includes('handshake')));
      assert.equal(await cmd(p, 'CLUSTER', 'REPLICATE', masterId), '+OK\r\n');
    }
    await waitUntil(`${kind} cluster of ${ports.length} to settle`, async () => {
      for (const p of ports) {
        if (!bulkText(await cmd(p, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        const view = await nodesOf(p);
        if (view.length !== ports.length) return false;
        for (let i = 0; i < replicaOf.length; i++) {
          const line = view.find((n) => n.id === ids[masters + i]);
          if (line === undefined || !line.flags.includes('slave') || line.master !== ids[replicaOf[i]]) return false;
        }
      }
      for (let i = 0; i < replicaOf.length; i++) {
        if (!bulkText(await cmd(ports[masters + i], 'INFO', 'replication')).includes('master_link_status:up')) return false;
      }
      return true;
    }, 40000);
    return { kind, cluster, ports, ids };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

/** A raw reply with node ids, client ports and bus ports named by position, so two clusters' replies compare. */
export function normalizeReply(raw: string, s: ShapedCluster): string {
  let out = raw;
  s.ids.forEach((id, i) => (out = out.split(id).join(`<id${i}>`)));
  s.ports.forEach((p, i) => (out = out.split(`:${p}`).join(`:<port${i}>`)));
  s.cluster.nodes.forEach((n, i) => (out = out.split(`@${n.busPort}`).join(`@<bus${i}>`)));
  return out;
}
