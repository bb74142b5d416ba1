/**
 * The AOF's spelling of data: commands as RESP multibulk (catAppendOnlyGenericCommand),
 * and the command form of a whole dataset that an AOF rewrite writes when
 * aof-use-rdb-preamble is no (rewriteAppendOnlyFileRio): FUNCTION LOAD per
 * function library, then SELECT per db, SET, RPUSH/SADD/ZADD/HMSET in batches
 * of 64 items, streams as their XADD/XSETID/XGROUP/XCLAIM sequence
 * (persist/rdb/stream-codec.ts), PEXPIREAT for TTLs.
 */
import type { Value } from '../../keyspace/value.js';
import { Bytes } from '../../datatypes/bytes.js';
import type { List } from '../../datatypes/list.js';
import type { SetValue } from '../../datatypes/set.js';
import type { RedisHash } from '../../datatypes/hash.js';
import type { SortedSet } from '../../datatypes/sorted-set.js';
import { formatG17 } from '../../util/numbers.js';
import type { RdbOutput } from '../rdb/rdb-output.js';
import type { SnapshotFormat } from '../snapshot.js';
import { encodeCommand } from '../../protocol/encode-command.js';
import type { Stream } from '../../datatypes/stream.js';
import { streamAsCommands } from '../rdb/stream-codec.js';

/** AOF_REWRITE_ITEMS_PER_CMD */
const ITEMS_PER_CMD = 64;


function emit(out: RdbOutput, argv: readonly string[]): void {
  out.raw(Buffer.from(encodeCommand(argv), 'latin1'));
}

/** Writes `items` as `cmd key item...` commands of at most 64 items each (pairs count as items for HMSET/ZADD). */
function batched(out: RdbOutput, cmd: string, key: string, items: Iterable<string>, perItem: number): void {
  let argv: string[] = [cmd, key];
  for (const it of items) {
    argv.push(it);
    if (argv.length - 2 === ITEMS_PER_CMD * perItem) {
      emit(out, argv);
      argv = [cmd, key];
    }
  }
  if (argv.length > 2) emit(out, argv);
}

function* zsetItems(z: SortedSet): IterableIterator<string> {
  for (let n = z.zsl.first; n !== null; n = n.next[0]) {
    yield formatG17(n.score);
    yield n.member;
  }
}

function* hashItems(h: RedisHash): IterableIterator<string> {
  for (const [f, v] of h.map) {
    yield f;
    yield v;
  }
}

/** rewriteAppendOnlyFileRio's per-key commands. */
export function writeKeyAsCommands(out: RdbOutput, key: string, value: Value, expire: number | undefined): void {
  if (typeof value === 'string') emit(out, ['SET', key, value]);
  else if (value instanceof Bytes) emit(out, ['SET', key, value.toString()]);
  else {
    switch (value.kind) {
      case 'list':
        batched(out, 'RPUSH', key, (value as List).toArray(), 1);
        break;
      case 'set':
        batched(out, 'SADD', key, value as SetValue, 1);
        break;
      case 'zset':
        batched(out, 'ZADD', key, zsetItems(value as SortedSet), 2);
        break;
      case 'hash':
        batched(out, 'HMSET', key, hashItems(value as RedisHash), 2);
        break;
      case 'stream':
        for (const argv of streamAsCommands(key, value as Stream)) emit(out, argv);
        break;
      default:
        throw new Error(`cannot rewrite a value of kind ${value.kind}`);
    }
  }
  if (expire !== undefined) emit(out, ['PEXPIREAT', key, String(expire)]);
}

export const aofCommandFormat: SnapshotFormat = {
  checksummed: false,
  header() {},
  // rewriteFunctions: a FUNCTION LOAD per library, before the first SELECT.
  libraries(out, codes) {
    for (const code of codes) emit(out, ['FUNCTION', 'LOAD', code]);
  },
  beginDb(out, id) {
    emit(out, ['SELECT', String(id)]);
  },
  record(out, key, value, expire) {
    writeKeyAsCommands(out, key, value, expire);
  },
  trailer() {},
};
