/**
 * Thresholds, in the spirit of k6: `<metric> <op> <value>`, e.g. `perSession.cpuCores < 0.15`,
 * `qos.vad.onsetLagMs.p95 < 250`, `valid == true`. Parsed and checked against the metrics of
 * results.json when the file holding them is loaded (a wrong name is bad input, never a silent
 * pass), and evaluated against one or more runs. Pure.
 */
import { UsageError } from '../common/errors.js';
import { fmtNumber, fmtValue } from './format.js';
import { isMetric, metricInfo, suggestMetrics, type MetricPath, type MetricValue } from './metrics.js';

/** The comparison operators, longest first so `<=` is not read as `<`. */
export const OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type Op = (typeof OPS)[number];

/** One parsed threshold. */
export interface Threshold {
  /** The line as written (trimmed). */
  text: string;
  metric: MetricPath;
  op: Op;
  value: number | boolean;
  /** Where it was written, e.g. `scenarios/voice-2.ts: thresholds[0]`. */
  source: string;
}

const LINE = /^([A-Za-z][A-Za-z0-9_.]*)\s*(<=|>=|==|!=|<|>)\s*(\S+)$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Parses one threshold line. `where` names the file and key for the error message, which is one
 * line: what is wrong and how to write it instead.
 */
export function parseThreshold(line: unknown, where: string): Threshold {
  if (typeof line !== 'string') throw new UsageError(`${where}: a threshold must be a string like "perSession.cpuCores < 0.15", got ${JSON.stringify(line)}`);
  const text = line.trim();
  const bad = (why: string) => new UsageError(`${where}: '${text}': ${why}`);
  const m = LINE.exec(text);
  if (!m) throw bad(`not a threshold; write '<metric> <op> <value>' with op one of ${OPS.join(' ')}, e.g. 'perSession.cpuCores < 0.15'`);
  const [, name, op, raw] = m as unknown as [string, string, Op, string];
  if (!isMetric(name)) throw bad(`'${name}' is not a metric of results.json; ${suggestMetrics(name)}`);
  const info = metricInfo(name);
  if (info.type === 'boolean') {
    if (op !== '==' && op !== '!=') throw bad(`'${name}' is true or false: use == or !=`);
    if (raw !== 'true' && raw !== 'false') throw bad(`'${name}' is true or false, got '${raw}'`);
    return { text, metric: name, op, value: raw === 'true', source: where };
  }
  if (!NUMBER.test(raw)) {
    const unit = info.unit && info.unit !== 'count' ? ` (in ${info.unit})` : '';
    throw bad(`'${raw}' is not a number; '${name}' is a number${unit}: write it bare, e.g. '${name} ${op} 10'`);
  }
  return { text, metric: name, op, value: Number(raw), source: where };
}

/** Parses a list of thresholds found under `key` in `file`; each error names the file and the entry. */
export function parseThresholds(lines: unknown, file: string, key = 'thresholds'): Threshold[] {
  if (lines === undefined) return [];
  if (!Array.isArray(lines)) throw new UsageError(`${file}: '${key}' must be a list of strings like "perSession.cpuCores < 0.15"`);
  return lines.map((line, i) => parseThreshold(line, `${file}: ${key}[${i}]`));
}

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
