/**
 * cost = base + perSession × n by ordinary least squares over the steady steps' (sessions, mean
 * cost) points, with Student-t intervals for both coefficients and for the mean cost at any n.
 *
 * One point per step rather than one per sample: samples within a step are autocorrelated, so
 * treating them as independent would give intervals far narrower than the evidence supports;
 * between-step scatter is what says how well a straight line describes the cost.
 */
import { studentTQuantile } from '../results/student-t.js';
import type { LinearFit } from './types.js';

/** The confidence level of every interval in the model. */
export const CONFIDENCE = 0.95;

export interface FitPoint { sessions: number; value: number }

interface Moments { n: number; xBar: number; yBar: number; sxx: number; sxy: number; syy: number }

function moments(points: readonly FitPoint[]): Moments {
  const n = points.length;
  const xBar = points.reduce((a, p) => a + p.sessions, 0) / n;
  const yBar = points.reduce((a, p) => a + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dx = p.sessions - xBar;
    const dy = p.value - yBar;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  return { n, xBar, yBar, sxx, sxy, syy };
}

/** Two-sided Student-t critical value for `confidence` with `df` degrees of freedom. */
export function tCritical(confidence: number, df: number): number {
  return studentTQuantile(1 - (1 - confidence) / 2, df);
}

/**
 * The OLS line through `points`. Null when fewer than two distinct session counts (no line is
 * determined). Intervals, r² and the residual sd need at least three points (n − 2 ≥ 1 degrees of
 * freedom) and are null below that.
 */
export function fitLine(points: readonly FitPoint[], confidence = CONFIDENCE): LinearFit | null {
  if (points.length < 2) return null;
  const m = moments(points);
  if (m.sxx === 0) return null;
  const perSession = m.sxy / m.sxx;
  const base = m.yBar - perSession * m.xBar;
  const sse = points.reduce((a, p) => a + (p.value - base - perSession * p.sessions) ** 2, 0);
  const df = m.n - 2;
  const fit: LinearFit = {
    base, perSession, perSessionCi: null, baseCi: null, confidence,
    points: points.map((p) => ({ sessions: p.sessions, value: p.value })),
    r2: null, residualSd: null, method: 'ols',
  };
  if (df < 1) return fit;
  const s = Math.sqrt(sse / df);
  const t = tCritical(confidence, df);
  const seSlope = s / Math.sqrt(m.sxx);
  const seBase = s * Math.sqrt(1 / m.n + (m.xBar * m.xBar) / m.sxx);
  fit.perSessionCi = [perSession - t * seSlope, perSession + t * seSlope];
  fit.baseCi = [base - t * seBase, base + t * seBase];
  fit.residualSd = s;
  fit.r2 = m.syy === 0 ? null : 1 - sse / m.syy;
  return fit;
}

/**
 * The fallback for a single steady step: cost proportional to sessions (base 0). It charges the
 * base cost to the sessions, so it overstates the per-session cost: conservative for sizing.
 */
export function fitProportional(point: FitPoint, confidence = CONFIDENCE): LinearFit | null {
  if (point.sessions <= 0) return null;
  return {
    base: 0, perSession: point.value / point.sessions, perSessionCi: null, baseCi: null, confidence,
    points: [{ sessions: point.sessions, value: point.value }], r2: null, residualSd: null, method: 'proportional',
  };
}

/** The fitted mean cost at `sessions`. */
export function predict(fit: LinearFit, sessions: number): number {
  return fit.base + fit.perSession * sessions;
}

/**
 * The confidence interval of the mean cost as a function of sessions (not of one new observation):
 * ŷ ± t · s · √(1/n + (x − x̄)² / Sxx). Null when the fit has no interval.
 */
function bandOf(fit: LinearFit): ((sessions: number) => [number, number]) | null {
  if (fit.residualSd === null || fit.method === 'proportional') return null;
  const m = moments(fit.points);
  const ts = tCritical(fit.confidence, m.n - 2) * fit.residualSd;
  return (x) => {
    const half = ts * Math.sqrt(1 / m.n + (x - m.xBar) ** 2 / m.sxx);
    const y = predict(fit, x);
    return [y - half, y + half];
  };
}

/** The confidence interval of the mean cost at `sessions`; null when the fit has no interval. */
export function meanBand(fit: LinearFit, sessions: number): [number, number] | null {
  return bandOf(fit)?.(sessions) ?? null;
}

/**
 * The most sessions whose cost stays at or under `limit`: floor((limit − base) / perSession),
 * never below 0. Infinity when cost does not grow with sessions (the limit never binds).
 */
export function maxSessionsUnder(fit: LinearFit, limit: number): number {
  if (!(fit.perSession > 0)) return limit >= fit.base ? Infinity : 0;
  return Math.max(0, Math.floor((limit - fit.base) / fit.perSession + 1e-9));
}

/**
 * The same bound read off the interval band of the mean: the most sessions whose upper
 * (conservative) or lower (optimistic) bound stays at or under `limit`. Null without an interval;
 * Infinity when the optimistic side never reaches the limit (the slope's interval includes 0).
 * The upper bound is convex in n, so the sessions under the limit form one run, ending at or
 * below the point answer: scan down from there. The lower bound rises with n once the slope's
 * interval is above 0, so bisect.
 */
export function maxSessionsUnderBand(fit: LinearFit, limit: number, side: 'upper' | 'lower'): number | null {
  const band = bandOf(fit);
  if (band === null || fit.perSessionCi === null) return null;
  const point = maxSessionsUnder(fit, limit);
  if (side === 'upper') {
    if (!Number.isFinite(point)) return null;
    for (let n = point; n >= 1; n--) if (band(n)[1] <= limit) return n;
    return 0;
  }
  if (fit.perSessionCi[0] <= 0) return Infinity;
  let lo = 0;
  let hi = Math.max(1, point);
  while (band(hi)[0] <= limit) hi *= 2;
  if (band(lo)[0] > limit) return 0;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (band(mid)[0] <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}
