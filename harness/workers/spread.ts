import { max, percentile } from '../results/stats.js';

/** p50 / p95 / max of a series, null fields when it is empty. */
export interface Spread { p50: number | null; p95: number | null; max: number | null }

export function spread(xs: readonly number[]): Spread {
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), max: max(xs) };
}
