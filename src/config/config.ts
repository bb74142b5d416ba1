/**
 * The live configuration: every directive's current value, set from the
 * config file, the command line and CONFIG SET, all validated the same way
 * (config.c). Values are kept as the canonical string CONFIG GET shows, with
 * typed getters for the subsystems; a change notifies its subscribers.
 */
import { DIRECTIVES, memToLong, type Directive } from './directives.js';

export class ConfigError extends Error {}

export class Config {
  private readonly byName = new Map<string, Directive>();
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, Array<(value: string) => void>>();
  /** Path of the config file given at start-up, for CONFIG REWRITE. */
  file: string | null = null;
  /** rename-command lines, applied to the command table at start. */
  readonly renames = new Map<string, string>();
  /** `user` lines, kept for the ACL issue. */
  readonly users: string[][] = [];

  constructor() {
    for (const d of DIRECTIVES) {
      this.byName.set(d.name, d);
      for (const a of d.aliases ?? []) this.byName.set(a, d);
      this.values.set(d.name, d.default);
    }
  }

  directive(name: string): Directive | undefined {
    return this.byName.get(name.toLowerCase());
  }

  directives(): readonly Directive[] {
    return DIRECTIVES;
  }

  /**
   * Validates and applies a directive's arguments. Throws ConfigError with the
   * message Redis would print; `fromFile` distinguishes start-up rules.
   */
  apply(name: string, args: string[], fromFile: boolean): void {
    const d = this.directive(name);
    if (!d) throw new ConfigError(fromFile ? 'Bad directive or wrong number of arguments' : `Unknown option or number of arguments for CONFIG SET - '${name}'`);
    const value = this.normalize(d, args);
    if (fromFile && d.unsupported) {
      const why = d.unsupported(value);
      if (why) throw new ConfigError(why);
    }
    this.store(d, value);
  }

  /** Checks a value without applying it (CONFIG SET validates all before applying any). */
  normalize(d: Directive, args: string[]): string {
    const t = d.type;
    if (t.kind !== 'special' && args.length !== 1) {
      if (!(t.kind === 'string' && args.length === 0)) throw new ConfigError('wrong number of arguments');
    }
    const v = args[0] ?? '';
    switch (t.kind) {
      case 'bool': {
        const l = v.toLowerCase();
        if (l === 'yes') return 'yes';
        if (l === 'no') return 'no';
        throw new ConfigError("argument must be 'yes' or 'no'");
      }
      case 'int': {
        const n = t.memory ? memToLong(v) : /^-?\d+$/.test(v) ? Number(v) : null;
        if (n === null || !Number.isFinite(n)) throw new ConfigError(t.memory ? 'argument must be a memory value' : 'argument couldn\'t be parsed into an integer');
        if (n < t.min || n > t.max) throw new ConfigError(`argument must be between ${t.min} and ${t.max} inclusive`);
        return String(n);
      }
      case 'string':
        return v;
      case 'enum': {
        const l = v.toLowerCase();
        if (!t.values.includes(l)) throw new ConfigError(`argument(s) must be one of the following: ${t.values.join(', ')}`);
        return l;
      }
      case 'special': {
        // A special directive given as one quoted string ("900 1 300 10") is split like the file's own syntax.
        const parts = args.length === 1 && args[0].includes(' ') ? args[0].split(' ').filter((x) => x !== '') : args;
        const err = t.validate(parts);
        if (err) throw new ConfigError(err);
        return t.format(parts, this.values.get(d.name) ?? d.default);
      }
    }
  }

  store(d: Directive, value: string): void {
    this.values.set(d.name, value);
    const ls = this.listeners.get(d.name);
    if (ls) for (const l of ls) l(value);
  }

  get(name: string): string {
    const d = this.directive(name);
    if (!d) throw new Error(`unknown directive ${name}`);
    return this.values.get(d.name)!;
  }

  num(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Runs `fn` now and on every change of the directive. */
  watch(name: string, fn: (value: string) => void): void {
    const d = this.directive(name)!;
    if (!this.listeners.has(d.name)) this.listeners.set(d.name, []);
    this.listeners.get(d.name)!.push(fn);
    fn(this.values.get(d.name)!);
  }
}
