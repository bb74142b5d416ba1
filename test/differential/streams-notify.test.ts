/**
 * Keyspace notifications of stream commands, compared byte for byte with
 * Redis 7.0 under several notify-keyspace-events settings, with the
 * subscriber in RESP2 and in RESP3.
 *
 * Per server: a subscriber S (PSUBSCRIBE __key*__:*, SUBSCRIBE mark) and a
 * publisher P. After each command P publishes a numbered marker on `mark`;
 * everything S received up to that marker is the command's transcript,
 * together with P's reply.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { show, type Pair } from './harness.js';
import { normalizeStreamReply, streamPair } from './stream-generator.js';
import { RawClient } from '../support/raw-client.js';
import type { RespValue } from '../../src/protocol/resp-value.js';

let pair: Pair;
before(async () => {
  pair = await streamPair();
});
after(async () => {
  await pair?.stop();
});

/** Is this S's copy of the marker numbered `n`? */
function isMarker(v: RespValue, n: string): boolean {
  if ((v.type !== 'array' && v.type !== 'push') || v.value === null || v.value.length !== 3) return false;
  const [kind, channel, payload] = v.value;
  return kind.type === 'bulk' && kind.value === 'message' && channel.type === 'bulk' && channel.value === 'mark' && payload.type === 'bulk' && payload.value === n;
}

async function transcript(port: number, resp: '2' | '3', flags: string, cmds: string[][]): Promise<string[]> {
  const s = await RawClient.connect(port);
  const p = await RawClient.connect(port);
  try {
    await s.call('HELLO', resp);
    await p.call('HELLO', resp);
    await p.call('FLUSHALL');
    await p.call('CONFIG', 'SET', 'notify-keyspace-events', flags);
    s.write(RawClient.encode(['PSUBSCRIBE', '__key*__:*']));
    await s.readReply();
    s.write(RawClient.encode(['SUBSCRIBE', 'mark']));
    await s.readReply();
    const out: string[] = [];
    for (let i = 0; i < cmds.length; i++) {
      const reply = normalizeStreamReply(await p.call(...cmds[i]), cmds[i]);
      await p.call('PUBLISH', 'mark', String(i));
      const events: string[] = [];
      for (;;) {
        const r = await s.readReply(3000);
        if (isMarker(r.value, String(i))) break;
        events.push(r.raw);
      }
      out.push(`${reply} | ${events.join('')}`);
    }
    return out;
  } finally {
    await p.call('CONFIG', 'SET', 'notify-keyspace-events', '').catch(() => undefined);
    s.close();
    p.close();
  }
}

const SCRIPT: string[][] = [
  ['XADD', 's', '1-0', 'f', 'v'], ['XADD', 's', '2-0', 'f', 'v'], ['XADD', 's', '1-0', 'f', 'v'], ['XADD', 'n', 'NOMKSTREAM', '1-0', 'f', 'v'],
  ['XADD', 's', 'MAXLEN', '1', '3-0', 'f', 'v'], ['XADD', 's', 'MAXLEN', '5', '4-0', 'f', 'v'], ['XADD', 's', 'MINID', '4', '5-0', 'f', 'v'],
  ['XTRIM', 's', 'MAXLEN', '10'], ['XTRIM', 's', 'MAXLEN', '1'], ['XTRIM', 'nokey', 'MAXLEN', '0'], ['XDEL', 's', '1-0'], ['XDEL', 's', '5-0'],
  ['XADD', 's', '6-0', 'f', 'v'], ['XSETID', 's', '9-0'], ['XSETID', 's', '1-0'], ['XSETID', 's', '9-0', 'ENTRIESADDED', '20', 'MAXDELETEDID', '8-0'],
  ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 'm', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', 'x', 'g', '$'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c3', 'NOACK', 'STREAMS', 's', '0'], ['XACK', 's', 'g', '6-0'],
  ['XADD', 's', '10-0', 'f', 'v'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'], ['XCLAIM', 's', 'g', 'c4', '0', '10-0'],
  ['XCLAIM', 's', 'g', 'c4', '0', '10-0', 'JUSTID'], ['XAUTOCLAIM', 's', 'g', 'c5', '0', '0'], ['XDEL', 's', '10-0'], ['XAUTOCLAIM', 's', 'g', 'c1', '0', '0'],
  ['XGROUP', 'SETID', 's', 'g', '$'], ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '0'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'c5'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'nobody'], ['XGROUP', 'DESTROY', 's', 'g'], ['XGROUP', 'DESTROY', 's', 'g'], ['XINFO', 'STREAM', 's'],
  ['XRANGE', 'nokey', '-', '+'], ['XREAD', 'STREAMS', 'nokey', '0'], ['XLEN', 'nokey'], ['RENAME', 's', 't'], ['COPY', 't', 's'], ['EXPIRE', 's', '1000'],
  ['XTRIM', 's', 'MAXLEN', '0'], ['EXISTS', 's'], ['DEL', 's', 't', 'm'],
];

for (const flags of ['KEA', 'Kt', 'Et', 'Eg', 'KEgt', 'Em']) {
  test(`stream keyspace notifications with notify-keyspace-events ${flags}`, async () => {
    const problems: string[] = [];
    for (const resp of ['2', '3'] as const) {
      const a = await transcript(pair.redis.port, resp, flags, SCRIPT);
      const b = await transcript(pair.reddish.port, resp, flags, SCRIPT);
      for (let i = 0; i < SCRIPT.length; i++) {
        if (a[i] !== b[i]) problems.push(`[RESP${resp}] ${JSON.stringify(SCRIPT[i])}\n   redis:   ${show(a[i])}\n   reddish: ${show(b[i])}`);
      }
    }
    assert.equal(problems.length, 0, problems.slice(0, 15).join('\n'));
  });
}
