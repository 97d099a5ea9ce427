/**
 * The ramp schedule, written once: step k starts at k × every seconds and brings the sessions
 * [k × step, min(sessions, (k + 1) × step)). The runner launches from it, the step summaries judge
 * from it and the scenario check sizes the duration from it.
 */

/** What the schedule needs: sessions at full load, sessions added per step, seconds between steps. */
export interface RampShape { sessions: number; step: number; everyS: number }

/** One scheduled ramp step. */
export interface RampStep {
  index: number;
  /** First session index of the step. */
  from: number;
  /** One past its last session index: also the sessions the step aims at in all. */
  to: number;
  /** Seconds from the start of the run. */
  atS: number;
}

/** How many steps the ramp has. */
export function rampStepCount(r: Pick<RampShape, 'sessions' | 'step'>): number {
  return Math.ceil(r.sessions / r.step);
}

/** Step k of the ramp (k may be past the last step; `to` is then capped at `sessions`). */
export function rampStep(r: RampShape, k: number): RampStep {
  return { index: k, from: Math.min(r.sessions, k * r.step), to: Math.min(r.sessions, (k + 1) * r.step), atS: k * r.everyS };
}

/** Every step of the ramp, in order. */
export function rampPlan(r: RampShape): RampStep[] {
  return Array.from({ length: rampStepCount(r) }, (_, k) => rampStep(r, k));
}

/** Seconds from the start until the last ramp step. */
export function rampEndSeconds(r: RampShape): number {
  return (rampStepCount(r) - 1) * r.everyS;
}
