/**
 * The latency monitor (latency.c): per event, the latest and the all-time
 * maximum spike above latency-monitor-threshold, and a history of up to 160
 * samples, one per second at most (later samples in the same second keep the max).
 */
export interface LatencySample {
  time: number;
  latency: number;
}

export interface LatencyEvent {
  samples: LatencySample[];
  max: number;
}

const HISTORY = 160;

export class LatencyMonitor {
  readonly events = new Map<string, LatencyEvent>();

  add(event: string, ms: number): void {
    const now = Math.floor(Date.now() / 1000);
    let e = this.events.get(event);
    if (!e) {
      e = { samples: [], max: 0 };
      this.events.set(event, e);
    }
    if (ms > e.max) e.max = ms;
    const last = e.samples[e.samples.length - 1];
    if (last && last.time === now) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    e.samples.push({ time: now, latency: ms });
    if (e.samples.length > HISTORY) e.samples.shift();
  }

  reset(events: string[]): number {
    if (events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const ev of events) if (this.events.delete(ev)) n++;
    return n;
  }
}
