/**
 * The capacity model of one run: which steps are steady, the fitted cost lines, the knee, how the
 * measuring host relates to the target, and the recommendations. Pure: a RunResult and the
 * operator's inputs in, plain data out.
 */
import { mean, percentile } from '../results/stats.js';
import type { RunResult, StepSummary } from '../results/types.js';
import { fitLine, fitProportional, type FitPoint } from './fit.js';
import { findKnee } from './knee.js';
import { judgeContext, judgeStep } from './quality.js';
import { recommend } from './recommend/index.js';
import type { SizingContext } from './recommend/context.js';
import { memorySeries, settled, STEADINESS_RULE, judgeSteadiness } from './steadiness.js';
import { hostWords, kneeOnTarget, sizeWords, targetView } from './target.js';
import type { CapacityModel, LinearFit, SizingInputs } from './types.js';
import { modelWarnings } from './warnings.js';

/** A line through the points; with one session count only, the proportional fallback. */
export function fitOrFallback(points: readonly FitPoint[]): LinearFit | null {
  const line = fitLine(points);
  if (line !== null || points.length === 0) return line;
  const top = points.reduce((a, p) => (p.sessions > a.sessions ? p : a));
  return fitProportional(top);
}

/** One (sessions, mean) point per step from `series`, after the warm-up. */
function points(steps: readonly StepSummary[], series: (s: StepSummary) => number[]): FitPoint[] {
  return steps.map((s) => ({ sessions: s.sessions, value: mean(settled(series(s))) as number }));
}

/** Every settled sample over its step's mean, minus 1, pooled over `steps`. */
function excess(steps: readonly StepSummary[], series: (s: StepSummary) => number[]): number[] {
  return steps.flatMap((s) => {
    const xs = settled(series(s));
    const m = mean(xs);
    return m === null || m <= 0 ? [] : xs.map((x) => x / m - 1);
  });
}

/** Builds the model of `result` for the target and inputs given. */
export function buildCapacityModel(result: RunResult, inputs: SizingInputs): CapacityModel {
  const view = targetView(result, inputs);
  const jctx = judgeContext(result.host, result.confinement, inputs.loadThreshold);
  const judgements = result.steps.map((s) => judgeStep(s, jctx));
  const verdicts = result.steps.map((s, i) => judgeSteadiness(s, judgements[i] as (typeof judgements)[number]));
  // Agents that ran elsewhere left zeros in the agents' series, not a cost: nothing to fit.
  const steady = result.agentsElsewhere ? [] : result.steps.filter((_, i) => verdicts[i]?.steady);
  const steadyMem = result.agentsElsewhere ? [] : result.steps.filter((_, i) => verdicts[i]?.memorySteady);
  const memKind = steadyMem.every((s) => s.series.agents.pssBytes !== null) ? 'PSS' : 'RSS';
  const memOf = (s: StepSummary) => (memKind === 'PSS' ? memorySeries(s).values : s.series.agents.rssBytes);
  const cpuOf = (s: StepSummary) => s.series.agents.cpuCores;
  const cpu = fitOrFallback(points(steady, cpuOf));
  const mem = fitOrFallback(points(steadyMem, memOf));
  const knee = findKnee(result.steps, judgements);
  const c = result.confinement ?? null;
  const ctx: SizingContext = {
    inputs, view, cpu, mem, memKind, knee,
    kneeOnTarget: kneeOnTarget(knee, view),
    cpuP90Excess: Math.max(0, percentile(excess(steady, cpuOf), 90) ?? 0),
    memPeakExcess: Math.max(0, ...excess(steadyMem, memOf)),
    hostTag: `from a run on ${hostWords(result.host)}${c ? `, agents confined to ${sizeWords({ cores: c.cpuCores, memoryBytes: c.memoryBytes })}` : ''}`,
  };
  const rec = recommend(ctx);
  return {
    host: result.host,
    target: view.target,
    targetBasis: view.basis,
    steadiness: { rule: STEADINESS_RULE, steps: verdicts },
    cpu,
    pss: mem,
    knee,
    inputs: { ...inputs, target: view.target },
    recommendations: rec.recommendations,
    plan: rec.plan,
    warnings: [...modelWarnings(result, ctx, verdicts), ...rec.warnings],
  };
}
