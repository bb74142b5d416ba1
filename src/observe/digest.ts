/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE, computed exactly as debug.c does so a
 * Reddish dataset can be compared with a real Redis's:
 *
 *   xorDigest(d, bytes): d ^= SHA1(bytes)
 *   mixDigest(d, bytes): xorDigest(d, bytes); d = SHA1(d)
 *
 * Per key: mixDigest(key), then xorObjectDigest: mixDigest(htonl(type)), the
 * value by type, and xorDigest("!!expire!!") when the key has a TTL. The
 * dataset digest mixes each non-empty db's htonl(id) and xors SHA1 of every
 * key's digest, so key order does not matter.
 *
 * Types other than strings register their value digest in VALUE_DIGESTS
 * (see the comments there for what Redis feeds for each).
 */
import crypto from 'node:crypto';
import type { Database } from '../keyspace/database.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import { isString, type Value, type TypedValue } from '../keyspace/value.js';

export type Digest = Buffer;

/** crypto.hash (Node >= 20.12): one-shot, about twice as fast as a Hash object per call on these short inputs. */
type OneShot = (algorithm: string, data: Buffer, outputEncoding: 'buffer') => Buffer;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

function sha1(b: Buffer | string): Buffer {
  const data = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  return oneShot !== undefined ? oneShot('sha1', data, 'buffer') : crypto.createHash('sha1').update(data).digest();
}

export function newDigest(): Digest {
  return Buffer.alloc(20);
}

export function xorDigest(d: Digest, data: Buffer | string): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) d[i] ^= h[i];
}

export function mixDigest(d: Digest, data: Buffer | string): void {
  xorDigest(d, data);
  sha1(d).copy(d);
}

/** OBJ_* type codes (server.h), hashed into every key's digest. */
export const OBJ_TYPE: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, module: 5, stream: 6 };

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** "%.17g", as 7.0 formats zset scores for the digest. */
export function fmt17g(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  let s: string;
  if (exp < -4 || exp >= 17) {
    s = x.toExponential(16);
    let [m, e] = s.split('e');
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const en = Number(e);
    s = `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  } else {
    s = x.toPrecision(17);
    if (s.includes('e')) return fmt17g(Number(s));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s;
}

/**
 * Value digests of the non-string types, keyed by kind. What Redis 7.0 feeds:
 *  list:  mixDigest(d, element) for each element, head to tail
 *  set:   xorDigest(d, member) for each member
 *  zset:  per member e = mix(member), mix(fmt17g(score)); xorDigest(d, e)
 *  hash:  per field e = mix(field), mix(value); xorDigest(d, e)
 *  stream: see debug.c (listpacks of entries, then consumer groups)
 * The data-types code registers one function per kind here.
 */
export const VALUE_DIGESTS: Partial<Record<TypedValue['kind'], (d: Digest, v: TypedValue) => void>> = {};

/** Per-element helper for zset and hash: SHA-mixes the parts, xors the result in. */
export function xorElementDigest(d: Digest, ...parts: Array<Buffer | string>): void {
  const e = newDigest();
  for (const p of parts) mixDigest(e, p);
  xorDigest(d, e);
}

/** xorObjectDigest: the value's digest including its type and TTL mark, not the key. */
export function xorObjectDigest(db: Database, key: string, d: Digest, v: Value): void {
  const kind = isString(v) ? 'string' : v.kind;
  mixDigest(d, u32be(OBJ_TYPE[kind] ?? 0));
  if (isString(v)) {
    mixDigest(d, typeof v === 'string' ? Buffer.from(v, 'latin1') : v.view());
  } else {
    const fn = VALUE_DIGESTS[v.kind];
    if (!fn) throw new Error(`DEBUG DIGEST: no digest for type ${v.kind}`);
    fn(d, v);
  }
  if (db.expires.has(key)) xorDigest(d, '!!expire!!');
}

export function hex(d: Digest): string {
  return d.toString('hex');
}

/** computeDatasetDigest: 40 zeros for an empty dataset. */
export function datasetDigest(ks: Keyspace): string {
  const final = newDigest();
  for (const db of ks.dbs) {
    if (db.keys.size === 0) continue;
    mixDigest(final, u32be(db.id));
    for (const [key, e] of db.keys) {
      const d = newDigest();
      mixDigest(d, Buffer.from(key, 'latin1'));
      xorObjectDigest(db, key, d, e.value);
      xorDigest(final, d);
    }
  }
  return hex(final);
}

/** DEBUG DIGEST-VALUE for one key: zeros when missing; logically expired keys still count. */
export function keyValueDigest(db: Database, key: string): string {
  const d = newDigest();
  const e = db.keys.get(key);
  if (e !== undefined) xorObjectDigest(db, key, d, e.value);
  return hex(d);
}
