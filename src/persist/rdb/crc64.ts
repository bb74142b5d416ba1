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

/** A running CRC64: feed chunks with update(), read value(). */
export class Crc64 {
  private lo = 0;
  private hi = 0;

  constructor(initial = 0n) {
    this.lo = Number(initial & 0xffffffffn);
    this.hi = Number((initial >> 32n) & 0xffffffffn);
  }

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = start; i < end; i++) {
      const idx = (lo ^ buf[i]) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[idx]) >>> 0;
      hi = ((hi >>> 8) ^ TABLE_HI[idx]) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
    return this;
  }

  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The 8 bytes an RDB file ends with (memrev64ifbe: little-endian). */
  bytes(): Buffer {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(this.lo, 0);
    b.writeUInt32LE(this.hi, 4);
    return b;
  }
}

export function crc64(buf: Uint8Array): bigint {
  return new Crc64().update(buf).value();
}
