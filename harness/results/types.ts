import type { Segment } from '../media/segments.js';
import type { HostInfo, HostSize } from '../sampling/host.js';
import type { Role, Sample } from '../sampling/types.js';
import type { HumanSummary } from './human.js';
import type { Summary2, Summary3 } from './stats.js';
import type { WorkersResult } from './workers.js';

/** Where a number came from. Every figure in a report carries one. */
export type BasisKind = 'measured' | 'fitted' | 'extrapolated';

/** Mean/p95/max and mean/max of a series (defined beside the functions that compute them). */
export type { Summary2, Summary3 } from './stats.js';

/** CPU and memory of one role over the measurement window. */
export interface RoleSummary {
  cpuCores: Summary3;
  rssBytes: Summary2;
  /** null where the platform has no PSS. */
  pssBytes: Summary2 | null;
  samples: number;
}

/** Per-role summaries over the measurement window. */
export interface RoleSummaries { agents: RoleSummary; generator: RoleSummary; server: RoleSummary; harness: RoleSummary }

/** System-wide CPU and memory over the measurement window. */
/** Where a host reading came from: the machine's /proc, or a container's own cgroup (its limits are the host). */
export type SystemScope = 'machine' | 'cgroup';

export interface SystemSummary {
  cpuCores: Summary3;
  memUsedBytes: Summary2;
  /** Present when a reading came from the container's cgroup: the "host" is then the container. */
  scope?: { cpu: SystemScope; memory: SystemScope };
}

/** A host's size, and the machine the run was measured on (read where they are measured). */
export type { HostInfo, HostSize } from '../sampling/host.js';

/** One speech segment of the looping fixture (defined where the fixture's segments are read). */
export type { Segment } from '../media/segments.js';

/** A mergeable latency histogram: counts per bucket, see results/histogram.ts. */
export interface HistogramData { bucketMs: number; counts: number[]; overflow: number; count: number; maxMs: number }

/** What the harness knows of one session (one room: one user, one agent) at the end of a run. */
export interface SessionRecord {
  index: number;
  room: string;
  /** Epoch ms when each side had joined the room, null when it never did. */
  agentJoinedAt: number | null;
  userJoinedAt: number | null;
  /** The user's publishing clock: loop 0 frame 0 was due at t0 (epoch ms); the loop repeats every loopMs. */
  speech: { t0: number; loopMs: number } | null;
  /** Epoch ms when the user stopped publishing (or the last time it was heard of). */
  sendEndAt: number | null;
  /** Epoch ms at which the agent decided speech had started / ended. */
  vadStarts: number[];
  vadEnds: number[];
  /** What the user received of the agent's tone. */
  agentAudio: {
    framesReceived: number;
    framesExpected: number;
    /** The agent's gaps over 100 ms (a hole the generator's own event-loop stall explains is not one). */
    gapsOver100ms: number;
    maxGapMs: number;
    /** Holes over 100 ms the generator's own stalls explain: the load side's. */
    generatorStalls?: number;
    /** Each of the agent's gaps: when it ended (epoch ms) and how long it was; counted over the window. */
    gaps?: { at: number; ms: number }[];
    /** Dominant frequency of each analysed window, Hz. */
    dominantHz: number[];
  } | null;
  /** Speech frames the user's publisher skipped because they were already too late to send. */
  publishDropped?: number;
  /** false: its user did not subscribe to the agent's audio (a generator probe design); absent: it did. */
  listens?: boolean;
  /** How late the user's speech frames were handed to WebRTC against the absolute clock. */
  publishLate: HistogramData | null;
  /** How late the agent's tone frames were handed to WebRTC. */
  agentPublishLate: HistogramData | null;
  /** VAD inference time per 512-sample window, ms. */
  vadInferMs: HistogramData | null;
  /** How late the agent process's event loop ran a 50 ms timer, ms. */
  agentLoopDelay: HistogramData | null;
  /** The histograms as they stood when the measurement window opened; QoS counts only what came after. */
  atWindowStart: Pick<SessionRecord, 'publishLate' | 'agentPublishLate' | 'vadInferMs' | 'agentLoopDelay'> | null;
  /** ICE candidate addresses (local and remote) the user's session used. */
  candidateAddrs: string[];
  errors: string[];
  /** Epoch ms when the session ended before the run did (worker runtimes: its user left after sessionLength, or its worker was killed). */
  endedAt?: number | null;
}

/** The cumulative QoS counters of one session at one instant (a QosMark). */
export interface SessionQosSnapshot {
  publishLate: HistogramData | null;
  agentPublishLate: HistogramData | null;
  agentLoopDelay: HistogramData | null;
  framesExpected: number;
  framesReceived: number;
  gapsOver100ms: number;
  generatorStalls?: number;
  publishDropped?: number;
}

/** Every session's and generator's cumulative counters as they stood at one sample tick; steps diff two marks. */
export interface QosMark {
  /** ms since the run started, as Sample.elapsedMs. */
  elapsedMs: number;
  sessions: Record<number, SessionQosSnapshot>;
  /** Per generator process, by its index. */
  generators: (HistogramData | null)[];
}

/** Everything the runner gathered, before aggregation. Plain data. */
export interface RunInput {
  scenario: string;
  startedAt: number;
  endedAt: number;
  host: HostInfo;
  target: HostSize;
  server: { mode: 'local' | 'external'; version: string | null; url: string };
  /** Where media may go: loopback, plus the private namespace's own addresses (allowedAddrs). */
  network: { mode: 'netns' | 'host' | 'external'; namespace: string | null; allowedAddrs: string[] };
  requestedSessions: number;
  /** Start of the window used for the per-role summaries (ms since run start): after the last join plus warm-up. */
  holdFromMs: number;
  /** End of the window (ms since run start): when the first session stopped (teardown began); absent or null: the last sample. */
  holdToMs?: number | null;
  toneHz: number;
  segments: Segment[];
  sessions: SessionRecord[];
  samples: Sample[];
  /** The ramp as scheduled; settleS is left out of each step's figures after the step's last join. */
  ramp: { step: number; everyS: number; settleS: number };
  /** Cumulative QoS counters at each sample tick, for per-step quality. */
  marks: QosMark[];
  /**
   * Each generator's event-loop delay: latest and as it stood when the window opened; and the nice
   * its clock threads ran at (null: unknown; absent in runs recorded before it was).
   */
  generatorLoopDelay: { latest: HistogramData | null; atWindowStart: HistogramData | null; clockNice?: number | null }[];
  /** The cgroup the agents ran in, when they were confined to the target's size. */
  confinement: Confinement | null;
  /** Set when a ramp run (stopAtKnee) found a step where quality broke and stopped there. */
  kneeStop: KneeStop | null;
  /** Reasons the harness already knows the run cannot be trusted (interrupted, server died, ...). */
  invalidReasons: string[];
  interrupted: boolean;
}

export interface QosSummary {
  /** onsetLagMs: over every expected onset, misses censored above 1000 ms (see results/onsets.ts). */
  vad: { segmentsExpected: number; segmentsDetected: number; onsetLagMs: OnsetLag; inferMs: { p50: number | null; p95: number | null } };
  /**
   * Over joined sessions, counted over the measurement window. gapsOver100ms: the agent's gaps
   * (holes the generator's own stalls explain are generatorStalls instead). maxGapMs: the longest
   * of them, null with none. toneOk: every listening session heard the tone at its frequency AND no
   * gap was counted. generatorStalls is absent in results written before it was counted.
   */
  agentAudio: {
    framesExpected: number; framesReceived: number; gapsOver100ms: number; maxGapMs: number | null;
    toneOk: boolean; sessionsHearingTone: number;
    /** Sessions whose user listened to its agent (all, unless the generator used probes); absent in older results. */
    sessionsListening?: number; generatorStalls?: number;
  };
  /** Speech frames the users' publishers dropped over the window (already too late to send). Absent in older results. */
  publishDroppedFrames?: number;
  publishLateMs: { p50: number | null; p99: number | null; max: number | null };
  agentPublishLateMs: { p50: number | null; p99: number | null; max: number | null };
  /** How late the agents' and generators' event loops ran a 50 ms timer (a saturation signal). */
  agentLoopDelayMs: { p50: number | null; p99: number | null; max: number | null };
  generatorLoopDelayMs: { p50: number | null; p99: number | null; max: number | null };
  /** Each generator's clock threads' nice (users/clock-priority.ts), null where unknown; absent in older results. */
  generatorClockNice?: (number | null)[];
}

/** Onset-lag percentiles over every expected onset; a censored one fell on a miss: "> 1000 ms", reported as 1000. */
export interface OnsetLag {
  p50: number | null;
  p95: number | null;
  /** True when the percentile fell on a missed onset; absent in results written before misses were counted. */
  p50Censored?: boolean;
  p95Censored?: boolean;
}

/** Mean, sample standard deviation and count of one series; null fields when it is empty. */
export interface SeriesStats { mean: number | null; sd: number | null; n: number }

/** Quality over one ramp step's settled part: the same measures as QosSummary, counted inside the step only. */
export interface StepQos {
  segmentsExpected: number;
  segmentsDetected: number;
  onsetLagMs: OnsetLag;
  framesExpected: number;
  framesReceived: number;
  gapsOver100ms: number;
  publishLateMsP99: number | null;
  agentPublishLateMsP99: number | null;
  agentLoopDelayMsP99: number | null;
  generatorLoopDelayMsP99: number | null;
}

/**
 * One step of the ramp. The step's figures come from its settled part: from `settleS` after the
 * step's last session joined (or after the step began, if none joined in it) to the step's end.
 * Series are per-sample values in sample order, so steadiness can be judged from them.
 */
export interface StepSummary {
  index: number;
  /** Sessions the ramp had asked for by the end of this step. */
  targetSessions: number;
  /** Fewest sessions active over the settled part (what the step really carried). */
  sessions: number;
  /** The step's span in the schedule, s since the run started. */
  startS: number;
  endS: number;
  /** The settled part, s since the run started; null when no sample fell inside it. */
  fromS: number | null;
  toS: number | null;
  /** Per-sample values over the settled part, per role; pss null where the platform has none. */
  series: Record<Role, { cpuCores: number[]; pssBytes: number[] | null; rssBytes: number[] }>;
  systemCpuCores: number[];
  qos: StepQos;
}

/** The result of one run: what results.json holds. */
export interface RunResult {
  schemaVersion: 1;
  scenario: string;
  startedAt: string;
  endedAt: string;
  durationS: number;
  valid: boolean;
  invalidReasons: string[];
  interrupted: boolean;
  host: HostInfo;
  target: HostSize;
  server: { mode: 'local' | 'external'; version: string | null };
  /** candidateAddresses: every ICE candidate address the sessions used (local and remote). */
  network: RunInput['network'] & { candidateAddresses: string[] };
  sessions: { requested: number; joined: number };
  window: { fromS: number; toS: number; samples: number; basis: string };
  /** null when no sample was taken at all (the run has nothing to summarise; it is also marked invalid). */
  roles: RoleSummaries | null;
  /** null when no sample was taken at all. */
  system: SystemSummary | null;
  /** Over all samples, not just the window. wallMs/cpuMs are null with no samples; maxIntervalMs with fewer than two. */
  sampler: { samples: number; wallMs: Summary2 | null; cpuMs: Summary2 | null; maxIntervalMs: number | null };
  perSession: { cpuCores: number | null; pssBytes: number | null; rssBytes: number | null; basis: string; kind: BasisKind };
  qos: QosSummary;
  /** The ramp as scheduled, and what each step measured (see StepSummary). */
  ramp: { step: number; everyS: number; settleS: number };
  steps: StepSummary[];
  /** Set when the agents ran inside a cgroup sized to the target host: their figures are the target's. */
  confinement?: Confinement | null;
  /** Set when a ramp run stopped at its knee. */
  kneeStop?: KneeStop | null;
  /** What a person heard in the human room (`--human`, `--human-probe`); absent when there was none. */
  human?: HumanSummary | null;
  /** Set when the agents were LiveKit workers (runtime framework or byo): the pool, drills, health, dispatch. */
  workers?: WorkersResult | null;
  /** Set when the agents ran off this host and nothing read them (deployed workers): why. Nothing is sized from such a run. */
  agentsElsewhere?: string;
  /** Set when this result merges the shards of a distributed run (`voiceload merge`). */
  shards?: ShardsSummary | null;
}

/** One shard's own health in a merged run: judged on its own, as if it were a run. */
export interface ShardHealth {
  index: number;
  hostname: string;
  cores: number;
  valid: boolean;
  invalidReasons: string[];
  sessions: { requested: number; joined: number };
  /** Its generator kept real time: publish lateness p99 within the bound (null: nothing was published). */
  keptRealTime: boolean | null;
  publishLateMsP99: number | null;
  generatorLoopDelayMsP99: number | null;
  /** Mean CPU of its generator processes and of the harness, cores, over its whole run. */
  generatorCpuCores: number | null;
  harnessCpuCores: number | null;
}

/** How the shards of a merged run were put together. */
export interface ShardsSummary {
  count: number;
  /** Per-second samples aligned on wall time (a second every shard sampled), and seconds left out (some shard had none). */
  alignedSamples: number;
  droppedSamples: number;
  each: ShardHealth[];
}

/** Where a ramp run stopped: the first step whose quality broke, and what broke. */
export interface KneeStop {
  stepIndex: number;
  sessions: number;
  /** Everything that ended the ramp there, in words. */
  broke: string[];
  /** What of it was the load side's (the generator missing real time, no samples): the run is then invalid. Absent: none. */
  loadSide?: string[];
}

/**
 * A cgroup the agents ran in: the target's CPU quota and memory limit, and with a partition their
 * own CPUs. `cpuCores` is the CPU the agents could use; `memoryBytes` the memory they could use.
 */
export interface Confinement {
  kind: 'cgroup-v1' | 'cgroup-v2';
  path: string;
  cpuCores: number;
  memoryBytes: number;
  /** Set when the host was partitioned: the agents' CPUs, the load side's (harness, server, generators, sampler) and its cgroup. */
  partition?: HostPartition | null;
}

/** How the host's CPUs were split between the agents and the load side. */
export interface HostPartition { agentCpus: string; loadCpus: string; loadCores: number; loadPath: string }
