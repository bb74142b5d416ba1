/**
 * The cluster bus wire format: Reddish's own (README.md beside this file),
 * carrying what Redis's clusterMsg carries. Pure encode/decode, no sockets.
 *
 * A frame is a 12-byte header and a JSON payload:
 *
 *   0  "RDcb"                     signature
 *   4  u32 big-endian             frame length, header included
 *   8  u16 big-endian             protocol version (1)
 *   10 u16 big-endian             message type (Redis's CLUSTERMSG_TYPE_* numbers)
 *   12 UTF-8 JSON                 { "hdr": {...}, ...type-specific fields }
 *
 * Every message starts with the sender's view of itself (hdr): id, announced
 * address, flags, master, epochs, replication offset and the slots it (or its
 * master) serves, as a base64 bitmap of 2048 bytes laid out as Redis's.
 */
import { SLOT_BYTES } from './cluster-node.js';

export const BUS_SIGNATURE = 'RDcb';
export const BUS_VERSION = 1;
export const BUS_HEADER_LEN = 12;
/** A frame longer than this is a broken or hostile peer: the link is dropped. */
export const BUS_MAX_FRAME = 16 * 1024 * 1024;

/** Redis's message type numbers, so CLUSTER INFO's per-type counters line up. */
export const MSG_PING = 0;
export const MSG_PONG = 1;
export const MSG_MEET = 2;
export const MSG_FAIL = 3;
export const MSG_PUBLISH = 4;
export const MSG_AUTH_REQUEST = 5;
export const MSG_AUTH_ACK = 6;
export const MSG_UPDATE = 7;
export const MSG_MFSTART = 8;
export const MSG_PUBLISHSHARD = 10;
/** Message types Redis counts in CLUSTER INFO (CLUSTERMSG_TYPE_COUNT). */
export const MESSAGE_TYPE_COUNT = 11;

/** clusterMsg's mflags[0]: the master paused its clients for a manual failover. */
export const MFLAG_PAUSED = 1;
/** mflags[0] of a manual failover's vote request: vote even though the master is up. */
export const MFLAG_FORCEACK = 2;

export interface BusHeader {
  sender: string;
  /** cluster-announce-ip, or '' to let the receiver use the connection's peer address. */
  myip: string;
  port: number;
  pport: number;
  cport: number;
  hostname: string;
  flags: number;
  /** Our master's id when we are a replica, else null. */
  slaveof: string | null;
  currentEpoch: number;
  /** Our configEpoch, or our master's when we are a replica. */
  configEpoch: number;
  /** Replication offset (master_repl_offset, or the processed offset of a replica). */
  offset: number;
  /** Slots bitmap, base64. */
  slots: string;
  state: 'ok' | 'fail';
  mflags: number;
}

/** What a PING/PONG/MEET says about another node (clusterMsgDataGossip). Times are unix seconds. */
export interface GossipEntry {
  id: string;
  ip: string;
  port: number;
  pport: number;
  cport: number;
  flags: number;
  pingSent: number;
  pongReceived: number;
}

export type BusMessage =
  | { type: typeof MSG_PING | typeof MSG_PONG | typeof MSG_MEET; hdr: BusHeader; gossip: GossipEntry[] }
  | { type: typeof MSG_FAIL; hdr: BusHeader; about: string }
  | { type: typeof MSG_UPDATE; hdr: BusHeader; about: string; configEpoch: number; slots: string }
  | { type: typeof MSG_PUBLISH | typeof MSG_PUBLISHSHARD; hdr: BusHeader; channel: string; message: string }
  | { type: typeof MSG_AUTH_REQUEST | typeof MSG_AUTH_ACK | typeof MSG_MFSTART; hdr: BusHeader };

export function encodeSlots(bitmap: Uint8Array): string {
  return Buffer.from(bitmap.buffer, bitmap.byteOffset, bitmap.byteLength).toString('base64');
}

/** The bitmap a header or UPDATE carries; null when it is not 2048 bytes. */
export function decodeSlots(b64: string): Uint8Array | null {
  const b = Buffer.from(b64, 'base64');
  if (b.length !== SLOT_BYTES) return null;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function encodeMessage(msg: BusMessage): Buffer {
  const { type, ...body } = msg;
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  const frame = Buffer.allocUnsafe(BUS_HEADER_LEN + json.length);
  frame.write(BUS_SIGNATURE, 0, 'latin1');
  frame.writeUInt32BE(frame.length, 4);
  frame.writeUInt16BE(BUS_VERSION, 8);
  frame.writeUInt16BE(type, 10);
  json.copy(frame, BUS_HEADER_LEN);
  return frame;
}

/**
 * Frame length announced by the first 8 bytes, or 'bad' when the signature
 * or the length is wrong (the link is then dropped, as clusterReadHandler does).
 */
export function frameLength(buf: Buffer): number | 'bad' {
  if (buf.toString('latin1', 0, 4) !== BUS_SIGNATURE) return 'bad';
  const len = buf.readUInt32BE(4);
  if (len < BUS_HEADER_LEN || len > BUS_MAX_FRAME) return 'bad';
  return len;
}

/** Message type of a complete frame (for the per-type counters, even when the body is refused). */
export function frameType(frame: Buffer): number {
  return frame.readUInt16BE(10);
}

/**
 * Decodes a complete frame. Null for another protocol version, an unknown
 * type or a body that does not have the fields its type needs: such frames
 * are ignored, as Redis ignores packets whose length does not match.
 */
export function decodeMessage(frame: Buffer): BusMessage | null {
  if (frame.readUInt16BE(8) !== BUS_VERSION) return null;
  const type = frame.readUInt16BE(10);
  let body: unknown;
  try {
    body = JSON.parse(frame.toString('utf8', BUS_HEADER_LEN));
  } catch {
    return null;
  }
  if (!isObject(body) || !isHeader(body.hdr)) return null;
  const hdr = body.hdr;
  switch (type) {
    case MSG_PING:
    case MSG_PONG:
    case MSG_MEET:
      if (!Array.isArray(body.gossip) || !body.gossip.every(isGossip)) return null;
      return { type, hdr, gossip: body.gossip };
    case MSG_FAIL:
      if (typeof body.about !== 'string') return null;
      return { type, hdr, about: body.about };
    case MSG_UPDATE:
      if (typeof body.about !== 'string' || !isCount(body.configEpoch) || typeof body.slots !== 'string') return null;
      return { type, hdr, about: body.about, configEpoch: body.configEpoch, slots: body.slots };
    case MSG_PUBLISH:
    case MSG_PUBLISHSHARD:
      if (typeof body.channel !== 'string' || typeof body.message !== 'string') return null;
      return { type, hdr, channel: body.channel, message: body.message };
    case MSG_AUTH_REQUEST:
    case MSG_AUTH_ACK:
    case MSG_MFSTART:
      return { type, hdr };
    default:
      return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isPort(v: unknown): v is number {
  return isCount(v) && v <= 65535;
}

function isHeader(v: unknown): v is BusHeader {
  return (
    isObject(v) &&
    typeof v.sender === 'string' &&
    typeof v.myip === 'string' &&
    isPort(v.port) &&
    isPort(v.pport) &&
    isPort(v.cport) &&
    typeof v.hostname === 'string' &&
    isCount(v.flags) &&
    (v.slaveof === null || typeof v.slaveof === 'string') &&
    isCount(v.currentEpoch) &&
    isCount(v.configEpoch) &&
    isCount(v.offset) &&
    typeof v.slots === 'string' &&
    (v.state === 'ok' || v.state === 'fail') &&
    isCount(v.mflags)
  );
}

function isGossip(v: unknown): v is GossipEntry {
  return (
    isObject(v) &&
    typeof v.id === 'string' &&
    typeof v.ip === 'string' &&
    isPort(v.port) &&
    isPort(v.pport) &&
    isPort(v.cport) &&
    isCount(v.flags) &&
    isCount(v.pingSent) &&
    isCount(v.pongReceived)
  );
}
