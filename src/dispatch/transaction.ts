/**
 * WATCH bookkeeping (multi.c): which clients watch which keys. A write to a
 * watched key, reported by the keyspace's onTouched hook, marks every watcher
 * dirty so its EXEC fails. It listens (Keyspace.listen) only while someone
 * watches, so writes pay nothing otherwise.
 */
import type { Database } from '../keyspace/database.js';
import type { Keyspace, KeyChangeListener } from '../keyspace/keyspace.js';
import type { Client } from '../net/client.js';
import { clock } from '../keyspace/clock.js';

export class Watchers implements KeyChangeListener {
  private readonly byKey = new Map<Database, Map<string, Set<Client>>>();
  private count = 0;
  /** Per client, the watched keys ("db\0key") already logically expired when watched: multi.c's wk->expired. */
  private readonly expiredAtWatch = new Map<Client, Set<string>>();

  constructor(private readonly ks: Keyspace) {}

  watch(db: Database, key: string, c: Client): void {
    let m = this.byKey.get(db);
    if (!m) this.byKey.set(db, (m = new Map()));
    let set = m.get(key);
    if (!set) m.set(key, (set = new Set()));
    if (set.has(c)) return;
    set.add(c);
    if (c.watched === null) c.watched = new Map();
    const id = `${db.id}\0${key}`;
    c.watched.set(id, db);
    if (isExpired(db, key)) {
      let ex = this.expiredAtWatch.get(c);
      if (!ex) this.expiredAtWatch.set(c, (ex = new Set()));
      ex.add(id);
    }
    if (this.count++ === 0) this.ks.listen(this, true);
  }

  unwatch(db: Database, key: string, c: Client): void {
    const set = this.byKey.get(db)?.get(key);
    if (!set || !set.delete(c)) return;
    if (set.size === 0) this.byKey.get(db)!.delete(key);
    const ex = this.expiredAtWatch.get(c);
    if (ex !== undefined && ex.delete(`${db.id}\0${key}`) && ex.size === 0) this.expiredAtWatch.delete(c);
    if (--this.count === 0) this.ks.listen(this, false);
  }

  touched(db: Database, key: string): void {
    this.touch(db, key);
  }

  /** Emptied and swapped dbs: every key they held counts as touched. */
  flushed(db: Database): void {
    const m = this.byKey.get(db);
    if (!m) return;
    for (const [k, set] of m) if (db.keys.has(k)) for (const c of set) c.dirtyCas = true;
  }

  swapped(a: Database, b: Database): void {
    this.flushed(a);
    this.flushed(b);
  }

  touch(db: Database, key: string): void {
    const set = this.byKey.get(db)?.get(key);
    if (!set) return;
    for (const c of set) {
      const ex = this.expiredAtWatch.size === 0 ? undefined : this.expiredAtWatch.get(c);
      // A key expired when watched and now deleted (its expiry carried out) is logically unchanged.
      if (ex !== undefined && !db.keys.has(key) && ex.delete(`${db.id}\0${key}`)) continue;
      c.dirtyCas = true;
    }
  }

  /** isWatchedKeyExpired: a watched key, alive when watched, is logically expired now (EXEC then fails). */
  watchedKeyExpired(c: Client): boolean {
    if (c.watched === null) return false;
    const ex = this.expiredAtWatch.get(c);
    for (const [id, db] of c.watched) {
      if (ex !== undefined && ex.has(id)) continue;
      if (isExpired(db, id.slice(id.indexOf('\0') + 1))) return true;
    }
    return false;
  }

  /** SWAPDB and FLUSH touch whole dbs: every watcher of the db becomes dirty. */
  touchDb(db: Database): void {
    const m = this.byKey.get(db);
    if (!m) return;
    for (const set of m.values()) for (const c of set) c.dirtyCas = true;
  }
}

/** keyIsExpired: the key exists and its TTL has passed, expiry not yet carried out. */
function isExpired(db: Database, key: string): boolean {
  if (db.expires.size === 0) return false;
  const t = db.expires.get(key);
  return t !== undefined && clock.now() > t && db.keys.has(key);
}
