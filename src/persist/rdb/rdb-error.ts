/**
 * The one error the RDB codecs throw for malformed input (a truncated blob, a
 * header that disagrees with the bytes, an unknown encoding). The loader
 * catches it to report a corrupt file or a bad RESTORE payload; anything else
 * thrown from the codecs is a bug, not bad data.
 */
export class RdbError extends Error {
  override name = 'RdbError';
}
