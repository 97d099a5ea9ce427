import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lnGamma, regularizedBeta, studentTCdf, studentTQuantile } from '../harness/results/student-t.js';
import { fitLine, fitProportional, maxSessionsUnder, maxSessionsUnderBand, meanBand, predict, tCritical } from '../harness/capacity/fit.js';

function near(actual: number | null | undefined, expected: number, tol: number, what: string): void {
  assert.ok(actual != null && Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected} (±${tol})`);
}

test('t quantiles: closed forms for 1 and 2 degrees of freedom', () => {
  // df 1 is the Cauchy distribution: t = tan(π (p − ½)). df 2: t = (2p − 1) / √(2 p (1 − p)).
  for (const p of [0.6, 0.9, 0.95, 0.975, 0.995]) {
    near(studentTQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-9 * Math.tan(Math.PI * (p - 0.5)), `df 1, p ${p}`);
    near(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-10, `df 2, p ${p}`);
  }
});

test('t quantiles: the published two-sided 95 % table, and the normal limit', () => {
  // Critical values of Student's t at 0.975 (two-sided 95 %), as printed in standard tables.
  const table: Array<[number, number]> = [
    [3, 3.182446305], [4, 2.776445105], [5, 2.570581836], [6, 2.446911851], [8, 2.306004135],
    [10, 2.228138852], [20, 2.085963447], [30, 2.042272456], [120, 1.979930405],
  ];
  for (const [df, t] of table) near(studentTQuantile(0.975, df), t, 1e-8, `t(0.975, ${df})`);
  near(studentTQuantile(0.95, 5), 2.015048373, 1e-8, 't(0.95, 5)');
  near(studentTQuantile(0.995, 10), 3.169272673, 1e-8, 't(0.995, 10)');
  near(studentTQuantile(0.975, 1e7), 1.959963985, 1e-6, 'normal limit');
  near(tCritical(0.95, 4), 2.776445105, 1e-8, 'tCritical(95 %, 4)');
  // Symmetry and the median.
  assert.equal(studentTQuantile(0.5, 7), 0);
  near(studentTQuantile(0.025, 4), -2.776445105, 1e-8, 'lower tail');
  // Non-integer df (Welch-style) lies between its neighbours.
  const mid = studentTQuantile(0.975, 4.5);
  assert.ok(mid < 2.776445105 && mid > 2.570581836);
});

test('t CDF and its parts against hand values', () => {
  near(studentTCdf(0, 3), 0.5, 1e-15, 'cdf(0)');
  near(studentTCdf(1, 1), 0.75, 1e-12, 'Cauchy cdf(1) = 3/4');
  near(studentTCdf(-1, 1), 0.25, 1e-12, 'Cauchy cdf(−1) = 1/4');
  near(studentTCdf(2.776445105, 4), 0.975, 1e-9, 'cdf at the table value');
  near(lnGamma(5), Math.log(24), 1e-12, 'lnΓ(5) = ln 24');
  near(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12, 'lnΓ(½) = ln √π');
  // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b.
  near(regularizedBeta(0.3, 1, 1), 0.3, 1e-14, 'I(1,1)');
  near(regularizedBeta(0.3, 3, 1), 0.027, 1e-14, 'I(3,1)');
  near(regularizedBeta(0.3, 1, 4), 1 - 0.7 ** 4, 1e-14, 'I(1,4)');
  assert.throws(() => studentTQuantile(1, 3), RangeError);
  assert.throws(() => studentTQuantile(0.9, 0), RangeError);
  assert.throws(() => regularizedBeta(1.5, 1, 1), RangeError);
});

/*
 * The hand-computed fit. Points (5, 1.0), (10, 1.9), (15, 3.1), (20, 3.9):
 *   x̄ = 12.5, ȳ = 2.475, Sxx = 125, Sxy = 24.75, Syy = 4.9275
 *   slope = 24.75 / 125 = 0.198, base = 2.475 − 0.198·12.5 = 0
 *   residuals 0.01, −0.08, 0.13, −0.06 → SSE = 0.027, s² = 0.027 / 2 = 0.0135
 *   se(slope) = √(0.0135 / 125), se(base) = √(0.0135 · (1/4 + 12.5²/125)) = √(0.0135 · 1.5)
 *   t(0.975, 2) = 4.302652729749464; r² = 1 − 0.027 / 4.9275
 */
const HAND = [{ sessions: 5, value: 1.0 }, { sessions: 10, value: 1.9 }, { sessions: 15, value: 3.1 }, { sessions: 20, value: 3.9 }];
const T2 = 4.302652729749464;

test('fitLine: the hand-computed table, slope, base, intervals, r²', () => {
  const fit = fitLine(HAND);
  assert.ok(fit);
  near(fit.perSession, 0.198, 1e-12, 'slope');
  near(fit.base, 0, 1e-12, 'base');
  const seSlope = Math.sqrt(0.0135 / 125);
  const seBase = Math.sqrt(0.0135 * 1.5);
  near(fit.perSessionCi?.[0], 0.198 - T2 * seSlope, 1e-9, 'slope CI low');
  near(fit.perSessionCi?.[1], 0.198 + T2 * seSlope, 1e-9, 'slope CI high');
  near(fit.baseCi?.[0], -T2 * seBase, 1e-9, 'base CI low');
  near(fit.baseCi?.[1], T2 * seBase, 1e-9, 'base CI high');
  near(fit.residualSd, Math.sqrt(0.0135), 1e-12, 'residual sd');
  near(fit.r2, 1 - 0.027 / 4.9275, 1e-12, 'r²');
  assert.equal(fit.confidence, 0.95);
  assert.equal(fit.method, 'ols');
  assert.deepEqual(fit.points, HAND);
  // The mean band at x̄ is ŷ ± t·s·√(1/n); at x = 0 it is the base's interval.
  const band = meanBand(fit, 12.5);
  near(band?.[0], 2.475 - T2 * Math.sqrt(0.0135) * 0.5, 1e-9, 'band at x̄, low');
  near(band?.[1], 2.475 + T2 * Math.sqrt(0.0135) * 0.5, 1e-9, 'band at x̄, high');
  near(meanBand(fit, 0)?.[1], fit.baseCi?.[1] as number, 1e-12, 'band at 0 = base CI');
  near(predict(fit, 30), 5.94, 1e-12, 'prediction');
});

test('fitLine: too few points or one session count', () => {
  assert.equal(fitLine([]), null);
  assert.equal(fitLine([{ sessions: 5, value: 1 }]), null);
  assert.equal(fitLine([{ sessions: 5, value: 1 }, { sessions: 5, value: 1.2 }]), null, 'Sxx = 0: no line');
  const two = fitLine([{ sessions: 2, value: 0.5 }, { sessions: 6, value: 1.3 }]);
  assert.ok(two);
  near(two.perSession, 0.2, 1e-12, 'two points: slope');
  near(two.base, 0.1, 1e-12, 'two points: base');
  assert.equal(two.perSessionCi, null, 'no interval with 0 degrees of freedom');
  assert.equal(two.residualSd, null);
  assert.equal(meanBand(two, 3), null);
  assert.equal(maxSessionsUnderBand(two, 2, 'upper'), null);
  // A perfect line has a zero-width interval.
  const exact = fitLine([{ sessions: 1, value: 2 }, { sessions: 2, value: 3 }, { sessions: 3, value: 4 }]);
  assert.deepEqual(exact?.perSessionCi, [1, 1]);
});

test('fitProportional: value / sessions, base 0', () => {
  const f = fitProportional({ sessions: 4, value: 0.6 });
  assert.equal(f?.method, 'proportional');
  near(f?.perSession, 0.15, 1e-12, 'per session');
  assert.equal(f?.base, 0);
  assert.equal(fitProportional({ sessions: 0, value: 0.1 }), null);
});

test('maxSessionsUnder and its interval band', () => {
  const fit = fitLine(HAND);
  assert.ok(fit);
  // ⌊(2.8 − 0) / 0.198⌋ = ⌊14.14⌋ = 14.
  assert.equal(maxSessionsUnder(fit, 2.8), 14);
  // An exact hit counts: 0.198 · 10 = 1.98.
  assert.equal(maxSessionsUnder(fit, 1.98), 10);
  assert.equal(maxSessionsUnder({ ...fit, base: 3 }, 2.8), 0, 'the base alone is over the limit');
  assert.equal(maxSessionsUnder({ ...fit, perSession: 0, base: 1 }, 2.8), Infinity, 'flat cost never binds');
  // The conservative side (upper band) allows fewer, the optimistic side more, the point lies between.
  const lo = maxSessionsUnderBand(fit, 2.8, 'upper');
  const hi = maxSessionsUnderBand(fit, 2.8, 'lower');
  assert.ok(lo !== null && hi !== null);
  assert.ok(lo < 14 && hi > 14, `${lo} < 14 < ${hi}`);
  // By hand at n = lo: the upper band is under the limit; at lo + 1 it is over.
  assert.ok((meanBand(fit, lo) as [number, number])[1] <= 2.8);
  assert.ok((meanBand(fit, lo + 1) as [number, number])[1] > 2.8);
  assert.ok((meanBand(fit, hi) as [number, number])[0] <= 2.8);
  assert.ok((meanBand(fit, hi + 1) as [number, number])[0] > 2.8);
  // A slope whose interval includes 0 never reaches the limit on the optimistic side.
  const flat = fitLine([{ sessions: 1, value: 1 }, { sessions: 2, value: 1.5 }, { sessions: 3, value: 1.1 }]);
  assert.ok(flat && (flat.perSessionCi as [number, number])[0] < 0);
  assert.equal(maxSessionsUnderBand(flat, 2, 'lower'), Infinity);
});
