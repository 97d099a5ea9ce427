/**
 * Hand-made RunResults for the capacity tests: steps whose per-sample series and quality are
 * exactly what a test says, and a result around them with a chosen host, target and confinement.
 */
import type { Confinement, HostInfo, HostSize, RunResult, StepQos, StepSummary } from '../../harness/results/types.js';
import type { Sample } from '../../harness/sampling/types.js';

export const MIB = 1024 ** 2;
export const GIB = 1024 ** 3;

/** A quality that breaks nothing: every onset found early, no gap, nothing late. */
export function goodQos(over: Partial<StepQos> = {}): StepQos {
  return {
    segmentsExpected: 20, segmentsDetected: 20, onsetLagMs: { p50: 150, p95: 200 },
    framesExpected: 1000, framesReceived: 1000, gapsOver100ms: 0,
    publishLateMsP99: 2, agentPublishLateMsP99: 2, agentLoopDelayMsP99: 3, generatorLoopDelayMsP99: 2,
    ...over,
  };
}

export interface StepSpec {
  sessions: number;
  /** Agents' CPU per sample, cores (the first two are warm-up and not used by the fit). */
  cpu: number[];
  /** Agents' PSS per sample, bytes; same length as cpu. Null: the platform has none. */
  pss?: number[] | null;
  /** System CPU per sample; default: agents' CPU + 0.2 cores. */
  system?: number[];
  qos?: Partial<StepQos>;
  targetSessions?: number;
}

/** One StepSummary from its spec; the step spans 20 s per index. */
export function makeStep(index: number, spec: StepSpec): StepSummary {
  const rss = spec.cpu.map((_, i) => (spec.pss?.[i] ?? 100 * MIB) * 1.5);
  const flat = (v: number) => ({ cpuCores: spec.cpu.map(() => v), pssBytes: spec.cpu.map(() => 50 * MIB), rssBytes: spec.cpu.map(() => 60 * MIB) });
  return {
    index,
    targetSessions: spec.targetSessions ?? spec.sessions,
    sessions: spec.sessions,
    startS: index * 20,
    endS: (index + 1) * 20,
    fromS: spec.cpu.length ? index * 20 + 5 : null,
    toS: spec.cpu.length ? index * 20 + 5 + spec.cpu.length - 1 : null,
    series: {
      agents: { cpuCores: [...spec.cpu], pssBytes: spec.pss === null ? null : [...(spec.pss ?? spec.cpu.map(() => 100 * MIB))], rssBytes: rss },
      generator: flat(0.1),
      server: flat(0.05),
      harness: flat(0.01),
    },
    systemCpuCores: spec.system ?? spec.cpu.map((c) => c + 0.2),
    qos: goodQos(spec.qos),
  };
}

/** Samples with a fixed alternating jitter around `mean`: deterministic, steady, mean exactly `mean` after the warm-up. */
export function steadySeries(mean: number, n = 12, jitter = 0.01): number[] {
  const warm = [mean, mean];
  const rest = Array.from({ length: n - 2 }, (_, i) => mean + (i % 2 === 0 ? jitter : -jitter) * mean);
  return [...warm, ...rest];
}

export function host(cores: number, memoryGiB = 16): HostInfo {
  return {
    cores, memoryBytes: memoryGiB * GIB, hostname: 'test-host', cpuModel: 'Test CPU @ 3.0GHz',
    platform: 'linux-x64', kernel: '6.1.0', node: 'v20.0.0',
  };
}

export interface ResultSpec {
  steps: StepSpec[];
  host?: HostInfo;
  target?: HostSize;
  confinement?: Confinement | null;
  valid?: boolean;
}

/** A whole RunResult around the steps. Fields the capacity model does not read hold plain placeholders. */
export function makeResult(spec: ResultSpec): RunResult {
  const steps = spec.steps.map((s, i) => makeStep(i, s));
  const most = Math.max(0, ...spec.steps.map((s) => s.sessions));
  const role = { cpuCores: { mean: 0, p95: 0, max: 0 }, rssBytes: { mean: 0, max: 0 }, pssBytes: { mean: 0, max: 0 }, samples: 0 };
  const late = { p50: null, p99: null, max: null };
  return {
    schemaVersion: 1,
    scenario: 'test-ramp',
    startedAt: '2026-01-02T03:04:05.000Z',
    endedAt: '2026-01-02T03:06:05.000Z',
    durationS: 120,
    valid: spec.valid ?? true,
    invalidReasons: spec.valid === false ? ['a test said so'] : [],
    interrupted: false,
    host: spec.host ?? host(4),
    target: spec.target ?? { cores: 4, memoryBytes: 8 * GIB },
    server: { mode: 'local', version: '1.13.5' },
    network: { mode: 'netns', namespace: 'vl-test', allowedAddrs: [], candidateAddresses: [] },
    sessions: { requested: most, joined: most },
    window: { fromS: 0, toS: 120, samples: 0, basis: 'test' },
    roles: { agents: role, generator: role, server: role, harness: role },
    system: { cpuCores: { mean: 0, p95: 0, max: 0 }, memUsedBytes: { mean: 0, max: 0 } },
    sampler: { samples: 0, wallMs: null, cpuMs: null, maxIntervalMs: null },
    perSession: { cpuCores: null, pssBytes: null, rssBytes: null, basis: 'test', kind: 'measured' },
    qos: {
      vad: { segmentsExpected: 0, segmentsDetected: 0, onsetLagMs: { p50: null, p95: null }, inferMs: { p50: null, p95: null } },
      agentAudio: { framesExpected: 0, framesReceived: 0, gapsOver100ms: 0, maxGapMs: null, toneOk: true, sessionsHearingTone: most },
      publishLateMs: late, agentPublishLateMs: late, agentLoopDelayMs: late, generatorLoopDelayMs: late,
    },
    ramp: { step: 5, everyS: 20, settleS: 5 },
    steps,
    confinement: spec.confinement ?? null,
  };
}

/**
 * A linear ramp: steps of 5, 10, ... sessions with agents' CPU = base + perSession·n exactly (after
 * warm-up the jittered samples average to it) and PSS = memBase + memPer·n.
 */
export function linearRamp(opts: { counts: number[]; base: number; perSession: number; memBase: number; memPer: number; jitter?: number }): StepSpec[] {
  return opts.counts.map((n) => {
    const cpu = steadySeries(opts.base + opts.perSession * n, 12, opts.jitter ?? 0.01);
    return { sessions: n, cpu, pss: steadySeries(opts.memBase + opts.memPer * n, 12, 0.002) };
  });
}

/** One sample per value of each step's series, as the recorder would have written them. */
export function samplesOf(r: RunResult): Sample[] {
  return r.steps.flatMap((s) => s.series.agents.cpuCores.map((cpu, i): Sample => {
    const role = (c: number) => ({ processes: 1, cpuCores: c, rssBytes: 100 * MIB, pssBytes: 80 * MIB });
    return {
      t: 1_700_000_000_000 + (s.fromS as number) * 1000 + i * 1000,
      elapsedMs: ((s.fromS as number) + i) * 1000,
      activeSessions: s.sessions,
      roles: { agents: { ...role(cpu), pssBytes: s.series.agents.pssBytes?.[i] ?? null }, generator: role(0.1), server: role(0.05), harness: role(0.01) },
      system: { cpuCores: s.systemCpuCores[i] as number, memUsedBytes: 2 * 1024 ** 3, memTotalBytes: 16 * 1024 ** 3 },
      sampler: { wallMs: 5, cpuMs: 2 },
    };
  }));
}
