/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const LIST_COMMANDS: CommandDef[] = [];
