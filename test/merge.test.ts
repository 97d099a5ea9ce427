/**
 * The merge of shard results, against hand-built truth: a whole run split N ways and merged must
 * give the whole run's counts and the percentiles of the pooled values (never averaged ones).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rampPlan, shardRampPlan } from '../harness/common/ramp.js';
import { aggregate } from '../harness/results/aggregate.js';
import { LatencyHistogram } from '../harness/results/histogram.js';
import { checkShards, mergeShards } from '../harness/results/merge.js';
import { parseShard, shardScenario } from '../harness/scenario/shard.js';
import { loadScenario } from '../harness/scenario/load.js';
import { launchPlan } from '../harness/scenario/schema.js';
import { session, seeded, shardRun } from './support/shard-input.js';

test('the shards of a ramp add up to the whole ramp, step by step (voice-30 in 3 shards)', () => {
  const whole = rampPlan({ sessions: 30, step: 5, everyS: 20 });
  const parts = [0, 1, 2].map((i) => shardRampPlan({ sessions: 30, step: 5, everyS: 20 }, { index: i, count: 3 }));
  whole.forEach((step, k) => {
    const globals = parts.flatMap((plan, i) => Array.from({ length: plan[k]!.to - plan[k]!.from }, (_, j) => (plan[k]!.from + j) * 3 + i)).sort((a, b) => a - b);
    assert.deepEqual(globals, Array.from({ length: step.to - step.from }, (_, j) => step.from + j), `step ${k}`);
    for (const plan of parts) assert.equal(plan[k]!.atS, step.atS);
  });
  assert.deepEqual(parts.map((p) => p[p.length - 1]!.to), [10, 10, 10]);
});

test('a shard scenario runs its share on the whole ramp; bad shards are one line', async () => {
  const s = await loadScenario('voice-30', {});
  const sh = shardScenario(s, { index: 2, count: 4 });
  assert.equal(sh.sessions, 7);
  assert.deepEqual(sh.shard, { index: 2, count: 4, totalSessions: 30 });
  assert.equal(launchPlan(sh).reduce((a, st) => a + st.to - st.from, 0), 7);
  assert.throws(() => parseShard('3/3'), /--shard '3\/3': i must be from 0 to N-1/);
  assert.throws(() => parseShard('1of3'), /--shard '1of3': write i\/N/);
  assert.throws(() => shardScenario(s, { index: 0, count: 31 }), /use at most 30 shards/);
});

test('merged shards equal the whole run: counts add, percentiles from the pooled histogram', () => {
  const runs = [0, 1, 2].map((i) => shardRun({ index: i, count: 3, totalSessions: 10, late: i + 1 }));
  const merged = mergeShards(runs);
  const r = merged.result;
  assert.deepEqual(r.sessions, { requested: 10, joined: 10 });
  assert.deepEqual(merged.input.sessions.map((s) => s.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Frames: sessions g expect 1400 + g each.
  assert.equal(r.qos.agentAudio.framesExpected, 14_000 + 45);
  assert.equal(r.qos.agentAudio.gapsOver100ms, 5);
  assert.equal(r.qos.agentAudio.maxGapMs, 49);
  // The truth: every session's values in one histogram (shard i's lateness scale is i + 1).
  const truth = new LatencyHistogram();
  for (let g = 0; g < 10; g++) truth.merge(session(g, 0, seeded(g + 1), (g % 3) + 1).publishLate!);
  assert.equal(r.qos.publishLateMs.p99, truth.percentile(99));
  assert.equal(r.qos.publishLateMs.p50, truth.percentile(50));
  // Averaging the shards' p99s would be another number: the merge must not do that.
  const shardP99s = runs.map((x) => aggregate({ ...x.file.input, samples: x.samples }).qos.publishLateMs.p99!);
  assert.notEqual(r.qos.publishLateMs.p99, shardP99s.reduce((a, b) => a + b, 0) / 3);
  assert.equal(r.shards?.count, 3);
  assert.deepEqual(r.shards?.each.map((e) => e.sessions.requested), [4, 3, 3]);
});

test('per-second samples align on wall time; a second one shard missed is left out and counted', () => {
  const runs = [
    shardRun({ index: 0, count: 2, totalSessions: 4, seconds: 20 }),
    shardRun({ index: 1, count: 2, totalSessions: 4, seconds: 20, offsetMs: 120, skipSecond: 7 }),
  ];
  const m = mergeShards(runs);
  assert.equal(m.result.shards?.droppedSamples, 1);
  assert.equal(m.samples.length, 19);
  const s = m.samples[0]!;
  assert.equal(s.activeSessions, 4);
  assert.ok(Math.abs(s.roles.agents.cpuCores - 0.4) < 1e-9);
  assert.equal(s.roles.agents.pssEstimated, undefined, 'no shard estimated PSS: nothing to say');
  assert.equal(m.input.marks.length, m.samples.length);
  assert.equal(Object.keys(m.input.marks[0]!.sessions).length, 4);
});

test('the merged window is real time: it ends where the first shard\'s did, at the samples its counts come from', () => {
  // As on a real run: shards started 13 ms apart; shard 1's first session left 10 ms before its
  // 20th sample, shard 0's later. The merged window must end at second 19: at 20 shard 1 was leaving.
  const runs = [
    shardRun({ index: 0, count: 2, totalSessions: 4, seconds: 21, offsetMs: 3 }),
    shardRun({ index: 1, count: 2, totalSessions: 4, seconds: 21, offsetMs: 16 }),
  ];
  runs[0]!.file.input.holdToMs = 20_500;
  runs[1]!.file.input.holdToMs = 19_990;
  const m = mergeShards(runs);
  // Second k is merged when shard 1's sample of it was taken, 13 ms after the merged start's second.
  assert.deepEqual(m.samples.slice(0, 2).map((s) => s.elapsedMs), [1013, 2013]);
  assert.deepEqual(m.input.marks.map((x) => x.elapsedMs), m.samples.map((s) => s.elapsedMs));
  assert.equal(m.input.holdToMs, 20_003);
  assert.equal(m.result.window.fromS, 5.013);
  assert.equal(m.result.window.toS, 19.013);
});

test('merged samples count the PSS readings each shard estimated', () => {
  const runs = [0, 1].map((i) => shardRun({ index: i, count: 2, totalSessions: 4, seconds: 5 }));
  for (const [i, run] of runs.entries()) for (const s of run.samples) s.roles.agents.pssEstimated = i + 1;
  assert.deepEqual(mergeShards(runs).samples.map((s) => s.roles.agents.pssEstimated), [3, 3, 3, 3, 3]);
});

test('a merge of the wrong set of shards is bad input naming what is wrong', () => {
  const a = shardRun({ index: 0, count: 3, totalSessions: 6 });
  const b = shardRun({ index: 1, count: 3, totalSessions: 6 });
  assert.throws(() => checkShards([a, b]), /missing 2/);
  assert.throws(() => checkShards([a, a, b]), /missing 2/);
  assert.throws(() => checkShards([a, shardRun({ index: 1, count: 3, totalSessions: 6, scenario: 'voice-2' }), b]), /different scenarios/);
  assert.throws(() => checkShards([a, shardRun({ index: 1, count: 2, totalSessions: 6 })]), /not from the same split/);
});

test('a shard whose generator fell behind makes the merged run invalid, and says which', () => {
  const runs = [shardRun({ index: 0, count: 2, totalSessions: 4 }), shardRun({ index: 1, count: 2, totalSessions: 4, late: 40 })];
  const r = mergeShards(runs).result;
  assert.equal(r.valid, false);
  assert.equal(r.shards?.each[1]?.keptRealTime, false);
  assert.equal(r.shards?.each[0]?.keptRealTime, true);
  assert.ok(r.invalidReasons.some((w) => /shard 1 \(gen-1\): its generator did not keep real time/.test(w)), r.invalidReasons.join('; '));
});
