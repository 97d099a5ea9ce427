/**
 * Does it leak? Memory against completed sessions, fitted as a line (OLS, Student-t interval of the
 * slope): the slope is the memory each session leaves behind. A leak is reported when the whole
 * interval lies above a floor too small to matter (allocator noise); otherwise the interval's top
 * says how large a leak this run could have missed. The floor grows for short soaks (MIN_GROWTH_BYTES).
 *
 * Memory moves in steps (allocator arenas, a reused job process that grows until a fresh one
 * replaces it), so neighbouring points are alike and are not independent draws: plain OLS counts
 * a staircase of 30 points as 30 witnesses and gives an interval too narrow to trust (a short soak
 * without a leak was flagged). The interval is widened for the residuals' lag-1 autocorrelation ρ:
 * the slope's standard error by √((1+ρ)/(1−ρ)), the degrees of freedom from the effective number
 * of points n(1−ρ)/(1+ρ) (the AR(1) correction, autocorr.ts).
 */
import type { SoakPoint } from '../results/workers.js';
import { ar1Correction, lag1Rho } from './autocorr.js';
import { CONFIDENCE, fitLine, tCritical } from './fit.js';
import type { LinearFit } from './types.js';

const MB = 1024 ** 2;
/** Below this per session (10 MB per 100 sessions) growth is not called a leak. */
export const LEAK_FLOOR_BYTES = 0.1 * MB;
/**
 * Nor is growth that adds less than this over the judged sessions: memory moves in steps of about a
 * MB (the worker) to tens of MB (a reused job process) without any leak, and a short soak cannot tell
 * two such steps from a slope. Over 24 sessions this asks for 67 MB per 100; from 160 sessions on,
 * the floor above is the stricter.
 */
export const MIN_GROWTH_BYTES = 16 * MB;
/** Fewer completed sessions than this (after the warm-up share) and no verdict is given. */
const MIN_POINTS = 6;
/** The first completed sessions are warm-up (lazy imports, caches, allocator arenas): left out of the fit. */
const WARMUP_SHARE = 0.2;
/** Lag-1 autocorrelation of the residuals of `fit`, in [0, MAX_RHO]. */
function residualRho(fit: LinearFit): number {
  return lag1Rho(fit.points.map((p) => p.value - fit.base - fit.perSession * p.sessions));
}

/** The slope's interval widened for autocorrelated residuals (see the file's note). */
function widenedCi(fit: LinearFit, rho: number): [number, number] {
  const [lo, hi] = fit.perSessionCi!;
  const se = (hi - lo) / 2 / tCritical(fit.confidence, fit.points.length - 2);
  const c = ar1Correction(fit.points.length, rho);
  const half = tCritical(fit.confidence, c.df) * se * c.seScale;
  return [fit.perSession - half, fit.perSession + half];
}

/** The verdict on one memory series. MB per 100 sessions throughout. */
export interface LeakVerdict {
  series: 'worker' | 'job';
  points: number;
  mbPer100: number | null;
  ci: [number, number] | null;
  /** Lag-1 autocorrelation of the fit's residuals, which widened the interval (0 when none). */
  rho: number | null;
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
    return { series, points: points.length, mbPer100: null, ci: null, rho: null, leaks: false, text: `not judged: ${points.length} completed sessions after warm-up, at least ${MIN_POINTS} needed` };
  }
  const per100 = (b: number) => (b * 100) / MB;
  const rho = residualRho(fit);
  const bytesCi = widenedCi(fit, rho);
  const ci: [number, number] = [per100(bytesCi[0]), per100(bytesCi[1])];
  const mbPer100 = per100(fit.perSession);
  const span = points[points.length - 1]!.completed - points[0]!.completed;
  const floor = Math.max(LEAK_FLOOR_BYTES, MIN_GROWTH_BYTES / span);
  const leaks = bytesCi[0] > floor;
  const pct = `${Math.round(CONFIDENCE * 100)}% interval${rho > 0 ? `, widened for autocorrelation ρ=${rho.toFixed(2)}` : ''}`;
  const text = leaks
    ? `leaks ${mbPer100.toFixed(1)} MB per 100 sessions [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}] (${pct}, ${points.length} sessions)`
    : `no leak above ${Math.max(ci[1], per100(floor)).toFixed(1)} MB per 100 sessions detectable in this run (slope ${mbPer100.toFixed(1)} [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}], ${pct}, ${points.length} sessions)`;
  return { series, points: points.length, mbPer100, ci, rho, leaks, text };
}
