/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const SORT_COMMANDS: CommandDef[] = [];
