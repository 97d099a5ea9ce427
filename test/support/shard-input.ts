/**
 * Generated shard results for the merge's tests and its benchmark: sessions with real histograms
 * (filled from a seeded sequence of values), per-second samples and the marks taken with them.
 */
import { LatencyHistogram } from '../../harness/results/histogram.js';
import type { ShardRun } from '../../harness/results/merge.js';
import type { ShardFile } from '../../harness/results/shard.js';
import type { QosMark, RunInput, SessionRecord } from '../../harness/results/types.js';
import type { RoleSample, Sample } from '../../harness/sampling/types.js';

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const MB = 1024 ** 2;

/** A seeded generator of values in [0, 1). */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

function histogram(values: number[]): ReturnType<LatencyHistogram['toData']> {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h.toData();
}

/** Session `index` (global numbering) of a run: its lateness values are drawn from `rnd`. */
export function session(index: number, local: number, rnd: () => number, late = 1): SessionRecord {
  const lateValues = Array.from({ length: 200 }, () => rnd() * late * 4);
  return {
    index: local, room: `vl-test-s${index}`, agentJoinedAt: T0 + 500, userJoinedAt: T0 + 600,
    speech: { t0: T0 + 700, loopMs: 10_000 }, sendEndAt: T0 + 30_000, vadStarts: [T0 + 2000, T0 + 12_000, T0 + 22_000], vadEnds: [],
    agentAudio: { framesExpected: 1400 + index, framesReceived: 1390 + index, gapsOver100ms: index % 2, maxGapMs: 40 + index, dominantHz: [440] },
    publishLate: histogram(lateValues), agentPublishLate: histogram(lateValues.map((v) => v / 2)),
    vadInferMs: histogram(lateValues.map((v) => v / 10)), agentLoopDelay: histogram(lateValues.map((v) => v * 2)),
    atWindowStart: null, candidateAddrs: ['198.18.1.2'], errors: [],
  };
}

function role(cpu: number, mb: number): RoleSample {
  return { processes: 1, cpuCores: cpu, rssBytes: mb * MB, pssBytes: mb * 0.8 * MB };
}

/** One shard's samples: a sample every second from `offsetMs` after T0, `seconds` long. */
function samples(sessions: number, seconds: number, offsetMs: number, skip: number | null): Sample[] {
  return Array.from({ length: seconds }, (_, k) => k + 1).filter((k) => k !== skip).map((k) => ({
    t: T0 + offsetMs + k * 1000, elapsedMs: k * 1000, activeSessions: sessions,
    roles: { agents: role(0.1 * sessions, 100 * sessions), generator: role(0.02 * sessions, 80), server: role(0, 0), harness: role(0.01, 60) },
    system: { cpuCores: 0.2 * sessions, memUsedBytes: 1000 * MB, memTotalBytes: 8000 * MB },
    sampler: { wallMs: 3, cpuMs: 1 },
  }));
}

/** Options of a generated shard. */
export interface ShardSpec { index: number; count: number; totalSessions: number; seconds?: number; offsetMs?: number; skipSecond?: number; late?: number; scenario?: string }

/** A generated shard result: its share of the sessions (global g → g mod count), samples and marks. */
export function shardRun(spec: ShardSpec): ShardRun {
  const seconds = spec.seconds ?? 30;
  const globals = Array.from({ length: spec.totalSessions }, (_, g) => g).filter((g) => g % spec.count === spec.index);
  const sessions = globals.map((g, local) => session(g, local, seeded(g + 1), spec.late ?? 1));
  const smp = samples(sessions.length, seconds, spec.offsetMs ?? 0, spec.skipSecond ?? null);
  const marks: QosMark[] = smp.map((s) => ({
    elapsedMs: s.elapsedMs,
    // The agents' audio counters are cumulative: nothing up to the window's start (5 s), all of it after.
    sessions: Object.fromEntries(sessions.map((x) => {
      const inWindow = s.elapsedMs > 5000;
      const audio = x.agentAudio!;
      return [x.index, {
        publishLate: x.publishLate, agentPublishLate: x.agentPublishLate, agentLoopDelay: x.agentLoopDelay,
        framesExpected: inWindow ? audio.framesExpected : 0, framesReceived: inWindow ? audio.framesReceived : 0, gapsOver100ms: inWindow ? audio.gapsOver100ms : 0,
      }];
    })),
    generators: [null],
  }));
  const input: Omit<RunInput, 'samples'> = {
    scenario: spec.scenario ?? 'voice-30', startedAt: T0 + (spec.offsetMs ?? 0), endedAt: T0 + (spec.offsetMs ?? 0) + seconds * 1000,
    host: { cores: 2, memoryBytes: 8 * 1024 * MB, hostname: `gen-${spec.index}`, cpuModel: 'Test CPU', platform: 'linux-x64', kernel: '6.1', node: 'v20' },
    target: { cores: 4, memoryBytes: 8 * 1024 * MB }, server: { mode: 'external', version: null, url: 'ws://198.18.1.1:7880' },
    network: { mode: 'external', namespace: null, allowedAddrs: [] }, requestedSessions: sessions.length, holdFromMs: 5000, toneHz: 440,
    segments: [{ startMs: 1000, endMs: 3000 }], sessions, ramp: { step: 5, everyS: 10, settleS: 5 },
    marks, generatorLoopDelay: [{ latest: histogram([1, 2, 3]), atWindowStart: null }], confinement: null, kneeStop: null, invalidReasons: [], interrupted: false,
  };
  const file: ShardFile = { kind: 'voiceload-shard', version: 1, shard: { index: spec.index, count: spec.count, totalSessions: spec.totalSessions }, startAt: T0, input };
  return { file, samples: smp };
}
