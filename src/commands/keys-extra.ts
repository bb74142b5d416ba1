/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const KEY_EXTRA_COMMANDS: CommandDef[] = [];
