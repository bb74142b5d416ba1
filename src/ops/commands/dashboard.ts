/**
 * `reddish dashboard`: serves the web dashboard for a deployment (the
 * topology picture, live charts, the Sentinel event timeline, a failover
 * button) until Ctrl-C. The deployment is found as every `reddish` command
 * finds it (TARGET_OPTIONS).
 */
import { intValue, value, type Parsed } from '../cli-args.js';
import { formatAddr } from '../ops-client.js';
import { resolveTarget, TARGET_OPTIONS } from '../target.js';
import { startDashboard, type Dashboard } from '../dashboard/server.js';
import { EXIT_FAILED, EXIT_OK, type OpsCommand } from './command.js';

export const dashboard: OpsCommand = {
  name: 'dashboard',
  summary: 'Serve a web dashboard of the deployment: topology, lag, live charts, Sentinel events, a failover button.',
  usage: 'reddish dashboard [--port 8080] [--bind 127.0.0.1] [--sentinel host:port ... | --master host:port]',
  options: [
    { name: 'port', value: true, arg: 'port', help: 'HTTP port (default 8080; 0 picks a free one)' },
    { name: 'bind', value: true, arg: 'address', help: 'Interface to listen on (default 127.0.0.1; the page can trigger failovers)' },
    ...TARGET_OPTIONS,
  ],
  async run(p: Parsed): Promise<number> {
    const target = resolveTarget(p);
    let d: Dashboard;
    try {
      d = await startDashboard({ target, port: intValue(p, 'port', 8080), host: value(p, 'bind') ?? '127.0.0.1' });
    } catch (e) {
      process.stderr.write(`reddish dashboard: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    const what = target.sentinels.length > 0
      ? `'${target.masterName}' through Sentinels ${target.sentinels.map(formatAddr).join(', ')}`
      : `master ${target.master ? formatAddr(target.master) : '?'} (no Sentinels: no events, no failover button)`;
    process.stdout.write(`Dashboard for ${what}\n  ${d.url}\nCtrl-C stops it.\n`);
    return new Promise<number>((resolve) => {
      const stop = (): void => {
        void d.close().then(() => resolve(EXIT_OK));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
