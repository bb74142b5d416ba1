/**
 * The V8 heap limit as a memory ceiling of last resort.
 *
 * Redis without maxmemory grows until the machine runs out; Reddish's data
 * lives in V8's heap, which has a fixed limit (heap_size_limit, from
 * --max-old-space-size or Node's default), and past it the process aborts
 * with everything not yet saved lost. So whatever maxmemory says, once the
 * heap is close to that limit the server refuses the commands that may grow
 * memory (denyoom), with an -OOM error as maxmemory's noeviction does, and
 * keeps serving reads and deletions; it accepts writes again once the heap
 * came back down. Like Redis's 32-bit instances, which set a 3 GB limit by
 * themselves, but as a refusal rather than a silent setting.
 *
 * Checked from the cron (every 100 ms at hz 10): V8's heap statistics, a
 * few microseconds. The margins leave room for what a burst of
 * writes adds between two checks and for V8's own last GCs.
 */
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** Refuse writes above this share of the old generation's limit... */
const ENTER = 0.9;
/** ...until it is back below this share (hysteresis: no flapping around one line). */
const LEAVE = 0.8;

export const HEAP_OOM =
  'OOM command not allowed when used memory is near the heap limit (start reddish-server with a larger --max-old-space-size, or set maxmemory below it).';

/** The old generation: where the data ends up, and what the process aborts on when full. */
export interface HeapReading {
  used: number;
  limit: number;
}

/**
 * heap_size_limit is the old generation's limit (--max-old-space-size) plus
 * the young generation's reservation, three semi-spaces (16 MB each by
 * default on 64-bit, or --max-semi-space-size).
 */
function youngReserve(): number {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  let semiMb = 16;
  for (const f of flags) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(f);
    if (m) semiMb = Number(m[1]);
  }
  return 3 * semiMb * 1024 * 1024;
}

const YOUNG_RESERVE = youngReserve();

export function readHeap(): HeapReading {
  const total = getHeapStatistics();
  let young = 0;
  for (const sp of getHeapSpaceStatistics()) {
    if (sp.space_name === 'new_space' || sp.space_name === 'new_large_object_space') young += sp.space_used_size;
  }
  return { used: total.used_heap_size - young, limit: Math.max(total.heap_size_limit / 2, total.heap_size_limit - YOUNG_RESERVE) };
}

export class HeapGuard {
  /** True while writes are refused. */
  critical = false;

  constructor(private readonly log: (level: 'warning' | 'notice', msg: string) => void) {}

  /** One check; logs when the state changes. */
  update(r: HeapReading = readHeap()): void {
    const share = r.used / r.limit;
    if (!this.critical && share >= ENTER) {
      this.critical = true;
      this.log('warning', `Heap at ${mb(r.used)} of its ${mb(r.limit)} limit: refusing commands that may use more memory (-OOM) until it is below ${mb(r.limit * LEAVE)}. Start with a larger --max-old-space-size or set maxmemory with an eviction policy.`);
    } else if (this.critical && share < LEAVE) {
      this.critical = false;
      this.log('notice', `Heap back at ${mb(r.used)} of its ${mb(r.limit)} limit: accepting writes again.`);
    }
  }
}

/** The startup warning when maxmemory cannot be reached before the heap limit. */
export function maxmemoryAboveHeapLimit(maxmemory: number, r: HeapReading = readHeap()): string | null {
  if (maxmemory === 0 || maxmemory < r.limit * ENTER) return null;
  return `WARNING: maxmemory (${mb(maxmemory)}) is above ${Math.round(ENTER * 100)}% of the V8 heap limit (${mb(r.limit)}): writes will be refused at the heap limit before maxmemory is reached. Start with NODE_OPTIONS=--max-old-space-size=<MB> to raise it.`;
}

function mb(n: number): string {
  return `${Math.round(n / (1024 * 1024))} MB`;
}
