/**
 * The knee: the smallest session count at which a valid step broke (quality, or the agents' CPU
 * load reaching the threshold). Steps where the generator broke are skipped: they say nothing
 * about the agents. The first break counts even if a later step happens to pass again, which is
 * the conservative reading of a noisy ramp.
 */
import type { StepSummary } from '../results/types.js';
import type { Knee, StepJudgement } from './types.js';

/** The knee of a ramp, from its steps and their judgements (same order and length). */
export function findKnee(steps: readonly StepSummary[], judgements: readonly StepJudgement[]): Knee {
  if (steps.length !== judgements.length) throw new Error('findKnee: one judgement per step');
  const valid = steps.map((s, i) => ({ s, j: judgements[i] as StepJudgement })).filter(({ j }) => !j.invalid);
  const skipped = steps.length - valid.length;
  const skippedNote = skipped > 0 ? `; ${skipped} step(s) skipped as invalid (generator broke or no samples)` : '';
  const at = valid.findIndex(({ j }) => j.broken);
  if (at < 0) {
    const most = valid.reduce((m, { s }) => Math.max(m, s.sessions), 0);
    return {
      sessions: null, stepIndex: null, broke: [], lastGoodSessions: null, cause: null,
      basis: valid.length === 0
        ? `no valid step to judge${skippedNote}`
        : `no valid step broke a quality limit or reached the load threshold: the knee lies beyond ${most} sessions, the most tried${skippedNote}`,
    };
  }
  const { s: kneeStep, j } = valid[at] as { s: StepSummary; j: StepJudgement };
  const good = valid.slice(0, at).filter(({ s }) => s.sessions < kneeStep.sessions).map(({ s }) => s.sessions);
  const lastGood = good.length > 0 ? Math.max(...good) : null;
  const qualityBroke = j.broke.length > (j.cpuReached ? 1 : 0);
  const cause = !qualityBroke ? 'threshold' : j.saturated ? 'saturation' : 'quality';
  const load = j.load === null ? '' : ` (agents' load ${j.load.toFixed(2)}${j.saturated ? ', host CPU saturated' : ''})`;
  const held = lastGood === null ? 'no valid step below it held' : `quality held at ${lastGood} sessions`;
  return {
    sessions: kneeStep.sessions,
    stepIndex: kneeStep.index,
    broke: [...j.broke],
    lastGoodSessions: lastGood,
    cause,
    basis: `first valid step to break: step ${kneeStep.index} at ${kneeStep.sessions} sessions${load}; ${held}${skippedNote}`,
  };
}
