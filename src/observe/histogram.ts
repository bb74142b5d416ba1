/**
 * Per-command latency histograms, laid out as Redis's hdr_histogram with
 * lowest value 1 ns, highest 1 s and 2 significant figures (server.c
 * LATENCY_HISTOGRAM_*): 256 linear sub-buckets in the first bucket, then 128
 * per power of two. Recording is a clz and an increment, so call() can afford
 * it for every command; percentiles are reported as the bucket's highest
 * equivalent value, which is what makes Redis print p50=3.007 for 3 µs.
 */
import type { CommandStats } from '../dispatch/command-spec.js';

const SUB_HALF_MAG = 7; // sub_bucket_half_count_magnitude
const SUB_HALF = 1 << SUB_HALF_MAG; // 128
const MAX_NS = 1_000_000_000;
/** Buckets needed for MAX_NS: bitlen(1e9) = 30 → bucket 22 → 24 * 128 slots. */
export const HIST_LEN = 24 * SUB_HALF;

function indexOf(v: number): number {
  const bucket = 32 - Math.clz32(v | 255) - 8;
  const sub = v >>> bucket;
  return bucket === 0 ? sub : ((bucket + 1) << SUB_HALF_MAG) + (sub - SUB_HALF);
}

/** The largest value sharing slot i (hdr's highest_equivalent_value). */
export function highestEquivalent(i: number): number {
  let bucket: number;
  let sub: number;
  if (i < 2 * SUB_HALF) {
    bucket = 0;
    sub = i;
  } else {
    bucket = (i >>> SUB_HALF_MAG) - 1;
    sub = (i & (SUB_HALF - 1)) + SUB_HALF;
  }
  return sub * 2 ** bucket + 2 ** bucket - 1;
}

/** Records one call's duration (µs, fractional) as ns. */
export function recordLatency(st: CommandStats, usec: number): void {
  let h = st.hist;
  if (h === null) h = st.hist = new Uint32Array(HIST_LEN);
  let ns = Math.floor(usec * 1000);
  if (ns < 1) ns = 1;
  else if (ns > MAX_NS) ns = MAX_NS;
  h[indexOf(ns)]++;
}

export function histTotal(h: Uint32Array): number {
  let t = 0;
  for (let i = 0; i < h.length; i++) t += h[i];
  return t;
}

/** hdr_value_at_percentile, in ns. */
export function valueAtPercentile(h: Uint32Array, total: number, p: number): number {
  const pct = p < 100 ? p : 100;
  let want = Math.floor((pct / 100) * total + 0.5);
  if (want < 1) want = 1;
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i];
    if (seen >= want) return highestEquivalent(i);
  }
  return 0;
}

/**
 * LATENCY HISTOGRAM's cumulative distribution: hdr's log iterator from 1024 ns
 * doubling, each step reported as (highest equivalent µs, cumulative count),
 * skipping steps that add nothing.
 */
export function cumulativeDistribution(h: Uint32Array, total: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let prev = 0;
  let cum = 0;
  let i = 0;
  for (let level = 1024; cum < total; level *= 2) {
    const limit = indexOf(Math.min(level, MAX_NS));
    for (; i <= limit && i < h.length; i++) cum += h[i];
    if (cum > prev) out.push([Math.floor(highestEquivalent(limit) / 1000), cum]);
    prev = cum;
    if (level >= MAX_NS) break;
  }
  return out;
}
