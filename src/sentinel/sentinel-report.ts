/**
 * What a Sentinel reports about itself, shared by its commands (INFO's
 * Sentinel section, SENTINEL CKQUORUM) and the metrics endpoint.
 */
import type { Sentinel } from './sentinel.js';
import { SRI_O_DOWN, SRI_S_DOWN, type Instance } from './instance.js';

export function isDown(ri: Instance): boolean {
  return (ri.flags & (SRI_S_DOWN | SRI_O_DOWN)) !== 0;
}

export function downStatus(ri: Instance): 'odown' | 'sdown' | 'ok' {
  return ri.flags & SRI_O_DOWN ? 'odown' : ri.flags & SRI_S_DOWN ? 'sdown' : 'ok';
}

/** INFO's "# Sentinel" section, lines ending in CRLF. */
export function sentinelInfoSection(s: Sentinel): string {
  const lines = [
    '# Sentinel',
    `sentinel_masters:${s.masters.size}`,
    `sentinel_tilt:${s.tilt ? 1 : 0}`,
    `sentinel_tilt_since_seconds:${s.tilt ? Math.floor((Date.now() - s.tiltStartTime) / 1000) : -1}`,
    `sentinel_running_scripts:${s.scripts.running}`,
    `sentinel_scripts_queue_length:${s.scripts.jobs.length}`,
    `sentinel_simulate_failure_flags:${s.simFailureFlags}`,
  ];
  let i = 0;
  for (const ri of s.masters.values()) {
    lines.push(`master${i++}:name=${ri.name},status=${downStatus(ri)},address=${s.announceAddr(ri.addr)}:${ri.addr.port},slaves=${ri.slaves.size},sentinels=${ri.sentinels.size + 1}`);
  }
  return lines.map((l) => l + '\r\n').join('');
}

/**
 * sentinelIsQuorumReachable, worded as SENTINEL CKQUORUM answers: the status
 * line when the quorum and a majority of the known Sentinels are reachable,
 * else the NOQUORUM error text.
 */
export function quorumStatus(ri: Instance): { ok: boolean; message: string } {
  const voters = ri.sentinels.size + 1;
  let usable = 1;
  for (const si of ri.sentinels.values()) if (!isDown(si)) usable++;
  const noQuorum = usable < ri.quorum;
  const noAuth = usable < Math.floor(voters / 2) + 1;
  if (!noQuorum && !noAuth) return { ok: true, message: `OK ${usable} usable Sentinels. Quorum and failover authorization can be reached` };
  const parts: string[] = [];
  if (noQuorum) parts.push('Not enough available Sentinels to reach the specified quorum for this master');
  if (noAuth) parts.push('Not enough available Sentinels to reach the majority and authorize a failover');
  return { ok: false, message: `NOQUORUM ${usable} usable Sentinels. ${parts.join('. ')}` };
}
