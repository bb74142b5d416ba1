/**
 * Every error text Reddish sends, in Redis 7.0's exact words (server.c
 * createSharedObjects and the addReplyError* calls spread over the source).
 * Texts here omit the leading '-' and the trailing CRLF; the reply writer adds them.
 * Messages that carry arguments are functions.
 */

export const ERR = {
  // shared.* in server.c
  syntax: 'ERR syntax error',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  noKey: 'ERR no such key',
  outOfRange: 'ERR index out of range',
  noAuth: 'NOAUTH Authentication required.',
  misconf: "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.",
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  noPasswordSet:
    'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
  selectDbRange: 'ERR DB index is out of range',
  sameObject: 'ERR source and destination objects are the same',
  overflow: 'ERR increment or decrement would overflow',
  nanOrInf: 'ERR increment would produce NaN or Infinity',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  invalidExpire: (cmd: string) => `ERR invalid expire time in '${cmd}' command`,
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  timeoutNotFloat: 'ERR timeout is not a float or out of range',
  noScript: 'NOSCRIPT No matching script. Please use EVAL.',
  execAbort: 'EXECABORT Transaction discarded because of previous errors.',
  loading: 'LOADING Redis is loading the dataset in memory',
  readOnly: "READONLY You can't write against a read only replica.",
  /** disconnectAllBlockedClients: to every blocked client (keys, WAIT) of a master turning replica. */
  unblockedRoleChange: 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  multiNested: 'ERR MULTI calls can not be nested',
  execWithoutMulti: 'ERR EXEC without MULTI',
  discardWithoutMulti: 'ERR DISCARD without MULTI',
  watchInMulti: 'ERR WATCH inside MULTI is not allowed',
  unknownCommand: (name: string, args: string[]) => {
    let list = '';
    for (const a of args) {
      if (list.length >= 128) break;
      list += `'${a.slice(0, 128 - list.length)}' `;
    }
    return `ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${list}`;
  },
  unknownSubcommand: (sub: string, cmd: string) =>
    `ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${cmd.toUpperCase()} HELP.`,
  wrongArity: (fullname: string) => `ERR wrong number of arguments for '${fullname}' command`,
  protoVersion: 'NOPROTO unsupported protocol version',
} as const;

/** Request-level protocol errors (networking.c); the connection is closed after sending one. */
export const PROTOCOL_ERR = {
  bigInline: 'ERR Protocol error: too big inline request',
  unbalancedQuotes: 'ERR Protocol error: unbalanced quotes in request',
  bigMbulkCount: 'ERR Protocol error: too big mbulk count string',
  invalidMbulkLen: 'ERR Protocol error: invalid multibulk length',
  bigBulkCount: 'ERR Protocol error: too big bulk count string',
  expectedDollar: (got: string) => `ERR Protocol error: expected '$', got '${got}'`,
  invalidBulkLen: 'ERR Protocol error: invalid bulk length',
} as const;
