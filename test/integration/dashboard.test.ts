/**
 * The dashboard end to end, as an operator sees it: a Reddish HA topology,
 * the dashboard server in-process, Debian's Chromium driven by playwright-core.
 * The page must draw the master, both replicas and the three Sentinels; the
 * Failover button (confirm dialog accepted) must move the master; a kill -9
 * of the master must show up as a new master and a +switch-master event in
 * the timeline. SCREENSHOT=1 saves docs/dashboard.png (for the README).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTopology, startWriteLoad, setMaster, waitFor, topologyLogs, type Topology, type WriteLoad } from '../support/sentinel-topology.js';
import { startDashboard, type Dashboard } from '../../src/ops/dashboard/server.js';
import type { Target } from '../../src/ops/target.js';

const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const REPO = join(here, '..', '..', '..');
const SCREENSHOT = join(REPO, 'docs', 'dashboard.png');
/** How long the page may take to show a change (a failover after a kill -9 takes a few seconds with down-after 1000 ms). */
const SHOW_MS = 30000;

// The slice of playwright-core's API this test uses. playwright-core is a
// devDependency the test can run without (it then skips), so it is loaded by
// a computed specifier that the compiler does not resolve, and typed here.
interface Dialog {
  type(): string;
  message(): string;
  accept(): Promise<void>;
}
interface Locator {
  count(): Promise<number>;
  textContent(): Promise<string | null>;
  click(): Promise<void>;
  evaluateAll<T>(fn: (els: Element[]) => T): Promise<T>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  locator(selector: string): Locator;
  on(event: 'dialog', fn: (d: Dialog) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  screenshot(opts: { path: string }): Promise<unknown>;
}
interface Browser {
  newPage(opts: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(opts: { executablePath: string; args: string[]; headless: boolean }): Promise<Browser> };
}

/** playwright-core, or why the test cannot run. */
async function loadPlaywright(): Promise<Playwright | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (Debian: apt-get install chromium)`;
  const name = 'playwright-core';
  try {
    createRequire(import.meta.url).resolve(name);
  } catch {
    return 'playwright-core is not installed (npm install playwright-core)';
  }
  return (await import(name)) as Playwright;
}

interface Drawn {
  role: string | null;
  addr: string | null;
  up: string | null;
}

/** The boxes of the topology picture, as the page draws them now. */
function drawnNodes(page: Page): Promise<Drawn[]> {
  return page.locator('[data-testid="node"]').evaluateAll((els) =>
    els.map((e) => ({ role: e.getAttribute('data-role'), addr: e.getAttribute('data-addr'), up: e.getAttribute('data-up') })));
}

function drawnLinks(page: Page): Promise<Array<{ kind: string | null; from: string | null; to: string | null; state: string | null }>> {
  return page.locator('[data-testid="link"]').evaluateAll((els) =>
    els.map((e) => ({ kind: e.getAttribute('data-kind'), from: e.getAttribute('data-from'), to: e.getAttribute('data-to'), state: e.getAttribute('data-state') })));
}

function timeline(page: Page): Promise<Array<{ channel: string | null; text: string }>> {
  return page.locator('[data-testid="event"]').evaluateAll((els) =>
    els.map((e) => ({ channel: e.getAttribute('data-channel'), text: e.textContent ?? '' })));
}

const addrOf = (port: number): string => `127.0.0.1:${port}`;

/** The page shows `addr` as the one reachable master, every other data node as a linked replica of it. */
async function showsHealthy(page: Page, master: string, replicas: string[]): Promise<boolean> {
  const nodes = await drawnNodes(page);
  const masters = nodes.filter((n) => n.role === 'master');
  const reps = nodes.filter((n) => n.role === 'replica').map((n) => n.addr).sort();
  const links = await drawnLinks(page);
  const repl = links.filter((l) => l.kind === 'replication' && l.state === 'up' && l.from === master).map((l) => l.to).sort();
  return masters.length === 1 && masters[0].addr === master && (await page.locator('[data-testid="master-addr"]').textContent()) === master &&
    JSON.stringify(reps) === JSON.stringify([...replicas].sort()) && JSON.stringify(repl) === JSON.stringify([...replicas].sort());
}

describe('dashboard (browser)', { timeout: 90000 }, () => {
  let pw: Playwright | string;
  let t: Topology | undefined;
  let dash: Dashboard | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let load: WriteLoad | undefined;
  const pageErrors: string[] = [];

  before(async () => {
    pw = await loadPlaywright();
    if (typeof pw === 'string') return;
    t = await startTopology({ sentinels: ['reddish', 'reddish', 'reddish'], downAfterMs: 1000, failoverTimeoutMs: 10000 });
    const target: Target = { sentinels: t.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })), masterName: t.name, master: null, password: undefined };
    // For the README's picture only: a write load gives the charts something to draw. The checks do not need it.
    if (process.env.SCREENSHOT === '1') load = startWriteLoad(t.sentinels.map((s) => s.port), { pauseMs: 2 });
    dash = await startDashboard({ target, port: 0, host: '127.0.0.1' });
    browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(dash.url);
  });

  after(async () => {
    await load?.stop();
    await browser?.close();
    await dash?.close();
    await t?.stop();
  });

  const waitShown = <T>(what: string, fn: () => Promise<T | undefined | false>): Promise<T> =>
    waitFor(what, fn, SHOW_MS).catch(async (e: Error) => {
      const seen = JSON.stringify({ nodes: await drawnNodes(page), links: await drawnLinks(page), events: (await timeline(page)).slice(0, 30) }, null, 1);
      throw new Error(`${e.message}\npage shows: ${seen}\npage errors: ${pageErrors.join('; ') || 'none'}\n${t ? topologyLogs(t, 1500) : ''}`);
    });

  it('draws the master, both replicas and three Sentinels with their links up', async (ctx) => {
    if (typeof pw === 'string') return ctx.skip(pw);
    const topo = t!;
    const master = addrOf(topo.master.port);
    const replicas = topo.replicas.map((r) => addrOf(r.port));
    await waitShown('the page shows the initial topology', () => showsHealthy(page, master, replicas));
    const sentinels = (await drawnNodes(page)).filter((n) => n.role === 'sentinel');
    assert.deepEqual(sentinels.map((s) => s.addr).sort(), topo.sentinels.map((s) => addrOf(s.port)).sort());
    assert.ok(sentinels.every((s) => s.up === 'true'), JSON.stringify(sentinels));
    await waitShown('three Sentinel monitoring links up', async () =>
      (await drawnLinks(page)).filter((l) => l.kind === 'monitor' && l.state === 'up' && l.to === master).length === 3);
    assert.equal(await page.locator('[data-testid="node-row"]').count(), 3);
    // Two polls give the charts a line per node.
    await waitShown('a chart line per data node', async () => (await page.locator('[data-testid="chart-ops"] path.series').count()) === 3);
    assert.deepEqual(pageErrors, []);
  });

  it('the Failover button (confirmed) moves the master', async (ctx) => {
    if (typeof pw === 'string') return ctx.skip(pw);
    const topo = t!;
    const before = addrOf(topo.master.port);
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.accept();
    });
    await page.locator('[data-testid="failover-button"]').click();
    const now = await waitShown('the page shows a new master after the button', async () => {
      const m = (await drawnNodes(page)).find((n) => n.role === 'master');
      return m && m.addr !== before && m.addr !== null ? m.addr : undefined;
    });
    assert.equal(dialogs.length, 1);
    assert.match(dialogs[0], /^confirm: /);
    assert.match((await page.locator('[data-testid="failover-result"]').textContent()) ?? '', /failover of .* started by Sentinel/);
    await waitShown('+switch-master in the timeline', async () =>
      (await timeline(page)).some((e) => e.channel === '+switch-master' && e.text.includes(`${before.replace(':', ' ')} ${now.replace(':', ' ')}`)));
    setMaster(topo, Number(now.split(':')[1]));
    // The old master comes back as a replica of the new one: the healthy picture again, around the new master.
    await waitShown('the page shows the topology healthy around the new master', () =>
      showsHealthy(page, now, topo.replicas.map((r) => addrOf(r.port))));
  });

  it('a kill -9 of the master shows as a new master and +switch-master', async (ctx) => {
    if (typeof pw === 'string') return ctx.skip(pw);
    const topo = t!;
    const killed = addrOf(topo.master.port);
    const started = Date.now();
    await topo.master.kill('SIGKILL');
    const now = await waitShown('the page shows a new master after the kill', async () => {
      const m = (await drawnNodes(page)).find((n) => n.role === 'master');
      return m && m.addr !== killed && m.addr !== null ? m.addr : undefined;
    });
    await waitShown('+switch-master away from the killed master in the timeline', async () =>
      (await timeline(page)).some((e) => e.channel === '+switch-master' && e.text.includes(`${killed.replace(':', ' ')} ${now.replace(':', ' ')}`)));
    await waitShown('the killed node drawn as down', async () => (await drawnNodes(page)).some((n) => n.addr === killed && n.role === 'down'));
    const channels = new Set((await timeline(page)).map((e) => e.channel));
    for (const c of ['+sdown', '+odown', '+try-failover', '+elected-leader', '+promoted-slave', '+switch-master']) {
      assert.ok(channels.has(c), `${c} missing from the timeline: ${[...channels].join(' ')}`);
    }
    process.stdout.write(`# dashboard showed the new master ${now} ${Date.now() - started} ms after the kill\n`);
    assert.deepEqual(pageErrors, []);
    if (process.env.SCREENSHOT === '1') {
      // Let the charts and the picture settle on the post-failover state.
      await new Promise((r) => setTimeout(r, 3000));
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    }
  });
});
