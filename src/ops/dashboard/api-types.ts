/**
 * The JSON the dashboard's HTTP API serves, shared by the server modules and
 * the page's script (type-only, so nothing of it reaches the browser).
 */

/** One data node: `reddish status --json`'s node fields plus the live figures the charts plot. */
export interface NodeStatus {
  address: string;
  /** ROLE as the node's INFO says (`master` / `slave`), null when unreachable. */
  role: string | null;
  reachable: boolean;
  /** What the Sentinels (or the master's INFO) say about it. */
  sentinelFlags: string;
  linkStatus: string | null;
  masterHost: string | null;
  masterPort: number | null;
  offset: number;
  lagBytes: number | null;
  lagSeconds: number | null;
  error: string | null;
  /** INFO stats instantaneous_ops_per_sec. */
  opsPerSec: number | null;
  /** INFO memory used_memory (bytes). */
  usedMemory: number | null;
  /** INFO clients connected_clients. */
  connectedClients: number | null;
}

export interface SentinelStatus {
  address: string;
  reachable: boolean;
  /** The master this Sentinel names now (it can differ from the others' during a failover). */
  master: string | null;
  masterFlags: string;
  quorum: string;
  error: string | null;
}

export interface DashboardStatus {
  /** When the server read it (ms since the epoch). */
  at: number;
  masterName: string;
  master: NodeStatus | null;
  replicas: NodeStatus[];
  sentinels: SentinelStatus[];
  /** Sentinels whose event stream the dashboard is subscribed to now. */
  listening: string[];
  /** Whether the failover button can work (the target is reached through Sentinels). */
  canFailover: boolean;
}

/** One Sentinel event as the timeline shows it; the same event from several Sentinels is one entry. */
export interface SentinelEvent {
  /** Stable id: an update of the entry (another Sentinel saw it too) repeats it. */
  id: number;
  /** When the first Sentinel's message arrived (ms since the epoch). */
  at: number;
  /** The channel is the event's name: +sdown, +switch-master, ... */
  channel: string;
  message: string;
  /** Addresses of the Sentinels that published it. */
  sentinels: string[];
}

export interface FailoverResult {
  ok: boolean;
  /** The Sentinel that accepted (or refused) the request. */
  sentinel: string | null;
  /** The master before the failover, as that Sentinel named it. */
  from: string | null;
  error: string | null;
}
