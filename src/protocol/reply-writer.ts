/**
 * Encodes replies as RESP2 or RESP3 into one pending string per client.
 *
 * Strings are latin1 (one char per byte), so a bulk's length is `s.length` and
 * the whole pending output is handed to the socket once per read event with
 * `socket.write(out, 'latin1')`: a pipeline of a thousand GETs costs one write.
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
  bulkBuffer(b: Buffer): void;
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

const OK = '+OK\r\n';

export class ReplyWriter implements ReplySink {
  resp: RespVersion = 2;
  out = '';
  /** Called for every error reply with its text, for errorstats and failed_calls. */
  onError: ((msg: string) => void) | null = null;

  take(): string {
    const s = this.out;
    this.out = '';
    return s;
  }

  ok(): void {
    this.out += OK;
  }

  simple(s: string): void {
    this.out += '+' + s + '\r\n';
  }

  error(msg: string): void {
    // Errors can quote user input; a CR or LF would break the framing (addReplyErrorSdsSafe).
    if (msg.includes('\r') || msg.includes('\n')) msg = msg.replace(/[\r\n]/g, ' ');
    this.out += '-' + msg + '\r\n';
    if (this.onError) this.onError(msg);
  }

  int(n: number | bigint): void {
    this.out += ':' + n + '\r\n';
  }

  bulk(s: string): void {
    this.out += '$' + s.length + '\r\n' + s + '\r\n';
  }

  bulkBuffer(b: Buffer): void {
    this.out += '$' + b.length + '\r\n' + b.toString('latin1') + '\r\n';
  }

  nil(): void {
    this.out += this.resp === 2 ? '$-1\r\n' : '_\r\n';
  }

  nilArray(): void {
    this.out += this.resp === 2 ? '*-1\r\n' : '_\r\n';
  }

  array(n: number): void {
    this.out += '*' + n + '\r\n';
  }

  map(n: number): void {
    this.out += this.resp === 2 ? '*' + n * 2 + '\r\n' : '%' + n + '\r\n';
  }

  set(n: number): void {
    this.out += (this.resp === 2 ? '*' : '~') + n + '\r\n';
  }

  push(n: number): void {
    this.out += (this.resp === 2 ? '*' : '>') + n + '\r\n';
  }

  double(d: number): void {
    const s = formatG17(d);
    if (this.resp === 2) this.bulk(s);
    else this.out += ',' + s + '\r\n';
  }

  bool(b: boolean): void {
    if (this.resp === 2) this.out += b ? ':1\r\n' : ':0\r\n';
    else this.out += b ? '#t\r\n' : '#f\r\n';
  }

  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 2) this.bulk(s);
    else this.out += '=' + (s.length + 4) + '\r\n' + format + ':' + s + '\r\n';
  }

  bigNumber(s: string): void {
    if (this.resp === 2) this.bulk(s);
    else this.out += '(' + s + '\r\n';
  }

  raw(s: string): void {
    this.out += s;
  }
}
