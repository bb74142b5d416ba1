/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const INTROSPECTION_COMMANDS: CommandDef[] = [];
