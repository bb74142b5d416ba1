/**
 * The exposition as redis_exporter fills it: every name gets the `redis_`
 * namespace and redis_exporter's HELP text, labels are given as the family
 * declares them (names, then values). Also the number parsing rules its Go
 * code applies to INFO values, so a field parses (or is skipped) the same.
 */
import { Exposition, type Labels } from './exposition.js';
import { helpFor } from './info-map.js';

export const NAMESPACE = 'redis';

function zip(names: readonly string[], values: readonly string[]): Labels {
  return names.map((n, i) => [n, values[i] ?? ''] as const);
}

export class RedisMetrics {
  readonly out = new Exposition();

  gauge(name: string, value: number, names: readonly string[] = [], values: readonly string[] = []): void {
    this.out.gauge(`${NAMESPACE}_${name}`, helpFor(name), value, zip(names, values));
  }

  counter(name: string, value: number, names: readonly string[] = [], values: readonly string[] = []): void {
    this.out.counter(`${NAMESPACE}_${name}`, helpFor(name), value, zip(names, values));
  }

  histogram(name: string, names: readonly string[], values: readonly string[], buckets: ReadonlyArray<readonly [number, number]>, sum: number, count: number): void {
    this.out.histogram(`${NAMESPACE}_${name}`, helpFor(name), zip(names, values), buckets, sum, count);
  }

  summary(name: string, names: readonly string[], values: readonly string[], quantiles: ReadonlyArray<readonly [number, number]>, sum: number, count: number): void {
    this.out.summary(`${NAMESPACE}_${name}`, helpFor(name), zip(names, values), quantiles, sum, count);
  }

  render(): string {
    return this.out.render();
  }
}

const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

/** strconv.ParseFloat for the values INFO prints: null where Go reports an error. */
export function parseGoFloat(s: string): number | null {
  if (GO_FLOAT.test(s)) return Number(s);
  if (GO_SPECIAL.test(s)) {
    const l = s.toLowerCase();
    if (l.endsWith('nan')) return NaN;
    return l.startsWith('-') ? -Infinity : Infinity;
  }
  return null;
}

/** strconv.Atoi with the error ignored, as redis_exporter reads the replica-side fields: 0 when not an integer. */
export function atoiOrZero(s: string): number {
  return /^[+-]?\d+$/.test(s) ? Number(s) : 0;
}

/** extractVal: the number after `=` in "calls=21"; null when malformed. */
export function extractVal(s: string): number | null {
  const parts = s.split('=');
  if (parts.length !== 2) return null;
  return parseGoFloat(parts[1]);
}
