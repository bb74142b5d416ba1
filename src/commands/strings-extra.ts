/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const STRING_EXTRA_COMMANDS: CommandDef[] = [];
