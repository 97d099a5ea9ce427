import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCapacityModel } from '../harness/capacity/model.js';
import { defaultSizingInputs, sizingInputs } from '../harness/capacity/inputs.js';
import { gracePeriodFor, graceRec } from '../harness/capacity/recommend/grace.js';
import { UsageError } from '../harness/common/errors.js';
import type { CapacityModel, Recommendation, SizingInputs } from '../harness/capacity/types.js';
import { GIB, MIB, host, linearRamp, makeResult, steadySeries, type ResultSpec } from './support/capacity-run.js';

/** Agents' CPU = 0.1 + 0.1·n cores, PSS = 200 + 100·n MiB, one-second samples ±1 % (CPU) and ±0.2 % (PSS). */
const RAMP = { base: 0.1, perSession: 0.1, memBase: 200 * MIB, memPer: 100 * MIB };

function model(spec: Partial<ResultSpec> & { steps: ResultSpec['steps'] }, inputs: Partial<SizingInputs> = {}): CapacityModel {
  return buildCapacityModel(makeResult(spec), { ...defaultSizingInputs(), ...inputs });
}

function rec(m: CapacityModel, key: string): Recommendation {
  const r = m.recommendations.find((x) => x.key === key);
  assert.ok(r, `no recommendation ${key}`);
  return r;
}

function near(actual: number | null | undefined, expected: number, tol: number, what: string): void {
  assert.ok(actual != null && Math.abs(actual - expected) <= tol, `${what}: ${actual} != ${expected} (±${tol})`);
}

test('sizing inputs: defaults, units, and one-line errors for bad values', () => {
  const d = defaultSizingInputs();
  assert.equal(d.loadThreshold, 0.7);
  assert.match(d.loadThresholdSource, /@livekit\/agents 1\.9.*0\.75.*--load-threshold/);
  assert.deepEqual([d.peakSessions, d.arrivalRate, d.podStartS, d.sessionLengthS, d.target], [null, null, 60, 600, undefined]);
  const i = sizingInputs({
    'load-threshold': '0.75', 'peak-sessions': '200', 'arrival-rate': '30/min', 'pod-start': '1m30s', 'session-length': '15m', target: '8c16g',
  });
  assert.deepEqual(
    [i.loadThreshold, i.loadThresholdSource, i.peakSessions, i.arrivalRate, i.podStartS, i.sessionLengthS],
    [0.75, '--load-threshold', 200, 0.5, 90, 900],
  );
  assert.deepEqual(i.target, { cores: 8, memoryBytes: 16 * GIB, label: '8c16g' });
  assert.equal(sizingInputs({ 'arrival-rate': '2' }).arrivalRate, 2);
  assert.equal(sizingInputs({ 'arrival-rate': '0.25/s' }).arrivalRate, 0.25);
  const bad: Array<[Record<string, string | boolean>, RegExp]> = [
    [{ 'load-threshold': '1.5' }, /^--load-threshold: '1\.5' must be a number above 0 and at most 1/],
    [{ 'load-threshold': '0' }, /^--load-threshold/],
    [{ 'load-threshold': 'high' }, /^--load-threshold/],
    [{ 'peak-sessions': '0' }, /^--peak-sessions: '0' must be a whole number of at least 1$/],
    [{ 'peak-sessions': '2.5' }, /^--peak-sessions/],
    [{ 'arrival-rate': '-1' }, /^--arrival-rate: '-1' must be new sessions per second above 0/],
    [{ 'arrival-rate': '5/h' }, /^--arrival-rate/],
    [{ 'pod-start': 'soon' }, /^--pod-start: 'soon' is not a duration/],
    [{ 'session-length': '0s' }, /^--session-length: '0s' must be at least 1 s$/],
    [{ target: '4cores' }, /^--target: '4cores' is not a host size; use <cores>c<GB>g/],
    [{ target: true }, /^--target needs a value$/],
  ];
  for (const [flags, re] of bad) {
    assert.throws(() => sizingInputs(flags), (e: Error) => e instanceof UsageError && re.test(e.message) && !e.message.includes('\n'), JSON.stringify(flags));
  }
});

test('CPU-bound on the target\'s cores: sessions, threshold, requests and limits by hand', () => {
  // Steps 5..30 on a 4-core host (the target). At 30 sessions the load is 3.1 / 4 = 0.775 ≥ 0.7:
  // a threshold-only knee, which the fit places between steps.
  const m = model({ steps: linearRamp({ counts: [5, 10, 15, 20, 25, 30], ...RAMP }) });
  near(m.cpu?.base, 0.1, 1e-9, 'CPU base');
  near(m.cpu?.perSession, 0.1, 1e-9, 'CPU per session');
  near(m.pss?.perSession, 100 * MIB, 1e-3, 'PSS per session');
  assert.equal(m.knee.sessions, 30);
  assert.equal(m.knee.cause, 'threshold');
  assert.equal(m.targetBasis.kind, 'measured');
  // N = ⌊(0.7·4 − 0.1) / 0.1⌋ = 27; memory allows ⌊(0.8·8192 MiB − 200) / 100⌋ = 63.
  const n = rec(m, 'sessionsPerWorker');
  assert.equal(n.value, 27);
  assert.equal(n.kind, 'fitted', 'within the 5..30 measured');
  assert.match(n.why, /CPU binds.*CPU allows 27, memory 63/);
  assert.equal(rec(m, 'loadThreshold').value, 0.7);
  // CPU request: (0.1 + 2.7) × 1.01 (p90 of ±1 % samples) × 1.15 = 3.2522 → 3.26; limit 4.
  assert.equal(rec(m, 'resources.requests.cpu').value, 3.26);
  assert.equal(rec(m, 'resources.limits.cpu').value, 4);
  // Memory: (200 + 2700) MiB × 1.002 (peak of ±0.2 %) × 1.15 = 3341.67 MiB → 3342 MiB; limit = request.
  assert.equal(rec(m, 'resources.requests.memory').value, 3342);
  assert.equal(rec(m, 'resources.requests.memory').unit, 'MiB');
  assert.equal(rec(m, 'resources.limits.memory').value, 3342);
  assert.equal(m.plan?.memoryRequestBytes, 3342 * MIB);
  assert.equal(m.plan?.sessionsPerWorker, 27);
  assert.equal(m.steadiness.steps.every((s) => s.steady), true);
  for (const r of m.recommendations) {
    assert.ok(r.why.length > 0 && !r.why.includes('\n'), `${r.key}: one-line why`);
    assert.ok(r.key === 'hpa.scaleDown' || r.key === 'terminationGracePeriodSeconds' || Object.keys(r.inputs).length > 0, `${r.key}: inputs`);
  }
});

test('HPA by hand: utilisation, min and max replicas, policies', () => {
  const steps = linearRamp({ counts: [5, 10, 15, 20, 25, 30], ...RAMP });
  // λ = 0.5/s, T = 5 + 30 + 60 = 95 s: growth b·λ·T = 0.1 · 0.5 · 95 = 4.75 cores; room θ·C = 2.8.
  // k = max(2, ⌈4.75 / (0.5 · 2.8)⌉) = 4; U = (2.8 − 4.75/4) / (1.1 · 3.26) = 0.44966 → 44 %.
  const fast = model({ steps }, { peakSessions: 200, arrivalRate: 0.5 });
  assert.equal(rec(fast, 'hpa.minReplicas').value, 4);
  assert.equal(rec(fast, 'hpa.averageUtilization').value, 44);
  // Peak: ⌈200 / 27⌉ = 8; surge max(1, ⌈0.5 · 95 / 27⌉) = 2; max = 10.
  assert.equal(rec(fast, 'replicasForPeak').value, 8);
  assert.equal(rec(fast, 'hpa.maxReplicas').value, 10);
  assert.deepEqual(fast.plan?.hpa.scaleUp, { stabilizationWindowSeconds: 0, pods: 4, percent: 100, periodSeconds: 15 });
  assert.deepEqual(fast.plan?.hpa.scaleDown, { stabilizationWindowSeconds: 300, pods: 1, percent: 10, periodSeconds: 60 });
  // Slow arrivals: growth 0.475 → k = 2; U = (2.8 − 0.2375) / 3.586 = 0.71458 → 71 %.
  const slow = model({ steps }, { peakSessions: 200, arrivalRate: 0.05 });
  assert.equal(rec(slow, 'hpa.minReplicas').value, 2);
  assert.equal(rec(slow, 'hpa.averageUtilization').value, 71);
  assert.match(rec(slow, 'hpa.minReplicas').why, /drain/);
  // A storm: 20 sessions/s → pods per 15 s ⌈20 · 15 / 27⌉ = 12 beat Kubernetes' default 4.
  assert.equal(model({ steps }, { peakSessions: 200, arrivalRate: 20 }).plan?.hpa.scaleUp.pods, 12);
  // No arrival rate: λ = peak / session length = 200 / 600, said in a warning.
  const assumed = model({ steps }, { peakSessions: 200 });
  assert.equal(rec(assumed, 'hpa.averageUtilization').inputs.arrivalRate, (200 / 600).toFixed(3));
  assert.ok(assumed.warnings.some((w) => /no --arrival-rate/.test(w)));
  // No peak: replicas for the peak n/a, a warning, maxReplicas = minReplicas + surge.
  const nopeak = model({ steps }, { arrivalRate: 0.05 });
  assert.equal(rec(nopeak, 'replicasForPeak').value, 'n/a');
  assert.equal(rec(nopeak, 'hpa.maxReplicas').value, 2 + 1);
  assert.ok(nopeak.warnings.some((w) => /no --peak-sessions/.test(w)));
});

test('memory-bound before CPU-bound: sessions from memory, and the threshold comes down', () => {
  // PSS = 500 + 400·n MiB: ⌊(6553.6 − 500) / 400⌋ = 15, while CPU allows 27.
  const m = model({ steps: linearRamp({ counts: [5, 10, 15, 20], ...RAMP, memBase: 500 * MIB, memPer: 400 * MIB }) });
  const n = rec(m, 'sessionsPerWorker');
  assert.equal(n.value, 15);
  assert.match(n.why, /memory binds before CPU/);
  // The worker's load at 15 is (0.1 + 1.5) / 4 = 0.40: its only brake is CPU, so load_threshold 0.4.
  const t = rec(m, 'loadThreshold');
  assert.equal(t.value, 0.4);
  assert.match(t.why, /memory runs out before CPU reaches 0\.7/);
  assert.equal(m.plan?.loadThreshold, 0.4);
});

test('a quality knee on the target: the last good step binds, measured', () => {
  const steps = linearRamp({ counts: [5, 10, 15, 20, 25], ...RAMP });
  (steps[3] as (typeof steps)[number]).qos = { agentLoopDelayMsP99: 80 };
  const m = model({ steps });
  assert.equal(m.knee.sessions, 20);
  assert.equal(m.knee.cause, 'quality');
  const n = rec(m, 'sessionsPerWorker');
  assert.equal(n.value, 15);
  assert.equal(n.kind, 'measured');
  assert.match(n.why, /quality binds: quality broke at 20 sessions on the target's cores and held at 15/);
  assert.equal(rec(m, 'loadThreshold').value, 0.4, '(0.1 + 1.5) / 4');
});

test('quality broke at the first step: not one session fits, and no manifest numbers', () => {
  const steps = linearRamp({ counts: [5, 10], ...RAMP });
  (steps[0] as (typeof steps)[number]).qos = { onsetLagMs: { p50: 200, p95: 450 } };
  const m = model({ steps });
  assert.equal(m.knee.sessions, 5);
  assert.equal(m.knee.lastGoodSessions, null);
  assert.equal(rec(m, 'sessionsPerWorker').value, 0);
  assert.equal(m.plan, null);
  assert.equal(rec(m, 'resources.requests.cpu').value, 'n/a');
  assert.ok(m.warnings.some((w) => /not one session fits a 4c8g worker by this run \(knee binds at the first step\)/.test(w)));
});

test('no knee found, and nothing steady', () => {
  const ok = model({ steps: linearRamp({ counts: [5, 10, 15], ...RAMP }) });
  assert.equal(ok.knee.sessions, null);
  assert.match(ok.knee.basis, /beyond 15 sessions/);
  const n = rec(ok, 'sessionsPerWorker');
  assert.equal(n.value, 27);
  assert.equal(n.kind, 'extrapolated', '27 is past the 15 measured');
  const none = model({ steps: [{ sessions: 5, cpu: [1, 1, 1] }, { sessions: 10, cpu: [2, 2, 2] }] });
  assert.equal(none.cpu, null);
  assert.equal(none.plan, null);
  assert.equal(rec(none, 'sessionsPerWorker').value, 'n/a');
  assert.equal(rec(none, 'hpa.averageUtilization').value, 'n/a');
  assert.equal(rec(none, 'resources.requests.cpu').value, 'n/a');
  assert.ok(none.warnings.some((w) => /no step was steady/.test(w)));
  const empty = model({ steps: [] });
  assert.ok(empty.warnings.some((w) => /no ramp steps/.test(w)));
});

test('one steady step only: proportional fallback, extrapolated, said', () => {
  const m = model({ steps: [{ sessions: 4, cpu: steadySeries(0.6), pss: steadySeries(400 * MIB, 12, 0) }] });
  assert.equal(m.cpu?.method, 'proportional');
  near(m.cpu?.perSession, 0.15, 1e-9, 'per session');
  // ⌊2.8 / 0.15⌋ = 18.
  assert.equal(rec(m, 'sessionsPerWorker').value, 18);
  assert.equal(rec(m, 'sessionsPerWorker').kind, 'extrapolated');
  assert.ok(m.warnings.some((w) => /proportional/.test(w)));
});

test('a target bigger than this host: extrapolated, and a saturation knee does not transfer', () => {
  // 2-core host, 4c8g target. At 6 sessions the host saturates (system 1.9 of 2 cores) and the tone gaps.
  const steps = linearRamp({ counts: [2, 4, 6], ...RAMP });
  const last = steps[2] as (typeof steps)[number];
  last.system = steadySeries(1.9);
  last.qos = { gapsOver100ms: 3 };
  const m = model({ steps, host: host(2) });
  assert.equal(m.targetBasis.kind, 'extrapolated');
  assert.match(m.targetBasis.how, /fewer cores than the 4-core \/ 8 GB target/);
  assert.equal(m.knee.cause, 'saturation');
  assert.equal(m.steadiness.steps[2]?.steady, false, 'the saturated step is not a fit point');
  assert.equal(m.cpu?.points.length, 2);
  const n = rec(m, 'sessionsPerWorker');
  assert.equal(n.value, 27, 'CPU-bound from the fit, not the knee at 6');
  assert.equal(n.kind, 'extrapolated');
  assert.ok(m.warnings.some((w) => /smaller than the 4c8g target/.test(w)));
  // The same break with CPU to spare is a quality knee: it transfers, as the last good step (4).
  const spare = linearRamp({ counts: [2, 4, 6], ...RAMP });
  (spare[2] as (typeof spare)[number]).qos = { gapsOver100ms: 3 };
  const q = model({ steps: spare, host: host(2) });
  assert.equal(q.knee.cause, 'quality');
  assert.equal(rec(q, 'sessionsPerWorker').value, 4);
  assert.equal(rec(q, 'sessionsPerWorker').kind, 'extrapolated');
});

test('bigger host: unconfined is fitted; confined to the target is measured; --target overrides', () => {
  const steps = linearRamp({ counts: [5, 10, 15, 20, 25, 30], ...RAMP });
  const loose = model({ steps, host: host(8, 32) });
  assert.equal(loose.targetBasis.kind, 'fitted');
  assert.ok(loose.warnings.some((w) => /not confined/.test(w)));
  const boxed = model({ steps, host: host(8, 32), confinement: { kind: 'cgroup-v2', path: '/sys/fs/cgroup/vl', cpuCores: 4, memoryBytes: 8 * GIB } });
  assert.equal(boxed.targetBasis.kind, 'measured');
  assert.match(boxed.targetBasis.how, /cgroup-v2 cgroup of 4-core \/ 8 GB/);
  // Sizing the same run for 8c16g: ⌊(0.7 · 8 − 0.1) / 0.1⌋ = 55, past the 30 measured.
  const big = model({ steps }, sizingInputs({ target: '8c16g' }));
  assert.equal(big.target.label, '8c16g');
  assert.equal(rec(big, 'sessionsPerWorker').value, 55);
  assert.equal(rec(big, 'sessionsPerWorker').kind, 'extrapolated');
  assert.equal(big.targetBasis.kind, 'extrapolated');
  assert.equal(rec(big, 'resources.limits.cpu').value, 8);
});

test('terminationGracePeriodSeconds: p99 session + 30 s, from the inputs', () => {
  assert.equal(gracePeriodFor(600), 630);
  assert.equal(gracePeriodFor(899.5), 930);
  const r = graceRec(600);
  assert.equal(r.source, 'inputs');
  assert.match(r.why, /p99 session \(600 s \(10\.0 min\)\) \+ 30 s/);
  assert.match(graceRec(3600).why, /raise the worker's drainTimeout above 3630 s/);
  const m = model({ steps: linearRamp({ counts: [5, 10, 15], ...RAMP }) }, { sessionLengthS: 1200 });
  assert.equal(m.plan?.terminationGracePeriodSeconds, 1230);
});

test('each fit takes its own steady steps: a step whose memory still grows is a CPU point, one whose CPU drifts a memory point', () => {
  const steps = linearRamp({ counts: [2, 4, 6, 8, 10], ...RAMP });
  // Step 2 (6 sessions): its PSS climbs 20 % across the step; step 3 (8 sessions): its CPU does.
  const grow = (mean: number) => [mean, mean, ...Array.from({ length: 10 }, (_, i) => mean * (1 + 0.02 * i))];
  steps[2] = { ...steps[2]!, pss: grow(RAMP.memBase + RAMP.memPer * 6) };
  steps[3] = { ...steps[3]!, cpu: grow(RAMP.base + RAMP.perSession * 8) };
  const m = model({ steps });
  assert.deepEqual(m.cpu?.points.map((p) => p.sessions), [2, 4, 6, 10]);
  assert.deepEqual(m.pss?.points.map((p) => p.sessions), [2, 4, 8, 10]);
  assert.deepEqual(m.steadiness.steps.map((v) => [v.steady, v.memorySteady]), [[true, true], [true, true], [true, false], [false, true], [true, true]]);
});
