/**
 * The topology picture (browser code, see dom.ts): Sentinels on top, the
 * master in the middle, replicas below; replication links from the node each
 * replica follows, monitoring links from each Sentinel to the master it names,
 * green when up and red when down.
 */
import type { DashboardStatus, NodeStatus } from '../api-types.js';
import { fmtBytes, fmtNum, svgEl } from './dom.js';

export function drawTopology(svg: SVGSVGElement, s: DashboardStatus): void {
  const W = 760;
  const GAP = 20;
  svg.setAttribute('viewBox', `0 0 ${W} 400`);
  svg.replaceChildren();
  const defs = svgEl(svg, 'defs', {});
  for (const state of ['up', 'down']) {
    const m = svgEl(defs, 'marker', { id: `arrow-${state}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    svgEl(m, 'path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `arrow ${state}` });
  }
  const links = svgEl(svg, 'g', { class: 'links' });
  const boxes = svgEl(svg, 'g', { class: 'boxes' });

  interface Box { x: number; y: number; w: number; h: number }
  const row = (n: number, maxW: number, y: number, h: number): Box[] => {
    const w = Math.min(maxW, (W - GAP * (n + 1)) / Math.max(n, 1));
    const x0 = (W - (n * w + (n - 1) * GAP)) / 2;
    return Array.from({ length: n }, (_, i) => ({ x: x0 + i * (w + GAP), y, w, h }));
  };

  const data: Array<{ n: NodeStatus; slot: 'master' | 'replica'; box: Box }> = [];
  if (s.master) data.push({ n: s.master, slot: 'master', box: row(1, 240, 150, 88)[0] });
  row(s.replicas.length, 230, 300, 88).forEach((box, i) => data.push({ n: s.replicas[i], slot: 'replica', box }));
  const byAddr = new Map(data.map((d) => [d.n.address, d]));
  const masterBox = data.find((d) => d.slot === 'master')?.box ?? null;

  const link = (kind: string, from: string, to: string, a: Box, b: Box, up: boolean, dx: number, label: string): void => {
    const state = up ? 'up' : 'down';
    const g = svgEl(links, 'g', { 'data-testid': 'link', 'data-kind': kind, 'data-from': from, 'data-to': to, 'data-state': state });
    const x1 = a.x + a.w / 2;
    const y1 = a.y + a.h;
    const x2 = b.x + b.w / 2 + dx;
    const y2 = b.y;
    svgEl(g, 'line', { x1, y1, x2, y2, class: `link ${kind} ${state}`, 'marker-end': `url(#arrow-${state})` });
    if (label) svgEl(g, 'text', { x: (x1 + x2) / 2 + 6, y: (y1 + y2) / 2 + 4, class: `link-label ${state}` }, label);
  };

  // Replication: each replica from the node its INFO says it follows (during a failover that may not be the master slot).
  for (const d of data) {
    if (d.slot !== 'replica') continue;
    const followed = d.n.masterHost !== null ? byAddr.get(`${d.n.masterHost}:${d.n.masterPort}`) : undefined;
    const from = followed ?? data.find((x) => x.slot === 'master');
    if (!from || from === d) continue;
    const up = d.n.reachable && d.n.linkStatus === 'up' && from.n.reachable;
    const lag = d.n.lagBytes !== null ? `${fmtBytes(d.n.lagBytes)} · ${d.n.lagSeconds ?? '-'} s` : '';
    link('replication', from.n.address, d.n.address, from.box, d.box, up, 0, up ? lag : `link ${d.n.linkStatus ?? 'down'}`);
  }

  // Monitoring: each Sentinel to the master it names; down when it cannot reach it or judges it down.
  const sboxes = row(s.sentinels.length, 170, 16, 56);
  s.sentinels.forEach((sn, i) => {
    const target = (sn.master !== null ? byAddr.get(sn.master)?.box : undefined) ?? masterBox;
    if (target === null) return;
    const up = sn.reachable && !/s_down|o_down|disconnected/.test(sn.masterFlags);
    const spread = (i - (s.sentinels.length - 1) / 2) * 24;
    link('monitor', sn.address, sn.master ?? '', sboxes[i], target, up, spread, '');
  });

  for (const d of data) {
    const n = d.n;
    const role = !n.reachable ? 'down' : n.role === 'slave' ? 'replica' : (n.role ?? '?');
    const g = svgEl(boxes, 'g', {
      'data-testid': 'node', 'data-role': role, 'data-slot': d.slot, 'data-addr': n.address, 'data-up': String(n.reachable),
      class: `node ${role}`, transform: `translate(${d.box.x},${d.box.y})`,
    });
    svgEl(g, 'title', {}, n.error ?? `${n.address} (${n.sentinelFlags})`);
    svgEl(g, 'rect', { width: d.box.w, height: d.box.h, rx: 8, class: 'box' });
    svgEl(g, 'text', { x: 10, y: 20, class: 'addr' }, n.address);
    svgEl(g, 'text', { x: d.box.w - 10, y: 20, class: 'badge', 'text-anchor': 'end' }, role.toUpperCase());
    svgEl(g, 'text', { x: 10, y: 39 }, `offset ${fmtNum(n.reachable ? n.offset : null)}`);
    // Monospace 12px: about 7.3 px a character.
    const fit = (text: string): string => {
      const max = Math.floor((d.box.w - 20) / 7.3);
      return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
    };
    // "127.0.0.1:6379: connect ECONNREFUSED 127.0.0.1:6379" says the address twice; the box already shows it.
    const why = (n.error ?? 'unreachable').split(n.address).join('').replace(/^[:\s]+|\s+$/g, '');
    const third = !n.reachable
      ? fit(why || 'unreachable')
      : d.slot === 'master' ? `${s.replicas.filter((r) => r.linkStatus === 'up').length}/${s.replicas.length} replicas linked`
        : `lag ${fmtBytes(n.lagBytes)} · ${n.lagSeconds ?? '-'} s`;
    svgEl(g, 'text', { x: 10, y: 57 }, third);
    svgEl(g, 'text', { x: 10, y: 75, class: 'figures' }, `${fmtNum(n.opsPerSec)} ops/s · ${fmtBytes(n.usedMemory)}`);
  }
  if (!s.master) svgEl(boxes, 'text', { x: W / 2, y: 195, 'text-anchor': 'middle', class: 'nomaster' }, 'no master found');

  s.sentinels.forEach((sn, i) => {
    const b = sboxes[i];
    const g = svgEl(boxes, 'g', {
      'data-testid': 'node', 'data-role': 'sentinel', 'data-addr': sn.address, 'data-up': String(sn.reachable),
      class: `node sentinel${sn.reachable ? '' : ' down'}`, transform: `translate(${b.x},${b.y})`,
    });
    svgEl(g, 'title', {}, sn.error ?? `${sn.address}: master ${sn.master} (${sn.masterFlags}), quorum ${sn.quorum}`);
    svgEl(g, 'rect', { width: b.w, height: b.h, rx: 8, class: 'box' });
    svgEl(g, 'text', { x: 10, y: 21, class: 'addr' }, sn.address);
    svgEl(g, 'text', { x: 10, y: 41 }, sn.reachable ? `sentinel · ${sn.quorum === 'ok' ? 'quorum ok' : 'NO QUORUM'}` : 'sentinel · DOWN');
  });
}
