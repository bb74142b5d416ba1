/**
 * `reddish health`: every node and Sentinel answers PING, the master is a
 * master, every replica's link is up, every Sentinel agrees on the master and
 * can reach its quorum. Exit 0 when all hold, 1 (with what failed) otherwise.
 */
import { type Parsed } from '../cli-args.js';
import { OpsClient, formatAddr, type Addr } from '../ops-client.js';
import { inspect, resolveTarget, TARGET_OPTIONS } from '../target.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, type OpsCommand } from './command.js';

async function ping(addr: Addr, password: string | undefined): Promise<string | null> {
  const c = new OpsClient(addr, { password, timeoutMs: 2000 });
  try {
    const r = await c.call(['PING']);
    return r === 'PONG' ? null : `PING answered ${String(r)}`;
  } catch (e) {
    return (e as Error).message;
  } finally {
    c.close();
  }
}

export const health: OpsCommand = {
  name: 'health',
  summary: 'Check that every node and Sentinel answers and the replication and quorum are sound (exit 1 if not).',
  usage: 'reddish health [--sentinel host:port ... | --master host:port] [--quiet]',
  options: [...TARGET_OPTIONS, { name: 'quiet', help: 'Print only problems' }],
  async run(p: Parsed): Promise<number> {
    const target = resolveTarget(p);
    const d = await inspect(target);
    const problems: string[] = [];
    const ok: string[] = [];
    if (d.master === null) {
      process.stderr.write('UNREACHABLE: no master found (no Sentinel answered, or none knows the master name)\n');
      return EXIT_UNREACHABLE;
    }
    const check = (what: string, err: string | null): void => {
      if (err === null) ok.push(what);
      else problems.push(`${what}: ${err}`);
    };
    check(`master ${formatAddr(d.master.addr)} answers`, await ping(d.master.addr, target.password));
    check(`master ${formatAddr(d.master.addr)} has role master`, d.master.role === 'master' ? null : `role is ${d.master.role}`);
    for (const r of d.replicas) {
      const name = `replica ${formatAddr(r.addr)}`;
      check(`${name} answers`, await ping(r.addr, target.password));
      if (r.reachable) check(`${name} link up`, r.info.get('master_link_status') === 'up' ? null : `master_link_status ${r.info.get('master_link_status') ?? '?'}`);
    }
    for (const s of d.sentinels) {
      const name = `sentinel ${formatAddr(s.addr)}`;
      check(`${name} answers`, await ping(s.addr, undefined));
      if (!s.reachable) continue;
      check(`${name} agrees on the master`, s.master && formatAddr(s.master) === formatAddr(d.master.addr) ? null : `says ${s.master ? formatAddr(s.master) : 'none'}`);
      check(`${name} sees the master up`, s.masterFlags === 'master' ? null : `flags ${s.masterFlags}`);
      check(`${name} quorum`, s.quorum === 'ok' ? null : s.quorum);
    }
    if (!p.flags.has('quiet')) for (const o of ok) process.stdout.write(`ok    ${o}\n`);
    for (const x of problems) process.stdout.write(`FAIL  ${x}\n`);
    process.stdout.write(problems.length === 0 ? `healthy (${ok.length} checks)\n` : `UNHEALTHY: ${problems.length} of ${ok.length + problems.length} checks failed\n`);
    return problems.length === 0 ? EXIT_OK : EXIT_FAILED;
  },
};
