/**
 * The cluster bus transport: a TCP listener on the bus port and one link per
 * connection (clusterLink). Each node keeps an outbound link to every peer it
 * knows (node.link, opened by the cron) and accepts one inbound link from each
 * (node.inboundLink, bound to its node once a message names the sender).
 * Bytes are cut into frames here (bus-protocol.ts); what a frame means is
 * packet-handler.ts's business.
 */
import net from 'node:net';
import type { Cluster } from './cluster.js';
import type { ClusterNode } from './cluster-node.js';
import { BUS_HEADER_LEN, frameLength, frameType, MESSAGE_TYPE_COUNT } from './bus-protocol.js';

export class BusLink {
  readonly ctime = Date.now();
  node: ClusterNode | null;
  closed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly bus: ClusterBus,
    readonly socket: net.Socket,
    node: ClusterNode | null,
    readonly inbound: boolean,
  ) {
    this.node = node;
  }

  /** Bytes queued in the socket: CLUSTER LINKS' send-buffer-used. */
  get sendBufferUsed(): number {
    return this.socket.writableLength;
  }

  send(frame: Buffer): void {
    if (this.closed) return;
    const type = frameType(frame);
    if (type < MESSAGE_TYPE_COUNT) this.bus.cluster.state.messagesSent[type]++;
    this.socket.write(frame);
  }

  /** freeClusterLink: closes the socket and detaches the link from its node. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const n = this.node;
    if (n !== null) {
      if (n.link === this) n.link = null;
      else if (n.inboundLink === this) n.inboundLink = null;
    }
    this.bus.links.delete(this);
  }

  /** Cuts the stream into frames and hands each to the packet handler until the link closes. */
  onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (!this.closed && this.pendingBytes >= 8) {
      const head = this.pending.length === 1 ? this.pending[0] : this.join();
      const len = frameLength(head);
      if (len === 'bad') {
        this.bus.cluster.server.log.warning('Bad message length or signature received from Cluster bus.');
        this.close();
        return;
      }
      if (this.pendingBytes < len) return;
      const all = this.pending.length === 1 ? this.pending[0] : this.join();
      const frame = all.subarray(0, len);
      const rest = all.subarray(len);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      if (len >= BUS_HEADER_LEN) this.bus.cluster.packets.process(this, frame);
    }
  }

  private join(): Buffer {
    const b = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [b];
    return b;
  }
}

export class ClusterBus {
  private readonly servers: net.Server[] = [];
  /** Every open link, inbound and outbound (CLUSTER LINKS, shutdown). */
  readonly links = new Set<BusLink>();

  constructor(readonly cluster: Cluster) {}

  /** Listens on the bus port at every address `bind` names (optional ones may fail). */
  async listen(port: number): Promise<void> {
    const binds = this.cluster.server.config.get('bind').split(' ').filter((b) => b !== '');
    let bound = 0;
    for (const raw of binds) {
      const optional = raw.startsWith('-');
      let host = optional ? raw.slice(1) : raw;
      if (host === '*') host = '0.0.0.0';
      else if (host === '::*') host = '::';
      const srv = net.createServer({ noDelay: true }, (s) => this.accept(s));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port, host, ipv6Only: host.includes(':') }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
        for (const s of this.servers.splice(0)) s.close();
        throw e;
      }
      srv.on('error', (e) => this.cluster.server.log.warning(`Cluster bus listener error: ${e.message}`));
      this.servers.push(srv);
      bound++;
    }
    if (bound === 0) throw new Error('no bind address');
  }

  private accept(socket: net.Socket): void {
    const timeout = this.cluster.nodeTimeout();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, timeout * 2);
    this.cluster.server.log.verbose(`Accepting cluster node connection from ${socket.remoteAddress}:${socket.remotePort}`);
    const link = new BusLink(this, socket, null, true);
    this.links.add(link);
    this.wire(link);
  }

  /**
   * Opens the outbound link to a node (clusterNodeCronHandleReconnect). The
   * first message goes out once connected: a MEET for a node we were told to
   * meet, else a PING.
   */
  connect(node: ClusterNode, onConnected: (link: BusLink) => void): BusLink {
    const socket = net.connect({ host: node.ip, port: node.cport });
    socket.setNoDelay(true);
    const link = new BusLink(this, socket, node, false);
    node.link = link;
    this.links.add(link);
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      if (!link.closed) onConnected(link);
    });
    // A connect that fails counts as a PING sent when it was attempted, so a node whose link
    // broke (a crash) is PFAIL one node timeout later. cluster.c does this only when connect()
    // fails synchronously; on Linux even a refused loopback connect fails asynchronously, so
    // Redis starts the clock with the next PING, up to half a node timeout later, and its
    // failover takes node timeout + ~2.5 s. Ours stays within node timeout + 2 s (issue 8).
    socket.once('error', () => {
      if (!connected && node.pingSent === 0) node.pingSent = link.ctime;
    });
    this.wire(link);
    return link;
  }

  private wire(link: BusLink): void {
    const s = link.socket;
    s.on('data', (d: Buffer) => {
      if (!link.closed) link.onData(d);
    });
    s.on('error', (e) => {
      if (!link.inbound && link.node) this.cluster.server.log.verbose(`Connection with Node ${link.node.name} at ${link.node.ip}:${link.node.cport} failed: ${e.message}`);
      link.close();
    });
    s.on('close', () => link.close());
  }

  stop(): void {
    for (const s of this.servers.splice(0)) s.close();
    for (const l of [...this.links]) l.close();
  }
}
