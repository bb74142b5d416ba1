/**
 * The millisecond clock every TTL reads. Production uses the wall clock;
 * tests replace `clock.now` to move time forward instead of sleeping.
 */
export const clock = {
  now: (): number => Date.now(),
};
