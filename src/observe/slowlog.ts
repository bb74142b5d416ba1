/**
 * The slow log (slowlog.c): commands slower than slowlog-log-slower-than µs,
 * newest first, at most slowlog-max-len entries. Arguments are trimmed as
 * Redis trims them: at most 32 arguments (the last says how many more) and
 * 128 bytes per argument (the rest summarised).
 */
export interface SlowlogEntry {
  id: number;
  time: number;
  usec: number;
  argv: string[];
  addr: string;
  name: string;
}

const MAX_ARGC = 32;
const MAX_ARGLEN = 128;

export class Slowlog {
  entries: SlowlogEntry[] = [];
  nextId = 0;
  maxLen = 128;

  add(client: { addr: string; name: string }, argv: string[], usec: number): void {
    const n = Math.min(argv.length, MAX_ARGC);
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      if (n === MAX_ARGC && i === n - 1 && argv.length > MAX_ARGC) {
        args.push(`... (${argv.length - MAX_ARGC + 1} more arguments)`);
      } else if (argv[i].length > MAX_ARGLEN) {
        args.push(`${argv[i].slice(0, MAX_ARGLEN)}... (${argv[i].length - MAX_ARGLEN} more bytes)`);
      } else {
        args.push(argv[i]);
      }
    }
    this.entries.unshift({ id: this.nextId++, time: Math.floor(Date.now() / 1000), usec: Math.round(usec), argv: args, addr: client.addr, name: client.name });
    this.trim();
  }

  trim(): void {
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
