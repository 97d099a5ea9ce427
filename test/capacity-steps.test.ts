import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeSteadiness, settled, STEADINESS, trend } from '../harness/capacity/steadiness.js';
import { judgeContext, judgeStep, QUALITY_LIMITS, rampStopReasons } from '../harness/capacity/quality.js';
import { findKnee } from '../harness/capacity/knee.js';
import type { StepJudgement } from '../harness/capacity/types.js';
import { GIB, MIB, host, makeStep, steadySeries, type StepSpec } from './support/capacity-run.js';

const CTX = { loadThreshold: 0.7, agentCores: 4, hostCores: 4 };

function judged(spec: StepSpec, index = 0) {
  const step = makeStep(index, spec);
  const q = judgeStep(step, CTX);
  return { step, q, verdict: judgeSteadiness(step, q) };
}

test('steadiness: warm-up dropped, then a flat step is steady', () => {
  assert.deepEqual(settled([9, 9, 1, 2, 3]), [1, 2, 3]);
  // The two warm-up samples are wild; what follows is flat.
  const { verdict } = judged({ sessions: 5, cpu: [3, 0.1, ...steadySeries(1, 10)] });
  assert.equal(verdict.steady, true, verdict.reason);
  assert.match(verdict.reason, /10 samples/);
});

test('steadiness: too few samples after warm-up', () => {
  const { verdict } = judged({ sessions: 5, cpu: [1, 1, 1, 1, 1, 1] });
  assert.equal(STEADINESS.minSamples, 5);
  assert.equal(verdict.steady, false);
  assert.match(verdict.reason, /only 4 samples after warm-up/);
  assert.equal(judged({ sessions: 5, cpu: [1, 1, 1, 1, 1, 1, 1] }).verdict.steady, true, 'exactly 5 is enough');
});

test('steadiness: scatter over 15 % is not steady; below the 0.05-core floor it is', () => {
  // After warm-up: 0.8, 1.2 alternating → mean 1, sd ≈ 0.21 (cv 21 %).
  const noisy = judged({ sessions: 5, cpu: [1, 1, 0.8, 1.2, 0.8, 1.2, 0.8, 1.2, 0.8, 1.2] });
  assert.equal(noisy.verdict.steady, false);
  assert.match(noisy.verdict.reason, /cv 21\.\d % > 15 %/);
  // Same shape at 0.1 cores: cv 21 % but sd 0.021 cores ≤ 0.05: near idle, steady.
  const idle = judged({ sessions: 1, cpu: [0.1, 0.1, 0.08, 0.12, 0.08, 0.12, 0.08, 0.12, 0.08, 0.12] });
  assert.equal(idle.verdict.steady, true, idle.verdict.reason);
});

test('steadiness: a significant trend over 10 % is drift; noise of the same size is not', () => {
  // A clean rise from 1.0 to 1.18 over 10 samples: drift 0.18 = 18 % of ~1.09, significant.
  const rising = Array.from({ length: 10 }, (_, i) => 1 + 0.02 * i);
  const t = trend(rising);
  assert.ok(Math.abs(t.drift - 0.18) < 1e-12 && t.significant);
  const r = judged({ sessions: 5, cpu: [1, 1, ...rising] });
  assert.equal(r.verdict.steady, false);
  assert.match(r.verdict.reason, /CPU drifts 16\.\d % across the step > 10 %/);
  // Noise whose fitted trend is as large but not significant (it flips sign sample to sample).
  const noise = [1.1, 0.95, 1.12, 0.93, 1.0, 1.05, 0.9, 1.08, 0.92, 0.96];
  assert.equal(trend(noise).significant, false);
  assert.equal(judged({ sessions: 5, cpu: [1, 1, ...noise] }).verdict.steady, true);
  // Memory still growing by more than 10 %: not a point of the memory fit, still one of the CPU fit.
  const pss = [100, 100, ...Array.from({ length: 10 }, (_, i) => (100 + 2 * i) * MIB)];
  const mem = judged({ sessions: 5, cpu: steadySeries(1), pss });
  assert.equal(mem.verdict.memorySteady, false);
  assert.equal(mem.verdict.steady, true);
  assert.match(mem.verdict.reason, /^CPU fit only: .*PSS drifts 1\d\.\d % across the step > 10 %/);
  // And a CPU drift with flat memory: a point of the memory fit only.
  const cpuOnly = judged({ sessions: 5, cpu: [1, 1, ...rising] });
  assert.equal(cpuOnly.verdict.memorySteady, true);
  assert.match(cpuOnly.verdict.reason, /^memory fit only: /);
});

test('steadiness: a slow wave in one-second samples is not drift (AR(1)); a drift under alternating noise still is', () => {
  // Half a period of a 30 s wave over a 36 s step: least squares fits a 13 % fall, and plain OLS,
  // taking 36 neighbouring samples as independent, called it significant (the step was thrown out).
  const wave = Array.from({ length: 36 }, (_, i) => 0.5 + 0.08 * Math.sin((2 * Math.PI * i) / 30) + ((i % 3) - 1) * 0.01);
  const w = trend(wave);
  assert.ok(w.drift / 0.5 > 0.1 && w.rho > 0.5, JSON.stringify(w));
  assert.equal(w.significant, false);
  assert.equal(judged({ sessions: 5, cpu: [0.5, 0.5, ...wave] }).verdict.steady, true);
  // A real rise of 14 % under noise that flips sign every sample: ρ is 0, the trend counts.
  const rise = Array.from({ length: 36 }, (_, i) => 0.5 + 0.002 * i + (i % 2 ? 0.01 : -0.01));
  const r = trend(rise);
  assert.equal(r.rho, 0);
  assert.equal(r.significant, true);
  assert.match(judged({ sessions: 5, cpu: [0.5, 0.5, ...rise] }).verdict.reason, /CPU drifts 1\d\.\d % across the step > 10 %/);
});

test('steadiness: invalid, saturated and empty steps are left out, with why', () => {
  const gen = judged({ sessions: 5, cpu: steadySeries(1), qos: { publishLateMsP99: 25 } });
  assert.equal(gen.verdict.steady, false);
  assert.match(gen.verdict.reason, /generator missed real time: publish lateness p99 25\.0 ms > 20 ms/);
  const sat = judged({ sessions: 5, cpu: steadySeries(2), system: steadySeries(3.7) });
  assert.equal(sat.q.saturated, true, '3.7 of 4 cores ≥ 90 %');
  assert.equal(sat.verdict.steady, false);
  assert.match(sat.verdict.reason, /saturated/);
  assert.equal(judged({ sessions: 5, cpu: steadySeries(2), system: steadySeries(3.5) }).q.saturated, false, '87.5 % is not');
  const none = judged({ sessions: 0, cpu: steadySeries(0.05) });
  assert.match(none.verdict.reason, /no session/);
  const empty = judged({ sessions: 5, cpu: [] });
  assert.equal(empty.q.invalid, true);
  assert.match(empty.verdict.reason, /no samples/);
});

test('judgeStep: each quality limit breaks on its own, at its documented value', () => {
  const L = QUALITY_LIMITS;
  const base = { sessions: 5, cpu: steadySeries(1) };
  assert.deepEqual(judged(base).q.broke, []);
  const cases: Array<[Partial<StepSpec['qos']>, RegExp]> = [
    [{ onsetLagMs: { p50: 100, p95: L.vadOnsetLagP95Ms + 1 } }, /VAD onset lag p95 301\.0 ms > 300 ms/],
    [{ segmentsExpected: 20, segmentsDetected: 17 }, /VAD detected 17 of 20 onsets \(85 %\) < 90 %/],
    [{ gapsOver100ms: 1 }, /1 gap\(s\) over 100 ms/],
    [{ agentPublishLateMsP99: 20.5 }, /agent publish lateness p99 20\.5 ms > 20 ms/],
    [{ agentLoopDelayMsP99: 51 }, /agent event-loop delay p99 51\.0 ms > 50 ms/],
  ];
  for (const [qos, re] of cases) {
    const { q } = judged({ ...base, qos });
    assert.equal(q.broken, true, `${re}`);
    assert.equal(q.broke.length, 1, q.broke.join('; '));
    assert.match(q.broke[0] as string, re);
    assert.equal(q.invalid, false);
    assert.equal(q.cpuReached, false);
  }
  // At the limits exactly, nothing breaks.
  const edge = judged({
    ...base,
    qos: { onsetLagMs: { p50: 1, p95: 300 }, segmentsExpected: 20, segmentsDetected: 18, agentPublishLateMsP99: 20, agentLoopDelayMsP99: 50, publishLateMsP99: 20 },
  });
  assert.deepEqual(edge.q.broke, []);
  assert.equal(edge.q.invalid, false);
  // Too few onsets to judge detection: 2 of 9 is not a knee.
  assert.equal(judged({ ...base, qos: { segmentsExpected: 9, segmentsDetected: 2 } }).q.broken, false);
});

test('judgeStep: the generator breaking invalidates; CPU load counts against the agents\' cores', () => {
  const gen = judged({ sessions: 5, cpu: steadySeries(1), qos: { publishLateMsP99: 21 } }).q;
  assert.equal(gen.invalid, true);
  assert.equal(gen.broken, false, 'a broken generator is no knee');
  // Load = mean agents' CPU after warm-up / agents' cores: 3 / 4 = 0.75 reaches 0.75 (values exact in binary).
  const ctx75 = { ...CTX, loadThreshold: 0.75 };
  const at = judgeStep(makeStep(0, { sessions: 20, cpu: [9, 9, 3, 3, 3, 3, 3] }), ctx75);
  assert.ok(at.cpuReached && at.broken, 'the warm-up samples (9) do not count');
  assert.equal(at.load, 0.75);
  assert.match(at.broke[0] as string, /CPU load 0\.75 ≥ load_threshold 0\.75 \(agents 3\.00 of 4 cores\)/);
  assert.equal(judgeStep(makeStep(0, { sessions: 20, cpu: [3, 3, 2.99, 2.99, 2.99, 2.99, 2.99] }), ctx75).broken, false);
  // Confined to 2 cores on an 8-core host: 1.5 cores is load 0.75.
  const ctx = judgeContext(host(8, 32), { kind: 'cgroup-v2', path: '/sys/fs/cgroup/vl', cpuCores: 2, memoryBytes: 4 * GIB }, 0.75);
  assert.deepEqual(ctx, { loadThreshold: 0.75, agentCores: 2, hostCores: 8, loadCores: null });
  assert.equal(judgeStep(makeStep(0, { sessions: 10, cpu: [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5] }), ctx).load, 0.75);
  assert.equal(judgeContext(host(8), null, 0.75).agentCores, 8);
});

function j(over: Partial<StepJudgement>): StepJudgement {
  return { broken: false, broke: [], cpuReached: false, invalid: false, invalidWhy: [], load: 0.3, saturated: false, ...over };
}

test('findKnee: no knee found within the steps tried', () => {
  const steps = [5, 10, 15].map((n, i) => makeStep(i, { sessions: n, cpu: steadySeries(n / 10) }));
  const k = findKnee(steps, [j({}), j({}), j({})]);
  assert.equal(k.sessions, null);
  assert.equal(k.stepIndex, null);
  assert.equal(k.cause, null);
  assert.match(k.basis, /beyond 15 sessions, the most tried/);
});

test('findKnee: the first valid break, the last good step, invalid steps skipped', () => {
  const steps = [5, 10, 15, 20, 25].map((n, i) => makeStep(i, { sessions: n, cpu: steadySeries(n / 10) }));
  const k = findKnee(steps, [
    j({}),
    j({}),
    j({ invalid: true, invalidWhy: ['generator'], broken: true, broke: ['VAD onset lag p95 400 ms > 300 ms'] }),
    j({ broken: true, broke: ['agent event-loop delay p99 80.0 ms > 50 ms'], load: 0.5 }),
    j({}),
  ]);
  assert.equal(k.sessions, 20, 'the invalid step at 15 is no knee');
  assert.equal(k.stepIndex, 3);
  assert.equal(k.lastGoodSessions, 10, 'the invalid step at 15 is not a good step either');
  assert.equal(k.cause, 'quality');
  assert.deepEqual(k.broke, ['agent event-loop delay p99 80.0 ms > 50 ms']);
  assert.match(k.basis, /step 3 at 20 sessions .*quality held at 10 sessions; 1 step\(s\) skipped as invalid/);
});

test('findKnee: CPU knees — the threshold only, or quality breaking at saturation', () => {
  const steps = [5, 10].map((n, i) => makeStep(i, { sessions: n, cpu: steadySeries(n / 10) }));
  const cpuOnly = findKnee(steps, [j({}), j({ broken: true, cpuReached: true, broke: ['CPU load 0.71 ≥ load_threshold 0.7'] })]);
  assert.equal(cpuOnly.cause, 'threshold');
  const saturated = findKnee(steps, [j({}), j({ broken: true, saturated: true, broke: ['1 gap(s) over 100 ms'] })]);
  assert.equal(saturated.cause, 'saturation');
  const first = findKnee(steps, [j({ broken: true, broke: ['x'] }), j({})]);
  assert.equal(first.sessions, 5);
  assert.equal(first.lastGoodSessions, null);
  assert.match(first.basis, /no valid step below it held/);
  assert.throws(() => findKnee(steps, [j({})]));
});

test('rampStopReasons: the knee or a broken generator stops a ramp; an empty step does not', () => {
  const none = { agents: [], loadSide: [] };
  assert.deepEqual(rampStopReasons(makeStep(0, { sessions: 5, cpu: steadySeries(1) }), CTX), none);
  assert.deepEqual(rampStopReasons(makeStep(0, { sessions: 5, cpu: [] }), CTX), none);
  const gen = rampStopReasons(makeStep(0, { sessions: 5, cpu: steadySeries(1), qos: { publishLateMsP99: 30 } }), CTX);
  assert.deepEqual(gen.agents, [], 'the generator missing real time is not the agents\' knee');
  assert.equal(gen.loadSide.length, 1);
  assert.match(gen.loadSide[0] as string, /load generator missed real time/);
  const both = rampStopReasons(makeStep(0, { sessions: 5, cpu: steadySeries(3), qos: { gapsOver100ms: 2 } }), CTX);
  assert.equal(both.agents.length, 2, both.agents.join('; '));
  assert.deepEqual(both.loadSide, []);
});
