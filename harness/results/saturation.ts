/**
 * The one saturation rule, used by the run's validity, the step judgement and every report: the
 * host's mean system CPU at or above 90 % of its cores. A mean, not a p95: one busy second (a join
 * burst) does not cap a window's costs, a host that stays full does.
 */

/** System CPU at or above this share of the host's cores counts as saturated. */
export const SATURATION_SHARE = 0.9;

/** Whether a mean system CPU of `meanCores` saturated a host of `hostCores` (false when unknown). */
export function isSaturated(meanCores: number | null | undefined, hostCores: number): boolean {
  return meanCores != null && meanCores >= SATURATION_SHARE * hostCores;
}
