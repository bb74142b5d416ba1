/**
 * Which arguments of a command are keys, read from Redis 7.0's key specs
 * (db.c getKeysUsingKeySpecs): a begin-search step (an index, or a keyword
 * searched forwards or backwards) then a find-keys step (a range or a
 * numkeys-prefixed list). COMMAND GETKEYS uses it now; ACL key patterns and
 * cluster routing will use it later.
 */
import type { CommandSpec, MetaTree } from './command-spec.js';
import type { CommandTable } from './command-table.js';
import { parseInt64 } from '../util/numbers.js';

export interface KeyRef {
  key: string;
  pos: number;
  flags: string[];
}

function m(t: MetaTree | undefined, key: string): MetaTree | undefined {
  if (t === null || t === undefined || typeof t !== 'object' || !('%' in t)) return undefined;
  for (const [k, v] of t['%']) if (k === key) return v;
  return undefined;
}

function items(t: MetaTree | undefined): MetaTree[] {
  if (t && typeof t === 'object' && '~' in t) return t['~'];
  return Array.isArray(t) ? t : [];
}

function flagNames(t: MetaTree | undefined): string[] {
  return items(t).map((x) => (typeof x === 'object' && x !== null && '+' in x ? x['+'] : String(x)));
}

/**
 * Key specs flagged variable_flags declare the widest access; the command's
 * own getkeys_proc narrows it from the arguments (db.c setGetKeys, bitfieldGetKeys).
 */
const VARIABLE_FLAGS: Record<string, (argv: string[]) => string[]> = {
  set: (argv) => (argv.slice(3).some((a) => a.toLowerCase() === 'get') ? ['RW', 'access', 'update'] : ['OW', 'update']),
  bitfield: (argv) => {
    let readonly = true;
    for (let i = 2; i < argv.length; i++) {
      const o = argv[i].toLowerCase();
      if (o === 'set' || o === 'incrby') readonly = false;
    }
    return readonly ? ['RO', 'access'] : ['RW', 'access', 'update'];
  },
};

/** Keys of argv (argv[0] is the command) by the command's key specs; null when the specs cannot find them. */
export function keysBySpecs(cmd: CommandSpec, argv: string[]): KeyRef[] | null {
  const specs = items((cmd.info as MetaTree[])[8]);
  const out: KeyRef[] = [];
  const argc = argv.length;
  for (const spec of specs) {
    const flags = flagNames(m(spec, 'flags'));
    const bs = m(spec, 'begin_search');
    const bsType = m(bs, 'type');
    const bsSpec = m(bs, 'spec');
    let first = 0;
    if (bsType === 'index') first = m(bsSpec, 'index') as number;
    else if (bsType === 'keyword') {
      const kw = (m(bsSpec, 'keyword') as string).toLowerCase();
      const from = m(bsSpec, 'startfrom') as number;
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 0;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else {
      return null;
    }
    const fk = m(spec, 'find_keys');
    const fkType = m(fk, 'type');
    const fkSpec = m(fk, 'spec');
    let last: number;
    let step: number;
    if (fkType === 'range') {
      const lastkey = m(fkSpec, 'lastkey') as number;
      const limit = m(fkSpec, 'limit') as number;
      step = m(fkSpec, 'keystep') as number;
      if (lastkey >= 0) last = first + lastkey;
      else if (!limit) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
    } else if (fkType === 'keynum') {
      const idx = m(fkSpec, 'keynumidx') as number;
      if (first + idx >= argc) return null;
      const n = parseInt64(argv[first + idx]);
      if (n === null || n < 0) return null;
      first += m(fkSpec, 'firstkey') as number;
      last = first + Number(n) - 1;
      step = m(fkSpec, 'keystep') as number;
    } else {
      return null;
    }
    const refined = flags.includes('variable_flags') ? VARIABLE_FLAGS[cmd.fullname]?.(argv) ?? flags : flags;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) continue;
      out.push({ key: argv[i], pos: i, flags: refined });
    }
    if (flags.includes('incomplete')) return null;
  }
  return out;
}

/** COMMAND GETKEYS: resolves the command (and subcommand), checks arity, extracts keys, or returns Redis's error. */
export function getKeysFromCommand(table: CommandTable, argv: string[]): KeyRef[] | string {
  if (argv.length === 0) return 'ERR Invalid command specified';
  const cmd = table.lookupArgv(argv);
  if (!cmd) return 'ERR Invalid command specified';
  const specs = items((cmd.info as MetaTree[])[8]);
  if (specs.length === 0 && !cmd.flags.has('movablekeys')) return 'ERR The command has no key arguments';
  if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
    return 'ERR Invalid number of arguments specified for command';
  }
  const keys = keysBySpecs(cmd, argv);
  if (keys === null || (keys.length === 0 && !cmd.flags.has('no_mandatory_keys') && specs.length > 0 && keys === null)) {
    return cmd.flags.has('no_mandatory_keys') ? [] : 'ERR Invalid arguments specified for command';
  }
  if (keys.length === 0 && !cmd.flags.has('no_mandatory_keys')) return 'ERR Invalid arguments specified for command';
  return keys;
}
