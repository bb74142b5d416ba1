/**
 * Consumer groups (t_stream.c's streamCG, streamConsumer, streamNACK).
 *
 * A group has a last delivered ID, a logical read counter (entries-read, -1
 * when unknown), its pending entries list (PEL: every delivered, not yet
 * acknowledged ID, with delivery time, delivery count and owning consumer)
 * and its consumers, each with a seen-time and its own PEL — the same Nack
 * objects as the group's, as Redis shares the NACK between the two radix
 * trees.
 *
 * A PEL is an array of Nacks sorted by ID: appends (the usual XREADGROUP
 * case) are O(1), lookups binary searches, removals a splice.
 */
import { type U64, type StreamID, cmpID } from './stream-id.js';

export class Nack {
  constructor(
    readonly ms: U64,
    readonly seq: U64,
    /** Unix ms of the last delivery. */
    public deliveryTime: number,
    /** Deliveries so far (uint64 in Redis; RETRYCOUNT may set anything). */
    public deliveryCount: U64,
    public consumer: Consumer | null,
  ) {}
}

export class Pel {
  entries: Nack[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** First index whose ID is >= (ms, seq). */
  lowerBound(ms: U64, seq: U64): number {
    const a = this.entries;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = a[mid];
      if (e.ms < ms || (e.ms === ms && e.seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(ms: U64, seq: U64): Nack | undefined {
    const a = this.entries;
    // Reads deliver IDs past everything pending: a miss without searching.
    const last = a.length === 0 ? null : a[a.length - 1];
    if (last === null || last.ms < ms || (last.ms === ms && last.seq < seq)) return undefined;
    const i = this.lowerBound(ms, seq);
    if (i < a.length && a[i].ms === ms && a[i].seq === seq) return a[i];
    return undefined;
  }

  /** Inserts; false when the ID is already there (raxTryInsert). */
  insert(n: Nack): boolean {
    const a = this.entries;
    const last = a.length === 0 ? null : a[a.length - 1];
    if (last === null || cmpID(last.ms, last.seq, n.ms, n.seq) < 0) {
      a.push(n);
      return true;
    }
    const i = this.lowerBound(n.ms, n.seq);
    if (i < a.length && a[i].ms === n.ms && a[i].seq === n.seq) return false;
    a.splice(i, 0, n);
    return true;
  }

  remove(ms: U64, seq: U64): Nack | undefined {
    const a = this.entries;
    const i = this.lowerBound(ms, seq);
    if (i < a.length && a[i].ms === ms && a[i].seq === seq) {
      const n = a[i];
      if (i === 0) a.shift();
      else a.splice(i, 1);
      return n;
    }
    return undefined;
  }

  first(): Nack | undefined {
    return this.entries[0];
  }

  last(): Nack | undefined {
    return this.entries[this.entries.length - 1];
  }
}

export class Consumer {
  readonly pel = new Pel();

  constructor(
    readonly name: string,
    /** Unix ms of the consumer's last interaction (XINFO's idle). */
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new Pel();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    readonly name: string,
    public lastMs: U64,
    public lastSeq: U64,
    /** Logical read counter; -1 (INVALID_ENTRIES_READ) when unknown. */
    public entriesRead: U64,
  ) {}

  get lastID(): StreamID {
    return { ms: this.lastMs, seq: this.lastSeq };
  }

  /** streamCreateConsumer: null when the name is taken. */
  createConsumer(name: string, now: number): Consumer | null {
    if (this.consumers.has(name)) return null;
    const c = new Consumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** streamDelConsumer: its pending entries leave the group's PEL too. */
  deleteConsumer(c: Consumer): void {
    for (const n of c.pel.entries) this.pel.remove(n.ms, n.seq);
    this.consumers.delete(c.name);
  }

  /** Consumers in the radix tree's order: bytewise by name. */
  consumerList(): Consumer[] {
    const names = [...this.consumers.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return names.map((n) => this.consumers.get(n)!);
  }

  /** Removes one pending entry from the group and its consumer (XACK). */
  ack(ms: U64, seq: U64): boolean {
    const n = this.pel.remove(ms, seq);
    if (n === undefined) return false;
    n.consumer?.pel.remove(ms, seq);
    return true;
  }

  /** A deep copy with its own NACKs, consumers and PELs (streamDup). */
  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.name, this.lastMs, this.lastSeq, this.entriesRead);
    const copies = new Map<Nack, Nack>();
    for (const n of this.pel.entries) {
      const m = new Nack(n.ms, n.seq, n.deliveryTime, n.deliveryCount, null);
      copies.set(n, m);
      g.pel.entries.push(m);
    }
    for (const c of this.consumers.values()) {
      const d = new Consumer(c.name, c.seenTime);
      for (const n of c.pel.entries) {
        const m = copies.get(n)!;
        m.consumer = d;
        d.pel.entries.push(m);
      }
      g.consumers.set(d.name, d);
    }
    return g;
  }
}
