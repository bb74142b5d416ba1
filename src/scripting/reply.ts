/**
 * The values a script exchanges with the server: what `redis.call` gets back
 * from a command and what a script returns to its caller. A plain tagged union
 * so the scripting engine stays independent of the reply writer. Strings are
 * latin1 (one char per byte).
 */
export type Reply =
  | { type: 'status'; value: string }
  | { type: 'error'; value: string }
  /** bigint only when the value is outside the safe-integer range (e.g. a Lua number that overflowed int64). */
  | { type: 'integer'; value: number | bigint }
  | { type: 'bulk'; value: string }
  | { type: 'nullbulk' }
  | { type: 'array'; value: Reply[] | null }
  | { type: 'map'; value: Array<[Reply, Reply]> }
  | { type: 'set'; value: Reply[] }
  | { type: 'double'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'bignum'; value: string }
  | { type: 'verbatim'; format: string; value: string };

export type RespVersion = 2 | 3;

export const NULL_BULK: Reply = { type: 'nullbulk' };
