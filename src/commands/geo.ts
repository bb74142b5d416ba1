/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const GEO_COMMANDS: CommandDef[] = [];
