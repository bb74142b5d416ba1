/**
 * The built-in Prometheus endpoint: an HTTP listener on `metrics-port`
 * (0 = none) at the addresses of `metrics-bind`, serving GET /metrics in
 * the text exposition format, a link page at /, 404 elsewhere. The page is
 * built per request (metrics-text.ts), so the request path pays nothing.
 *
 * CONFIG SET metrics-port / metrics-bind move the listener as CONFIG SET
 * port does (server.ts rebind): Node binds asynchronously, so the command
 * has answered OK by then; if the new address cannot be bound, the old
 * listener stays, the settings are put back and the log says why.
 */
import http from 'node:http';
import type { Server } from '../../server.js';
import { genMetrics } from './metrics-text.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const INDEX = '<html><head><title>Reddish Exporter</title></head><body><h1>Reddish Exporter</h1><p><a href="/metrics">Metrics</a></p></body></html>\n';

export class MetricsEndpoint {
  private listeners: http.Server[] = [];
  /** The port and bind the current listeners were opened with (port 0: none). */
  private port = 0;
  private bind = '';
  private scrapes = 0;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly server: Server) {}

  /**
   * Opens the listener when metrics-port is set (a port that cannot be bound
   * fails the start, as the main port does), then follows CONFIG SET.
   */
  async start(): Promise<void> {
    const config = this.server.config;
    const port = config.num('metrics-port');
    const bind = config.get('metrics-bind');
    if (port !== 0) this.listeners = await this.listen(port, bind);
    this.port = port;
    this.bind = bind;
    config.watch('metrics-port', () => this.reconfigure());
    config.watch('metrics-bind', () => this.reconfigure());
  }

  /** The port the first listener actually bound (0 when off). */
  boundPort(): number {
    const a = this.listeners[0]?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  stop(): void {
    this.stopped = true;
    this.close(this.listeners);
    this.listeners = [];
  }

  private close(ls: http.Server[]): void {
    for (const l of ls) {
      l.close();
      // Prometheus keeps its connection alive between scrapes: close it too.
      l.closeAllConnections();
    }
  }

  private reconfigure(): void {
    this.queue = this.queue.then(async () => {
      const config = this.server.config;
      const port = config.num('metrics-port');
      const bind = config.get('metrics-bind');
      if (this.stopped || (port === this.port && bind === this.bind)) return;
      try {
        const next = port === 0 ? [] : await this.listen(port, bind);
        this.close(this.listeners);
        this.listeners = next;
        this.port = port;
        this.bind = bind;
        if (port === 0) this.server.log.notice('Metrics endpoint closed');
      } catch (e) {
        this.server.log.warning(`${(e as Error).message} Keeping metrics-port ${this.port} and metrics-bind ${this.bind}.`);
        config.storeQuiet(config.directive('metrics-port')!, String(this.port));
        config.storeQuiet(config.directive('metrics-bind')!, this.bind);
      }
    });
  }

  /** One HTTP listener per address of `bind` (a leading `-` makes one optional, as in `bind`). */
  private async listen(port: number, bind: string): Promise<http.Server[]> {
    const opened: http.Server[] = [];
    for (const raw of bind.split(' ').filter((b) => b !== '')) {
      const optional = raw.startsWith('-');
      let host = optional ? raw.slice(1) : raw;
      if (host === '*') host = '0.0.0.0';
      else if (host === '::*') host = '::';
      const srv = http.createServer((req, res) => this.handle(req, res));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port, host, ipv6Only: host.includes(':') }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (optional && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) continue;
        this.close(opened);
        throw new Error(`Could not open the metrics endpoint on ${host}:${port}: ${err.message}.`);
      }
      srv.on('error', (e) => this.server.log.warning(`Metrics listener error: ${e.message}`));
      opened.push(srv);
      this.server.log.notice(`Metrics endpoint on http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`);
    }
    if (opened.length === 0) throw new Error(`Could not open the metrics endpoint on port ${port}: no address in metrics-bind "${bind}".`);
    return opened;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
      res.end('Method Not Allowed\n');
      return;
    }
    if (path === '/metrics') {
      let body: string;
      try {
        body = genMetrics(this.server, ++this.scrapes);
      } catch (e) {
        // A bug in one mapping must not take the server down with it: the scrape fails, visibly.
        this.server.log.warning(`Metrics page failed: ${(e as Error).stack ?? String(e)}`);
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`An error has occurred while serving metrics:\n\n${(e as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
      res.end(head ? undefined : body);
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(INDEX) });
      res.end(head ? undefined : INDEX);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }
}
