/**
 * The dashboard's /api/status: `reddish status --json` (inspect + deploymentJson)
 * plus each data node's live figures from its INFO (ops/s, memory, clients),
 * which the page plots. target.ts reads only INFO replication, so this module
 * asks each node for the rest itself.
 */
import { OpsClient, parseAddr, parseInfo } from '../ops-client.js';
import { inspect, type Target } from '../target.js';
import { deploymentJson } from '../commands/status.js';
import type { DashboardStatus, NodeStatus, SentinelStatus } from './api-types.js';

interface Figures {
  opsPerSec: number | null;
  usedMemory: number | null;
  connectedClients: number | null;
}

const NO_FIGURES: Figures = { opsPerSec: null, usedMemory: null, connectedClients: null };

function num(v: string | undefined): number | null {
  const n = Number(v);
  return v === undefined || !Number.isFinite(n) ? null : n;
}

/** INFO (the default sections hold stats, memory and clients) of one node; nulls when it does not answer. */
async function figures(address: string, password: string | undefined): Promise<Figures> {
  const c = new OpsClient(parseAddr(address), { password, timeoutMs: 1500 });
  try {
    const info = parseInfo(await c.text(['INFO']));
    return {
      opsPerSec: num(info.get('instantaneous_ops_per_sec')),
      usedMemory: num(info.get('used_memory')),
      connectedClients: num(info.get('connected_clients')),
    };
  } catch {
    return NO_FIGURES;
  } finally {
    c.close();
  }
}

export async function collectStatus(target: Target, listening: string[]): Promise<DashboardStatus> {
  const d = await inspect(target);
  // deploymentJson's node and sentinel objects have exactly the fields NodeStatus /
  // SentinelStatus declare (less the figures); it returns them untyped for the CLI's --json.
  const j = deploymentJson(d) as {
    masterName: string;
    master: Omit<NodeStatus, keyof Figures> | null;
    replicas: Array<Omit<NodeStatus, keyof Figures>>;
    sentinels: SentinelStatus[];
  };
  const withFigures = async (n: Omit<NodeStatus, keyof Figures>): Promise<NodeStatus> =>
    ({ ...n, ...(n.reachable ? await figures(n.address, target.password) : NO_FIGURES) });
  const [master, ...replicas] = await Promise.all([j.master, ...j.replicas].map((n) => (n ? withFigures(n) : null)));
  return {
    at: Date.now(),
    masterName: j.masterName,
    master,
    replicas: replicas.filter((r): r is NodeStatus => r !== null),
    sentinels: j.sentinels,
    listening,
    canFailover: target.sentinels.length > 0,
  };
}
