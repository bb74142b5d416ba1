/**
 * The keyspace: the databases and the single door every read and write goes
 * through (db.c's lookupKey*, setKey, dbDelete, setExpire), with the chores
 * Redis leaves to each command done here instead: the dirty counter, WATCH
 * invalidation, keyspace events, hit/miss stats, lazy expiry and its DEL.
 *
 * A command handler reads with `lookupRead`, edits with `lookupWrite` +
 * `modified`, or replaces with `set`; it never touches a Database's maps for a
 * write. The command's own effect is propagated by dispatch/call.ts; effects
 * the keyspace produces by itself (expired keys) go to the propagator here.
 */
import { Database, type Entry } from './database.js';
import type { Value } from './value.js';
import { clock } from './clock.js';
import type { Propagator } from '../propagate/propagate.js';
import { lfuField, lfuMinutes, lfuTouch } from './lfu.js';

export interface KeyspaceStats {
  hits: number;
  misses: number;
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReached: number;
  expireCycleCpuMs: number;
  evictedKeys: number;
}

/** notify-keyspace-events classes, as Redis names them in notifyKeyspaceEvent calls. */
export type KeyEventClass = 'generic' | 'string' | 'list' | 'set' | 'hash' | 'zset' | 'stream' | 'expired' | 'evicted' | 'new' | 'keymiss' | 'module';
export type KeyEventListener = (type: KeyEventClass, event: string, key: string, db: number) => void;
/** signalModifiedKey; `internal` when the server itself changed the key (expiry, eviction), not a client's command. */
export type KeyTouchedListener = (db: Database, key: string, internal?: boolean) => void;

/**
 * One party interested in key changes: WATCH (dispatch/transaction.ts) and
 * client-side caching (tracking/tracking.ts). Registered with listen() only
 * while interested; the keyspace calls them through one dispatcher.
 */
export interface KeyChangeListener {
  /** A key was written, deleted, expired or evicted. */
  touched(db: Database, key: string, internal: boolean): void;
  /** The db is about to be emptied (FLUSHDB, FLUSHALL): signalFlushedDb. */
  flushed(db: Database): void;
  /** The two dbs are about to exchange their data (SWAPDB). */
  swapped(a: Database, b: Database): void;
}
/**
 * Copy-on-write for a snapshot in progress (persist/snapshot.ts): told before
 * a key's value, TTL or existence changes, while the old state is still there.
 * In-place edits are announced by lookupWrite, which every writing command
 * uses to reach the value it edits.
 */
export interface BeforeWriteListener {
  beforeWrite(db: Database, key: string): void;
}

/**
 * A key someone may be blocked on was created, written or deleted (null: any
 * key of the db, after SWAPDB or FLUSHDB); the waiters decide what it means.
 */
export type KeyReadyListener = (db: Database, key: string | null) => void;

/** Every db's contents, set aside (Keyspace.setAsideAll), by db id. */
export type DbBackup = Array<{ keys: Database['keys']; expires: Database['expires']; avgTtl: number }>;

export class Keyspace {
  dbs: Database[];
  /** Changes since the last save (server.dirty). */
  dirty = 0;
  /** LRU clock in seconds, advanced by cron. */
  lruClock = Math.floor(Date.now() / 1000);
  /** Replicas hide logically expired keys but wait for the master's DEL. */
  isReplica = false;
  /**
   * True while a replica runs its master's stream: then no key counts as
   * expired, so the master's own DEL (or any write) finds the key (expireIfNeeded's
   * "current_client == server.master" case).
   */
  applyingMasterStream = false;
  lazyfreeExpire = false;
  /**
   * maxmemory-policy is allkeys-lfu or volatile-lfu: Entry.lru holds the LFU
   * field (lfu.ts) instead of the LRU time, and every access bumps it.
   */
  lfu = false;
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  readonly stats: KeyspaceStats = {
    hits: 0, misses: 0, expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReached: 0, expireCycleCpuMs: 0, evictedKeys: 0,
  };
  onEvent: KeyEventListener | null = null;
  /**
   * The one hook every key change calls: null while no KeyChangeListener is
   * registered, the listener itself when one is, a loop over them otherwise.
   * Installed by listen(), never assigned directly.
   */
  onTouched: KeyTouchedListener | null = null;
  private changeListeners: KeyChangeListener[] = [];
  /** Installed by a snapshot while it runs (null otherwise: one test per write). */
  cow: BeforeWriteListener | null = null;
  /** Installed by dispatch/blocking.ts only while a client is blocked on keys. */
  onReady: KeyReadyListener | null = null;
  /** SCAN/RANDOMKEY order per db id (scan-index.ts), built on first use. */

  constructor(count: number, readonly propagator: Propagator) {
    this.dbs = [];
    for (let i = 0; i < count; i++) this.dbs.push(new Database(i));
  }

  /** Registers (interested) or unregisters a change listener and reinstalls onTouched. */
  listen(l: KeyChangeListener, interested: boolean): void {
    const has = this.changeListeners.includes(l);
    if (has === interested) return;
    // A new array each time: a flush iterating the old one is not disturbed.
    const ls = interested ? [...this.changeListeners, l] : this.changeListeners.filter((x) => x !== l);
    this.changeListeners = ls;
    if (ls.length === 0) this.onTouched = null;
    else if (ls.length === 1) {
      const only = ls[0];
      this.onTouched = (db, key, internal = false) => only.touched(db, key, internal);
    } else {
      this.onTouched = (db, key, internal = false) => {
        for (const x of ls) x.touched(db, key, internal);
      };
    }
  }

  // ---- reads -------------------------------------------------------------

  /** lookupKeyRead: expires lazily, counts a hit or a miss, refreshes LRU. */
  lookupRead(db: Database, key: string, touch = true): Value | undefined {
    const e = db.keys.get(key);
    if (e === undefined) {
      this.stats.misses++;
      if (this.onEvent !== null) this.onEvent('keymiss', 'keymiss', key, db.id);
      return undefined;
    }
    if (db.expires.size !== 0 && this.expireIfNeeded(db, key)) {
      this.stats.misses++;
      if (this.onEvent !== null) this.onEvent('keymiss', 'keymiss', key, db.id);
      return undefined;
    }
    this.stats.hits++;
    if (touch) {
      if (this.lfu) this.touchLfu(e);
      else e.lru = this.lruClock;
    }
    return e.value;
  }

  /** lookupKeyWrite: expires lazily, no hit/miss accounting. */
  lookupWrite(db: Database, key: string): Value | undefined {
    const e = db.keys.get(key);
    if (e === undefined) return undefined;
    if (db.expires.size !== 0 && this.expireIfNeeded(db, key)) return undefined;
    if (this.lfu) this.touchLfu(e);
    else e.lru = this.lruClock;
    if (this.cow !== null) this.cow.beforeWrite(db, key);
    return e.value;
  }

  /** Existence without touching stats or LRU (EXISTS, TYPE use the counted forms). */
  exists(db: Database, key: string): boolean {
    if (!db.keys.has(key)) return false;
    return !(db.expires.size !== 0 && this.expireIfNeeded(db, key));
  }

  /** The entry itself, for OBJECT and DEBUG, which must not refresh LRU. */
  peekEntry(db: Database, key: string): Entry | undefined {
    const e = db.keys.get(key);
    if (e === undefined) return undefined;
    if (db.expires.size !== 0 && this.expireIfNeeded(db, key)) return undefined;
    return e;
  }

  /**
   * The lru field of an entry created now: the LRU clock, or under an LFU
   * policy a fresh counter (createObject's LFU_INIT_VAL).
   */
  freshLru(): number {
    return this.lfu ? lfuField(lfuMinutes(this.lruClock)) : this.lruClock;
  }

  /** An access to an entry found without lookupRead/lookupWrite (INCR's path): lookupKey's LRU/LFU update. */
  touch(e: Entry): void {
    if (this.lfu) this.touchLfu(e);
    else e.lru = this.lruClock;
  }

  /** updateLFU: decay the counter to now, then maybe increment it. */
  private touchLfu(e: Entry): void {
    e.lru = lfuTouch(e.lru, lfuMinutes(this.lruClock), this.lfuDecayTime, this.lfuLogFactor, Math.random());
  }

  /** Absolute expiry in ms, or -1 when the key has no TTL. The key must exist. */
  expireAt(db: Database, key: string): number {
    const t = db.expires.get(key);
    return t === undefined ? -1 : t;
  }

  // ---- writes ------------------------------------------------------------

  /**
   * rdbLoad's dbAddRDBLoad: installs a loaded key without counting a change or
   * notifying anyone. False when the key already exists (a duplicate in the file).
   */
  loadKey(db: Database, key: string, value: Value, expireAt: number, lru = this.freshLru()): boolean {
    const n = db.keys.size;
    db.keys.set(key, { value, lru, snap: 0 });
    // One hash operation, not has() + set(): a duplicate is noticed after the fact and the load aborts.
    if (db.keys.size === n) return false;
    if (expireAt !== -1) db.expires.set(key, expireAt);
    return true;
  }

  /**
   * setKey: the key holds `value` from now on. The TTL is dropped unless
   * keepTtl; the entry object is reused on overwrite.
   */
  set(db: Database, key: string, value: Value, keepTtl = false): void {
    // setKey looks the key up for writing first, so a logically expired key is
    // deleted (and its DEL propagated) before it is replaced, and KEEPTTL never keeps a past TTL.
    if (db.expires.size !== 0) this.expireIfNeeded(db, key);
    if (this.cow !== null) this.cow.beforeWrite(db, key);
    const e = db.keys.get(key);
    if (e === undefined) {
      db.keys.set(key, { value, lru: this.lfu ? this.freshLru() : this.lruClock, snap: 0 });
      // dbAdd's "new" event comes before the command's own.
      if (this.onEvent !== null) this.onEvent('new', 'new', key, db.id);
    } else {
      // setKey looked the key up for writing (an access), and under LFU the
      // new value keeps the old counter (dbOverwrite).
      e.value = value;
      if (this.lfu) this.touchLfu(e);
      else e.lru = this.lruClock;
    }
    if (!keepTtl && db.expires.size !== 0) db.expires.delete(key);
    this.dirty++;
    if (this.onTouched !== null) this.onTouched(db, key);
    if (this.onReady !== null) this.onReady(db, key);
  }

  /**
   * A command that found its value with lookupRead is about to rewrite its
   * bytes anyway (PFCOUNT's cached cardinality): a running snapshot keeps the old ones.
   */
  editInPlace(db: Database, key: string): void {
    if (this.cow !== null) this.cow.beforeWrite(db, key);
  }

  /**
   * Replaces the value of an entry just returned by peekEntry/lookupWrite's
   * lookup, keeping its TTL: INCR's path, which must not look the key up twice.
   */
  replaceValue(db: Database, key: string, e: Entry, value: Value): void {
    if (this.cow !== null) this.cow.beforeWrite(db, key);
    e.value = value;
    this.dirty++;
    if (this.onTouched !== null) this.onTouched(db, key);
    if (this.onReady !== null) this.onReady(db, key);
  }

  /** After an in-place edit of a key's value (APPEND, SETBIT, list push...). */
  modified(db: Database, key: string, count = 1): void {
    this.dirty += count;
    if (this.onTouched !== null) this.onTouched(db, key);
    if (this.onReady !== null) this.onReady(db, key);
  }

  delete(db: Database, key: string): boolean {
    if (this.cow !== null && db.keys.has(key)) this.cow.beforeWrite(db, key);
    if (!db.keys.delete(key)) return false;
    if (db.expires.size !== 0) db.expires.delete(key);
    this.dirty++;
    if (this.onTouched !== null) this.onTouched(db, key);
    // signalDeletedKeyAsReady: a reader blocked through a stream group must learn the key is gone.
    if (this.onReady !== null) this.onReady(db, key);
    return true;
  }

  /**
   * setExpire: the key must exist. `countDirty` is false when the expiry is
   * part of a write already counted (SET EX is one change, as in Redis).
   */
  setExpire(db: Database, key: string, whenMs: number, countDirty = true): void {
    if (this.cow !== null) this.cow.beforeWrite(db, key);
    db.expires.set(key, whenMs);
    if (countDirty) this.dirty++;
    if (this.onTouched !== null) this.onTouched(db, key);
  }

  /** Removes the TTL; true if there was one. */
  persist(db: Database, key: string): boolean {
    if (this.cow !== null && db.expires.has(key)) this.cow.beforeWrite(db, key);
    if (!db.expires.delete(key)) return false;
    this.dirty++;
    if (this.onTouched !== null) this.onTouched(db, key);
    return true;
  }

  /** Moves a key, value and TTL, to another name or db (RENAME, MOVE). */
  moveKey(from: Database, key: string, to: Database, newKey: string): void {
    if (this.cow !== null) {
      this.cow.beforeWrite(from, key);
      this.cow.beforeWrite(to, newKey);
    }
    const e = from.keys.get(key)!;
    const ttl = from.expires.get(key);
    from.keys.delete(key);
    from.expires.delete(key);
    // Onto an existing name the entry is replaced in place: the name keeps its SCAN position.
    to.keys.set(newKey, e);
    if (ttl === undefined) to.expires.delete(newKey);
    else to.expires.set(newKey, ttl);
    // RENAME and MOVE re-add the key (dbAdd), which is always a "new" key event.
    if (this.onEvent !== null) this.onEvent('new', 'new', newKey, to.id);
    this.dirty++;
    if (this.onTouched !== null) {
      this.onTouched(from, key);
      this.onTouched(to, newKey);
    }
    if (this.onReady !== null) {
      this.onReady(from, key);
      this.onReady(to, newKey);
    }
  }

  /** Empties one db; returns how many keys it held. */
  flushDb(db: Database): number {
    const n = db.keys.size;
    for (const l of this.changeListeners) l.flushed(db);
    if (this.cow !== null) db.replaceMaps(); // a snapshot keeps iterating the old maps
    else {
      db.keys.clear();
      db.expires.clear();
    }
    db.avgTtl = 0;
    this.dirty += n;
    if (this.onReady !== null && n !== 0) this.onReady(db, null);
    return n;
  }

  /** Keys in every db (dbTotalServerKeyCount). */
  totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.keys.size;
    return n;
  }

  /**
   * Every db emptied, its contents kept aside whole (a replica's swapdb load):
   * restoreAll puts them back when the new data fails to load; dropping the
   * backup frees them, by GC, off the command path (replica-lazy-flush).
   */
  setAsideAll(): DbBackup {
    const backup: DbBackup = [];
    for (const db of this.dbs) {
      for (const l of this.changeListeners) l.flushed(db);
      backup.push({ keys: db.keys, expires: db.expires, avgTtl: db.avgTtl });
      db.replaceMaps();
      db.avgTtl = 0;
    }
    return backup;
  }

  /** Puts back what setAsideAll kept; the dbs must be empty. */
  restoreAll(backup: DbBackup): void {
    for (const db of this.dbs) {
      const b = backup[db.id];
      db.keys = b.keys;
      db.expires = b.expires;
      db.avgTtl = b.avgTtl;
      if (this.onReady !== null) this.onReady(db, null);
    }
  }

  /** SWAPDB: clients stay on their db number and see the other data. */
  swapDb(a: Database, b: Database): void {
    for (const l of this.changeListeners) l.swapped(a, b);
    const keys = a.keys;
    const expires = a.expires;
    const avg = a.avgTtl;
    a.keys = b.keys;
    a.expires = b.expires;
    a.avgTtl = b.avgTtl;
    b.keys = keys;
    b.expires = expires;
    b.avgTtl = avg;
    this.dirty++;
    if (this.onReady !== null) {
      this.onReady(a, null);
      this.onReady(b, null);
    }
  }

  notify(type: KeyEventClass, event: string, key: string, db: Database): void {
    if (this.onEvent !== null) this.onEvent(type, event, key, db.id);
  }

  // ---- expiry ------------------------------------------------------------

  /**
   * expireIfNeeded: true if the key is logically expired. On a master it is
   * deleted and the deletion propagated as DEL; a replica only hides it.
   */
  expireIfNeeded(db: Database, key: string): boolean {
    const t = db.expires.get(key);
    if (t === undefined || !(clock.now() > t)) return false;
    if (this.isReplica) return !this.applyingMasterStream;
    this.deleteExpired(db, key);
    return true;
  }

  /** Deletes an expired key and propagates its DEL (lazy and active expiry share this). */
  deleteExpired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    this.deleteByServer(db, key, 'expired', this.lazyfreeExpire);
  }

  /**
   * Deletes a key chosen by maxmemory (keyspace/eviction.ts): WATCH, tracking,
   * blocked clients and a running snapshot see it as any deletion; the
   * `evicted` event fires and replicas and the AOF get DEL (UNLINK with
   * lazyfree-lazy-eviction). The key must exist.
   */
  evict(db: Database, key: string, unlink: boolean): void {
    this.stats.evictedKeys++;
    this.deleteByServer(db, key, 'evicted', unlink);
  }

  /**
   * A deletion the server makes by itself (expiry, eviction). Not a change
   * of the dataset's own (Redis counts neither in dirty): the DEL is what
   * replicas and the AOF see.
   */
  private deleteByServer(db: Database, key: string, event: 'expired' | 'evicted', unlink: boolean): void {
    if (this.cow !== null) this.cow.beforeWrite(db, key);
    db.keys.delete(key);
    db.expires.delete(key);
    if (this.onTouched !== null) this.onTouched(db, key, true);
    if (this.onReady !== null) this.onReady(db, key);
    this.notify(event, event, key, db);
    this.propagator.add(db.id, [unlink ? 'UNLINK' : 'DEL', key]);
  }
}
