/**
 * Encodes replies as RESP2 or RESP3 into one pending byte buffer per client.
 *
 * Strings are latin1 (one char per byte), so a bulk's length is `s.length`
 * and `latin1Write` copies it straight into the buffer. A read event's replies
 * all land in the same buffer and go to the socket in one write; when the
 * kernel took them at once (the usual case) the buffer is reused, so a
 * pipeline of a thousand GETs costs one write and no allocation.
 * Handlers only see the ReplySink interface; the same interface will let EXEC
 * and Lua's redis.call capture replies.
 */
import { formatG17 } from '../util/numbers.js';

export type RespVersion = 2 | 3;

export interface ReplySink {
  readonly resp: RespVersion;
  ok(): void;
  simple(s: string): void;
  error(msg: string): void;
  int(n: number | bigint): void;
  bulk(s: string): void;
  /** The bulk string `<a>-<b>` (a stream ID), a and b integers in [0, 2^53). */
  bulkIntPair(a: number, b: number): void;
  bulkBuffer(b: Buffer): void;
  /** The bulk string of bytes b[start, start + len) (a list element in its node). */
  bulkBytes(b: Uint8Array, start: number, len: number): void;
  /** A missing value: `$-1` in RESP2, `_` in RESP3. */
  nil(): void;
  /** A missing aggregate: `*-1` in RESP2, `_` in RESP3. */
  nilArray(): void;
  array(n: number): void;
  /** n key/value pairs: `%n` in RESP3, `*2n` in RESP2. */
  map(n: number): void;
  set(n: number): void;
  push(n: number): void;
  double(d: number): void;
  bool(b: boolean): void;
  verbatim(s: string, format?: string): void;
  bigNumber(s: string): void;
  /** Pre-encoded bytes, for replies built elsewhere (shared replies, MONITOR lines). */
  raw(s: string): void;
}

const INITIAL = 16 * 1024;
/** Buffers grown past this (a big GET) are not kept for reuse. */
const KEEP_MAX = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Decimal digits of a non-negative int32 (integer ops only: `%` on a double is a libm call). */
function smallDigitCount(n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
  return digits;
}

function writeSmall(b: Buffer, p: number, n: number, digits: number): number {
  let q = p + digits - 1;
  let x = n;
  do {
    const next = (x / 10) | 0;
    b[q--] = 48 + x - next * 10;
    x = next;
  } while (q >= p);
  return p + digits;
}

const SPLIT = 1e8;

function digitCount(n: number): number {
  if (n < 0x7fffffff) return smallDigitCount(n);
  return smallDigitCount(Math.floor(n / SPLIT)) + 8;
}

/**
 * Writes a non-negative integer below 2^53 in decimal at p; returns the
 * position after it. Above int32 range it is written as two int32 halves
 * (high part, then the low 8 digits zero-padded).
 */
export function writeDigits(b: Buffer, p: number, n: number): number {
  if (n < 0x7fffffff) return writeSmall(b, p, n, smallDigitCount(n));
  const hi = Math.floor(n / SPLIT);
  const lo = n - hi * SPLIT;
  p = writeSmall(b, p, hi, smallDigitCount(hi));
  return writeSmall(b, p, lo, 8);
}

/** bulkIntPair's last first half and its decimal digits (shared by every writer: one thread). */
let pairHigh = -1;
let pairHighLen = 0;
const pairHighDigits = Buffer.alloc(20);

export class ReplyWriter implements ReplySink {
  resp: RespVersion = 2;
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** The buffer handed to the last detach(), returned by reuse() when its bytes are gone. */
  private lent: Buffer | null = null;
  /** Called for every error reply with its text, for errorstats and failed_calls. */
  onError: ((msg: string) => void) | null = null;

  /** Bytes pending. */
  get length(): number {
    return this.pos;
  }

  /** The buffer whose first `length` bytes are pending; valid until the next write. */
  get pending(): Buffer {
    return this.buf;
  }

  /** Drops whatever was written after `mark` (CLIENT REPLY OFF/SKIP). */
  truncate(mark: number): void {
    if (mark < this.pos) this.pos = mark;
  }

  /** The pending bytes as a latin1 string, emptying the buffer (tests, captures). */
  take(): string {
    const s = this.buf.latin1Slice(0, this.pos);
    this.pos = 0;
    return s;
  }

  /**
   * The pending bytes, for one socket write. The writer starts a fresh buffer;
   * call reuse() once the consumer no longer needs the returned bytes.
   */
  detach(): Buffer {
    const full = this.buf;
    const view = full.subarray(0, this.pos);
    this.lent = full.length <= KEEP_MAX ? full : null;
    this.buf = EMPTY;
    this.pos = 0;
    return view;
  }

  reuse(): void {
    if (this.lent !== null && this.pos === 0) this.buf = this.lent;
    this.lent = null;
  }

  private grow(n: number): void {
    const need = this.pos + n;
    let cap = this.buf.length === 0 ? INITIAL : this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private str(s: string): void {
    const len = s.length;
    if (this.pos + len > this.buf.length) this.grow(len);
    this.copy(s, len);
  }

  /** Short strings are copied by a JS loop: cheaper than a call into latin1Write. */
  private copy(s: string, len: number): void {
    const b = this.buf;
    let p = this.pos;
    if (len <= 32) {
      for (let i = 0; i < len; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos = p + b.latin1Write(s, p);
    }
  }

  bulkBytes(src: Uint8Array, start: number, len: number): void {
    this.header(36, len);
    if (this.pos + len + 2 > this.buf.length) this.grow(len + 2);
    const b = this.buf;
    let p = this.pos;
    if (len <= 32) {
      for (let i = 0; i < len; i++) b[p++] = src[start + i];
    } else {
      b.set(src.subarray(start, start + len), p);
      p += len;
    }
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  /** A type byte, a decimal number, CRLF: every RESP header. */
  private header(type: number, n: number): void {
    if (this.pos + 24 > this.buf.length) this.grow(24);
    const b = this.buf;
    let p = this.pos;
    b[p++] = type;
    if (n >= 0 && n < 1e15) p = writeDigits(b, p, n);
    else p += b.latin1Write(String(n), p);
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  bulkIntPair(a: number, c: number): void {
    // Stream IDs: a millisecond time is a double, and its toString costs more than the rest of an XADD.
    // Consecutive IDs share their time (hundreds per ms under load), so its digits are kept.
    if (a !== pairHigh) {
      pairHighLen = writeDigits(pairHighDigits, 0, a);
      pairHigh = a;
    }
    const hl = pairHighLen;
    const len = hl + 1 + digitCount(c);
    this.header(36, len);
    if (this.pos + len + 2 > this.buf.length) this.grow(len + 2);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < hl; i++) b[p++] = pairHighDigits[i];
    b[p++] = 45;
    p = writeDigits(b, p, c);
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  ok(): void {
    this.str('+OK\r\n');
  }

  simple(s: string): void {
    this.str('+' + s + '\r\n');
  }

  error(msg: string): void {
    // Errors can quote user input; a CR or LF would break the framing (addReplyErrorSdsSafe).
    if (msg.includes('\r') || msg.includes('\n')) msg = msg.replace(/[\r\n]/g, ' ');
    this.str('-' + msg + '\r\n');
    if (this.onError) this.onError(msg);
  }

  int(n: number | bigint): void {
    if (typeof n === 'number') this.header(58, n);
    else this.str(':' + n + '\r\n');
  }

  bulk(s: string): void {
    const len = s.length;
    this.header(36, len);
    if (this.pos + len + 2 > this.buf.length) this.grow(len + 2);
    this.copy(s, len);
    const b = this.buf;
    b[this.pos++] = 13;
    b[this.pos++] = 10;
  }

  bulkBuffer(v: Buffer): void {
    const len = v.length;
    this.header(36, len);
    if (this.pos + len + 2 > this.buf.length) this.grow(len + 2);
    const b = this.buf;
    this.pos += v.copy(b, this.pos);
    b[this.pos++] = 13;
    b[this.pos++] = 10;
  }

  nil(): void {
    this.str(this.resp === 2 ? '$-1\r\n' : '_\r\n');
  }

  nilArray(): void {
    this.str(this.resp === 2 ? '*-1\r\n' : '_\r\n');
  }

  array(n: number): void {
    this.header(42, n);
  }

  map(n: number): void {
    if (this.resp === 2) this.header(42, n * 2);
    else this.header(37, n);
  }

  set(n: number): void {
    this.header(this.resp === 2 ? 42 : 126, n);
  }

  push(n: number): void {
    this.header(this.resp === 2 ? 42 : 62, n);
  }

  double(d: number): void {
    const s = formatG17(d);
    if (this.resp === 2) this.bulk(s);
    else this.str(',' + s + '\r\n');
  }

  bool(b: boolean): void {
    if (this.resp === 2) this.str(b ? ':1\r\n' : ':0\r\n');
    else this.str(b ? '#t\r\n' : '#f\r\n');
  }

  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 2) this.bulk(s);
    else {
      this.header(61, s.length + 4);
      this.str(format + ':');
      this.str(s);
      this.str('\r\n');
    }
  }

  bigNumber(s: string): void {
    if (this.resp === 2) this.bulk(s);
    else this.str('(' + s + '\r\n');
  }

  raw(s: string): void {
    this.str(s);
  }
}
