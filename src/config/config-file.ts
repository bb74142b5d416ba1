/**
 * redis.conf reading (config.c loadServerConfig / loadServerConfigFromString):
 * the file's lines, then the command-line options appended as further lines,
 * split with sdssplitargs rules; `include` reads another file in place. A bad
 * line stops start-up with Redis's FATAL CONFIG FILE ERROR report, plus the
 * file it came from.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitArgs } from '../protocol/request-parser.js';
import { Config, ConfigError } from './config.js';

export class FatalConfigError extends Error {
  constructor(
    readonly lineNo: number,
    readonly line: string,
    readonly reason: string,
    readonly source: string,
  ) {
    super(reason);
  }

  /** The report Redis prints before exiting, naming the file as well. */
  report(): string {
    return (
      `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n` +
      `Reading the configuration file, at line ${this.lineNo}\n` +
      `>>> '${this.line}'\n${this.reason}\n(in ${this.source})\n`
    );
  }
}

export class ConfigOpenError extends Error {}

/** Reads a file for `include` or as the main config; Redis's message when it cannot. */
export function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'No such file or directory' : err.code === 'EACCES' ? 'Permission denied' : err.message;
    throw new ConfigOpenError(`Fatal error, can't open config file '${path}': ${why}`);
  }
}

/**
 * Applies config text to `config`. `seen` tracks directives already set in this
 * load, so repeated `save` lines add save points instead of replacing them.
 */
export function loadConfigString(config: Config, text: string, source: string, seen = new Set<string>(), depth = 0): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (reason: string): never => {
      throw new FatalConfigError(i + 1, line, reason, source);
    };
    const argv = splitArgs(line);
    if (argv === null) fail('Unbalanced quotes in configuration line');
    if (argv!.length === 0) continue;
    const name = argv![0].toLowerCase();
    const args = argv!.slice(1);
    if (name === 'include' && args.length === 1) {
      if (depth > 16) fail('Too many nested includes');
      const path = resolve(args[0]);
      loadConfigString(config, readConfigFile(path), path, seen, depth + 1);
      continue;
    }
    if (name === 'rename-command' && args.length === 2) {
      config.renames.set(args[0].toLowerCase(), args[1]);
      continue;
    }
    if (name === 'sentinel') fail('sentinel directive while not in sentinel mode');
    if (name === 'loadmodule') fail('Modules are not supported by Reddish');
    if (name === 'user') {
      config.users.push(args);
      continue;
    }
    const d = config.directive(name);
    if (!d) fail('Bad directive or wrong number of arguments');
    let values = args;
    if (d!.accumulate && seen.has(d!.name) && !(args.length === 1 && args[0] === '')) {
      const cur = config.get(d!.name);
      values = cur === '' ? args : [...cur.split(' '), ...args];
    }
    try {
      config.apply(name, values, true);
    } catch (e) {
      if (e instanceof ConfigError) fail(e.message);
      throw e;
    }
    seen.add(d!.name);
  }
}

/** Quotes an option value as Redis's sdscatrepr does when turning `--opt val` into a config line. */
function repr(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\x07') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (code >= 32 && code < 127) out += c;
    else out += '\\x' + code.toString(16).padStart(2, '0');
  }
  return out + '"';
}

/**
 * Turns redis-server's `--name value ...` options into config lines, as main()
 * does: each `--name` starts a line, following words are its quoted arguments.
 */
export function optionsToConfig(opts: string[]): string {
  let out = '';
  for (const a of opts) {
    if (a.startsWith('--') && a.length > 2) {
      out += (out === '' ? '' : '\n') + a.slice(2);
    } else {
      out += ' ' + repr(a);
    }
  }
  return out;
}
