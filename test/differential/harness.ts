/**
 * The differential harness: the same commands sent to a real redis-server
 * (Debian's 7.0) and to reddish-server, raw reply bytes compared. One pair of
 * servers per test file; each script starts from FLUSHALL on db 0, and runs in
 * RESP2 and RESP3 unless told otherwise.
 *
 * A script is a list of commands (argv arrays). A divergence is reported with
 * the command and both replies, escaped so control bytes are visible.
 */
import { startServer, redisAvailable, type RunningServer, type ServerKind } from '../support/servers.js';
import { startAll } from '../support/start-all.js';
import { RawClient } from '../support/raw-client.js';

export interface Divergence {
  script: string;
  resp: 2 | 3;
  command: string[];
  redis: string;
  reddish: string;
}

export interface Pair {
  redis: RunningServer;
  reddish: RunningServer;
  redisClient: RawClient;
  reddishClient: RawClient;
  stop(): Promise<void>;
}

/**
 * `opts.second` picks what runs on the "reddish" side: 'redis' makes the pair
 * two redis-servers, so a suite can check its own expectations against Redis
 * before the feature it tests exists in Reddish.
 */
export async function startPair(extraArgs: string[] = [], opts: { second?: ServerKind } = {}): Promise<Pair> {
  if (!redisAvailable()) throw new Error('redis-server is not installed (apt-get install redis-server): differential tests need it');
  const [redis, reddish] = await startAll([startServer('redis', extraArgs), startServer(opts.second ?? 'reddish', extraArgs)], (s) => s.stop());
  const [redisClient, reddishClient] = await Promise.all([RawClient.connect(redis.port), RawClient.connect(reddish.port)]);
  return {
    redis, reddish, redisClient, reddishClient,
    async stop() {
      redisClient.close();
      reddishClient.close();
      await Promise.all([redis.stop(), reddish.stop()]);
    },
  };
}

export function show(raw: string): string {
  return JSON.stringify(raw.length > 400 ? raw.slice(0, 400) + `...(${raw.length} bytes)` : raw);
}

/** Runs scripts against both servers; returns every divergence (empty means identical). */
export async function runScripts(
  pair: Pair,
  scripts: Record<string, string[][]>,
  opts: { resp?: Array<2 | 3>; normalize?: (raw: string, cmd: string[]) => string } = {},
): Promise<Divergence[]> {
  const out: Divergence[] = [];
  const norm = opts.normalize ?? ((r: string) => r);
  for (const resp of opts.resp ?? [2, 3]) {
    for (const [name, cmds] of Object.entries(scripts)) {
      for (const c of [pair.redisClient, pair.reddishClient]) {
        await c.call('HELLO', String(resp));
        await c.call('SELECT', '0');
        await c.call('FLUSHALL');
      }
      for (const cmd of cmds) {
        const [a, b] = await Promise.all([pair.redisClient.call(...cmd), pair.reddishClient.call(...cmd)]);
        if (norm(a, cmd) !== norm(b, cmd)) out.push({ script: name, resp, command: cmd, redis: a, reddish: b });
      }
    }
  }
  return out;
}

export function formatDivergences(d: Divergence[], max = 20): string {
  return d
    .slice(0, max)
    .map((x) => `[${x.script} RESP${x.resp}] ${JSON.stringify(x.command)}\n   redis:   ${show(x.redis)}\n   reddish: ${show(x.reddish)}`)
    .join('\n') + (d.length > max ? `\n... and ${d.length - max} more` : '');
}
