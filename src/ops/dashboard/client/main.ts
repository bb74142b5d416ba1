/**
 * The page's entry point (browser code, see dom.ts): polls /api/status every
 * second and redraws the picture, tables and charts; listens to
 * /api/events for the timeline; drives the failover button.
 */
import type { DashboardStatus, FailoverResult, SentinelEvent } from '../api-types.js';
import { byTestId, fmtBytes, fmtNum, fmtTime, svgByTestId } from './dom.js';
import { drawTopology } from './topology-view.js';
import { renderTables } from './tables.js';
import { drawChart } from './charts.js';
import { renderEvent } from './timeline.js';

export function dashboardMain(): void {
  const WINDOW_MS = 120_000;
  const POLL_MS = 1000;
  const KEEP_EVENTS = 300;
  const PALETTE = ['#e4572e', '#2e86ab', '#76b041', '#a23b72', '#f1a208', '#3c3c8c', '#17bebb', '#8d6a9f'];
  const history = new Map<string, Array<{ t: number; ops: number | null; mem: number | null }>>();
  const colors = new Map<string, string>();
  let current: DashboardStatus | null = null;

  const colorOf = (addr: string): string => {
    let c = colors.get(addr);
    if (c === undefined) colors.set(addr, (c = PALETTE[colors.size % PALETTE.length]));
    return c;
  };

  const record = (s: DashboardStatus): void => {
    const seen = new Set<string>();
    for (const n of [s.master, ...s.replicas]) {
      if (n === null) continue;
      seen.add(n.address);
      const h = history.get(n.address) ?? [];
      h.push({ t: s.at, ops: n.opsPerSec, mem: n.usedMemory });
      history.set(n.address, h);
    }
    for (const [addr, h] of history) {
      if (!seen.has(addr)) h.push({ t: s.at, ops: null, mem: null });
      while (h.length > 0 && h[0].t < s.at - WINDOW_MS) h.shift();
      if (h.every((p) => p.ops === null && p.mem === null) && !seen.has(addr)) history.delete(addr);
    }
  };

  const drawCharts = (now: number): void => {
    const addrs = [...history.keys()].sort();
    const series = (pick: (p: { ops: number | null; mem: number | null }) => number | null) =>
      addrs.map((a) => ({ name: a, color: colorOf(a), points: (history.get(a) ?? []).map((p): [number, number | null] => [p.t, pick(p)]) }));
    drawChart(svgByTestId('chart-ops'), byTestId('legend-ops'), series((p) => p.ops), now, WINDOW_MS, (v) => fmtNum(Math.round(v)));
    drawChart(svgByTestId('chart-memory'), byTestId('legend-memory'), series((p) => p.mem), now, WINDOW_MS, (v) => fmtBytes(Math.round(v)));
  };

  const update = (s: DashboardStatus): void => {
    current = s;
    const addr = byTestId('master-addr');
    addr.textContent = s.master ? s.master.address : 'none';
    addr.dataset.up = String(s.master?.reachable === true && s.master.role === 'master');
    byTestId('master-name').textContent = s.masterName;
    drawTopology(svgByTestId('topology'), s);
    renderTables(byTestId('node-rows'), byTestId('sentinel-rows'), s);
    record(s);
    drawCharts(s.at);
    byTestId('listening').textContent = s.canFailover
      ? `events from ${s.listening.length}/${s.sentinels.length} Sentinels`
      : 'no Sentinels: no events, no failover';
    const button = byTestId('failover-button');
    if (!s.canFailover) button.setAttribute('disabled', '');
    byTestId('updated').textContent = `updated ${fmtTime(s.at)}`;
  };

  const setLive = (ok: boolean, why: string): void => {
    const e = byTestId('connection');
    e.dataset.ok = String(ok);
    e.textContent = ok ? 'live' : `dashboard server unreachable: ${why}`;
  };

  const poll = async (): Promise<void> => {
    try {
      const r = await fetch('/api/status', { cache: 'no-store' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      update((await r.json()) as DashboardStatus);
      setLive(true, '');
    } catch (e) {
      setLive(false, (e as Error).message);
    }
    setTimeout(() => void poll(), POLL_MS);
  };

  const list = byTestId('events');
  const stream = new EventSource('/api/events');
  stream.addEventListener('sentinel', (ev) => {
    renderEvent(list, JSON.parse((ev as MessageEvent<string>).data) as SentinelEvent, KEEP_EVENTS);
    byTestId('event-count').textContent = String(list.children.length);
  });

  const button = byTestId('failover-button');
  const result = byTestId('failover-result');
  button.addEventListener('click', () => {
    const name = current?.masterName ?? 'the master';
    const from = current?.master?.address ?? 'unknown';
    if (!confirm(`Fail over '${name}' now?\n\nA Sentinel will promote a replica of ${from}; clients reconnect to the new master.`)) return;
    button.setAttribute('disabled', '');
    result.className = '';
    result.textContent = 'asking a Sentinel…';
    fetch('/api/failover', { method: 'POST', headers: { 'x-reddish-dashboard': '1' } })
      .then(async (r) => {
        const j = (await r.json()) as FailoverResult;
        result.className = j.ok ? 'ok' : 'bad';
        result.textContent = j.ok ? `failover of ${j.from} started by Sentinel ${j.sentinel}` : `failover refused: ${j.error}`;
      })
      .catch((e: Error) => {
        result.className = 'bad';
        result.textContent = `failover request failed: ${e.message}`;
      })
      .finally(() => setTimeout(() => button.removeAttribute('disabled'), 2000));
  });

  void poll();
}
