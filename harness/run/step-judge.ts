/** Judging one ramp step while the run is still going (pure). */
import { rampStep } from '../common/ramp.js';
import { summariseSteps, type StepInput } from '../results/steps.js';
import type { Confinement, KneeStop, StepSummary } from '../results/types.js';
import type { Sample } from '../sampling/types.js';

/** What broke in a finished ramp step: the agents' own limits, and the load side's (both empty: it held). */
export interface StepBreaks { agents: string[]; loadSide: string[] }

/** Decides what broke in a finished ramp step. */
export type StepJudge = (step: StepSummary, confinement: Confinement | null) => StepBreaks;

/** What was gathered so far; `endedAt` is now. `requestedSessions` is the ramp's cap. */
export type SoFar = Omit<StepInput, 'requestedSessions'> & { requestedSessions: number };

/** A judged step: the sessions it held, what broke (empty: none), and the start of its settled part, s. */
export interface JudgedStep { sessions: number; broke: string[]; loadSide: string[]; fromS: number | null }

/**
 * Summarises step `index` from what has been gathered so far and judges it. Only the steps up to
 * `index` are summarised, so a later step scheduled but not yet run cannot shorten this one.
 */
export function judgeStepSoFar(index: number, soFar: SoFar, samples: readonly Sample[], judge: StepJudge, confinement: Confinement | null): JudgedStep {
  const { to } = rampStep({ sessions: soFar.requestedSessions, step: soFar.ramp.step, everyS: soFar.ramp.everyS }, index);
  const step = summariseSteps({ ...soFar, requestedSessions: to }, samples)[index];
  if (!step) return { sessions: 0, broke: [], loadSide: [], fromS: null };
  const b = judge(step, confinement);
  return { sessions: step.sessions, broke: [...b.agents, ...b.loadSide], loadSide: b.loadSide, fromS: step.fromS };
}

/** The knee stop a judged step makes, or null when it held. */
export function kneeStopOf(index: number, judged: JudgedStep): KneeStop | null {
  if (!judged.broke.length) return null;
  return { stepIndex: index, sessions: judged.sessions, broke: judged.broke, ...(judged.loadSide.length ? { loadSide: judged.loadSide } : {}) };
}
