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
  const plan: WorkerPlan | null = answer.n === null || answer.n < 1 || res === null || hpa === null ? null : {
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
