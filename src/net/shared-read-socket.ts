/**
 * Accepting connections as sockets that read into one shared buffer.
 *
 * A plain net.Socket allocates a Buffer for every read and pushes it through
 * the Readable stream machinery before a 'data' listener sees it. Node's
 * `onread` option instead hands each read to a callback in a buffer we own;
 * measured on this project's 2-core machine that removes about a third of the
 * per-read cost of a trivial server. The option exists only on sockets we
 * construct, so we take over the listening handle's accept callback (the
 * `onconnection` Node's net.Server installs) and build each connection's one
 * Socket from the accepted libuv handle ourselves. Letting net.Server build
 * its Socket first and moving the handle into a second one cost a whole
 * Socket construction per connection: a third of a short-lived
 * connection's CPU.
 *
 * The callback's bytes are only valid until it returns: the request parser
 * copies whatever part of a request is still incomplete (RequestParser#retainInput).
 */
import net from 'node:net';
import { getSystemErrorName } from 'node:util';

const SHARED = Buffer.allocUnsafe(64 * 1024);

/** What a connection's bytes go to; the accept callback returns it. */
export type ReadTarget = (chunk: Buffer) => void;

/** The accepted client's libuv handle, as Node's TCP/Pipe wrap passes it. */
interface ClientHandle {
  setNoDelay?(on: boolean): number;
}

/** The private listening handle of a net.Server; Node has no public hook for accepting. */
interface ListenHandle {
  onconnection: ((err: number, client: ClientHandle) => void) | undefined;
}

/**
 * After `srv` is listening, has every new connection arrive as one Socket
 * (allowHalfOpen, TCP_NODELAY set) reading through the ReadTarget that
 * `accept` returns. False when this Node has no accept callback to take
 * over; then `srv` keeps emitting 'connection' with ordinary sockets.
 */
export function acceptWithSharedReads(srv: net.Server, accept: (socket: net.Socket) => ReadTarget): boolean {
  const handle = (srv as unknown as { _handle: ListenHandle | null })._handle;
  if (handle === null || typeof handle.onconnection !== 'function') return false;
  handle.onconnection = (err, clientHandle) => {
    if (err) {
      srv.emit('error', new Error(`accept: ${getSystemErrorName(err)}`));
      return;
    }
    clientHandle.setNoDelay?.(true);
    let target: ReadTarget | null = null;
    const opts = {
      handle: clientHandle,
      readable: true,
      writable: true,
      // An end of input is answered by the server (Server#accept), not by an automatic shutdown.
      allowHalfOpen: true,
      onread: {
        buffer: SHARED,
        callback: (n: number, buf: Buffer): boolean => {
          target!(buf.subarray(0, n));
          return true;
        },
      },
    };
    const socket = new net.Socket(opts as net.SocketConstructorOpts);
    // Reads start from the event loop, after this returns: target is set by then.
    target = accept(socket);
  };
  return true;
}
