/**
 * What the stream differential tests mask before comparing replies: the
 * integers that are clock readings, which two servers cannot agree on.
 */

/**
 * Masks the integers that are clock readings: "idle" and "seen-time" map
 * values, and the time in PEL rows ([id, consumer, time, count] and
 * [id, time, count]) of XPENDING and XINFO STREAM FULL.
 */
export function maskTimes(raw: string, cmd: string[]): string {
  const name = cmd[0].toUpperCase();
  let r = raw.replace(/(\$4\r\nidle\r\n):\d+/g, '$1:T').replace(/(\$9\r\nseen-time\r\n):\d+/g, '$1:T');
  if (name === 'XPENDING' || name === 'XINFO') {
    r = r.replace(/(\*4\r\n\$\d+\r\n[0-9-]+\r\n\$\d+\r\n[^\r]*\r\n):\d+/g, '$1:T');
    r = r.replace(/(\*3\r\n\$\d+\r\n[0-9-]+\r\n):\d+(\r\n:\d+\r\n)/g, '$1:T$2');
  }
  return r;
}
