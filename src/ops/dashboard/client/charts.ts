/**
 * Live line charts (browser code, see dom.ts): one line per node over the
 * last minutes, a gap where a node did not answer, the y axis scaled to the
 * largest value shown.
 */
import { htmlEl, svgEl } from './dom.js';

export interface Series {
  name: string;
  color: string;
  /** [time ms, value or null for a gap] */
  points: Array<[number, number | null]>;
}

export function drawChart(svg: SVGSVGElement, legend: HTMLElement, series: Series[], now: number, windowMs: number, fmt: (v: number) => string): void {
  const W = 480;
  const H = 150;
  const L = 62;
  const B = 18;
  const T = 8;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.replaceChildren();
  let max = 0;
  for (const s of series) for (const [, v] of s.points) if (v !== null && v > max) max = v;
  // A round top close above the largest value, so the lines use the height (labels are formatted anyway).
  const mag = Math.pow(10, Math.floor(Math.log10(Math.max(max, 1))));
  const top = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((k) => k * mag).find((v) => v >= max) ?? max;
  const xOf = (t: number): number => L + ((t - (now - windowMs)) / windowMs) * (W - L - 4);
  const yOf = (v: number): number => T + (1 - v / top) * (H - T - B);
  for (const f of [0, 0.5, 1]) {
    svgEl(svg, 'line', { x1: L, x2: W - 4, y1: yOf(top * f), y2: yOf(top * f), class: 'grid' });
    svgEl(svg, 'text', { x: L - 6, y: yOf(top * f) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(top * f));
  }
  const minutes = Math.round(windowMs / 60000);
  for (let m = 0; m <= minutes; m++) {
    svgEl(svg, 'text', { x: xOf(now - m * 60000), y: H - 4, 'text-anchor': m === 0 ? 'end' : 'middle', class: 'axis' }, m === 0 ? 'now' : `-${m}m`);
  }
  for (const s of series) {
    let d = '';
    let pen = false;
    for (const [t, v] of s.points) {
      if (t < now - windowMs || v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${xOf(t).toFixed(1)} ${yOf(v).toFixed(1)} `;
      pen = true;
    }
    if (d) svgEl(svg, 'path', { d, class: 'series', stroke: s.color, 'data-series': s.name });
  }
  legend.replaceChildren();
  for (const s of series) {
    const item = htmlEl(legend, 'span', { class: 'legend-item' });
    htmlEl(item, 'i', { style: `background:${s.color}` });
    item.append(s.name);
  }
}
