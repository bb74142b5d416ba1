/**
 * A small promise-based client for the `reddish` tool and the programmatic
 * API: one connection, AUTH when a password is given, commands answered in
 * order, errors as rejected promises. Built on the server's own outbound
 * RESP connection, so the tool needs no client library at run time.
 */
import { RespConnection } from '../net/resp-connection.js';
import type { RespValue } from '../protocol/resp-value.js';

export interface Addr {
  host: string;
  port: number;
}

export function parseAddr(s: string, defaultPort = 6379): Addr {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(s.trim());
  if (!m || m[1] === '') throw new Error(`bad address '${s}' (want host:port)`);
  return { host: m[1], port: m[2] ? Number(m[2]) : defaultPort };
}

export function formatAddr(a: Addr): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export class ReplyError extends Error {}

/** RESP value → plain JS: strings, numbers (integers), null, arrays; maps as flat arrays. Errors throw. */
export function plain(v: RespValue): unknown {
  switch (v.type) {
    case 'error':
      throw new ReplyError(v.value);
    case 'simple': case 'bulk': case 'verbatim': case 'double': case 'bignum':
      return v.value;
    case 'integer':
      return Number(v.value);
    case 'boolean':
      return v.value;
    case 'null':
      return null;
    case 'array':
      return v.value === null ? null : v.value.map(plain);
    case 'set': case 'push':
      return v.value.map(plain);
    case 'map': case 'attribute':
      return v.value.flatMap(([k, x]) => [plain(k), plain(x)]);
  }
}

export interface ClientOptions {
  password?: string;
  user?: string;
  /** Per-command timeout, and the connect timeout (ms). */
  timeoutMs?: number;
}

export class OpsClient {
  private readonly conn: RespConnection;
  private readonly ready: Promise<void>;
  private readonly timeoutMs: number;
  private closedWhy: string | null = null;

  constructor(readonly addr: Addr, opts: ClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.conn = new RespConnection(addr.host, addr.port);
    this.conn.onClose = (why) => {
      this.closedWhy = why;
    };
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.conn.close();
        reject(new Error(`${formatAddr(addr)}: connect timeout`));
      }, this.timeoutMs);
      this.conn.onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      const prevClose = this.conn.onClose;
      this.conn.onClose = (why) => {
        prevClose?.(why);
        clearTimeout(timer);
        reject(new Error(`${formatAddr(addr)}: ${why}`));
      };
    });
    // Unhandled until someone awaits a command; keep Node quiet about it.
    this.ready.catch(() => undefined);
    if (opts.password) void this.call(opts.user ? ['AUTH', opts.user, opts.password] : ['AUTH', opts.password]).catch(() => undefined);
  }

  /** Sends a command; resolves with the raw RESP value (errors included). */
  raw(argv: Array<string | number>): Promise<RespValue> {
    return this.ready.then(
      () =>
        new Promise<RespValue>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${formatAddr(this.addr)}: ${String(argv[0])} timed out`)), this.timeoutMs);
          this.conn.send(argv.map(String), (r) => {
            clearTimeout(timer);
            if (r === null) reject(new Error(`${formatAddr(this.addr)}: ${this.closedWhy ?? 'connection lost'}`));
            else resolve(r);
          });
        }),
    );
  }

  /** Sends a command; resolves with the plain reply, rejects with ReplyError on an error reply. */
  async call(argv: Array<string | number>): Promise<unknown> {
    return plain(await this.raw(argv));
  }

  async text(argv: Array<string | number>): Promise<string> {
    return String(await this.call(argv));
  }

  /** Pub/sub: SUBSCRIBE/PSUBSCRIBE, `onMessage(channel, message)` for each message. */
  async subscribe(kind: 'SUBSCRIBE' | 'PSUBSCRIBE', names: string[], onMessage: (channel: string, message: string) => void): Promise<void> {
    this.conn.onMessage = (msg) => {
      const k = msg[0].type === 'bulk' ? msg[0].value : '';
      if (k === 'message' && msg[1].type === 'bulk' && msg[2].type === 'bulk') onMessage(msg[1].value, msg[2].value);
      if (k === 'pmessage' && msg[2].type === 'bulk' && msg[3]?.type === 'bulk') onMessage(msg[2].value, msg[3].value);
    };
    await this.raw([kind, ...names]);
  }

  close(): void {
    this.conn.close();
  }
}

/** One command on a fresh connection. */
export async function callOnce(addr: Addr, argv: Array<string | number>, opts: ClientOptions = {}): Promise<unknown> {
  const c = new OpsClient(addr, opts);
  try {
    return await c.call(argv);
  } finally {
    c.close();
  }
}

/** INFO text → field map. */
export function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** A flat [k, v, k, v] reply → object. */
export function pairs(reply: unknown): Record<string, string> {
  const a = reply as unknown[];
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < a.length; i += 2) o[String(a[i])] = String(a[i + 1]);
  return o;
}
