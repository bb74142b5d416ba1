/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const CONFIG_COMMANDS: CommandDef[] = [];
