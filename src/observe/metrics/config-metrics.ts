/**
 * The configuration redis_exporter exports from CONFIG GET *
 * (extractConfigMetrics): io-threads, maxclients and maxmemory as
 * redis_config_*, and client-output-buffer-limit per class as
 * redis_config_client_output_buffer_limit_bytes{class,limit} and
 * redis_config_client_output_buffer_limit_overcome_seconds{class,limit}.
 */
import type { Config } from '../../config/config.js';
import { parseGoFloat, type RedisMetrics } from './redis-metrics.js';

export function addConfigMetrics(m: RedisMetrics, config: Config): void {
  for (const name of ['io-threads', 'maxclients', 'maxmemory']) {
    const v = parseGoFloat(config.get(name));
    if (v !== null) m.gauge(`config_${name.replace(/-/g, '_')}`, v);
  }
  // "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60": class, hard, soft, soft seconds.
  const obuf = config.get('client-output-buffer-limit').split(' ');
  for (let i = 0; i + 3 < obuf.length; i += 4) {
    const cls = obuf[i];
    const hard = parseGoFloat(obuf[i + 1]);
    const soft = parseGoFloat(obuf[i + 2]);
    const secs = parseGoFloat(obuf[i + 3]);
    if (hard !== null) m.gauge('config_client_output_buffer_limit_bytes', hard, ['class', 'limit'], [cls, 'hard']);
    if (soft !== null) m.gauge('config_client_output_buffer_limit_bytes', soft, ['class', 'limit'], [cls, 'soft']);
    if (secs !== null) m.gauge('config_client_output_buffer_limit_overcome_seconds', secs, ['class', 'limit'], [cls, 'soft']);
  }
}
