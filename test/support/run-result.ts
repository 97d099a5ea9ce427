/**
 * A complete, hand-built RunResult for unit tests of what reads results.json (the gate): every
 * field set, every nullable one non-null, so each metric of results.json has a value.
 */
import type { RoleSummary, RunResult } from '../../harness/results/types.js';

const MB = 1024 ** 2;
const GB = 1024 ** 3;
const SP = { p50: 10, p95: 20, max: 30 };

function role(cpu: number, rssMb: number): RoleSummary {
  return {
    cpuCores: { mean: cpu, p95: cpu * 1.5, max: cpu * 2 },
    rssBytes: { mean: rssMb * MB, max: rssMb * 1.2 * MB },
    pssBytes: { mean: rssMb * 0.8 * MB, max: rssMb * MB },
    samples: 20,
  };
}

/** A valid two-session run; `over` replaces top-level fields, `perSessionCpu` the per-session CPU. */
export function runResult(over: Partial<RunResult> = {}, perSessionCpu = 0.08): RunResult {
  return {
    schemaVersion: 1,
    scenario: 'voice-2',
    startedAt: '2024-05-01T10:00:00.000Z',
    endedAt: '2024-05-01T10:00:30.000Z',
    durationS: 30,
    valid: true,
    invalidReasons: [],
    interrupted: false,
    host: { cores: 2, memoryBytes: 8 * GB, hostname: 'ci-1', cpuModel: 'Test CPU 3000', platform: 'linux-x64', kernel: '6.1.0', node: 'v20.19.0' },
    target: { cores: 4, memoryBytes: 8 * GB },
    server: { mode: 'local', version: '1.13.5' },
    network: { mode: 'netns', namespace: 'voiceload-x', allowedAddrs: ['198.18.0.1', '198.18.0.2'], candidateAddresses: ['198.18.0.1'] },
    sessions: { requested: 2, joined: 2 },
    window: { fromS: 10, toS: 29, samples: 20, basis: 'samples from 10 s to 29 s' },
    roles: { agents: role(perSessionCpu * 2, 300), generator: role(0.05, 120), server: role(0.03, 60), harness: role(0.02, 90) },
    system: { cpuCores: { mean: 0.4, p95: 0.6, max: 0.7 }, memUsedBytes: { mean: 3 * GB, max: 3.1 * GB } },
    sampler: { samples: 30, wallMs: { mean: 4, max: 9 }, cpuMs: { mean: 2, max: 5 }, maxIntervalMs: 1010 },
    perSession: { cpuCores: perSessionCpu, pssBytes: 120 * MB, rssBytes: 150 * MB, basis: 'measured on this host', kind: 'measured' },
    qos: {
      vad: { segmentsExpected: 8, segmentsDetected: 8, onsetLagMs: { p50: 120, p95: 180, p50Censored: false, p95Censored: false }, inferMs: { p50: 0.4, p95: 0.9 } },
      agentAudio: { framesExpected: 4000, framesReceived: 3990, gapsOver100ms: 0, maxGapMs: 40, toneOk: true, sessionsHearingTone: 2, sessionsListening: 2, generatorStalls: 0 },
      publishDroppedFrames: 0,
      publishLateMs: { p50: 0.2, p99: 1.5, max: 4 },
      agentPublishLateMs: { p50: 0.3, p99: 2, max: 5 },
      agentLoopDelayMs: { p50: 1, p99: 6, max: 12 },
      generatorLoopDelayMs: { p50: 1, p99: 5, max: 9 },
    },
    ramp: { step: 2, everyS: 10, settleS: 5 },
    steps: [],
    confinement: { kind: 'cgroup-v2', path: '/sys/fs/cgroup/x', cpuCores: 4, memoryBytes: 8 * GB, partition: { agentCpus: '4-7', loadCpus: '0-3', loadCores: 4, loadPath: '/sys/fs/cgroup/y' } },
    kneeStop: { stepIndex: 3, sessions: 8, broke: ['VAD onset lag p95 412 ms > 300 ms'] },
    human: {
      mode: 'probe', basis: 'measured by the page', joinedAt: 1_714_557_601_000, firstAudioAt: 1_714_557_601_500, seconds: 28,
      heard: {
        levelDbfs: -10.4, sentLevelDbfs: -10.5, samplesReceived: 1_300_000, concealedPct: 0.04, concealmentEvents: 2, packetsLost: 0, lossPct: 0,
        jitterMs: { p50: 1, p95: 3, max: 5 }, rttMs: { p50: 0.5, p95: 1, max: 2 }, jitterBufferMs: { p50: 20, p95: 40, max: 60 },
      },
      vad: {
        dataMessages: 26, dataStarts: 13, agentStarts: 13, segmentsExpected: 11, segmentsDetected: 11, onsetLagMs: { p50: 180, p95: 212, max: 230 },
        alignment: { stepMs: 2.5, coarseScore: 0.9, onsetsFound: 11, missed: 0, loopPeriodMs: 15535, captureDelayMsP50: 0.5, usable: true, uncertainty: 'one 2.5 ms step' },
      },
      byLoad: [], overTime: [],
      browser: { version: '156', args: [], cpuCores: { mean: 0.2, p95: 0.3, max: 0.4 }, rssBytes: { mean: 400 * MB, max: 450 * MB }, pssBytes: { mean: 300 * MB, max: 350 * MB } },
      network: { candidateAddresses: ['198.18.0.1'], selectedPair: '198.18.0.1 -> 198.18.0.2', requestHosts: ['127.0.0.1'], foreign: [] },
      errors: [],
    },
    workers: {
      runtime: 'framework', agentName: 'voiceload-agent', workers: 2, loadFunc: 'jobs:4', loadThreshold: 0.7, arrival: 'step', warning: null, perWorker: [],
      perJob: { cpuCores: 0.12, pssBytes: 90 * MB, basis: 'measured' }, fixedPerWorker: { cpuCores: 0.02, pssBytes: 300 * MB, basis: 'measured' },
      jobsOverTime: { everyS: 5, rows: [] },
      dispatch: { dispatched: 2, failed: 0, toJobMs: SP, toAgentInRoomMs: SP, firstToLastS: 1, placement: { boundS: 10, redispatchedRooms: 0, redispatches: 0, toAgentMs: SP, neverPlaced: 0 } },
      routing: { refusedOffers: 0, reroutedSessions: 0, rerouteMs: SP, unplaced: 0 },
      drain: { worker: 0, atS: 13, sessionsRunning: 1, completed: 1, cut: 0, newJobsAfter: 0, drainS: 9, exit: { code: 130, signal: null }, lastSessionEndS: 8, overheadS: 1 },
      failover: { worker: 1, atS: 15, lost: 1, redispatched: 1, redispatchToAgentMs: SP, redispatchUnanswered: 0, newRoomsAfter: 1, newRoomsOnKilled: 0, survivors: 0 },
      grace: { recommendedS: 630, longestSessionS: 20, drainOverheadS: 1, basis: 'extrapolated', kind: 'extrapolated' },
    },
    // A merged run's: every optional section present, so the result is a full one.
    shards: {
      count: 2, alignedSamples: 40, droppedSamples: 1,
      each: [{ index: 0, hostname: 'gen-0', cores: 2, valid: true, invalidReasons: [], sessions: { requested: 1, joined: 1 }, keptRealTime: true, publishLateMsP99: 3, generatorLoopDelayMsP99: 4, generatorCpuCores: 0.1, harnessCpuCores: 0.02 }],
    },
    ...over,
  };
}
