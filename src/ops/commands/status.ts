/**
 * `reddish status` and `reddish lag`: the deployment as a table — every
 * data node's role, link state, offsets and lag, and every Sentinel's view
 * of the master — or as JSON for scripts.
 */
import { table, type Parsed } from '../cli-args.js';
import { formatAddr } from '../ops-client.js';
import { inspect, replicaLag, resolveTarget, TARGET_OPTIONS, type Deployment, type NodeView } from '../target.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, type OpsCommand } from './command.js';

const JSON_OPTION = { name: 'json', help: 'Print JSON instead of a table' };

function nodeJson(d: Deployment, n: NodeView, isMaster: boolean): Record<string, unknown> {
  const lag = isMaster ? { bytes: 0, seconds: 0 } : replicaLag(d.master, n);
  return {
    address: formatAddr(n.addr),
    role: n.reachable ? n.role : null,
    reachable: n.reachable,
    sentinelFlags: n.flags,
    linkStatus: isMaster ? null : n.info.get('master_link_status') ?? null,
    masterHost: n.info.get('master_host') ?? null,
    masterPort: n.info.has('master_port') ? Number(n.info.get('master_port')) : null,
    offset: Number(n.info.get(isMaster ? 'master_repl_offset' : 'slave_repl_offset') ?? NaN) || 0,
    lagBytes: lag.bytes,
    lagSeconds: lag.seconds,
    error: n.error ?? null,
  };
}

export function deploymentJson(d: Deployment): Record<string, unknown> {
  return {
    masterName: d.target.masterName,
    master: d.master ? nodeJson(d, d.master, true) : null,
    replicas: d.replicas.map((r) => nodeJson(d, r, false)),
    sentinels: d.sentinels.map((s) => ({
      address: formatAddr(s.addr), reachable: s.reachable,
      master: s.master ? formatAddr(s.master) : null, masterFlags: s.masterFlags, quorum: s.quorum, error: s.error ?? null,
    })),
  };
}

function cell(v: unknown): string {
  return v === null || v === undefined ? '-' : String(v);
}

export const status: OpsCommand = {
  name: 'status',
  summary: 'Show roles, link status, offsets and lag of every node, and each Sentinel\'s view of the master.',
  usage: 'reddish status [--sentinel host:port ... | --master host:port] [--json]',
  options: [...TARGET_OPTIONS, JSON_OPTION],
  async run(p: Parsed): Promise<number> {
    const d = await inspect(resolveTarget(p));
    if (p.flags.has('json')) {
      process.stdout.write(JSON.stringify(deploymentJson(d), null, 2) + '\n');
    } else {
      const j = deploymentJson(d);
      const nodes = [j.master, ...(j.replicas as unknown[])].filter((x) => x !== null) as Array<Record<string, unknown>>;
      process.stdout.write(`Master name: ${d.target.masterName}\n\n`);
      process.stdout.write(table(
        ['address', 'role', 'up', 'link', 'offset', 'lag bytes', 'lag s', 'sentinel flags'],
        nodes.map((n) => [cell(n.address), cell(n.role), n.reachable ? 'yes' : 'NO', cell(n.linkStatus), cell(n.offset), cell(n.lagBytes), cell(n.lagSeconds), cell(n.sentinelFlags)]),
      ));
      if (d.sentinels.length > 0) {
        process.stdout.write('\n' + table(
          ['sentinel', 'up', 'master', 'master flags', 'quorum'],
          d.sentinels.map((s) => [formatAddr(s.addr), s.reachable ? 'yes' : 'NO', s.master ? formatAddr(s.master) : '-', s.masterFlags || '-', s.reachable ? s.quorum : cell(s.error)]),
        ));
      }
    }
    if (d.master === null && d.sentinels.every((s) => !s.reachable)) return EXIT_UNREACHABLE;
    return d.master?.reachable ? EXIT_OK : EXIT_FAILED;
  },
};

export const lag: OpsCommand = {
  name: 'lag',
  summary: 'Show each replica\'s replication lag behind the master, in bytes and seconds.',
  usage: 'reddish lag [--sentinel host:port ... | --master host:port] [--json]',
  options: [...TARGET_OPTIONS, JSON_OPTION],
  async run(p: Parsed): Promise<number> {
    const d = await inspect(resolveTarget(p));
    if (d.master === null) {
      process.stderr.write('no master found\n');
      return EXIT_UNREACHABLE;
    }
    const rows = d.replicas.map((r) => ({ replica: formatAddr(r.addr), link: r.info.get('master_link_status') ?? null, ...replicaLag(d.master, r) }));
    if (p.flags.has('json')) process.stdout.write(JSON.stringify({ master: formatAddr(d.master.addr), replicas: rows }, null, 2) + '\n');
    else {
      process.stdout.write(`master ${formatAddr(d.master.addr)}, offset ${d.master.info.get('master_repl_offset') ?? '?'}\n\n`);
      process.stdout.write(table(['replica', 'link', 'lag bytes', 'lag s'], rows.map((r) => [r.replica, cell(r.link), cell(r.bytes), cell(r.seconds)])));
    }
    return rows.every((r) => r.link === 'up') ? EXIT_OK : EXIT_FAILED;
  },
};
