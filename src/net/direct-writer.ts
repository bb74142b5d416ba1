/**
 * Replies handed straight to a socket's libuv handle.
 *
 * socket.write() runs the Writable stream's bookkeeping and creates a write
 * request object per call; for a client that sends one request at a time
 * that is about a tenth of Reddish's user CPU per request (measured with
 * redis-benchmark -P 1 on this project's 2-core VM). A reply nearly always
 * fits the kernel's send buffer and is taken at once, so the writer makes
 * the call Node's own writeGeneric makes (handle.writeBuffer) with one
 * reusable request object.
 *
 * Order: bytes reach the kernel in the order they were written. The writer
 * steps aside (socket.write) while the Writable holds bytes of its own; a
 * write the kernel cannot take at once stays in libuv's write queue, which
 * every later write on the handle joins behind it, and is counted in
 * `pending` until libuv reports it done. socket.end() waits for that queue
 * (libuv's shutdown does), socket.destroy() discards it, as for any write.
 *
 * The handle API is Node's internal one (the same `process.binding` it
 * documents as deprecated); when it is missing, create() returns null and
 * the client uses socket.write().
 */
import type net from 'node:net';

interface WriteReq {
  oncomplete: ((status: number) => void) | null;
  /** Keeps the bytes alive while libuv still points at them. */
  buffer: Buffer | null;
}

interface StreamHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

function loadBinding(): StreamWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || !(b.streamBaseState instanceof Int32Array) || typeof b.kLastWriteWasAsync !== 'number') {
      return null;
    }
    return b as StreamWrapBinding;
  } catch {
    return null;
  }
}

const binding = loadBinding();

export class DirectWriter {
  /** Bytes handed to libuv that the kernel has not taken yet. */
  pending = 0;
  /** Called when `pending` falls back to 0 (as the Writable's 'drain'). */
  onDrain: (() => void) | null = null;
  private req: WriteReq;

  private constructor(
    private readonly socket: net.Socket,
    private readonly b: StreamWrapBinding,
  ) {
    this.req = new b.WriteWrap();
  }

  /** A writer for this socket, or null when Node's handle API is not available. */
  static create(socket: net.Socket): DirectWriter | null {
    if (binding === null) return null;
    const h = (socket as unknown as { _handle: Partial<StreamHandle> | null })._handle;
    if (h === null || typeof h?.writeBuffer !== 'function') return null;
    return new DirectWriter(socket, binding);
  }

  /**
   * Writes `data`; true when the kernel took all of it, so the buffer may be
   * reused at once. False when it is still referenced (queued in libuv or in
   * the Writable).
   */
  write(data: Buffer): boolean {
    const s = this.socket;
    const h = (s as unknown as { _handle: StreamHandle | null })._handle;
    if (h === null || s.writableLength !== 0 || !s.writable) {
      s.write(data);
      return false;
    }
    const req = this.req;
    const err = h.writeBuffer(req, data);
    if (err !== 0) {
      // EPIPE, ECONNRESET...: the connection is gone, as the Writable would conclude.
      s.destroy();
      return false;
    }
    if (this.b.streamBaseState[this.b.kLastWriteWasAsync] === 0) return true;
    // The request object now belongs to the queued write; the next write gets a new one.
    this.req = new this.b.WriteWrap();
    const n = data.length;
    this.pending += n;
    req.buffer = data;
    req.oncomplete = (status: number): void => {
      req.buffer = null;
      this.pending -= n;
      if (status < 0) {
        if (!s.destroyed) s.destroy();
        return;
      }
      if (this.pending === 0) this.onDrain?.();
    };
    return false;
  }
}
