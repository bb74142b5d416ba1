/** `reddish role <host:port>`: what ROLE says, in words (master with replicas, replica of, or Sentinel of masters). */
import { type Parsed } from '../cli-args.js';
import { OpsClient, parseAddr, formatAddr } from '../ops-client.js';
import { EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, type OpsCommand } from './command.js';

export const role: OpsCommand = {
  name: 'role',
  summary: 'Show the role of one node: master (with its replicas), replica (of whom, link state) or sentinel.',
  usage: 'reddish role <host:port> [--password p] [--json]',
  options: [
    { name: 'password', value: true, arg: 'password', help: 'Password of the node' },
    { name: 'json', help: 'Print JSON' },
  ],
  async run(p: Parsed): Promise<number> {
    if (p.positional.length !== 1) {
      process.stderr.write('reddish role: give one address, host:port\n');
      return EXIT_USAGE;
    }
    const addr = parseAddr(p.positional[0]);
    const c = new OpsClient(addr, { password: p.values.get('password')?.[0] ?? process.env.REDDISH_PASSWORD, timeoutMs: 3000 });
    let r: unknown[];
    try {
      r = (await c.call(['ROLE'])) as unknown[];
    } catch (e) {
      process.stderr.write(`${formatAddr(addr)}: ${(e as Error).message}\n`);
      return EXIT_UNREACHABLE;
    } finally {
      c.close();
    }
    const kind = String(r[0]);
    let out: Record<string, unknown>;
    if (kind === 'master') {
      out = { role: 'master', offset: r[1], replicas: (r[2] as unknown[][]).map((x) => ({ address: `${String(x[0])}:${String(x[1])}`, offset: Number(x[2]) })) };
    } else if (kind === 'slave') {
      out = { role: 'replica', master: `${String(r[1])}:${String(r[2])}`, state: r[3], offset: r[4] };
    } else {
      out = { role: kind, masters: r[1] };
    }
    if (p.flags.has('json')) process.stdout.write(JSON.stringify(out) + '\n');
    else if (kind === 'master') {
      const reps = out.replicas as Array<{ address: string; offset: number }>;
      process.stdout.write(`master, offset ${String(out.offset)}, ${reps.length} replica(s)${reps.map((x) => `\n  ${x.address} offset ${x.offset}`).join('')}\n`);
    } else if (kind === 'slave') process.stdout.write(`replica of ${String(out.master)}, link ${String(out.state)}, offset ${String(out.offset)}\n`);
    else process.stdout.write(`${kind}${Array.isArray(out.masters) ? ` of ${(out.masters as string[]).join(', ')}` : ''}\n`);
    return EXIT_OK;
  },
};
