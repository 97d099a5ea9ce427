/**
 * Does it leak? Memory against completed sessions, fitted as a line (OLS, Student-t interval of the
 * slope): the slope is the memory each session leaves behind. A leak is reported when the whole
 * interval lies above a floor too small to matter (allocator noise); otherwise the interval's top
 * says how large a leak this run could have missed.
 */
import type { SoakPoint } from '../results/workers.js';
import { CONFIDENCE, fitLine } from './fit.js';

const MB = 1024 ** 2;
/** Below this per session (10 MB per 100 sessions) growth is not called a leak. */
export const LEAK_FLOOR_BYTES = 0.1 * MB;
/** Fewer completed sessions than this (after the warm-up share) and no verdict is given. */
const MIN_POINTS = 6;
/** The first completed sessions are warm-up (lazy imports, caches, allocator arenas): left out of the fit. */
const WARMUP_SHARE = 0.2;

/** The verdict on one memory series. MB per 100 sessions throughout. */
export interface LeakVerdict {
  series: 'worker' | 'job';
  points: number;
  mbPer100: number | null;
  ci: [number, number] | null;
  leaks: boolean;
  text: string;
}

/**
 * Judges one series of soak points: `worker` (the workers' own memory) or `job` (a busy job
 * process's mean PSS). Pure.
 */
export function judgeLeak(all: readonly SoakPoint[], series: 'worker' | 'job'): LeakVerdict {
  const pick = (p: SoakPoint) => (series === 'worker' ? p.fixedPssBytes : p.jobPssBytes);
  const usable = all.filter((p) => pick(p) !== null);
  const points = usable.slice(Math.floor(usable.length * WARMUP_SHARE));
  const fit = points.length >= MIN_POINTS ? fitLine(points.map((p) => ({ sessions: p.completed, value: pick(p)! }))) : null;
  if (!fit || !fit.perSessionCi) {
    return { series, points: points.length, mbPer100: null, ci: null, leaks: false, text: `not judged: ${points.length} completed sessions after warm-up, at least ${MIN_POINTS} needed` };
  }
  const per100 = (b: number) => (b * 100) / MB;
  const ci: [number, number] = [per100(fit.perSessionCi[0]), per100(fit.perSessionCi[1])];
  const mbPer100 = per100(fit.perSession);
  const leaks = fit.perSessionCi[0] > LEAK_FLOOR_BYTES;
  const pct = Math.round(CONFIDENCE * 100);
  const text = leaks
    ? `leaks ${mbPer100.toFixed(1)} MB per 100 sessions [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}] (${pct}% interval, ${points.length} sessions)`
    : `no leak above ${Math.max(ci[1], per100(LEAK_FLOOR_BYTES)).toFixed(1)} MB per 100 sessions detectable in this run (slope ${mbPer100.toFixed(1)} [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}], ${pct}% interval, ${points.length} sessions)`;
  return { series, points: points.length, mbPer100, ci, leaks, text };
}
