/**
 * Command-line parsing for the `reddish` tool: `--name value`, `--name=value`,
 * one-dash short aliases (`-c 50`, as redis-benchmark spells them),
 * repeatable options, boolean flags, and a usage error that names the bad
 * option. Every subcommand declares its options; `--help` is always there.
 */

export interface OptionSpec {
  name: string;
  /** Takes a value (else a boolean flag). */
  value?: boolean;
  /** May be given several times (values collected). */
  repeat?: boolean;
  help: string;
  /** Shown in the help as the value's name. */
  arg?: string;
  /** A one-letter short form, given as `-x` (e.g. 'c' for `-c`). */
  alias?: string;
}

export class UsageError extends Error {}

export interface Parsed {
  values: Map<string, string[]>;
  flags: Set<string>;
  positional: string[];
}

export function parseArgs(argv: string[], specs: OptionSpec[]): Parsed {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byAlias = new Map(specs.filter((s) => s.alias !== undefined).map((s) => [`-${s.alias}`, s]));
  const out: Parsed = { values: new Map(), flags: new Set(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    // A known short alias reads as its long name; any other one-dash word stays positional, as before.
    const short = byAlias.get(argv[i]);
    const a = short ? `--${short.name}` : argv[i];
    if (!a.startsWith('--') || a === '--') {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (!spec.value) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    let v: string;
    if (eq > 0) v = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      v = argv[++i];
    }
    const list = out.values.get(name) ?? [];
    if (list.length > 0 && !spec.repeat) throw new UsageError(`--${name} given twice`);
    list.push(v);
    out.values.set(name, list);
  }
  return out;
}

export function value(p: Parsed, name: string): string | undefined {
  return p.values.get(name)?.[0];
}

export function intValue(p: Parsed, name: string, fallback: number): number {
  const v = value(p, name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} wants an integer, got '${v}'`);
  return Number(v);
}

export function helpText(usage: string, summary: string, specs: OptionSpec[]): string {
  const lines = [`Usage: ${usage}`, '', summary, ''];
  if (specs.length > 0) {
    lines.push('Options:');
    // Long names line up under each other when some options have a short form.
    const indent = specs.some((s) => s.alias !== undefined) ? '      ' : '  ';
    const left = specs.map((s) => `${s.alias !== undefined ? `  -${s.alias}, ` : indent}--${s.name}${s.value ? ` <${s.arg ?? 'value'}>` : ''}`);
    const width = Math.max(...left.map((l) => l.length)) + 2;
    specs.forEach((s, i) => lines.push(left[i].padEnd(width) + s.help + (s.repeat ? ' (repeatable)' : '')));
    lines.push(`${indent}--help`.padEnd(width) + 'Show this help');
  }
  return lines.join('\n') + '\n';
}

/** Renders rows as an aligned text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n') + '\n';
}
