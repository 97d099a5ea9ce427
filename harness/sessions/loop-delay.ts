import { LatencyHistogram } from '../results/histogram.js';

/** How often the probe timer is due. */
export const LOOP_PROBE_MS = 50;

/**
 * Measures how late this process's event loop runs a timer that is due every 50 ms: the delay a
 * frame callback, an IPC message or a VAD window would also see. A saturated process shows it here
 * before anywhere else.
 */
export class LoopDelayMonitor {
  readonly histogram = new LatencyHistogram({ bucketMs: 0.5, maxMs: 5000 });
  private timer: NodeJS.Timeout | null = null;
  private due = 0;

  start(): void {
    this.due = performance.now() + LOOP_PROBE_MS;
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const now = performance.now();
      this.histogram.record(now - this.due);
      // Due times stay on an absolute grid; after a long stall the grid restarts from now instead
      // of recording the backlog as many late ticks.
      this.due = this.due + LOOP_PROBE_MS > now ? this.due + LOOP_PROBE_MS : now + LOOP_PROBE_MS;
      this.schedule();
    }, Math.max(0, this.due - performance.now()));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
