/** The page's stylesheet: a dark ops console; green is up, red is down, one accent per role. */
export const PAGE_STYLE = `
:root {
  --bg: #0e1217; --card: #171d25; --line: #2a3340; --text: #d9e0ea; --muted: #8a96a8;
  --up: #3fb950; --down: #f85149; --master: #ff6b57; --replica: #58a6ff; --sentinel: #bc8cff; --warn: #e3b341;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header { display: flex; align-items: center; gap: 24px; padding: 10px 16px; border-bottom: 1px solid var(--line); background: #121820; }
h1 { margin: 0; font-size: 18px; letter-spacing: .5px; }
h1 .logo { color: var(--master); }
header .master b { font-family: var(--mono); }
[data-testid="master-addr"][data-up="true"] { color: var(--up); }
[data-testid="master-addr"][data-up="false"] { color: var(--down); }
header .meta { color: var(--muted); font-size: 12px; flex: 1; }
[data-testid="connection"][data-ok="true"] { color: var(--up); }
[data-testid="connection"][data-ok="false"] { color: var(--down); }
header .actions { display: flex; align-items: center; gap: 12px; }
[data-testid="failover-result"] { font-size: 12px; color: var(--muted); max-width: 380px; }
[data-testid="failover-result"].ok { color: var(--up); }
[data-testid="failover-result"].bad { color: var(--down); }
button { background: #3a1d1b; color: #ffd9d4; border: 1px solid var(--master); border-radius: 6px; padding: 7px 16px; font-weight: 600; cursor: pointer; }
button:hover { background: #552622; }
button:disabled { opacity: .45; cursor: default; }
main { display: grid; gap: 12px; padding: 12px; grid-template-columns: minmax(0, 1.45fr) minmax(0, 1fr);
  grid-template-areas: "topo ops" "topo mem" "nodes events"; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px 10px; min-width: 0; }
.card h2 { margin: 0 0 6px; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .8px; color: var(--muted); }
.topo { grid-area: topo; } .nodes { grid-area: nodes; } .ops { grid-area: ops; } .mem { grid-area: mem; } .timeline { grid-area: events; }
svg { display: block; width: 100%; height: auto; }
.key { display: flex; gap: 16px; font-size: 11px; color: var(--muted); }
.key i { display: inline-block; width: 22px; height: 0; vertical-align: middle; margin-right: 5px; border-top: 3px solid var(--up); }
.key i.monitor { border-top: 2px dashed var(--up); } .key i.down { border-top-color: var(--down); }
.node .box { fill: #1f2732; stroke-width: 2; }
.node.master .box { stroke: var(--master); fill: #2a1f1f; } .node.replica .box { stroke: var(--replica); } .node.sentinel .box { stroke: var(--sentinel); }
.node.down .box { stroke: var(--down); stroke-dasharray: 6 4; fill: #2b1a1c; }
.node text { fill: var(--text); font: 12px var(--mono); }
.node text.addr { font-weight: 700; }
.node .badge { font-size: 10px; font-weight: 700; }
.node.master .badge { fill: var(--master); } .node.replica .badge { fill: var(--replica); } .node.down .badge, .node.down text { fill: #f3a6a1; }
.node .figures { fill: var(--muted); }
.nomaster { fill: var(--down); font-size: 16px; }
.link { stroke-width: 2.5; } .link.monitor { stroke-width: 1.5; stroke-dasharray: 5 5; }
.link.up { stroke: var(--up); } .link.down { stroke: var(--down); }
.arrow.up { fill: var(--up); } .arrow.down { fill: var(--down); }
.link-label { font: 11px var(--mono); fill: var(--muted); } .link-label.down { fill: var(--down); }
table { width: 100%; border-collapse: collapse; font: 12px var(--mono); margin-bottom: 8px; }
th { white-space: nowrap; text-align: left; color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); padding: 3px 6px; font-family: system-ui, sans-serif; }
td { padding: 3px 6px; border-bottom: 1px solid #1f2630; white-space: nowrap; }
tr.down td { color: var(--down); }
.nodes td:last-child { white-space: normal; overflow-wrap: anywhere; }
.chart svg .grid { stroke: var(--line); stroke-width: 1; }
.chart svg .axis { fill: var(--muted); font: 10px var(--mono); }
.chart svg .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font: 11px var(--mono); color: var(--muted); }
.legend-item i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.timeline ul { list-style: none; margin: 0; padding: 0; max-height: 250px; overflow-y: auto; font: 12px var(--mono); }
.timeline li { display: flex; gap: 8px; padding: 2px 4px; border-bottom: 1px solid #1f2630; align-items: baseline; }
.timeline time { color: var(--muted); flex: none; }
.timeline .chan { flex: none; font-weight: 700; min-width: 128px; }
.timeline .msg { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: #b8c2d0; }
.timeline .via { flex: none; color: var(--muted); }
.ev-bad .chan { color: var(--down); } .ev-good .chan { color: var(--up); } .ev-flow .chan { color: var(--warn); }
.ev-switch { background: #2a2135; } .ev-switch .chan { color: var(--sentinel); } .ev-info .chan { color: var(--replica); }
[data-testid="event-count"] { color: var(--text); margin-left: 6px; }
`;
