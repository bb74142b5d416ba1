/**
 * The LFU access counter, as Redis keeps it in an object's 24-bit lru field
 * when maxmemory-policy is allkeys-lfu or volatile-lfu (evict.c):
 *
 *        16 bits            8 bits
 *   +------------------+-----------+
 *   | last decrement   | counter   |   e.g. (28_000_123 min & 0xffff) << 8 | 5
 *   | time, in minutes |  (LOG_C)  |
 *   +------------------+-----------+
 *
 * The counter is logarithmic: an access increments it with probability
 * 1 / ((counter - 5) * lfu-log-factor + 1), so with the default factor 10 it
 * takes about a million accesses to reach 255. It decays by one for each
 * lfu-decay-time minutes since the stored time, computed when read (the
 * stored value only changes on access). New keys start at LFU_INIT_VAL so
 * they are not evicted before they had a chance to be read.
 *
 * Pure functions over numbers, so the arithmetic is tested without a server.
 */

export const LFU_INIT_VAL = 5;

/** LFUGetTimeInMinutes: the low 16 bits of unix time in minutes. */
export function lfuMinutes(unixSeconds: number): number {
  return Math.floor(unixSeconds / 60) & 0xffff;
}

/** LFUTimeElapsed: minutes from `ldt` to `now`, both 16-bit, wrapping at most once. */
export function lfuTimeElapsed(ldt: number, now: number): number {
  return now >= ldt ? now - ldt : 65535 - ldt + now;
}

/** LFULogIncr: `rand` is uniform in [0, 1). Saturates at 255. */
export function lfuLogIncr(counter: number, logFactor: number, rand: number): number {
  if (counter === 255) return 255;
  const base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
  const p = 1 / (base * logFactor + 1);
  return rand < p ? counter + 1 : counter;
}

/** LFUDecrAndReturn: the counter of a stored field, decayed to `nowMinutes` (the field is not changed). */
export function lfuDecrAndReturn(field: number, nowMinutes: number, decayTime: number): number {
  // Masked to the 24 bits Redis has: after a switch from an LRU policy the
  // field still holds a (wider) LRU time until the key is next accessed.
  const ldt = (field >>> 8) & 0xffff;
  const counter = field & 255;
  const periods = decayTime > 0 ? Math.floor(lfuTimeElapsed(ldt, nowMinutes) / decayTime) : 0;
  if (periods === 0) return counter;
  return periods > counter ? 0 : counter - periods;
}

/** updateLFU: the field after one access at `nowMinutes`. */
export function lfuTouch(field: number, nowMinutes: number, decayTime: number, logFactor: number, rand: number): number {
  const counter = lfuLogIncr(lfuDecrAndReturn(field, nowMinutes, decayTime), logFactor, rand);
  return (nowMinutes << 8) | counter;
}

/** The field of a key created (or given a counter by RESTORE FREQ / an RDB) at `nowMinutes`. */
export function lfuField(nowMinutes: number, counter = LFU_INIT_VAL): number {
  return (nowMinutes << 8) | counter;
}

/** LRU_CLOCK_MAX: Redis's LRU clock is 24 bits of seconds. */
const LRU_CLOCK_MAX = (1 << 24) - 1;

/**
 * estimateObjectIdleTime, in seconds: the 24-bit fields of the clock and of
 * the entry, wrapping once. Reddish stores whole seconds, so this is
 * `clock - field` for any idle time under 194 days; after a switch from an
 * LFU policy it reads the LFU field as Redis does, as an old access time.
 */
export function lruIdleSeconds(lruClock: number, field: number): number {
  const clock = lruClock & LRU_CLOCK_MAX;
  const lru = field & LRU_CLOCK_MAX;
  return clock >= lru ? clock - lru : clock + (LRU_CLOCK_MAX - lru);
}
