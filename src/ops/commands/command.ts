/** What every `reddish` subcommand declares: its name, one-line summary, options, and the run function (→ exit code). */
import type { OptionSpec, Parsed } from '../cli-args.js';

export interface OpsCommand {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  run(args: Parsed): Promise<number>;
}

/** Exit codes scripts can rely on. */
export const EXIT_OK = 0;
/** The check ran and found a problem (unhealthy node, failed replication test...). */
export const EXIT_FAILED = 1;
/** Bad command line. */
export const EXIT_USAGE = 2;
/** The deployment could not be reached at all. */
export const EXIT_UNREACHABLE = 3;
