/**
 * Descriptive statistics over plain arrays of numbers.
 *
 * Every function returns null for an empty array rather than 0: a zero would
 * read as "measured, and it was zero", which is a different statement from
 * "nothing was measured".
 */

/** Mean, 95th percentile and maximum of a series. */
export interface Summary3 { mean: number; p95: number; max: number }
/** Mean and maximum of a series. */
export interface Summary2 { mean: number; max: number }

/** Arithmetic mean, or null for an empty array. */
export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Largest value, or null for an empty array. */
export function max(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/**
 * The p-th percentile (p in 0..100) by linear interpolation between the
 * closest ranks of the sorted values — numpy's default ("linear") method:
 * rank h = (n - 1) * p / 100, result = x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
 * Null for an empty array. The input is not modified.
 */
export function percentile(xs: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be within 0..100, got ${p}`);
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const below = sorted[lo] as number;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return below + (h - lo) * (above - below);
}

/** Mean, 95th percentile and maximum, or null for an empty array. */
export function summary3(xs: readonly number[]): Summary3 | null {
  const m = mean(xs);
  const p95 = percentile(xs, 95);
  const top = max(xs);
  if (m === null || p95 === null || top === null) return null;
  return { mean: m, p95, max: top };
}

/** Mean and maximum, or null for an empty array. */
export function summary2(xs: readonly number[]): Summary2 | null {
  const m = mean(xs);
  const top = max(xs);
  if (m === null || top === null) return null;
  return { mean: m, max: top };
}

/** p50 / p95 / max of a series; null fields when it is empty. */
export interface Spread { p50: number | null; p95: number | null; max: number | null }

/** The Spread of a series. */
export function spread(xs: readonly number[]): Spread {
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: max(xs) };
}
