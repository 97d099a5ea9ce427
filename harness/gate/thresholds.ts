/**
 * Evaluating thresholds (parsed by scenario/thresholds.ts) against one or more runs: a number by
 * the median of the runs, a boolean in every run. Pure.
 */
import { metricInfo, type MetricValue } from '../results/metrics.js';
import type { Op, Threshold } from '../scenario/thresholds.js';
import { fmtNumber, fmtValue } from './format.js';

/** True when `a op b`. */
export function holds(a: number | boolean, op: Op, b: number | boolean): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    case '!=': return a !== b;
  }
}

/** The outcome of one threshold over the runs. */
export interface ThresholdOutcome {
  threshold: Threshold;
  /** The metric's value in each run, in run order. */
  values: MetricValue[];
  /** The value judged: the median of the runs for numbers, the offending (or common) value for booleans; null when unmeasured. */
  observed: MetricValue;
  pass: boolean;
  /** One line saying what was judged and how it came out. */
  message: string;
}

/** Median of a non-empty list. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Evaluates a threshold over the runs' values. A number is judged by the median of the runs (one
 * noisy run neither passes nor fails the gate alone); a boolean must hold in every run. A value that
 * is null (not measured) or of the wrong type in any run fails the threshold, saying so.
 */
export function evaluateThreshold(threshold: Threshold, values: MetricValue[]): ThresholdOutcome {
  const { metric, op, value } = threshold;
  const unit = metricInfo(metric).unit;
  const fail = (observed: MetricValue, message: string): ThresholdOutcome => ({ threshold, values, observed, pass: false, message });
  if (values.length === 0) return fail(null, `${metric}: no run to judge`);
  const wantType = typeof value;
  const bad = values.findIndex((v) => v === null || typeof v !== wantType);
  if (bad >= 0) {
    const v = values[bad] ?? null;
    const what = v === null ? 'null (not measured)' : `${JSON.stringify(v)}, not a ${wantType}`;
    return fail(null, `${metric} was ${what} in run ${bad + 1} of ${values.length}: the threshold cannot pass`);
  }
  if (typeof value === 'boolean') {
    const offending = values.findIndex((v) => !holds(v as boolean, op, value));
    const observed = offending >= 0 ? (values[offending] as boolean) : (values[0] as boolean);
    const where = values.length === 1 ? '' : offending >= 0 ? ` in run ${offending + 1} of ${values.length}` : ` in all ${values.length} runs`;
    return offending >= 0
      ? fail(observed, `${metric} was ${observed}${where}, not ${op} ${value}`)
      : { threshold, values, observed, pass: true, message: `${metric} ${op} ${value}${where}` };
  }
  const nums = values as number[];
  const observed = median(nums);
  const basis = nums.length === 1 ? '' : ` (median of ${nums.length} runs: ${nums.map(fmtNumber).join(', ')})`;
  const pass = holds(observed, op, value);
  const shown = fmtValue(observed, unit);
  return {
    threshold, values, observed, pass,
    message: pass ? `${metric} = ${shown}${basis} ${op} ${fmtNumber(value)}` : `${metric} = ${shown}${basis}, not ${op} ${fmtNumber(value)}`,
  };
}
