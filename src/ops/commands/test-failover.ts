/**
 * `reddish test-failover`: makes the master fail under a write load and
 * reports what happened — the Sentinels' timeline (ms since the kill) and
 * how many acknowledged writes the new master has. A master started by the
 * local `reddish up` gets SIGKILL (a crash); any other gets SHUTDOWN NOSAVE
 * (a clean stop, as far as a remote tool can go). Exit 1 when no new master
 * takes writes within --timeout-ms, or when a WAIT-acknowledged write is
 * missing: those must survive as long as a replica that had them does.
 */
import { randomBytes } from 'node:crypto';
import { intValue, table, value, type Parsed } from '../cli-args.js';
import { OpsClient, ReplyError, formatAddr, type Addr } from '../ops-client.js';
import { inspect, readUpState, resolveTarget, TARGET_OPTIONS } from '../target.js';
import { currentMaster } from '../master-resolver.js';
import { watchSentinelEvents, type SentinelEvent } from '../sentinel-events.js';
import { FailoverWriteLoad, deleteLoadKeys, missingOn } from '../failover-load.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, type OpsCommand } from './command.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The events that make the timeline, in the order a failover goes through them. */
const MILESTONES = ['+sdown', '+odown', '+try-failover', '+elected-leader', '+selected-slave', '+promoted-slave', '+switch-master', '+failover-end'];

interface KillAction {
  kind: 'SIGKILL' | 'SHUTDOWN';
  detail: string;
}

function isLocal(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/** SIGKILL when `reddish up` in `dir` runs this master, else SHUTDOWN NOSAVE over the wire. */
async function failMaster(master: Addr, dir: string, password: string | undefined): Promise<KillAction> {
  const state = readUpState(dir);
  const local = state && isLocal(master.host) && (state.host === master.host || isLocal(state.host))
    ? state.servers.find((s) => s.port === master.port) : undefined;
  if (local && local.pid > 0) {
    try {
      process.kill(local.pid, 'SIGKILL');
      return { kind: 'SIGKILL', detail: `SIGKILL to pid ${local.pid} (a process of the local \`reddish up\` in ${dir})` };
    } catch {
      // Not running any more (or not ours): fall through to SHUTDOWN.
    }
  }
  const c = new OpsClient(master, { password, timeoutMs: 5000 });
  try {
    // NOW: do not wait for lagging replicas (Redis 7), the closest a remote tool gets to a crash.
    for (const argv of [['SHUTDOWN', 'NOSAVE', 'NOW'], ['SHUTDOWN', 'NOSAVE']]) {
      try {
        await c.call(argv);
      } catch (e) {
        if (e instanceof ReplyError && /syntax/i.test(e.message) && argv.length === 3) continue; // before Redis 7: no NOW
        if (e instanceof ReplyError) throw e;
        return { kind: 'SHUTDOWN', detail: `${argv.join(' ')} sent to ${formatAddr(master)}` }; // the link dropped: it went down
      }
    }
    throw new Error('SHUTDOWN returned without the server going down');
  } finally {
    c.close();
  }
}

interface TimelineRow {
  ms: number;
  what: string;
  detail: string;
}

export const testFailover: OpsCommand = {
  name: 'test-failover',
  summary: 'Kill the master under a write load; report the failover timeline and how many acknowledged writes survived.',
  usage: 'reddish test-failover [--sentinel host:port ...] [--dir path] [--duration-ms ms] [--timeout-ms ms] [--json]',
  options: [
    ...TARGET_OPTIONS,
    { name: 'duration-ms', value: true, arg: 'ms', help: 'How long the load goes on once writes succeed again (default 3000)' },
    { name: 'timeout-ms', value: true, arg: 'ms', help: 'How long the failover may take (default 60000)' },
    { name: 'warmup-ms', value: true, arg: 'ms', help: 'Load before the kill (default 1000)' },
    { name: 'pipeline', value: true, arg: 'n', help: 'SETs in flight per round trip (default 4)' },
    { name: 'wait-every', value: true, arg: 'n', help: 'WAIT 1 after this many writes (default 100)' },
    { name: 'json', help: 'Print JSON' },
  ],
  async run(p: Parsed): Promise<number> {
    const durationMs = intValue(p, 'duration-ms', 3000);
    const timeoutMs = intValue(p, 'timeout-ms', 60000);
    const warmupMs = intValue(p, 'warmup-ms', 1000);
    const target = resolveTarget(p);
    if (target.sentinels.length === 0) {
      process.stderr.write('reddish test-failover needs Sentinels to fail over: give --sentinel host:port\n');
      return EXIT_USAGE;
    }
    const d = await inspect(target);
    if (d.master === null || !d.master.reachable) {
      process.stderr.write('no reachable master\n');
      return EXIT_UNREACHABLE;
    }
    const old = d.master.addr;
    if (!d.replicas.some((r) => r.reachable)) {
      process.stderr.write(`master ${formatAddr(old)} has no reachable replica to fail over to\n`);
      return EXIT_FAILED;
    }
    const json = p.flags.has('json');
    const say = (s: string): void => {
      if (!json) process.stderr.write(s + '\n');
    };
    const watch = await watchSentinelEvents(d.sentinels.filter((s) => s.reachable).map((s) => s.addr));
    const prefix = `reddish:test-failover:${randomBytes(4).toString('hex')}:`;
    const load = new FailoverWriteLoad(target, {
      prefix, pipeline: Math.max(1, intValue(p, 'pipeline', 4)), waitEvery: Math.max(1, intValue(p, 'wait-every', 100)),
      waitTimeoutMs: 1000, ttlMs: 3600_000,
    });
    load.start();
    say(`write load on master ${formatAddr(old)} (watching ${watch.watching.length} Sentinels) ...`);
    // Warm up, and have at least one WAIT-acknowledged write to check afterwards.
    const warmEnd = Date.now() + warmupMs;
    while ((Date.now() < warmEnd || load.waited.size === 0) && Date.now() < warmEnd + 5000) await sleep(20);

    let action: KillAction;
    const killAt = Date.now();
    try {
      action = await failMaster(old, value(p, 'dir') ?? 'reddish-data', target.password);
    } catch (e) {
      await load.stop();
      watch.close();
      process.stderr.write(`could not make the master fail: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    say(`${action.detail}; waiting for a new master ...`);
    const oldName = formatAddr(old);
    let recoveredAt: number | null = null;
    const deadline = killAt + timeoutMs;
    for (let seen = 0; recoveredAt === null && Date.now() < deadline; await sleep(20)) {
      for (; seen < load.acks.length; seen++) {
        const a = load.acks[seen];
        if (a.at > killAt && a.master !== oldName) {
          recoveredAt = a.at;
          break;
        }
      }
    }
    if (recoveredAt !== null) {
      say(`writes succeed again on ${load.acks.find((x) => x.at === recoveredAt)?.master ?? '?'}; load goes on for ${durationMs} ms ...`);
      await sleep(durationMs);
    }
    await load.stop();
    await sleep(200); // the last events
    watch.close();

    const newMaster = await currentMaster(target);
    const acked = load.acks.map((a) => a.i);
    let missing: number[] = [];
    let checkError: string | null = null;
    if (newMaster !== null && formatAddr(newMaster) !== oldName) {
      try {
        missing = await missingOn(newMaster, target.password, prefix, acked);
      } catch (e) {
        checkError = (e as Error).message;
      }
      await deleteLoadKeys(newMaster, target.password, prefix, load.issued);
    } else {
      checkError = 'no new master to check';
    }
    const waitMissing = missing.filter((i) => load.waited.has(i));

    // Timeline: the first of each milestone event (any Sentinel), and the writes around the kill.
    const since = (t: number): number => t - killAt;
    const rows: TimelineRow[] = [{ ms: 0, what: action.kind === 'SIGKILL' ? 'kill' : 'shutdown', detail: action.detail }];
    const lastBefore = [...load.acks].reverse().find((a) => a.at <= killAt);
    if (lastBefore) rows.push({ ms: since(lastBefore.at), what: 'last write before', detail: `on ${lastBefore.master}` });
    const firstErr = load.errorSamples.find((e) => e.at >= killAt);
    if (firstErr) rows.push({ ms: since(firstErr.at), what: 'first write error', detail: firstErr.message });
    const after: SentinelEvent[] = watch.events.filter((e) => e.at >= killAt);
    const milestones: Record<string, number | null> = {};
    for (const ch of MILESTONES) {
      const e = after.find((x) => x.channel === ch && (ch !== '+sdown' || x.message.startsWith('master ')));
      milestones[ch] = e ? since(e.at) : null;
      if (e) rows.push({ ms: since(e.at), what: ch, detail: `${e.message} (sentinel ${e.sentinel})` });
    }
    if (recoveredAt !== null) {
      rows.push({ ms: since(recoveredAt), what: 'first write after', detail: `on ${load.acks.find((x) => x.at === recoveredAt)?.master ?? '?'}` });
    }
    rows.sort((a, b) => a.ms - b.ms);
    milestones['first-write-after'] = recoveredAt === null ? null : since(recoveredAt);

    const ok = recoveredAt !== null && checkError === null && waitMissing.length === 0;
    const result = {
      ok,
      masterName: target.masterName,
      oldMaster: oldName,
      newMaster: newMaster ? formatAddr(newMaster) : null,
      action,
      unavailableMs: recoveredAt !== null && lastBefore ? recoveredAt - lastBefore.at : null,
      milestones,
      timeline: rows,
      writes: {
        acknowledged: acked.length, waitAcknowledged: load.waited.size, missing: missing.length, waitMissing: waitMissing.length,
        errors: load.errors, sent: load.issued,
      },
      missingSample: missing.slice(0, 10),
      checkError,
      events: watch.events.map((e) => ({ ms: since(e.at), sentinel: e.sentinel, channel: e.channel, message: e.message })),
    };
    if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      process.stdout.write(`master ${oldName} → ${result.newMaster ?? 'none'} (${action.detail})\n\n`);
      process.stdout.write(table(['ms', 'event', 'detail'], rows.map((r) => [String(r.ms), r.what, r.detail])));
      process.stdout.write(`\nwrites acknowledged:             ${acked.length} (WAIT-acknowledged ${load.waited.size}, ${load.errors} errors)\n`);
      process.stdout.write(`acknowledged, missing now:       ${missing.length}${missing.length ? ' (asynchronous replication: acknowledged by the old master, not yet on a replica)' : ''}\n`);
      process.stdout.write(`WAIT-acknowledged, missing now:  ${waitMissing.length}${waitMissing.length ? '  <-- must be 0' : ''}\n`);
      if (result.unavailableMs !== null) process.stdout.write(`writes unavailable for:          ${result.unavailableMs} ms\n`);
      if (checkError) process.stdout.write(`check failed: ${checkError}\n`);
      if (recoveredAt === null) process.stdout.write(`FAIL: no new master took writes within ${timeoutMs} ms\n`);
      process.stdout.write(ok ? 'ok\n' : 'FAIL\n');
    }
    return ok ? EXIT_OK : EXIT_FAILED;
  },
};
