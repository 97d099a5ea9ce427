/**
 * The quality measures the quality chart draws per ramp step, and the limit drawn for each.
 *
 * The capacity model decides the knee with its own limits; these are the lines the chart draws
 * beside the points, so a reader sees how close each step came. The publish-lateness limit is the
 * one a run is invalid past (results/aggregate.ts); the others are the report's defaults.
 */
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
  { key: 'onsetLagP95', label: 'VAD onset lag p95', unit: 'ms', limit: 300, pick: (q) => q.onsetLagMs.p95 },
  { key: 'publishLateP99', label: 'user publish lateness p99', unit: 'ms', limit: 20, pick: (q) => q.publishLateMsP99 },
  { key: 'agentLoopDelayP99', label: 'agent event-loop delay p99', unit: 'ms', limit: 50, pick: (q) => q.agentLoopDelayMsP99 },
  { key: 'gaps', label: 'agent audio gaps over 100 ms', unit: 'gaps', limit: 0, pick: (q) => q.gapsOver100ms },
];
