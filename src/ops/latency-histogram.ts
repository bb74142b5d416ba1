/**
 * A latency histogram in microseconds with bounded memory and ~1.6%
 * precision (exact below 128 µs, then 64 buckets per power of two), read
 * back as percentiles the way redis-benchmark reports them: the highest
 * value a bucket stands for, never above the true maximum.
 */
const LINEAR = 128;
const PER_OCTAVE = 64;
const BUCKETS = LINEAR + 25 * PER_OCTAVE;
const MAX_US = 2 ** 31 - 1;

function indexOf(us: number): number {
  if (us < LINEAR) return us;
  const e = 31 - Math.clz32(us) - 6;
  return LINEAR + (e - 1) * PER_OCTAVE + ((us >>> e) - PER_OCTAVE);
}

function highestIn(idx: number): number {
  if (idx < LINEAR) return idx;
  const e = Math.floor((idx - LINEAR) / PER_OCTAVE) + 1;
  const m = ((idx - LINEAR) % PER_OCTAVE) + PER_OCTAVE;
  return ((m + 1) << e) - 1;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  min = Infinity;
  max = 0;
  private sum = 0;

  record(us: number): void {
    const v = Math.min(MAX_US, Math.max(0, Math.round(us)));
    this.counts[indexOf(v)]++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** The value (µs) at or below which `p` percent of the samples fall. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const want = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= want) return Math.min(this.max, Math.max(this.min, highestIn(i)));
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }
}
