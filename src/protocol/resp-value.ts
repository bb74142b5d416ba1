/**
 * Decoded RESP values, for the places that read replies rather than requests:
 * tests, the differential suite, the metadata generator, and later the replica
 * link and Sentinel's links to the instances it watches.
 *
 * The decoder is incremental like the request parser: `decode(buf, pos)` returns
 * `undefined` when the buffer ends before the value does, so callers keep the
 * bytes and retry when more arrive.
 */

export type RespValue =
  | { type: 'simple'; value: string }
  | { type: 'error'; value: string }
  | { type: 'integer'; value: bigint }
  | { type: 'bulk'; value: string } // latin1: one char per byte
  | { type: 'verbatim'; format: string; value: string }
  | { type: 'double'; value: string }
  | { type: 'bignum'; value: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'array'; value: RespValue[] | null }
  | { type: 'set'; value: RespValue[] }
  | { type: 'push'; value: RespValue[] }
  | { type: 'map'; value: Array<[RespValue, RespValue]> }
  | { type: 'attribute'; value: Array<[RespValue, RespValue]> };

export interface Decoded {
  value: RespValue;
  end: number;
}

function lineEnd(buf: Buffer, pos: number): number {
  const i = buf.indexOf(13, pos);
  if (i < 0 || i + 1 >= buf.length) return -1;
  return i;
}

/** Decodes one value starting at `pos`; undefined when incomplete. Throws on malformed input. */
export function decode(buf: Buffer, pos = 0): Decoded | undefined {
  if (pos >= buf.length) return undefined;
  const kind = buf[pos];
  const cr = lineEnd(buf, pos + 1);
  if (cr < 0) return undefined;
  const line = buf.toString('latin1', pos + 1, cr);
  const next = cr + 2;
  switch (kind) {
    case 0x2b: // +
      return { value: { type: 'simple', value: line }, end: next };
    case 0x2d: // -
      return { value: { type: 'error', value: line }, end: next };
    case 0x3a: // :
      return { value: { type: 'integer', value: BigInt(line) }, end: next };
    case 0x2c: // ,
      return { value: { type: 'double', value: line }, end: next };
    case 0x28: // (
      return { value: { type: 'bignum', value: line }, end: next };
    case 0x23: // #
      return { value: { type: 'boolean', value: line === 't' }, end: next };
    case 0x5f: // _
      return { value: { type: 'null' }, end: next };
    case 0x24: // $
    case 0x3d: { // =
      const len = Number(line);
      if (len < 0) return { value: { type: 'null' }, end: next };
      if (next + len + 2 > buf.length) return undefined;
      const s = buf.toString('latin1', next, next + len);
      if (kind === 0x3d) return { value: { type: 'verbatim', format: s.slice(0, 3), value: s.slice(4) }, end: next + len + 2 };
      return { value: { type: 'bulk', value: s }, end: next + len + 2 };
    }
    case 0x2a: // *
    case 0x7e: // ~
    case 0x3e: { // >
      const n = Number(line);
      if (n < 0) return { value: { type: 'array', value: null }, end: next };
      const items: RespValue[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const d = decode(buf, p);
        if (!d) return undefined;
        items.push(d.value);
        p = d.end;
      }
      const type = kind === 0x2a ? 'array' : kind === 0x7e ? 'set' : 'push';
      return { value: { type, value: items } as RespValue, end: p };
    }
    case 0x25: // %
    case 0x7c: { // |
      const n = Number(line);
      const pairs: Array<[RespValue, RespValue]> = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const k = decode(buf, p);
        if (!k) return undefined;
        const v = decode(buf, k.end);
        if (!v) return undefined;
        pairs.push([k.value, v.value]);
        p = v.end;
      }
      return { value: { type: kind === 0x25 ? 'map' : 'attribute', value: pairs }, end: p };
    }
    default:
      throw new Error(`RESP: unexpected type byte 0x${kind.toString(16)} at ${pos}`);
  }
}

/** Decodes every complete value in `buf`; returns them and the offset of the first unused byte. */
export function decodeAll(buf: Buffer): { values: RespValue[]; rest: number } {
  const values: RespValue[] = [];
  let pos = 0;
  for (;;) {
    const d = decode(buf, pos);
    if (!d) break;
    values.push(d.value);
    pos = d.end;
  }
  return { values, rest: pos };
}

/** A plain-JS view of a value (strings, bigints, arrays, objects) for assertions. */
export function toPlain(v: RespValue): unknown {
  switch (v.type) {
    case 'simple': case 'bulk': case 'double': case 'bignum': case 'verbatim': return v.value;
    case 'error': return new Error(v.value);
    case 'integer': return v.value;
    case 'boolean': return v.value;
    case 'null': return null;
    case 'array': return v.value === null ? null : v.value.map(toPlain);
    case 'set': case 'push': return v.value.map(toPlain);
    case 'map': case 'attribute': return v.value.map(([k, x]) => [toPlain(k), toPlain(x)]);
  }
}
