/**
 * The Prometheus text exposition format (version 0.0.4), as
 * client_golang's expfmt writes it: one `# HELP` and `# TYPE` per family,
 * the family's samples together beneath them, families sorted by name.
 * Series are keyed by their label values so a series given twice is kept
 * once (client_golang refuses the duplicate; a scraper would too).
 */

export type MetricType = 'gauge' | 'counter' | 'histogram' | 'summary';
/** Label name/value pairs, in the order the family declares them. */
export type Labels = ReadonlyArray<readonly [string, string]>;

interface Family {
  help: string;
  type: MetricType;
  /** Label signature → the series' rendered sample lines. */
  series: Map<string, string[]>;
}

/** The value as Go's strconv.FormatFloat(v, 'g', -1, 64) spells the special ones; JS's shortest form otherwise. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

export class Exposition {
  private readonly families = new Map<string, Family>();

  /** The family `name`, created with this HELP and TYPE the first time (later ones keep the first). */
  private family(name: string, help: string, type: MetricType): Family {
    let f = this.families.get(name);
    if (f === undefined) {
      f = { help, type, series: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  /** Adds a series unless the family already has one with these labels. */
  private add(name: string, help: string, type: MetricType, labels: Labels, lines: () => string[]): void {
    const f = this.family(name, help, type);
    if (f.type !== type) return; // one name, one type: a clash is a bug in a mapping table, not worth a broken scrape
    const sig = labelText(labels);
    if (f.series.has(sig)) return;
    f.series.set(sig, lines());
  }

  gauge(name: string, help: string, value: number, labels: Labels = []): void {
    this.add(name, help, 'gauge', labels, () => [`${name}${labelText(labels)} ${formatValue(value)}`]);
  }

  counter(name: string, help: string, value: number, labels: Labels = []): void {
    this.add(name, help, 'counter', labels, () => [`${name}${labelText(labels)} ${formatValue(value)}`]);
  }

  /** A histogram series: `buckets` are (upper bound, cumulative count) in ascending order; +Inf is added. */
  histogram(name: string, help: string, labels: Labels, buckets: ReadonlyArray<readonly [number, number]>, sum: number, count: number): void {
    this.add(name, help, 'histogram', labels, () => {
      const out: string[] = [];
      for (const [le, n] of buckets) out.push(`${name}_bucket${labelText([...labels, ['le', formatValue(le)]])} ${formatValue(n)}`);
      out.push(`${name}_bucket${labelText([...labels, ['le', '+Inf']])} ${formatValue(count)}`);
      out.push(`${name}_sum${labelText(labels)} ${formatValue(sum)}`);
      out.push(`${name}_count${labelText(labels)} ${formatValue(count)}`);
      return out;
    });
  }

  /** A summary series: `quantiles` are (quantile, value) pairs. */
  summary(name: string, help: string, labels: Labels, quantiles: ReadonlyArray<readonly [number, number]>, sum: number, count: number): void {
    this.add(name, help, 'summary', labels, () => {
      const out: string[] = [];
      for (const [q, v] of quantiles) out.push(`${name}${labelText([...labels, ['quantile', formatValue(q)]])} ${formatValue(v)}`);
      out.push(`${name}_sum${labelText(labels)} ${formatValue(sum)}`);
      out.push(`${name}_count${labelText(labels)} ${formatValue(count)}`);
      return out;
    });
  }

  /** The exposition text: families by name, each family's series by label signature (as client_golang's Gather). */
  render(): string {
    const names = [...this.families.keys()].sort();
    let out = '';
    for (const name of names) {
      const f = this.families.get(name)!;
      if (f.series.size === 0) continue;
      out += `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n`;
      const sigs = [...f.series.keys()].sort();
      for (const s of sigs) for (const line of f.series.get(s)!) out += line + '\n';
    }
    return out;
  }
}
