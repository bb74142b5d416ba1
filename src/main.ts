#!/usr/bin/env node
/**
 * reddish-server: the command line of redis-server.
 *   reddish-server [/path/to/redis.conf] [--directive value ...]
 *   reddish-server - (config from stdin), -v/--version, -h/--help
 */
import { readFileSync, accessSync, constants, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Config } from './config/config.js';
import { ConfigOpenError, FatalConfigError, finalChecks, loadConfigString, newLoadState, optionsToConfig, readConfigFile, type Segment } from './config/config-file.js';
import { Server } from './server.js';
import { VERSION } from './version.js';
import { timestamp } from './observe/log.js';

function usage(): string {
  return [
    'Usage: ./reddish-server [/path/to/redis.conf] [options] [-]',
    '       ./reddish-server - (read config from stdin)',
    '       ./reddish-server -v or --version',
    '       ./reddish-server -h or --help',
    '',
    'Examples:',
    '       ./reddish-server (run the server with default conf)',
    '       echo \'maxmemory 128mb\' | ./reddish-server -',
    '       ./reddish-server /etc/redis/6379.conf',
    '       ./reddish-server --port 7777',
    '       ./reddish-server --port 7777 --replicaof 127.0.0.1 8888',
    '       ./reddish-server /etc/myredis.conf --loglevel verbose -',
    '       ./reddish-server /etc/myredis.conf --loglevel verbose',
    '',
  ].join('\n');
}

/**
 * Sentinel mode as checkForSentinelMode decides it: started under a
 * *-sentinel name, or with --sentinel anywhere on the command line.
 */
function sentinelModeRequested(argv: string[], opts: { sentinel?: boolean }): boolean {
  return opts.sentinel === true || /(redis|reddish)-sentinel$/.test(process.argv[1] ?? '') || argv.includes('--sentinel');
}

export async function runServer(argv: string[], opts: { sentinel?: boolean } = {}): Promise<void> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Reddish server v=${VERSION} redis_version=7.0.15 bits=64 node=${process.version}\n`);
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    // redis-server's usage() goes to stderr and exits 1.
    process.stderr.write(usage());
    process.exit(1);
  }
  const config = new Config();
  if (sentinelModeRequested(argv, opts)) {
    // initSentinelConfig: Sentinel's own default port, and no protected mode.
    config.sentinelMode = true;
    config.apply('port', ['26379']);
    config.apply('protected-mode', ['no']);
  }
  try {
    // As main() + loadServerConfig(): file text, then stdin, then "\n" + the options, parsed as one text.
    let rest = argv;
    let firstIndex = 1;
    let text = '';
    const segments: Segment[] = [];
    if (rest.length > 0 && !rest[0].startsWith('-')) {
      config.file = resolve(rest[0]);
      rest = rest.slice(1);
      firstIndex = 2;
    }
    const opts = optionsToConfig(rest, firstIndex);
    if (config.file) {
      segments.push({ start: 0, name: config.file });
      text += readConfigFile(config.file);
    }
    if (opts.stdin) {
      segments.push({ start: text.length, name: 'standard input' });
      text += readFileSync(0, 'latin1');
    }
    if (opts.text !== '') {
      segments.push({ start: text.length + 1, name: 'the command line options' });
      text += '\n' + opts.text;
    }
    if (segments.length === 0) segments.push({ start: 0, name: 'the command line options' });
    loadConfigString(config, text, segments, newLoadState());
    finalChecks(config);
    if (config.sentinelMode) sentinelCheckConfigFile(config.file);
  } catch (e) {
    if (e instanceof FatalConfigError) {
      process.stderr.write(e.report());
      process.exit(1);
    }
    if (e instanceof ConfigOpenError) {
      process.stderr.write(`${process.pid}:C ${new Date().toUTCString()} # ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const d = config.directive('daemonize')!;
  const why = d.unsupported?.(config.get('daemonize'));
  if (why) {
    process.stderr.write(`\n*** FATAL CONFIG ERROR ***\n${why}\n`);
    process.exit(1);
  }
  let server: Server;
  try {
    server = new Server(config);
  } catch (e) {
    // Sentinel's own directives are applied when its state is built.
    if (e instanceof FatalConfigError) {
      process.stderr.write(e.report());
      process.exit(1);
    }
    throw e;
  }
  const stop = (sig: string) => {
    server.log.warning(`Received ${sig} scheduling shutdown...`);
    server.shutdown(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await server.start();
  } catch (e) {
    server.log.warning((e as Error).message);
    process.exit(1);
  }
}

/** sentinelCheckConfigFile: Sentinel keeps its state in its config file, so it must have a writable one. */
function sentinelCheckConfigFile(file: string | null): void {
  const stamp = `${process.pid}:X ${timestamp()} #`;
  if (file === null) {
    process.stderr.write(`${stamp} Sentinel needs config file on disk to save state. Exiting...\n`);
    process.exit(1);
  }
  try {
    accessSync(file, constants.W_OK);
  } catch (e) {
    process.stderr.write(`${stamp} Sentinel config file ${file} is not writable: ${(e as Error).message}. Exiting...\n`);
    process.exit(1);
  }
}

// Run as the reddish-server program (not when imported by bin/reddish-sentinel).
function isEntryPoint(): boolean {
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1] ?? '')).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runServer(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
