/**
 * What redis_exporter reads besides INFO on a data server, taken from the
 * same state the commands answer from:
 * - LATENCY HISTOGRAM → redis_commands_latencies_usec{cmd}, a histogram;
 * - SLOWLOG LEN / GET 1 → redis_slowlog_length, redis_slowlog_last_id,
 *   redis_last_slow_execution_duration_seconds;
 * - LATENCY LATEST → redis_latency_spike_last{event_name},
 *   redis_latency_spike_duration_seconds{event_name}.
 */
import type { Server } from '../../server.js';
import { cumulativeDistribution, histTotal, HIST_LEN } from '../histogram.js';
import type { RedisMetrics } from './redis-metrics.js';

/**
 * The bucket bounds LATENCY HISTOGRAM can report (µs, the hdr log
 * iterator's steps from 1024 ns doubling to 1 s), every one of them: the
 * distribution of a histogram with a count in every slot. Each series then
 * has the same `le` set on every scrape, which histogram_quantile() over a
 * rate() needs; LATENCY HISTOGRAM itself leaves out the empty steps.
 */
const BOUNDS: readonly number[] = cumulativeDistribution(new Uint32Array(HIST_LEN).fill(1), HIST_LEN).map(([usec]) => usec);

/** Cumulative counts at every bound, from LATENCY HISTOGRAM's (bound, cumulative) steps. */
function fullBuckets(steps: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let j = 0;
  let cum = 0;
  for (const le of BOUNDS) {
    while (j < steps.length && steps[j][0] <= le) cum = steps[j++][1];
    out.push([le, cum]);
  }
  return out;
}

export function addCommandHistograms(m: RedisMetrics, s: Server): void {
  for (const c of s.commands.all()) {
    const h = c.stats.hist;
    if (h === null) continue;
    const total = histTotal(h);
    if (total === 0) continue;
    // Sum as redis_exporter takes it: the command's total µs from INFO commandstats.
    m.histogram('commands_latencies_usec', ['cmd'], [c.fullname], fullBuckets(cumulativeDistribution(h, total)), Math.round(c.stats.usec), total);
  }
}

export function addSlowlogMetrics(m: RedisMetrics, s: Server): void {
  const entries = s.slowlog.entries;
  m.gauge('slowlog_length', entries.length);
  // SLOWLOG GET 1: the newest entry (entries are kept newest first).
  const last = entries[0];
  m.gauge('slowlog_last_id', last ? last.id : 0);
  m.gauge('last_slow_execution_duration_seconds', last ? last.usec / 1e6 : 0);
}

export function addLatencySpikes(m: RedisMetrics, s: Server): void {
  for (const [event, e] of s.latency.events) {
    // LATENCY LATEST's row: the latest sample's time and latency (ms), 0 when none.
    const latest = e.samples[e.samples.length - 1];
    m.gauge('latency_spike_last', latest ? latest.time : 0, ['event_name'], [event]);
    m.gauge('latency_spike_duration_seconds', (latest ? latest.latency : 0) / 1e3, ['event_name'], [event]);
  }
}
