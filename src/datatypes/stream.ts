/**
 * The stream type (t_stream.c's low-level half): entries in nodes laid out as
 * Redis's radix tree of listpacks lays them out (stream-node.ts), plus the
 * stream's bookkeeping and its consumer groups (stream-groups.ts).
 *
 *   nodes[]       ordered by master ID; a node starts when the tail node's
 *                 listpack bytes plus the new entry's raw field/value lengths
 *                 reach stream-node-max-bytes, or its live+deleted entries
 *                 reach stream-node-max-entries (streamAppendItem)
 *   length        live entries
 *   last          last generated ID (XADD's floor; XSETID moves it)
 *   first         recorded first entry ID (0-0 when empty)
 *   maxDeleted    greatest ID ever deleted by XDEL (or set by XSETID)
 *   entriesAdded  entries ever added (XSETID may set it)
 *
 * XDEL marks an entry deleted and drops its node once no live entry is left;
 * trimming drops whole nodes from the head and, only when exact, marks
 * entries of the next node (streamTrim). Nothing here replies or touches the
 * server: commands pass the node limits in.
 */
import type { TypedValue } from '../keyspace/value.js';
import { StreamNode, FLAG_DELETED } from './stream-node.js';
import { ConsumerGroup } from './stream-groups.js';
import {
  type U64, type StreamID, cmpID, isZero, sub, add, U64_MAX, MAX_ID, MIN_ID,
} from './stream-id.js';

/** SCG_INVALID_ENTRIES_READ */
export const INVALID_ENTRIES_READ = -1;

/** STREAM_LISTPACK_MAX_PRE_ALLOCATE */
const PREALLOC = 4096;

/** STREAM_LISTPACK_MAX_SIZE: a node never grows past 1 GB whatever the config says. */
const LISTPACK_MAX_SIZE = 1 << 30;

export const TRIM_NONE = 0;
export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

/** streamAddTrimArgs' trimming part. */
export interface TrimArgs {
  strategy: typeof TRIM_NONE | typeof TRIM_MAXLEN | typeof TRIM_MINID;
  approx: boolean;
  /** Most entries to remove; 0 means no limit. */
  limit: number;
  maxlen: number;
  minid: StreamID;
}

/** Visits entry `i` of `node`; returning false stops the walk. */
export type EntryVisitor = (node: StreamNode, i: number) => boolean | void;

export class Stream implements TypedValue {
  readonly kind = 'stream' as const;
  nodes: StreamNode[] = [];
  length = 0;
  lastMs: U64 = 0;
  lastSeq: U64 = 0;
  firstMs: U64 = 0;
  firstSeq: U64 = 0;
  maxDelMs: U64 = 0;
  maxDelSeq: U64 = 0;
  entriesAdded: U64 = 0;
  /** Consumer groups by name; iterate with groupList() for Redis's (byte) order. */
  groups: Map<string, ConsumerGroup> | null = null;

  get lastID(): StreamID {
    return { ms: this.lastMs, seq: this.lastSeq };
  }

  get firstID(): StreamID {
    return { ms: this.firstMs, seq: this.firstSeq };
  }

  get maxDeletedID(): StreamID {
    return { ms: this.maxDelMs, seq: this.maxDelSeq };
  }

  // ---- appending ----------------------------------------------------------

  /**
   * streamAppendItem past its checks: the entry `id` with the field/value
   * pairs argv[from..to) goes to the tail node, or to a new node when the
   * tail is full: its listpack bytes plus the entry's raw lengths reach
   * `maxBytes` (stream-node-max-bytes; 0 means only the 1 GB cap) or it
   * holds `maxEntries` entries, tombstones included (stream-node-max-entries;
   * 0 means no limit). The caller made sure `id` is greater than the last ID.
   */
  append(ms: U64, seq: U64, argv: readonly string[], from: number, to: number, maxBytes: number, maxEntries: number): void {
    const nodes = this.nodes;
    let tail: StreamNode | null = nodes.length === 0 ? null : nodes[nodes.length - 1];
    if (tail !== null) {
      let cap = maxBytes;
      if (cap === 0 || cap > LISTPACK_MAX_SIZE) cap = LISTPACK_MAX_SIZE;
      let raw = 0;
      for (let k = from; k < to; k++) raw += argv[k].length;
      if (tail.bytes + raw >= cap || (maxEntries !== 0 && tail.live + tail.deleted >= maxEntries)) {
        // The full node's allocation is fitted to its size.
        tail.shrunk = true;
        tail = null;
      }
    }
    let same: boolean;
    if (tail === null) {
      const fields: string[] = [];
      for (let k = from; k < to; k += 2) fields.push(argv[k]);
      tail = new StreamNode(ms, seq, fields);
      tail.prealloc = maxBytes > 0 && maxBytes < PREALLOC ? maxBytes : PREALLOC;
      nodes.push(tail);
      same = true;
    } else {
      same = tail.sameFields(argv, from, to);
    }
    tail.push(ms, seq, argv, from, to, same);
    this.length++;
    this.entriesAdded = add(this.entriesAdded, 1);
    this.lastMs = ms;
    this.lastSeq = seq;
    if (this.length === 1) {
      this.firstMs = ms;
      this.firstSeq = seq;
    }
  }

  // ---- lookup and iteration ----------------------------------------------------

  /** Index of the last node whose master ID is <= (ms, seq), or -1. */
  private nodeAtOrBefore(ms: U64, seq: U64): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const n = nodes[mid];
      if (cmpID(n.masterMs, n.masterSeq, ms, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * streamIteratorStart + GetID: visits the live entries (and tombstones
   * when `tombstones`) with IDs in [start, end], ascending or (rev)
   * descending, at most `count` of them when count > 0. Returns how many
   * were visited. The visitor must not change the stream.
   */
  walk(start: StreamID, end: StreamID, rev: boolean, count: number, visit: EntryVisitor, tombstones = false): number {
    const nodes = this.nodes;
    let n = 0;
    if (!rev) {
      let ni = this.nodeAtOrBefore(start.ms, start.seq);
      if (ni < 0) ni = 0;
      let i = ni < nodes.length ? nodes[ni].lowerBound(start.ms, start.seq) : 0;
      for (; ni < nodes.length; ni++, i = 0) {
        const node = nodes[ni];
        for (const size = node.size; i < size; i++) {
          if (!tombstones && node.flags[i] & FLAG_DELETED) continue;
          if (cmpID(node.ms[i], node.seq[i], end.ms, end.seq) > 0) return n;
          n++;
          if (visit(node, i) === false || n === count) return n;
        }
      }
    } else {
      let ni = this.nodeAtOrBefore(end.ms, end.seq);
      if (ni < 0) return 0;
      let i = lastAtOrBefore(nodes[ni], end);
      for (; ni >= 0; ni--, i = ni >= 0 ? nodes[ni].size - 1 : -1) {
        const node = nodes[ni];
        for (; i >= 0; i--) {
          if (!tombstones && node.flags[i] & FLAG_DELETED) continue;
          if (cmpID(node.ms[i], node.seq[i], start.ms, start.seq) < 0) return n;
          n++;
          if (visit(node, i) === false || n === count) return n;
        }
      }
    }
    return n;
  }

  /** The live entry `id`, as its node and index, or null. */
  find(ms: U64, seq: U64): { node: StreamNode; index: number; nodeIndex: number } | null {
    const ni = this.nodeAtOrBefore(ms, seq);
    if (ni < 0) return null;
    const node = this.nodes[ni];
    const i = node.lowerBound(ms, seq);
    if (i >= node.size || node.ms[i] !== ms || node.seq[i] !== seq || node.flags[i] & FLAG_DELETED) return null;
    return { node, index: i, nodeIndex: ni };
  }

  /** streamEntryExists */
  has(ms: U64, seq: U64): boolean {
    return this.find(ms, seq) !== null;
  }

  /**
   * streamDeleteItem: marks the entry deleted, or drops its node when it was
   * the node's last live entry. False when there is no such live entry.
   */
  deleteEntry(ms: U64, seq: U64): boolean {
    const f = this.find(ms, seq);
    if (f === null) return false;
    if (f.node.live === 1) this.nodes.splice(f.nodeIndex, 1);
    else f.node.markDeleted(f.index);
    this.length--;
    return true;
  }

  /** streamLastValidID: the greatest live ID (0-0 when empty). */
  lastValidID(): StreamID {
    // Usually the tail node's last entry: no walk needed.
    const tail = this.nodes.length === 0 ? null : this.nodes[this.nodes.length - 1];
    if (tail !== null && tail.size > 0 && !tail.isDeleted(tail.size - 1)) {
      return { ms: tail.ms[tail.size - 1], seq: tail.seq[tail.size - 1] };
    }
    let id: StreamID = { ms: 0, seq: 0 };
    this.walk(MIN_ID, MAX_ID, true, 1, (node, i) => {
      id = { ms: node.ms[i], seq: node.seq[i] };
    });
    return id;
  }

  /**
   * streamGetEdgeID: the first (or last) entry, tombstones included unless
   * skipped; an empty stream answers the max ID for first and 0-0 for last.
   */
  edgeID(first: boolean, skipTombstones: boolean): StreamID {
    let id: StreamID | null = null;
    this.walk(MIN_ID, MAX_ID, !first, 1, (node, i) => {
      id = { ms: node.ms[i], seq: node.seq[i] };
    }, !skipTombstones);
    if (id !== null) return id;
    return first ? { ms: U64_MAX, seq: U64_MAX } : { ms: 0, seq: 0 };
  }

  /** XDEL's follow-up: the new recorded first ID after deletions. */
  refreshFirstID(): void {
    if (this.length === 0) {
      this.firstMs = 0;
      this.firstSeq = 0;
    } else {
      const f = this.edgeID(true, true);
      this.firstMs = f.ms;
      this.firstSeq = f.seq;
    }
  }

  // ---- trimming -------------------------------------------------------------------

  /** streamTrim: returns the number of entries removed. */
  trim(args: TrimArgs): number {
    if (args.strategy === TRIM_NONE) return 0;
    const nodes = this.nodes;
    const maxlen = args.maxlen;
    const minid = args.minid;
    const limit = args.limit;
    let deleted = 0;
    let drop = 0; // whole nodes removed from the head
    while (drop < nodes.length) {
      if (args.strategy === TRIM_MAXLEN && this.length <= maxlen) break;
      const node = nodes[drop];
      const entries = node.live;
      if (limit !== 0 && deleted + entries > limit) break;
      let removeNode: boolean;
      if (args.strategy === TRIM_MAXLEN) {
        removeNode = this.length - entries >= maxlen;
      } else {
        // The node's last entry, tombstone or not (lpGetEdgeStreamID).
        const last = node.size - 1;
        removeNode = last >= 0 && cmpID(node.ms[last], node.seq[last], minid.ms, minid.seq) < 0;
      }
      if (removeNode) {
        drop++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      // Mark entries of this node deleted until the target is reached.
      let fromNode = 0;
      for (let i = 0; i < node.size; i++) {
        const stop =
          args.strategy === TRIM_MAXLEN
            ? this.length <= maxlen
            : cmpID(node.ms[i], node.seq[i], minid.ms, minid.seq) >= 0;
        if (stop) break;
        if (!(node.flags[i] & FLAG_DELETED)) {
          node.markDeleted(i);
          fromNode++;
          this.length--;
        }
      }
      deleted += fromNode;
      break;
    }
    if (drop > 0) nodes.splice(0, drop);
    if (this.length === 0) {
      this.firstMs = 0;
      this.firstSeq = 0;
    } else if (deleted > 0) {
      const f = this.edgeID(true, true);
      this.firstMs = f.ms;
      this.firstSeq = f.seq;
    }
    return deleted;
  }

  // ---- consumer group lag ------------------------------------------------------------

  /** streamRangeHasTombstones over [start, end] (null end: to the end). */
  rangeHasTombstones(start: StreamID | null, end: StreamID | null): boolean {
    if (this.length === 0 || isZero(this.maxDeletedID)) return false;
    if (cmpID(this.firstMs, this.firstSeq, this.maxDelMs, this.maxDelSeq) > 0) return false;
    const s = start ?? MIN_ID;
    const e = end ?? MAX_ID;
    return cmpID(s.ms, s.seq, this.maxDelMs, this.maxDelSeq) <= 0 && cmpID(this.maxDelMs, this.maxDelSeq, e.ms, e.seq) <= 0;
  }

  /**
   * streamEstimateDistanceFromFirstEverEntry: the logical read counter of
   * `id`, or INVALID_ENTRIES_READ when it cannot be known.
   */
  estimateDistance(id: StreamID): U64 {
    if (this.entriesAdded === 0) return 0;
    const cmpLast = cmpID(id.ms, id.seq, this.lastMs, this.lastSeq);
    if (this.length === 0 && cmpLast < 1) return this.entriesAdded;
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return INVALID_ENTRIES_READ;
    const cmpFirst = cmpID(id.ms, id.seq, this.firstMs, this.firstSeq);
    const cmpDelFirst = cmpID(this.maxDelMs, this.maxDelSeq, this.firstMs, this.firstSeq);
    if (isZero(this.maxDeletedID) || cmpDelFirst < 0) {
      if (cmpFirst < 0) return sub(this.entriesAdded, this.length);
      if (cmpFirst === 0) return add(sub(this.entriesAdded, this.length), 1);
    }
    return INVALID_ENTRIES_READ;
  }

  /** streamReplyWithCGLag's value: the group's lag, or null when it cannot be computed. */
  lag(g: ConsumerGroup): U64 | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones(g.lastID, null)) {
      return sub(this.entriesAdded, g.entriesRead);
    }
    const read = this.estimateDistance(g.lastID);
    return read === INVALID_ENTRIES_READ ? null : sub(this.entriesAdded, read);
  }

  /**
   * streamReplyWithRange's group bookkeeping for an entry about to be
   * delivered: the read counter and last delivered ID move forward.
   * True when the group's last ID moved.
   */
  advanceGroup(g: ConsumerGroup, ms: U64, seq: U64): boolean {
    if (cmpID(ms, seq, g.lastMs, g.lastSeq) <= 0) return false;
    const id = { ms, seq };
    if (g.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones(id, null)) {
      g.entriesRead = add(g.entriesRead, 1);
    } else if (this.entriesAdded !== 0) {
      g.entriesRead = this.estimateDistance(id);
    }
    g.lastMs = ms;
    g.lastSeq = seq;
    return true;
  }

  // ---- groups ---------------------------------------------------------------------------

  group(name: string): ConsumerGroup | undefined {
    return this.groups === null ? undefined : this.groups.get(name);
  }

  /** streamCreateCG: null when a group of that name exists. */
  createGroup(name: string, id: StreamID, entriesRead: U64): ConsumerGroup | null {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return null;
    const g = new ConsumerGroup(name, id.ms, id.seq, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /** Groups in the radix tree's order: bytewise by name. */
  groupList(): ConsumerGroup[] {
    if (this.groups === null) return [];
    const names = [...this.groups.keys()].sort(byteOrder);
    return names.map((n) => this.groups!.get(n)!);
  }

  // ---- copies ----------------------------------------------------------------------------

  /** streamDup: entries, bookkeeping and groups with their PELs and consumers. */
  dup(): Stream {
    const s = new Stream();
    s.nodes = this.nodes.map((n) => n.clone());
    s.length = this.length;
    s.lastMs = this.lastMs;
    s.lastSeq = this.lastSeq;
    s.firstMs = this.firstMs;
    s.firstSeq = this.firstSeq;
    s.maxDelMs = this.maxDelMs;
    s.maxDelSeq = this.maxDelSeq;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    }
    return s;
  }
}

/** Index of the last entry of `node` with an ID <= `id` (-1 when none). */
function lastAtOrBefore(node: StreamNode, id: StreamID): number {
  const i = node.lowerBound(id.ms, id.seq);
  return i < node.size && node.ms[i] === id.ms && node.seq[i] === id.seq ? i : i - 1;
}

/** memcmp order of two latin1 strings, shorter first on a common prefix (the rax's order). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

