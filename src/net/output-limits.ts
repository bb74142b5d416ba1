/**
 * client-output-buffer-limit, enforced (networking.c checkClientOutputBufferLimits):
 * per client class a hard limit (close at once) and a soft limit (close when
 * it stays over it for soft-seconds). The bytes counted are what waits to be
 * written to the socket. Normal clients default to no limit, so the request
 * path pays one boolean test.
 */
export type ObufClass = 'normal' | 'slave' | 'pubsub';

export interface ObufLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

/** What a connection keeps for the soft limit: when it first went over it (0: it is under). */
export interface ObufState {
  obufSoftSince: number;
}

export class OutputLimits {
  readonly limits: Record<ObufClass, ObufLimit> = {
    normal: { hard: 0, soft: 0, softSeconds: 0 },
    slave: { hard: 0, soft: 0, softSeconds: 0 },
    pubsub: { hard: 0, soft: 0, softSeconds: 0 },
  };
  /** Any limit set for the class: the cheap test before the real one. */
  readonly active: Record<ObufClass, boolean> = { normal: false, slave: false, pubsub: false };

  /** Takes the CONFIG GET form: `normal 0 0 0 slave 268435456 67108864 60 pubsub ...`. */
  set(value: string): void {
    const parts = value.trim().split(/\s+/);
    for (let i = 0; i + 3 < parts.length; i += 4) {
      const cls = (parts[i] === 'replica' ? 'slave' : parts[i]) as ObufClass;
      if (!(cls in this.limits)) continue;
      const l = { hard: Number(parts[i + 1]), soft: Number(parts[i + 2]), softSeconds: Number(parts[i + 3]) };
      this.limits[cls] = l;
      this.active[cls] = l.hard > 0 || l.soft > 0;
    }
  }

  /** True when a client of `cls` holding `bytes` unsent must be closed now. */
  exceeded(cls: ObufClass, bytes: number, st: ObufState, now: number): boolean {
    const l = this.limits[cls];
    if (l.hard > 0 && bytes >= l.hard) return true;
    if (l.soft > 0 && bytes >= l.soft) {
      if (st.obufSoftSince === 0) {
        st.obufSoftSince = now;
        return false;
      }
      return now - st.obufSoftSince > l.softSeconds * 1000;
    }
    st.obufSoftSince = 0;
    return false;
  }
}
