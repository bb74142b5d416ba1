/**
 * The dashboard's HTTP server (node:http, nothing else): the page, its JSON
 * status, the Sentinel event stream as Server-Sent Events, and the failover
 * request. One instance watches one deployment (a Target, as every `reddish`
 * command resolves it), Reddish or Redis alike.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatAddr, parseAddr, type Addr } from '../ops-client.js';
import type { Target } from '../target.js';
import type { DashboardStatus, SentinelEvent } from './api-types.js';
import { collectStatus } from './status.js';
import { SentinelEventHub } from './events.js';
import { requestFailover } from './failover.js';
import { dashboardPage } from './page.js';

export interface DashboardOptions {
  target: Target;
  /** 0 picks a free port. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: the failover button must not be open to the network by accident). */
  host?: string;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

/**
 * Header the page sends with its POST. A cross-site form cannot set it and a
 * cross-site fetch with it needs a CORS preflight this server never grants,
 * so another web page in the operator's browser cannot trigger a failover.
 */
export const FAILOVER_HEADER = 'x-reddish-dashboard';

const SSE_KEEPALIVE_MS = 15000;

function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function sseFrame(e: SentinelEvent): string {
  return `id: ${e.id}\nevent: sentinel\ndata: ${JSON.stringify(e)}\n\n`;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const { target } = opts;
  const host = opts.host ?? '127.0.0.1';
  const hub = new SentinelEventHub(target.sentinels);
  const streams = new Set<http.ServerResponse>();
  const page = dashboardPage();

  // Several tabs polling every second share one read of the deployment.
  let inflight: Promise<DashboardStatus> | null = null;
  const status = (): Promise<DashboardStatus> => {
    inflight ??= collectStatus(target, hub.listening())
      .then((s) => {
        // Sentinels found through the others (SENTINEL SENTINELS) join the event stream too.
        hub.watch(s.sentinels.map((x) => parseAddr(x.address, 26379)));
        return s;
      })
      .finally(() => {
        inflight = null;
      });
    return inflight;
  };

  const knownSentinels = (): Addr[] => {
    const all = new Map(target.sentinels.map((a) => [formatAddr(a), a]));
    for (const a of hub.listening()) if (!all.has(a)) all.set(a, parseAddr(a, 26379));
    return [...all.values()];
  };

  const events = (res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // The whole backlog every time: the page keys entries by id, so a reconnect replays harmlessly.
    res.write('retry: 1000\n\n' + hub.backlog().map(sseFrame).join(''));
    const off = hub.onEvent((e) => res.write(sseFrame(e)));
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    streams.add(res);
    res.on('close', () => {
      off();
      clearInterval(keepalive);
      streams.delete(res);
    });
  };

  const failover = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (req.headers[FAILOVER_HEADER] === undefined) {
      sendJson(res, 403, { ok: false, sentinel: null, from: null, error: `missing ${FAILOVER_HEADER} header` });
      return;
    }
    if (target.sentinels.length === 0) {
      sendJson(res, 400, { ok: false, sentinel: null, from: null, error: 'the dashboard watches a master without Sentinels: no failover' });
      return;
    }
    const r = await requestFailover(knownSentinels(), target.masterName);
    sendJson(res, r.ok ? 200 : 502, r);
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method ?? 'GET'} ${path}`;
    const fail = (e: unknown): void => {
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
      else res.end();
    };
    switch (route) {
      case 'GET /':
      case 'GET /index.html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(page);
        return;
      case 'GET /api/status':
        status().then((s) => sendJson(res, 200, s), fail);
        return;
      case 'GET /api/events':
        events(res);
        return;
      case 'POST /api/failover':
        req.resume();
        failover(req, res).catch(fail);
        return;
      default:
        sendJson(res, path.startsWith('/api/') && req.method !== 'GET' ? 405 : 404, { error: `no ${route}` });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Listening on every interface: print an address a browser on this machine can open.
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;

  return {
    url,
    async close(): Promise<void> {
      hub.close();
      for (const r of streams) r.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
