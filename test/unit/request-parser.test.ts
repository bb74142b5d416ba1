/**
 * RequestParser is pure: the same bytes must give the same argv however the
 * socket happens to chunk them, and each protocol error carries Redis's text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParser, ProtocolError } from '../../src/protocol/request-parser.js';
import { splitArgs } from '../../src/util/split-args.js';
import { PROTOCOL_ERR } from '../../src/protocol/errors.js';
import { Rng } from '../differential/generator.js';

const LIMITS = { maxBulkLen: 512 * 1024 * 1024, authenticated: true };

function mb(...args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

type Outcome = { argvs: string[][]; error?: string };

/** Feeds the chunks in order, draining complete requests after each one. */
function parseChunks(chunks: Buffer[], limits = LIMITS): Outcome {
  const p = new RequestParser({ ...limits });
  const argvs: string[][] = [];
  try {
    for (const c of chunks) {
      p.feed(c);
      for (let a = p.next(); a !== null; a = p.next()) argvs.push(a);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { argvs, error: e.message };
  }
  return { argvs };
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  // feed() may keep a reference to a chunk: hand over copies like a socket would
  return out.map((b) => Buffer.from(b));
}

/** Every single split point, every pair for short inputs, and random chunkings. */
function assertChunkingInvariant(input: string | Buffer, expected: string[][], rng: Rng, opts: { pairs?: boolean; random?: number } = {}): void {
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const whole = parseChunks([Buffer.from(buf)]);
  assert.deepEqual(whole, { argvs: expected }, 'whole buffer');
  const step = buf.length > 5000 ? Math.ceil(buf.length / 3000) : 1;
  for (let i = 0; i <= buf.length; i += step) {
    assert.deepEqual(parseChunks(splitAt(buf, [i])), whole, `split at ${i}`);
  }
  if (opts.pairs && buf.length <= 80) {
    for (let i = 0; i <= buf.length; i++) {
      for (let j = i; j <= buf.length; j++) assert.deepEqual(parseChunks(splitAt(buf, [i, j])), whole, `split at ${i},${j}`);
    }
  }
  for (let k = 0; k < (opts.random ?? 200); k++) {
    const cuts: number[] = [];
    const n = rng.range(1, Math.min(60, buf.length + 1));
    for (let c = 0; c < n; c++) cuts.push(rng.int(buf.length + 1));
    assert.deepEqual(parseChunks(splitAt(buf, cuts)), whole, `random cuts ${cuts.join(',')}`);
  }
  // one byte at a time
  if (buf.length <= 200_000) {
    const bytes: Buffer[] = [];
    for (let i = 0; i < buf.length; i++) bytes.push(buf.subarray(i, i + 1));
    assert.deepEqual(parseChunks(bytes), whole, 'byte by byte');
  }
}

test('multibulk requests parse the same at every split point', () => {
  const rng = new Rng(1);
  assertChunkingInvariant(mb('SET', 'key', 'value'), [['SET', 'key', 'value']], rng, { pairs: true });
  assertChunkingInvariant(mb('PING'), [['PING']], rng, { pairs: true });
  assertChunkingInvariant(mb('SET', '', ''), [['SET', '', '']], rng, { pairs: true });
  const binary = '\x00\r\n\xff$*\r\n\n\r';
  assertChunkingInvariant(mb('SET', binary, binary + binary), [['SET', binary, binary + binary]], rng, { pairs: true });
});

test('pipelines mixing multibulk, inline and empty lines', () => {
  const rng = new Rng(2);
  const input =
    mb('SET', 'a', '1') + 'PING\r\n' + '\r\n' + '\n' + mb('GET', 'a') + 'ECHO "hi there"\n' + '   \r\n' + '*0\r\n' + '*-1\r\n' + mb('MGET', 'a', 'b', 'c') + "SET k 'v w'\r\n";
  assertChunkingInvariant(input, [['SET', 'a', '1'], ['PING'], ['GET', 'a'], ['ECHO', 'hi there'], ['MGET', 'a', 'b', 'c'], ['SET', 'k', 'v w']], rng, {
    random: 500,
  });
});

test('inline requests: quotes, escapes, spaces', () => {
  const rng = new Rng(3);
  const cases: Array<[string, string[]]> = [
    ['PING\r\n', ['PING']],
    ['PING\n', ['PING']],
    ['  set   a    b  \r\n', ['set', 'a', 'b']],
    ['SET a "b c"\r\n', ['SET', 'a', 'b c']],
    ['SET a "\\x41\\x42\\n\\r\\t\\b\\a\\\\\\""\r\n', ['SET', 'a', 'AB\n\r\t\b\x07\\"']],
    ['SET a "\\xZZ"\r\n', ['SET', 'a', 'xZZ']],
    ["SET a 'it\\'s'\r\n", ['SET', 'a', "it's"]],
    ["SET a 'no \\n escape'\r\n", ['SET', 'a', 'no \\n escape']],
    ['SET a ""\r\n', ['SET', 'a', '']],
    ["SET a ''\r\n", ['SET', 'a', '']],
    ['SET a\tb\r\n', ['SET', 'a', 'b']],
    ['SET "a"b\r\n', []],
    ['ECHO \xff\x01\r\n', ['ECHO', '\xff\x01']],
  ];
  for (const [line, argv] of cases) {
    if (argv.length === 0) continue;
    assertChunkingInvariant(line, [argv], rng, { pairs: true });
  }
});

test('a NUL before the line end leaves an inline or length line unfinished, as strchr does in Redis', () => {
  for (const input of ['ECHO \x00\xff\r\n', '*1\r\n$\x00\r\n', '*\x001\r\n']) {
    const p = new RequestParser({ maxBulkLen: 512 * 1024 * 1024, authenticated: true });
    p.feed(Buffer.from(input, 'latin1'));
    assert.equal(p.next(), null, JSON.stringify(input));
  }
});

test('big bulks (> 32 KiB) parse the same however chunked', () => {
  const rng = new Rng(4);
  const big = Buffer.alloc(100_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
  const bigS = big.toString('latin1');
  const exact = 'x'.repeat(32 * 1024);
  const input = mb('SET', 'big', bigS) + mb('GET', 'big') + mb('SET', 'exact', exact) + mb('APPEND', 'k', bigS, 'tail') + 'PING\r\n';
  assertChunkingInvariant(input, [['SET', 'big', bigS], ['GET', 'big'], ['SET', 'exact', exact], ['APPEND', 'k', bigS, 'tail'], ['PING']], rng, { random: 100 });
  // split points right around the headers of the big bulk, one by one
  const buf = Buffer.from(input, 'latin1');
  const hdr = input.indexOf('$100000');
  for (let i = hdr - 3; i < hdr + 20; i++) {
    for (const j of [i + 1, i + 2, i + 50_000, buf.length - 10]) {
      assert.deepEqual(parseChunks(splitAt(buf, [i, Math.min(j, buf.length)])).argvs.length, 5, `cuts ${i},${j}`);
    }
  }
});

test('the parser reports pending bytes and mid-request state', () => {
  const p = new RequestParser({ ...LIMITS });
  assert.equal(p.midRequest, false);
  p.feed(Buffer.from('*2\r\n$3\r\nGET\r\n$1'));
  assert.equal(p.next(), null);
  assert.equal(p.midRequest, true);
  p.feed(Buffer.from('\r\nk\r\n'));
  assert.deepEqual(p.next(), ['GET', 'k']);
  assert.equal(p.next(), null);
  assert.equal(p.midRequest, false);
  assert.equal(p.pending, 0);
});

function errorOf(input: string | Buffer, limits = LIMITS, chunk?: number): Outcome {
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  if (!chunk) return parseChunks([buf], limits);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) chunks.push(buf.subarray(i, i + chunk));
  return parseChunks(chunks, limits);
}

test('protocol errors carry the Redis 7.0 texts', () => {
  const cases: Array<[string, string | Buffer, string, typeof LIMITS?]> = [
    ['unbalanced double quote', 'SET a "b\r\n', PROTOCOL_ERR.unbalancedQuotes],
    ['unbalanced single quote', "SET a 'b\r\n", PROTOCOL_ERR.unbalancedQuotes],
    ['closing quote followed by a character', 'SET "a"b c\r\n', PROTOCOL_ERR.unbalancedQuotes],
    ['inline line over 64 KiB without newline', 'A'.repeat(64 * 1024 + 1), PROTOCOL_ERR.bigInline],
    ['multibulk count not a number', '*abc\r\n', PROTOCOL_ERR.invalidMbulkLen],
    ['multibulk count above INT_MAX', '*2147483648\r\n', PROTOCOL_ERR.invalidMbulkLen],
    ['multibulk count with leading zero', '*01\r\n', PROTOCOL_ERR.invalidMbulkLen],
    ['multibulk count with a sign', '*+1\r\n', PROTOCOL_ERR.invalidMbulkLen],
    ['multibulk count line over 64 KiB', '*' + '1'.repeat(70 * 1024), PROTOCOL_ERR.bigMbulkCount],
    ['bulk expected, got an integer', '*1\r\n:1\r\n', PROTOCOL_ERR.expectedDollar(':')],
    ['bulk expected, got a letter', '*2\r\n$3\r\nGET\r\nk\r\n', PROTOCOL_ERR.expectedDollar('k')],
    ['bulk length negative', '*1\r\n$-1\r\n', PROTOCOL_ERR.invalidBulkLen],
    ['bulk length not a number', '*1\r\n$abc\r\n', PROTOCOL_ERR.invalidBulkLen],
    ['bulk length empty', '*1\r\n$\r\n', PROTOCOL_ERR.invalidBulkLen],
    ['bulk length above proto-max-bulk-len', '*1\r\n$536870913\r\n', PROTOCOL_ERR.invalidBulkLen],
    ['bulk length huge', '*1\r\n$99999999999999999999\r\n', PROTOCOL_ERR.invalidBulkLen],
    ['bulk length line over 64 KiB', '*1\r\n$' + '1'.repeat(70 * 1024), PROTOCOL_ERR.bigBulkCount],
    ['unauthenticated: more than 10 arguments', mb(...Array(11).fill('a')), PROTOCOL_ERR.invalidMbulkLen, { ...LIMITS, authenticated: false }],
    ['unauthenticated: bulk over 16 KiB', '*1\r\n$16385\r\n', PROTOCOL_ERR.invalidBulkLen, { ...LIMITS, authenticated: false }],
    ['custom proto-max-bulk-len', '*1\r\n$101\r\n', PROTOCOL_ERR.invalidBulkLen, { ...LIMITS, maxBulkLen: 100 }],
  ];
  for (const [name, input, text, limits] of cases) {
    for (const chunk of [undefined, 1, 7, 4096]) {
      const r = errorOf(input, limits ?? LIMITS, chunk);
      assert.equal(r.error, text, `${name} (chunk ${chunk ?? 'whole'})`);
      assert.ok(text.startsWith('ERR Protocol error: '), name);
    }
  }
});

test('requests before an error are still returned; limits that are fine do not error', () => {
  const r = errorOf('PING\r\n' + mb('SET', 'a', 'b') + '*1\r\n$x\r\n');
  assert.deepEqual(r, { argvs: [['PING'], ['SET', 'a', 'b']], error: PROTOCOL_ERR.invalidBulkLen });
  // exactly 10 arguments / 16 KiB bulk are allowed before AUTH
  const unauth = { ...LIMITS, authenticated: false };
  assert.deepEqual(errorOf(mb(...Array(10).fill('a')), unauth), { argvs: [Array(10).fill('a')] });
  const s = 'z'.repeat(16384);
  assert.deepEqual(errorOf(mb(s), unauth), { argvs: [[s]] });
  // a 64 KiB inline line with its newline is fine
  const line = 'ECHO ' + 'q'.repeat(60 * 1024);
  assert.deepEqual(errorOf(line + '\r\n'), { argvs: [['ECHO', 'q'.repeat(60 * 1024)]] });
  // an incomplete request is not an error
  assert.deepEqual(errorOf('*3\r\n$3\r\nSET\r\n$1\r\na'), { argvs: [] });
  assert.deepEqual(errorOf('*1\r\n$536870912\r\n'), { argvs: [] });
});

test('splitArgs matches sdssplitargs', () => {
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs('   '), []);
  assert.deepEqual(splitArgs('a b  c'), ['a', 'b', 'c']);
  assert.deepEqual(splitArgs('"a b" c'), ['a b', 'c']);
  assert.deepEqual(splitArgs('"\\x4a\\x4B"'), ['JK']);
  assert.deepEqual(splitArgs('"unterminated'), null);
  assert.deepEqual(splitArgs("'unterminated"), null);
  assert.deepEqual(splitArgs('"a"b'), null);
  assert.deepEqual(splitArgs("'a'b"), null);
  assert.deepEqual(splitArgs('"a" "b"'), ['a', 'b']);
  assert.deepEqual(splitArgs('a"b"'), ['ab']); // a quote inside a token opens quote mode, as in sdssplitargs
});

test('random pipelines of random requests survive random chunking', () => {
  const rng = new Rng(5);
  for (let round = 0; round < 40; round++) {
    const expected: string[][] = [];
    let input = '';
    const n = rng.range(1, 30);
    for (let i = 0; i < n; i++) {
      if (rng.chance(0.3)) {
        const argv = Array.from({ length: rng.range(1, 5) }, () => Array.from({ length: rng.range(1, 8) }, () => String.fromCharCode(rng.range(0x21, 0x7e)).replace(/["'\\*]/g, 'x')).join(''));
        input += argv.join(' '.repeat(rng.range(1, 3))) + (rng.chance(0.5) ? '\r\n' : '\n');
        expected.push(argv);
      } else {
        const argv = Array.from({ length: rng.range(1, 6) }, () => String.fromCharCode(...Array.from({ length: rng.weighted([[rng.range(0, 20), 10], [rng.range(30000, 40000), 1]] as const) }, () => rng.int(256))));
        input += mb(...argv);
        expected.push(argv);
      }
    }
    const buf = Buffer.from(input, 'latin1');
    for (let k = 0; k < 20; k++) {
      const cuts = Array.from({ length: rng.range(0, 40) }, () => rng.int(buf.length + 1));
      assert.deepEqual(parseChunks(splitAt(buf, cuts)), { argvs: expected }, `round ${round} cuts ${cuts.join(',')}`);
    }
  }
});
