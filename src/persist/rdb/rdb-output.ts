/**
 * RDB writer primitives (rdbSaveLen, rdbSaveRawString, rdbSaveBinaryDoubleValue
 * ...) over one growable Buffer. The snapshot writer takes() the bytes in
 * chunks and hands them to its sink, so a big save never sits in memory whole.
 *
 * Strings follow rdbSaveRawString: up to 11 bytes that are a canonical int32
 * are stored as an integer encoding; longer than 20 bytes, LZF-compressed when
 * `compress` (rdbcompression) and the result saves at least 4 bytes.
 */
import { lzfCompressInto } from './lzf.js';
import {
  RDB_14BITLEN, RDB_32BITLEN, RDB_64BITLEN, RDB_ENCVAL, RDB_ENC_INT8, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_LZF,
} from './rdb-format.js';

export class RdbOutput {
  private buf: Buffer;
  private pos = 0;

  constructor(readonly compress = true, initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The bytes written since the last take(), as a Buffer of their own. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  /** A view of everything written so far (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** rdbSaveLen */
  len(n: number): void {
    this.room(9);
    const b = this.buf;
    if (n < 1 << 6) {
      b[this.pos++] = n;
    } else if (n < 1 << 14) {
      b[this.pos++] = (RDB_14BITLEN << 6) | (n >> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = RDB_32BITLEN;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = RDB_64BITLEN;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** A little-endian uint32 (RDB_OPCODE_EXPIRETIME seconds). */
  u32le(n: number): void {
    this.room(4);
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4;
  }

  /** rdbSaveMillisecondTime: int64 little-endian. */
  millis(ms: number): void {
    this.room(8);
    this.buf.writeBigInt64LE(BigInt(ms), this.pos);
    this.pos += 8;
  }

  /** rdbSaveBinaryDoubleValue: IEEE 754 little-endian. */
  double(d: number): void {
    this.room(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** rdbSaveRawString for a latin1 string (a key, a member, a value). */
  string(s: string): void {
    const n = s.length;
    if (n <= 11 && n > 0 && this.tryIntString(s)) return;
    if (this.compress && n > 20) {
      const bytes = Buffer.from(s, 'latin1');
      if (this.tryLzf(bytes)) return;
      this.len(n);
      this.raw(bytes);
      return;
    }
    this.len(n);
    this.room(n);
    if (n <= 32) {
      // Short strings (most keys and values): a JS loop beats the native call's overhead.
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += this.buf.latin1Write(s, this.pos, n);
    }
  }

  /** rdbSaveRawString for bytes (a listpack or intset blob, a Bytes value). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n <= 11 && n > 0) {
      const s = Buffer.from(b.buffer, b.byteOffset, n).toString('latin1');
      if (this.tryIntString(s)) return;
    }
    if (this.compress && n > 20 && this.tryLzf(b)) return;
    this.len(n);
    this.raw(b);
  }

  /** An integer as rdbSaveLongLongAsStringObject writes it (used for AUX values). */
  integer(v: number): void {
    if (!this.tryIntString(String(v))) this.string(String(v));
  }

  /** rdbTryIntegerEncoding + rdbEncodeInteger: only canonical decimals that fit int32. */
  private tryIntString(s: string): boolean {
    const c0 = s.charCodeAt(0);
    if (!((c0 >= 48 && c0 <= 57) || c0 === 45)) return false;
    const v = Number(s);
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647 || String(v) !== s) return false;
    if (s === '-0') return false;
    this.room(5);
    const b = this.buf;
    if (v >= -128 && v <= 127) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
      b.writeInt8(v, this.pos);
      this.pos += 1;
    } else if (v >= -32768 && v <= 32767) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      b.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
      b.writeInt32LE(v, this.pos);
      this.pos += 4;
    }
    return true;
  }

  /** rdbSaveLzfStringObject: worth it only when it saves more than 4 bytes. */
  private tryLzf(b: Uint8Array): boolean {
    if (b.length <= 4) return false;
    const outLen = b.length - 4;
    if (lzfScratch.length < outLen + 8) lzfScratch = Buffer.allocUnsafe(Math.max(outLen + 8, lzfScratch.length * 2));
    const n = lzfCompressInto(b, lzfScratch, outLen);
    if (n === 0) return false;
    this.byte((RDB_ENCVAL << 6) | RDB_ENC_LZF);
    this.len(n);
    this.len(b.length);
    this.room(n);
    lzfScratch.copy(this.buf, this.pos, 0, n);
    this.pos += n;
    return true;
  }
}

/** Compressed bytes land here before being copied after their lengths (which come first). */
let lzfScratch = Buffer.allocUnsafe(4096);
