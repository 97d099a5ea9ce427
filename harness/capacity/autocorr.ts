/**
 * The AR(1) correction for least-squares on series whose neighbouring points are alike (one-second
 * CPU samples with slow waves in them, memory that moves in steps): plain OLS takes n such points
 * as n independent draws, so its standard errors are too small and noise reads as a trend. With ρ
 * the residuals' lag-1 autocorrelation, the standard error grows by √((1+ρ)/(1−ρ)) and the degrees
 * of freedom follow the effective number of points n(1−ρ)/(1+ρ). ρ < 0 is taken as 0.
 */

/** ρ is capped here: nearer 1 the correction has no finite answer. */
export const MAX_RHO = 0.9;

/** Lag-1 autocorrelation of residuals (in order), in [0, MAX_RHO]; 0 when they are all zero. */
export function lag1Rho(residuals: readonly number[]): number {
  const ss = residuals.reduce((a, e) => a + e * e, 0);
  if (ss === 0) return 0;
  let lag = 0;
  for (let i = 1; i < residuals.length; i++) lag += residuals[i]! * residuals[i - 1]!;
  return Math.min(MAX_RHO, Math.max(0, lag / ss));
}

/** How an OLS standard error and its degrees of freedom change for `n` points with residual autocorrelation `rho`. */
export function ar1Correction(n: number, rho: number): { seScale: number; df: number } {
  const nEff = (n * (1 - rho)) / (1 + rho);
  return { seScale: Math.sqrt((1 + rho) / (1 - rho)), df: Math.max(1, nEff - 2) };
}
