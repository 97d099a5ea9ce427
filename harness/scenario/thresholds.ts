/**
 * Threshold syntax, in the spirit of k6: `<metric> <op> <value>`, e.g. `perSession.cpuCores < 0.15`,
 * `qos.vad.onsetLagMs.p95 < 250`, `valid == true`; a number may name the statistic taken over
 * repeated runs, `max(qos.agentAudio.gapsOver100ms) == 0`, `median(perSession.cpuCores) < 0.15`. Parsed and checked against the metrics of
 * results.json when the file holding them is loaded (a wrong name is bad input, never a silent
 * pass); gate/thresholds.ts evaluates them against runs. Pure.
 */
import { UsageError } from '../common/errors.js';
import { isMetric, metricInfo, suggestMetrics, type MetricPath } from '../results/metrics.js';

/** The comparison operators, longest first so `<=` is not read as `<`. */
export const OPS = ['<=', '>=', '==', '!=', '<', '>'] as const;
export type Op = (typeof OPS)[number];

/** How a number is taken over repeated runs. */
export const STATS = ['median', 'max', 'min', 'mean'] as const;
export type Stat = (typeof STATS)[number];

/** One parsed threshold. */
export interface Threshold {
  /** The line as written (trimmed). */
  text: string;
  metric: MetricPath;
  op: Op;
  value: number | boolean;
  /**
   * For a number, the statistic judged over the runs: as written, or by default the worst run for
   * a count that has a better side (max when lower is better, min when higher is), else the median.
   * Null for true/false, which must hold in every run.
   */
  stat: Stat | null;
  /** Where it was written, e.g. `scenarios/voice-2.ts: thresholds[0]`. */
  source: string;
}

const LINE = /^(?:(median|max|min|mean)\(\s*([A-Za-z][A-Za-z0-9_.]*)\s*\)|([A-Za-z][A-Za-z0-9_.]*))\s*(<=|>=|==|!=|<|>)\s*(\S+)$/;

/** The statistic a bare number threshold is judged by: the worst run for a count, else the median. */
export function defaultStat(metric: MetricPath): Stat {
  const info = metricInfo(metric);
  if (info.unit === 'count' && info.better !== 'none') return info.better === 'lower' ? 'max' : 'min';
  return 'median';
}
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
  if (!m) throw bad(`not a threshold; write '<metric> <op> <value>' or '<${STATS.join('|')}>(<metric>) <op> <value>' with op one of ${OPS.join(' ')}, e.g. 'perSession.cpuCores < 0.15'`);
  const [, written, inner, bare, op, raw] = m as unknown as [string, Stat | undefined, string | undefined, string | undefined, Op, string];
  const name = (inner ?? bare) as string;
  if (!isMetric(name)) throw bad(`'${name}' is not a metric of results.json; ${suggestMetrics(name)}`);
  const info = metricInfo(name);
  if (info.type === 'boolean') {
    if (written) throw bad(`'${name}' is true or false and must hold in every run: drop '${written}(…)'`);
    if (op !== '==' && op !== '!=') throw bad(`'${name}' is true or false: use == or !=`);
    if (raw !== 'true' && raw !== 'false') throw bad(`'${name}' is true or false, got '${raw}'`);
    return { text, metric: name, op, value: raw === 'true', stat: null, source: where };
  }
  if (!NUMBER.test(raw)) {
    const unit = info.unit && info.unit !== 'count' ? ` (in ${info.unit})` : '';
    throw bad(`'${raw}' is not a number; '${name}' is a number${unit}: write it bare, e.g. '${name} ${op} 10'`);
  }
  return { text, metric: name, op, value: Number(raw), stat: written ?? defaultStat(name), source: where };
}

/** Parses a list of thresholds found under `key` in `file`; each error names the file and the entry. */
export function parseThresholds(lines: unknown, file: string, key = 'thresholds'): Threshold[] {
  if (lines === undefined) return [];
  if (!Array.isArray(lines)) throw new UsageError(`${file}: '${key}' must be a list of strings like "perSession.cpuCores < 0.15"`);
  return lines.map((line, i) => parseThreshold(line, `${file}: ${key}[${i}]`));
}
