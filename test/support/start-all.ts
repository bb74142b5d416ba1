/**
 * Starts several servers (or clusters) at once. If any fails to start, the
 * ones that did are stopped before the error is thrown: a server left
 * running keeps the test process alive after its hook failed, and the test
 * run never ends.
 */
export async function startAll<T>(starts: Array<Promise<T>>, stop: (started: T) => Promise<unknown>): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed === undefined) return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.all(settled.map((r) => (r.status === 'fulfilled' ? stop(r.value) : undefined)));
  throw failed.reason;
}
