/**
 * Bytes → argv, as networking.c's processInlineBuffer and
 * processMultibulkBuffer read a client's query buffer.
 *
 * Pure and incremental: `feed()` hands over whatever the socket delivered,
 * `next()` returns one complete request, or null when the bytes so far end
 * mid-request (a normal result, not an error), or throws a ProtocolError
 * carrying Redis's text. A request split at any byte boundary parses the same.
 *
 * Arguments come out as latin1 strings (one char per byte): binary-safe, and
 * cheap as Map keys. Bulks of 32 KiB or more are gathered into a buffer of
 * their final size as chunks arrive, so a 100 MB value is copied once rather
 * than re-concatenated on every read.
 */
import { bytesToString, type Latin1Buffer } from '../util/latin1.js';
import { splitArgs } from '../util/split-args.js';
import { PROTOCOL_ERR } from './errors.js';

export class ProtocolError extends Error {}

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** Unauthenticated clients get tight limits so a stranger cannot make the server allocate (Redis 7.0). */
  authenticated: boolean;
}

const INLINE_MAX = 64 * 1024;
const EMPTY = Buffer.alloc(0);
const BIG_ARG = 32 * 1024;
const MAX_MULTIBULK = 2147483647; // INT_MAX, as Redis 7.0 checks


export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Arguments still expected in the current multibulk request; 0 when between requests. */
  private mbLeft = 0;
  /** Length of the bulk being read, or -1 while waiting for its `$` line. */
  private bulkLen = -1;
  private argv: string[] = [];
  /** A large bulk being filled in place, and how much of it has arrived. */
  private big: Buffer | null = null;
  private bigFill = 0;

  constructor(readonly limits: ParserLimits) {}

  /** Bytes buffered but not yet consumed (for client-query-buffer-limit and CLIENT LIST qbuf). */
  get pending(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFill : 0);
  }

  /** True while a multibulk request is partially read. */
  get midRequest(): boolean {
    return this.mbLeft > 0 || this.pos < this.buf.length;
  }

  feed(chunk: Buffer): void {
    if (this.big) {
      const need = this.big.length - this.bigFill;
      const n = Math.min(need, chunk.length);
      chunk.copy(this.big, this.bigFill, 0, n);
      this.bigFill += n;
      if (n === chunk.length) return;
      chunk = chunk.subarray(n);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /**
   * Copies the unparsed tail into a buffer of our own, so the caller may reuse
   * the chunk it fed (reads into one shared buffer).
   */
  retainInput(): void {
    if (this.pos < this.buf.length) {
      this.buf = Buffer.from(this.buf.subarray(this.pos));
    } else {
      this.buf = EMPTY;
    }
    this.pos = 0;
  }

  next(): string[] | null {
    for (;;) {
      if (this.big) {
        if (!this.finishBig()) return null;
        if (this.mbLeft === 0) return this.take();
        continue;
      }
      if (this.mbLeft === 0) {
        if (this.pos >= this.buf.length) return null;
        if (this.buf[this.pos] !== 0x2a) {
          const r = this.inline();
          if (r === null) return null;
          if (r.length === 0) continue; // an empty line is skipped, as Redis does
          return r;
        }
        if (this.limits.authenticated) {
          const fast = this.wholeMultibulk();
          if (fast !== null) return fast;
        }
        const n = this.readLineInt(PROTOCOL_ERR.bigMbulkCount, 1);
        if (n === null) return null;
        if (n === false || n > MAX_MULTIBULK || (!this.limits.authenticated && n > 10)) {
          throw new ProtocolError(PROTOCOL_ERR.invalidMbulkLen);
        }
        if (n <= 0) continue;
        this.mbLeft = n;
        this.argv = [];
      }
      while (this.mbLeft > 0) {
        if (this.bulkLen < 0) {
          if (this.pos >= this.buf.length) return null;
          const c = this.buf[this.pos];
          if (c !== 0x24) {
            // Redis checks for the line end before the '$'; do the same so the error is identical.
            const cr = findLineEnd(this.buf, this.pos, 13);
            if (cr < 0 || cr + 1 >= this.buf.length) {
              if (this.buf.length - this.pos > INLINE_MAX) throw new ProtocolError(PROTOCOL_ERR.bigBulkCount);
              return null;
            }
            throw new ProtocolError(PROTOCOL_ERR.expectedDollar(String.fromCharCode(c)));
          }
          const len = this.readLineInt(PROTOCOL_ERR.bigBulkCount, 1);
          if (len === null) return null;
          const max = this.limits.authenticated ? this.limits.maxBulkLen : 16384;
          if (len === false || len < 0 || len > max) throw new ProtocolError(PROTOCOL_ERR.invalidBulkLen);
          this.bulkLen = len;
        }
        const avail = this.buf.length - this.pos;
        if (avail < this.bulkLen + 2) {
          if (this.bulkLen >= BIG_ARG) {
            this.big = Buffer.allocUnsafe(this.bulkLen + 2);
            this.buf.copy(this.big, 0, this.pos);
            this.bigFill = avail;
            this.buf = Buffer.alloc(0);
            this.pos = 0;
            if (!this.finishBig()) return null;
            continue;
          }
          return null;
        }
        const start = this.pos;
        this.argv.push(
          this.argv.length === 0 ? internName(this.buf, start, this.bulkLen) : bytesToString(this.buf, start, this.bulkLen),
        );
        this.pos = start + this.bulkLen + 2;
        this.bulkLen = -1;
        this.mbLeft--;
      }
      return this.take();
    }
  }

  /**
   * The common case in one tight pass over local variables: a well-formed
   * request entirely in the buffer, no big bulks. Anything else — incomplete,
   * malformed, large — returns null without consuming, and the general
   * state machine below takes it from the start, errors included.
   */
  private wholeMultibulk(): string[] | null {
    const b = this.buf;
    const end = b.length;
    let p = this.pos + 1;
    let c = b[p];
    if (!(c >= 49 && c <= 57)) return null;
    let n = 0;
    while (p < end && (c = b[p]) >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      p++;
    }
    if (p + 1 >= end || c !== 13 || n > 1024 * 1024) return null;
    p += 2;
    const argv: string[] = new Array(n);
    const max = this.limits.maxBulkLen;
    for (let i = 0; i < n; i++) {
      if (p >= end || b[p] !== 0x24) return null;
      p++;
      c = b[p];
      if (!(c >= 48 && c <= 57) || (c === 48 && b[p + 1] !== 13)) return null;
      let len = 0;
      while (p < end && (c = b[p]) >= 48 && c <= 57) {
        len = len * 10 + (c - 48);
        p++;
      }
      if (p + 1 >= end || c !== 13 || len >= BIG_ARG || len > max) return null;
      p += 2;
      if (p + len + 2 > end) return null;
      argv[i] = i === 0 ? internName(b, p, len) : bytesToString(b, p, len);
      p += len + 2;
    }
    this.pos = p;
    return argv;
  }

  private take(): string[] {
    const a = this.argv;
    this.argv = [];
    return a;
  }

  /** Completes a large bulk once all its bytes (and CRLF) have arrived. */
  private finishBig(): boolean {
    const big = this.big!;
    if (this.bigFill < big.length) return false;
    this.argv.push((big as Latin1Buffer).latin1Slice(0, big.length - 2));
    this.big = null;
    this.bigFill = 0;
    this.bulkLen = -1;
    this.mbLeft--;
    return true;
  }

  /**
   * Reads `<prefix><integer>\r\n` at pos. Returns null if the line is not complete,
   * false if the integer is malformed. Like Redis, only the CR is searched for and
   * the byte after it is skipped unchecked.
   */
  private readLineInt(tooBig: string, skip: number): number | false | null {
    const buf = this.buf;
    const len = buf.length;
    const start = this.pos;
    // A plain loop beats Buffer.indexOf on lines this short. A NUL ends the
    // search like strchr does in Redis: the line counts as unfinished.
    let cr = start;
    while (cr < len) {
      const b = buf[cr];
      if (b === 13) break;
      if (b === 0) {
        cr = len;
        break;
      }
      cr++;
    }
    if (cr + 1 >= len) {
      if (len - start > INLINE_MAX) throw new ProtocolError(tooBig);
      return null;
    }
    if (cr - start > INLINE_MAX) throw new ProtocolError(tooBig);
    let i = start + skip;
    let neg = false;
    let ok = i < cr;
    if (ok && buf[i] === 0x2d) {
      neg = true;
      i++;
      ok = i < cr;
    }
    let n = 0;
    if (ok && buf[i] === 0x30 && cr - i > 1) ok = false; // leading zero
    if (ok && neg && buf[i] === 0x30) ok = false; // "-0"
    for (; ok && i < cr; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) ok = false;
      else n = n * 10 + d;
    }
    this.pos = cr + 2;
    if (!ok || n > Number.MAX_SAFE_INTEGER) return false;
    return neg ? -n : n;
  }

  private inline(): string[] | null {
    const buf = this.buf;
    // One JS pass finds the LF (a NUL first means "no line yet", as strchr).
    let nl = this.pos;
    const blen = buf.length;
    while (nl < blen) {
      const b = buf[nl];
      if (b === 10) break;
      if (b === 0) {
        nl = blen;
        break;
      }
      nl++;
    }
    if (nl >= blen) nl = -1;
    if (nl < 0) {
      if (buf.length - this.pos > INLINE_MAX) throw new ProtocolError(PROTOCOL_ERR.bigInline);
      return null;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === 13) end--;
    // Without quotes a line is just words between whitespace: split the bytes directly.
    const words: string[] = [];
    let i = this.pos;
    let quoted = false;
    while (i < end) {
      let c = buf[i];
      if (c === 32 || (c >= 9 && c <= 13)) {
        i++;
        continue;
      }
      const start = i;
      while (i < end && !((c = buf[i]) === 32 || (c >= 9 && c <= 13))) {
        if (c === 34 || c === 39) quoted = true;
        i++;
      }
      if (quoted) break;
      words.push(words.length === 0 ? internName(buf, start, i - start) : bytesToString(buf, start, i - start));
    }
    if (!quoted) {
      this.pos = nl + 1;
      return words;
    }
    const line = (buf as Latin1Buffer).latin1Slice(this.pos, end);
    this.pos = nl + 1;
    const argv = splitArgs(line);
    if (argv === null) throw new ProtocolError(PROTOCOL_ERR.unbalancedQuotes);
    return argv;
  }
}


/**
 * Command names repeat on every request; a small cache keyed by a hash of the
 * bytes hands back the same string instead of allocating one per request.
 */
const NAME_CACHE: Array<string | undefined> = new Array(512);

function internName(buf: Buffer, start: number, len: number): string {
  if (len > 16) return (buf as Latin1Buffer).latin1Slice(start, start + len);
  let h = len;
  for (let i = 0; i < len; i++) h = (h * 31 + buf[start + i]) | 0;
  const slot = h & 511;
  const cached = NAME_CACHE[slot];
  if (cached !== undefined && cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return cached;
  }
  const s = (buf as Latin1Buffer).latin1Slice(start, start + len);
  NAME_CACHE[slot] = s;
  return s;
}

/**
 * Redis finds line ends with strchr, which stops at a NUL byte: a NUL before
 * the terminator means "no line end yet". Reproduced so malformed input gets
 * the same error as from Redis.
 */
function findLineEnd(buf: Buffer, pos: number, ch: number): number {
  const i = buf.indexOf(ch, pos);
  if (i < 0) return -1;
  for (let j = pos; j < i; j++) if (buf[j] === 0) return -1;
  return i;
}


