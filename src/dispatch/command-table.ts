/**
 * The command table: every family's CommandDefs joined with Redis 7.0's
 * metadata. This is the one place that knows every command; COMMAND, arity,
 * key extraction and (later) ACL categories and cluster routing read it.
 */
import { readFileSync } from 'node:fs';
import type { CommandDef, CommandSpec, MetaTree } from './command-spec.js';
import type { ReplySink } from '../protocol/reply-writer.js';

type Metadata = Record<string, { info: MetaTree[]; docs: MetaTree }>;

/** redis-server's table, or redis-sentinel's: copied beside the compiled file by `npm run build`. */
export type MetadataSource = 'redis-commands.json' | 'redis-sentinel-commands.json';

const loaded = new Map<MetadataSource, Metadata>();
function metadata(source: MetadataSource): Metadata {
  let m = loaded.get(source);
  if (!m) {
    m = JSON.parse(readFileSync(new URL(`./${source}`, import.meta.url), 'utf8')) as Metadata;
    loaded.set(source, m);
  }
  return m;
}

function setItems(t: MetaTree): string[] {
  const items = (t as { '~': MetaTree[] })['~'];
  return items.map((x) => (typeof x === 'string' ? x : (x as { '+': string })['+']));
}

function mapGet(t: MetaTree, key: string): MetaTree | undefined {
  if (t === null || typeof t !== 'object' || !('%' in t)) return undefined;
  for (const [k, v] of t['%']) if (k === key) return v;
  return undefined;
}

function makeSpec(info: MetaTree[], docs: MetaTree, parent: CommandSpec | null, handler: CommandDef['handler'] | null): CommandSpec {
  const fullname = info[0] as string;
  const flags = new Set(setItems(info[2]));
  return {
    name: parent ? fullname.slice(fullname.indexOf('|') + 1) : fullname,
    fullname,
    arity: info[1] as number,
    flags,
    firstKey: info[3] as number,
    lastKey: info[4] as number,
    keyStep: info[5] as number,
    acl: setItems(info[6]).map((c) => c.slice(1)),
    group: (mapGet(docs, 'group') as string) ?? '',
    since: (mapGet(docs, 'since') as string) ?? '',
    isWrite: flags.has('write'),
    sharesClock: flags.has('fast') && !flags.has('blocking'),
    propagates: fullname !== 'exec',
    handler,
    parent,
    subcommands: null,
    info,
    docs,
    stats: { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, hist: null },
  };
}

export class CommandTable {
  /** Top-level commands by lower-case name, plus upper-case aliases for the common spelling. */
  private readonly byName = new Map<string, CommandSpec>();
  readonly commands: CommandSpec[] = [];

  constructor(defs: readonly CommandDef[], source: MetadataSource = 'redis-commands.json') {
    const META = metadata(source);
    const subs = new Map<string, CommandDef[]>();
    const tops = new Map<string, CommandDef>();
    for (const d of defs) {
      const bar = d.name.indexOf('|');
      if (bar < 0) tops.set(d.name, d);
      else {
        const p = d.name.slice(0, bar);
        if (!subs.has(p)) subs.set(p, []);
        subs.get(p)!.push(d);
      }
    }
    const names = new Set([...tops.keys(), ...subs.keys()]);
    for (const name of names) {
      const meta = META[name];
      if (!meta) throw new Error(`command '${name}' has no Redis metadata`);
      const spec = makeSpec(meta.info, meta.docs, null, tops.get(name)?.handler ?? null);
      const subDefs = subs.get(name);
      if (subDefs) {
        const subMeta = meta.info[9] as MetaTree[][];
        const subDocs = mapGet(meta.docs, 'subcommands');
        const map = new Map<string, CommandSpec>();
        const keptInfo: MetaTree[] = [];
        const keptDocs: Array<[MetaTree, MetaTree]> = [];
        for (const d of subDefs) {
          const m = subMeta.find((s) => s[0] === d.name);
          if (!m) throw new Error(`subcommand '${d.name}' has no Redis metadata`);
          const sd = (subDocs && mapGet(subDocs, d.name)) ?? null;
          const s = makeSpec(m, sd, spec, d.handler);
          map.set(s.name, s);
        }
        // Keep Redis's order so COMMAND output lines up with a real server's.
        for (const m of subMeta) {
          if (map.has((m[0] as string).split('|')[1])) keptInfo.push(m);
        }
        if (subDocs && typeof subDocs === 'object' && '%' in subDocs) {
          for (const [k, v] of subDocs['%']) if (map.has((k as string).split('|')[1])) keptDocs.push([k, v]);
        }
        const info = meta.info.slice();
        info[9] = keptInfo;
        const docs = replaceMapEntry(meta.docs, 'subcommands', { '%': keptDocs });
        Object.assign(spec, { subcommands: map, info, docs });
      } else if ((meta.info[9] as MetaTree[]).length > 0 && !tops.get(name)) {
        throw new Error(`command '${name}' declared without handler or subcommands`);
      }
      this.byName.set(name, spec);
      this.byName.set(name.toUpperCase(), spec);
      this.commands.push(spec);
    }
    this.commands.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Top-level lookup, case-insensitive. */
  lookup(name: string): CommandSpec | undefined {
    // A pipeline mostly repeats one command, whose name the parser hands out as one cached string.
    if (name === this.lastName) return this.lastSpec;
    const spec = this.byName.get(name) ?? this.byName.get(name.toLowerCase());
    this.lastName = name;
    this.lastSpec = spec;
    return spec;
  }

  /** lookup()'s last answer (the table never changes after construction). */
  private lastName = '';
  private lastSpec: CommandSpec | undefined = undefined;

  /** The command a request names (lookupCommand): its subcommand when it has them; undefined when unknown. */
  lookupArgv(argv: readonly string[]): CommandSpec | undefined {
    const cmd = this.lookup(argv[0]);
    if (cmd === undefined || cmd.subcommands === null || argv.length < 2) return cmd;
    return cmd.subcommands.get(argv[1].toLowerCase());
  }

  /** lookupCommandBySds-style lookup of "name" or "name|sub". */
  lookupFull(fullname: string): CommandSpec | undefined {
    const bar = fullname.indexOf('|');
    if (bar < 0) return this.lookup(fullname);
    const p = this.lookup(fullname.slice(0, bar));
    return p?.subcommands?.get(fullname.slice(bar + 1).toLowerCase());
  }

  /** Every command and subcommand, for stats. */
  *all(): Generator<CommandSpec> {
    for (const c of this.commands) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}

function replaceMapEntry(t: MetaTree, key: string, value: MetaTree): MetaTree {
  if (t === null || typeof t !== 'object' || !('%' in t)) return t;
  return { '%': t['%'].map(([k, v]) => [k, k === key ? value : v] as [MetaTree, MetaTree]) };
}

/** Encodes a metadata tree as RESP2 or RESP3 through a reply sink. */
export function writeTree(reply: ReplySink, t: MetaTree): void {
  if (t === null) reply.nil();
  else if (typeof t === 'string') reply.bulk(t);
  else if (typeof t === 'number') reply.int(t);
  else if (Array.isArray(t)) {
    reply.array(t.length);
    for (const x of t) writeTree(reply, x);
  } else if ('+' in t) reply.simple(t['+']);
  else if ('~' in t) {
    reply.set(t['~'].length);
    for (const x of t['~']) writeTree(reply, x);
  } else {
    reply.map(t['%'].length);
    for (const [k, v] of t['%']) {
      writeTree(reply, k);
      writeTree(reply, v);
    }
  }
}
