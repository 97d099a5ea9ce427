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

/**
 * Shard `index` of `count`'s part of the ramp: session g of the whole run belongs to shard
 * g mod count, as its local session ⌊g / count⌋. Each step keeps its time; its [from, to) becomes
 * the shard's local range (empty when the step brings none of the shard's sessions), so shards
 * started at one instant add up to the whole ramp, step by step.
 */
export function shardRampPlan(r: RampShape, shard: { index: number; count: number }): RampStep[] {
  const local = (g: number) => Math.max(0, Math.ceil((g - shard.index) / shard.count));
  return rampPlan(r).map((s) => ({ ...s, from: local(s.from), to: local(s.to) }));
}
