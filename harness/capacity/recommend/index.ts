/** All recommendations, in the order an ops reader asks for them, and the plan the manifests use. */
import { gib } from '../format.js';
import type { Recommendation, WorkerPlan } from '../types.js';
import type { SessionsAnswer, SizingContext } from './context.js';
import { graceRec, gracePeriodFor } from './grace.js';
import { hpaFor, hpaPlan, hpaRecs } from './hpa.js';
import { resourcesFor, resourcesRecs } from './resources.js';
import { answerSessions, sessionsRec, thresholdFor, thresholdRec } from './sessions.js';

export interface Recommended {
  answer: SessionsAnswer;
  recommendations: Recommendation[];
  plan: WorkerPlan | null;
  warnings: string[];
}

/** A fit may size a deployment only with this many steady steps, and this far past its largest. */
export const DEPLOYABLE_MIN_STEPS = 3;
export const DEPLOYABLE_MAX_EXTRAPOLATION = 2;

/**
 * Why the answer must not be written as deployable manifests (null: it may): a fit of fewer than
 * three steady steps, no confidence interval, or an answer more than 2× the largest step measured.
 * The fix names the run that would make it deployable.
 */
export function notDeployable(ctx: SizingContext, n: number): string | null {
  const fit = ctx.cpu;
  const points = fit?.points ?? [];
  const most = Math.max(0, ...points.map((p) => p.sessions));
  const ramp = `re-run a ramp with at least ${DEPLOYABLE_MIN_STEPS} steady steps reaching ${Math.ceil(n / DEPLOYABLE_MAX_EXTRAPOLATION)} sessions or more on a host the size of the ${ctx.view.target.label} target`;
  if (fit === null || points.length < DEPLOYABLE_MIN_STEPS) return `the fit has ${points.length} steady step(s), fewer than ${DEPLOYABLE_MIN_STEPS}; ${ramp}`;
  if (fit.perSessionCi === null || fit.method === 'proportional') return `the fit has no confidence interval; ${ramp}`;
  if (n > DEPLOYABLE_MAX_EXTRAPOLATION * most) {
    return `${n} sessions is ×${(n / most).toFixed(1)} the largest step measured (${most}), more than ×${DEPLOYABLE_MAX_EXTRAPOLATION}; ${ramp}`;
  }
  return null;
}

/** Sessions per worker, load_threshold, replicas and HPA, grace period, requests and limits. */
export function recommend(ctx: SizingContext): Recommended {
  const answer = answerSessions(ctx);
  const threshold = thresholdFor(ctx, answer).value;
  const res = resourcesFor(ctx, answer);
  const hpa = res === null ? null : hpaFor(ctx, answer, res, threshold);
  const { inputs } = ctx;
  const recommendations = [
    sessionsRec(ctx, answer),
    thresholdRec(ctx, answer),
    ...hpaRecs(ctx, answer, res, hpa, threshold),
    graceRec(inputs.sessionLengthS),
    ...resourcesRecs(ctx, answer, res),
  ];
  const warnings: string[] = [];
  if (answer.n === 0) {
    warnings.push(`not one session fits a ${ctx.view.target.label} worker by this run (${answer.binding} binds at the first step): ` +
      'use a bigger target, or re-run with a smaller --ramp-step to find where it breaks');
  }
  if (hpa !== null && inputs.arrivalRate === null) warnings.push(`no --arrival-rate: the HPA assumes λ = ${hpa.lambda.toFixed(3)} sessions/s (${hpa.lambdaBasis})`);
  if (hpa !== null && inputs.peakSessions === null) warnings.push('no --peak-sessions: replicas for the peak are not computed, and maxReplicas covers only the minimum fleet plus a surge');
  if (res !== null && res.memRequest > ctx.view.target.memoryBytes) {
    warnings.push(`the memory request (${gib(res.memRequest)}) exceeds the target's ${gib(ctx.view.target.memoryBytes)}: use a bigger target or fewer sessions`);
  }
  const blocked = answer.n === null || answer.n < 1 ? null : notDeployable(ctx, answer.n);
  if (blocked !== null) warnings.push(`not deployable: the estimate of ${answer.n} sessions per ${ctx.view.target.label} worker stands, but no manifest is written from it: ${blocked}`);
  const plan: WorkerPlan | null = answer.n === null || answer.n < 1 || res === null || hpa === null || blocked !== null ? null : {
    sessionsPerWorker: answer.n,
    loadThreshold: threshold,
    cpuRequestCores: res.cpuRequest,
    cpuLimitCores: res.cpuLimit,
    memoryRequestBytes: res.memRequest,
    memoryLimitBytes: res.memLimit,
    terminationGracePeriodSeconds: gracePeriodFor(inputs.sessionLengthS),
    hpa: hpaPlan(hpa),
  };
  return { answer, recommendations, plan, warnings };
}
