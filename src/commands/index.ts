/**
 * Every command family's definitions, gathered for the command table. A new
 * family is one import and one spread here.
 */
import type { CommandDef } from '../dispatch/command-spec.js';
import { STRING_COMMANDS } from './strings.js';
import { STRING_EXTRA_COMMANDS } from './strings-extra.js';
import { BITMAP_COMMANDS } from './bitmaps.js';
import { KEY_COMMANDS } from './keys.js';
import { KEY_EXTRA_COMMANDS } from './keys-extra.js';
import { SORT_COMMANDS } from './sort.js';
import { CONNECTION_COMMANDS } from './connection.js';
import { SERVER_COMMANDS } from './server.js';
import { TRANSACTION_COMMANDS } from './transactions.js';
import { COMMAND_COMMANDS } from './command.js';
import { INFO_COMMANDS } from './info.js';
import { CLIENT_COMMANDS } from './client.js';
import { INTROSPECTION_COMMANDS } from './introspection.js';
import { DEBUG_COMMANDS } from './debug.js';
import { CONFIG_COMMANDS } from './config.js';
import { HASH_COMMANDS } from './hashes.js';
import { LIST_COMMANDS } from './lists.js';
import { SET_COMMANDS } from './sets.js';
import { ZSET_COMMANDS } from './sorted-sets/index.js';
import { PUBSUB_COMMANDS } from './pubsub.js';
import { HLL_COMMANDS } from './hyperloglog.js';
import { GEO_COMMANDS } from './geo.js';
import { DUMP_RESTORE_COMMANDS } from './dump-restore.js';
import { MIGRATE_COMMANDS } from './migrate.js';
import { REPLICATION_COMMANDS } from './replication.js';
import { SCRIPTING_COMMANDS } from './scripting.js';
import { CLUSTER_COMMANDS } from './cluster.js';
import { STREAM_COMMANDS } from './streams.js';
import { FUNCTION_COMMANDS } from './functions.js';

export const ALL_COMMANDS: readonly CommandDef[] = [
  ...STRING_COMMANDS,
  ...STRING_EXTRA_COMMANDS,
  ...BITMAP_COMMANDS,
  ...KEY_COMMANDS,
  ...KEY_EXTRA_COMMANDS,
  ...SORT_COMMANDS,
  ...CONNECTION_COMMANDS,
  ...SERVER_COMMANDS,
  ...REPLICATION_COMMANDS,
  ...TRANSACTION_COMMANDS,
  ...COMMAND_COMMANDS,
  ...INFO_COMMANDS,
  ...CLIENT_COMMANDS,
  ...INTROSPECTION_COMMANDS,
  ...DEBUG_COMMANDS,
  ...CONFIG_COMMANDS,
  ...HASH_COMMANDS,
  ...LIST_COMMANDS,
  ...SET_COMMANDS,
  ...ZSET_COMMANDS,
  ...PUBSUB_COMMANDS,
  ...HLL_COMMANDS,
  ...GEO_COMMANDS,
  ...DUMP_RESTORE_COMMANDS,
  ...MIGRATE_COMMANDS,
  ...SCRIPTING_COMMANDS,
  ...CLUSTER_COMMANDS,
  ...STREAM_COMMANDS,
  ...FUNCTION_COMMANDS,
];
