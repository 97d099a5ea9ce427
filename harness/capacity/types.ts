/**
 * The capacity model: what a run says about how many sessions fit on one worker, and the
 * recommendations derived from it. Plain data, computed by capacity/model.ts from a RunResult;
 * rendered by the reporters (sizing.md, report.html, k8s/*.yaml).
 */
import type { BasisKind, HostInfo, HostSize } from '../results/types.js';

/** cost = base + perSession × n, by ordinary least squares over the steady steps. */
export interface LinearFit {
  base: number;
  perSession: number;
  /** Two-sided confidence interval of the slope and the intercept (Student t, n − 2 degrees of freedom). */
  perSessionCi: [number, number] | null;
  baseCi: [number, number] | null;
  confidence: number;
  /** Steady steps used, and their (sessions, mean cost) points. */
  points: { sessions: number; value: number }[];
  r2: number | null;
  residualSd: number | null;
  /**
   * 'ols' for a least-squares line over two or more steady steps; 'proportional' when only
   * one steady step exists and cost is taken as value / sessions × n (base 0: conservative).
   */
  method?: 'ols' | 'proportional';
}

/** Why one step was or was not used for the fit. */
export interface StepVerdict {
  index: number;
  sessions: number;
  /** Whether the step is a point of the CPU fit (valid, not saturated, enough samples, CPU flat). */
  steady: boolean;
  /** Whether it is a point of the memory fit (the same, with the agents' memory flat). */
  memorySteady: boolean;
  /** Plain words: "cv 3.1 % ≤ 10 %, slope 0.002 cores/s", "only 3 samples", ... */
  reason: string;
  /** The step's quality judgement (see capacity/quality.ts), for the step tables of the reports. */
  quality?: StepJudgement;
}

/** What judgeStep (capacity/quality.ts) says of one step. */
export interface StepJudgement {
  /** True when an agent-side quality limit broke or the agents' CPU load reached the threshold: a knee. */
  broken: boolean;
  /** Each limit that broke, in words with the measured value: "VAD onset lag p95 412 ms > 300 ms". */
  broke: string[];
  /** The agents' CPU load reached the threshold (one of the `broke` entries says so). */
  cpuReached: boolean;
  /** True when the load generator broke (publish lateness): the step measures nothing and is no knee. */
  invalid: boolean;
  invalidWhy: string[];
  /** Agents' mean CPU over the cores they could use (the worker load LiveKit's load_fnc would see), null with no samples. */
  load: number | null;
  /** The whole measuring host's CPU was saturated (system CPU ≥ 90 % of its cores): costs are capped, not linear. */
  saturated: boolean;
}

/** The smallest session count at which quality broke or CPU reached the threshold. */
export interface Knee {
  /** null when no step broke: the knee is beyond what was tried. */
  sessions: number | null;
  stepIndex: number | null;
  /** Every measure that broke at that step, e.g. "VAD onset lag p95 412 ms > 300 ms". */
  broke: string[];
  /** Plain words on how the knee was found (or why none was). */
  basis: string;
  /** The most sessions of a valid step below the knee whose quality held (null: none did, or no knee). */
  lastGoodSessions?: number | null;
  /**
   * What kind of knee: 'quality' — a quality limit broke with the host's CPU to spare;
   * 'saturation' — quality broke with the host's CPU saturated; 'threshold' — only the agents'
   * CPU load reached load_threshold. Null without a knee.
   */
  cause?: 'quality' | 'saturation' | 'threshold' | null;
}

/** One recommendation, with its value, where the value came from, why, and what went into it. */
export interface Recommendation {
  /** Stable key, e.g. "sessionsPerWorker", "loadThreshold", "hpa.averageUtilization". */
  key: string;
  label: string;
  value: number | string;
  unit: string | null;
  kind: BasisKind;
  why: string;
  inputs: Record<string, number | string>;
  /**
   * 'inputs' when the value follows from the operator's inputs and fixed rules alone, not from
   * this run's measurements (e.g. the grace period from --session-length); absent means 'run'.
   */
  source?: 'run' | 'inputs';
}

/** The recommendations as plain numbers, for the manifests (k8s/*.yaml). */
export interface WorkerPlan {
  sessionsPerWorker: number;
  loadThreshold: number;
  cpuRequestCores: number;
  cpuLimitCores: number;
  memoryRequestBytes: number;
  memoryLimitBytes: number;
  terminationGracePeriodSeconds: number;
  hpa: {
    minReplicas: number;
    maxReplicas: number;
    averageUtilization: number;
    scaleUp: { stabilizationWindowSeconds: number; pods: number; percent: number; periodSeconds: number };
    scaleDown: { stabilizationWindowSeconds: number; pods: number; percent: number; periodSeconds: number };
  };
}

/** Inputs the operator gives (flags), with the defaults filled in. */
export interface SizingInputs {
  loadThreshold: number;
  /** Where the threshold came from: "default of @livekit/agents 1.9" or "--load-threshold". */
  loadThresholdSource: string;
  peakSessions: number | null;
  /** New sessions per second at peak. */
  arrivalRate: number | null;
  /** Seconds from a scale-up decision until a new worker pod takes jobs. */
  podStartS: number;
  /** p99 session length, seconds. */
  sessionLengthS: number;
  /** The host to size for (`--target`); absent: the run's own target. */
  target?: HostSize & { label: string };
}

export interface CapacityModel {
  host: HostInfo;
  target: HostSize & { label: string };
  /** How the target's figures were obtained: measured inside a cgroup of the target's size, or extrapolated from the fit. */
  targetBasis: { kind: BasisKind; how: string };
  steadiness: { rule: string; steps: StepVerdict[] };
  cpu: LinearFit | null;
  pss: LinearFit | null;
  knee: Knee;
  inputs: SizingInputs;
  recommendations: Recommendation[];
  /** The same as numbers for the manifests; null when no worker size could be derived (no fit, or not one session fits). */
  plan?: WorkerPlan | null;
  /** Things the reader must know (host smaller than target, too few steady steps, ...). */
  warnings: string[];
}
