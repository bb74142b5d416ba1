/**
 * Randomized differential test: a few thousand seeded random commands over a
 * small key space, sent to Redis 7.0 and to Reddish, every reply compared
 * byte for byte (TTL-like positives normalized), in RESP2 and RESP3; then the
 * whole dataset is compared.
 *
 * Reproduce a failure with the seed it prints:  REDDISH_SEED=<seed> node scripts/run-tests.mjs random
 * Size: REDDISH_RANDOM_N (commands per protocol pass, default 4000).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, runScripts, formatDivergences, show, type Pair, type Divergence } from './harness.js';
import { ALL_FAMILIES, KEYS, chooseSeed, generate, normalizeReply, type Family } from './generator.js';
import { RawClient } from '../support/raw-client.js';
import type { RespValue } from '../../src/protocol/resp-value.js';

/**
 * The command mix. Every family here must match Redis exactly; a family may be
 * dropped only with a comment saying why (and the lead told).
 */
const ENABLED_FAMILIES: string[] = process.env.REDDISH_FAMILIES ? process.env.REDDISH_FAMILIES.split(',') : [
  'strings',
  'counters',
  'incrbyfloat',
  'keys',
  'rename-copy',
  'expire',
  'bitmaps',
  'bitfield',
  'errors',
  'bitmap-errors',
];

const N = Number(process.env.REDDISH_RANDOM_N ?? 4000);

let pair: Pair;
before(async () => {
  // Active expiry off on both sides: `SET k v EXAT <past>` leaves a logically
  // expired key that DBSIZE counts until a cron cycle reaps it, and the two
  // servers' cycles run at different moments. With only lazy expiry, DBSIZE
  // is deterministic, and it checks that Reddish expires on access as Redis does.
  pair = await startPair(['--enable-debug-command', 'local']);
  for (const c of [pair.redisClient, pair.reddishClient]) assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), '+OK\r\n');
});
after(async () => {
  await pair?.stop();
});

async function query(c: RawClient, ...args: string[]): Promise<{ raw: string; value: RespValue }> {
  c.write(RawClient.encode(args));
  return c.readReply();
}

function strings(v: RespValue): string[] {
  if ((v.type === 'array' || v.type === 'set') && v.value) return v.value.map((x) => (x.type === 'bulk' ? x.value : JSON.stringify(x)));
  throw new Error(`expected an array, got ${JSON.stringify(v)}`);
}

/** Compares DBSIZE, KEYS, and TYPE/GET/TTL of every key in dbs 0 and 1; returns differences as text. */
async function compareDatasets(p: Pair): Promise<string[]> {
  const diffs: string[] = [];
  for (const db of ['0', '1']) {
    for (const c of [p.redisClient, p.reddishClient]) await c.call('SELECT', db);
    const sizes = await Promise.all([p.redisClient.call('DBSIZE'), p.reddishClient.call('DBSIZE')]);
    if (sizes[0] !== sizes[1]) diffs.push(`db${db} DBSIZE: redis ${show(sizes[0])} reddish ${show(sizes[1])}`);
    const [ka, kb] = await Promise.all([query(p.redisClient, 'KEYS', '*'), query(p.reddishClient, 'KEYS', '*')]);
    // If one side cannot answer KEYS, that is a difference; keep going over the generator's key space.
    const keysA = ka.value.type === 'error' ? (diffs.push(`db${db} KEYS *: redis ${show(ka.raw)}`), []) : strings(ka.value).sort();
    const keysB = kb.value.type === 'error' ? (diffs.push(`db${db} KEYS *: reddish ${show(kb.raw)}`), []) : strings(kb.value).sort();
    if (JSON.stringify(keysA) !== JSON.stringify(keysB)) diffs.push(`db${db} KEYS *: redis ${JSON.stringify(keysA)} reddish ${JSON.stringify(keysB)}`);
    for (const k of new Set([...keysA, ...keysB, ...KEYS])) {
      for (const cmd of [['TYPE', k], ['GET', k], ['TTL', k], ['STRLEN', k]]) {
        const [a, b] = await Promise.all([p.redisClient.call(...cmd), p.reddishClient.call(...cmd)]);
        if (normalizeReply(a, cmd) !== normalizeReply(b, cmd)) diffs.push(`db${db} ${JSON.stringify(cmd)}: redis ${show(a)} reddish ${show(b)}`);
      }
    }
  }
  for (const c of [p.redisClient, p.reddishClient]) await c.call('SELECT', '0');
  return diffs;
}

/** The commands before a divergence that touched any of its keys: what you need to reproduce it. */
function context(script: string[][], d: Divergence, max = 12): string {
  const i = script.indexOf(d.command);
  if (i < 0) return '';
  const keys = new Set(d.command.slice(1));
  const lines: string[] = [];
  for (let j = i - 1; j >= 0 && lines.length < max; j--) {
    if (script[j].slice(1).some((a) => keys.has(a))) lines.unshift(`   #${j} ${JSON.stringify(script[j])}`);
  }
  return `  (command #${i}; earlier commands on the same keys:)\n${lines.join('\n')}`;
}

test('random command mix matches Redis 7.0 (RESP2 and RESP3), then identical datasets', async (t) => {
  const seed = chooseSeed();
  const families: Family[] = ENABLED_FAMILIES.map((n) => {
    const f = ALL_FAMILIES[n];
    if (!f) throw new Error(`unknown family ${n}`);
    return f;
  });
  t.diagnostic(`seed ${seed} (rerun with REDDISH_SEED=${seed}); families: ${ENABLED_FAMILIES.join(', ')}; ${N} commands per protocol`);
  const problems: string[] = [];
  for (const resp of [2, 3] as const) {
    const script = generate(seed, N, families);
    const name = `seed=${seed}`;
    const d = await runScripts(pair, { [name]: script }, { resp: [resp], normalize: normalizeReply });
    if (d.length > 0) {
      problems.push(`RESP${resp}: ${d.length} divergences; first ones:\n${formatDivergences(d, 10)}\n${d.slice(0, 4).map((x) => `${JSON.stringify(x.command)}\n${context(script, x)}`).join('\n')}`);
    }
    const ds = await compareDatasets(pair);
    if (ds.length > 0) problems.push(`RESP${resp} final dataset differs:\n  ${ds.slice(0, 20).join('\n  ')}`);
  }
  assert.equal(problems.length, 0, `REDDISH_SEED=${seed}\n${problems.join('\n')}`);
});
