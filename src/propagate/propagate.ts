/**
 * The effect stream: the deterministic effect of every write, in order, as
 * {db, argv}. Replication and the AOF subscribe here; neither looks at
 * commands as typed.
 *
 * Contract (as Redis 7.0's call()/propagatePendingCommands): while a command
 * runs, its effects and any side effects (a lazily expired key becoming DEL)
 * collect in `pending`; when the outermost call ends they are emitted at once,
 * wrapped in MULTI/EXEC when there is more than one, so a consumer applies the
 * command atomically. Writes outside any command (active expiry) are emitted
 * one by one.
 */

export interface Effect {
  db: number;
  argv: string[];
  /** PROPAGATE_REPL only: for replicas, not the AOF (PUBLISH outside cluster mode). */
  replOnly?: true;
}

export type EffectListener = (effects: readonly Effect[]) => void;

export class Propagator {
  private readonly listeners: EffectListener[] = [];
  private pending: Effect[] = [];
  /** Depth of nested calls (EXEC, scripts) so only the outermost one flushes. */
  depth = 0;
  /** While loading a dataset (AOF replay, DEBUG LOADAOF) nothing is propagated: it is already on disk. */
  suspended = false;

  subscribe(l: EffectListener): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  get active(): boolean {
    return this.listeners.length > 0;
  }

  add(db: number, argv: string[], replOnly = false): void {
    if (this.listeners.length === 0 || this.suspended) return;
    this.pending.push(replOnly ? { db, argv, replOnly } : { db, argv });
    if (this.depth === 0) this.flush();
  }

  flush(): void {
    const p = this.pending;
    if (p.length === 0) return;
    this.pending = [];
    const out =
      p.length > 1 ? [{ db: p[0].db, argv: ['MULTI'] }, ...p, { db: p[p.length - 1].db, argv: ['EXEC'] }] : p;
    for (const l of this.listeners) l(out);
  }
}
