/**
 * One numbered database: the key → entry table and the key → expiry table, as
 * redisDb keeps `dict` and `expires`. Entries are reused on overwrite so a SET
 * of an existing key allocates nothing but the value.
 */
import type { Value } from './value.js';
import { KeyTable } from './key-table.js';

export interface Entry {
  value: Value;
  /**
   * Last access in seconds of the LRU clock (OBJECT IDLETIME) or, under an
   * LFU maxmemory-policy, the 24-bit LFU field: 16 bits of minutes and an
   * 8-bit logarithmic counter (keyspace/lfu.ts), as Redis reuses robj.lru.
   */
  lru: number;
  /** The id of the last snapshot that wrote this entry (persist/snapshot.ts), 0 if none. */
  snap: number;
}

export class Database {
  keys = new KeyTable<Entry>();
  /** Absolute unix time in ms at which each volatile key expires. */
  expires = new KeyTable<number>();
  avgTtl = 0;

  constructor(readonly id: number) {}

  /**
   * Empties the db by giving it new maps: the old ones stay intact for a
   * snapshot still iterating them (FLUSHDB during BGSAVE).
   */
  replaceMaps(): void {
    this.keys = new KeyTable();
    this.expires = new KeyTable();
  }

  get size(): number {
    return this.keys.size;
  }
}
