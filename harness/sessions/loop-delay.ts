import { LatencyHistogram } from '../results/histogram.js';

/** How often the probe timer is due. */
export const LOOP_PROBE_MS = 50;
/** Lateness under this is ordinary timer jitter, not a stall worth remembering. */
const STALL_MIN_MS = 5;
/** Stalls are kept this long: longer than any gap a stats message reports while it is still open. */
const STALL_KEEP_MS = 120_000;

/**
 * Measures how late this process's event loop runs a timer that is due every 50 ms: the delay a
 * frame callback, an IPC message or a VAD window would also see. A saturated process shows it here
 * before anywhere else.
 */
export class LoopDelayMonitor {
  readonly histogram = new LatencyHistogram({ bucketMs: 0.5, maxMs: 5000 });
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  /** Spans (epoch ms) the loop was blocked past a due tick, oldest first, kept for STALL_KEEP_MS. */
  private readonly stalls: { from: number; to: number }[] = [];

  start(): void {
    this.due = performance.now() + LOOP_PROBE_MS;
    this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const now = performance.now();
      this.histogram.record(now - this.due);
      this.remember(this.due, now);
      // Due times stay on an absolute grid; after a long stall the grid restarts from now instead
      // of recording the backlog as many late ticks.
      this.due = this.due + LOOP_PROBE_MS > now ? this.due + LOOP_PROBE_MS : now + LOOP_PROBE_MS;
      this.schedule();
    }, Math.max(0, this.due - performance.now()));
    this.timer.unref();
  }

  private remember(due: number, now: number): void {
    if (now - due < STALL_MIN_MS) return;
    const to = performance.timeOrigin + now;
    this.stalls.push({ from: performance.timeOrigin + due, to });
    while ((this.stalls[0]?.to ?? Infinity) < to - STALL_KEEP_MS) this.stalls.shift();
  }

  /**
   * How long, within [from, to] (epoch ms), this process's event loop was blocked past a due
   * tick: time in which nothing it receives could have been seen, whoever sent it.
   */
  blockedMs(from: number, to: number): number {
    let sum = 0;
    for (const s of this.stalls) sum += Math.max(0, Math.min(to, s.to) - Math.max(from, s.from));
    return sum;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
