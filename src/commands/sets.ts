/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const SET_COMMANDS: CommandDef[] = [];
