/**
 * The list type. A short list is an array of strings; past SMALL_MAX elements
 * it becomes a quicklist, a deque of nodes that each pack up to 8 KiB of
 * elements as bytes (list-node.ts), so a long list costs the garbage
 * collector a few objects per node rather than one per element (a node's
 * fixed cost, ~300 bytes, is what keeps short lists as arrays). Either way
 * push and pop at both ends are O(1) amortized; indexed
 * access walks nodes from the nearer end or from the node the last access
 * found, so a scan by index (LRANGE, LPOS, LREM) moves one step at a time;
 * an insert, overwrite or removal in the middle rebuilds one node. Redis 7.0
 * keeps every list as a quicklist, so that is the encoding OBJECT ENCODING
 * reports (listpack lists came in 7.2).
 *
 * No server imports: the commands (commands/lists.ts) do the keyspace work.
 */
import type { TypedValue } from '../keyspace/value.js';
import { unpackListpack } from './packed-listpack.js';
import { ListNode, NODE_BYTES, NODE_ELEMENTS } from './list-node.js';

/** The nodes of every short list: none (a list gets its own array when it moves into nodes). */
const NO_NODES: Array<ListNode | undefined> = Object.freeze([]) as unknown as Array<ListNode | undefined>;

/** A list longer than this is kept in nodes. */
export const SMALL_MAX = 64;

/** Where LRANGE's elements go: straight from a node's bytes into the reply. */
export interface BytesSink {
  bulk(s: string): void;
  bulkBytes(b: Uint8Array, start: number, len: number): void;
}

export class List implements TypedValue {
  readonly kind = 'list' as const;
  /** The elements of a short list, head to tail; null once the list is in nodes. */
  private small: string[] | null = [];
  /** Nodes head to tail in nodes[first, nodes.length); the slots before `first` are free for head pushes. */
  private nodes: Array<ListNode | undefined> = NO_NODES;
  private first = 0;
  /**
   * The quicklist nodes' listpacks as loaded from an RDB file (latin1
   * strings), until the first access decodes them into nodes; the writer
   * saves them back as they are, as Redis writes its own nodes.
   */
  private packed: string[] | null = null;
  private len = 0;
  /** The node the last indexed access found (an index into `nodes`, -1: none) and its first element's index. */
  private cacheNode = -1;
  private cacheStart = 0;
  /** Which end the list grew at, so MEMORY USAGE can lay out quicklist nodes as Redis filled them. */
  headPushes = 0;
  tailPushes = 0;

  constructor(elements?: readonly string[]) {
    if (elements) this.fill(elements, elements.length);
  }

  /** A list over items[0..n) (an RDB load's freshly decoded elements). */
  static adopt(items: Array<string | undefined>, n: number): List {
    const l = new List();
    l.fill(items as string[], n);
    return l;
  }

  /** Sets the (empty) list to items[0, n). */
  private fill(items: readonly string[], n: number): void {
    if (n <= SMALL_MAX) {
      this.small = items.slice(0, n);
    } else {
      this.small = null;
      this.nodes = [];
      for (let i = 0; i < n; i++) this.append(items[i]);
    }
    this.len = n;
  }

  /** The short list's array moves into nodes. */
  private promote(): void {
    const items = this.small!;
    this.small = null;
    this.nodes = [];
    for (const s of items) this.append(s);
  }

  /** A list kept packed: `nodes` are the listpacks of its quicklist nodes, `n` elements in all. */
  static packed(nodes: string[], n: number): List {
    const l = new List();
    l.small = null;
    l.packed = nodes;
    l.len = n;
    return l;
  }

  private unpack(): void {
    const nodes = this.packed!;
    this.packed = null;
    const items: string[] = [];
    for (const node of nodes) for (const e of unpackListpack(node)) items.push(e);
    this.fill(items, items.length);
  }

  /** The quicklist nodes' listpacks while the list is still as loaded (the RDB writer saves them as they are), else null. */
  packedNodes(): readonly string[] | null {
    return this.packed;
  }

  get length(): number {
    return this.len;
  }

  encoding(): string {
    return 'quicklist';
  }

  dup(): List {
    const d = new List();
    if (this.packed !== null) {
      d.small = null;
      d.packed = this.packed;
    } else if (this.small !== null) {
      d.small = this.small.slice();
    } else {
      d.small = null;
      d.nodes = [];
      for (let k = this.first; k < this.nodes.length; k++) d.nodes.push(this.nodes[k]!.copy());
    }
    d.len = this.len;
    d.headPushes = this.headPushes;
    d.tailPushes = this.tailPushes;
    return d;
  }

  /** Adds s at the tail of a list in nodes, without touching len or the push counts. */
  private append(s: string): void {
    const nodes = this.nodes;
    let n = nodes.length > this.first ? nodes[nodes.length - 1]! : undefined;
    if (n === undefined || !n.fits(s.length)) {
      n = new ListNode(s.length, false, n !== undefined);
      nodes.push(n);
    }
    n.pushBack(s);
  }

  pushHead(s: string): void {
    if (this.packed !== null) this.unpack();
    this.headPushes++;
    this.len++;
    const small = this.small;
    if (small !== null) {
      if (small.length < SMALL_MAX) {
        small.unshift(s);
        return;
      }
      this.promote();
    }
    this.cacheNode = -1;
    let n = this.nodes.length > this.first ? this.nodes[this.first]! : undefined;
    if (n === undefined || !n.fits(s.length)) {
      n = new ListNode(s.length, true, n !== undefined);
      this.prependNode(n);
    }
    n.pushFront(s);
  }

  pushTail(s: string): void {
    if (this.packed !== null) this.unpack();
    this.tailPushes++;
    this.len++;
    const small = this.small;
    if (small !== null) {
      if (small.length < SMALL_MAX) {
        small.push(s);
        return;
      }
      this.promote();
    }
    this.cacheNode = -1;
    this.append(s);
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    if (this.packed !== null) this.unpack();
    if (this.small !== null) {
      this.len--;
      return this.small.shift();
    }
    this.cacheNode = -1;
    const n = this.nodes[this.first]!;
    const s = n.popFront();
    this.len--;
    if (n.count === 0) this.dropHeadNode();
    return s;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    if (this.packed !== null) this.unpack();
    if (this.small !== null) {
      this.len--;
      return this.small.pop();
    }
    this.cacheNode = -1;
    const nodes = this.nodes;
    const n = nodes[nodes.length - 1]!;
    const s = n.popBack();
    this.len--;
    if (n.count === 0) nodes.pop();
    if (nodes.length === this.first) this.reset();
    return s;
  }

  /** Element at a 0-based index from the head; the caller checks the range. */
  get(i: number): string {
    if (this.packed !== null) this.unpack();
    if (this.small !== null) return this.small[i];
    const n = this.nodes[this.locate(i)]!;
    return n.at(i - this.cacheStart);
  }

  /** Whether the element at index i is `s` (LPOS, LREM, LINSERT compare without building strings). */
  equalsAt(i: number, s: string): boolean {
    if (this.packed !== null) this.unpack();
    if (this.small !== null) return this.small[i] === s;
    const n = this.nodes[this.locate(i)]!;
    return n.equalsAt(i - this.cacheStart, s);
  }

  set(i: number, s: string): void {
    if (this.packed !== null) this.unpack();
    if (this.small !== null) {
      this.small[i] = s;
      return;
    }
    const k = this.locate(i);
    const strings = this.nodes[k]!.strings();
    strings[i - this.cacheStart] = s;
    this.replaceNode(k, strings);
  }

  /** Inserts so that the new element is at index i (0..length). */
  insertAt(i: number, s: string): void {
    if (i <= 0) return this.pushHead(s);
    if (i >= this.len) return this.pushTail(s);
    if (this.packed !== null) this.unpack();
    if (this.small !== null && this.small.length < SMALL_MAX) {
      this.small.splice(i, 0, s);
      this.len++;
      return;
    }
    if (this.small !== null) this.promote();
    const k = this.locate(i);
    const strings = this.nodes[k]!.strings();
    strings.splice(i - this.cacheStart, 0, s);
    this.replaceNode(k, strings);
    this.len++;
  }

  /** Removes the elements at the given ascending indexes, rebuilding each node that loses some. */
  removeIndexes(indexes: readonly number[]): void {
    if (indexes.length === 0) return;
    if (this.packed !== null) this.unpack();
    this.len -= indexes.length;
    if (this.small !== null) {
      for (let k = indexes.length - 1; k >= 0; k--) this.small.splice(indexes[k], 1);
      return;
    }
    this.cacheNode = -1;
    const rebuilt: Array<ListNode | undefined> = this.nodes.slice(0, this.first);
    let start = 0;
    let x = 0;
    for (let k = this.first; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      const count = n.count;
      if (x >= indexes.length || indexes[x] >= start + count) {
        rebuilt.push(n);
      } else {
        const kept: string[] = [];
        for (let j = 0; j < count; j++) {
          if (x < indexes.length && indexes[x] === start + j) x++;
          else kept.push(n.at(j));
        }
        for (const m of packNodes(kept)) rebuilt.push(m);
      }
      start += count;
    }
    this.nodes = rebuilt;
    if (this.len === 0) this.reset();
  }

  /** Drops `n` elements from the head. */
  trimHead(n: number): void {
    if (n >= this.len) return this.clear();
    if (n <= 0) return;
    if (this.packed !== null) this.unpack();
    this.len -= n;
    if (this.small !== null) {
      this.small.splice(0, n);
      return;
    }
    this.cacheNode = -1;
    while (n > 0) {
      const node = this.nodes[this.first]!;
      if (node.count > n) {
        node.dropFront(n);
        return;
      }
      n -= node.count;
      this.dropHeadNode();
    }
  }

  /** Drops `n` elements from the tail. */
  trimTail(n: number): void {
    if (n >= this.len) return this.clear();
    if (n <= 0) return;
    if (this.packed !== null) this.unpack();
    this.len -= n;
    if (this.small !== null) {
      this.small.length = this.len;
      return;
    }
    this.cacheNode = -1;
    const nodes = this.nodes;
    while (n > 0) {
      const node = nodes[nodes.length - 1]!;
      if (node.count > n) {
        node.dropBack(n);
        return;
      }
      n -= node.count;
      nodes.pop();
    }
  }

  clear(): void {
    this.packed = null;
    this.len = 0;
    this.reset();
  }

  /** Elements [start, end] (inclusive, already clamped), head to tail. */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.get(i));
    return out;
  }

  /** Each element of [start, end] (inclusive, already clamped) as a bulk reply, head to tail or reversed. */
  replyRange(sink: BytesSink, start: number, end: number, reverse: boolean): void {
    if (start > end) return;
    if (this.packed !== null) this.unpack();
    const small = this.small;
    if (small !== null) {
      if (!reverse) for (let i = start; i <= end; i++) sink.bulk(small[i]);
      else for (let i = end; i >= start; i--) sink.bulk(small[i]);
      return;
    }
    let k = this.locate(reverse ? end : start);
    let n = this.nodes[k]!;
    let j = (reverse ? end : start) - this.cacheStart;
    for (let left = end - start + 1; left > 0; left--) {
      if (reverse ? j < 0 : j >= n.count) {
        k += reverse ? -1 : 1;
        n = this.nodes[k]!;
        j = reverse ? n.count - 1 : 0;
      }
      sink.bulkBytes(n.data, n.startOf(j), n.lengthOf(j));
      j += reverse ? -1 : 1;
    }
  }

  toArray(): string[] {
    if (this.packed !== null) this.unpack();
    if (this.small !== null) return this.small.slice();
    const out: string[] = [];
    for (let k = this.first; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      for (let j = 0; j < n.count; j++) out.push(n.at(j));
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    if (this.packed !== null) this.unpack();
    if (this.small !== null) {
      yield* this.small;
      return;
    }
    for (let k = this.first; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      for (let j = 0; j < n.count; j++) yield n.at(j);
    }
  }

  /**
   * The node holding index i, found from the nearer end or from the last
   * node found when that is nearer; sets cacheNode/cacheStart to it.
   */
  private locate(i: number): number {
    const nodes = this.nodes;
    let k: number;
    let start: number;
    const fromHead = i;
    const fromTail = this.len - 1 - i;
    if (this.cacheNode >= 0 && Math.abs(i - this.cacheStart) <= Math.min(fromHead, fromTail)) {
      k = this.cacheNode;
      start = this.cacheStart;
    } else if (fromHead <= fromTail) {
      k = this.first;
      start = 0;
    } else {
      k = nodes.length - 1;
      start = this.len - nodes[k]!.count;
    }
    let n = nodes[k]!;
    while (i < start) {
      n = nodes[--k]!;
      start -= n.count;
    }
    while (i >= start + n.count) {
      start += n.count;
      n = nodes[++k]!;
    }
    this.cacheNode = k;
    this.cacheStart = start;
    return k;
  }

  /** Replaces node k by the nodes `strings` pack into (none when empty). */
  private replaceNode(k: number, strings: string[]): void {
    this.cacheNode = -1;
    const repl = packNodes(strings);
    this.nodes.splice(k, 1, ...repl);
    if (this.nodes.length === this.first) this.reset();
  }

  private prependNode(n: ListNode): void {
    if (this.first === 0) {
      // Open a gap at the front as large as the list of nodes, so head pushes stay O(1) amortized.
      const count = this.nodes.length;
      const gap = Math.max(4, count);
      const next = new Array<ListNode | undefined>(gap);
      for (let k = 0; k < count; k++) next.push(this.nodes[k]);
      this.nodes = next;
      this.first = gap;
    }
    this.nodes[--this.first] = n;
  }

  private dropHeadNode(): void {
    this.nodes[this.first++] = undefined;
    const count = this.nodes.length - this.first;
    if (count === 0) this.reset();
    else if (this.first > 32 && this.first > count * 2) {
      // A queue (pushed at the tail, popped at the head) would otherwise leave an ever longer run of free slots.
      this.nodes = this.nodes.slice(this.first - count);
      this.first = count;
    }
  }

  /** Empty: back to a short list. */
  private reset(): void {
    this.small = [];
    this.nodes = NO_NODES;
    this.first = 0;
    this.cacheNode = -1;
  }
}

/** Elements packed into as many nodes as the node limits need, in order. */
function packNodes(strings: readonly string[]): ListNode[] {
  const out: ListNode[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < strings.length; i++) {
    const len = strings[i].length;
    if (i > start && (bytes + len > NODE_BYTES || i - start >= NODE_ELEMENTS)) {
      out.push(ListNode.of(strings, start, i));
      start = i;
      bytes = 0;
    }
    bytes += len;
  }
  if (strings.length > start) out.push(ListNode.of(strings, start, strings.length));
  return out;
}
