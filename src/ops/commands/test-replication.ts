/**
 * `reddish test-replication`: writes a unique key on the master, polls every
 * replica until it reads the value back, and reports per replica how long
 * that took and its replication lag. Exit 1 when a replica misses the
 * deadline (or there is no replica to test). The key is removed afterwards
 * and carries a TTL in case the tool dies first.
 */
import { randomBytes } from 'node:crypto';
import { intValue, table, type Parsed } from '../cli-args.js';
import { OpsClient, formatAddr, type Addr } from '../ops-client.js';
import { inspect, replicaLag, resolveTarget, TARGET_OPTIONS, type NodeView } from '../target.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, type OpsCommand } from './command.js';

interface ReplicaResult {
  address: string;
  ok: boolean;
  /** From the master's acknowledgement of the SET to the first read of the value on the replica. */
  ms: number | null;
  lagBytes: number | null;
  lagSeconds: number | null;
  linkStatus: string | null;
  error: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls GET on one replica until it returns `value` or the deadline passes; the elapsed ms from `since`, or an error. */
async function waitForValue(addr: Addr, password: string | undefined, key: string, value: string, since: number, deadline: number): Promise<{ ms: number } | { error: string }> {
  const c = new OpsClient(addr, { password, timeoutMs: Math.max(100, deadline - Date.now()) });
  let last = 'never read';
  try {
    while (Date.now() < deadline) {
      // A stopped replica never answers: race each read against the deadline (and clear that timer,
      // which would otherwise keep the tool alive until the deadline).
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        c.call(['GET', key]).then((v) => ({ v }), (e: Error) => ({ err: e.message })),
        new Promise<{ err: string }>((res) => (timer = setTimeout(() => res({ err: 'no reply before the deadline' }), Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
      if ('v' in r) {
        if (r.v === value) return { ms: Date.now() - since };
        last = r.v === null ? 'key not there yet' : 'another value';
      } else {
        last = r.err;
        if (!/timed out|deadline/.test(r.err)) return { error: r.err };
      }
      await sleep(2);
    }
    return { error: `not replicated within the timeout (${last})` };
  } finally {
    c.close();
  }
}

export const testReplication: OpsCommand = {
  name: 'test-replication',
  summary: 'Write a unique key on the master and check that every replica gets it; report the time each took and its lag.',
  usage: 'reddish test-replication [--sentinel host:port ... | --master host:port] [--timeout-ms ms] [--json]',
  options: [
    ...TARGET_OPTIONS,
    { name: 'timeout-ms', value: true, arg: 'ms', help: 'How long each replica may take to show the key (default 5000)' },
    { name: 'json', help: 'Print JSON' },
  ],
  async run(p: Parsed): Promise<number> {
    const timeoutMs = intValue(p, 'timeout-ms', 5000);
    const target = resolveTarget(p);
    const d = await inspect(target);
    if (d.master === null || !d.master.reachable) {
      process.stderr.write(`no reachable master${d.master ? ` (${formatAddr(d.master.addr)}: ${d.master.error ?? '?'})` : ''}\n`);
      return EXIT_UNREACHABLE;
    }
    const master = d.master;
    const key = `reddish:test-replication:${randomBytes(8).toString('hex')}`;
    const value = `${Date.now()}:${randomBytes(8).toString('hex')}`;
    const mc = new OpsClient(master.addr, { password: target.password, timeoutMs: 3000 });
    let results: ReplicaResult[];
    try {
      // The TTL is a safety net only: the key is deleted below.
      await mc.call(['SET', key, value, 'PX', Math.max(60000, timeoutMs * 2)]);
      const since = Date.now();
      const deadline = since + timeoutMs;
      results = await Promise.all(d.replicas.map(async (r: NodeView): Promise<ReplicaResult> => {
        const lag = replicaLag(master, r);
        const base = { address: formatAddr(r.addr), lagBytes: lag.bytes, lagSeconds: lag.seconds, linkStatus: r.info.get('master_link_status') ?? null };
        const got = await waitForValue(r.addr, target.password, key, value, since, deadline);
        return 'ms' in got ? { ...base, ok: true, ms: got.ms, error: null } : { ...base, ok: false, ms: null, error: got.error };
      }));
      await mc.call(['DEL', key]).catch(() => undefined);
    } catch (e) {
      process.stderr.write(`master ${formatAddr(master.addr)}: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    } finally {
      mc.close();
    }
    const ok = results.length > 0 && results.every((r) => r.ok);
    if (p.flags.has('json')) {
      process.stdout.write(JSON.stringify({ ok, master: formatAddr(master.addr), key, timeoutMs, replicas: results }, null, 2) + '\n');
    } else {
      process.stdout.write(`wrote ${key} on master ${formatAddr(master.addr)}\n\n`);
      if (results.length > 0) {
        process.stdout.write(table(
          ['replica', 'result', 'ms', 'link', 'lag bytes', 'lag s'],
          results.map((r) => [r.address, r.ok ? 'ok' : `FAIL: ${r.error ?? ''}`, r.ms === null ? '-' : String(r.ms), r.linkStatus ?? '-', r.lagBytes === null ? '-' : String(r.lagBytes), r.lagSeconds === null ? '-' : String(r.lagSeconds)]),
        ));
      }
      process.stdout.write(results.length === 0 ? 'FAIL: the master has no replicas to test\n'
        : ok ? `ok: all ${results.length} replicas have the key (slowest ${Math.max(...results.map((r) => r.ms ?? 0))} ms)\n`
          : `FAIL: ${results.filter((r) => !r.ok).length} of ${results.length} replicas did not get the key within ${timeoutMs} ms\n`);
    }
    return ok ? EXIT_OK : EXIT_FAILED;
  },
};
