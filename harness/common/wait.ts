/** Timer functions a sleep schedules with (the global ones, or a test's virtual clock). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const globalTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

/** Resolves after `ms` on `timers`, or early when the signal aborts. Never rejects. */
export function sleepWith(timers: Timers, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const handle = timers.setTimeout(done, Math.max(0, ms));
    function done() {
      timers.clearTimeout(handle);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Resolves after `ms`, or early when the signal aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepWith(globalTimers, ms, signal);
}

/** Polls `ready` every 100 ms; true once it holds, false on timeout or abort. */
export async function waitFor(ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (signal?.aborted || performance.now() >= deadline) return false;
    await sleep(100, signal);
  }
  return true;
}
