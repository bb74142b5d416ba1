/**
 * The sorted-set skiplist (t_zset.c's zskiplist): William Pugh's skiplist with
 * repeated scores allowed, ordered by (score, member bytes), a backward link
 * at level 0, and a span per forward link so that ranks are O(log n).
 *
 * Members are latin1 JS strings (one char per byte), so JS string comparison
 * is sdscmp's memcmp-then-length order. Ranks are 1-based here, as in Redis
 * (the header's span to the first node is 1).
 *
 * No server imports: the data structure only.
 */

export const ZSKIPLIST_MAXLEVEL = 32;
const ZSKIPLIST_P = 0.25;

export class ZNode {
  /** Forward links per level; next.length is the node's level. */
  readonly next: Array<ZNode | null>;
  /** Elements crossed by each forward link (span[i] of next[i]). */
  readonly span: number[];
  backward: ZNode | null = null;
  /** Creation number within its set, for ZSCAN's cursor (kept across score updates). */
  seq = 0;

  constructor(level: number, public score: number, public member: string) {
    // Literals for the common levels (3 in 4 nodes have level 1): Array(n).fill
    // cost more than the rest of an insert when a load builds many small sets.
    if (level === 1) {
      this.next = [null];
      this.span = [0];
    } else if (level === 2) {
      this.next = [null, null];
      this.span = [0, 0];
    } else {
      this.next = new Array<ZNode | null>(level).fill(null);
      this.span = new Array<number>(level).fill(0);
    }
  }
}

/** A score interval; minex/maxex mark exclusive ends ("(1.5"). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex bound: inf -1 is '-', +1 is '+', 0 is the string s. */
export interface LexBound {
  inf: -1 | 0 | 1;
  s: string;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
  minex: boolean;
  maxex: boolean;
}

export function valueGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

export function valueLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

/** sdscmplex on two bounds / a value and a bound. */
export function cmpLex(a: LexBound, b: LexBound): number {
  if (a.inf !== 0 && a.inf === b.inf) return 0;
  if (a.inf === -1 || b.inf === 1) return -1;
  if (a.inf === 1 || b.inf === -1) return 1;
  return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
}

function cmpValueLex(v: string, b: LexBound): number {
  if (b.inf === -1) return 1;
  if (b.inf === 1) return -1;
  return v < b.s ? -1 : v > b.s ? 1 : 0;
}

export function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpValueLex(v, r.min);
  return r.minex ? c > 0 : c >= 0;
}

export function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpValueLex(v, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

/** True when the range can never contain anything (min > max, or equal and an end open). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

export function lexRangeEmpty(r: LexRange): boolean {
  const c = cmpLex(r.min, r.max);
  return c > 0 || (c === 0 && (r.minex || r.maxex));
}

/** node < (score, member) in skiplist order. */
function before(n: ZNode, score: number, member: string): boolean {
  return n.score < score || (n.score === score && n.member < member);
}

const SCRATCH_UPDATE: ZNode[] = new Array<ZNode>(ZSKIPLIST_MAXLEVEL);
const SCRATCH_RANK: number[] = new Array<number>(ZSKIPLIST_MAXLEVEL).fill(0);

export class Skiplist {
  /**
   * Its links grow with the list's level instead of starting at
   * ZSKIPLIST_MAXLEVEL: most sets are small, and an RDB load builds many.
   * Entries at or above `level` are null links of span 0, present or not.
   */
  readonly header = new ZNode(1, 0, '');
  tail: ZNode | null = null;
  length = 0;
  level = 1;
  /** Replaceable for tests; must return a value in [0, 1). */
  random: () => number = Math.random;
  /** Scratch vectors shared by every skiplist: no method runs inside another's use of them. */
  private readonly update: ZNode[] = SCRATCH_UPDATE;
  private readonly rank: number[] = SCRATCH_RANK;

  get first(): ZNode | null {
    return this.header.next[0];
  }

  randomLevel(): number {
    let level = 1;
    while (level < ZSKIPLIST_MAXLEVEL && this.random() < ZSKIPLIST_P) level++;
    return level;
  }

  /** zslInsert: the member must not be present (the caller checks its dict). */
  insert(score: number, member: string, level = this.randomLevel()): ZNode {
    const update = this.update;
    const rank = this.rank;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let f = x.next[i];
      while (f !== null && before(f, score, member)) {
        rank[i] += x.span[i];
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    if (level > this.level) {
      const h = this.header;
      while (h.next.length < level) {
        h.next.push(null);
        h.span.push(0);
      }
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        this.header.span[i] = this.length;
      }
      this.level = level;
    }
    const n = new ZNode(level, score, member);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      n.next[i] = u.next[i];
      u.next[i] = n;
      n.span[i] = u.span[i] - (rank[0] - rank[i]);
      u.span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    n.backward = update[0] === this.header ? null : update[0];
    const f0 = n.next[0];
    if (f0 !== null) f0.backward = n;
    else this.tail = n;
    this.length++;
    return n;
  }

  /** zslDeleteNode: unlinks x given the update vector. */
  private deleteNode(x: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.next[i] === x) {
        u.span[i] += x.span[i] - 1;
        u.next[i] = x.next[i];
      } else {
        u.span[i] -= 1;
      }
    }
    const f0 = x.next[0];
    if (f0 !== null) f0.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.header.next[this.level - 1] === null) {
      this.header.span[this.level - 1] = 0;
      this.level--;
    }
    this.length--;
  }

  /** Fills `update` for (score, member); returns the node at that position, if it is the one. */
  private findUpdate(score: number, member: string): ZNode | null {
    const update = this.update;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && before(f, score, member)) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    const n = x.next[0];
    return n !== null && n.score === score && n.member === member ? n : null;
  }

  /** zslDelete: the removed node, or null if (score, member) is not there. */
  delete(score: number, member: string): ZNode | null {
    const n = this.findUpdate(score, member);
    if (n === null) return null;
    this.deleteNode(n, this.update);
    return n;
  }

  /**
   * zslUpdateScore: the node must exist with curScore. It is updated in place
   * when it stays in position, else removed and re-inserted (a new node).
   */
  updateScore(curScore: number, member: string, newScore: number): ZNode {
    const x = this.findUpdate(curScore, member);
    if (x === null) throw new Error('zset: updateScore of a missing element');
    const f0 = x.next[0];
    if ((x.backward === null || x.backward.score < newScore) && (f0 === null || f0.score > newScore)) {
      x.score = newScore;
      return x;
    }
    this.deleteNode(x, this.update);
    const n = this.insert(newScore, member);
    n.seq = x.seq;
    return n;
  }

  /** zslGetRank: 1-based rank, 0 when absent. */
  getRank(score: number, member: string): number {
    let rank = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && (f.score < score || (f.score === score && f.member <= member))) {
        rank += x.span[i];
        x = f;
        f = x.next[i];
      }
      if (x !== this.header && x.score === score && x.member === member) return rank;
    }
    return 0;
  }

  /** zslGetElementByRank: 1-based. */
  getByRank(rank: number): ZNode | null {
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && traversed + x.span[i] <= rank) {
        traversed += x.span[i];
        x = f;
        f = x.next[i];
      }
      if (traversed === rank) return x === this.header ? null : x;
    }
    return null;
  }

  isInRange(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r)) return false;
    const t = this.tail;
    if (t === null || !valueGteMin(t.score, r)) return false;
    const h = this.header.next[0];
    return h !== null && valueLteMax(h.score, r);
  }

  firstInRange(r: ScoreRange): ZNode | null {
    if (!this.isInRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !valueGteMin(f.score, r)) {
        x = f;
        f = x.next[i];
      }
    }
    const n = x.next[0]!;
    return valueLteMax(n.score, r) ? n : null;
  }

  lastInRange(r: ScoreRange): ZNode | null {
    if (!this.isInRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && valueLteMax(f.score, r)) {
        x = f;
        f = x.next[i];
      }
    }
    return x !== this.header && valueGteMin(x.score, r) ? x : null;
  }

  isInLexRange(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const t = this.tail;
    if (t === null || !lexGteMin(t.member, r)) return false;
    const h = this.header.next[0];
    return h !== null && lexLteMax(h.member, r);
  }

  firstInLexRange(r: LexRange): ZNode | null {
    if (!this.isInLexRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !lexGteMin(f.member, r)) {
        x = f;
        f = x.next[i];
      }
    }
    const n = x.next[0];
    return n !== null && lexLteMax(n.member, r) ? n : null;
  }

  lastInLexRange(r: LexRange): ZNode | null {
    if (!this.isInLexRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && lexLteMax(f.member, r)) {
        x = f;
        f = x.next[i];
      }
    }
    return x !== this.header && lexGteMin(x.member, r) ? x : null;
  }

  /**
   * zzlFirstInLexRange / zzlLastInLexRange: a linear walk, as a listpack does
   * it. With equal scores it agrees with the skiplist descent; with mixed
   * scores (lex order not monotonic) it is what a listpack-encoded set answers.
   */
  firstInLexRangeLinear(r: LexRange): ZNode | null {
    if (!this.isInLexRange(r)) return null;
    for (let n = this.header.next[0]; n !== null; n = n.next[0]) {
      if (lexGteMin(n.member, r)) return lexLteMax(n.member, r) ? n : null;
    }
    return null;
  }

  lastInLexRangeLinear(r: LexRange): ZNode | null {
    if (!this.isInLexRange(r)) return null;
    for (let n = this.tail; n !== null; n = n.backward) {
      if (lexLteMax(n.member, r)) return lexGteMin(n.member, r) ? n : null;
    }
    return null;
  }

  /** zslDeleteRangeByScore; `removed` is called with each deleted node. */
  deleteRangeByScore(r: ScoreRange, removed: (n: ZNode) => void): number {
    const update = this.update;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !valueGteMin(f.score, r)) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    let n = x.next[0];
    let count = 0;
    while (n !== null && valueLteMax(n.score, r)) {
      const next = n.next[0];
      this.deleteNode(n, update);
      removed(n);
      count++;
      n = next;
    }
    return count;
  }

  /** zslDeleteRangeByLex (skiplist descent). */
  deleteRangeByLex(r: LexRange, removed: (n: ZNode) => void): number {
    const update = this.update;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !lexGteMin(f.member, r)) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    return this.deleteWhileLex(x.next[0], r, update, removed);
  }

  private deleteWhileLex(start: ZNode | null, r: LexRange, update: ZNode[], removed: (n: ZNode) => void): number {
    let n = start;
    let count = 0;
    while (n !== null && lexLteMax(n.member, r)) {
      const next = n.next[0];
      this.deleteNode(n, update);
      removed(n);
      count++;
      n = next;
    }
    return count;
  }

  /** zzlDeleteRangeByLex: from the linear first-in-range, while <= max. */
  deleteRangeByLexLinear(r: LexRange, removed: (n: ZNode) => void): number {
    const first = this.firstInLexRangeLinear(r);
    if (first === null) return 0;
    // Position the update vector just before `first`.
    this.findUpdate(first.score, first.member);
    return this.deleteWhileLex(first, r, this.update, removed);
  }

  /** zslDeleteRangeByRank: 1-based, inclusive. */
  deleteRangeByRank(start: number, end: number, removed: (n: ZNode) => void): number {
    const update = this.update;
    let traversed = 0;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && traversed + x.span[i] < start) {
        traversed += x.span[i];
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    traversed++;
    let n = x.next[0];
    let count = 0;
    while (n !== null && traversed <= end) {
      const next = n.next[0];
      this.deleteNode(n, update);
      removed(n);
      count++;
      traversed++;
      n = next;
    }
    return count;
  }

  /** Consistency check for tests: links, spans, order, backward pointers, length. */
  check(): void {
    const nodes: ZNode[] = [];
    for (let n = this.header.next[0]; n !== null; n = n.next[0]) nodes.push(n);
    if (nodes.length !== this.length) throw new Error(`length ${this.length} but ${nodes.length} nodes`);
    const pos = new Map<ZNode, number>();
    nodes.forEach((n, i) => pos.set(n, i + 1));
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.backward !== (i === 0 ? null : nodes[i - 1])) throw new Error(`bad backward at ${i}`);
      if (i > 0 && !before(nodes[i - 1], n.score, n.member)) throw new Error(`order broken at ${i}`);
    }
    if (this.tail !== (nodes.length ? nodes[nodes.length - 1] : null)) throw new Error('bad tail');
    for (let lvl = 0; lvl < ZSKIPLIST_MAXLEVEL; lvl++) {
      let x: ZNode = this.header;
      let at = 0;
      if (lvl >= this.level) {
        if ((this.header.next[lvl] ?? null) !== null) throw new Error(`header link above level ${lvl}`);
        continue;
      }
      for (;;) {
        const f = x.next[lvl];
        if (f === null) break;
        const target = pos.get(f);
        if (target === undefined) throw new Error(`level ${lvl} links to a node not in the list`);
        if (at + x.span[lvl] !== target) throw new Error(`bad span at level ${lvl} from rank ${at}`);
        at = target;
        x = f;
      }
    }
  }
}
