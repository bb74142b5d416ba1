/**
 * Randomized stream differential: a few thousand seeded stream commands
 * (stream-generator.ts) over a few keys, groups and consumers, sent to Redis
 * 7.0 and to Reddish, every reply compared byte for byte (time-like values
 * masked), in RESP2 and RESP3; after each pass the final state of every key
 * (XINFO STREAM, STREAM FULL, GROUPS, CONSUMERS, XPENDING) is compared.
 *
 * Reproduce with the printed seed:  REDDISH_SEED=<seed> node scripts/run-tests.mjs streams-random
 * Size: REDDISH_STREAM_RANDOM_N (commands per protocol pass, default 3000).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runScripts, formatDivergences, show, type Pair, type Divergence } from './harness.js';
import { chooseSeed } from './generator.js';
import { compareNow, generateStreamScript, normalizeStreamReply, stateCommands, streamPair } from './stream-generator.js';

const N = Number(process.env.REDDISH_STREAM_RANDOM_N ?? 3000);

let pair: Pair;
before(async () => {
  pair = await streamPair();
});
after(async () => {
  await pair?.stop();
});

/** The commands before a divergence that named its key: what reproducing it needs. */
function context(script: string[][], d: Divergence, max = 15): string {
  const i = script.indexOf(d.command);
  if (i < 0) return '';
  const keys = new Set(d.command.slice(1));
  const lines: string[] = [];
  for (let j = i - 1; j >= 0 && lines.length < max; j--) {
    if (script[j].slice(1).some((a) => keys.has(a)) || script[j][0] === 'CONFIG') lines.unshift(`   #${j} ${JSON.stringify(script[j])}`);
  }
  return `  (command #${i}; earlier commands on the same keys:)\n${lines.join('\n')}`;
}

test('random stream command mix matches Redis 7.0 (RESP2 and RESP3), then identical final state', async (t) => {
  const seed = chooseSeed();
  t.diagnostic(`seed ${seed} (rerun with REDDISH_SEED=${seed}); ${N} commands per protocol`);
  const problems: string[] = [];
  for (const resp of [2, 3] as const) {
    const script = generateStreamScript(seed, N);
    const d = await runScripts(pair, { [`seed=${seed}`]: script }, { resp: [resp], normalize: normalizeStreamReply });
    if (d.length > 0) {
      problems.push(`RESP${resp}: ${d.length} divergences; first ones:\n${formatDivergences(d, 8)}\n${d.slice(0, 3).map((x) => `${JSON.stringify(x.command)}\n${context(script, x)}`).join('\n')}`);
    }
    const state = await compareNow(pair, stateCommands());
    if (state.length > 0) {
      problems.push(`RESP${resp} final state differs:\n  ${state.slice(0, 10).map((x) => `${JSON.stringify(x.command)}\n     redis:   ${show(x.redis)}\n     reddish: ${show(x.reddish)}`).join('\n  ')}`);
    }
  }
  assert.equal(problems.length, 0, `REDDISH_SEED=${seed}\n${problems.join('\n')}`);
});
