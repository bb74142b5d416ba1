/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const HASH_COMMANDS: CommandDef[] = [];
