/**
 * The keys of db 0 grouped by hash slot (Redis's slot_to_keys), for CLUSTER
 * COUNTKEYSINSLOT / GETKEYSINSLOT, resharding and the startup check. Exists
 * only in cluster mode: it is a KeyChangeListener, so the keyspace's write
 * path pays nothing for it unless a cluster node registered it.
 *
 * The index is built from db 0 on first use and then kept current by the
 * change notifications (a touched key is in its slot's set iff it exists).
 * Loads that bypass notifications (RDB load, a replica's full sync) always
 * begin by flushing or setting aside the db, which marks the index stale, so
 * it is rebuilt on the next query instead of trusting missed updates.
 */
import type { Database } from '../keyspace/database.js';
import type { KeyChangeListener, Keyspace } from '../keyspace/keyspace.js';
import { CLUSTER_SLOTS, keyHashSlot } from './key-slot.js';

export class SlotKeyIndex implements KeyChangeListener {
  private readonly bySlot: Array<Set<string> | undefined> = new Array<Set<string> | undefined>(CLUSTER_SLOTS);
  private valid = false;

  constructor(private readonly ks: Keyspace) {
    ks.listen(this, true);
  }

  touched(db: Database, key: string): void {
    if (!this.valid || db.id !== 0) return;
    const slot = keyHashSlot(key);
    let set = this.bySlot[slot];
    if (db.keys.has(key)) {
      if (set === undefined) set = this.bySlot[slot] = new Set();
      set.add(key);
    } else if (set !== undefined) {
      set.delete(key);
    }
  }

  flushed(db: Database): void {
    if (db.id === 0) this.valid = false;
  }

  swapped(a: Database, b: Database): void {
    if (a.id === 0 || b.id === 0) this.valid = false;
  }

  private ensure(): void {
    if (this.valid) return;
    this.bySlot.fill(undefined);
    for (const key of this.ks.dbs[0].keys.keys()) {
      const slot = keyHashSlot(key);
      let set = this.bySlot[slot];
      if (set === undefined) set = this.bySlot[slot] = new Set();
      set.add(key);
    }
    this.valid = true;
  }

  count(slot: number): number {
    this.ensure();
    return this.bySlot[slot]?.size ?? 0;
  }

  /** Up to `max` keys of the slot, in the order they were added. */
  keys(slot: number, max: number): string[] {
    this.ensure();
    const out: string[] = [];
    const set = this.bySlot[slot];
    if (set === undefined) return out;
    for (const k of set) {
      if (out.length >= max) break;
      out.push(k);
    }
    return out;
  }

  stop(): void {
    this.ks.listen(this, false);
  }
}
