/**
 * The live configuration: every directive's current value, set from the
 * config file, the command line and CONFIG SET, all validated the same way
 * (config.c's standardConfig set functions). Values are kept as the string
 * CONFIG GET shows, with typed getters for the subsystems; a change notifies
 * its subscribers (the "apply" step of CONFIG SET).
 */
import type { RewriteSink } from './config-rewrite.js';
import { DIRECTIVES, LLONG_MAX, memToBig, string2ll, type Directive, type FileState } from './directives.js';

export class ConfigError extends Error {}

const U64 = 1n << 64n;

export class Config {
  private readonly byName = new Map<string, Directive>();
  private readonly values = new Map<string, string>();
  /**
   * The arguments a directive was last given, before canonicalisation. Redis
   * keeps some settings in a form CONFIG GET does not fully show
   * (notify-keyspace-events "AKEn" reads back as "AKE" but keeps n).
   */
  readonly lastInput = new Map<string, string[]>();
  private readonly numCache = new Map<string, number>();
  /** Moves on every stored value, so a hot path can keep what it read from num() until the next change. */
  generation = 0;
  private readonly boolCache = new Map<string, boolean>();
  private readonly listeners = new Map<string, Array<(value: string) => void>>();
  /** Absolute path of the config file given at start-up, for CONFIG REWRITE. */
  file: string | null = null;
  /** rename-command lines, applied to the command table at start. */
  readonly renames = new Map<string, string>();
  /** `user` lines, kept for the ACL issue. */
  readonly users: string[][] = [];
  /** Sentinel mode (--sentinel or a reddish-sentinel executable): `sentinel` lines are queued, not refused. */
  sentinelMode = false;
  readonly sentinelLines: Array<{ argv: string[]; line: string; lineno: number; file: string }> = [];
  /** Lines a mode adds to CONFIG REWRITE (Sentinel's state). */
  rewriteExtra: ((state: RewriteSink) => void) | null = null;

  constructor() {
    for (const d of DIRECTIVES) {
      this.byName.set(d.name, d);
      if (d.alias) this.byName.set(d.alias, d);
      this.values.set(d.name, d.default);
    }
  }

  directive(name: string): Directive | undefined {
    return this.byName.get(name.toLowerCase());
  }

  directives(): readonly Directive[] {
    return DIRECTIVES;
  }

  /** Every name CONFIG GET knows (primary names and aliases), in table order. */
  names(): Array<[string, Directive]> {
    return [...this.byName.entries()];
  }

  /**
   * Validates and stores a directive's arguments as a config file line gives
   * them. Throws ConfigError with the reason Redis would print.
   */
  apply(name: string, args: string[], file: FileState | null = null): void {
    const d = this.directive(name);
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    this.store(d, this.parse(d, args, file));
  }

  /** CONFIG SET's view of a value: one string, split on spaces for multi-argument directives. */
  parseSetValue(d: Directive, value: string): string {
    const args = d.type.kind === 'special' && d.type.multiArg ? value.split(' ') : [value];
    return this.parse(d, args, null);
  }

  /** Checks a value without applying it; returns the CONFIG GET form. */
  parse(d: Directive, args: string[], file: FileState | null): string {
    this.lastInput.set(d.name, args);
    const t = d.type;
    if (t.kind === 'special') {
      try {
        return t.set(args, this.values.get(d.name)!, file);
      } catch (e) {
        if (typeof e === 'string') throw new ConfigError(e);
        throw e;
      }
    }
    if (args.length !== 1) throw new ConfigError('wrong number of arguments');
    const v = args[0];
    switch (t.kind) {
      case 'bool': {
        const l = v.toLowerCase();
        if (l === 'yes') return 'yes';
        if (l === 'no') return 'no';
        throw new ConfigError("argument must be 'yes' or 'no'");
      }
      case 'string': {
        const err = t.validate?.(v);
        if (err) throw new ConfigError(err);
        return v;
      }
      case 'enum': {
        const l = v.toLowerCase();
        if (!t.values.includes(l)) throw new ConfigError(`argument(s) must be one of the following: ${t.values.join(', ')}`);
        return l;
      }
      case 'int': {
        let n: bigint | null = null;
        if (t.memory) {
          n = memToBig(v);
          // memtoull gives an unsigned value; a signed config sees it cast to long long.
          if (n !== null && !t.unsigned && n > LLONG_MAX) n -= U64;
        }
        if (n === null && t.percent && v.length > 1 && v.endsWith('%')) {
          const p = string2ll(v.slice(0, -1));
          if (p !== null && p >= 0n) n = -p;
        }
        if (n === null && t.octal) {
          if (/^\s*[+-]?[0-7]+$/.test(v)) {
            const s = v.trim();
            n = s.startsWith('-') ? -BigInt('0o' + s.slice(1)) : BigInt('0o' + s.replace(/^\+/, ''));
          }
        }
        if (n === null && !t.memory && !t.percent && !t.octal) n = string2ll(v);
        if (n === null) {
          throw new ConfigError(
            t.memory && t.percent ? 'argument must be a memory or percent value'
              : t.memory ? 'argument must be a memory value'
              : t.octal ? "argument couldn't be parsed as an octal number"
              : "argument couldn't be parsed into an integer",
          );
        }
        if (t.unsigned) {
          const u = n < 0n ? n + U64 : n;
          if (u > t.max || u < t.min) {
            const f = (x: bigint) => (t.octal ? x.toString(8) : String(x));
            throw new ConfigError(`argument must be between ${f(t.min)} and ${f(t.max)} inclusive`);
          }
          n = u;
        } else if (t.percent && n < 0n) {
          if (n < t.min) throw new ConfigError(`percentage argument must be less or equal to ${-t.min}`);
        } else if (n > t.max || n < t.min) {
          throw new ConfigError(`argument must be between ${t.min} and ${t.max} inclusive`);
        }
        if (t.clamp) n = t.clamp(n);
        if (t.percent && n < 0n) return `${-n}%`;
        if (t.octal) return n.toString(8);
        return String(n);
      }
    }
  }

  /** Stores a value and runs its subscribers; a subscriber may throw to refuse it. */
  store(d: Directive, value: string): void {
    this.values.set(d.name, value);
    this.numCache.clear();
    this.boolCache.clear();
    this.generation++;
    const ls = this.listeners.get(d.name);
    if (ls) for (const l of ls) l(value);
  }

  /** Stores without notifying (used to roll back a failed CONFIG SET before re-applying). */
  storeQuiet(d: Directive, value: string): void {
    this.values.set(d.name, value);
    this.numCache.clear();
    this.boolCache.clear();
    this.generation++;
  }

  /** Runs a directive's subscribers with its current value. */
  notify(d: Directive): void {
    const ls = this.listeners.get(d.name);
    const v = this.values.get(d.name)!;
    if (ls) for (const l of ls) l(v);
  }

  /** The stored value (the CONFIG GET form); `dir` is the working directory, as Redis's getcwd(). */
  get(name: string): string {
    const d = this.directive(name);
    if (!d) throw new Error(`unknown directive ${name}`);
    if (d.name === 'dir') return process.cwd();
    return this.values.get(d.name)!;
  }

  /** The stored value without the `dir` special case. */
  raw(name: string): string {
    const d = this.directive(name);
    if (!d) throw new Error(`unknown directive ${name}`);
    return this.values.get(d.name)!;
  }

  /**
   * Typed reads are cached by the name as the caller spells it: commands read
   * thresholds (hash-max-listpack-entries, ...) on every call, and a lookup
   * plus Number() each time showed in profiles. Any store() clears the cache.
   */
  num(name: string): number {
    let v = this.numCache.get(name);
    if (v === undefined) {
      v = Number(this.get(name));
      this.numCache.set(name, v);
    }
    return v;
  }

  bool(name: string): boolean {
    let v = this.boolCache.get(name);
    if (v === undefined) {
      v = this.get(name) === 'yes';
      this.boolCache.set(name, v);
    }
    return v;
  }

  /** Runs `fn` now and on every change of the directive. */
  watch(name: string, fn: (value: string) => void): void {
    const d = this.directive(name)!;
    if (!this.listeners.has(d.name)) this.listeners.set(d.name, []);
    this.listeners.get(d.name)!.push(fn);
    fn(this.values.get(d.name)!);
  }
}
