/**
 * `reddish failover`: asks a Sentinel for SENTINEL FAILOVER and waits until
 * every reachable Sentinel names the new master (or the timeout passes).
 */
import { intValue, type Parsed } from '../cli-args.js';
import { OpsClient, formatAddr, type Addr } from '../ops-client.js';
import { resolveTarget, TARGET_OPTIONS } from '../target.js';
import { sentinelMasterAddr } from '../master-resolver.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, type OpsCommand } from './command.js';

async function masterSeenBy(s: Addr, name: string): Promise<string | null> {
  const a = await sentinelMasterAddr(s, name);
  return a ? formatAddr(a) : null;
}

export const failover: OpsCommand = {
  name: 'failover',
  summary: 'Fail the master over to its best replica through Sentinel, and wait until every Sentinel agrees.',
  usage: 'reddish failover [--sentinel host:port ...] [--master-name name] [--timeout-ms ms]',
  options: [...TARGET_OPTIONS, { name: 'timeout-ms', value: true, arg: 'ms', help: 'How long to wait for the new master (default 30000)' }],
  async run(p: Parsed): Promise<number> {
    const t = resolveTarget(p);
    if (t.sentinels.length === 0) {
      process.stderr.write('reddish failover works through Sentinels: give --sentinel host:port\n');
      return EXIT_USAGE;
    }
    const started = Date.now();
    let before: string | null = null;
    let asked: Addr | null = null;
    for (const s of t.sentinels) {
      before = await masterSeenBy(s, t.masterName);
      if (before === null) continue;
      const c = new OpsClient(s, { timeoutMs: 3000 });
      try {
        await c.call(['SENTINEL', 'FAILOVER', t.masterName]);
        asked = s;
        break;
      } catch (e) {
        process.stderr.write(`sentinel ${formatAddr(s)}: ${(e as Error).message}\n`);
        return EXIT_FAILED;
      } finally {
        c.close();
      }
    }
    if (asked === null || before === null) {
      process.stderr.write(`no Sentinel answered for '${t.masterName}'\n`);
      return EXIT_UNREACHABLE;
    }
    process.stdout.write(`failover of '${t.masterName}' (master ${before}) requested from sentinel ${formatAddr(asked)} ...\n`);
    const deadline = started + intValue(p, 'timeout-ms', 30000);
    while (Date.now() < deadline) {
      const views = (await Promise.all(t.sentinels.map((s) => masterSeenBy(s, t.masterName)))).filter((v) => v !== null);
      if (views.length > 0 && views.every((v) => v === views[0]) && views[0] !== before) {
        process.stdout.write(`new master ${views[0]} after ${Date.now() - started} ms (all ${views.length} reachable Sentinels agree)\n`);
        return EXIT_OK;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stderr.write(`no new master within ${Date.now() - started} ms\n`);
    return EXIT_FAILED;
  },
};
