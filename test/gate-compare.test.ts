/**
 * The baseline comparison's interval math against hand-computed values. The t quantiles are
 * published table values (checked to 1e-9 against mpmath's betainc); every interval below is
 * worked out by hand in its comment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMetric, diffInterval, meanSd, relative, smallestCallable, verdictFor } from '../harness/gate/compare.js';
import { lnGamma as logGamma, regularizedBeta as incompleteBeta, studentTCdf, studentTQuantile } from '../harness/results/student-t.js';

function near(actual: number | null | undefined, expected: number, tol = 1e-9, what = ''): void {
  assert.ok(actual != null && Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected}`);
}

test('logGamma and the incomplete beta at values known in closed form', () => {
  near(logGamma(1), 0, 1e-12);
  near(logGamma(5), Math.log(24), 1e-12);
  near(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12);
  near(logGamma(10.5), Math.log(1133278.3889487856), 1e-9);
  // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b; I_x(a, b) = 1 − I_{1−x}(b, a).
  near(incompleteBeta(0.3, 1, 1), 0.3);
  near(incompleteBeta(0.7, 3, 1), 0.343);
  near(incompleteBeta(0.2, 1, 4), 1 - 0.8 ** 4);
  near(incompleteBeta(0.35, 2.5, 4.2), 1 - incompleteBeta(0.65, 4.2, 2.5), 1e-12);
  assert.equal(incompleteBeta(0, 2, 3), 0);
  assert.equal(incompleteBeta(1, 2, 3), 1);
});

test('Student t: CDF and two-sided quantiles against table values', () => {
  const quantiles: Array<[number, number, number]> = [
    // [p, df, t]
    [0.975, 1, 12.706204736174705], [0.975, 2, 4.302652729749464], [0.975, 3, 3.182446305283710],
    [0.975, 4, 2.776445105197794], [0.975, 5, 2.570581835636315], [0.975, 10, 2.228138851986275],
    [0.975, 30, 2.042272456301238], [0.95, 4, 2.131846786326650], [0.95, 2, 2.919985580353726],
    [0.975, 3.6923076923076925, 2.870117274063262],
  ];
  for (const [p, df, t] of quantiles) {
    near(studentTQuantile(p, df), t, 1e-9, `t(${p}, ${df})`);
    near(studentTQuantile(1 - p, df), -t, 1e-9, `t(${1 - p}, ${df})`);
    near(studentTCdf(t, df), p, 1e-12, `cdf(${t}, ${df})`);
  }
  // df = 1 is Cauchy: F(t) = 1/2 + atan(t)/π. df = 2: F(t) = 1/2 + t / (2√(2 + t²)).
  for (const t of [-3, -0.5, 0, 0.7, 2, 10]) {
    near(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `cauchy ${t}`);
    near(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `df2 ${t}`);
  }
  assert.throws(() => studentTQuantile(1, 3), RangeError);
  assert.throws(() => studentTCdf(1, 0), RangeError);
});

test('meanSd and relative', () => {
  assert.deepEqual(meanSd([10, 11, 12]), { n: 3, mean: 11, sd: 1 });
  assert.deepEqual(meanSd([5]), { n: 1, mean: 5, sd: null });
  near(relative(2, 11), 2 / 11);
  near(relative(2, -4), 0.5, 1e-12, 'a negative reference keeps the sign of the change');
  assert.equal(relative(1, 0), Infinity);
  assert.equal(relative(-1, 0), -Infinity);
  assert.equal(relative(0, 0), 0);
});

test('diffInterval: Welch with equal spreads, by hand', () => {
  // b = 10 11 12, c = 12 13 14: s² = 1 each, se = √(1/3 + 1/3) = 0.81650, df = (2/3)² / (2·(1/3)²/2) = 4,
  // t(0.975, 4) = 2.776445, half = 2.266958 → [−0.266958, 4.266958].
  const d = diffInterval([10, 11, 12], [12, 13, 14], 0.95);
  assert.ok(d);
  assert.equal(d.method, 'welch');
  near(d.diff, 2);
  near(d.se, Math.sqrt(2 / 3));
  near(d.df, 4);
  near(d.lo, 2 - 2.776445105197794 * Math.sqrt(2 / 3));
  near(d.hi, 2 + 2.776445105197794 * Math.sqrt(2 / 3));
  near(d.lo, -0.266958, 1e-6);
});

test('diffInterval: Welch with unequal spreads and sizes, by hand', () => {
  // b = 10 12 (mean 11, s² 2), c = 20 22 24 26 (mean 23, s² 20/3): s²/n = 1 and 5/3, se = √(8/3),
  // df = (8/3)² / (1²/1 + (5/3)²/3) = (64/9) / (52/27) = 3.6923, t(0.975, 3.6923) = 2.870117.
  const d = diffInterval([10, 12], [20, 22, 24, 26], 0.95);
  assert.ok(d);
  near(d.df, 1728 / 468);
  near(d.lo, 12 - 2.870117274063262 * Math.sqrt(8 / 3), 1e-8);
  near(d.hi, 12 + 2.870117274063262 * Math.sqrt(8 / 3), 1e-8);
});

test('diffInterval: one run on one side borrows the other side\'s spread; one run each has none', () => {
  // b = 10 11 12 (s 1), c = 13: se = 1·√(1/3 + 1) = 1.154701, df = 2, t = 4.302653, half = 4.968275.
  const d = diffInterval([10, 11, 12], [13], 0.95);
  assert.ok(d);
  assert.equal(d.method, 'one-sided spread');
  near(d.df, 2);
  near(d.lo, 2 - 4.302652729749464 * Math.sqrt(4 / 3));
  near(d.hi, 6.968275, 1e-6);
  const e = diffInterval([10], [12, 13, 14], 0.9);
  assert.ok(e);
  near(e.lo, 3 - 2.919985580353726 * Math.sqrt(4 / 3), 1e-9, '90 % uses t(0.95, 2)');
  assert.equal(diffInterval([10], [12], 0.95), null);
  // No spread on either side: the interval is the point.
  const z = diffInterval([5, 5, 5], [6, 6], 0.95);
  assert.ok(z);
  assert.deepEqual([z.lo, z.hi], [1, 1]);
});

test('verdictFor: the interval must clear the tolerance, on the side its direction names; straddling it on the worse side is inconclusive', () => {
  const table: Array<[number, number, 'lower' | 'higher', string]> = [
    [0.11, 0.3, 'lower', 'regressed'], [0.1, 0.3, 'lower', 'inconclusive'],
    [-0.3, -0.11, 'lower', 'improved'], [-0.3, -0.1, 'lower', 'no significant change'],
    [-0.05, 0.05, 'lower', 'no significant change'], [-0.5, 0.5, 'lower', 'inconclusive'],
    [-0.05, 0.1, 'lower', 'no significant change'], [-0.3, 0.05, 'lower', 'no significant change'],
    [-0.3, -0.11, 'higher', 'regressed'], [0.11, 0.3, 'higher', 'improved'],
    [-0.3, 0.05, 'higher', 'inconclusive'], [-0.05, 0.3, 'higher', 'no significant change'],
    [0.2, 0.2, 'lower', 'regressed'], [Infinity, Infinity, 'lower', 'regressed'], [-Infinity, Infinity, 'lower', 'inconclusive'],
  ];
  for (const [lo, hi, better, want] of table) assert.equal(verdictFor(lo, hi, better, 0.1), want, `[${lo}, ${hi}] ${better}`);
});

test('compareMetric: relative change and interval over the baseline mean, by hand', () => {
  // As the Welch case: [−0.266958, 4.266958] / 11 = [−2.43 %, +38.79 %], change 2/11 = +18.18 %.
  let c = compareMetric('perSession.cpuCores', 'lower', [10, 11, 12], [12, 13, 14], 0.1, 0.95);
  near(c.change, 2 / 11);
  near(c.interval?.lo, -0.266958 / 11, 1e-6);
  near(c.interval?.hi, 4.266958 / 11, 1e-6);
  // +18 % with an interval from −2 % to +39 % against 10 %: neither a pass nor a regression.
  assert.equal(c.verdict, 'inconclusive');
  assert.match(c.note, /^the interval reaches past the tolerance on the worse side/);
  // c = 20 21 22: diff 10, [7.733042, 12.266958] / 11 = [+70.3 %, +111.5 %]: regressed.
  c = compareMetric('perSession.cpuCores', 'lower', [10, 11, 12], [20, 21, 22], 0.1, 0.95);
  near(c.interval?.lo, 7.733042 / 11, 1e-6);
  assert.equal(c.verdict, 'regressed');
  // c = 5 6 7: diff −5, [−7.266958, −2.733042] / 11 = [−66.1 %, −24.8 %]: improved.
  c = compareMetric('perSession.cpuCores', 'lower', [10, 11, 12], [5, 6, 7], 0.1, 0.95);
  near(c.interval?.hi, -2.733042 / 11, 1e-6);
  assert.equal(c.verdict, 'improved');
  assert.equal(compareMetric('sessions.joined', 'higher', [10, 11, 12], [5, 6, 7], 0.1, 0.95).verdict, 'regressed');
  assert.equal(compareMetric('sessions.joined', 'higher', [10, 11, 12], [20, 21, 22], 0.1, 0.95).verdict, 'improved');
  // Tight runs, a 1 % change, 10 % tolerance: within the tolerance.
  c = compareMetric('perSession.cpuCores', 'lower', [100, 100.5, 99.5], [101, 101.5, 100.5], 0.1, 0.95);
  assert.equal(c.verdict, 'no significant change');
  assert.equal(c.note, 'the interval lies within the tolerance');
});

test('compareMetric: one run each side is the change alone; a zero baseline; missing values fail', () => {
  let c = compareMetric('perSession.cpuCores', 'lower', [10], [12], 0.1, 0.95);
  assert.equal(c.interval, null);
  near(c.change, 0.2);
  assert.equal(c.verdict, 'regressed');
  assert.match(c.note, /one run each side, no interval/);
  assert.equal(compareMetric('perSession.cpuCores', 'lower', [10], [10.5], 0.1, 0.95).verdict, 'no significant change');
  // Zero baseline: 0 → 0 is no change; 0 → 3 3 4 is +∞ (se 1/3, df 2, lo = 3.33 − 4.30·0.33 > 0): regressed.
  c = compareMetric('qos.agentAudio.gapsOver100ms', 'lower', [0, 0, 0], [0, 0, 0], 0.1, 0.95);
  assert.deepEqual([c.change, c.verdict], [0, 'no significant change']);
  c = compareMetric('qos.agentAudio.gapsOver100ms', 'lower', [0, 0, 0], [3, 3, 4], 0.1, 0.95);
  assert.deepEqual([c.change, c.interval?.lo, c.verdict], [Infinity, Infinity, 'regressed']);
  // 0 → 1 2 3: the difference's interval (2 ± 2.48) holds 0, so −∞ to +∞: a regression cannot be ruled out.
  c = compareMetric('qos.agentAudio.gapsOver100ms', 'lower', [0, 0, 0], [1, 2, 3], 0.1, 0.95);
  assert.deepEqual([c.interval?.lo, c.interval?.hi, c.verdict], [-Infinity, Infinity, 'inconclusive']);
  c = compareMetric('perSession.pssBytes', 'lower', [1, null], [1], 0.1, 0.95);
  assert.deepEqual([c.verdict, c.note], ['missing', 'null (not measured) in baseline run 2: save the baseline on a host that measures it']);
  c = compareMetric('perSession.pssBytes', 'lower', [1, 1], [1, null, 1], 0.1, 0.95);
  assert.deepEqual([c.verdict, c.note], ['missing', 'null (not measured) in run 2']);
  c = compareMetric('perSession.pssBytes', 'lower', [], [1], 0.1, 0.95);
  assert.deepEqual([c.verdict, c.note], ['missing', 'the baseline has no value for it: save the baseline again']);
});

test('smallestCallable: tolerance + t·cv·√(1/m + 1/n), and it is exactly the boundary of a call', () => {
  // 3 vs 3 at cv 5 %: 0.1 + 2.776445·0.05·√(2/3) = 0.1 + 0.113348 = 0.213348.
  near(smallestCallable(0.05, 3, 3, 0.1, 0.95), 0.1 + 2.776445105197794 * 0.05 * Math.sqrt(2 / 3));
  near(smallestCallable(0.05, 3, 3, 0.1, 0.95), 0.213348, 1e-6);
  // 3 baseline runs vs 1: df 2, 0.1 + 4.302653·0.05·√(4/3) = 0.348414.
  near(smallestCallable(0.05, 3, 1, 0.1, 0.95), 0.348414, 1e-6);
  near(smallestCallable(0.02, 3, 3, 0, 0.95), 2.776445105197794 * 0.02 * Math.sqrt(2 / 3));
  assert.equal(smallestCallable(0.05, 1, 1, 0.1, 0.95), null);
  // Runs with sd 5 % of the mean, shifted by exactly that amount: the interval's low end is the tolerance.
  const r = smallestCallable(0.05, 3, 3, 0.1, 0.95) as number;
  const c = compareMetric('perSession.cpuCores', 'lower', [0.95, 1, 1.05], [0.95 + r, 1 + r, 1.05 + r], 0.1, 0.95);
  near(c.interval?.lo, 0.1, 1e-9);
  const more = compareMetric('perSession.cpuCores', 'lower', [0.95, 1, 1.05], [0.96 + r, 1.01 + r, 1.06 + r], 0.1, 0.95);
  assert.equal(more.verdict, 'regressed');
});
