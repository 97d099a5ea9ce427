/**
 * What a gate checks, from a gate file (`--gate FILE`, JSON) and the scenario's `thresholds`:
 * thresholds, which metrics to compare with a baseline, per-metric tolerances and the confidence
 * level. Everything is validated when it is loaded; a bad name or value is bad input (exit 2), one
 * line naming the file and the key.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../common/errors.js';
import { isMetric, metricInfo, suggestMetrics, type MetricPath } from '../results/metrics.js';
import { parseThresholds, type Threshold } from '../scenario/thresholds.js';

/** A validated gate. */
export interface GateConfig {
  thresholds: Threshold[];
  /** Metrics held against a baseline, in order; empty means the default set. */
  compare: MetricPath[];
  /** Allowed relative change before a comparison can regress: a default and per-metric overrides. */
  tolerance: { default: number; perMetric: Partial<Record<MetricPath, number>> };
  /** Two-sided confidence of the comparison intervals. */
  confidence: number;
}

/** 10 %: per-session CPU of the small scenario moves by a few percent between runs on a quiet host. */
export const DEFAULT_TOLERANCE = 0.1;
export const DEFAULT_CONFIDENCE = 0.95;
/** Compared when a gate names no metric at all: what capacity and quality hinge on. */
export const DEFAULT_COMPARE: MetricPath[] = ['perSession.cpuCores', 'perSession.pssBytes', 'qos.vad.onsetLagMs.p95'];

const KEYS = ['thresholds', 'compare', 'tolerance', 'confidence'];

/** An empty gate with the defaults. */
export function emptyConfig(): GateConfig {
  return { thresholds: [], compare: [], tolerance: { default: DEFAULT_TOLERANCE, perMetric: {} }, confidence: DEFAULT_CONFIDENCE };
}

/** A share: 0.1 or "10%" → 0.1. Must lie in [0, 10]. */
export function parseShare(value: unknown, where: string): number {
  let x: number = NaN;
  if (typeof value === 'number') x = value;
  else if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(value)) x = parseFloat(value) / 100;
  else if (typeof value === 'string' && /^\s*\d*\.?\d+\s*$/.test(value)) x = Number(value);
  if (!(x >= 0 && x <= 10)) throw new UsageError(`${where}: ${JSON.stringify(value)} is not a tolerance; use a share like 0.1 or "10%"`);
  return x;
}

/** A confidence level within [0.5, 0.999]: 0.95 or "95%". */
export function parseConfidence(value: unknown, where: string): number {
  const x = typeof value === 'string' && value.trim().endsWith('%') ? parseFloat(value) / 100 : typeof value === 'string' ? Number(value) : value;
  if (typeof x !== 'number' || !(x >= 0.5 && x <= 0.999)) {
    throw new UsageError(`${where}: ${JSON.stringify(value)} is not a confidence level; use e.g. 0.95 or "95%" (0.5 to 0.999)`);
  }
  return x;
}

function metricName(value: unknown, where: string): MetricPath {
  if (typeof value !== 'string' || !isMetric(value)) {
    throw new UsageError(`${where}: ${JSON.stringify(value)} is not a metric of results.json; ${suggestMetrics(String(value))}`);
  }
  return value;
}

function tolerances(value: unknown, file: string): GateConfig['tolerance'] {
  if (typeof value === 'number' || typeof value === 'string') return { default: parseShare(value, `${file}: tolerance`), perMetric: {} };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${file}: 'tolerance' must be a share ("10%") or an object { "default": "10%", "<metric>": "5%" }`);
  }
  const out: GateConfig['tolerance'] = { default: DEFAULT_TOLERANCE, perMetric: {} };
  for (const [key, v] of Object.entries(value)) {
    if (key === 'default') out.default = parseShare(v, `${file}: tolerance.default`);
    else out.perMetric[metricName(key, `${file}: tolerance key`)] = parseShare(v, `${file}: tolerance['${key}']`);
  }
  return out;
}

/** Validates a parsed gate file; `file` names it in every message. */
export function validateGate(spec: unknown, file: string): GateConfig {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new UsageError(`${file}: a gate file must hold a JSON object`);
  for (const key of Object.keys(spec)) {
    if (!KEYS.includes(key)) throw new UsageError(`${file}: unknown key '${key}'; known keys: ${KEYS.join(', ')}`);
  }
  const s = spec as Record<string, unknown>;
  const compare = s.compare ?? [];
  if (!Array.isArray(compare)) throw new UsageError(`${file}: 'compare' must be a list of metric names`);
  const config: GateConfig = {
    thresholds: parseThresholds(s.thresholds, file),
    compare: compare.map((m, i) => metricName(m, `${file}: compare[${i}]`)),
    tolerance: s.tolerance === undefined ? emptyConfig().tolerance : tolerances(s.tolerance, file),
    confidence: s.confidence === undefined ? DEFAULT_CONFIDENCE : parseConfidence(s.confidence, `${file}: confidence`),
  };
  config.compare.forEach((m, i) => {
    if (metricInfo(m).type !== 'number') throw new UsageError(`${file}: compare[${i}]: '${m}' is true or false; gate it with a threshold ('${m} == true')`);
    if (directionOf(m, config.thresholds) === null) {
      throw new UsageError(`${file}: compare[${i}]: '${m}' describes the run, it has no better direction; gate it with a threshold instead`);
    }
  });
  return config;
}

/** Reads and validates a gate file (JSON). */
export async function loadGateFile(file: string): Promise<GateConfig> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new UsageError(`--gate ${file}: cannot read it (${err.message})`);
  });
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return validateGate(spec, file);
}

/**
 * Which way is better for a compared metric: the catalogue's direction, else the direction its
 * thresholds point (`<`, `<=`: lower; `>`, `>=`: higher); null when neither says.
 */
export function directionOf(metric: MetricPath, thresholds: Threshold[]): 'lower' | 'higher' | null {
  const better = metricInfo(metric).better;
  if (better !== 'none') return better;
  for (const t of thresholds) {
    if (t.metric !== metric) continue;
    if (t.op === '<' || t.op === '<=') return 'lower';
    if (t.op === '>' || t.op === '>=') return 'higher';
  }
  return null;
}

/**
 * The metrics a baseline comparison covers: the gate file's `compare` list, or the default set when
 * it has none. Thresholds stay absolute checks: a count such as `qos.vad.segmentsDetected > 0`
 * would make a noisy relative comparison, so naming a metric in a threshold does not compare it.
 */
export function comparedMetrics(config: GateConfig): MetricPath[] {
  return config.compare.length > 0 ? [...config.compare] : [...DEFAULT_COMPARE];
}

/** Adds more thresholds (e.g. the scenario's) to a gate. */
export function withThresholds(config: GateConfig, more: Threshold[]): GateConfig {
  return { ...config, thresholds: [...more, ...config.thresholds] };
}

/** The tolerance that applies to one metric. */
export function toleranceOf(config: GateConfig, metric: MetricPath): number {
  return config.tolerance.perMetric[metric] ?? config.tolerance.default;
}
