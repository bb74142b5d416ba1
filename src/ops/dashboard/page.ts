/**
 * The dashboard page: one self-contained HTML document (inline style and
 * script, no CDN, no framework). The script is the client/ functions' own
 * compiled source (Function.prototype.toString), put side by side in one
 * <script>, so the browser code is type-checked with the rest and still needs
 * no bundler. client/dom.ts states the rules that keeps working.
 */
import { byTestId, fmtBytes, fmtNum, fmtTime, htmlEl, svgByTestId, svgEl } from './client/dom.js';
import { drawTopology } from './client/topology-view.js';
import { renderTables } from './client/tables.js';
import { drawChart } from './client/charts.js';
import { eventClass, renderEvent } from './client/timeline.js';
import { dashboardMain } from './client/main.js';
import { PAGE_STYLE } from './page-style.js';

// Parameters are contravariant: `never` accepts every function's signature.
const CLIENT_FUNCTIONS: Array<(...args: never[]) => unknown> = [
  svgEl, htmlEl, byTestId, svgByTestId, fmtBytes, fmtNum, fmtTime,
  drawTopology, renderTables, drawChart, eventClass, renderEvent, dashboardMain,
];

function clientScript(): string {
  const parts = CLIENT_FUNCTIONS.map((f) => {
    const src = f.toString();
    // A method, an arrow or a bound function would not declare its name in the script.
    if (!src.startsWith(`function ${f.name}(`)) throw new Error(`dashboard client code: ${f.name} is not a plain function declaration`);
    return src;
  });
  const script = `'use strict';\n${parts.join('\n\n')}\n\ndashboardMain();\n`;
  if (/<\/script/i.test(script)) throw new Error('dashboard client code must not contain "</script"');
  return script;
}

const BODY = `
<header>
  <h1><span class="logo">&#9679;</span> Reddish</h1>
  <div class="master">master <b data-testid="master-name">…</b> at <b data-testid="master-addr">…</b></div>
  <div class="meta"><span data-testid="connection">connecting…</span> · <span data-testid="updated"></span> · <span data-testid="listening"></span></div>
  <div class="actions">
    <span data-testid="failover-result"></span>
    <button type="button" data-testid="failover-button" title="Ask a Sentinel for SENTINEL FAILOVER">Failover</button>
  </div>
</header>
<main>
  <section class="card topo">
    <h2>Topology</h2>
    <svg data-testid="topology" viewBox="0 0 760 400" role="img" aria-label="master, replicas and Sentinels with their links"></svg>
    <div class="key"><span><i></i>replication</span><span><i class="monitor"></i>Sentinel monitoring</span><span><i class="down"></i>down</span></div>
  </section>
  <section class="card chart ops">
    <h2>Operations per second</h2>
    <svg data-testid="chart-ops" viewBox="0 0 480 150"></svg>
    <div class="legend" data-testid="legend-ops"></div>
  </section>
  <section class="card chart mem">
    <h2>Memory used</h2>
    <svg data-testid="chart-memory" viewBox="0 0 480 150"></svg>
    <div class="legend" data-testid="legend-memory"></div>
  </section>
  <section class="card nodes">
    <h2>Nodes</h2>
    <table>
      <thead><tr><th>address</th><th>role</th><th>up</th><th>link</th><th>offset</th><th>lag</th><th>lag s</th><th>ops/s</th><th>memory</th><th>clients</th><th>sentinel flags</th></tr></thead>
      <tbody data-testid="node-rows"></tbody>
    </table>
    <table>
      <thead><tr><th>sentinel</th><th>up</th><th>master</th><th>master flags</th><th>quorum</th><th>events</th></tr></thead>
      <tbody data-testid="sentinel-rows"></tbody>
    </table>
  </section>
  <section class="card timeline">
    <h2>Sentinel events<span data-testid="event-count">0</span></h2>
    <ul data-testid="events"></ul>
  </section>
</main>
`;

/** The whole page (built once per server: it does not depend on the deployment). */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reddish dashboard</title>
<style>${PAGE_STYLE}</style>
</head>
<body>${BODY}<script>\n${clientScript()}</script>
</body>
</html>
`;
}
