import type { RunResult } from '../results/types.js';
import type { CapacityModel, SizingInputs } from './types.js';

/** The capacity model of one run: steadiness, fits, knee, recommendations. Pure. */
export function buildCapacityModel(_result: RunResult, _inputs: SizingInputs): CapacityModel {
  throw new Error('capacity model: not built yet');
}
