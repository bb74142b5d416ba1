/**
 * A growable byte string, used for string values that are edited in place
 * (SETRANGE, SETBIT, BITFIELD, APPEND). Like an SDS it keeps spare capacity so
 * that a bitmap grown one bit at a time, or a log appended to, is not copied on
 * every change. Values that are only ever SET stay plain latin1 JS strings.
 */
export class Bytes {
  buf: Buffer;
  length: number;

  constructor(initial: Buffer | string = '', capacity = 0) {
    const src = typeof initial === 'string' ? Buffer.from(initial, 'latin1') : initial;
    this.buf = Buffer.alloc(Math.max(capacity, src.length));
    src.copy(this.buf);
    this.length = src.length;
  }

  /** Grows to at least `n` bytes, zero-filling the new part. */
  ensure(n: number): void {
    if (n <= this.length) return;
    if (n > this.buf.length) {
      // SDS greedy growth: double while small, then +1 MiB steps.
      const cap = n < 1024 * 1024 ? n * 2 : n + 1024 * 1024;
      const next = Buffer.alloc(cap);
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    } else {
      this.buf.fill(0, this.length, n);
    }
    this.length = n;
  }

  append(s: string): void {
    const start = this.length;
    this.ensure(start + s.length);
    this.buf.write(s, start, 'latin1');
  }

  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  toString(): string {
    return this.buf.latin1Slice(0, this.length);
  }
}

declare module 'node:buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    /** Node's fast latin1 encoder (what buf.write(s, off, 'latin1') ends in), without argument juggling. */
    latin1Write(s: string, offset: number, length?: number): number;
  }
}
