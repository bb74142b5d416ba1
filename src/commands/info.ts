/**
 * INFO [section ...]: the text is built by observe/info.ts; RESP3 clients get
 * it as a verbatim string, as Redis sends it.
 */
import type { CommandContext, CommandDef } from '../dispatch/command-spec.js';
import { genInfo } from '../observe/info.js';

function info(ctx: CommandContext): void {
  ctx.reply.verbatim(genInfo(ctx.server, ctx.argv.slice(1)));
}

export const INFO_COMMANDS: CommandDef[] = [{ name: 'info', handler: info }];
