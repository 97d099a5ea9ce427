/**
 * The soak's evidence: memory against completed sessions. One point per completed session (not one
 * per sampler tick: neighbouring ticks are autocorrelated, and the question is "how much per
 * session"), read from the first worker sample after the session ended. Pure.
 */
import { mean } from '../../results/stats.js';
import type { SoakPoint } from '../../results/workers.js';
import type { WorkersInput, WorkerUsage } from './types.js';

/** The first usage sample at or after `at`, per worker; null when some worker has none yet. */
function after(usage: readonly WorkerUsage[], at: number): WorkerUsage | null {
  return usage.find((u) => u.at >= at) ?? null;
}

/**
 * The points: for the k-th completed session (by end time; sessions cut by the run's end are left
 * out), the workers' own memory — PSS of the main and inference processes — and the mean PSS of a
 * busy job process. Left out: warm idle job processes (their number changes as the pool refills) and
 * Python's forkserver, whose PSS swings by tens of MB as its forked children come and go (PSS divides
 * the pages it shares with them); neither runs the application's code.
 */
export function soakPoints(input: WorkersInput, t0: number): SoakPoint[] {
  const ends = input.sessions.flatMap((s) => (s.endedAt !== null && s.jobAt !== null && s.userLeftAt !== null && !s.lost ? [s.endedAt] : [])).sort((a, b) => a - b);
  const points: SoakPoint[] = [];
  ends.forEach((at, k) => {
    const us = input.workers.map((w) => after(w.usage, at));
    if (us.some((u) => u === null || u.main.pssBytes === null)) return;
    const fixed = us.reduce((n, u) => n + u!.main.pssBytes! + (u!.inference.pssBytes ?? 0), 0);
    const jobs = us.flatMap((u) => (u!.busy.processes > 0 && u!.busy.pssBytes !== null ? [u!.busy.pssBytes / u!.busy.processes] : []));
    points.push({ completed: k + 1, atS: (at - t0) / 1000, fixedPssBytes: fixed, jobPssBytes: mean(jobs) });
  });
  return points;
}
