/** A monotonic clock and a way to wait on it; injected so pacing can be tested without sleeping. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves at (or after) monotonic time `t`. */
  sleepUntil(t: number): Promise<void>;
  /** Epoch milliseconds for a monotonic time, to compare times across processes. */
  toEpoch(t: number): number;
}

/** The real clock: performance.now(), setTimeout, and performance.timeOrigin for epoch time. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleepUntil(t) {
    const wait = t - performance.now();
    return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
  },
  toEpoch: (t) => performance.timeOrigin + t,
};

/** Now, as epoch ms with sub-millisecond precision: comparable across processes on one host. */
export const epochNow = (): number => systemClock.toEpoch(systemClock.now());
