/**
 * A busy script (script.c's "timed out" mode): an EVAL or FCALL that ran
 * past busy-reply-threshold and yielded (scripting/script-vm.ts). Redis
 * keeps serving the event loop from inside the script; Node cannot, so the
 * script is suspended instead and resumed on setImmediate until it ends,
 * while the server answers other clients:
 *
 * - the calling client is parked (dispatch/async-reply.ts): its reply, the
 *   script's effects and its pipelined input continue when the script ends;
 * - the propagator's depth is held up, so the script's effects so far stay
 *   pending and go out together (MULTI/EXEC) at the end, as if synchronous;
 * - server.busyScript makes processCommand refuse everything but allow_busy
 *   commands (-BUSY ...), keep the master link's commands for afterwards,
 *   and SCRIPT KILL / FUNCTION KILL / FUNCTION STATS see the script;
 * - serverCron is stopped meanwhile (Redis runs no time events while busy):
 *   no active expiry, no save points, no rewrites start mid-script.
 */
import type { CommandContext } from '../dispatch/command-spec.js';
import type { CommandSpec } from '../dispatch/command-spec.js';
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import { parkClient, type BusyScript, type ParkedReply } from '../dispatch/async-reply.js';
import { markClock } from '../dispatch/command-clock.js';
import { SUSPENDED, type Reply, type RunResult } from '../scripting/index.js';
import { writeReply, type ScriptCallHost } from './script-host.js';

export const SLOW_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const SLOW_SCRIPT = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const UNKILLABLE =
  'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';

/** What the busy machinery needs of an engine (EVAL's or Functions'). */
export interface Resumable {
  resume(): RunResult;
  kill(): void;
  elapsedMs(): number;
}

export class BusyRun implements BusyScript {
  error = SLOW_EVAL;
  /** EVAL (true) or FCALL. */
  isEval = true;
  /** The sha, or the function's name. */
  name = '';
  /** The calling command (FUNCTION STATS shows it). */
  callerArgv: string[] = [];
  private engine: Resumable | null = null;
  private parked: ParkedReply | null = null;
  private cronWasRunning = false;
  private held: Array<[Client, string[]]> = [];

  constructor(
    private readonly server: Server,
    private readonly host: ScriptCallHost,
  ) {}

  get active(): boolean {
    return this.server.busyScript === this;
  }

  elapsedMs(): number {
    return this.engine?.elapsedMs() ?? 0;
  }

  admits(cmd: CommandSpec, argv: string[]): boolean {
    if (!cmd.flags.has('allow_busy')) return false;
    if (cmd.fullname !== 'shutdown') return true;
    for (let i = 1; i < argv.length; i++) if (argv[i].toLowerCase() === 'nosave') return true;
    return false;
  }

  holdMasterCommand(c: Client, argv: string[]): void {
    this.held.push([c, argv]);
  }

  /** The script yielded: park its client and serve others until it ends. */
  suspend(ctx: CommandContext, engine: Resumable, isEval: boolean, name: string): void {
    const s = this.server;
    this.engine = engine;
    this.isEval = isEval;
    this.name = name;
    this.callerArgv = ctx.argv;
    this.error = isEval ? SLOW_EVAL : SLOW_SCRIPT;
    this.parked = parkClient(ctx);
    s.ks.propagator.depth++;
    this.cronWasRunning = s.cron.running;
    s.cron.stop();
    s.busyScript = this;
    logSlow(s, engine.elapsedMs(), isEval, name);
    setImmediate(this.step);
  }

  private readonly step = (): void => {
    const s = this.server;
    if (s.shuttingDown) return; // SHUTDOWN NOSAVE: the script goes with the server
    markClock();
    let r: Reply;
    try {
      const res = this.engine!.resume();
      if (res === SUSPENDED) {
        setImmediate(this.step);
        return;
      }
      r = res;
    } catch (e) {
      // A bug in a host call must not leave the server busy forever.
      r = { type: 'error', value: `ERR ${(e as Error).message}` };
    }
    s.busyScript = null;
    s.ks.propagator.depth--;
    if (this.cronWasRunning && !s.shuttingDown) s.cron.start();
    const parked = this.parked!;
    this.parked = null;
    this.engine = null;
    this.callerArgv = [];
    parked.finish((c) => {
      c.preventPropagation();
      // CLIENT REPLY OFF was on when the command came (the client could not change it since).
      if (c.replyMode !== 'off') writeReply(c, r);
    });
    this.replayMaster();
  };

  /** The master's commands that arrived meanwhile, applied in order now that the script is done. */
  private replayMaster(): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    const s = this.server;
    for (const [m, argv] of held) s.replicaSide.applyMasterCommand(m, argv);
  }

  /** scriptKill: SCRIPT KILL (isEval) or FUNCTION KILL. */
  kill(ctx: CommandContext, isEval: boolean): void {
    if (!this.active) return ctx.reply.error('NOTBUSY No scripts in execution right now.');
    if (this.host.wrote) return ctx.reply.error(UNKILLABLE);
    if (isEval && !this.isEval) return ctx.reply.error(SLOW_SCRIPT);
    if (!isEval && this.isEval) return ctx.reply.error(SLOW_EVAL);
    this.engine!.kill();
    this.server.log.warning('Lua script killed by user with SCRIPT KILL.');
    ctx.reply.ok();
  }
}

export function logSlow(s: Server, elapsedMs: number, isEval: boolean, name: string): void {
  s.log.warning(
    `Slow script detected: still in execution after ${Math.floor(elapsedMs)} milliseconds. ` +
      `You can try killing the script using the ${isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${name}.`,
  );
}
