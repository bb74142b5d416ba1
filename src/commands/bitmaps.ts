/**
 * Bit operations on strings (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD, BITFIELD_RO, with Redis 7.0's argument order, limits and
 * error texts.
 *
 * A bitmap edited in place becomes a growable Bytes (as Redis grows an SDS
 * with sdsgrowzero), so setting bits one after another does not copy the
 * whole value each time. An edit that changes nothing (SETBIT of a bit to its
 * current value, BITFIELD whose every write failed under OVERFLOW FAIL) is no
 * write at all: no dirty, no WATCH invalidation, no propagation, as in 7.0.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { ERR } from '../protocol/errors.js';
import { INT64_MAX, parseInt64 } from '../util/numbers.js';
import { Bytes } from '../datatypes/bytes.js';
import type { StringValue } from '../keyspace/value.js';
import { eqi, readString, writeString } from './helpers.js';

const BIT_TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** The value's bytes, for reading only (a plain string is copied into a Buffer). */
function bufOf(v: StringValue): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v.view();
}

function byteAt(v: StringValue, i: number): number {
  if (i >= v.length) return 0;
  return typeof v === 'string' ? v.charCodeAt(i) : v.buf[i];
}

/**
 * getBitOffsetFromArgument: a non-negative bit offset whose byte is below
 * proto-max-bulk-len. With `bits` (BITFIELD), "#N" means N*bits, multiplied
 * with int64 wrap-around as the C code does. Null after replying.
 */
function bitOffsetOrReply(ctx: CommandContext, s: string, bits = 0): number | null {
  const hash = bits > 0 && s.charCodeAt(0) === 35; /* '#' */
  const n = parseInt64(hash ? s.slice(1) : s);
  if (n === null) {
    ctx.reply.error(ERR.bitOffset);
    return null;
  }
  let off = BigInt(n);
  if (hash) off = BigInt.asIntN(64, off * BigInt(bits));
  if (off < 0n || off >> 3n >= BigInt(ctx.server.config.num('proto-max-bulk-len'))) {
    ctx.reply.error(ERR.bitOffset);
    return null;
  }
  return Number(off);
}

/**
 * The key's value ready for an in-place edit covering `bytes` bytes. A plain
 * string (or a missing key) becomes a Bytes; `install` says the Bytes is not
 * yet the key's value, so the caller stores it with ks.set when it writes.
 */
interface Editable {
  b: Bytes;
  install: boolean;
  grew: boolean;
}

function editable(v: StringValue | undefined, bytes: number): Editable {
  if (v === undefined) {
    const b = new Bytes('', bytes);
    b.ensure(bytes);
    return { b, install: true, grew: true };
  }
  const grew = bytes > v.length;
  if (v instanceof Bytes) {
    v.ensure(bytes);
    return { b: v, install: false, grew };
  }
  const b = new Bytes(v, Math.max(v.length, bytes));
  b.ensure(bytes);
  return { b, install: true, grew };
}

/** Records an edit: a fresh Bytes replaces the value (TTL kept), else the value changed in place. */
function commitEdit(ctx: CommandContext, key: string, e: Editable, changes: number): void {
  if (e.install) {
    ctx.ks.set(ctx.db, key, e.b, true);
    if (changes > 1) ctx.ks.modified(ctx.db, key, changes - 1);
  } else {
    ctx.ks.modified(ctx.db, key, changes);
  }
}

/** SETBIT key offset value */
function setbit(ctx: CommandContext): void {
  const key = ctx.argv[1];
  const offset = bitOffsetOrReply(ctx, ctx.argv[2]);
  if (offset === null) return;
  const on = parseInt64(ctx.argv[3]);
  if (on === null || (on !== 0 && on !== 1)) return ctx.reply.error(ERR.bitValue);
  const v = writeString(ctx, key);
  if (v === null) return;
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const old = v === undefined ? 0 : byteAt(v, byte) & mask ? 1 : 0;
  const grows = v === undefined || byte >= v.length;
  if (grows || old !== on) {
    const e = editable(v, byte + 1);
    const buf = e.b.buf;
    buf[byte] = on ? buf[byte] | mask : buf[byte] & ~mask;
    commitEdit(ctx, key, e, 1);
    ctx.ks.notify('string', 'setbit', key, ctx.db);
  }
  ctx.reply.int(old);
}

/** GETBIT key offset */
function getbit(ctx: CommandContext): void {
  const offset = bitOffsetOrReply(ctx, ctx.argv[2]);
  if (offset === null) return;
  const v = readString(ctx, ctx.argv[1]);
  if (v === null) return;
  if (v === undefined) return ctx.reply.int(0);
  const byte = Math.floor(offset / 8);
  ctx.reply.int(byteAt(v, byte) & (1 << (7 - (offset % 8))) ? 1 : 0);
}

function popcount(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += POPCOUNT[buf[i]];
  return n;
}

/** Bit `i` (0 = most significant bit of byte 0). */
function bitAt(buf: Buffer, i: number): number {
  return (buf[Math.floor(i / 8)] >> (7 - (i % 8))) & 1;
}

/** Number of set bits in bit positions [from, to] of buf. */
function countBits(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let i = from;
  while (i <= to && i % 8 !== 0) n += bitAt(buf, i++);
  const fullEnd = Math.floor((to + 1) / 8);
  if (i / 8 < fullEnd) {
    n += popcount(buf, i / 8, fullEnd);
    i = fullEnd * 8;
  }
  while (i <= to) n += bitAt(buf, i++);
  return n;
}

/** Range arguments as Redis converts them: negative from the end, clamped. */
function clampRange(start: number, end: number, total: number): [number, number] {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return [start, end];
}

/** BITCOUNT key [start end [BYTE|BIT]] */
function bitcount(ctx: CommandContext): void {
  const argv = ctx.argv;
  const v = readString(ctx, argv[1]);
  if (v === null) return;
  if (v === undefined) return ctx.reply.int(0);
  const len = v.length;
  if (argv.length === 2) {
    if (len === 0) return ctx.reply.int(0);
    return ctx.reply.int(countBits(bufOf(v), 0, len * 8 - 1));
  }
  if (argv.length !== 4 && argv.length !== 5) return ctx.reply.error(ERR.syntax);
  const s = parseInt64(argv[2]);
  if (s === null) return ctx.reply.error(ERR.notInteger);
  const e = parseInt64(argv[3]);
  if (e === null) return ctx.reply.error(ERR.notInteger);
  if (s < 0 && e < 0 && BigInt(s) > BigInt(e)) return ctx.reply.int(0);
  // Past ±2^53 an index behaves like any other out-of-range one once clamped.
  const s0 = Number(s);
  const e0 = Number(e);
  let isBit = false;
  if (argv.length === 5) {
    if (eqi(argv[4], 'bit')) isBit = true;
    else if (!eqi(argv[4], 'byte')) return ctx.reply.error(ERR.syntax);
  }
  const total = isBit ? len * 8 : len;
  const [start, end] = clampRange(s0, e0, total);
  if (start > end) return ctx.reply.int(0);
  const buf = bufOf(v);
  ctx.reply.int(isBit ? countBits(buf, start, end) : popcount(buf, start, end + 1));
}

/** BITPOS key bit [start [end [BYTE|BIT]]] */
function bitpos(ctx: CommandContext): void {
  const argv = ctx.argv;
  const bit = parseInt64(argv[2]);
  if (bit === null) return ctx.reply.error(ERR.notInteger);
  if (bit !== 0 && bit !== 1) return ctx.reply.error('ERR The bit argument must be 1 or 0.');
  const v = readString(ctx, argv[1]);
  if (v === null) return;
  if (v === undefined) return ctx.reply.int(bit ? -1 : 0);
  const len = v.length;
  let isBit = false;
  let endGiven = false;
  let start: number;
  let end: number;
  if (argv.length >= 4 && argv.length <= 6) {
    const s = parseInt64(argv[3]);
    if (s === null) return ctx.reply.error(ERR.notInteger);
    if (argv.length === 6) {
      if (eqi(argv[5], 'bit')) isBit = true;
      else if (!eqi(argv[5], 'byte')) return ctx.reply.error(ERR.syntax);
    }
    let e: number;
    if (argv.length >= 5) {
      const p = parseInt64(argv[4]);
      if (p === null) return ctx.reply.error(ERR.notInteger);
      e = Number(p);
      endGiven = true;
    } else {
      e = isBit ? len * 8 + 7 : len - 1;
    }
    [start, end] = clampRange(Number(s), e, isBit ? len * 8 : len);
  } else if (argv.length === 3) {
    start = 0;
    end = len - 1;
  } else {
    return ctx.reply.error(ERR.syntax);
  }
  if (start > end) return ctx.reply.int(-1);
  // The searched range in bits.
  const from = isBit ? start : start * 8;
  const to = isBit ? end : end * 8 + 7;
  const buf = bufOf(v);
  let i = from;
  while (i <= to && i % 8 !== 0) {
    if (bitAt(buf, i) === bit) return ctx.reply.int(i);
    i++;
  }
  const skip = bit ? 0 : 0xff;
  while (i + 7 <= to) {
    const b = buf[i / 8];
    if (b !== skip) {
      for (let k = 0; k < 8; k++) if (((b >> (7 - k)) & 1) === bit) return ctx.reply.int(i + k);
    }
    i += 8;
  }
  while (i <= to) {
    if (bitAt(buf, i) === bit) return ctx.reply.int(i);
    i++;
  }
  // Looking for a clear bit without an explicit end: the string is as if zero-padded.
  if (bit === 0 && !endGiven) return ctx.reply.int((Math.floor(to / 8) + 1) * 8);
  ctx.reply.int(-1);
}

/** BITOP AND|OR|XOR|NOT destkey key [key ...] */
function bitop(ctx: CommandContext): void {
  const argv = ctx.argv;
  const op = argv[1].toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return ctx.reply.error(ERR.syntax);
  if (op === 'not' && argv.length !== 4) return ctx.reply.error('ERR BITOP NOT must be called with a single source key.');
  const dest = argv[2];
  const srcs: Buffer[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = readString(ctx, argv[j]);
    if (v === null) return;
    const b = v === undefined ? Buffer.alloc(0) : bufOf(v);
    srcs.push(b);
    if (b.length > maxlen) maxlen = b.length;
  }
  if (maxlen === 0) {
    if (ctx.ks.delete(ctx.db, dest)) ctx.ks.notify('generic', 'del', dest, ctx.db);
    return ctx.reply.int(0);
  }
  const res = Buffer.alloc(maxlen);
  srcs[0].copy(res);
  if (op === 'not') {
    for (let j = 0; j < maxlen; j++) res[j] = ~res[j] & 0xff;
  } else {
    for (let i = 1; i < srcs.length; i++) {
      const s = srcs[i];
      const n = s.length;
      if (op === 'and') {
        for (let j = 0; j < n; j++) res[j] &= s[j];
        if (n < maxlen) res.fill(0, n);
      } else if (op === 'or') {
        for (let j = 0; j < n; j++) res[j] |= s[j];
      } else {
        for (let j = 0; j < n; j++) res[j] ^= s[j];
      }
    }
  }
  const out = new Bytes();
  out.buf = res;
  out.length = maxlen;
  ctx.ks.set(ctx.db, dest, out);
  ctx.ks.notify('string', 'set', dest, ctx.db);
  ctx.reply.int(maxlen);
}

// ---- BITFIELD -------------------------------------------------------------

const OP_GET = 0, OP_SET = 1, OP_INCRBY = 2;
const OW_WRAP = 0, OW_SAT = 1, OW_FAIL = 2;

interface BitfieldOp {
  op: number;
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: number;
}

/** Reads `bits` bits at bit `offset` as an unsigned integer; bytes past `len` read as zero. */
function getUnsigned(buf: Buffer, len: number, offset: number, bits: number): bigint {
  let v = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    const byte = Math.floor(offset / 8);
    const b = byte < len ? (buf[byte] >> (7 - (offset % 8))) & 1 : 0;
    v = (v << 1n) | BigInt(b);
  }
  return v;
}

function setUnsigned(buf: Buffer, offset: number, bits: number, value: bigint): void {
  for (let j = 0; j < bits; j++, offset++) {
    const bit = Number((value >> BigInt(bits - 1 - j)) & 1n);
    const byte = Math.floor(offset / 8);
    const mask = 1 << (7 - (offset % 8));
    buf[byte] = bit ? buf[byte] | mask : buf[byte] & ~mask;
  }
}

/**
 * checkSignedBitfieldOverflow, literally: 1 for overflow, -1 for underflow.
 * Its int64 intermediates wrap, so a SET of a value far below the minimum is
 * seen as an overflow (OVERFLOW SAT then stores the maximum), as in Redis.
 */
function signedOverflow(value: bigint, incr: bigint, bits: number): number {
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, min - value);
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) return 1;
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) return -1;
  return 0;
}

/** checkUnsignedBitfieldOverflow: `value` is a uint64, `incr` an int64. */
function unsignedOverflow(value: bigint, incr: bigint, bits: number): number {
  const max = (1n << BigInt(bits)) - 1n;
  const maxincr = BigInt.asIntN(64, max - value);
  const minincr = BigInt.asIntN(64, -value);
  if (value > max || (incr > 0n && incr > maxincr)) return 1;
  if (incr < 0n && incr < minincr) return -1;
  return 0;
}

/** BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset incr] [OVERFLOW WRAP|SAT|FAIL] */
function bitfieldGeneric(ctx: CommandContext, readOnlyCmd: boolean): void {
  const argv = ctx.argv;
  const key = argv[1];
  const ops: BitfieldOp[] = [];
  let overflow = OW_WRAP;
  let readOnly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j];
    let op: number;
    if (eqi(sub, 'get') && rem >= 2) op = OP_GET;
    else if (eqi(sub, 'set') && rem >= 3) op = OP_SET;
    else if (eqi(sub, 'incrby') && rem >= 3) op = OP_INCRBY;
    else if (eqi(sub, 'overflow') && rem >= 1) {
      const t = argv[++j];
      if (eqi(t, 'wrap')) overflow = OW_WRAP;
      else if (eqi(t, 'sat')) overflow = OW_SAT;
      else if (eqi(t, 'fail')) overflow = OW_FAIL;
      else return ctx.reply.error('ERR Invalid OVERFLOW type specified');
      continue;
    } else return ctx.reply.error(ERR.syntax);

    const t = argv[j + 1];
    const c0 = t.charCodeAt(0);
    if (c0 !== 105 /* i */ && c0 !== 117 /* u */) return ctx.reply.error(BIT_TYPE_ERR);
    const signed = c0 === 105;
    // The C code measures the width with strlen: it ends at a NUL byte.
    const z = t.indexOf('\0');
    const nb = parseInt64(z < 0 ? t.slice(1) : t.slice(1, z));
    if (nb === null || nb < 1 || (signed && nb > 64) || (!signed && nb > 63)) return ctx.reply.error(BIT_TYPE_ERR);
    const bits = Number(nb);
    const offset = bitOffsetOrReply(ctx, argv[j + 2], bits);
    if (offset === null) return;
    let value = 0n;
    if (op !== OP_GET) {
      readOnly = false;
      if (highest < offset + bits - 1) highest = offset + bits - 1;
      const n = parseInt64(argv[j + 3]);
      if (n === null) return ctx.reply.error(ERR.notInteger);
      value = BigInt(n);
    }
    ops.push({ op, signed, bits, offset, value, overflow });
    j += op === OP_GET ? 2 : 3;
  }

  let buf: Buffer;
  let len: number;
  let e: Editable | null = null;
  if (readOnly) {
    const v = readString(ctx, key);
    if (v === null) return;
    buf = v === undefined ? Buffer.alloc(0) : bufOf(v);
    len = buf.length;
  } else {
    if (readOnlyCmd) return ctx.reply.error('ERR BITFIELD_RO only supports the GET subcommand');
    const v = writeString(ctx, key);
    if (v === null) return;
    e = editable(v, Math.floor(highest / 8) + 1);
    buf = e.b.buf;
    len = e.b.length;
  }

  ctx.reply.array(ops.length);
  let changes = 0;
  for (const o of ops) {
    const raw = getUnsigned(buf, len, o.offset, o.bits);
    const old = o.signed ? BigInt.asIntN(o.bits, raw) : raw;
    if (o.op === OP_GET) {
      ctx.reply.int(old);
      continue;
    }
    // SET is an increment of 0 from the new value, as in the C code.
    const base = o.op === OP_INCRBY ? old : o.signed ? o.value : BigInt.asUintN(64, o.value);
    const incr = o.op === OP_INCRBY ? o.value : 0n;
    const ow = o.signed ? signedOverflow(base, incr, o.bits) : unsignedOverflow(base, incr, o.bits);
    let next = base + incr;
    if (ow !== 0) {
      if (o.overflow === OW_FAIL) {
        ctx.reply.nil();
        continue;
      }
      if (o.overflow === OW_SAT) {
        if (o.signed) next = ow > 0 ? (1n << BigInt(o.bits - 1)) - 1n : -(1n << BigInt(o.bits - 1));
        else next = ow > 0 ? (1n << BigInt(o.bits)) - 1n : 0n;
      } else next = o.signed ? BigInt.asIntN(o.bits, next) : BigInt.asUintN(o.bits, next);
    }
    ctx.reply.int(o.op === OP_INCRBY ? next : old);
    setUnsigned(buf, o.offset, o.bits, BigInt.asUintN(o.bits, next));
    changes++;
  }
  if (e === null) return;
  if (changes > 0) {
    commitEdit(ctx, key, e, changes);
    ctx.ks.notify('string', 'setbit', key, ctx.db);
  } else if (e.grew && e.install) {
    // Every write failed (OVERFLOW FAIL) yet Redis has already created or
    // padded the string. It does so silently; a new value has to be stored
    // through the keyspace here, which counts it as a change. (Growing an
    // existing Bytes in place stays silent, exactly like Redis.)
    ctx.ks.set(ctx.db, key, e.b, true);
  }
}

function bitfield(ctx: CommandContext): void {
  bitfieldGeneric(ctx, false);
}

function bitfieldRo(ctx: CommandContext): void {
  bitfieldGeneric(ctx, true);
}

export const BITMAP_COMMANDS: CommandDef[] = [
  { name: 'setbit', handler: setbit },
  { name: 'getbit', handler: getbit },
  { name: 'bitcount', handler: bitcount },
  { name: 'bitpos', handler: bitpos },
  { name: 'bitop', handler: bitop },
  { name: 'bitfield', handler: bitfield },
  { name: 'bitfield_ro', handler: bitfieldRo },
];
