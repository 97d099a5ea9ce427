/**
 * A small, realistic report built by hand for the report.html and charts tests: a 4-step ramp
 * (5, 10, 15, 20 sessions, 20 s each, 5 s settle), one sample a second, and a capacity model
 * whose fit, knee and recommendations are chosen so the tests can compute what must be drawn.
 * Deterministic: the "noise" is a sine of the sample index.
 */
import type { CapacityModel } from '../harness/capacity/types.js';
import type { ReportData } from '../harness/report/types.js';
import type { HostInfo, RunResult, StepQos, StepSummary } from '../harness/results/types.js';
import { ROLES, type Role, type Sample } from '../harness/sampling/types.js';

export const HOST: HostInfo = {
  cores: 4, memoryBytes: 8 * 1024 ** 3, hostname: 'bench-1', cpuModel: 'AMD EPYC 7B13', platform: 'linux-x64', kernel: '6.1.0', node: 'v20.20.2',
};
const MB = 1024 ** 2;
const STEP_S = 20;
const SETTLE_S = 5;
const SESSIONS = [5, 10, 15, 20];
const DURATION_S = SESSIONS.length * STEP_S;

/** Per-role cost at n sessions: cores and PSS bytes. Agents grow with n; the rest barely. */
function cost(role: Role, n: number, i: number): { cpu: number; pss: number } {
  const wobble = 1 + 0.03 * Math.sin(i);
  switch (role) {
    case 'agents': return { cpu: (0.1 + 0.15 * n) * wobble, pss: (60 + 75 * n) * MB };
    case 'generator': return { cpu: 0.02 * n * wobble, pss: (40 + 3 * n) * MB };
    case 'server': return { cpu: 0.01 * n * wobble, pss: (50 + n) * MB };
    case 'harness': return { cpu: 0.05 * wobble, pss: 45 * MB };
  }
}

function sessionsAt(t: number): number {
  return SESSIONS[Math.min(SESSIONS.length - 1, Math.floor(t / STEP_S))] as number;
}

export function makeSamples(): Sample[] {
  const out: Sample[] = [];
  for (let i = 1; i <= DURATION_S; i++) {
    const n = sessionsAt(i - 0.5);
    const roles = {} as Sample['roles'];
    for (const r of ROLES) {
      const c = cost(r, n, i);
      roles[r] = { processes: r === 'agents' ? n : 1, cpuCores: c.cpu, rssBytes: c.pss * 1.4, pssBytes: c.pss };
    }
    const used = ROLES.reduce((a, r) => a + roles[r].cpuCores, 0);
    out.push({
      t: 1_800_000_000_000 + i * 1000, elapsedMs: i * 1000, activeSessions: n, roles,
      system: { cpuCores: used + 0.2, memUsedBytes: 2 * 1024 ** 3, memTotalBytes: HOST.memoryBytes },
      sampler: { wallMs: 8, cpuMs: 6 },
    });
  }
  return out;
}

function stepQos(k: number): StepQos {
  return {
    segmentsExpected: 30 * (k + 1), segmentsDetected: 30 * (k + 1) - (k === 3 ? 4 : 0),
    onsetLagMs: { p50: 120 + 20 * k, p95: [180, 210, 260, 420][k] ?? null },
    framesExpected: 1500 * (k + 1), framesReceived: 1500 * (k + 1) - (k === 3 ? 40 : 0), gapsOver100ms: k === 3 ? 3 : 0,
    publishLateMsP99: [1.2, 1.5, 2.2, 9.5][k] ?? null, agentPublishLateMsP99: 2 + k,
    // Step 1 has no loop-delay data: the chart must leave that point out, not draw a zero.
    agentLoopDelayMsP99: k === 1 ? null : [2, 0, 6, 35][k] ?? null, generatorLoopDelayMsP99: 1.5,
  };
}

export function makeSteps(samples: readonly Sample[]): StepSummary[] {
  return SESSIONS.map((n, k) => {
    const startS = k * STEP_S;
    const fromS = startS + SETTLE_S;
    const toS = startS + STEP_S;
    const inside = samples.filter((s) => s.elapsedMs / 1000 >= fromS && s.elapsedMs / 1000 <= toS);
    const series = {} as StepSummary['series'];
    for (const r of ROLES) {
      series[r] = {
        cpuCores: inside.map((s) => s.roles[r].cpuCores),
        pssBytes: inside.map((s) => s.roles[r].pssBytes as number),
        rssBytes: inside.map((s) => s.roles[r].rssBytes),
      };
    }
    return {
      index: k, targetSessions: n, sessions: n, startS, endS: toS, fromS, toS, series,
      systemCpuCores: inside.map((s) => s.system.cpuCores), qos: stepQos(k),
    };
  });
}

const ZERO_LATE = { p50: 0.5, p99: 2.2, max: 9.5 };

export function makeResult(samples: readonly Sample[], scenario = 'voice-20'): RunResult {
  const role = { cpuCores: { mean: 1, p95: 1.2, max: 1.3 }, rssBytes: { mean: 200 * MB, max: 220 * MB }, pssBytes: { mean: 150 * MB, max: 160 * MB }, samples: 20 };
  return {
    schemaVersion: 1, scenario, startedAt: '2027-01-15T10:00:00.000Z', endedAt: '2027-01-15T10:01:20.000Z', durationS: DURATION_S,
    valid: true, invalidReasons: [], interrupted: false, host: { ...HOST }, target: { cores: 4, memoryBytes: 8 * 1024 ** 3 },
    server: { mode: 'local', version: '1.13.5' },
    network: { mode: 'netns', namespace: 'vl-test', allowedAddrs: ['198.18.0.1', '198.18.0.2'], candidateAddresses: ['198.18.0.1', '198.18.0.2'] },
    sessions: { requested: 20, joined: 20 },
    window: { fromS: 65, toS: 80, samples: 16, basis: 'from 65 s (last join 60 s + 5 s warm-up) to 80 s' },
    roles: { agents: role, generator: role, server: role, harness: role },
    system: { cpuCores: { mean: 3.7, p95: 3.9, max: 4 }, memUsedBytes: { mean: 2 * 1024 ** 3, max: 2.1 * 1024 ** 3 } },
    sampler: { samples: samples.length, wallMs: { mean: 8, max: 12 }, cpuMs: { mean: 6, max: 9 }, maxIntervalMs: 1010 },
    perSession: { cpuCores: 0.155, pssBytes: 78 * MB, rssBytes: 110 * MB, basis: "agents' mean over the window / 20 sessions", kind: 'measured' },
    qos: {
      vad: { segmentsExpected: 120, segmentsDetected: 116, onsetLagMs: { p50: 150, p95: 380 }, inferMs: { p50: 0.6, p95: 1.1 } },
      agentAudio: { framesExpected: 6000, framesReceived: 5960, gapsOver100ms: 3, maxGapMs: 240, toneOk: true, sessionsHearingTone: 20 },
      publishLateMs: ZERO_LATE, agentPublishLateMs: ZERO_LATE, agentLoopDelayMs: ZERO_LATE, generatorLoopDelayMs: ZERO_LATE,
    },
    ramp: { step: 5, everyS: STEP_S, settleS: SETTLE_S },
    steps: makeSteps(samples),
  };
}

export function makeModel(result: RunResult): CapacityModel {
  const points = [5, 10, 15].map((n) => ({ sessions: n, value: 0.1 + 0.15 * n }));
  return {
    host: result.host,
    target: { cores: 4, memoryBytes: 8 * 1024 ** 3, label: '4 cores / 8 GB' },
    targetBasis: { kind: 'extrapolated', how: 'from the fit on bench-1 (4 cores): base + perSession × n, not measured at the target' },
    steadiness: {
      rule: 'cv ≤ 10 % and |slope| ≤ 0.01 cores/s over the settled part',
      steps: [
        { index: 0, sessions: 5, steady: true, memorySteady: true, reason: 'cv 2.1 % ≤ 10 %, slope 0.001 cores/s' },
        { index: 1, sessions: 10, steady: true, memorySteady: true, reason: 'cv 2.0 % ≤ 10 %, slope 0.002 cores/s' },
        { index: 2, sessions: 15, steady: true, memorySteady: true, reason: 'cv 2.2 % ≤ 10 %, slope 0.001 cores/s' },
        { index: 3, sessions: 20, steady: false, memorySteady: false, reason: 'quality broke: VAD onset lag p95 420 ms > 300 ms' },
      ],
    },
    cpu: { base: 0.1, perSession: 0.15, perSessionCi: [0.14, 0.16], baseCi: [0.02, 0.18], confidence: 0.95, points, r2: 0.998, residualSd: 0.01 },
    pss: {
      base: 60 * MB, perSession: 75 * MB, perSessionCi: [72 * MB, 78 * MB], baseCi: [40 * MB, 80 * MB], confidence: 0.95,
      points: [5, 10, 15].map((n) => ({ sessions: n, value: (60 + 75 * n) * MB })), r2: 0.999, residualSd: 2 * MB,
    },
    knee: { sessions: 20, stepIndex: 3, broke: ['VAD onset lag p95 420 ms > 300 ms'], basis: 'first step whose quality broke' },
    inputs: { loadThreshold: 0.7, loadThresholdSource: 'default of @livekit/agents 1.9', peakSessions: 100, arrivalRate: 1, podStartS: 60, sessionLengthS: 600 },
    recommendations: [
      {
        key: 'sessionsPerWorker', label: 'Sessions per worker', value: 17, unit: 'sessions', kind: 'extrapolated',
        why: 'the fit reaches the load threshold at 17 sessions, below the knee', inputs: { perSession: 0.15, base: 0.1, cores: 4, loadThreshold: 0.7 },
      },
      {
        key: 'loadThreshold', label: 'Load threshold', value: 0.7, unit: null, kind: 'measured',
        why: 'default of @livekit/agents 1.9', inputs: { source: 'default' },
      },
    ],
    warnings: ['Step 4 (20 sessions) broke quality; the knee is at 20 sessions.'],
  };
}

/** The whole hand-made report; `scenario` lets a test put hostile text in the page. */
export function makeReportData(scenario?: string): ReportData {
  const samples = makeSamples();
  const result = makeResult(samples, scenario);
  return { result, samples, model: makeModel(result) };
}

/** The inline values of one named dataset of a compiled vega spec. */
export function dataOf(spec: { data?: unknown }, name: string): Record<string, unknown>[] {
  const found = (spec.data as { name: string; values?: unknown }[] | undefined)?.find((d) => d.name === name);
  if (found === undefined || !Array.isArray(found.values)) throw new Error(`no inline dataset ${name}`);
  return found.values as Record<string, unknown>[];
}

/** Asserts a number equals the expected one to within floating-point rounding. */
export function near(actual: unknown, expected: number, what: string): void {
  if (typeof actual !== 'number' || Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) {
    throw new Error(`${what}: ${String(actual)} != ${expected}`);
  }
}
