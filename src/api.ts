/**
 * Reddish's programmatic API, for application test suites:
 *
 *   import { startTopology } from 'reddish';
 *   const t = await startTopology({ replicas: 2, sentinels: 3, downAfterMs: 1000 });
 *   const redis = new Redis({ sentinels: t.sentinelAddrs(), name: t.masterName });
 *   (await t.master()).kill();          // a crash
 *   const m = await t.waitForFailover(); // the Sentinels agree on a new master
 *   await t.stop();
 *
 * Every node is a child process on a free loopback port (unless told
 * otherwise), with its own directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeProcess, freePort } from './ops/node-process.js';

export { startTopology, type Topology, type TopologyOptions } from './ops/topology.js';
export { NodeProcess } from './ops/node-process.js';
export { OpsClient } from './ops/ops-client.js';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Where the server keeps its files; absent: a temp dir, removed by the handle's `remove()`. */
  dir?: string;
  password?: string;
  /** Extra redis.conf lines, e.g. ['appendonly yes', 'maxmemory 100mb']. */
  config?: string[];
}

export interface ServerHandle extends NodeProcess {
  /** Stops the server and removes a temp dir. */
  remove(): Promise<void>;
}

/** One Reddish server (a child process), ready to accept connections. */
export async function startServer(opts: ServerOptions = {}): Promise<ServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const temp = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'reddish-server-'));
  const node = new NodeProcess({
    kind: 'server', host, port, dir, password: opts.password,
    configLines: [
      `port ${port}`, `bind ${host}`, `dir "${dir}"`, 'logfile ""',
      ...(opts.password ? [`requirepass "${opts.password}"`] : []),
      ...(opts.config ?? []),
    ],
  });
  await node.start();
  return Object.assign(node, {
    async remove(): Promise<void> {
      await node.stop();
      if (temp) rmSync(dir, { recursive: true, force: true });
    },
  });
}
