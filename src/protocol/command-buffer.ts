/**
 * Commands encoded as RESP arrays of bulk strings straight into bytes, for
 * the replication stream: a write costs a few byte copies, not the string
 * concatenations and the flattening a text form would need.
 *
 * take() returns what was written since the last take() as a view that stays
 * valid for good: later commands go after it in the same chunk, or into a new
 * chunk once this one is full (a bump allocator, as Buffer's own pool).
 */
import { writeDigits } from './reply-writer.js';

const CHUNK = 64 * 1024;

export class CommandBuffer {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK);
  private start = 0;
  private pos = 0;

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.pos - this.start;
  }

  /** Appends argv (latin1 strings: one char per byte); returns the bytes it took. */
  command(argv: readonly string[]): number {
    // Each header is at most 1 + 16 digits + CRLF.
    let need = 19;
    for (let i = 0; i < argv.length; i++) need += argv[i].length + 21;
    if (this.pos + need > this.chunk.length) this.grow(need);
    const b = this.chunk;
    const from = this.pos;
    let p = from;
    b[p++] = 42; // '*'
    p = writeDigits(b, p, argv.length);
    b[p++] = 13;
    b[p++] = 10;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      const len = a.length;
      b[p++] = 36; // '$'
      p = writeDigits(b, p, len);
      b[p++] = 13;
      b[p++] = 10;
      // A JS loop beats a call into latin1Write for short arguments.
      if (len <= 32) for (let k = 0; k < len; k++) b[p++] = a.charCodeAt(k);
      else p += b.latin1Write(a, p);
      b[p++] = 13;
      b[p++] = 10;
    }
    this.pos = p;
    return p - from;
  }

  /** The bytes written since the last take(). */
  take(): Buffer {
    const view = this.chunk.subarray(this.start, this.pos);
    this.start = this.pos;
    return view;
  }

  /** A new chunk, with the bytes not yet taken carried over (earlier views keep the old one alive). */
  private grow(need: number): void {
    const pending = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(CHUNK, 2 * (pending + need)));
    this.chunk.copy(next, 0, this.start, this.pos);
    this.chunk = next;
    this.start = 0;
    this.pos = pending;
  }
}
