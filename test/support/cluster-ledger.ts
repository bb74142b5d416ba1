/**
 * What a cluster workload was told succeeded: every acknowledged write (with
 * the time of its acknowledgement), every acknowledged INCR per counter, every
 * error. Read back at the end, it says which acknowledged writes were lost and
 * when they had been acknowledged, so a test can check that losses fall where
 * asynchronous replication allows them (just before a master died) and nowhere
 * else.
 */
import type { Cluster as IORedisCluster } from 'ioredis';
import { keyHashSlot } from '../../src/cluster/key-slot.js';

/** One acknowledged write: a string key's value, a hash field's value, or a list element. */
export interface AckedWrite {
  kind: 'string' | 'hash' | 'list';
  key: string;
  /** The hash field (kind 'hash'). */
  field?: string;
  value: string;
  ackAt: number;
}

export interface LostWrite {
  what: string;
  slot: number;
  ackAt: number;
}

export class Ledger {
  readonly writes: AckedWrite[] = [];
  /** Counter key → the times of its acknowledged INCRs. */
  readonly counters = new Map<string, number[]>();
  readonly errors: Array<{ at: number; message: string }> = [];
  /** Reads that did not return what had been acknowledged just before (read-your-writes). */
  readonly staleReads: Array<{ at: number; key: string }> = [];
  ops = 0;

  constructor(readonly name: string) {}

  write(kind: AckedWrite['kind'], key: string, value: string, field?: string): void {
    this.writes.push({ kind, key, field, value, ackAt: Date.now() });
  }

  incr(key: string): void {
    const times = this.counters.get(key) ?? [];
    times.push(Date.now());
    this.counters.set(key, times);
  }

  error(e: unknown): void {
    this.errors.push({ at: Date.now(), message: e instanceof Error ? e.message : String(e) });
  }

  /** Acknowledged writes and INCRs in [from, to). */
  ackedBetween(from: number, to: number): number {
    let n = 0;
    for (const w of this.writes) if (w.ackAt >= from && w.ackAt < to) n++;
    for (const times of this.counters.values()) for (const t of times) if (t >= from && t < to) n++;
    return n;
  }

  errorsBetween(from: number, to: number): number {
    return this.errors.filter((e) => e.at >= from && e.at < to).length;
  }

  /** The errors grouped by message, most frequent first: "12× no reply in 5000 ms; 3× ...". */
  errorSummary(): string {
    const counts = new Map<string, number>();
    for (const e of this.errors) {
      const m = e.message.slice(0, 80);
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${n}× ${m}`).join('; ');
  }
}

export interface LossReport {
  acked: number;
  lost: LostWrite[];
  /** INCRs acknowledged but missing from the final counter values. */
  lostIncrs: Array<{ key: string; slot: number; missing: number; acks: number[] }>;
}

const BATCH = 500;

/** Reads every acknowledged write of `ledgers` back through `c` and lists what is missing. */
export async function readBack(c: IORedisCluster, ledgers: Ledger[]): Promise<LossReport> {
  const report: LossReport = { acked: 0, lost: [], lostIncrs: [] };
  const lists = new Map<string, Set<string>>();
  for (const l of ledgers) {
    report.acked += l.writes.length;
    for (const times of l.counters.values()) report.acked += times.length;
    const strings = l.writes.filter((w) => w.kind === 'string');
    for (let i = 0; i < strings.length; i += BATCH) {
      const batch = strings.slice(i, i + BATCH);
      const got = await Promise.all(batch.map((w) => c.get(w.key)));
      batch.forEach((w, j) => {
        if (got[j] !== w.value) report.lost.push({ what: `${w.key}=${w.value} (read ${got[j]})`, slot: keyHashSlot(w.key), ackAt: w.ackAt });
      });
    }
    const fields = l.writes.filter((w) => w.kind === 'hash');
    for (let i = 0; i < fields.length; i += BATCH) {
      const batch = fields.slice(i, i + BATCH);
      const got = await Promise.all(batch.map((w) => c.hget(w.key, w.field ?? '')));
      batch.forEach((w, j) => {
        if (got[j] !== w.value) report.lost.push({ what: `${w.key}.${w.field}=${w.value}`, slot: keyHashSlot(w.key), ackAt: w.ackAt });
      });
    }
    for (const w of l.writes) {
      if (w.kind !== 'list') continue;
      let members = lists.get(w.key);
      if (members === undefined) {
        members = new Set(await c.lrange(w.key, 0, -1));
        lists.set(w.key, members);
      }
      if (!members.has(w.value)) report.lost.push({ what: `${w.key} ∋ ${w.value}`, slot: keyHashSlot(w.key), ackAt: w.ackAt });
    }
    for (const [key, acks] of l.counters) {
      // An INCR that failed may still have been applied, so the value can exceed the acks.
      const value = Number((await c.get(key)) ?? 0);
      if (value < acks.length) report.lostIncrs.push({ key, slot: keyHashSlot(key), missing: acks.length - value, acks });
    }
  }
  return report;
}
