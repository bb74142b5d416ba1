/**
 * serverLog in Redis's format, so log scrapers and people reading guides see
 * what they expect:  `1234:M 23 Nov 2026 02:32:51.123 * Ready to accept connections tcp`
 * Level marks: debug '.', verbose '-', notice '*', warning '#'. Role: M master,
 * S replica, X sentinel, C child.
 */
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3 };
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function timestamp(d = new Date()): string {
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export class Logger {
  level: LogLevel = 'notice';
  /** Empty: standard output, as Redis's `logfile ""`. */
  file = '';
  role: 'M' | 'S' | 'X' | 'C' = 'M';

  log(level: LogLevel, msg: string): void {
    if (RANK[level] < RANK[this.level]) return;
    this.raw(`${process.pid}:${this.role} ${timestamp()} ${MARK[level]} ${msg}\n`);
  }

  raw(line: string): void {
    if (this.file === '') process.stdout.write(line);
    else {
      try {
        appendFileSync(this.file, line);
      } catch {
        process.stdout.write(line);
      }
    }
  }

  notice(msg: string): void {
    this.log('notice', msg);
  }
  warning(msg: string): void {
    this.log('warning', msg);
  }
  verbose(msg: string): void {
    this.log('verbose', msg);
  }
  debug(msg: string): void {
    this.log('debug', msg);
  }
}
