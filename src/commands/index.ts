/**
 * Every command family's definitions, gathered for the command table. A new
 * family is one import and one spread here.
 */
import type { CommandDef } from '../dispatch/command-spec.js';
import { STRING_COMMANDS } from './strings.js';
import { KEY_COMMANDS } from './keys.js';
import { CONNECTION_COMMANDS } from './connection.js';
import { SERVER_COMMANDS } from './server.js';
import { TRANSACTION_COMMANDS } from './transactions.js';
import { COMMAND_COMMANDS } from './command.js';

export const ALL_COMMANDS: readonly CommandDef[] = [
  ...STRING_COMMANDS,
  ...KEY_COMMANDS,
  ...CONNECTION_COMMANDS,
  ...SERVER_COMMANDS,
  ...TRANSACTION_COMMANDS,
  ...COMMAND_COMMANDS,
];
