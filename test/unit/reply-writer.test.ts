/**
 * ReplyWriter writes integers digit by digit into its buffer; these check
 * the bytes against String() for the shapes that take special paths: stream
 * IDs (bulkIntPair keeps the digits of the last time it wrote, shared by
 * every writer) and integers past int32.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyWriter } from '../../src/protocol/reply-writer.js';

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

test('bulkIntPair: stream IDs, the time repeated, changed, and alternating between writers', () => {
  const a = new ReplyWriter();
  const b = new ReplyWriter();
  const ids: Array<[number, number]> = [
    [1700000000000, 0], [1700000000000, 1], [1700000000000, 99], [1700000000001, 0],
    [0, 0], [5, 123456789], [2 ** 31 - 1, 2 ** 31], [2 ** 53 - 1, 2 ** 53 - 1], [1700000000001, 7],
    [99999999, 100000000], [100000000, 99999999],
  ];
  let expectA = '';
  let expectB = '';
  ids.forEach(([ms, seq], i) => {
    const w = i % 2 === 0 ? a : b;
    w.bulkIntPair(ms, seq);
    if (i % 2 === 0) expectA += bulk(`${ms}-${seq}`);
    else expectB += bulk(`${ms}-${seq}`);
  });
  assert.equal(a.take(), expectA);
  assert.equal(b.take(), expectB);
});

test('int: small, negative, past int32 and past 1e15', () => {
  const w = new ReplyWriter();
  const ns = [0, 7, 10, 2 ** 31 - 1, 2 ** 31, 1e15 - 1, 1e15, -1, -(2 ** 40), 2 ** 53 - 1];
  for (const n of ns) w.int(n);
  assert.equal(w.take(), ns.map((n) => `:${n}\r\n`).join(''));
});
