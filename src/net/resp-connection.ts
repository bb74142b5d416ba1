/**
 * An outbound RESP connection with callback replies, as hiredis's async
 * context gives Redis Sentinel: commands are written at once (pipelined),
 * replies are matched to callbacks in order, and in subscribe mode the
 * "message" arrays go to `onMessage` instead. A lost link answers every
 * pending callback with null, so the caller's bookkeeping stays straight.
 */
import net from 'node:net';
import { decode, type RespValue } from '../protocol/resp-value.js';
import { encodeCommand } from '../protocol/encode-command.js';

export type ReplyCallback = (reply: RespValue | null) => void;

export class RespConnection {
  private readonly sock: net.Socket;
  /** Callbacks in command order; a (P)SUBSCRIBE of n names is answered by n confirmations. */
  private readonly callbacks: Array<{ cb: ReplyCallback; confirmations: number }> = [];
  private inbuf: Buffer = Buffer.alloc(0);
  connected = false;
  closed = false;
  /** Pub/sub pushes ("message", "subscribe" arrays) once SUBSCRIBE was sent. */
  onMessage: ((msg: RespValue[]) => void) | null = null;
  /** Called once when the link is gone (error, peer close, or close()). */
  onClose: ((why: string) => void) | null = null;
  onConnect: (() => void) | null = null;

  constructor(host: string, port: number) {
    const sock = net.connect({ host, port });
    this.sock = sock;
    sock.setNoDelay(true);
    sock.on('connect', () => {
      this.connected = true;
      this.onConnect?.();
    });
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.lost(e.message));
    sock.on('close', () => this.lost('connection closed'));
  }

  /** Writes one command; `cb` gets its reply (or null if the link drops first). */
  send(argv: string[], cb: ReplyCallback = noop): void {
    if (this.closed) {
      cb(null);
      return;
    }
    const name = argv[0]?.toLowerCase();
    const confirmations = name === 'subscribe' || name === 'psubscribe' ? Math.max(1, argv.length - 1) : 0;
    this.callbacks.push({ cb, confirmations });
    this.sock.write(encodeCommand(argv), 'latin1');
  }

  /** The local address of the socket (what a peer sees us as), or '' before connect. */
  localAddress(): string {
    return this.sock.localAddress ?? '';
  }

  close(): void {
    this.lost('closed');
  }

  private onData(d: Buffer): void {
    this.inbuf = this.inbuf.length === 0 ? d : Buffer.concat([this.inbuf, d]);
    let pos = 0;
    try {
      for (;;) {
        const r = decode(this.inbuf, pos);
        if (!r) break;
        pos = r.end;
        this.dispatch(r.value);
        if (this.closed) return;
      }
    } catch (e) {
      this.lost(`protocol error: ${(e as Error).message}`);
      return;
    }
    this.inbuf = pos === this.inbuf.length ? Buffer.alloc(0) : this.inbuf.subarray(pos);
  }

  private dispatch(v: RespValue): void {
    if (this.onMessage && (v.type === 'array' || v.type === 'push') && v.value !== null && v.value.length >= 3) {
      const kind = v.value[0];
      const k = kind.type === 'bulk' ? kind.value.toLowerCase() : '';
      if (PUSH_KINDS.has(k)) {
        // The first confirmation answers the (P)SUBSCRIBE's own callback; the rest are absorbed.
        const head = this.callbacks[0];
        if ((k === 'subscribe' || k === 'psubscribe') && head && head.confirmations > 0) {
          const cb = head.cb;
          head.cb = noop;
          cb(v);
          if (--head.confirmations === 0) this.callbacks.shift();
        }
        this.onMessage(v.value);
        return;
      }
    }
    const head = this.callbacks.shift();
    if (head) head.cb(v);
  }

  private lost(why: string): void {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.sock.destroy();
    const cbs = this.callbacks.splice(0);
    for (const c of cbs) c.cb(null);
    this.onClose?.(why);
  }
}

const PUSH_KINDS = new Set(['message', 'pmessage', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);

function noop(): void {
  /* reply not needed */
}
