/**
 * Library integration tests run one scenario list against a real
 * redis-server 7.0 and against reddish-server in the same file: each server
 * gets its own `describe` block (named `[redis]` / `[reddish]`), so a
 * behaviour that differs shows up as the same test passing under one name
 * and failing under the other.
 */
import { describe, before, after, test, type TestOptions } from 'node:test';
import { redisAvailable, startServer, type RunningServer, type ServerKind } from './servers.js';

export interface ServerSuite {
  kind: ServerKind;
  /** The server started for this block (valid inside tests and hooks). */
  server(): RunningServer;
  /** Starts one more server of the same kind, stopped with the block. */
  startAnother(): Promise<RunningServer>;
}

export const SERVER_KINDS: readonly ServerKind[] = ['redis', 'reddish'];

export function onEachServer(title: string, body: (suite: ServerSuite) => void): void {
  for (const kind of SERVER_KINDS) {
    const skip = kind === 'redis' && !redisAvailable() ? 'redis-server is not installed' : false;
    describe(`${title} [${kind}]`, { skip }, () => {
      const started: RunningServer[] = [];
      before(async () => {
        started.push(await startServer(kind));
      });
      body({
        kind,
        server() {
          if (started.length === 0) throw new Error(`no ${kind} server started`);
          return started[0];
        },
        async startAnother() {
          const s = await startServer(kind);
          started.push(s);
          return s;
        },
      });
      // Registered after the body's own `after` hooks, so clients close
      // while their server is still up.
      after(async () => {
        await Promise.all(started.map((s) => s.stop()));
      });
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * ioredis attaches the whole command to a ReplyError, and for EVAL that is a
 * script of tens of kilobytes; the test report keeps the reply and the
 * command's name and keys instead.
 */
export function conciseError(err: unknown): unknown {
  if (!(err instanceof Error) || !('command' in err)) return err;
  const cmd = (err as Error & { command?: { name?: string; args?: unknown[] } }).command;
  const args = (cmd?.args ?? []).map((a) => (typeof a === 'string' ? (a.length > 60 ? `<${a.length} chars>` : a) : Buffer.isBuffer(a) ? `<${a.length} bytes>` : String(a)));
  const short = new Error(`${err.message} [${cmd?.name ?? '?'} ${args.join(' ')}]`);
  short.name = err.name;
  return short;
}

/** `test` whose failures go through conciseError. */
export function libTest(name: string, opts: TestOptions, fn: () => Promise<void>): void {
  test(name, opts, async () => {
    try {
      await fn();
    } catch (err) {
      throw conciseError(err);
    }
  });
}
