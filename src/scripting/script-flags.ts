/**
 * Script flags (script.h's SCRIPT_FLAG_*), the `#!lua flags=...` shebang of
 * EVAL scripts (evalExtractShebangFlags) and the `#!lua name=...` metadata
 * line of function libraries (functionExtractLibMetaData), with Redis 7.0's
 * error texts. Both lines split like sdssplitargs, so quotes work there too.
 */
import { splitArgs } from '../util/split-args.js';

export const SCRIPT_FLAG_NO_WRITES = 1;
export const SCRIPT_FLAG_ALLOW_OOM = 2;
export const SCRIPT_FLAG_ALLOW_STALE = 4;
export const SCRIPT_FLAG_NO_CLUSTER = 8;
/** An EVAL script without a shebang: the pre-7.0 behaviour (flags declared by nobody). */
export const SCRIPT_FLAG_EVAL_COMPAT_MODE = 16;
export const SCRIPT_FLAG_ALLOW_CROSS_SLOT = 32;

/** scripts_flags_def, in its order (FUNCTION LIST shows flags in this order). */
export const SCRIPT_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [SCRIPT_FLAG_NO_WRITES, 'no-writes'],
  [SCRIPT_FLAG_ALLOW_OOM, 'allow-oom'],
  [SCRIPT_FLAG_ALLOW_STALE, 'allow-stale'],
  [SCRIPT_FLAG_NO_CLUSTER, 'no-cluster'],
  [SCRIPT_FLAG_ALLOW_CROSS_SLOT, 'allow-cross-slot-keys'],
];

/** A flag's bit by its name (exact case for shebangs, any case for register_function); 0 when unknown. */
export function flagByName(name: string, anyCase: boolean): number {
  const n = anyCase ? name.toLowerCase() : name;
  for (const [bit, str] of SCRIPT_FLAG_NAMES) if (str === n) return bit;
  return 0;
}

export type ShebangResult = { flags: number; shebangLength: number } | { error: string };

const COMPAT: ShebangResult = { flags: SCRIPT_FLAG_EVAL_COMPAT_MODE, shebangLength: 0 };

/** evalExtractShebangFlags: no shebang means compatibility mode; the body is compiled from the line feed on. */
export function parseEvalShebang(body: string): ShebangResult {
  if (!body.startsWith('#!')) return COMPAT;
  const end = body.indexOf('\n');
  if (end < 0) return { error: 'ERR Invalid script shebang' };
  const parts = splitArgs(body.slice(0, end));
  if (parts === null || parts.length === 0) return { error: 'ERR Invalid engine in script shebang' };
  if (parts[0] !== '#!lua') return { error: `ERR Unexpected engine in script shebang: ${parts[0]}` };
  let flags = 0;
  for (let j = 1; j < parts.length; j++) {
    if (!parts[j].startsWith('flags=')) return { error: `ERR Unknown lua shebang option: ${parts[j]}` };
    // sdssplitlen: an empty value has no parts, a trailing comma an empty one (which no flag matches).
    const value = parts[j].slice(6);
    if (value === '') continue;
    for (const f of value.split(',')) {
      const bit = flagByName(f, false);
      if (bit === 0) return { error: `ERR Unexpected flag in script shebang: ${f}` };
      flags |= bit;
    }
  }
  return { flags, shebangLength: end };
}

export type LibraryMetadata = { engine: string; name: string; code: string } | { error: string };

/** functionExtractLibMetaData: `#!<engine> name=<library>`; `code` keeps the line feed so line numbers match. */
export function parseLibraryMetadata(payload: string): LibraryMetadata {
  if (!payload.startsWith('#!')) return { error: 'ERR Missing library metadata' };
  const end = payload.indexOf('\n');
  if (end < 0) return { error: 'ERR Invalid library metadata' };
  const parts = splitArgs(payload.slice(0, end));
  if (parts === null || parts.length === 0) return { error: 'ERR Invalid library metadata' };
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    if (p.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return { error: 'ERR Invalid metadata value, name argument was given multiple times' };
      name = p.slice(5);
      continue;
    }
    return { error: `ERR Invalid metadata value given: ${p}` };
  }
  if (name === null) return { error: 'ERR Library name was not given' };
  return { engine, name, code: payload.slice(end) };
}

/** functionsVerifyName: [a-zA-Z0-9_]+ (libraries and functions alike). */
export function validName(name: string): boolean {
  return /^[a-zA-Z0-9_]+$/.test(name);
}

export const INVALID_NAME = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
