/**
 * A Server without sockets, for tests that look at what commands propagate:
 * clients made on it, a `run` that returns a command's raw reply, and every
 * effect the propagator emitted.
 */
import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server.js';
import { Client } from '../../src/net/client.js';
import { processCommand } from '../../src/dispatch/process-command.js';
import type { Effect } from '../../src/propagate/propagate.js';

export function inProcessServer() {
  const server = new Server(new Config());
  let nextId = 1;
  const effects: string[][][] = [];
  server.propagator.subscribe((e: readonly Effect[]) => effects.push(e.map((x) => [...x.argv])));
  const client = (): Client => {
    const c = new Client(server, null, nextId++);
    server.clients.set(c.id, c);
    return c;
  };
  const run = (c: Client, ...argv: string[]): string => {
    processCommand(c, argv);
    return c.reply.take();
  };
  return { server, effects, client, run };
}
