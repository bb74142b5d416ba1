/**
 * A progress bar on stderr for long-running tools (bench, restore): redrawn
 * in place at most every 100 ms when stderr is a terminal; when it is not
 * (a log file, CI), nothing until the one summary line at the end.
 */
const WIDTH = 30;

export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastDraw = 0;

  constructor(private readonly label: string, private readonly total: number) {}

  /** `done` of `total`; `extra` is shown after the bar (e.g. a rate; a function is called only when drawing). */
  update(done: number, extra: string | (() => string) = ''): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    if (typeof extra === 'function') extra = extra();
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(frac * WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
    process.stderr.write(`\r\x1b[2K${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${this.total}${extra ? ` ${extra}` : ''}`);
  }

  /** Clears the bar and prints the summary line. */
  finish(summary: string): void {
    process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}${this.label}: ${summary}\n`);
  }
}
