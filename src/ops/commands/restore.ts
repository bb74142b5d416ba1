/**
 * `reddish restore FILE`: loads a backup into the running master, key by
 * key, with `RESTORE key ttl payload REPLACE ABSTTL` (pipelined, SELECT per
 * db), so the replicas get every key through replication and nothing has
 * to stop. The payloads are the file's own value bytes in Redis's DUMP
 * format, so Redis masters take them too. Keys already expired are skipped.
 * --flush empties the master first, and only with --yes.
 */
import { readFileSync } from 'node:fs';
import { intValue, type Parsed } from '../cli-args.js';
import { OpsClient, formatAddr } from '../ops-client.js';
import { resolveTarget, TARGET_OPTIONS } from '../target.js';
import { currentMaster } from '../master-resolver.js';
import { dumpPayload, scanRdb, type RdbEntry, type RdbScanResult } from '../rdb-scan.js';
import { Progress } from '../progress.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, type OpsCommand } from './command.js';

/** Errors shown in full; the rest are only counted. */
const MAX_ERRORS_SHOWN = 5;

export const restore: OpsCommand = {
  name: 'restore',
  summary: 'Load an RDB backup into the running master with RESTORE (replicas follow by replication).',
  usage: 'reddish restore FILE [--sentinel host:port ... | --master host:port] [--flush --yes] [--json]',
  options: [
    ...TARGET_OPTIONS,
    { name: 'flush', help: 'FLUSHALL the master before loading (needs --yes)' },
    { name: 'yes', help: 'Confirm --flush' },
    { name: 'pipeline', value: true, arg: 'n', help: 'RESTOREs in flight at once (default 256)' },
    { name: 'json', help: 'Print JSON' },
  ],
  async run(p: Parsed): Promise<number> {
    if (p.positional.length !== 1) {
      process.stderr.write('reddish restore: give one backup file\n');
      return EXIT_USAGE;
    }
    const flush = p.flags.has('flush');
    if (flush && !p.flags.has('yes')) {
      process.stderr.write('reddish restore: --flush deletes every key on the master first; add --yes to confirm\n');
      return EXIT_USAGE;
    }
    const window = Math.max(1, intValue(p, 'pipeline', 256));
    const file = p.positional[0];
    const entries: RdbEntry[] = [];
    let scan: RdbScanResult;
    try {
      // Parse everything first: a file the reader refuses sends nothing.
      scan = scanRdb(readFileSync(file), (e) => entries.push(e));
    } catch (e) {
      process.stderr.write(`${file}: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    const target = resolveTarget(p);
    const master = await currentMaster(target);
    if (master === null) {
      process.stderr.write('no master found (no Sentinel answered, or none knows the master name)\n');
      return EXIT_UNREACHABLE;
    }
    const c = new OpsClient(master, { password: target.password, timeoutMs: 30000 });
    const now = Date.now();
    let restored = 0;
    let expired = 0;
    const errors: string[] = [];
    const progress = new Progress('restore', entries.length);
    const started = Date.now();
    try {
      await c.call(['PING']);
      if (flush) await c.call(['FLUSHALL']);
      let db = -1;
      let inFlight: Array<Promise<void>> = [];
      for (const [i, e] of entries.entries()) {
        if (e.expireMs !== -1 && e.expireMs <= now) {
          expired++;
          continue;
        }
        if (e.db !== db) {
          await Promise.all(inFlight);
          inFlight = [];
          await c.call(['SELECT', e.db]);
          db = e.db;
        }
        // Payload bytes travel as a latin1 string: one char per byte on the wire.
        const payload = dumpPayload(e, scan.version).toString('latin1');
        inFlight.push(c.call(['RESTORE', e.key, e.expireMs === -1 ? 0 : e.expireMs, payload, 'REPLACE', 'ABSTTL']).then(
          () => void restored++,
          (err: Error) => void errors.push(`${e.key}: ${err.message}`),
        ));
        if (inFlight.length >= window) {
          await Promise.all(inFlight);
          inFlight = [];
          progress.update(i + 1);
        }
      }
      await Promise.all(inFlight);
      let functionErrors = 0;
      for (const code of scan.functions) {
        await c.call(['FUNCTION', 'LOAD', 'REPLACE', code]).catch((err: Error) => {
          functionErrors++;
          errors.push(`function library: ${err.message}`);
        });
      }
      if (functionErrors > 0) process.stderr.write(`${functionErrors} function librar${functionErrors === 1 ? 'y' : 'ies'} not loaded\n`);
    } catch (e) {
      progress.finish('failed');
      process.stderr.write(`master ${formatAddr(master)}: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    } finally {
      c.close();
    }
    const ms = Date.now() - started;
    progress.finish(`${restored} keys in ${ms} ms`);
    const result = {
      file, master: formatAddr(master), flushed: flush, keysInFile: scan.keys, restored, expiredSkipped: expired,
      emptySkipped: scan.emptySkipped, functions: scan.functions.length, errors: errors.length, errorSamples: errors.slice(0, MAX_ERRORS_SHOWN), ms,
    };
    if (p.flags.has('json')) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      process.stdout.write(`restored ${restored} of ${scan.keys} keys from ${file} into master ${formatAddr(master)}${flush ? ' (flushed first)' : ''} in ${ms} ms\n`);
      if (expired > 0) process.stdout.write(`  ${expired} keys already expired, skipped\n`);
      if (errors.length > 0) {
        process.stdout.write(`  ${errors.length} errors:\n${errors.slice(0, MAX_ERRORS_SHOWN).map((x) => `    ${x}\n`).join('')}`);
      }
    }
    return errors.length === 0 ? EXIT_OK : EXIT_FAILED;
  },
};
