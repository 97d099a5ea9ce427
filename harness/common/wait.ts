/** Resolves after `ms`, or early when the signal aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
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
