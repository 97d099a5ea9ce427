/**
 * results.json: the machine-readable result of one run.
 *
 * The result is rebuilt field by field in the order of the RunResult type, so
 * the file's key order does not depend on how the object was put together
 * (runs diff cleanly), and a stray field never leaks into the file.
 */
import { ROLES } from '../sampling/types.js';
import type { RoleSummaries, RoleSummary, RunResult, StepSummary, Summary2, Summary3 } from '../results/types.js';

function s3(s: Summary3): Summary3 {
  return { mean: s.mean, p95: s.p95, max: s.max };
}

function s2(s: Summary2): Summary2 {
  return { mean: s.mean, max: s.max };
}

function role(r: RoleSummary): RoleSummary {
  return { cpuCores: s3(r.cpuCores), rssBytes: s2(r.rssBytes), pssBytes: r.pssBytes && s2(r.pssBytes), samples: r.samples };
}

function roles(r: RoleSummaries | null): RoleSummaries | null {
  if (r === null) return null;
  return { agents: role(r.agents), generator: role(r.generator), server: role(r.server), harness: role(r.harness) };
}

function qos(q: RunResult['qos']): RunResult['qos'] {
  const { vad, agentAudio: a } = q;
  const late = (l: RunResult['qos']['publishLateMs']): RunResult['qos']['publishLateMs'] =>
    ({ p50: l.p50, p99: l.p99, max: l.max });
  return {
    vad: {
      segmentsExpected: vad.segmentsExpected,
      segmentsDetected: vad.segmentsDetected,
      onsetLagMs: { ...vad.onsetLagMs },
      inferMs: { p50: vad.inferMs.p50, p95: vad.inferMs.p95 },
    },
    agentAudio: {
      framesExpected: a.framesExpected,
      framesReceived: a.framesReceived,
      gapsOver100ms: a.gapsOver100ms,
      maxGapMs: a.maxGapMs,
      toneOk: a.toneOk,
      sessionsHearingTone: a.sessionsHearingTone,
      ...(a.sessionsListening === undefined ? {} : { sessionsListening: a.sessionsListening }),
      ...(a.generatorStalls === undefined ? {} : { generatorStalls: a.generatorStalls }),
    },
    ...(q.publishDroppedFrames === undefined ? {} : { publishDroppedFrames: q.publishDroppedFrames }),
    publishLateMs: late(q.publishLateMs),
    agentPublishLateMs: late(q.agentPublishLateMs),
    agentLoopDelayMs: late(q.agentLoopDelayMs),
    generatorLoopDelayMs: late(q.generatorLoopDelayMs),
    ...(q.generatorClockNice === undefined ? {} : { generatorClockNice: [...q.generatorClockNice] }),
  };
}

function step(s: StepSummary): StepSummary {
  const q = s.qos;
  const ser = {} as StepSummary['series'];
  for (const k of ROLES) ser[k] = { cpuCores: [...s.series[k].cpuCores], pssBytes: s.series[k].pssBytes && [...(s.series[k].pssBytes as number[])], rssBytes: [...s.series[k].rssBytes] };
  return {
    index: s.index, targetSessions: s.targetSessions, sessions: s.sessions, startS: s.startS, endS: s.endS, fromS: s.fromS, toS: s.toS,
    series: ser,
    systemCpuCores: [...s.systemCpuCores],
    qos: {
      segmentsExpected: q.segmentsExpected, segmentsDetected: q.segmentsDetected, onsetLagMs: { ...q.onsetLagMs },
      framesExpected: q.framesExpected, framesReceived: q.framesReceived, gapsOver100ms: q.gapsOver100ms,
      publishLateMsP99: q.publishLateMsP99, agentPublishLateMsP99: q.agentPublishLateMsP99,
      agentLoopDelayMsP99: q.agentLoopDelayMsP99, generatorLoopDelayMsP99: q.generatorLoopDelayMsP99,
    },
  };
}

function ordered(r: RunResult): RunResult {
  const { host, sampler, perSession: ps, window: w } = r;
  return {
    schemaVersion: r.schemaVersion,
    scenario: r.scenario,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationS: r.durationS,
    valid: r.valid,
    invalidReasons: [...r.invalidReasons],
    interrupted: r.interrupted,
    host: {
      cores: host.cores, memoryBytes: host.memoryBytes, hostname: host.hostname, cpuModel: host.cpuModel,
      platform: host.platform, kernel: host.kernel, node: host.node, ...(host.limits ? { limits: host.limits } : {}),
    },
    target: { cores: r.target.cores, memoryBytes: r.target.memoryBytes },
    server: { mode: r.server.mode, version: r.server.version },
    network: { mode: r.network.mode, namespace: r.network.namespace, allowedAddrs: r.network.allowedAddrs, candidateAddresses: r.network.candidateAddresses },
    sessions: { requested: r.sessions.requested, joined: r.sessions.joined },
    window: { fromS: w.fromS, toS: w.toS, samples: w.samples, basis: w.basis },
    roles: roles(r.roles),
    system: r.system && { cpuCores: s3(r.system.cpuCores), memUsedBytes: s2(r.system.memUsedBytes), ...(r.system.scope ? { scope: { ...r.system.scope } } : {}) },
    sampler: {
      samples: sampler.samples,
      wallMs: sampler.wallMs && s2(sampler.wallMs),
      cpuMs: sampler.cpuMs && s2(sampler.cpuMs),
      maxIntervalMs: sampler.maxIntervalMs,
    },
    perSession: { cpuCores: ps.cpuCores, pssBytes: ps.pssBytes, rssBytes: ps.rssBytes, basis: ps.basis, kind: ps.kind },
    qos: qos(r.qos),
    ramp: { step: r.ramp.step, everyS: r.ramp.everyS, settleS: r.ramp.settleS },
    steps: r.steps.map(step),
    kneeStop: r.kneeStop ? { stepIndex: r.kneeStop.stepIndex, sessions: r.kneeStop.sessions, broke: [...r.kneeStop.broke] } : null,
    confinement: r.confinement ? { kind: r.confinement.kind, path: r.confinement.path, cpuCores: r.confinement.cpuCores, memoryBytes: r.confinement.memoryBytes, ...(r.confinement.partition ? { partition: { ...r.confinement.partition } } : {}) } : null,
    // Only when the run had a human room: runs without one keep their exact shape.
    ...(r.human ? { human: structuredClone(r.human) } : {}),
    // Built field by field by summarizeWorkers(), so its key order is already fixed.
    ...(r.workers ? { workers: r.workers } : {}),
    // Only for a merged run: each shard's own health beside the merged figures.
    ...(r.shards ? { shards: structuredClone(r.shards) } : {}),
  };
}

/** results.json's text: pretty-printed, keys in the order of RunResult, with a trailing newline. */
export function renderResultsJson(result: RunResult): string {
  return `${JSON.stringify(ordered(result), null, 2)}\n`;
}
