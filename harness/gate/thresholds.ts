/**
 * Evaluating thresholds (parsed by scenario/thresholds.ts) against one or more runs: a number by
 * the statistic the threshold names (by default the worst run for a count, the median otherwise),
 * a boolean in every run. Pure.
 */
import { metricInfo, type MetricValue } from '../results/metrics.js';
import type { Op, Stat, Threshold } from '../scenario/thresholds.js';
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
  /** The value judged: the threshold's statistic of the runs for numbers, the offending (or common) value for booleans; null when unmeasured. */
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

/** The statistic `stat` of a non-empty list. */
export function statOf(stat: Stat, xs: number[]): number {
  switch (stat) {
    case 'median': return median(xs);
    case 'max': return Math.max(...xs);
    case 'min': return Math.min(...xs);
    case 'mean': return xs.reduce((a, b) => a + b, 0) / xs.length;
  }
}

/**
 * Evaluates a threshold over the runs' values. A number is judged by the threshold's statistic,
 * named in every message (the median lets one noisy run neither pass nor fail the gate alone; the
 * worst run, the default for counts, lets no bad run hide); a boolean must hold in every run. A
 * value that is null (not measured) or of the wrong type in any run fails the threshold, saying so.
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
  const stat = threshold.stat ?? 'median';
  const observed = statOf(stat, nums);
  const pass = holds(observed, op, value);
  const shown = nums.length === 1
    ? `${metric} = ${fmtValue(observed, unit)}`
    : `${stat}(${metric}) = ${fmtValue(observed, unit)} (of ${nums.length} runs: ${nums.map(fmtNumber).join(', ')})`;
  return {
    threshold, values, observed, pass,
    message: pass ? `${shown} ${op} ${fmtNumber(value)}` : `${shown}, not ${op} ${fmtNumber(value)}`,
  };
}
