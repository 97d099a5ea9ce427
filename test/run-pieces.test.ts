/** The run core's pure pieces, against hand values: the ramp plan, the window, the knee stop, the assembly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rampEndSeconds, rampPlan, rampStep, rampStepCount } from '../harness/common/ramp.js';
import { kneeStopOf } from '../harness/run/step-judge.js';
import { lastJoinAt, windowStartMs } from '../harness/run/window.js';

test('rampPlan: 30 sessions at +5 every 20 s is six steps, the last from 25 to 30 at 100 s', () => {
  const plan = rampPlan({ sessions: 30, step: 5, everyS: 20 });
  assert.equal(plan.length, 6);
  assert.deepEqual(plan[0], { index: 0, from: 0, to: 5, atS: 0 });
  assert.deepEqual(plan[5], { index: 5, from: 25, to: 30, atS: 100 });
  assert.equal(rampEndSeconds({ sessions: 30, step: 5, everyS: 20 }), 100);
});

test('rampPlan: a last step that is not full stops at the cap', () => {
  assert.deepEqual(rampPlan({ sessions: 7, step: 3, everyS: 10 }).map((s) => [s.from, s.to, s.atS]), [[0, 3, 0], [3, 6, 10], [6, 7, 20]]);
  assert.equal(rampStepCount({ sessions: 7, step: 3 }), 3);
  assert.equal(rampStepCount({ sessions: 2, step: 5 }), 1);
  assert.deepEqual(rampStep({ sessions: 7, step: 3, everyS: 10 }, 5), { index: 5, from: 7, to: 7, atS: 50 });
});

test('windowStartMs: a knee step is measured over its settled part; else warm-up after the last join', () => {
  const base = { warmedUpAtMs: null, lastJoinAt: null, startedAt: 1_000_000, rampEndS: 100, warmupS: 15 };
  assert.equal(windowStartMs({ ...base, knee: { fromS: 42.5 } }), 42_500);
  assert.equal(windowStartMs({ ...base, knee: { fromS: null } }), 0);
  assert.equal(windowStartMs({ ...base, knee: null, warmedUpAtMs: 120_300 }), 120_300);
  assert.equal(windowStartMs({ ...base, knee: null, lastJoinAt: 1_000_000 + 103_000 }), 118_000);
  // Nobody joined: from the scheduled end of the ramp.
  assert.equal(windowStartMs({ ...base, knee: null }), 115_000);
});

test('lastJoinAt: the latest instant both sides of a session were in; sessions half-joined do not count', () => {
  assert.equal(lastJoinAt([{ agentJoinedAt: 5, userJoinedAt: 9 }, { agentJoinedAt: 12, userJoinedAt: 7 }, { agentJoinedAt: 50, userJoinedAt: null }]), 12);
  assert.equal(lastJoinAt([{ agentJoinedAt: null, userJoinedAt: 3 }]), null);
});

test('kneeStopOf: a step that broke is the knee with its sessions and reasons; one that held is none', () => {
  assert.deepEqual(kneeStopOf(3, { sessions: 7, broke: ['gaps'], loadSide: [], fromS: 95 }), { stepIndex: 3, sessions: 7, broke: ['gaps'] });
  assert.deepEqual(kneeStopOf(3, { sessions: 7, broke: ['late'], loadSide: ['late'], fromS: 95 }), { stepIndex: 3, sessions: 7, broke: ['late'], loadSide: ['late'] });
  assert.equal(kneeStopOf(3, { sessions: 7, broke: [], loadSide: [], fromS: 95 }), null);
});
