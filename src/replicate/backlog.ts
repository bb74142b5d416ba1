/**
 * The replication backlog (replication.c's repl_backlog): the last
 * repl-backlog-size bytes of the replication stream, addressed by stream
 * offset, so a replica that lost its link can continue from where it stopped
 * (+CONTINUE) instead of a full resync.
 *
 * A ring of bytes: `end` is the stream offset just past the newest byte
 * (master_repl_offset), `histlen` how many of the bytes before it are kept.
 */
export class Backlog {
  private buf: Buffer;
  /** Write position in `buf`. */
  private idx = 0;
  histlen = 0;
  /** Stream offset of the byte after the newest one. */
  end: number;

  constructor(size: number, offset: number) {
    this.buf = Buffer.alloc(Math.max(16 * 1024, size));
    this.end = offset;
  }

  get size(): number {
    return this.buf.length;
  }

  /** repl_backlog_first_byte_offset: the oldest byte kept (offsets count from 1). */
  get firstByteOffset(): number {
    return this.end - this.histlen + 1;
  }

  append(data: Buffer): void {
    const size = this.buf.length;
    let src = data;
    if (src.length > size) src = src.subarray(src.length - size);
    const first = Math.min(src.length, size - this.idx);
    src.copy(this.buf, this.idx, 0, first);
    if (first < src.length) src.copy(this.buf, 0, first);
    this.idx = (this.idx + src.length) % size;
    this.end += data.length;
    this.histlen = Math.min(size, this.histlen + data.length);
  }

  /** PSYNC's test: is `wanted` (the replica's offset + 1, the next byte it needs) still here? */
  covers(wanted: number): boolean {
    const first = this.firstByteOffset;
    return wanted >= first && wanted <= first + this.histlen;
  }

  /** The bytes after stream offset `from` (the bytes a replica at `from` has not seen). */
  since(from: number): Buffer {
    const n = this.end - from;
    if (n <= 0) return Buffer.alloc(0);
    const size = this.buf.length;
    const start = (this.idx - n + size) % size;
    if (start + n <= size) return Buffer.from(this.buf.subarray(start, start + n));
    return Buffer.concat([this.buf.subarray(start), this.buf.subarray(0, n - (size - start))]);
  }

  /** resizeReplicationBacklog: keeps the newest bytes that fit. */
  resize(size: number): void {
    size = Math.max(16 * 1024, size);
    if (size === this.buf.length) return;
    const keep = this.since(this.end - Math.min(this.histlen, size));
    this.buf = Buffer.alloc(size);
    this.idx = 0;
    const end = this.end;
    this.histlen = 0;
    this.end = end - keep.length;
    this.append(keep);
  }
}
