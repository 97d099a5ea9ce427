/** What every recommendation is computed from: the fits, the knee on the target, the inputs. */
import type { BasisKind } from '../../results/types.js';
import type { KneeOnTarget, TargetView } from '../target.js';
import type { Knee, LinearFit, SizingInputs } from '../types.js';

export interface SizingContext {
  inputs: SizingInputs;
  view: TargetView;
  /** Agents' CPU (cores) and memory (bytes) against active sessions; null without a steady step. */
  cpu: LinearFit | null;
  mem: LinearFit | null;
  /** Which memory the `mem` fit is of: PSS, or RSS where the platform has no PSS (overcounts shared pages). */
  memKind: 'PSS' | 'RSS';
  knee: Knee;
  kneeOnTarget: KneeOnTarget;
  /** p90 of the agents' per-sample CPU over its step's mean, minus 1, pooled over the steady steps (≥ 0). */
  cpuP90Excess: number;
  /** Largest per-sample memory over its step's mean, minus 1, over the steady steps (≥ 0). */
  memPeakExcess: number;
  /** Where the numbers were measured, in words ("from a run on 4 cores, ..."), for the why lines. */
  hostTag: string;
}

/** The answer the other recommendations build on. */
export interface SessionsAnswer {
  /** Sessions per worker; null when it cannot be derived (no CPU fit). */
  n: number | null;
  kind: BasisKind;
  binding: 'cpu' | 'memory' | 'knee' | null;
  nCpu: number | null;
  nMemory: number | null;
  nKnee: number | null;
}

/** 'extrapolated' when the answer or the fit is past the measured range; else `kind`. */
export function derivedKind(answer: SessionsAnswer): BasisKind {
  return answer.kind === 'extrapolated' ? 'extrapolated' : 'fitted';
}
