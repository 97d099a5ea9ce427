import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeContext, judgeStep, loadSideCpu, rampStopReasons } from '../harness/capacity/quality.js';
import { findKnee } from '../harness/capacity/knee.js';
import type { Confinement } from '../harness/results/types.js';
import { GIB, host, makeStep, steadySeries } from './support/capacity-run.js';

const PARTITIONED: Confinement = {
  kind: 'cgroup-v1', path: '/sys/fs/cgroup/cpuset/voiceload-1-vl-x-agents', cpuCores: 1, memoryBytes: 8 * GIB,
  partition: { agentCpus: '1', loadCpus: '0', loadCores: 1, loadPath: '/sys/fs/cgroup/cpuset/voiceload-1-vl-x-load' },
};
const CTX = judgeContext(host(2, 24), PARTITIONED, 0.7);

test('judgeContext: a partition gives the agents their CPUs and the load side its own', () => {
  assert.equal(CTX.agentCores, 1);
  assert.equal(CTX.loadCores, 1);
  assert.equal(judgeContext(host(2, 24), null, 0.7).loadCores, null);
});

test('loadSideCpu: harness, server and generators summed per sample', () => {
  const step = makeStep(0, { sessions: 2, cpu: steadySeries(0.3, 4) });
  // makeStep: generator 0.1, server 0.05, harness 0.01 in every sample.
  assert.deepEqual(loadSideCpu(step).map((x) => Math.round(x * 1000) / 1000), [0.16, 0.16, 0.16, 0.16]);
});

test('a load side without headroom makes the step invalid, not a knee', () => {
  const step = makeStep(0, { sessions: 4, cpu: steadySeries(0.5) });
  assert.deepEqual(judgeStep(step, CTX).invalidWhy, []);
  step.series.generator.cpuCores = step.series.generator.cpuCores.map(() => 0.8); // + 0.06 → 0.86 of 1 core
  const j = judgeStep(step, CTX);
  assert.equal(j.invalid, true);
  assert.match(j.invalidWhy.join(';'), /the load side lacked headroom: 0\.86 of its 1 core\(s\) > 80 %/);
  assert.equal(j.broken, false, 'the load side running out is not the agents\' knee');
  // The ramp stops there too: later steps would be measured by a load side out of breath.
  assert.match(rampStopReasons(step, CTX).loadSide.join(';'), /lacked headroom/);
  // Unpartitioned, the same figures say nothing about headroom (the generator shares the host).
  assert.deepEqual(judgeStep(step, judgeContext(host(2, 24), null, 0.7)).invalidWhy, []);
});

test('a late generator event loop makes the step invalid; the knee is found past it', () => {
  const late = makeStep(0, { sessions: 1, cpu: steadySeries(0.15), qos: { generatorLoopDelayMsP99: 35 } });
  assert.match(judgeStep(late, CTX).invalidWhy.join(';'), /event loop was late: p99 35\.0 ms > 20 ms/);
  const ok = makeStep(1, { sessions: 2, cpu: steadySeries(0.3) });
  const knee = makeStep(2, { sessions: 3, cpu: steadySeries(0.75) });
  const steps = [late, ok, knee];
  const k = findKnee(steps, steps.map((s) => judgeStep(s, CTX)));
  assert.equal(k.sessions, 3);
  assert.equal(k.lastGoodSessions, 2);
});

test('partitioned, saturation is the agents\' own cores, not the host\'s', () => {
  // Agents at 0.95 of their 1 core, host at 1.15 of 2 (below 90 %): saturated all the same.
  const step = makeStep(0, { sessions: 6, cpu: steadySeries(0.95), system: steadySeries(1.15) });
  assert.equal(judgeStep(step, CTX).saturated, true);
  assert.equal(judgeStep(step, judgeContext(host(2, 24), null, 0.7)).saturated, false);
});
