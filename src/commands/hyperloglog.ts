/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const HLL_COMMANDS: CommandDef[] = [];
