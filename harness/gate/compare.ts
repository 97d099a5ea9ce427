/**
 * Baseline comparison of one metric: the relative change of the current runs' mean against the
 * baseline runs' mean, a Student-t confidence interval of that change, and a verdict that is only
 * "regressed" or "improved" when the whole interval lies beyond the tolerance, "inconclusive" when
 * it straddles the tolerance on the worse side (the runs can tell neither way), and "no significant
 * change" only when no regression beyond the tolerance fits the interval. Pure.
 *
 * The interval (documented in the README, "Performance gates"):
 * - both sides with ≥ 2 runs: Welch's interval for the difference of means,
 *   se = √(s_b²/m + s_c²/n), df by Welch–Satterthwaite;
 * - one side with a single run: that run's spread is taken to be the other side's,
 *   se = s·√(1/m + 1/n), df = (runs on the other side) − 1;
 * - one run on each side: no interval; the point change alone decides.
 * The difference interval is divided by |baseline mean| (its own uncertainty is not carried, which
 * is fair while the baseline's spread is small beside its mean). A zero baseline mean makes any
 * non-zero change infinite in the direction of its sign.
 */
import type { Better } from '../results/metrics.js';
import { studentTQuantile } from '../results/student-t.js';

/** What became of one compared metric. */
export type Verdict = 'regressed' | 'improved' | 'inconclusive' | 'no significant change' | 'missing';

/** Mean and sample standard deviation (n − 1); sd is null for fewer than two values. */
export function meanSd(xs: readonly number[]): { n: number; mean: number; sd: number | null } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, sd: null };
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { n, mean, sd: Math.sqrt(ss / (n - 1)) };
}

/** A confidence interval of current mean − baseline mean. */
export interface DiffInterval {
  diff: number;
  lo: number;
  hi: number;
  se: number;
  df: number;
  method: 'welch' | 'one-sided spread';
}

/** The interval of the difference of means at `confidence` (two-sided), or null with one run on each side. */
export function diffInterval(base: readonly number[], cur: readonly number[], confidence: number): DiffInterval | null {
  const b = meanSd(base);
  const c = meanSd(cur);
  const diff = c.mean - b.mean;
  let se: number;
  let df: number;
  let method: DiffInterval['method'];
  if (b.sd !== null && c.sd !== null) {
    const vb = b.sd ** 2 / b.n;
    const vc = c.sd ** 2 / c.n;
    se = Math.sqrt(vb + vc);
    // Identical runs on both sides: no spread, so the interval is the point.
    df = vb + vc === 0 ? b.n + c.n - 2 : (vb + vc) ** 2 / (vb ** 2 / (b.n - 1) + vc ** 2 / (c.n - 1));
    method = 'welch';
  } else if (b.sd !== null || c.sd !== null) {
    const known = b.sd !== null ? b : c;
    se = (known.sd as number) * Math.sqrt(1 / b.n + 1 / c.n);
    df = known.n - 1;
    method = 'one-sided spread';
  } else {
    return null;
  }
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * se;
  return { diff, lo: diff - half, hi: diff + half, se, df, method };
}

/** x as a share of |ref|; with ref 0, ±∞ by the sign of x (0 stays 0). */
export function relative(x: number, ref: number): number {
  if (ref !== 0) return x / Math.abs(ref);
  return x > 0 ? Infinity : x < 0 ? -Infinity : 0;
}

/** One metric compared with its baseline. */
export interface Comparison {
  metric: string;
  better: Exclude<Better, 'none'>;
  tolerance: number;
  confidence: number;
  baseline: { values: (number | null)[]; mean: number | null };
  current: { values: (number | null)[]; mean: number | null };
  /** Relative change of the means, current against baseline (0.1 = 10 % higher); null when missing. */
  change: number | null;
  /** The relative change's confidence interval; null with one run on each side, or when missing. */
  interval: { lo: number; hi: number; df: number; method: DiffInterval['method'] } | null;
  verdict: Verdict;
  /** Why the verdict is what it is, in a few words. */
  note: string;
}

/**
 * The verdict for a relative interval [lo, hi] against tolerance τ (lo = hi = the change when there
 * is no interval): wholly beyond τ on the worse side, regressed; on the better side, improved;
 * reaching past τ on the worse side without lying wholly beyond it, inconclusive; else no
 * significant change.
 */
export function verdictFor(lo: number, hi: number, better: 'lower' | 'higher', tolerance: number): Verdict {
  const worse = better === 'lower' ? lo > tolerance : hi < -tolerance;
  const nicer = better === 'lower' ? hi < -tolerance : lo > tolerance;
  const mayBeWorse = better === 'lower' ? hi > tolerance : lo < -tolerance;
  return worse ? 'regressed' : nicer ? 'improved' : mayBeWorse ? 'inconclusive' : 'no significant change';
}

function missing(base: Comparison['baseline'], cur: Comparison['current']): string | null {
  if (base.values.length === 0) return 'the baseline has no value for it: save the baseline again';
  const b = base.values.indexOf(null);
  if (b >= 0) return `null (not measured) in baseline run ${b + 1}: save the baseline on a host that measures it`;
  const c = cur.values.indexOf(null);
  if (c >= 0) return `null (not measured) in run ${c + 1}`;
  return null;
}

/** Compares one metric's current runs with its baseline runs. A value missing on either side fails ('missing'). */
export function compareMetric(
  metric: string, better: 'lower' | 'higher', base: (number | null)[], cur: (number | null)[], tolerance: number, confidence: number,
): Comparison {
  const avg = (xs: (number | null)[]) => (xs.length > 0 && xs.every((x) => x !== null) ? meanSd(xs as number[]).mean : null);
  const baseline = { values: base, mean: avg(base) };
  const current = { values: cur, mean: avg(cur) };
  const common = { metric, better, tolerance, confidence, baseline, current };
  const gone = missing(baseline, current);
  if (gone !== null || baseline.mean === null || current.mean === null) {
    return { ...common, change: null, interval: null, verdict: 'missing', note: gone ?? 'no value' };
  }
  const change = relative(current.mean - baseline.mean, baseline.mean);
  const d = diffInterval(base as number[], cur as number[], confidence);
  const lo = d ? relative(d.lo, baseline.mean) : change;
  const hi = d ? relative(d.hi, baseline.mean) : change;
  const verdict = verdictFor(lo, hi, better, tolerance);
  const interval = d ? { lo, hi, df: d.df, method: d.method } : null;
  return { ...common, change, interval, verdict, note: noteFor(verdict, d !== null, lo, hi, tolerance) };
}

function noteFor(verdict: Verdict, hasInterval: boolean, lo: number, hi: number, tolerance: number): string {
  const what = hasInterval ? 'the interval' : 'the change (one run each side, no interval)';
  if (verdict === 'regressed') return `${what} lies wholly beyond the tolerance, on the worse side`;
  if (verdict === 'improved') return `${what} lies wholly beyond the tolerance, on the better side`;
  if (verdict === 'inconclusive') return `${what} reaches past the tolerance on the worse side: a regression can be neither called nor ruled out; more runs would narrow it`;
  if (lo >= -tolerance && hi <= tolerance) return `${what} lies within the tolerance`;
  return `${what} reaches past the tolerance on the better side only: no regression`;
}

/**
 * The smallest relative regression the gate calls when the runs come out typical: the observed
 * change must exceed the tolerance by t·se, with se = cv·√(1/m + 1/n) for run-to-run spread `cv`
 * (sd as a share of the mean) on both sides, m baseline and n current runs, df as Welch gives for
 * equal spreads. A true change of exactly this size is called about half the time; larger, more often.
 * Null with one run on each side (no interval: the tolerance alone decides).
 */
export function smallestCallable(cv: number, m: number, n: number, tolerance: number, confidence: number): number | null {
  if (m < 1 || n < 1 || (m < 2 && n < 2)) return null;
  const a = 1 / m;
  const b = 1 / n;
  let df: number;
  if (m >= 2 && n >= 2) df = (a + b) ** 2 / (a ** 2 / (m - 1) + b ** 2 / (n - 1));
  else df = Math.max(m, n) - 1;
  return tolerance + studentTQuantile(1 - (1 - confidence) / 2, df) * cv * Math.sqrt(a + b);
}
