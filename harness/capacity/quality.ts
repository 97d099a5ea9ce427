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
  generatorLoopDelayP99Ms: 20,
} as const;

export { SATURATION_SHARE } from '../results/saturation.js';

/**
 * With a partition, the load side (harness, server, generators) must keep this share of its own
 * cores free: past it a burst has nowhere to go and the generator's timing is the load side's
 * limit, not the agents'. The step is then invalid (not a knee, not a fit point).
 */
export const LOAD_HEADROOM_SHARE = 0.8;

/** What a judgement needs besides the step: the threshold, and the cores the agents and the host had. */
export interface JudgeContext {
  loadThreshold: number;
  /** Cores the agents could use: the cgroup's quota when confined, else the host's cores. */
  agentCores: number;
  hostCores: number;
  /** The load side's own cores when the host was partitioned; null: it shared the agents' cores. */
  loadCores?: number | null;
}

/** The context for a run on `host`, with the agents confined to `confinement` when it is set. */
export function judgeContext(host: HostSize, confinement: Confinement | null | undefined, loadThreshold: number): JudgeContext {
  return { loadThreshold, agentCores: confinement?.cpuCores ?? host.cores, hostCores: host.cores, loadCores: confinement?.partition?.loadCores ?? null };
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

/** The load side's CPU in each settled sample: harness, server and generators together, cores. */
export function loadSideCpu(step: StepSummary): number[] {
  const { generator, server, harness } = step.series;
  return generator.cpuCores.map((g, i) => g + (server.cpuCores[i] ?? 0) + (harness.cpuCores[i] ?? 0));
}

/**
 * Why the load side could not be trusted in this step (empty: it kept real time with headroom):
 * the users' speech frames late, the generators' event loops late, or (partitioned) the load side
 * using more than {@link LOAD_HEADROOM_SHARE} of its own cores.
 */
export function loadSideBroke(step: StepSummary, ctx: JudgeContext): string[] {
  const L = QUALITY_LIMITS;
  const why: string[] = [];
  const gen = step.qos.publishLateMsP99;
  if (gen !== null && gen > L.generatorPublishLateP99Ms) {
    why.push(`the load generator missed real time: publish lateness p99 ${ms(gen)} > ${L.generatorPublishLateP99Ms} ms`);
  }
  const loop = step.qos.generatorLoopDelayMsP99;
  if (loop !== null && loop > L.generatorLoopDelayP99Ms) {
    why.push(`the load generator's event loop was late: p99 ${ms(loop)} > ${L.generatorLoopDelayP99Ms} ms`);
  }
  const cpu = mean(afterWarmup(loadSideCpu(step)));
  if (ctx.loadCores != null && cpu !== null && cpu > LOAD_HEADROOM_SHARE * ctx.loadCores) {
    why.push(`the load side lacked headroom: ${cpu.toFixed(2)} of its ${ctx.loadCores} core(s) > ${LOAD_HEADROOM_SHARE * 100} %`);
  }
  return why;
}

/**
 * Judges one step. `broken` (a knee): an agent-side quality limit broke, or the agents' mean CPU
 * (after the warm-up samples, as the fit) over the cores they could use reached `loadThreshold` (the load LiveKit's default load_fnc
 * reports). `invalid`: the generator broke or the step has no samples — it is evidence of
 * nothing; a ramp should stop there too, since later steps would be measured by a broken generator.
 */
export function judgeStep(step: StepSummary, ctx: JudgeContext): StepJudgement {
  const invalidWhy = loadSideBroke(step, ctx);
  if (step.fromS === null || step.series.agents.cpuCores.length === 0) invalidWhy.unshift('no samples in the settled part of the step');
  const agentsCpu = mean(afterWarmup(step.series.agents.cpuCores));
  const load = agentsCpu === null ? null : agentsCpu / ctx.agentCores;
  // Partitioned, the agents saturate their own cores; shared, the host saturates.
  const systemCpu = mean(afterWarmup(step.systemCpuCores));
  // With a partition, the agents' own cores are what saturates; else the whole host (one rule: results/saturation.ts).
  const saturated = ctx.loadCores != null ? isSaturated(agentsCpu, ctx.agentCores) : isSaturated(systemCpu, ctx.hostCores);
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
