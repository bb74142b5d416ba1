/**
 * `reddish backup`: an RDB snapshot taken over the replication protocol
 * (as `redis-cli --rdb` does) from a replica whose link is up — so the
 * master does no extra work — or from the master when no replica is fit.
 * The file is verified (signature, CRC64, every key parsed) before it gets
 * its final name, `dump-<UTC timestamp>.rdb`; then only the newest --keep
 * backups are kept.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { intValue, value, type Parsed } from '../cli-args.js';
import { formatAddr, parseAddr, type Addr } from '../ops-client.js';
import { inspect, resolveTarget, TARGET_OPTIONS } from '../target.js';
import { fetchRdb } from '../rdb-fetch.js';
import { checkRdbChecksum, rdbHeader, scanRdb } from '../rdb-scan.js';
import { EXIT_FAILED, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, type OpsCommand } from './command.js';

/** dump-2024-05-01T12-30-45-123Z.rdb: sorts by time, no ':' (portable file names). */
export const BACKUP_NAME = /^dump-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.rdb$/;

/** A name not taken yet; a clash (two backups in one ms) moves the stamp on, so names still sort by time. */
function backupName(dir: string, at: number): string {
  for (let t = at; ; t++) {
    const name = `dump-${new Date(t).toISOString().replace(/[:.]/g, '-')}.rdb`;
    if (!existsSync(join(dir, name))) return name;
  }
}

interface Verified {
  version: number;
  checksum: 'ok' | 'disabled';
  /** Keys counted by parsing, or null when the reader cannot parse this file (and why). */
  keys: number | null;
  keysPerDb: Record<string, number>;
  note: string | null;
}

/** Signature and CRC64 must hold; a value the reader cannot decode (a stream, a newer RDB) is a note when the CRC vouches for the bytes. */
function verify(data: Buffer): Verified {
  const { version } = rdbHeader(data);
  const checksum = checkRdbChecksum(data);
  try {
    const r = scanRdb(data);
    return { version, checksum, keys: r.keys, keysPerDb: Object.fromEntries([...r.keysPerDb].map(([db, n]) => [`db${db}`, n])), note: null };
  } catch (e) {
    if (checksum !== 'ok') throw e;
    return { version, checksum, keys: null, keysPerDb: {}, note: `contents not parsed: ${(e as Error).message}` };
  }
}

/** Removes all but the newest `keep` backups in `dir`; returns the removed names. */
function prune(dir: string, keep: number): string[] {
  const names = readdirSync(dir).filter((n) => BACKUP_NAME.test(n)).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const n of old) unlinkSync(join(dir, n));
  return old;
}

export const backup: OpsCommand = {
  name: 'backup',
  summary: 'Take an RDB snapshot from a replica (or the master) over the replication protocol, verify it, keep the newest N.',
  usage: 'reddish backup [--sentinel host:port ... | --master host:port] [--out DIR] [--keep N] [--from host:port] [--json]',
  options: [
    ...TARGET_OPTIONS,
    { name: 'out', value: true, arg: 'dir', help: 'Where backups go (default ./reddish-backups)' },
    { name: 'keep', value: true, arg: 'n', help: 'How many backups to keep, newest first (default 7)' },
    { name: 'from', value: true, arg: 'host:port', help: 'Take the snapshot from this node instead of choosing one' },
    { name: 'timeout-ms', value: true, arg: 'ms', help: 'How long the transfer may take (default 120000)' },
    { name: 'json', help: 'Print JSON' },
  ],
  async run(p: Parsed): Promise<number> {
    const keep = intValue(p, 'keep', 7);
    if (keep < 1) {
      process.stderr.write('--keep must be at least 1\n');
      return EXIT_USAGE;
    }
    const out = resolve(value(p, 'out') ?? 'reddish-backups');
    const target = resolveTarget(p);
    let source: Addr;
    let sourceRole: string;
    const from = value(p, 'from');
    if (from !== undefined) {
      source = parseAddr(from);
      sourceRole = 'given';
    } else {
      const d = await inspect(target);
      const replica = d.replicas.find((r) => r.reachable && r.role === 'slave' && r.info.get('master_link_status') === 'up');
      if (replica) {
        source = replica.addr;
        sourceRole = 'replica';
      } else if (d.master?.reachable) {
        source = d.master.addr;
        sourceRole = 'master';
      } else {
        process.stderr.write('no reachable replica or master to take a backup from\n');
        return EXIT_UNREACHABLE;
      }
    }
    const started = Date.now();
    let data: Buffer;
    let transfer: string;
    try {
      ({ data, transfer } = await fetchRdb(source, target.password, intValue(p, 'timeout-ms', 120000)));
    } catch (e) {
      process.stderr.write(`backup failed: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    let v: Verified;
    try {
      v = verify(data);
    } catch (e) {
      process.stderr.write(`backup from ${formatAddr(source)} is not a sound RDB file: ${(e as Error).message}\n`);
      return EXIT_FAILED;
    }
    mkdirSync(out, { recursive: true });
    const name = backupName(out, started);
    const file = join(out, name);
    // Written under a temporary name first, so a crash never leaves a half file that looks like a backup.
    writeFileSync(file + '.part', data);
    renameSync(file + '.part', file);
    const removed = prune(out, keep);
    const result = {
      file, bytes: data.length, source: formatAddr(source), sourceRole, transfer, ms: Date.now() - started,
      rdbVersion: v.version, checksum: v.checksum, keys: v.keys, keysPerDb: v.keysPerDb, note: v.note, removed,
    };
    if (p.flags.has('json')) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      process.stdout.write(`backup ${file}\n  ${data.length} bytes from ${sourceRole} ${formatAddr(source)} (${transfer} transfer, ${result.ms} ms)\n`);
      process.stdout.write(`  RDB version ${v.version}, CRC64 ${v.checksum}, ${v.keys === null ? v.note : `${v.keys} keys${Object.keys(v.keysPerDb).length ? ` (${Object.entries(v.keysPerDb).map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}`}\n`);
      if (removed.length > 0) process.stdout.write(`  removed ${removed.length} older backup(s) (keeping ${keep}): ${removed.join(', ')}\n`);
    }
    return EXIT_OK;
  },
};
