/**
 * The order HSCAN walks a hashtable-encoded hash in, and what its random
 * picks (HRANDFIELD) sample from. The keyspace itself no longer uses it: a
 * db's KeyTable scans and draws random keys by position (KeyTable#scan),
 * since its entries only ever move down. The scheme here, written for the
 * keyspace's JS Map first:
 *
 * Redis gets SCAN's guarantees (a key present from the first call to the last
 * is returned at least once; the iteration ends however the keyspace changes)
 * from its reverse-binary cursor over the hash table's buckets. A JS Map offers
 * no buckets and no positional access, so Reddish keeps, per database, an
 * append-only log of key-name *incarnations*:
 *
 *   - when a name comes into existence (a new key, or the target of a RENAME
 *     or MOVE that did not exist before) it gets the next number of a
 *     keyspace-wide, ever-increasing sequence and is appended as (key, seq).
 *     Overwriting an existing name (SET, RENAME onto it, COPY REPLACE) keeps
 *     its incarnation;
 *   - `seqOf` remembers each name's live incarnation, so a slot is valid only
 *     while its key exists and `seqOf.get(key) === seq`. Deleting costs
 *     nothing: stale slots are skipped, then dropped by compaction;
 *   - SCAN walks the log from the newest slot towards the oldest. The cursor
 *     is a sequence number meaning "continue at the newest slot whose seq is
 *     <= cursor" (a binary search: slots stay sorted by seq). Cursor 0 starts
 *     at the newest slot; 0 is returned once the oldest has been passed.
 *
 * Why this holds Redis's guarantees: a name that exists for the whole
 * iteration keeps one incarnation, so one slot, which never moves in seq
 * order; the cursor only decreases, so that slot is visited exactly once.
 * Names created during the iteration get seqs above every cursor handed out,
 * behind the walk, so they are not visited: an iteration visits at most the
 * slots that existed when it began and always ends, however fast keys are
 * added (walking the other way, a scan could chase a growing tail forever).
 * Compaction rewrites the arrays but never a seq, so cursors held by clients
 * stay meaningful. The sequence is shared by all databases and survives
 * FLUSHDB and SWAPDB, so a stale or foreign cursor just resumes at some seq.
 *
 * Cost: nothing until the first SCAN or RANDOMKEY of a database (the index is
 * built then, from the Map's insertion order); afterwards one array push and
 * one Map set per created key, plus amortised O(1) compaction. A SCAN call is
 * O(log N + COUNT).
 */

export class ScanIndex {
  private keys: string[] = [];
  private seqs: number[] = [];
  private readonly seqOf = new Map<string, number>();

  constructor(private readonly seq: { next: number }) {}

  /** Indexes every key of `map` in its iteration order. */
  build(map: ReadonlyMap<string, unknown>): void {
    for (const k of map.keys()) this.append(k);
  }

  private append(key: string): void {
    const s = this.seq.next++;
    this.keys.push(key);
    this.seqs.push(s);
    this.seqOf.set(key, s);
  }

  /** A name came into existence in `map` (already inserted there). */
  add(key: string, map: ReadonlyMap<string, unknown>): void {
    this.append(key);
    if (this.keys.length > 2 * map.size + 1024) this.compact(map);
  }

  /** FLUSHDB: everything goes; the sequence keeps counting. */
  clear(): void {
    this.keys = [];
    this.seqs = [];
    this.seqOf.clear();
  }

  private valid(i: number, map: ReadonlyMap<string, unknown>): boolean {
    const k = this.keys[i];
    return this.seqOf.get(k) === this.seqs[i] && map.has(k);
  }

  /** Drops stale slots and forgotten keys; seqs are kept, so cursors stay valid. */
  compact(map: ReadonlyMap<string, unknown>): void {
    const keys = this.keys;
    const seqs = this.seqs;
    let w = 0;
    for (let r = 0; r < keys.length; r++) {
      if (this.valid(r, map)) {
        keys[w] = keys[r];
        seqs[w] = seqs[r];
        w++;
      }
    }
    keys.length = w;
    seqs.length = w;
    if (w !== map.size) {
      // Out of step (a key created without passing through the keyspace): start over.
      this.clear();
      this.build(map);
      return;
    }
    if (this.seqOf.size > w) for (const k of this.seqOf.keys()) if (!map.has(k)) this.seqOf.delete(k);
  }

  /** Index of the first slot whose seq is >= cursor. */
  private lowerBound(cursor: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid] < cursor) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * One SCAN step from `cursor` (0: from the newest slot), walking towards
   * older slots: up to `count` keys that exist in `map`. As in Redis, the
   * walk also stops after visiting count*10 slots, so a call stays short even
   * over many stale slots. Returns the next cursor, 0 at the end.
   */
  scan(cursor: number, count: number, map: ReadonlyMap<string, unknown>): { next: number; keys: string[] } {
    if (this.keys.length > 2 * map.size + 1024) this.compact(map);
    let i = cursor === 0 ? this.keys.length - 1 : this.lowerBound(cursor + 1) - 1;
    const out: string[] = [];
    let budget = count * 10;
    while (i >= 0 && out.length < count && budget-- > 0) {
      if (this.valid(i, map)) out.push(this.keys[i]);
      i--;
    }
    return { next: i >= 0 ? this.seqs[i] : 0, keys: out };
  }

  /** A uniformly chosen key of `map`, or undefined when it is empty. */
  random(map: ReadonlyMap<string, unknown>): string | undefined {
    if (map.size === 0) return undefined;
    // Keep at least half the slots live so that rejection sampling is quick.
    if (this.keys.length > 2 * map.size) this.compact(map);
    for (;;) {
      const i = Math.floor(Math.random() * this.keys.length);
      if (this.valid(i, map)) return this.keys[i];
    }
  }
}
