/**
 * sdscatrepr: a string quoted and escaped as Redis prints it in MONITOR
 * lines, CONFIG REWRITE output and the config lines built from command-line
 * options ("a\\n\\x00b" style). Strings are latin1, one char per byte.
 */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\x07') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (code >= 32 && code < 127) out += c;
    else out += '\\x' + (code & 0xff).toString(16).padStart(2, '0');
  }
  return out + '"';
}
