#!/usr/bin/env node
/**
 * reddish-server: the command line of redis-server.
 *   reddish-server [/path/to/redis.conf] [--directive value ...]
 *   reddish-server - (config from stdin), -v/--version, -h/--help
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Config } from './config/config.js';
import { ConfigOpenError, FatalConfigError, loadConfigString, optionsToConfig, readConfigFile } from './config/config-file.js';
import { Server } from './server.js';
import { VERSION } from './version.js';

function usage(): string {
  return [
    'Usage: ./reddish-server [/path/to/redis.conf] [options] [-]',
    '       ./reddish-server - (read config from stdin)',
    '       ./reddish-server -v or --version',
    '       ./reddish-server -h or --help',
    '',
    'Examples:',
    '       ./reddish-server (run the server with default conf)',
    '       ./reddish-server /etc/redis/6379.conf',
    '       ./reddish-server --port 7777',
    '       ./reddish-server --port 7777 --replicaof 127.0.0.1 8888',
    '       ./reddish-server /etc/myredis.conf --loglevel verbose -',
    '       ./reddish-server /etc/myredis.conf --loglevel verbose',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Reddish server v=${VERSION} redis_version=7.0.15 bits=64 node=${process.version}\n`);
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    process.stdout.write(usage());
    return;
  }
  const config = new Config();
  let rest = argv;
  let text = '';
  let source = 'the command line arguments';
  try {
    if (rest.length > 0 && !rest[0].startsWith('-')) {
      config.file = resolve(rest[0]);
      text = readConfigFile(config.file);
      source = config.file;
      rest = rest.slice(1);
    }
    const stdin = rest.length > 0 && rest[rest.length - 1] === '-';
    if (stdin) rest = rest.slice(0, -1);
    for (const a of rest) {
      if (a === '-') continue;
    }
    const seen = new Set<string>();
    if (text !== '') loadConfigString(config, text, source, seen);
    if (stdin) loadConfigString(config, readFileSync(0, 'latin1'), 'standard input', seen);
    const opts = optionsToConfig(rest);
    // Redis numbers option lines after the file's, starting on the line after a blank separator.
    if (opts !== '') loadConfigString(config, '\n' + opts, 'the command line arguments', seen);
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
  const server = new Server(config);
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

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
