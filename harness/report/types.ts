import type { CapacityModel } from '../capacity/types.js';
import type { RunResult } from '../results/types.js';
import type { Sample } from '../sampling/types.js';

/** Everything the rich reporters (report.html, charts, sizing.md, k8s) render from: plain data. */
export interface ReportData {
  result: RunResult;
  /** Every line of samples.jsonl, in order. */
  samples: Sample[];
  model: CapacityModel;
}
