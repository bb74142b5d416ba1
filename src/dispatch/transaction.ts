/**
 * WATCH bookkeeping (multi.c): which clients watch which keys. A write to a
 * watched key, reported by the keyspace's onTouched hook, marks every watcher
 * dirty so its EXEC fails. The hook is installed only while someone watches,
 * so writes pay nothing otherwise.
 */
import type { Database } from '../keyspace/database.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { Client } from '../net/client.js';

export class Watchers {
  private readonly byKey = new Map<Database, Map<string, Set<Client>>>();
  private count = 0;

  constructor(private readonly ks: Keyspace) {}

  watch(db: Database, key: string, c: Client): void {
    let m = this.byKey.get(db);
    if (!m) this.byKey.set(db, (m = new Map()));
    let set = m.get(key);
    if (!set) m.set(key, (set = new Set()));
    if (set.has(c)) return;
    set.add(c);
    if (c.watched === null) c.watched = new Map();
    c.watched.set(`${db.id}\0${key}`, db);
    if (this.count++ === 0) this.ks.onTouched = (d, k) => this.touch(d, k);
  }

  unwatch(db: Database, key: string, c: Client): void {
    const set = this.byKey.get(db)?.get(key);
    if (!set || !set.delete(c)) return;
    if (set.size === 0) this.byKey.get(db)!.delete(key);
    if (--this.count === 0) this.ks.onTouched = null;
  }

  touch(db: Database, key: string): void {
    const set = this.byKey.get(db)?.get(key);
    if (!set) return;
    for (const c of set) c.dirtyCas = true;
  }

  /** SWAPDB and FLUSH touch whole dbs: every watcher of the db becomes dirty. */
  touchDb(db: Database): void {
    const m = this.byKey.get(db);
    if (!m) return;
    for (const set of m.values()) for (const c of set) c.dirtyCas = true;
  }
}
