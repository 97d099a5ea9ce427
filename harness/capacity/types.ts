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
}

/** Why one step was or was not used for the fit. */
export interface StepVerdict {
  index: number;
  sessions: number;
  steady: boolean;
  /** Plain words: "cv 3.1 % ≤ 10 %, slope 0.002 cores/s", "only 3 samples", ... */
  reason: string;
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
  /** Things the reader must know (host smaller than target, too few steady steps, ...). */
  warnings: string[];
}
