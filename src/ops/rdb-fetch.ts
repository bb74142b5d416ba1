/**
 * An RDB snapshot over the replication protocol, as `redis-cli --rdb` takes
 * one: AUTH if needed, `REPLCONF capa eof` (so a diskless master may stream
 * it), `REPLCONF rdb-only 1` (no replication stream afterwards; older servers
 * refuse it, which is fine), then `SYNC`. The answer, after any "\n"
 * keepalives, is `$<len>\r\n` and that many bytes, or `$EOF:<40-byte
 * mark>\r\n` and the payload followed by the mark. Works against Redis and
 * Reddish, masters and replicas.
 */
import { encodeCommand } from '../protocol/encode-command.js';
import net from 'node:net';
import { formatAddr, type Addr } from './ops-client.js';

const EOF_MARK_LEN = 40;

export interface FetchedRdb {
  data: Buffer;
  /** 'disk' ($<len>) or 'diskless' ($EOF:<mark>). */
  transfer: 'disk' | 'diskless';
}

export function fetchRdb(addr: Addr, password: string | undefined, timeoutMs: number): Promise<FetchedRdb> {
  return new Promise<FetchedRdb>((resolve, reject) => {
    const where = formatAddr(addr);
    const sock = net.connect({ host: addr.host, port: addr.port });
    let done = false;
    const finish = (err: Error | null, r?: FetchedRdb): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(r!);
    };
    const timer = setTimeout(() => finish(new Error(`${where}: no complete RDB within ${timeoutMs} ms`)), timeoutMs);

    // Replies to the preamble, one line each; the last answer is SYNC's.
    const preamble: Array<{ argv: string[]; mustSucceed: boolean }> = [
      ...(password ? [{ argv: ['AUTH', password], mustSucceed: true }] : []),
      { argv: ['REPLCONF', 'capa', 'eof'], mustSucceed: false },
      { argv: ['REPLCONF', 'rdb-only', '1'], mustSucceed: false },
    ];
    let answered = 0;
    let buf: Buffer = Buffer.alloc(0);
    let mode: 'lines' | 'bulk' | 'eof' = 'lines';
    let bulkLen = 0;
    let mark = '';
    const chunks: Buffer[] = [];
    let got = 0;

    // One command at a time: Redis refuses SYNC while earlier replies are still unsent ("pending output").
    const sendNext = (): void => {
      sock.write(answered < preamble.length ? Buffer.from(encodeCommand(preamble[answered].argv), 'latin1') : 'SYNC\r\n');
    };
    sock.on('connect', sendNext);
    sock.on('error', (e) => finish(new Error(`${where}: ${e.message}`)));
    sock.on('close', () => finish(new Error(`${where}: connection closed during the transfer (${got} bytes read)`)));
    sock.on('data', (d: Buffer) => {
      if (mode !== 'lines') return take(d);
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      for (;;) {
        const nl = buf.indexOf(10);
        if (nl < 0) return;
        const line = buf.toString('latin1', 0, nl).replace(/\r$/, '');
        buf = buf.subarray(nl + 1);
        if (line === '') continue; // keepalive while the master prepares the snapshot
        if (answered < preamble.length) {
          const c = preamble[answered++];
          if (line.startsWith('-') && c.mustSucceed) return finish(new Error(`${where}: ${c.argv[0]} failed: ${line.slice(1)}`));
          sendNext();
          continue;
        }
        if (line.startsWith('-')) return finish(new Error(`${where}: SYNC failed: ${line.slice(1)}`));
        if (line.startsWith('$EOF:')) {
          mark = line.slice(5);
          if (mark.length !== EOF_MARK_LEN) return finish(new Error(`${where}: bad EOF mark in '${line}'`));
          mode = 'eof';
        } else if (/^\$\d+$/.test(line)) {
          bulkLen = Number(line.slice(1));
          mode = 'bulk';
        } else if (line.startsWith('+')) {
          continue; // a +FULLRESYNC some servers send even to SYNC
        } else {
          return finish(new Error(`${where}: unexpected SYNC reply '${line.slice(0, 80)}'`));
        }
        const rest = buf;
        buf = Buffer.alloc(0);
        if (rest.length > 0) take(rest);
        return;
      }
    });

    function take(d: Buffer): void {
      chunks.push(d);
      got += d.length;
      if (mode === 'bulk') {
        if (got >= bulkLen) finish(null, { data: Buffer.concat(chunks).subarray(0, bulkLen), transfer: 'disk' });
        return;
      }
      // Diskless: done when the last 40 bytes read are the mark.
      if (got < EOF_MARK_LEN) return;
      const tail = tailBytes(chunks, got, EOF_MARK_LEN);
      if (tail.toString('latin1') === mark) {
        const all = Buffer.concat(chunks);
        finish(null, { data: all.subarray(0, all.length - EOF_MARK_LEN), transfer: 'diskless' });
      }
    }
  });
}

/** The last `n` bytes of what `chunks` hold (`total` bytes), without joining them all. */
function tailBytes(chunks: Buffer[], total: number, n: number): Buffer {
  const last = chunks[chunks.length - 1];
  if (last.length >= n) return last.subarray(last.length - n);
  return Buffer.concat(chunks).subarray(total - n);
}
