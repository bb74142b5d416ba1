/**
 * `reddish up`: the guides' HA topology as local processes — a master, its
 * replicas and the Sentinels on the usual ports — waits until replication
 * and Sentinel discovery are complete, prints the endpoints, and keeps
 * running until Ctrl-C (or `reddish down`) stops everything cleanly. The data
 * directory survives: the next `up` starts the nodes from their own
 * (Sentinel-rewritten) config files and data.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { intValue, table, value, type Parsed } from '../cli-args.js';
import { startTopology, type Topology } from '../topology.js';
import { startDashboard, type Dashboard } from '../dashboard/server.js';
import { readUpState, STATE_FILE, type UpState } from '../target.js';
import { EXIT_FAILED, EXIT_OK, type OpsCommand } from './command.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const up: OpsCommand = {
  name: 'up',
  summary: 'Start a local HA topology (1 master, replicas, Sentinels) and keep it running until Ctrl-C.',
  usage: 'reddish up [options]',
  options: [
    { name: 'replicas', value: true, arg: 'n', help: 'Replicas of the master (default 2)' },
    { name: 'sentinels', value: true, arg: 'n', help: 'Sentinels (default 3)' },
    { name: 'quorum', value: true, arg: 'n', help: 'Sentinel quorum (default: a majority)' },
    { name: 'port', value: true, arg: 'port', help: 'Master port; replicas take the next ones (default 6379)' },
    { name: 'sentinel-port', value: true, arg: 'port', help: 'First Sentinel port (default 26379)' },
    { name: 'metrics-port', value: true, arg: 'port', help: 'First metrics port, one per node (default 9121; 0: none)' },
    { name: 'dashboard-port', value: true, arg: 'port', help: 'Port of the web dashboard (default 8080; 0: none)' },
    { name: 'dir', value: true, arg: 'path', help: 'Data directory (default ./reddish-data)' },
    { name: 'password', value: true, arg: 'password', help: 'requirepass/masterauth for the data nodes' },
    { name: 'down-after-ms', value: true, arg: 'ms', help: 'Sentinel down-after-milliseconds (default 5000)' },
    { name: 'failover-timeout-ms', value: true, arg: 'ms', help: 'Sentinel failover-timeout (default 60000)' },
    { name: 'master-name', value: true, arg: 'name', help: 'Name the Sentinels monitor (default mymaster)' },
    { name: 'no-restart', help: 'Do not restart nodes that die (by default they are, a data node once the Sentinels name another master)' },
  ],
  async run(p: Parsed): Promise<number> {
    const dir = resolve(value(p, 'dir') ?? 'reddish-data');
    const existing = readUpState(dir);
    if (existing && alive(existing.pid)) {
      process.stderr.write(`reddish up is already running on ${dir} (pid ${existing.pid}); \`reddish down --dir ${dir}\` stops it\n`);
      return EXIT_FAILED;
    }
    const replicas = intValue(p, 'replicas', 2);
    const sentinels = intValue(p, 'sentinels', 3);
    const metricsPort = intValue(p, 'metrics-port', 9121);
    const masterName = value(p, 'master-name') ?? 'mymaster';
    const password = value(p, 'password');
    process.stdout.write(`Starting ${1 + replicas} data nodes and ${sentinels} Sentinels in ${dir} ...\n`);
    let t: Topology;
    try {
      t = await startTopology({
        replicas, sentinels, dir, masterName, password,
        quorum: p.values.has('quorum') ? intValue(p, 'quorum', 2) : undefined,
        port: intValue(p, 'port', 6379),
        sentinelPort: intValue(p, 'sentinel-port', 26379),
        metricsPort: metricsPort > 0 ? metricsPort : undefined,
        downAfterMs: intValue(p, 'down-after-ms', 5000),
        failoverTimeoutMs: intValue(p, 'failover-timeout-ms', 60000),
      });
    } catch (e) {
      process.stderr.write(`reddish up failed: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    const state: UpState = {
      pid: process.pid, masterName, host: '127.0.0.1', password,
      servers: t.servers.map((s) => ({ port: s.port, pid: s.pid ?? 0, dir: s.dir, metricsPort: s.metricsPort })),
      sentinels: t.sentinels.map((s) => ({ port: s.port, pid: s.pid ?? 0, dir: s.dir, metricsPort: s.metricsPort })),
    };
    let dash: Dashboard | null = null;
    const dashboardPort = intValue(p, 'dashboard-port', 8080);
    if (dashboardPort > 0) {
      try {
        dash = await startDashboard({ target: { sentinels: t.sentinelAddrs(), masterName, master: sentinels === 0 ? t.servers[0].addr : null, password }, port: dashboardPort, host: '127.0.0.1' });
        state.dashboard = dash.url;
      } catch (e) {
        process.stderr.write(`the dashboard could not start: ${(e as Error).message}\n`);
      }
    }
    const statePath = join(dir, STATE_FILE);
    writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n');
    const master = await t.master();
    const rows = [
      ...t.servers.map((s) => [s === master ? 'master' : 'replica', `127.0.0.1:${s.port}`, metricsUrl(s.metricsPort), s.logFile]),
      ...t.sentinels.map((s) => ['sentinel', `127.0.0.1:${s.port}`, metricsUrl(s.metricsPort), s.logFile]),
    ];
    process.stdout.write('\n' + table(['role', 'address', 'metrics', 'log'], rows));
    const sentinelList = t.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
    process.stdout.write(
      `\nReady. Master name '${masterName}'.` +
      (dash ? `\n  Dashboard: ${dash.url}` : '') +
      (sentinels > 0 ? `\n  redis-cli -p ${t.sentinels[0].port} SENTINEL get-master-addr-by-name ${masterName}` : '') +
      `\n  reddish status${sentinels > 0 ? '' : ` --master 127.0.0.1:${master.port}`}` +
      `\n  REDDISH_SENTINELS=${sentinelList} (for the reddish tool from elsewhere)` +
      '\nCtrl-C or `reddish down` stops everything; data stays in the directory.\n',
    );

    let stopping = false;
    const shutdown = async (why: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${why}: stopping the topology ...\n`);
      await dash?.close();
      await t.stop();
      if (existsSync(statePath)) unlinkSync(statePath);
      process.stdout.write('Stopped.\n');
      process.exit(EXIT_OK);
    };
    process.on('SIGINT', () => void shutdown('Ctrl-C'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    // A supervisor, as a container runtime with restart=always would be: a node that dies on its
    // own (a test-failover kill, a crash) is reported and started again on its files — a data node
    // only once the Sentinels name another master, so the failover happens and it rejoins as a replica.
    const restartNodes = !p.flags.has('no-restart');
    const down = new Set<number>();
    let checking = false;
    setInterval(() => {
      if (checking || stopping) return;
      checking = true;
      void (async () => {
        for (const n of [...t.servers, ...t.sentinels]) {
          if (n.running()) {
            down.delete(n.port);
            continue;
          }
          if (!down.has(n.port)) {
            down.add(n.port);
            process.stdout.write(`${new Date().toISOString()} ${n.kind} 127.0.0.1:${n.port} is not running (see ${n.logFile})\n`);
          }
          if (!restartNodes || stopping) continue;
          if (n.kind === 'server' && sentinels > 0) {
            const m = await t.master().catch(() => null);
            if (m === null || m === n) continue;
          }
          try {
            await n.start();
            // Tools that kill local nodes (test-failover) read the pids from the state file.
            for (const e of [...state.servers, ...state.sentinels]) if (e.port === n.port) e.pid = n.pid ?? 0;
            writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n');
            process.stdout.write(`${new Date().toISOString()} ${n.kind} 127.0.0.1:${n.port} restarted\n`);
          } catch (e) {
            process.stdout.write(`${new Date().toISOString()} ${n.kind} 127.0.0.1:${n.port} could not restart: ${(e as Error).message}\n`);
          }
        }
      })().finally(() => {
        checking = false;
      });
    }, 1000);
    return new Promise<number>(() => {
      /* runs until a signal */
    });
  },
};

function metricsUrl(port: number | undefined): string {
  return port ? `http://127.0.0.1:${port}/metrics` : '-';
}

export const down: OpsCommand = {
  name: 'down',
  summary: 'Stop the topology a `reddish up` runs on a directory.',
  usage: 'reddish down [--dir path]',
  options: [{ name: 'dir', value: true, arg: 'path', help: 'Data directory (default ./reddish-data)' }],
  async run(p: Parsed): Promise<number> {
    const dir = resolve(value(p, 'dir') ?? 'reddish-data');
    const state = readUpState(dir);
    if (!state || !alive(state.pid)) {
      process.stderr.write(`no running \`reddish up\` on ${dir}\n`);
      return EXIT_FAILED;
    }
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 30000;
    while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(state.pid)) {
      process.stderr.write(`reddish up (pid ${state.pid}) did not stop within 30 s\n`);
      return EXIT_FAILED;
    }
    process.stdout.write(`Stopped the topology on ${dir}.\n`);
    return EXIT_OK;
  },
};
