/**
 * The clock and timers the run core schedules with, injected so a test can drive a whole run in
 * virtual time (no sleeping) and production uses the real ones.
 */
import { performance } from 'node:perf_hooks';
import { sleepWith } from '../common/wait.js';

/** Monotonic and wall time, and timers. Compatible with the sample recorder's clock and timers. */
export interface RunClock {
  /** Monotonic ms (performance.now()). */
  now(): number;
  /** Ms since the epoch (Date.now()). */
  wall(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const realClock: RunClock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Resolves after `ms` on `clock`, or early when the signal aborts. Never rejects. */
export function sleepOn(clock: RunClock, ms: number, signal?: AbortSignal): Promise<void> {
  return sleepWith(clock, ms, signal);
}
