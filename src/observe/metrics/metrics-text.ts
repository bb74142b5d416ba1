/**
 * The whole /metrics page of one server or Sentinel, built when it is asked
 * for (nothing on the request path keeps metrics of its own): what
 * redis_exporter would export scraping this instance, under its names.
 *
 * A data server: CONFIG metrics, INFO ALL (every section, so commandstats,
 * errorstats and latencystats too), LATENCY HISTOGRAM, SLOWLOG and LATENCY
 * LATEST. A Sentinel: the sections its INFO has (server, clients, stats,
 * cpu, sentinel) and the per-master SENTINEL metrics; Sentinel mode has no
 * CONFIG, SLOWLOG or LATENCY, so redis_exporter gets none of those from it.
 */
import type { Server } from '../../server.js';
import { genInfo } from '../info.js';
import { addConfigMetrics } from './config-metrics.js';
import { addInfoMetrics } from './info-metrics.js';
import { addCommandHistograms, addLatencySpikes, addSlowlogMetrics } from './latency-metrics.js';
import { RedisMetrics } from './redis-metrics.js';
import { addSentinelMasterMetrics } from './sentinel-metrics.js';
import { sentinelInfoSection } from '../../sentinel/sentinel-report.js';

/** `scrapes` counts the pages served so far, this one included (redis_exporter_scrapes_total). */
export function genMetrics(server: Server, scrapes: number): string {
  const started = performance.now();
  const m = new RedisMetrics();
  const sentinel = server.sentinel;
  if (sentinel !== null) {
    const info = genInfo(server, ['server', 'clients', 'stats', 'cpu']) + '\r\n' + sentinelInfoSection(sentinel);
    // CONFIG GET databases fails on a Sentinel: no empty-database padding.
    addInfoMetrics(m, info, null);
    addSentinelMasterMetrics(m, sentinel);
  } else {
    addConfigMetrics(m, server.config);
    addInfoMetrics(m, genInfo(server, ['all']), server.config.num('databases'));
    addCommandHistograms(m, server);
    addSlowlogMetrics(m, server);
    addLatencySpikes(m, server);
  }
  m.gauge('up', 1);
  m.gauge('exporter_last_scrape_error', 0, ['err'], ['']);
  m.counter('exporter_scrapes_total', scrapes);
  m.gauge('exporter_last_scrape_duration_seconds', (performance.now() - started) / 1000);
  return m.render();
}
