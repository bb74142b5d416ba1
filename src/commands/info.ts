/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const INFO_COMMANDS: CommandDef[] = [];
