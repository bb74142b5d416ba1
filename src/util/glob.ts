/**
 * Glob-style matching as Redis's util.c stringmatchlen does it, byte for byte:
 * `*`, `?`, `[abc]`, `[^a-z]` (ranges may be reversed), `\x` escapes, and the
 * quirks that follow from its loop (a trailing `\` matches a literal `\`, an
 * unterminated `[` runs to the end of the pattern). Strings are latin1, one
 * char per byte, so this is binary-safe.
 */

export function globMatch(pattern: string, str: string, nocase = false): boolean {
  const skip = { longer: false };
  return match(pattern, 0, str, 0, nocase, skip, 0);
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function match(p: string, pi: number, s: string, si: number, nocase: boolean, skip: { longer: boolean }, nesting: number): boolean {
  // Redis caps recursion so a pattern of many stars cannot blow the stack.
  if (nesting > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: { // '*'
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return true;
        while (si < slen) {
          if (match(p, pi + 1, s, si, nocase, skip, nesting + 1)) return true;
          if (skip.longer) return false;
          si++;
        }
        skip.longer = true;
        return false;
      }
      case 63: // '?'
        si++;
        break;
      case 91: { // '['
        pi++;
        const not = p.charCodeAt(pi) === 94;
        if (not) pi++;
        let matched = false;
        for (;;) {
          if (pi >= plen) {
            pi--;
            break;
          }
          const c = p.charCodeAt(pi);
          if (c === 92 && plen - pi >= 2) {
            pi++;
            if (p.charCodeAt(pi) === s.charCodeAt(si)) matched = true;
          } else if (c === 93) {
            break;
          } else if (plen - pi >= 3 && p.charCodeAt(pi + 1) === 45) {
            let start = c;
            let end = p.charCodeAt(pi + 2);
            let ch = s.charCodeAt(si);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              ch = lower(ch);
            }
            pi += 2;
            if (ch >= start && ch <= end) matched = true;
          } else if (!nocase) {
            if (c === s.charCodeAt(si)) matched = true;
          } else if (lower(c) === lower(s.charCodeAt(si))) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        break;
      }
      default: {
        if (pc === 92 && plen - pi >= 2) pi++; // '\\' escapes the next pattern char
        const a = p.charCodeAt(pi);
        const b = s.charCodeAt(si);
        if (!nocase ? a !== b : lower(a) !== lower(b)) return false;
        si++;
        break;
      }
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
