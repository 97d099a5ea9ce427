/** What a reader of the model must know before trusting it: each a plain sentence. */
import type { RunResult } from '../results/types.js';
import type { SizingContext } from './recommend/context.js';
import type { StepVerdict } from './types.js';

/** Below this r² a straight line describes the cost poorly. */
const POOR_R2 = 0.9;

/**
 * Warnings about the steps and the fits (the recommendations add their own). An invalid run is
 * not repeated here: every reporter states `result.valid` and its reasons on top.
 */
export function modelWarnings(result: RunResult, ctx: SizingContext, verdicts: readonly StepVerdict[]): string[] {
  const w: string[] = [];
  if (result.steps.length === 0) w.push('the run has no ramp steps: nothing to fit; run a ramp (e.g. voice-30)');
  if (result.agentsElsewhere) w.push(`the agents were not measured (${result.agentsElsewhere}): nothing is sized from this run`);
  const steady = result.agentsElsewhere ? 0 : verdicts.filter((v) => v.steady).length;
  if (result.steps.length > 0 && steady === 0 && !result.agentsElsewhere) w.push('no step was steady: nothing to fit (see the steps table for why)');
  else if (steady > 0 && steady < 3) w.push(`only ${steady} steady step(s): the fit has no interval (needs 3)`);
  if (ctx.cpu?.method === 'proportional') {
    w.push('one session count only: cost taken as proportional to sessions (base 0), which overstates the per-session cost');
  }
  const r2 = ctx.cpu?.r2;
  if (r2 != null && r2 < POOR_R2) w.push(`the CPU line fits poorly (r² ${r2.toFixed(2)} < ${POOR_R2}): per-session cost may not be linear here`);
  if (ctx.memKind === 'RSS' && ctx.mem !== null) w.push('no PSS on this platform: memory is RSS, which counts shared pages once per process (high)');
  if (ctx.view.relation === 'smaller') {
    w.push(`this host (${ctx.view.measured.cores} cores for the agents) is smaller than the ${ctx.view.target.label} target: ` +
      "the target's figures are extrapolated from the fit");
  }
  if (ctx.view.relation === 'larger' && !ctx.view.measured.confined) {
    w.push(`the agents were not confined to the target's ${ctx.view.target.cores} cores: costs are fitted here and applied to the target`);
  }
  for (const s of result.steps) {
    if (s.fromS !== null && s.sessions < s.targetSessions) w.push(`step ${s.index} carried ${s.sessions} of its ${s.targetSessions} sessions`);
  }
  return w;
}
