import { epochNow } from '../../media/clock.js';

/** One probe of a worker's health server: `/` (health) and `/worker` (what it says of itself). */
export interface HealthProbe {
  worker: number;
  /** Epoch ms the probe was sent. */
  at: number;
  /** HTTP status of `/`; null when nothing answered (refused, timed out). */
  status: number | null;
  /** Round trip of `/`, ms; null when nothing answered. */
  latencyMs: number | null;
  /** The body of `/` ("OK", "not connected to livekit", ...) or the error, cut short. */
  message: string;
  /** `active_jobs` from `/worker`; null when it did not answer with JSON. */
  activeJobs: number | null;
}

const TIMEOUT_MS = 1000;

async function get(url: string): Promise<{ status: number; body: string; ms: number } | { error: string }> {
  const t = performance.now();
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await r.text();
    return { status: r.status, body, ms: performance.now() - t };
  } catch (err) {
    return { error: (err as Error).name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message) };
  }
}

/** Probes one worker once: `/` then `/worker`, as LiveKit's deployment page describes them. */
export async function probeWorker(worker: number, port: number): Promise<HealthProbe> {
  const at = epochNow();
  const base = `http://127.0.0.1:${port}`;
  const health = await get(`${base}/`);
  let activeJobs: number | null = null;
  const info = await get(`${base}/worker`);
  if ('body' in info && info.status === 200) {
    try {
      const v = (JSON.parse(info.body) as { active_jobs?: unknown }).active_jobs;
      activeJobs = typeof v === 'number' ? v : null;
    } catch {
      activeJobs = null;
    }
  }
  if ('error' in health) return { worker, at, status: null, latencyMs: null, message: health.error.slice(0, 120), activeJobs };
  return { worker, at, status: health.status, latencyMs: health.ms, message: health.body.slice(0, 120), activeJobs };
}

/**
 * Probes every worker's health port once a second for the whole run, so a report can show what a
 * load balancer or Kubernetes would have seen: answers, their latency, and the jobs each claims.
 */
export class HealthProber {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(private readonly targets: () => { worker: number; port: number }[], private readonly record: (p: HealthProbe) => void, private readonly everyMs = 1000) {}

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight = Promise.all(this.targets().map((t) => probeWorker(t.worker, t.port).then(this.record)));
    }, this.everyMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }
}
