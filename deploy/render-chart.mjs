#!/usr/bin/env node
/**
 * render-chart.mjs: `helm template` for deploy/helm/reddish, without helm.
 *
 *   node deploy/render-chart.mjs [--chart DIR] [--release NAME] [--namespace NS]
 *        [-f values.yaml ...] [--set path=value ...] [--seed N] [--out FILE]
 *
 * Debian ships no helm, and CI must check the chart, so this renders it the way
 * helm 3 does: Go's text/template semantics (actions, trim markers, pipelines,
 * variables, if/else if/range/with/define/template/include, Go truth, values
 * numbers as float64 and template integers as int) with the Sprig/Helm
 * functions the chart uses, values.yaml merged with -f files and --set, output
 * split into documents, sorted into helm's install order and printed with
 * helm's `# Source:` headers.
 *
 * It is a subset on purpose: a function, an action or a value it does not know
 * is an error naming the template and the line, never a silently different
 * output. With real helm the same chart renders to the same objects
 * (`helm template reddish deploy/helm/reddish`); only randAlphaNum differs,
 * which --seed makes repeatable here (deploy/k8s/reddish.yaml is rendered with
 * --seed 1: its generated password is public, see deploy/README.md).
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join, relative, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

// ---------------------------------------------------------------- values -----

class TemplateError extends Error {}

/** Go's int (template literals, len, int, add...) is a BigInt here; a plain number is float64, as values are in helm. */
const isInt = (v) => typeof v === 'bigint';
const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Values as helm reads them: YAML → JSON → Go, so every number is a float64. */
function fromYaml(text, what) {
  const v = parseYaml(text, { merge: true, intAsBigInt: false });
  return normalize(v ?? {}, what);
}
function normalize(v, what) {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => normalize(x, what));
  if (typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = normalize(x, what);
    return o;
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** Go's %v of a float64 (strconv 'g', shortest): 5000 → "5000", 1000000 → "1e+06", 0.00001 → "1e-05". */
function formatFloat(f) {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expStr] = f.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}

/** fmt's %v for what templates print. */
function printValue(v) {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'string') return v;
  if (isInt(v)) return v.toString();
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${printValue(v[k])}`).join(' ')}]`;
  throw new TemplateError(`cannot print ${typeof v}`);
}

/** text/template's truth: false, 0, nil, empty string, slice or map are false. */
function truth(v) {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (isInt(v)) return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

// ------------------------------------------------------- toYaml (Go yaml) -----

/** sigs.k8s.io/yaml.Marshal as helm's toYaml uses it: keys sorted, lists not indented under their key. */
function toYaml(v) {
  if (v === null || v === undefined) return 'null\n';
  if (!isMap(v) && !Array.isArray(v)) return `${yamlScalar(v)}\n`;
  if (isMap(v) && Object.keys(v).length === 0) return '{}\n';
  if (Array.isArray(v) && v.length === 0) return '[]\n';
  return yamlBlock(v, 0).join('\n') + '\n';
}
function yamlBlock(v, indent) {
  const pad = ' '.repeat(indent);
  const out = [];
  if (Array.isArray(v)) {
    for (const item of v) {
      if ((isMap(item) && Object.keys(item).length) || (Array.isArray(item) && item.length)) {
        const inner = yamlBlock(item, indent + 2);
        out.push(`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1));
      } else out.push(`${pad}- ${yamlInline(item)}`);
    }
    return out;
  }
  for (const k of Object.keys(v).sort()) {
    const x = v[k];
    const key = yamlScalar(k);
    if (isMap(x) && Object.keys(x).length) out.push(`${pad}${key}:`, ...yamlBlock(x, indent + 2));
    else if (Array.isArray(x) && x.length) out.push(`${pad}${key}:`, ...yamlBlock(x, indent));
    else out.push(`${pad}${key}: ${yamlInline(x)}`);
  }
  return out;
}
function yamlInline(x) {
  if (isMap(x)) return '{}';
  if (Array.isArray(x)) return '[]';
  return yamlScalar(x);
}
function yamlScalar(x) {
  if (x === null || x === undefined) return 'null';
  if (typeof x === 'boolean') return x ? 'true' : 'false';
  if (isInt(x)) return x.toString();
  if (typeof x === 'number') return String(x);
  const s = String(x);
  const plainOk = s !== '' && /^[A-Za-z0-9_./][A-Za-z0-9_ ./:@%+-]*$/.test(s) && !/ $/.test(s) && !/: /.test(s)
    && !/^(true|false|yes|no|on|off|y|n|null|~)$/i.test(s) && Number.isNaN(Number(s)) && !/^[-+]?(\.inf|\.nan)$/i.test(s)
    && !/^0[xo]/i.test(s) && !/^\d+(:\d+)+$/.test(s);
  if (plainOk) return s;
  if (!/[\n'\\]/.test(s) && !/[\x00-\x1f]/.test(s)) return `"${s.replace(/"/g, '\\"')}"`;
  return JSON.stringify(s);
}

// ---------------------------------------------------------------- lexer -----

/** Splits a template into text and action items, applying {{- and -}} trim markers. */
function lex(src, name) {
  const items = [];
  let pos = 0;
  const lineAt = (p) => src.slice(0, p).split('\n').length;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    if (open < 0) { items.push({ kind: 'text', text: src.slice(pos) }); break; }
    let text = src.slice(pos, open);
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 1;
    }
    if (text) items.push({ kind: 'text', text });
    // Find the closing }} outside string literals.
    let i = start;
    let close = -1;
    let trimRight = false;
    const inner = src.slice(start).trimStart();
    if (inner.startsWith('/*')) {
      const end = src.indexOf('*/', start);
      if (end < 0) throw new TemplateError(`${name}:${lineAt(open)}: unclosed comment`);
      i = end + 2;
      const m = /^\s*(-\s*)?}}/.exec(src.slice(i));
      if (!m) throw new TemplateError(`${name}:${lineAt(open)}: comment ends before closing delimiter`);
      trimRight = !!m[1];
      close = i + m[0].length - 2;
      pos = close + 2;
      if (trimRight) pos = skipSpace(src, pos);
      continue;
    }
    while (i < src.length) {
      const c = src[i];
      if (c === '"') { i++; while (i < src.length && src[i] !== '"') { if (src[i] === '\\') i++; i++; } i++; continue; }
      if (c === '`') { i = src.indexOf('`', i + 1) + 1; if (i === 0) break; continue; }
      if (c === '\'') { i++; while (i < src.length && src[i] !== '\'') { if (src[i] === '\\') i++; i++; } i++; continue; }
      if (src.startsWith('}}', i)) { close = i; break; }
      i++;
    }
    if (close < 0) throw new TemplateError(`${name}:${lineAt(open)}: unclosed action`);
    let body = src.slice(start, close);
    if (/[ \t\r\n]-$/.test(body)) { trimRight = true; body = body.slice(0, -1); }
    items.push({ kind: 'action', body, line: lineAt(open) });
    pos = close + 2;
    if (trimRight) pos = skipSpace(src, pos);
  }
  return items;
}
function skipSpace(s, p) {
  while (p < s.length && ' \t\r\n'.includes(s[p])) p++;
  return p;
}

/** Tokens of one action. */
function tokenize(body, where) {
  const toks = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (' \t\r\n'.includes(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === '|' || c === ',') { toks.push({ t: c }); i++; continue; }
    if (body.startsWith(':=', i)) { toks.push({ t: ':=' }); i += 2; continue; }
    if (c === '=') { toks.push({ t: '=' }); i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') { if (body[j] === '\\') j++; j++; }
      toks.push({ t: 'str', v: JSON.parse(body.slice(i, j + 1)) });
      i = j + 1; continue;
    }
    if (c === '`') {
      const j = body.indexOf('`', i + 1);
      toks.push({ t: 'str', v: body.slice(i + 1, j) });
      i = j + 1; continue;
    }
    let m;
    if ((m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(body.slice(i)))) {
      const s = m[0];
      toks.push({ t: 'num', v: m[1] || m[2] ? Number(s) : BigInt(s) });
      i += s.length; continue;
    }
    if ((m = /^\$[A-Za-z0-9_]*/.exec(body.slice(i)))) {
      const fields = [];
      let j = i + m[0].length;
      let f;
      while ((f = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(j)))) { fields.push(f[0].slice(1)); j += f[0].length; }
      toks.push({ t: 'var', name: m[0], fields });
      i = j; continue;
    }
    if (c === '.') {
      const fields = [];
      let j = i;
      let f;
      while ((f = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(j)))) { fields.push(f[0].slice(1)); j += f[0].length; }
      if (fields.length === 0) j = i + 1;
      // (pipeline).Field only when the dot touches the parenthesis.
      toks.push({ t: 'field', fields, chained: i > 0 && body[i - 1] === ')' });
      i = j; continue;
    }
    if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i)))) {
      toks.push({ t: 'ident', v: m[0] });
      i += m[0].length; continue;
    }
    throw new TemplateError(`${where}: unexpected "${c}" in action`);
  }
  return toks;
}

// --------------------------------------------------------------- parser -----

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/**
 * Parses lexed items into a tree. Node shapes:
 *   {type:'text', text} | {type:'action', pipe} | {type:'if'|'with', pipe, list, elseList}
 *   {type:'range', pipe, list, elseList} | {type:'template', name, pipe}
 * Pipe: {decl: [names] | null, assign: bool, cmds: [[operand...]...]}
 */
function parseTemplate(src, name, defines) {
  const items = lex(src, name);
  let k = 0;
  function parseList(terminators) {
    const list = [];
    while (k < items.length) {
      const it = items[k];
      if (it.kind === 'text') { list.push({ type: 'text', text: it.text }); k++; continue; }
      const where = `${name}:${it.line}`;
      const toks = tokenize(it.body, where);
      const head = toks[0]?.t === 'ident' ? toks[0].v : null;
      if (head === 'end' || head === 'else') {
        if (!terminators) throw new TemplateError(`${where}: unexpected {{${head}}}`);
        return { list, stop: head, toks, where };
      }
      k++;
      if (head === 'if' || head === 'with' || head === 'range') {
        list.push(parseControl(head, toks.slice(1), where));
      } else if (head === 'define') {
        const nm = toks[1];
        if (!nm || nm.t !== 'str') throw new TemplateError(`${where}: define needs a name`);
        const body = parseList(true);
        if (body.stop !== 'end') throw new TemplateError(`${where}: define "${nm.v}" has {{else}}`);
        k++;
        defines.set(nm.v, body.list);
      } else if (head === 'template') {
        const nm = toks[1];
        if (!nm || nm.t !== 'str') throw new TemplateError(`${where}: template needs a name`);
        list.push({ type: 'template', name: nm.v, pipe: toks.length > 2 ? parsePipeline(toks.slice(2), where) : null, where });
      } else if (head === 'block' || head === 'break' || head === 'continue') {
        throw new TemplateError(`${where}: {{${head}}} is not supported by render-chart.mjs`);
      } else {
        list.push({ type: 'action', pipe: parsePipeline(toks, where), where });
      }
    }
    if (terminators) throw new TemplateError(`${name}: unexpected end of template (missing {{end}})`);
    return { list, stop: null };
  }
  function parseControl(kind, toks, where) {
    const pipe = parsePipeline(toks, where, kind === 'range');
    const body = parseList(true);
    const node = { type: kind, pipe, list: body.list, elseList: null, where };
    if (body.stop === 'end') { k++; return node; }
    // {{else}}, or {{else if x}} / {{else with x}}: an if/with nested in the else branch, sharing the one {{end}}.
    k++;
    const rest = body.toks.slice(1);
    if (rest.length && rest[0].t === 'ident' && (rest[0].v === 'if' || rest[0].v === 'with')) {
      node.elseList = [parseControl(rest[0].v, rest.slice(1), body.where)];
      return node;
    }
    if (rest.length) throw new TemplateError(`${body.where}: unexpected tokens after else`);
    const elseBody = parseList(true);
    if (elseBody.stop !== 'end') throw new TemplateError(`${where}: two {{else}}`);
    k++;
    node.elseList = elseBody.list;
    return node;
  }
  const root = parseList(false);
  return root.list;
}

/** A pipeline: optional $declarations, then commands separated by |, operands possibly (parenthesized). */
function parsePipeline(toks, where, isRange = false) {
  let i = 0;
  let decl = null;
  let assign = false;
  if (toks[0]?.t === 'var' && toks[0].fields.length === 0) {
    if (toks[1]?.t === ':=' || toks[1]?.t === '=') {
      decl = [toks[0].name]; assign = toks[1].t === '='; i = 2;
    } else if (isRange && toks[1]?.t === ',' && toks[2]?.t === 'var' && toks[3]?.t === ':=') {
      decl = [toks[0].name, toks[2].name]; i = 4;
    }
  }
  const [cmds, next] = parseCmds(toks, i, where, false);
  if (next !== toks.length) throw new TemplateError(`${where}: unexpected ")"`);
  if (!cmds.length) throw new TemplateError(`${where}: missing value`);
  return { decl, assign, cmds };
}
function parseCmds(toks, i, where, inParen) {
  const cmds = [];
  let cmd = [];
  while (i < toks.length) {
    const t = toks[i];
    if (t.t === ')') {
      if (!inParen) throw new TemplateError(`${where}: unexpected ")"`);
      break;
    }
    if (t.t === '|') { if (!cmd.length) throw new TemplateError(`${where}: empty command`); cmds.push(cmd); cmd = []; i++; continue; }
    if (t.t === '(') {
      const [sub, j] = parseCmds(toks, i + 1, where, true);
      if (toks[j]?.t !== ')') throw new TemplateError(`${where}: unclosed "("`);
      i = j + 1;
      const node = { op: 'pipe', pipe: { decl: null, assign: false, cmds: sub } };
      // (expr).Field.Chain
      if (toks[i]?.t === 'field' && toks[i].chained && toks[i].fields.length) { node.fields = toks[i].fields; i++; }
      cmd.push(node);
      continue;
    }
    cmd.push(operand(t, where));
    i++;
  }
  if (cmd.length) cmds.push(cmd);
  return [cmds, i];
}
function operand(t, where) {
  switch (t.t) {
    case 'str': return { op: 'lit', v: t.v };
    case 'num': return { op: 'lit', v: t.v };
    case 'field': return { op: 'field', fields: t.fields };
    case 'var': return { op: 'var', name: t.name, fields: t.fields };
    case 'ident':
      if (t.v === 'true' || t.v === 'false') return { op: 'lit', v: t.v === 'true' };
      if (t.v === 'nil') return { op: 'lit', v: null };
      if (KEYWORDS.has(t.v)) throw new TemplateError(`${where}: unexpected keyword ${t.v}`);
      return { op: 'fn', name: t.v };
    default: throw new TemplateError(`${where}: unexpected "${t.t}"`);
  }
}

// ------------------------------------------------------------ functions -----

function makeRandom(seed) {
  if (seed === undefined || seed === null) return (n) => randomBytes(n);
  // mulberry32: a small deterministic PRNG, so that --seed renders the same password every time.
  let a = Number(seed) >>> 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      a = (a + 0x6D2B79F5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    }
    return out;
  };
}

const toInt = (v, fn) => {
  if (isInt(v)) return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw new TemplateError(`${fn}: cannot convert ${printValue(v)} to int`);
};
const strval = (v) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : printValue(v));

/** Go's fmt verbs the chart uses: %s %d %v %q %%. */
function sprintf(format, args) {
  let i = 0;
  return format.replace(/%([-+# 0]*\d*)([sdvq%])/g, (_m, _flags, verb) => {
    if (verb === '%') return '%';
    const a = args[i++];
    if (verb === 'q') return JSON.stringify(strval(a));
    if (verb === 'd') return toInt(a, 'printf').toString();
    return strval(a);
  });
}

function goEqual(a, b) {
  const kind = (v) => (v === null || v === undefined ? 'nil' : isInt(v) ? 'int' : typeof v);
  if (kind(a) !== kind(b) && kind(a) !== 'nil' && kind(b) !== 'nil') {
    throw new TemplateError(`eq: incompatible types for comparison (${kind(a)} and ${kind(b)})`);
  }
  return a === b;
}
function goLess(a, b, fn) {
  const ka = isInt(a) ? 'int' : typeof a;
  const kb = isInt(b) ? 'int' : typeof b;
  if (ka !== kb) throw new TemplateError(`${fn}: incompatible types for comparison`);
  return a < b;
}

function makeFuncs(engine) {
  return {
    // text/template builtins
    and: (...a) => { for (const x of a) if (!truth(x)) return x; return a[a.length - 1]; },
    or: (...a) => { for (const x of a) if (truth(x)) return x; return a[a.length - 1]; },
    not: (a) => !truth(a),
    eq: (a, ...bs) => bs.some((b) => goEqual(a, b)),
    ne: (a, b) => !goEqual(a, b),
    lt: (a, b) => goLess(a, b, 'lt'),
    le: (a, b) => goLess(a, b, 'le') || goEqual(a, b),
    gt: (a, b) => goLess(b, a, 'gt'),
    ge: (a, b) => goLess(b, a, 'ge') || goEqual(a, b),
    len: (a) => BigInt(typeof a === 'string' ? Buffer.byteLength(a) : Array.isArray(a) ? a.length : isMap(a) ? Object.keys(a).length : (() => { throw new TemplateError('len of a non-collection'); })()),
    index: (a, ...keys) => {
      let v = a;
      for (const key of keys) {
        if (v === null || v === undefined) throw new TemplateError('index of untyped nil');
        v = Array.isArray(v) ? v[Number(toInt(key, 'index'))] : v[key];
        if (v === undefined) v = null;
      }
      return v;
    },
    print: (...a) => a.map(strval).join(''),
    printf: (f, ...a) => sprintf(f, a),
    // Sprig / Helm
    include: (name, data) => engine.execNamed(name, data),
    toYaml: (v) => toYaml(v).replace(/\n$/, ''),
    indent: (n, s) => { const pad = ' '.repeat(Number(toInt(n, 'indent'))); return pad + strval(s).replace(/\n/g, `\n${pad}`); },
    nindent: (n, s) => { const pad = ' '.repeat(Number(toInt(n, 'nindent'))); return `\n${pad}${strval(s).replace(/\n/g, `\n${pad}`)}`; },
    quote: (...a) => a.filter((x) => x !== null && x !== undefined).map((x) => JSON.stringify(strval(x))).join(' '),
    squote: (...a) => a.filter((x) => x !== null && x !== undefined).map((x) => `'${strval(x)}'`).join(' '),
    default: (d, ...given) => (given.length && truth(given[0]) ? given[0] : d),
    empty: (v) => !truth(v),
    required: (msg, v) => { if (v === null || v === undefined || v === '') throw new TemplateError(msg); return v; },
    fail: (msg) => { throw new TemplateError(msg); },
    trunc: (n, s) => { const c = Number(toInt(n, 'trunc')); s = strval(s); return c >= 0 && s.length > c ? s.slice(0, c) : s; },
    trimSuffix: (suf, s) => (strval(s).endsWith(suf) ? strval(s).slice(0, -suf.length || undefined) : strval(s)),
    trimPrefix: (pre, s) => (strval(s).startsWith(pre) ? strval(s).slice(pre.length) : strval(s)),
    replace: (from, to, s) => strval(s).split(from).join(to),
    contains: (sub, s) => strval(s).includes(sub),
    lower: (s) => strval(s).toLowerCase(),
    upper: (s) => strval(s).toUpperCase(),
    toString: (v) => strval(v),
    b64enc: (s) => Buffer.from(strval(s)).toString('base64'),
    b64dec: (s) => Buffer.from(strval(s), 'base64').toString(),
    sha256sum: (s) => createHash('sha256').update(strval(s)).digest('hex'),
    randAlphaNum: (n) => {
      const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
      const count = Number(toInt(n, 'randAlphaNum'));
      let out = '';
      while (out.length < count) {
        for (const b of engine.random(count)) if (b < 248 && out.length < count) out += chars[b % 62];
      }
      return out;
    },
    lookup: () => ({}),
    int: (v) => toInt(v, 'int'),
    int64: (v) => toInt(v, 'int64'),
    add: (...a) => a.reduce((s, x) => s + toInt(x, 'add'), 0n),
    add1: (a) => toInt(a, 'add1') + 1n,
    sub: (a, b) => toInt(a, 'sub') - toInt(b, 'sub'),
    mul: (...a) => a.reduce((s, x) => s * toInt(x, 'mul'), 1n),
    div: (a, b) => toInt(a, 'div') / toInt(b, 'div'),
    max: (...a) => a.map((x) => toInt(x, 'max')).reduce((m, x) => (x > m ? x : m)),
    min: (...a) => a.map((x) => toInt(x, 'min')).reduce((m, x) => (x < m ? x : m)),
    until: (n) => Array.from({ length: Number(toInt(n, 'until')) }, (_, i) => BigInt(i)),
    list: (...a) => a,
    dict: (...a) => { const o = {}; for (let i = 0; i < a.length; i += 2) o[strval(a[i])] = a[i + 1] ?? null; return o; },
    hasKey: (m, k) => isMap(m) && Object.prototype.hasOwnProperty.call(m, k),
    join: (sep, l) => (Array.isArray(l) ? l.map(strval).join(sep) : strval(l)),
    ternary: (a, b, c) => (truth(c) ? a : b),
    coalesce: (...a) => a.find(truth) ?? null,
  };
}

// ------------------------------------------------------------- executor -----

class Engine {
  constructor(random) {
    this.defines = new Map();
    this.files = new Map();
    this.random = random;
    this.funcs = makeFuncs(this);
  }

  addFile(name, src) {
    this.files.set(name, parseTemplate(src, name, this.defines));
  }

  /** A named template: a {{define}} or, as in helm, a template file by its path. */
  execNamed(name, data) {
    const list = this.defines.get(name) ?? this.files.get(name);
    if (!list) throw new TemplateError(`no template "${name}"`);
    const out = [];
    this.walk(list, { dot: data, vars: [{ name: '$', value: data }] }, out);
    return out.join('');
  }

  renderFile(name, data) {
    const out = [];
    this.walk(this.files.get(name), { dot: data, vars: [{ name: '$', value: data }] }, out);
    // helm: text/template prints "<no value>" for missing values; helm blanks them.
    return out.join('').replaceAll('<no value>', '');
  }

  walk(list, scope, out) {
    for (const node of list) {
      switch (node.type) {
        case 'text': out.push(node.text); break;
        case 'action': {
          const v = this.evalPipe(node.pipe, scope, node.where);
          if (!node.pipe.decl) out.push(printValue(v));
          break;
        }
        case 'if': case 'with': {
          const inner = { dot: scope.dot, vars: [...scope.vars] };
          const v = this.evalPipe(node.pipe, inner, node.where);
          if (truth(v)) this.walk(node.list, node.type === 'with' ? { dot: v, vars: inner.vars } : inner, out);
          else if (node.elseList) this.walk(node.elseList, { dot: scope.dot, vars: [...scope.vars] }, out);
          break;
        }
        case 'range': {
          const pipe = { ...node.pipe, decl: null };
          const v = this.evalPipe(pipe, { dot: scope.dot, vars: scope.vars }, node.where);
          const entries = v === null || v === undefined ? [] : Array.isArray(v) ? v.map((x, i) => [BigInt(i), x])
            : isMap(v) ? Object.keys(v).sort().map((k) => [k, v[k]])
            : isInt(v) ? Array.from({ length: Number(v) }, (_, i) => [BigInt(i), BigInt(i)])
            : (() => { throw new TemplateError(`${node.where}: range can't iterate over ${printValue(v)}`); })();
          if (entries.length === 0) {
            if (node.elseList) this.walk(node.elseList, { dot: scope.dot, vars: [...scope.vars] }, out);
            break;
          }
          for (const [k, x] of entries) {
            const vars = [...scope.vars];
            const decl = node.pipe.decl;
            if (decl?.length === 1) vars.push({ name: decl[0], value: x });
            if (decl?.length === 2) vars.push({ name: decl[0], value: k }, { name: decl[1], value: x });
            this.walk(node.list, { dot: x, vars }, out);
          }
          break;
        }
        case 'template': {
          const data = node.pipe ? this.evalPipe(node.pipe, scope, node.where) : null;
          out.push(this.execNamed(node.name, data));
          break;
        }
        default: throw new TemplateError(`unknown node ${node.type}`);
      }
    }
  }

  evalPipe(pipe, scope, where) {
    let v;
    let first = true;
    for (const cmd of pipe.cmds) {
      v = this.evalCmd(cmd, scope, where, first ? undefined : [v]);
      first = false;
    }
    if (pipe.decl) {
      if (pipe.assign) {
        const slot = [...scope.vars].reverse().find((x) => x.name === pipe.decl[0]);
        if (!slot) throw new TemplateError(`${where}: undefined variable ${pipe.decl[0]}`);
        slot.value = v;
      } else scope.vars.push({ name: pipe.decl[0], value: v });
    }
    return v;
  }

  evalCmd(cmd, scope, where, piped) {
    const [head, ...rest] = cmd;
    if (head.op === 'fn') {
      const f = this.funcs[head.name];
      if (!f) throw new TemplateError(`${where}: function "${head.name}" not defined`);
      const args = rest.map((a) => this.evalArg(a, scope, where));
      if (piped) args.push(piped[0]);
      try {
        return f(...args);
      } catch (e) {
        if (e instanceof TemplateError) throw new TemplateError(`${where}: error calling ${head.name}: ${e.message}`);
        throw e;
      }
    }
    if (rest.length || piped) throw new TemplateError(`${where}: can't give arguments to a non-function`);
    return this.evalArg(head, scope, where);
  }

  evalArg(a, scope, where) {
    switch (a.op) {
      case 'lit': return a.v;
      case 'field': return this.fieldChain(scope.dot, a.fields, where);
      case 'var': {
        const slot = [...scope.vars].reverse().find((x) => x.name === a.name);
        if (!slot) throw new TemplateError(`${where}: undefined variable "${a.name}"`);
        return this.fieldChain(slot.value, a.fields, where);
      }
      case 'pipe': {
        const v = this.evalPipe(a.pipe, { dot: scope.dot, vars: scope.vars }, where);
        return a.fields ? this.fieldChain(v, a.fields, where) : v;
      }
      case 'fn': {
        const f = this.funcs[a.name];
        if (!f) throw new TemplateError(`${where}: function "${a.name}" not defined`);
        return f();
      }
      default: throw new TemplateError(`${where}: bad operand`);
    }
  }

  fieldChain(v, fields, where) {
    for (const f of fields) {
      if (v === null || v === undefined) throw new TemplateError(`${where}: nil pointer evaluating interface {}.${f}`);
      if (!isMap(v)) throw new TemplateError(`${where}: can't evaluate field ${f} in type ${Array.isArray(v) ? 'slice' : typeof v}`);
      v = Object.prototype.hasOwnProperty.call(v, f) ? v[f] : null;
    }
    return v;
  }
}

/** Renders one template string with `data` as dot (values as helm would parse them: numbers are float64). */
export function renderString(src, data, seed) {
  const engine = new Engine(makeRandom(seed));
  engine.addFile('string', src);
  return engine.renderFile('string', normalize(data));
}

// ---------------------------------------------------------------- chart -----

/** helm's InstallOrder (pkg/releaseutil/kind_sorter.go); other kinds go last, by kind name. */
const INSTALL_ORDER = ['PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy',
  'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding',
  'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob',
  'IngressClass', 'Ingress', 'APIService'];

/** --set's syntax for the cases a chart's users need: a.b.c=v, with v as helm types it (int, bool, null, string). */
export function applySet(values, expr) {
  const eq = expr.indexOf('=');
  if (eq < 0) throw new Error(`--set ${expr}: expected path=value`);
  const path = expr.slice(0, eq).split('.');
  const raw = expr.slice(eq + 1);
  let v;
  if (raw === 'true' || raw === 'false') v = raw === 'true';
  else if (raw === 'null') v = null;
  else if (/^-?\d+$/.test(raw)) v = Number(raw);
  else v = raw;
  let o = values;
  for (const p of path.slice(0, -1)) {
    if (!isMap(o[p])) o[p] = {};
    o = o[p];
  }
  o[path[path.length - 1]] = v;
  return values;
}

/** Coalesces user values onto the chart's (maps merge, anything else replaces; null deletes), as helm does. */
function mergeValues(base, over) {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k], v);
    else out[k] = v;
  }
  return out;
}

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

const capitalizeChart = (c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k[0].toUpperCase() + k.slice(1), v]));

/**
 * Renders the chart. values: user values (as -f/--set give them) merged over values.yaml.
 * Returns the manifests in helm's order: [{ source, content, kind, name }].
 */
export function renderChart({ chartDir, releaseName = 'reddish', namespace = 'default', values = {}, seed } = {}) {
  const chart = fromYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'), 'Chart.yaml');
  const defaults = fromYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8'), 'values.yaml');
  const engine = new Engine(makeRandom(seed));
  const tplDir = join(chartDir, 'templates');
  const names = [];
  for (const path of listFiles(tplDir)) {
    const name = `${chart.name}/${relative(chartDir, path).split('\\').join('/')}`;
    if (!/\.(yaml|yml|tpl|txt)$/.test(path)) continue;
    engine.addFile(name, readFileSync(path, 'utf8'));
    names.push(name);
  }
  const top = {
    Values: mergeValues(defaults, values),
    Release: { Name: releaseName, Namespace: namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1n },
    Chart: capitalizeChart(chart),
    Capabilities: { KubeVersion: { Version: 'v1.28.0', Major: '1', Minor: '28' }, APIVersions: [] },
    Template: { Name: '', BasePath: `${chart.name}/templates` },
  };
  const manifests = [];
  for (const name of names) {
    const base = basename(name);
    if (base.startsWith('_') || base === 'NOTES.txt') continue;
    const data = { ...top, Template: { ...top.Template, Name: name } };
    let text;
    try {
      text = engine.renderFile(name, data);
    } catch (e) {
      if (e instanceof TemplateError) throw new Error(`render-chart: ${e.message}`);
      throw e;
    }
    // releaseutil.SplitManifests: documents split on "---" lines, blank ones dropped, each trimmed.
    const docs = text.split(/(?:^|\s*\n)---\s*/);
    for (const doc of docs) {
      const content = doc.trim();
      if (!content) continue;
      let head;
      try {
        head = parseYaml(content);
      } catch (e) {
        throw new Error(`render-chart: ${name} renders invalid YAML: ${e.message}\n${content}`);
      }
      if (!isMap(head) || !head.kind) throw new Error(`render-chart: ${name}: a document without kind\n${content}`);
      manifests.push({ source: name, content, kind: head.kind, name: head.metadata?.name ?? '' });
    }
  }
  const rank = (k) => { const i = INSTALL_ORDER.indexOf(k); return i < 0 ? INSTALL_ORDER.length : i; };
  const order = manifests.map((m, i) => ({ m, i }));
  order.sort((a, b) => rank(a.m.kind) - rank(b.m.kind)
    || (rank(a.m.kind) === INSTALL_ORDER.length ? (a.m.kind < b.m.kind ? -1 : a.m.kind > b.m.kind ? 1 : 0) : 0)
    || a.i - b.i);
  return order.map((x) => x.m);
}

/** `helm template`'s text: each manifest as "---\n# Source: <file>\n<content>\n". */
export function formatManifests(manifests) {
  return manifests.map((m) => `---\n# Source: ${m.source}\n${m.content}\n`).join('');
}

// ------------------------------------------------------------------ CLI -----

function main(argv) {
  const here = dirname(fileURLToPath(import.meta.url));
  let chartDir = join(here, 'helm', 'reddish');
  let releaseName = 'reddish';
  let namespace = 'default';
  let seed;
  let outFile = null;
  let header = false;
  let values = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    if (a === '--chart') chartDir = next();
    else if (a === '--release') releaseName = next();
    else if (a === '--namespace' || a === '-n') namespace = next();
    else if (a === '-f' || a === '--values') values = mergeValues(values, fromYaml(readFileSync(next(), 'utf8'), a));
    else if (a === '--set') applySet(values, next());
    else if (a === '--seed') seed = Number(next());
    else if (a === '--out') outFile = next();
    else if (a === '--header') header = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node deploy/render-chart.mjs [--chart DIR] [--release NAME] [--namespace NS] [-f values.yaml] [--set a.b=v] [--seed N] [--header] [--out FILE]\n');
      return 0;
    } else throw new Error(`unknown argument ${a}`);
  }
  let text = formatManifests(renderChart({ chartDir, releaseName, namespace, values, seed }));
  if (header) text = MANIFEST_HEADER + text;
  if (outFile) writeFileSync(outFile, text);
  else process.stdout.write(text);
  return 0;
}

/** The comment on top of deploy/k8s/reddish.yaml. */
export const MANIFEST_HEADER = `# Reddish on Kubernetes: deploy/helm/reddish rendered with its default values,
# release "reddish", namespace "default" - generated, do not edit:
#
#   node deploy/render-chart.mjs --seed 1 --header --out deploy/k8s/reddish.yaml
#
# The Secret "reddish-auth" below carries a password generated with a public seed:
# change it before you apply this file anywhere that matters - edit it here, or
# afterwards overwrite it and restart the pods:
#   kubectl create secret generic reddish-auth --from-literal=redis-password="$(openssl rand -hex 24)" \\
#     --dry-run=client -o yaml | kubectl apply -f -
#   kubectl rollout restart statefulset reddish reddish-sentinel
# For another namespace or release name, render again (--namespace, --release). See deploy/README.md.
`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
