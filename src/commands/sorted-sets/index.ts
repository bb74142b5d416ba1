/** (being written) */
import type { CommandDef } from '../../dispatch/command-spec.js';

export const ZSET_COMMANDS: CommandDef[] = [];
