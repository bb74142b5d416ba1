/**
 * Browser code of the dashboard page. Every function in client/ is sent to
 * the browser as its own source text (Function.prototype.toString of the
 * compiled function, see page.ts), so the page needs no bundler or build step
 * while its script is still type-checked TypeScript. Hence the rules for
 * these files: only function declarations, no module-level values, and a
 * function may use only its parameters, browser globals and other client
 * functions (which page.ts puts in the same script).
 */

/** An SVG element with attributes (and text), appended to `parent`. */
export function svgEl(parent: Element, tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

/** An HTML element with attributes (and text), appended to `parent`. */
export function htmlEl(parent: Element, tag: string, attrs: Record<string, string | number>, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

/** The HTML element marked data-testid=`id` (the test finds the same elements). */
export function byTestId(id: string): HTMLElement {
  const e = document.querySelector(`[data-testid="${id}"]`);
  if (!(e instanceof HTMLElement)) throw new Error(`page has no HTML element [data-testid=${id}]`);
  return e;
}

/** The <svg> marked data-testid=`id`. */
export function svgByTestId(id: string): SVGSVGElement {
  const e = document.querySelector(`[data-testid="${id}"]`);
  if (!(e instanceof SVGSVGElement)) throw new Error(`page has no <svg data-testid=${id}>`);
  return e;
}

export function fmtBytes(n: number | null): string {
  if (n === null) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function fmtNum(n: number | null): string {
  return n === null ? '-' : n.toLocaleString('en-US');
}

/** Local wall-clock time with milliseconds: failover steps are often milliseconds apart. */
export function fmtTime(ms: number): string {
  const d = new Date(ms);
  const p = (x: number, w = 2): string => String(x).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
