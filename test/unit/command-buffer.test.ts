/**
 * CommandBuffer must give the bytes encodeCommand's text gives, and a view
 * handed out by take() must never change afterwards, across chunk changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandBuffer } from '../../src/protocol/command-buffer.js';
import { encodeCommand } from '../../src/protocol/encode-command.js';
import { Rng } from '../differential/generator.js';

test('CommandBuffer: same bytes as encodeCommand; taken views stay intact across chunks', () => {
  const rng = new Rng(7);
  const cb = new CommandBuffer();
  const taken: Array<[Buffer, string]> = [];
  let expect = '';
  for (let i = 0; i < 4000; i++) {
    const argv: string[] = [];
    const n = 1 + rng.int(6);
    for (let j = 0; j < n; j++) {
      // Short and long arguments (the two copy paths), the odd multi-chunk one, every byte value.
      const len = rng.int(10) === 0 ? rng.int(200000) : rng.int(40);
      let s = '';
      for (let k = 0; k < len; k++) s += String.fromCharCode(rng.int(256));
      argv.push(s);
    }
    const text = encodeCommand(argv);
    assert.equal(cb.command(argv), text.length);
    expect += text;
    if (rng.int(5) === 0) {
      assert.equal(cb.length, expect.length);
      const v = cb.take();
      taken.push([v, expect]);
      expect = '';
    }
  }
  taken.push([cb.take(), expect]);
  assert.equal(cb.length, 0);
  for (const [v, text] of taken) assert.ok(v.equals(Buffer.from(text, 'latin1')));
});
