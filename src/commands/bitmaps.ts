/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const BITMAP_COMMANDS: CommandDef[] = [];
