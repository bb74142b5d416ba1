/**
 * CRC-64/Jones as Redis computes it (crc64.c): reflected polynomial
 * 0xad93d23594c935a9, initial value 0, no final xor. RDB files end with this
 * checksum of everything before it, little-endian (when rdbchecksum is yes).
 *
 * The 64-bit register is kept as two unsigned 32-bit halves so the per-byte
 * loop stays in small integers; the table is built once with BigInt.
 * Check value: crc64(0, "123456789") = 0xe9c6d914c4b8d9ca.
 */

const POLY_REFLECTED = 0x95ac9329ac4bc9b5n; // bit-reversed 0xad93d23594c935a9

const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let crc = BigInt(i);
  for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY_REFLECTED : crc >> 1n;
  TABLE_LO[i] = Number(crc & 0xffffffffn);
  TABLE_HI[i] = Number(crc >> 32n);
}

/**
 * Slicing-by-8 (as Redis's crcspeed): table k advances a byte through k more
 * zero bytes, so eight input bytes cost eight lookups and no shifts between
 * them. S_LO/S_HI hold the eight tables one after another, as signed int32:
 * the loop then only ever holds int32 values, which V8 keeps unboxed (small
 * integers) in every tier, where uint32 above 2^31 becomes a heap number in
 * unoptimized code, several times slower until the optimizer catches up.
 */
const S_LO = new Int32Array(256 * 8);
const S_HI = new Int32Array(256 * 8);
S_LO.set(TABLE_LO);
S_HI.set(TABLE_HI);
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const lo = S_LO[(k - 1) * 256 + i];
    const hi = S_HI[(k - 1) * 256 + i];
    const idx = lo & 0xff;
    S_LO[k * 256 + i] = ((lo >>> 8) | (hi << 24)) ^ TABLE_LO[idx];
    S_HI[k * 256 + i] = (hi >>> 8) ^ TABLE_HI[idx];
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A running CRC64: feed chunks with update(), read value(). */
export class Crc64 {
  /** The register's halves as int32, so the fields always hold small integers. */
  private lo = 0;
  private hi = 0;

  constructor(initial = 0n) {
    this.lo = Number(BigInt.asIntN(32, initial));
    this.hi = Number(BigInt.asIntN(32, initial >> 32n));
  }

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    // lo and hi are the register's halves as int32 (see S_LO).
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    if (LITTLE_ENDIAN && end - start >= 64) {
      // Long runs read the input as aligned int32 words: two loads per 8 bytes instead of eight.
      while (((buf.byteOffset + i) & 3) !== 0) {
        const idx = (lo ^ buf[i]) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ S_LO[idx];
        hi = (hi >>> 8) ^ S_HI[idx];
        i++;
      }
      const w = new Int32Array(buf.buffer, buf.byteOffset + i, (end - i) >> 3 << 1);
      const n = w.length;
      for (let j = 0; j < n; j += 2) {
        const a = lo ^ w[j];
        const b = hi ^ w[j + 1];
        const i0 = 7 * 256 + (a & 0xff);
        const i1 = 6 * 256 + ((a >> 8) & 0xff);
        const i2 = 5 * 256 + ((a >> 16) & 0xff);
        const i3 = 4 * 256 + ((a >> 24) & 0xff);
        const i4 = 3 * 256 + (b & 0xff);
        const i5 = 2 * 256 + ((b >> 8) & 0xff);
        const i6 = 256 + ((b >> 16) & 0xff);
        const i7 = (b >> 24) & 0xff;
        lo = S_LO[i0] ^ S_LO[i1] ^ S_LO[i2] ^ S_LO[i3] ^ S_LO[i4] ^ S_LO[i5] ^ S_LO[i6] ^ S_LO[i7];
        hi = S_HI[i0] ^ S_HI[i1] ^ S_HI[i2] ^ S_HI[i3] ^ S_HI[i4] ^ S_HI[i5] ^ S_HI[i6] ^ S_HI[i7];
      }
      i += n * 4;
    }
    for (; i + 8 <= end; i += 8) {
      const a = lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
      const b = hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24));
      const i0 = 7 * 256 + (a & 0xff);
      const i1 = 6 * 256 + ((a >> 8) & 0xff);
      const i2 = 5 * 256 + ((a >> 16) & 0xff);
      const i3 = 4 * 256 + ((a >> 24) & 0xff);
      const i4 = 3 * 256 + (b & 0xff);
      const i5 = 2 * 256 + ((b >> 8) & 0xff);
      const i6 = 256 + ((b >> 16) & 0xff);
      const i7 = (b >> 24) & 0xff;
      lo = S_LO[i0] ^ S_LO[i1] ^ S_LO[i2] ^ S_LO[i3] ^ S_LO[i4] ^ S_LO[i5] ^ S_LO[i6] ^ S_LO[i7];
      hi = S_HI[i0] ^ S_HI[i1] ^ S_HI[i2] ^ S_HI[i3] ^ S_HI[i4] ^ S_HI[i5] ^ S_HI[i6] ^ S_HI[i7];
    }
    for (; i < end; i++) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ S_LO[idx];
      hi = (hi >>> 8) ^ S_HI[idx];
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /** The 8 bytes an RDB file ends with (memrev64ifbe: little-endian). */
  bytes(): Buffer {
    const b = Buffer.alloc(8);
    b.writeInt32LE(this.lo, 0);
    b.writeInt32LE(this.hi, 4);
    return b;
  }
}

export function crc64(buf: Uint8Array): bigint {
  return new Crc64().update(buf).value();
}

// Give every loop of update() type feedback before it is hot: otherwise the
// optimized code, compiled while the first big chunk was still in its main
// loop, deoptimizes at the first tail it reaches, on every later call.
// Lengths chosen so that each loop (unaligned head, words, 8-byte steps, tail) runs.
// A Buffer, as every caller passes: with Uint8Array feedback the first Buffer deoptimizes it again.
const warm = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 151) & 0xff));
for (let k = 0; k < 4; k++) new Crc64().update(warm, 1, 143).update(warm, 0, 37);
