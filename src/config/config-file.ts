/**
 * redis.conf reading (config.c loadServerConfig / loadServerConfigFromString,
 * and server.c main()'s option handling): the file's lines, then stdin, then
 * the command-line options appended as further lines, split with sdssplitargs
 * rules; `include` reads another file in place, relative to the working
 * directory at that point (a `dir` line changes it, as Redis's chdir does). A
 * bad line stops start-up with Redis's FATAL CONFIG FILE ERROR report, plus the
 * source it came from.
 */
import { readFileSync, readdirSync, openSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { splitArgs } from '../util/split-args.js';
import { globMatch } from '../util/glob.js';
import { Config, ConfigError } from './config.js';
import { type FileState } from './directives.js';
import { repr } from '../util/repr.js';

export class FatalConfigError extends Error {
  constructor(
    /** 0 when the error is not about one line (e.g. the log file cannot be opened). */
    readonly lineNo: number,
    readonly line: string,
    readonly reason: string,
    readonly source: string,
  ) {
    super(reason);
  }

  /** The report Redis prints before exiting, naming where the line came from as well. */
  report(): string {
    let out = `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n`;
    if (this.lineNo > 0) out += `Reading the configuration file, at line ${this.lineNo}\n>>> '${this.line}'\n`;
    out += `${this.reason}\n`;
    if (this.lineNo > 0) out += `(in ${this.source})\n`;
    return out;
  }
}

export class ConfigOpenError extends Error {}

function openError(path: string, e: unknown): ConfigOpenError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOENT' ? 'No such file or directory' : err.code === 'EACCES' ? 'Permission denied' : err.code === 'EISDIR' ? 'Is a directory' : err.message;
  return new ConfigOpenError(`Fatal error, can't open config file '${path}': ${why}`);
}

/** Reads a file for `include` or as the main config; Redis's message when it cannot. */
export function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    throw openError(path, e);
  }
}

/** `include` with wildcards: every match, sorted as glob(3) does; no match is not an error. */
function readIncluded(path: string): string {
  if (!/[*?[]/.test(path)) return readConfigFile(path);
  const dir = dirname(path);
  const pat = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir === '' ? '.' : dir);
  } catch {
    return '';
  }
  let text = '';
  for (const n of names.filter((x) => !x.startsWith('.') && globMatch(pat, x)).sort()) text += readConfigFile(join(dir, n));
  return text;
}

/** State shared by one start-up's loading: config.c's reading_config_file and save_loaded. */
export interface LoadState extends FileState {
  reading: boolean;
}

export function newLoadState(): LoadState {
  return { saveLoaded: false, reading: false };
}

/** Where the lines of a concatenated config string came from, by character offset. */
export interface Segment {
  start: number;
  name: string;
}

const DEPRECATED: Record<string, [number, number]> = {
  'list-max-ziplist-entries': [2, 2],
  'list-max-ziplist-value': [2, 2],
  'lua-replicate-commands': [2, 2],
};

/**
 * Applies config text to `config`, as loadServerConfigFromString does.
 * `segments` names the parts of the text for the FATAL report.
 */
export function loadConfigString(config: Config, text: string, segments: Segment[] | string, state: LoadState = newLoadState(), depth = 0): void {
  const segs = typeof segments === 'string' ? [{ start: 0, name: segments }] : segments;
  const lines = text.split('\n');
  state.reading = true;
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const lineStart = offset;
    offset += lines[i].length + 1;
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line.startsWith('#')) continue;
    const fail = (reason: string): never => {
      let src = segs[0].name;
      for (const s of segs) if (lineStart >= s.start) src = s.name;
      throw new FatalConfigError(i + 1, line, reason, src);
    };
    const argv = splitArgs(line);
    if (argv === null) fail('Unbalanced quotes in configuration line');
    if (argv!.length === 0) continue;
    const name = argv![0].toLowerCase();
    const args = argv!.slice(1);
    const d = config.directive(name);
    if (d) {
      const multi = d.type.kind === 'special' && d.type.multiArg;
      if (!multi && argv!.length !== 2) fail('wrong number of arguments');
      try {
        config.apply(name, args, state.reading ? state : null);
      } catch (e) {
        if (e instanceof ConfigError) fail(e.message);
        throw e;
      }
      // Redis chdir()s as soon as it reads `dir`: later includes are relative to it.
      if (d.name === 'dir') process.chdir(config.raw('dir'));
      continue;
    }
    const dep = DEPRECATED[name];
    if (dep && dep[0] <= argv!.length && argv!.length <= dep[1]) continue;
    if (name === 'include' && argv!.length === 2) {
      if (depth > 32) fail('Too many nested includes');
      const path = args[0];
      loadConfigString(config, readIncluded(path), path, state, depth + 1);
      // A nested load ends "reading the config file" for the rest of this one too (config.c quirk).
      continue;
    }
    if (name === 'rename-command' && argv!.length === 3) {
      config.renames.set(args[0].toLowerCase(), args[1]);
      continue;
    }
    if (name === 'user' && argv!.length >= 2) {
      config.users.push(args);
      continue;
    }
    if (name === 'loadmodule' && argv!.length >= 2) fail('Modules are not supported by Reddish');
    if (name.includes('.')) {
      if (argv!.length !== 2) fail('Module config specified without value');
      fail('Module configs are not supported by Reddish');
    }
    if (name === 'sentinel') {
      if (argv!.length === 1) continue;
      if (!config.sentinelMode) fail('sentinel directive while not in sentinel mode');
      let src = segs[0].name;
      for (const s of segs) if (lineStart >= s.start) src = s.name;
      config.sentinelLines.push({ argv: args, line, lineno: i + 1, file: src });
      continue;
    }
    fail('Bad directive or wrong number of arguments');
  }
  state.reading = false;
}

/** Checks done after the whole configuration is read (end of loadServerConfigFromString). */
export function finalChecks(config: Config): void {
  const logfile = config.get('logfile');
  if (logfile !== '') {
    try {
      closeSync(openSync(logfile, 'a'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message;
      throw new FatalConfigError(0, '', `Can't open the log file: ${why}`, '');
    }
  }
  if (config.bool('cluster-enabled') && config.get('replicaof') !== '') {
    throw new FatalConfigError(0, '', 'replicaof directive not allowed in cluster mode', '');
  }
}

/**
 * Turns redis-server's command-line options (after the config file) into
 * config text, as main() does: each `--name` starts a line, the words after it
 * are its arguments quoted with sdscatrepr. Returns the text and whether `-`
 * asked for the config from stdin.
 */
export function optionsToConfig(opts: string[], firstIndex = 2): { text: string; stdin: boolean } {
  let options = '';
  let stdin = false;
  let handledLast = true;
  const argc = opts.length + firstIndex;
  for (let k = 0; k < opts.length; k++) {
    const a = opts[k];
    const j = k + firstIndex;
    if (a === '-' && (j === 1 || j === argc - 1)) {
      stdin = true;
    } else if (handledLast && a.startsWith('--')) {
      if (options.length) options += '\n';
      options += a.slice(2) + ' ';
      const parts = splitArgs(a) ?? [a];
      if (parts.length === 1) {
        handledLast = false;
        const next = opts[k + 1];
        const lower = a.toLowerCase();
        if (next !== undefined && next.startsWith('--') && lower === '--save') {
          options += '""';
          handledLast = true;
        } else if (next === undefined && lower === '--save') {
          options += '""';
        } else if (next !== undefined && next.startsWith('--') && lower === '--sentinel') {
          handledLast = true;
        }
      } else {
        handledLast = true;
      }
    } else {
      options += repr(a) + ' ';
      handledLast = true;
    }
  }
  return { text: options, stdin };
}
