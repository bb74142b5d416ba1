/**
 * What a key holds. Strings are the common case and stay as bare latin1 JS
 * strings (no wrapper object on the SET/GET hot path) or, once edited in place,
 * a Bytes. Every other type is an object carrying its `kind`, added by the
 * data-types issue (list, hash, set, zset, stream).
 */
import { Bytes } from '../datatypes/bytes.js';

export interface TypedValue {
  readonly kind: 'list' | 'set' | 'zset' | 'hash' | 'stream';
  /**
   * Puts a listpack-encoded value back into its packed form (its content and
   * encoding unchanged; the next read decodes it again). False when it
   * cannot: not a listpack, already packed, or in the middle of a scan.
   */
  repack?(): boolean;
}

export type StringValue = string | Bytes;
export type Value = StringValue | TypedValue;

export function isString(v: Value): v is StringValue {
  return typeof v === 'string' || v instanceof Bytes;
}

export function typeName(v: Value): string {
  return isString(v) ? 'string' : v.kind;
}

export function stringOf(v: StringValue): string {
  return typeof v === 'string' ? v : v.toString();
}

export function stringLength(v: StringValue): number {
  return v.length;
}
