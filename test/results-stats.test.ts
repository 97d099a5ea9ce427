/** Statistics, histograms and onset matching of the data model, against hand-computed values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mean, max, percentile, summary2, summary3 } from '../harness/results/stats.js';
import { LatencyHistogram } from '../harness/results/histogram.js';
import { matchOnsets } from '../harness/results/aggregate.js';
import type { HistogramData } from '../harness/results/types.js';

function near(actual: number | null | undefined, expected: number, what = ''): void {
  assert.ok(actual != null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}


test('percentile: numpy linear interpolation, by hand', () => {
  const table: Array<[number[], number, number]> = [
    [[1, 2, 3, 4], 50, 2.5], [[1, 2, 3, 4], 95, 3.85], [[1, 2, 3, 4], 25, 1.75],
    [[1, 2, 3, 4], 0, 1], [[1, 2, 3, 4], 100, 4], [[10], 73, 10],
    [[15, 20, 35, 40, 50], 40, 29], [[3, 1, 2], 50, 2], [[-1, -0.5], 50, -0.75],
  ];
  for (const [xs, p, want] of table) near(percentile(xs, p), want, `p${p} of ${xs}`);
  const xs = [3, 1, 2];
  percentile(xs, 50);
  assert.deepEqual(xs, [3, 1, 2], 'input not sorted in place');
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile([1], 101), RangeError);
  assert.throws(() => percentile([1], -1), RangeError);
});

test('mean, max, summaries: null for empty input', () => {
  assert.equal(mean([]), null);
  assert.equal(max([]), null);
  assert.equal(summary3([]), null);
  assert.equal(summary2([]), null);
  near(mean([1, 2, 3, 4]), 2.5);
  assert.equal(max([-3, -1, -2]), -1);
  const s = summary3([1, 2, 3, 4]);
  near(s?.mean, 2.5); near(s?.p95, 3.85); near(s?.max, 4);
  assert.deepEqual(summary2([2, 4]), { mean: 3, max: 4 });
});

test('histogram: bucket upper edges, clamping, overflow', () => {
  const h = new LatencyHistogram();
  assert.equal(h.percentile(50), null);
  for (const v of [0.1, 0.25, 0.3, 1.0, 2500]) h.record(v);
  assert.equal(h.count, 5);
  assert.equal(h.overflow, 1);
  const table: Array<[number, number]> = [[0, 0.1], [20, 0.1], [40, 0.3], [60, 0.3], [80, 1.0], [100, 2000]];
  for (const [p, want] of table) assert.equal(h.percentile(p), want, `p${p}`);
  assert.deepEqual(h.toData(), { bucketMs: 0.1, counts: [1, 0, 2, 0, 0, 0, 0, 0, 0, 1], overflow: 1, count: 5, maxMs: 2000 });

  const low = new LatencyHistogram();
  low.record(-3);
  low.record(0);
  assert.equal(low.percentile(100), 0.1);
  const top = new LatencyHistogram();
  top.record(2000);
  assert.equal(top.overflow, 0);
  assert.equal(top.percentile(50), 2000);
  assert.throws(() => top.record(Number.NaN), RangeError);
});

test('histogram: float noise does not shift buckets', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 100; i++) h.record(i * 0.1);
  assert.equal(h.percentile(50), 5);
  assert.equal(h.percentile(99), 9.9);
  assert.equal(h.percentile(100), 10);
  assert.equal(h.toData().counts.length, 100);
  assert.ok(h.toData().counts.every((c) => c === 1));
});

test('histogram: merge, roundtrip, trimming, validation', () => {
  const a = new LatencyHistogram();
  a.record(1);
  a.record(2);
  const b = new LatencyHistogram();
  b.record(3);
  b.record(2500);
  a.merge(b.toData());
  assert.equal(a.count, 4);
  assert.deepEqual([25, 50, 75, 100].map((p) => a.percentile(p)), [1, 2, 3, 2000]);
  a.merge(new LatencyHistogram());
  assert.equal(a.count, 4);

  const json = JSON.parse(JSON.stringify(a.toData())) as HistogramData;
  assert.deepEqual(LatencyHistogram.fromData(json).toData(), a.toData());
  const padded = LatencyHistogram.fromData({ bucketMs: 0.1, counts: [1, 0, 0], overflow: 0, count: 1, maxMs: 2000 });
  assert.deepEqual(padded.toData().counts, [1]);

  assert.throws(() => a.merge(new LatencyHistogram({ bucketMs: 1 })), RangeError);
  assert.throws(() => LatencyHistogram.fromData({ bucketMs: 0.1, counts: [1], overflow: 0, count: 2, maxMs: 2000 }), RangeError);
  assert.throws(() => LatencyHistogram.fromData({ bucketMs: 0.1, counts: [-1], overflow: 0, count: -1, maxMs: 2000 }), RangeError);
});

test('matchOnsets: first unused VAD start within [-150, +1000] ms', () => {
  assert.deepEqual(matchOnsets([0, 500], [400, 450]), [400, -50]);
  assert.deepEqual(matchOnsets([0, 500], [400]), [400]);
  assert.deepEqual(matchOnsets([1000], [849, 2001]), []);
  assert.deepEqual(matchOnsets([1000], [850, 2000]), [-150]);
});
