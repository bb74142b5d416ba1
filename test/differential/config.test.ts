/**
 * CONFIG GET / SET replies and error texts compared with Redis 7.0. CONFIG GET
 * replies are compared with their pairs sorted: Redis orders them by its hash
 * table, which is random per process.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, type Pair } from './harness.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair?.stop();
});

/** Sorts the key/value pairs of a CONFIG GET reply (RESP2 array or RESP3 map of bulk strings). */
function sortPairs(raw: string, cmd: string[]): string {
  if (cmd[0].toLowerCase() !== 'config' || cmd[1]?.toLowerCase() !== 'get') return raw;
  if (!raw.startsWith('*') && !raw.startsWith('%')) return raw;
  const lines = raw.split('\r\n');
  const items = lines.slice(1, -1);
  const pairs: string[] = [];
  for (let i = 0; i + 3 < items.length; i += 4) pairs.push(items.slice(i, i + 4).join('\r\n'));
  pairs.sort();
  return [lines[0], ...pairs, ''].join('\r\n');
}

const SCRIPTS: Record<string, string[][]> = {
  'CONFIG GET': [
    ['CONFIG', 'GET', 'hz'], ['CONFIG', 'GET', 'HZ', 'hz'], ['CONFIG', 'GET', 'H?'], ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET', 'maxmemory*'],
    ['CONFIG', 'GET', 'slave-priority', 'replica-priority', '*priority'], ['CONFIG', 'GET', 'use-exit-on-panic'], ['CONFIG', 'GET', 'use-exit*'],
    ['CONFIG', 'GET', '*lazyfree*', 'hz', 'save'], ['CONFIG', 'GET', 'client-output-buffer-limit', 'notify-keyspace-events', 'latency-tracking-info-percentiles'],
    ['CONFIG', 'GET', 'repl*'], ['CONFIG', 'GET', 'tls-*'], ['CONFIG', 'GET', 'cluster*'], ['CONFIG', 'GET', '*ziplist*', '*listpack*'], ['CONFIG', 'GET', 'slave*'],
    ['CONFIG', 'GET', '[a-c]*'], ['CONFIG', 'GET', 'loading-process-events-interval-bytes', 'rdb-key-save-delay', 'key-load-delay', 'watchdog-period'],
    ['CONFIG', 'GET'], ['CONFIG'], ['CONFIG', 'FOO'],
  ],
  'CONFIG SET errors': [
    ['CONFIG', 'SET', 'foo', 'bar'], ['CONFIG', 'SET', 'daemonize', 'yes'], ['CONFIG', 'SET', 'dir', '/tmp'], ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
    ['CONFIG', 'SET', 'maxmemory', 'abc'], ['CONFIG', 'SET', 'hz', 'abc'], ['CONFIG', 'SET', 'hz', '-1'], ['CONFIG', 'SET', 'hz', '+5'], ['CONFIG', 'SET', 'hz', '05'],
    ['CONFIG', 'SET', 'appendonly', 'maybe'], ['CONFIG', 'SET', 'loglevel', 'loud'], ['CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory', '20mb'],
    ['CONFIG', 'SET', 'maxmemory', '10mb', 'maxmemory-policy', 'bad'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'SET', 'hz', '5', 'foo', 'bar'], ['CONFIG', 'GET', 'hz'],
    ['CONFIG', 'SET', 'hz'], ['CONFIG', 'SET', 'save', '1'], ['CONFIG', 'SET', 'save', '100 x'], ['CONFIG', 'SET', 'save', '0 1'], ['CONFIG', 'SET', 'unixsocketperm', '999'],
    ['CONFIG', 'SET', 'maxclients', '0'], ['CONFIG', 'SET', 'maxclients', '-1'], ['CONFIG', 'SET', 'maxmemory-clients', '200%'], ['CONFIG', 'SET', 'maxmemory-clients', 'abc'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 x'], ['CONFIG', 'SET', 'oom-score-adj-values', '1 2'], ['CONFIG', 'SET', 'oom-score-adj-values', '1 2 3000'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'], ['CONFIG', 'SET', 'latency-tracking-info-percentiles', 'a'], ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '200'],
    ['CONFIG', 'SET', 'slaveof', 'x'], ['CONFIG', 'SET', 'proc-title-template', '{foo}'], ['CONFIG', 'SET', 'cluster-announce-hostname', 'a b'],
    ['CONFIG', 'SET', 'appendfilename', 'x'], ['CONFIG', 'SET', 'maxmemory-samples', '0'], ['CONFIG', 'SET', 'hz', '1', 'hz', '2'], ['CONFIG', 'SET', 'hz', '1', 'HZ', '2'],
    ['CONFIG', 'SET', 'hz', '1', 'daemonize', 'no'], ['CONFIG', 'SET', 'daemonize', 'no', 'foo', 'bar'], ['CONFIG', 'SET', 'foo', 'bar', 'daemonize', 'no'],
    ['CONFIG', 'SET', 'timeout', '10', 'foo'], ['CONFIG', 'SET', 'SLAVE-PRIORITY', 'abc'], ['CONFIG', 'SET', 'slave-priority', '5', 'replica-priority', '6'],
    ['CONFIG', 'SET', 'maxmemory', '-1'], ['CONFIG', 'SET', 'maxmemory', '1.5mb'], ['CONFIG', 'SET', 'proto-max-bulk-len', '1000'], ['CONFIG', 'SET', 'slowlog-log-slower-than', '9223372036854775808'],
    ['CONFIG', 'SET', 'slowlog-max-len', '-1'], ['CONFIG', 'SET', 'list-max-listpack-size', '2147483648'], ['CONFIG', 'SET', 'shutdown-on-sigint', 'bogus'],
    ['CONFIG', 'SET', 'bind', '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'], ['CONFIG', 'SET', 'activedefrag', 'x'], ['CONFIG', 'SET', 'replica-announce-port', '70000'],
  ],
  'CONFIG SET values': [
    ['CONFIG', 'SET', 'maxmemory', '1G', 'hz', '500', 'maxmemory-policy', 'ALLKEYS-LRU'], ['CONFIG', 'GET', 'maxmemory', 'hz', 'maxmemory-policy'],
    ['CONFIG', 'SET', 'hz', '1000'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '0'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '10', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['CONFIG', 'GET', 'notify-keyspace-events'], ['CONFIG', 'SET', 'notify-keyspace-events', 'xgK'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'An'], ['CONFIG', 'GET', 'notify-keyspace-events'], ['CONFIG', 'SET', 'notify-keyspace-events', ''],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '1.5 99.90 0 100'], ['CONFIG', 'GET', 'latency-tracking-info-percentiles'],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', ''], ['CONFIG', 'GET', 'latency-tracking-info-percentiles'], ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9'],
    ['CONFIG', 'SET', 'save', '100 10 200 20'], ['CONFIG', 'GET', 'save'], ['CONFIG', 'SET', 'save', ''], ['CONFIG', 'GET', 'save'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1mb 2k 3 normal 1 1 1'], ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 slave 256mb 64mb 60'], ['CONFIG', 'SET', 'maxmemory-clients', '10%'], ['CONFIG', 'GET', 'maxmemory-clients'],
    ['CONFIG', 'SET', 'maxmemory-clients', '1mb'], ['CONFIG', 'GET', 'maxmemory-clients'], ['CONFIG', 'SET', 'maxmemory-clients', '0'],
    ['CONFIG', 'SET', 'appendfsync', 'ALWAYS'], ['CONFIG', 'GET', 'appendfsync'], ['CONFIG', 'SET', 'appendfsync', 'everysec'],
    ['CONFIG', 'SET', 'slave-read-only', 'no'], ['CONFIG', 'GET', 'replica-read-only', 'slave-read-only'], ['CONFIG', 'SET', 'replica-read-only', 'yes'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '1 2 3'], ['CONFIG', 'GET', 'oom-score-adj-values'], ['CONFIG', 'SET', 'oom-score-adj-values', '0 200 800'],
    ['CONFIG', 'SET', 'shutdown-on-sigterm', 'nosave now'], ['CONFIG', 'GET', 'shutdown-on-sigterm'], ['CONFIG', 'SET', 'shutdown-on-sigterm', 'default'],
    ['CONFIG', 'SET', 'requirepass', ''], ['CONFIG', 'SET', 'list-max-listpack-size', '-10'], ['CONFIG', 'GET', 'list-max-ziplist-size'], ['CONFIG', 'SET', 'list-max-listpack-size', '-2'],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1mb'], ['CONFIG', 'GET', 'proto-max-bulk-len'], ['CONFIG', 'SET', 'proto-max-bulk-len', '512mb'],
    ['CONFIG', 'RESETSTAT'], ['CONFIG', 'RESETSTAT', 'x'], ['CONFIG', 'HELP'], ['CONFIG', 'REWRITE'], ['CONFIG', 'REWRITE', 'x'],
  ],
};

test('CONFIG GET/SET replies and errors match Redis 7.0 (RESP2 and RESP3)', async () => {
  const d = await runScripts(pair, SCRIPTS, { normalize: sortPairs });
  assert.equal(d.length, 0, formatDivergences(d, 40));
});

test('CONFIG GET * lists the same names and values as Redis 7.0', async () => {
  const skip = new Set(['dir', 'port', 'pidfile', 'logfile']);
  const get = async (c: typeof pair.redisClient) => {
    await c.call('HELLO', '3');
    const raw = await c.call('CONFIG', 'GET', '*');
    const items = raw.split('\r\n').slice(1, -1).filter((_, i) => i % 2 === 1);
    const m = new Map<string, string>();
    for (let i = 0; i + 1 < items.length; i += 2) if (!skip.has(items[i])) m.set(items[i], items[i + 1]);
    return [...m.entries()].sort();
  };
  assert.deepEqual(await get(pair.reddishClient), await get(pair.redisClient));
});
