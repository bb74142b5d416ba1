/**
 * Finds where a RESP reply ends without decoding it: the load generator
 * only needs to count replies (and spot errors), and building values would
 * cost more than the server spends answering. Handles RESP2 and RESP3
 * types, nested aggregates, and replies split across socket reads (-1:
 * incomplete, read more).
 */
const CR = 13;
const LF = 10;

/** The integer in buf[from, to) (an optional '-', then digits). */
function intAt(buf: Buffer, from: number, to: number): number {
  let neg = false;
  let i = from;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < to; i++) n = n * 10 + (buf[i] - 48);
  return neg ? -n : n;
}

/** The index just past the reply starting at `pos`, or -1 when the buffer ends first. */
export function skipReply(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const lf = buf.indexOf(LF, pos);
  if (lf < 0) return -1;
  const lineEnd = buf[lf - 1] === CR ? lf - 1 : lf;
  switch (buf[pos]) {
    case 36: // $ bulk
    case 61: // = verbatim
    case 33: { // ! blob error
      const len = intAt(buf, pos + 1, lineEnd);
      if (len < 0) return lf + 1;
      const end = lf + 1 + len + 2;
      return end <= buf.length ? end : -1;
    }
    case 42: // * array
    case 126: // ~ set
    case 62: // > push
    case 37: // % map
    case 124: { // | attribute (followed by the real reply)
      let n = intAt(buf, pos + 1, lineEnd);
      if (n < 0) return lf + 1;
      if (buf[pos] === 37 || buf[pos] === 124) n *= 2;
      let p = lf + 1;
      for (let i = 0; i < n; i++) {
        p = skipReply(buf, p);
        if (p < 0) return -1;
      }
      return buf[pos] === 124 ? skipReply(buf, p) : p;
    }
    default: // + - : _ , # ( : one line
      return lf + 1;
  }
}
