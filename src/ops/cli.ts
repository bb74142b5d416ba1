/**
 * The `reddish` command-line tool: one subcommand per operation, each with
 * --help and exit codes scripts can rely on (0 ok, 1 check failed, 2 usage,
 * 3 unreachable).
 */
import { helpText, parseArgs, UsageError } from './cli-args.js';
import { EXIT_USAGE, type OpsCommand } from './commands/command.js';
import { up, down } from './commands/up.js';
import { status, lag } from './commands/status.js';
import { health } from './commands/health.js';
import { role } from './commands/role.js';
import { failover } from './commands/failover.js';
import { testReplication } from './commands/test-replication.js';
import { testFailover } from './commands/test-failover.js';
import { bench } from './commands/bench.js';
import { backup } from './commands/backup.js';
import { restore } from './commands/restore.js';
import { dashboard } from './commands/dashboard.js';

const COMMANDS: OpsCommand[] = [up, down, status, health, lag, role, failover, testReplication, testFailover, bench, backup, restore, dashboard];

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: reddish <command> [options]',
    '',
    'Run and operate a Redis-compatible HA deployment (Reddish or Redis).',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    '`reddish <command> --help` shows a command\'s options.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  // `reddish status | head` closes our stdout early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`reddish: unknown command '${name}'\n\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(helpText(cmd.usage, cmd.summary, cmd.options));
    return 0;
  }
  try {
    return await cmd.run(parseArgs(rest, cmd.options));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`reddish ${name}: ${e.message}\n\n${helpText(cmd.usage, cmd.summary, cmd.options)}`);
      return EXIT_USAGE;
    }
    process.stderr.write(`reddish ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}
