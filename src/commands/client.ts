/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const CLIENT_COMMANDS: CommandDef[] = [];
