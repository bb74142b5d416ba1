/**
 * Tests pick free ports before the processes they start bind them; another
 * test running at the same time can take one in between. A start that failed
 * that way is tried again on new ports; any other failure is thrown at once.
 */
const CLASH = /exited at start|EADDRINUSE|Address already in use/i;

export async function retryOnPortClash(start: (attempt: number) => Promise<void>, output: () => string, attempts = 3): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await start(i);
      return;
    } catch (e) {
      if (i >= attempts || !CLASH.test(`${(e as Error).message}\n${output()}`)) throw e;
    }
  }
}
