/** (being written) */
import type { CommandDef } from '../dispatch/command-spec.js';

export const PUBSUB_COMMANDS: CommandDef[] = [];
