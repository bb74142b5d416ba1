/**
 * The current master of a target, asked fresh each time: `--master` as
 * given, else the first Sentinel that names one. Tools that outlive a
 * failover (test-failover's write load) call it again after an error.
 */
import { OpsClient, type Addr } from './ops-client.js';
import type { Target } from './target.js';

export async function sentinelMasterAddr(sentinel: Addr, name: string, timeoutMs = 2000): Promise<Addr | null> {
  const c = new OpsClient(sentinel, { timeoutMs });
  try {
    const r = (await c.call(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name])) as string[] | null;
    return r ? { host: r[0], port: Number(r[1]) } : null;
  } catch {
    return null;
  } finally {
    c.close();
  }
}

export async function currentMaster(t: Target): Promise<Addr | null> {
  if (t.sentinels.length === 0) return t.master;
  for (const s of t.sentinels) {
    const a = await sentinelMasterAddr(s, t.masterName);
    if (a) return a;
  }
  return null;
}
