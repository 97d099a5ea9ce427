import type { Clock } from './clock.js';

/** One paced tick: frame k, how late it is against its due time t0 + k·frameMs. */
export interface Tick { k: number; dueMs: number; lateMs: number }

/**
 * Paces frames on an absolute clock: frame k is due at t0 + k·frameMs, never "frameMs after the
 * previous one finished", so a slow frame does not push every later one back unseen (no
 * coordinated omission); how late each frame was is returned to be recorded.
 */
export class Pacer {
  private k = 0;
  readonly t0: number;

  constructor(readonly frameMs: number, private readonly clock: Clock, t0?: number) {
    this.t0 = t0 ?? clock.now();
  }

  /** Waits for the next frame's due time and returns it with its lateness (>= 0). */
  async next(): Promise<Tick> {
    const k = this.k++;
    const dueMs = this.t0 + k * this.frameMs;
    await this.clock.sleepUntil(dueMs);
    return { k, dueMs, lateMs: Math.max(0, this.clock.now() - dueMs) };
  }
}
