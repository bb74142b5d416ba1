/** The node and Sentinel tables under the picture (browser code, see dom.ts): every figure the API gives, as text. */
import type { DashboardStatus } from '../api-types.js';
import { fmtBytes, fmtNum, htmlEl } from './dom.js';

export function renderTables(nodes: HTMLElement, sentinels: HTMLElement, s: DashboardStatus): void {
  nodes.replaceChildren();
  for (const n of [s.master, ...s.replicas]) {
    if (n === null) continue;
    const role = !n.reachable ? 'down' : n.role === 'slave' ? 'replica' : (n.role ?? '?');
    const tr = htmlEl(nodes, 'tr', { 'data-testid': 'node-row', 'data-addr': n.address, 'data-role': role, class: n.reachable ? '' : 'down' });
    const cells = [
      n.address, role, n.reachable ? 'yes' : 'NO', n === s.master ? '' : (n.linkStatus ?? '-'), fmtNum(n.reachable ? n.offset : null),
      n === s.master ? '' : fmtBytes(n.lagBytes), n === s.master ? '' : n.lagSeconds === null ? '-' : `${n.lagSeconds} s`,
      fmtNum(n.opsPerSec), fmtBytes(n.usedMemory), fmtNum(n.connectedClients), n.sentinelFlags,
    ];
    for (const c of cells) htmlEl(tr, 'td', {}, c);
  }
  sentinels.replaceChildren();
  for (const x of s.sentinels) {
    const tr = htmlEl(sentinels, 'tr', { 'data-testid': 'sentinel-row', 'data-addr': x.address, class: x.reachable ? '' : 'down' });
    const cells = [x.address, x.reachable ? 'yes' : 'NO', x.master ?? '-', x.masterFlags || '-', x.reachable ? x.quorum : (x.error ?? '-'),
      s.listening.includes(x.address) ? 'yes' : 'no'];
    for (const c of cells) htmlEl(tr, 'td', {}, c);
  }
}
