/**
 * The quality measures the quality chart draws per ramp step, and the limit drawn for each.
 *
 * The limits are the capacity model's own (capacity/quality.ts), so the lines drawn are the ones the
 * knee was judged by. Past the publish-lateness line the load generator broke: such a step is
 * invalid rather than a knee.
 */
import { QUALITY_LIMITS } from '../../capacity/quality.js';
import type { StepQos } from '../../results/types.js';

export interface QualityMeasure {
  key: string;
  label: string;
  unit: string;
  /** Above this the step's quality counts as broken. */
  limit: number;
  pick(q: StepQos): number | null;
}

export const QUALITY_MEASURES: readonly QualityMeasure[] = [
  { key: 'onsetLagP95', label: 'VAD onset lag p95', unit: 'ms', limit: QUALITY_LIMITS.vadOnsetLagP95Ms, pick: (q) => q.onsetLagMs.p95 },
  { key: 'publishLateP99', label: 'user publish lateness p99', unit: 'ms', limit: QUALITY_LIMITS.generatorPublishLateP99Ms, pick: (q) => q.publishLateMsP99 },
  { key: 'agentLoopDelayP99', label: 'agent event-loop delay p99', unit: 'ms', limit: QUALITY_LIMITS.agentLoopDelayP99Ms, pick: (q) => q.agentLoopDelayMsP99 },
  { key: 'gaps', label: 'agent audio gaps over 100 ms', unit: 'gaps', limit: QUALITY_LIMITS.toneGapsOver100msMax, pick: (q) => q.gapsOver100ms },
];
