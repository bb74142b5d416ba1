/**
 * A byte-level client for tests: sends commands (or raw bytes) and returns the
 * raw reply bytes, so differential tests compare exactly what went over the wire.
 */
import net from 'node:net';
import { decode, type RespValue } from '../../src/protocol/resp-value.js';

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      this.closed = true;
      this.wake();
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const s = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('error', reject);
    });
    s.setNoDelay(true);
    return new RawClient(s);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout waiting for reply')), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  static encode(args: string[]): string {
    let s = `*${args.length}\r\n`;
    for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
    return s;
  }

  /** Reads one complete RESP value; returns its raw bytes (latin1) and decoded form. */
  async readReply(timeoutMs = 5000): Promise<{ raw: string; value: RespValue }> {
    for (;;) {
      const d = this.buf.length ? decode(this.buf, 0) : undefined;
      if (d) {
        const raw = this.buf.toString('latin1', 0, d.end);
        this.buf = this.buf.subarray(d.end);
        return { raw, value: d.value };
      }
      if (this.closed) throw new Error('connection closed');
      await this.wait(timeoutMs);
    }
  }

  /** Sends one command, returns the raw reply. */
  async call(...args: string[]): Promise<string> {
    this.write(RawClient.encode(args));
    return (await this.readReply()).raw;
  }

  /** Waits until the server closes the connection; returns whatever bytes arrived. */
  async readUntilClose(timeoutMs = 5000): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > end) throw new Error('connection not closed');
      await this.wait(end - Date.now()).catch(() => undefined);
    }
    return this.buf.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}
