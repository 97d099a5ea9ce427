import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseSteps } from '../harness/results/steps.js';
import type { HistogramData, QosMark, RunInput, SessionRecord } from '../harness/results/types.js';
import type { Sample } from '../harness/sampling/types.js';

const START = 1_700_000_000_000;
const MB = 1024 ** 2;

/** A histogram (0.1 ms buckets) holding `n` values in the bucket whose upper edge is `ms`. */
function hist(entries: Array<[ms: number, n: number]>): HistogramData {
  const counts: number[] = [];
  let count = 0;
  for (const [ms, n] of entries) {
    const i = Math.round(ms / 0.1) - 1;
    while (counts.length <= i) counts.push(0);
    counts[i] = (counts[i] as number) + n;
    count += n;
  }
  return { bucketMs: 0.1, counts, overflow: 0, count, maxMs: 2000 };
}

function sample(s: number, active: number, agentsCpu: number): Sample {
  const role = (cpu: number) => ({ processes: 1, cpuCores: cpu, rssBytes: 100 * MB, pssBytes: 80 * MB });
  return {
    t: START + s * 1000, elapsedMs: s * 1000, activeSessions: active,
    roles: { agents: role(agentsCpu), generator: role(0.1), server: role(0.05), harness: role(0.02) },
    system: { cpuCores: agentsCpu + 0.2, memUsedBytes: 1024 * MB, memTotalBytes: 4096 * MB },
    sampler: { wallMs: 10, cpuMs: 8 },
  };
}

function session(index: number, joinS: number, vadStartsS: number[]): SessionRecord {
  return {
    index, room: `r${index}`, agentJoinedAt: START + joinS * 1000, userJoinedAt: START + joinS * 1000 - 200,
    speech: { t0: START + joinS * 1000, loopMs: 10_000 }, sendEndAt: null,
    vadStarts: vadStartsS.map((s) => START + s * 1000), vadEnds: [], agentAudio: null,
    publishLate: null, agentPublishLate: null, vadInferMs: null, agentLoopDelay: null, atWindowStart: null, candidateAddrs: [], errors: [],
  };
}

function mark(s: number, perSession: Record<number, { late: HistogramData; frames: number; gaps: number }>, gen: HistogramData | null): QosMark {
  const sessions: QosMark['sessions'] = {};
  for (const [i, v] of Object.entries(perSession)) {
    sessions[Number(i)] = { publishLate: v.late, agentPublishLate: null, agentLoopDelay: null, framesExpected: v.frames, framesReceived: v.frames, gapsOver100ms: v.gaps };
  }
  return { elapsedMs: s * 1000, sessions, generators: [gen] };
}

/**
 * Two steps of one session each (+1 every 20 s, settle 5 s), run length 40 s.
 * Session 0 joins at 1 s: step 0's settled part is 6..20 s. Session 1 joins at 22 s: step 1's is 27..40 s.
 * Speech segments at 0 and 3 s of a 10 s loop, t0 = join time.
 */
function input(): RunInput {
  const samples: Sample[] = [];
  for (let s = 0; s <= 40; s++) samples.push(sample(s, s < 1 ? 0 : s < 22 ? 1 : 2, s < 22 ? 0.2 : 0.4 + (s % 2) * 0.02));
  const l1 = hist([[1, 10]]);
  const l2 = hist([[1, 10], [5, 90]]);
  const l3 = hist([[1, 10], [5, 90], [30, 5]]);
  const g1 = hist([[2, 50]]);
  const g2 = hist([[2, 50], [40, 50]]);
  return {
    scenario: 'steps', startedAt: START, endedAt: START + 40_000,
    host: { cores: 2, memoryBytes: 4096 * MB, hostname: 'h', cpuModel: 'cpu', platform: 'linux', kernel: '6', node: 'v20' },
    target: { cores: 4, memoryBytes: 8192 * MB },
    server: { mode: 'local', version: '1.13.5', url: 'ws://127.0.0.1:7880' },
    network: { mode: 'host', namespace: null, allowedAddrs: [] },
    requestedSessions: 2, holdFromMs: 30_000, toneHz: 440,
    segments: [{ startMs: 0, endMs: 1000 }, { startMs: 3000, endMs: 4000 }],
    // Session 0's onsets after 6 s: 11, 14 (step 0, both detected 0.2 s late), 21, 24, 31, 34 (step 1; 31 missed).
    // Session 1 (t0 = 22 s): onsets 22 and 25 are before its listen time 23 s? 22 is, 25 is not; 25 falls before step 1's settled part (27 s).
    sessions: [session(0, 1, [11.2, 14.2, 21.3, 24.3, 34.4]), session(1, 22, [25.2, 32.2, 35.25])],
    samples,
    ramp: { step: 1, everyS: 20, settleS: 5 },
    marks: [
      mark(6, { 0: { late: l1, frames: 100, gaps: 0 } }, g1),
      mark(20, { 0: { late: l2, frames: 800, gaps: 1 } }, g1),
      mark(27, { 0: { late: l2, frames: 1100, gaps: 1 }, 1: { late: l1, frames: 200, gaps: 0 } }, g1),
      mark(40, { 0: { late: l3, frames: 1750, gaps: 3 }, 1: { late: l2, frames: 850, gaps: 0 } }, g2),
    ],
    generatorLoopDelay: [], confinement: null, kneeStop: null,
    invalidReasons: [], interrupted: false,
  };
}

test('summariseSteps: each step is measured over its settled part only', () => {
  const steps = summariseSteps(input(), input().samples);
  assert.equal(steps.length, 2);
  const [a, b] = steps;
  assert.deepEqual([a!.startS, a!.endS, a!.fromS, a!.toS, a!.sessions, a!.targetSessions], [0, 20, 6, 20, 1, 1]);
  assert.deepEqual([b!.startS, b!.endS, b!.fromS, b!.toS, b!.sessions, b!.targetSessions], [20, 40, 27, 40, 2, 2]);
  assert.equal(a!.series.agents.cpuCores.length, 15);
  assert.ok(a!.series.agents.cpuCores.every((c) => c === 0.2));
  assert.equal(b!.series.agents.cpuCores.length, 14);
  assert.deepEqual(b!.series.agents.pssBytes?.slice(0, 2), [80 * MB, 80 * MB]);
  assert.equal(b!.systemCpuCores[0], 0.4 + 0.02 + 0.2);
});

test('summariseSteps: quality is the difference between the marks that bound each step', () => {
  const [a, b] = summariseSteps(input(), input().samples);
  // Step 0: between marks 6 s and 20 s, session 0 added 90 values at 5 ms: p99 = 5.
  assert.equal(a!.qos.publishLateMsP99, 5);
  assert.deepEqual([a!.qos.framesExpected, a!.qos.gapsOver100ms], [700, 1]);
  // Step 1: between marks 27 s and 40 s: session 0 added 5 at 30 ms, session 1 added 90 at 5 ms -> 95 values, p99 rank 95 = 30.
  assert.equal(b!.qos.publishLateMsP99, 30);
  assert.deepEqual([b!.qos.framesExpected, b!.qos.gapsOver100ms], [650 + 650, 2]);
  // The generator's loop delay rose only in step 1: 50 values at 40 ms.
  assert.equal(a!.qos.generatorLoopDelayMsP99, null);
  assert.equal(b!.qos.generatorLoopDelayMsP99, 40);
});

test('summariseSteps: VAD onsets are judged inside each step', () => {
  const [a, b] = summariseSteps(input(), input().samples);
  // Step 0 (6..20 s): session 0 onsets 11 and 14, both found 200 ms late.
  assert.deepEqual([a!.qos.segmentsExpected, a!.qos.segmentsDetected], [2, 2]);
  assert.ok(Math.abs((a!.qos.onsetLagMs.p95 as number) - 200) < 1e-6);
  // Step 1 (27..40 s): session 0 onsets 31, 34 (34 found at +400; 31 missed); session 1 onsets 32, 35 (+200, +250).
  // sendEnd is unknown, so onsets up to the run end minus 1.5 s count: 31, 34, 32, 35.
  assert.deepEqual([b!.qos.segmentsExpected, b!.qos.segmentsDetected], [4, 3]);
  // The miss counts as later than 1000 ms: lags 200 250 400 (miss) -> p50 (250 + 400) / 2, p95 on the miss.
  assert.ok(Math.abs((b!.qos.onsetLagMs.p50 as number) - 325) < 1e-6);
  assert.deepEqual([b!.qos.onsetLagMs.p95, b!.qos.onsetLagMs.p95Censored], [1000, true]);
});

test('summariseSteps: a step with no sample after it settled has no figures, not zeros', () => {
  const inp = input();
  inp.samples = inp.samples.filter((s) => s.elapsedMs < 22_000);
  const steps = summariseSteps(inp, inp.samples);
  assert.equal(steps[1]!.fromS, null);
  assert.equal(steps[1]!.series.agents.cpuCores.length, 0);
  assert.equal(steps[1]!.qos.publishLateMsP99, null);
  assert.equal(steps[1]!.qos.onsetLagMs.p95, null);
});
