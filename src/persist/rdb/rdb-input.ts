/**
 * RDB reader primitives (rdbLoadLen, rdbGenericLoadStringObject, the double
 * and time forms) over a Buffer holding the whole file or payload. Running
 * past the end throws RdbTruncated, so the loader can tell a short file from
 * a corrupt one.
 */
import { lzfDecompress, lzfDecompressInto } from './lzf.js';
import { bytesToString } from '../../util/latin1.js';
import { RdbError } from './rdb-error.js';
import { RDB_ENCVAL, RDB_ENC_INT8, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_LZF, RDB_32BITLEN, RDB_64BITLEN } from './rdb-format.js';

export class RdbTruncated extends RdbError {
  constructor() {
    super('Short read or OOM loading DB. Unrecoverable error, aborting now.');
  }
}

export class RdbInput {
  pos: number;
  /**
   * Where the last region() string lies: in `buf` itself, or in the LZF
   * scratch buffer, which the next region() call overwrites.
   */
  regionBuf: Buffer;
  regionStart = 0;
  regionLen = 0;
  private scratch: Buffer | null = null;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
    this.regionBuf = buf;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RdbTruncated();
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** rdbLoadMillisecondTime (int64 little-endian; RDB 8 and earlier wrote it in host order, i.e. LE too). */
  millis(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  /** rdbLoadBinaryDoubleValue */
  binaryDouble(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** rdbLoadDoubleValue: the RDB_TYPE_ZSET score (length byte, 253 nan, 254 inf, 255 -inf). */
  stringDouble(): number {
    const n = this.byte();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    const s = this.bytes(n).toString('latin1');
    const v = Number(s);
    if (Number.isNaN(v) && !/^\s*[+-]?nan/i.test(s)) throw new RdbError(`bad double value "${s}"`);
    return v;
  }

  /** The length-prefix byte's "encoded" flag is returned as a negative special kind. */
  private lenOrEnc(): { len: number; enc: number } {
    const first = this.byte();
    const type = first >> 6;
    if (type === 0) return { len: first & 0x3f, enc: -1 };
    if (type === 1) return { len: ((first & 0x3f) << 8) | this.byte(), enc: -1 };
    if (type === RDB_ENCVAL) return { len: 0, enc: first & 0x3f };
    if (first === RDB_32BITLEN) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { len: v, enc: -1 };
    }
    if (first === RDB_64BITLEN) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError(`length ${v} is too large`);
      return { len: Number(v), enc: -1 };
    }
    throw new RdbError(`Unknown length encoding ${first} in rdbLoadLen()`);
  }

  /** rdbLoadLen: a plain length (an encoded string marker here is corruption). */
  len(): number {
    const r = this.lenOrEnc();
    if (r.enc !== -1) throw new RdbError('unexpected encoded string where a length was expected');
    return r.len;
  }

  /** A string object as raw bytes (ints rendered as decimal, LZF expanded). */
  stringBuffer(): Buffer {
    const r = this.lenOrEnc();
    if (r.enc === -1) return this.bytes(r.len);
    switch (r.enc) {
      case RDB_ENC_INT8: {
        this.need(1);
        const v = this.buf.readInt8(this.pos);
        this.pos += 1;
        return Buffer.from(String(v), 'latin1');
      }
      case RDB_ENC_INT16: {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return Buffer.from(String(v), 'latin1');
      }
      case RDB_ENC_INT32: {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return Buffer.from(String(v), 'latin1');
      }
      case RDB_ENC_LZF: {
        const clen = this.len();
        const len = this.len();
        const out = lzfDecompress(this.bytes(clen), len);
        if (out === null) throw new RdbError('Invalid LZF compressed string');
        return out;
      }
      default:
        throw new RdbError(`Unknown RDB string encoding type ${r.enc}`);
    }
  }

  /**
   * A string object's bytes without a Buffer of their own (listpacks and
   * ziplists decoded at once): sets regionBuf/regionStart/regionLen, valid
   * until the next region() call. Integer-encoded strings take the slow path.
   */
  region(): void {
    const first = this.pos < this.end ? this.buf[this.pos] : -1;
    const type = first >> 6;
    if (first !== -1 && type !== RDB_ENCVAL) {
      const n = this.len();
      this.need(n);
      this.regionBuf = this.buf;
      this.regionStart = this.pos;
      this.regionLen = n;
      this.pos += n;
      return;
    }
    if (first === (RDB_ENCVAL << 6 | RDB_ENC_LZF)) {
      this.pos++;
      const clen = this.len();
      const len = this.len();
      this.need(clen);
      let out = this.scratch;
      if (out === null || out.length < len) out = this.scratch = Buffer.allocUnsafe(Math.max(len, 4096));
      if (!lzfDecompressInto(this.buf, this.pos, this.pos + clen, out, len)) throw new RdbError('Invalid LZF compressed string');
      this.pos += clen;
      this.regionBuf = out;
      this.regionStart = 0;
      this.regionLen = len;
      return;
    }
    const b = this.stringBuffer();
    this.regionBuf = b;
    this.regionStart = 0;
    this.regionLen = b.length;
  }

  /** A string object as a latin1 JS string (keys, members, values). */
  string(): string {
    const first = this.buf[this.pos];
    // The common case without an intermediate Buffer: a plain short length.
    if (this.pos < this.end && first >> 6 === 0) {
      const n = first & 0x3f;
      this.need(1 + n);
      const s = bytesToString(this.buf, this.pos + 1, n);
      this.pos += 1 + n;
      return s;
    }
    const b = this.stringBuffer();
    return b.latin1Slice(0, b.length);
  }
}
