/**
 * One numbered database: the key → entry Map and the key → expiry Map, as
 * redisDb keeps `dict` and `expires`. Entries are reused on overwrite so a SET
 * of an existing key allocates nothing but the value.
 */
import type { Value } from './value.js';

export interface Entry {
  value: Value;
  /** Last access, in seconds of the LRU clock (OBJECT IDLETIME). */
  lru: number;
}

export class Database {
  readonly keys = new Map<string, Entry>();
  /** Absolute unix time in ms at which each volatile key expires. */
  readonly expires = new Map<string, number>();
  avgTtl = 0;

  constructor(readonly id: number) {}

  get size(): number {
    return this.keys.size;
  }
}
