/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const DEBUG_COMMANDS: CommandDef[] = [];
