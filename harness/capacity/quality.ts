/**
 * Judges one ramp step: did the agents' quality break, did their CPU load reach the worker's
 * load_threshold, or did the load generator break (which makes the step measure nothing)?
 * Pure and self-contained, so the runner can call it after each step to stop a ramp at the knee.
 */
import { isSaturated } from '../results/saturation.js';
import { mean } from '../results/stats.js';
import type { Confinement, HostSize, StepSummary } from '../results/types.js';
import { settled } from './steadiness.js';
import type { StepJudgement } from './types.js';

/**
 * The quality limits of a step, in one place. Past any agent-side limit the step is a knee.
 *
 * - vadOnsetLagP95Ms: a user's speech start must reach the agent's decision within 300 ms at p95,
 *   or turn-taking feels late.
 * - vadDetectedMinShare: at least 90 % of the ground-truth onsets must be detected; judged only
 *   when the step expected at least `vadMinOnsets` of them, so one miss in a short step is not a knee.
 * - toneGapsOver100msMax: no gap in the agent's tone. The per-step counter counts gaps over 100 ms
 *   (the 200 ms of the issue cannot be read per step), so this is the stricter of the two: a
 *   100 ms hole is five lost 20 ms frames, already an audible drop-out.
 * - agentPublishLateP99Ms: the agents' tone frames handed to WebRTC no later than 20 ms at p99 —
 *   the generator's own bound, applied to the agents.
 * - agentLoopDelayP99Ms: the agents' event loops run their 50 ms probe timer no more than 50 ms
 *   late at p99. Past that, at least 1 % of the time the loop was blocked for longer than a whole
 *   probe period — more than two 20 ms audio frames and more than a 32 ms VAD window — so audio is
 *   being served in bursts rather than in real time; it is also a sixth of the 300 ms onset-lag
 *   budget, so it breaks before users hear the lag.
 * - generatorPublishLateP99Ms: the users' speech frames no later than 20 ms at p99. Past it the
 *   load GENERATOR missed real time: the step is invalid (not a knee), as the run-level check is.
 */
export const QUALITY_LIMITS = {
  vadOnsetLagP95Ms: 300,
  vadDetectedMinShare: 0.9,
  vadMinOnsets: 10,
  toneGapsOver100msMax: 0,
  agentPublishLateP99Ms: 20,
  agentLoopDelayP99Ms: 50,
  generatorPublishLateP99Ms: 20,
} as const;

export { SATURATION_SHARE } from '../results/saturation.js';

/** What a judgement needs besides the step: the threshold, and the cores the agents and the host had. */
export interface JudgeContext {
  loadThreshold: number;
  /** Cores the agents could use: the cgroup's quota when confined, else the host's cores. */
  agentCores: number;
  hostCores: number;
}

/** The context for a run on `host`, with the agents confined to `confinement` when it is set. */
export function judgeContext(host: HostSize, confinement: Confinement | null | undefined, loadThreshold: number): JudgeContext {
  return { loadThreshold, agentCores: confinement?.cpuCores ?? host.cores, hostCores: host.cores };
}

function ms(x: number): string {
  return `${x.toFixed(1)} ms`;
}

/** The samples after the warm-up, or all of them when the step is too short to drop any. */
function afterWarmup(xs: number[]): number[] {
  const rest = settled(xs);
  return rest.length > 0 ? rest : xs;
}

/** The agent-side quality limits that broke. */
function qualityBroke(q: StepSummary['qos']): string[] {
  const L = QUALITY_LIMITS;
  const broke: string[] = [];
  const lag = q.onsetLagMs.p95;
  if (lag !== null && lag > L.vadOnsetLagP95Ms) broke.push(`VAD onset lag p95 ${ms(lag)} > ${L.vadOnsetLagP95Ms} ms`);
  if (q.segmentsExpected >= L.vadMinOnsets && q.segmentsDetected < L.vadDetectedMinShare * q.segmentsExpected) {
    const share = (100 * q.segmentsDetected) / q.segmentsExpected;
    broke.push(`VAD detected ${q.segmentsDetected} of ${q.segmentsExpected} onsets (${share.toFixed(0)} %) < ${L.vadDetectedMinShare * 100} %`);
  }
  if (q.gapsOver100ms > L.toneGapsOver100msMax) broke.push(`${q.gapsOver100ms} gap(s) over 100 ms in the agents' tone`);
  const apl = q.agentPublishLateMsP99;
  if (apl !== null && apl > L.agentPublishLateP99Ms) broke.push(`agent publish lateness p99 ${ms(apl)} > ${L.agentPublishLateP99Ms} ms`);
  const loop = q.agentLoopDelayMsP99;
  if (loop !== null && loop > L.agentLoopDelayP99Ms) broke.push(`agent event-loop delay p99 ${ms(loop)} > ${L.agentLoopDelayP99Ms} ms`);
  return broke;
}

/**
 * Judges one step. `broken` (a knee): an agent-side quality limit broke, or the agents' mean CPU
 * (after the warm-up samples, as the fit) over the cores they could use reached `loadThreshold` (the load LiveKit's default load_fnc
 * reports). `invalid`: the generator broke or the step has no samples — it is evidence of
 * nothing; a ramp should stop there too, since later steps would be measured by a broken generator.
 */
export function judgeStep(step: StepSummary, ctx: JudgeContext): StepJudgement {
  const invalidWhy: string[] = [];
  if (step.fromS === null || step.series.agents.cpuCores.length === 0) invalidWhy.push('no samples in the settled part of the step');
  const gen = step.qos.publishLateMsP99;
  if (gen !== null && gen > QUALITY_LIMITS.generatorPublishLateP99Ms) {
    invalidWhy.push(`the load generator missed real time: publish lateness p99 ${ms(gen)} > ${QUALITY_LIMITS.generatorPublishLateP99Ms} ms`);
  }
  const agentsCpu = mean(afterWarmup(step.series.agents.cpuCores));
  const load = agentsCpu === null ? null : agentsCpu / ctx.agentCores;
  const systemCpu = mean(afterWarmup(step.systemCpuCores));
  const saturated = isSaturated(systemCpu, ctx.hostCores);
  const broke = qualityBroke(step.qos);
  const cpuReached = load !== null && load >= ctx.loadThreshold;
  if (cpuReached) {
    broke.push(`CPU load ${load.toFixed(2)} ≥ load_threshold ${ctx.loadThreshold} (agents ${(agentsCpu as number).toFixed(2)} of ${ctx.agentCores} cores)`);
  }
  return { broken: broke.length > 0, broke, cpuReached, invalid: invalidWhy.length > 0, invalidWhy, load, saturated };
}

/**
 * What should end a knee-stopping ramp at this step, in words (both empty: go on): an agent-side
 * break or the load threshold (`agents`: the knee), or the generator missing real time (`loadSide`:
 * later steps would be measured by a broken generator, and the run is invalid). A step with no samples yet says nothing and stops nothing.
 * Fits the runner's `judgeStep` option: `(s) => rampStopReasons(s, judgeContext(host, cgroup, θ))`.
 */
export function rampStopReasons(step: StepSummary, ctx: JudgeContext): { agents: string[]; loadSide: string[] } {
  if (step.fromS === null || step.series.agents.cpuCores.length === 0) return { agents: [], loadSide: [] };
  const j = judgeStep(step, ctx);
  return { agents: j.broke, loadSide: j.invalidWhy };
}
