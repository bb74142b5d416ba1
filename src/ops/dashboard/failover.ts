/**
 * The dashboard's failover button: SENTINEL FAILOVER on the first Sentinel
 * that names a master. Returns at once; the page watches the new master
 * appear through /api/status and the event stream (+switch-master).
 */
import { OpsClient, formatAddr, type Addr } from '../ops-client.js';
import type { FailoverResult } from './api-types.js';

export async function requestFailover(sentinels: Addr[], masterName: string): Promise<FailoverResult> {
  let lastError = 'no Sentinel to ask';
  for (const s of sentinels) {
    const c = new OpsClient(s, { timeoutMs: 3000 });
    try {
      const m = (await c.call(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName])) as string[] | null;
      if (!m) {
        lastError = `sentinel ${formatAddr(s)} knows no master named '${masterName}'`;
        continue;
      }
      const from = `${m[0]}:${m[1]}`;
      try {
        await c.call(['SENTINEL', 'FAILOVER', masterName]);
        return { ok: true, sentinel: formatAddr(s), from, error: null };
      } catch (e) {
        // A refusal (-INPROG, -NOGOODSLAVE) is the answer: asking another Sentinel would not change it.
        return { ok: false, sentinel: formatAddr(s), from, error: (e as Error).message };
      }
    } catch (e) {
      lastError = `sentinel ${formatAddr(s)}: ${(e as Error).message}`;
    } finally {
      c.close();
    }
  }
  return { ok: false, sentinel: null, from: null, error: lastError };
}
