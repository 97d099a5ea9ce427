/**
 * The gate's decision: from the runs (or finished results), the gate's thresholds and an optional
 * baseline, a plain-data GateReport with every check, its outcome and the exit code. The renderers
 * (junit.ts, markdown.ts, table.ts) are functions of this report. Pure.
 */
import { EXIT } from '../common/errors.js';
import { readMetric } from '../results/metrics.js';
import type { HostInfo, RunResult } from '../results/types.js';
import { hostDifference, hostWarning, type Baseline } from './baseline.js';
import { compareMetric, type Comparison } from './compare.js';
import { comparedMetrics, directionOf, toleranceOf, type GateConfig } from './config.js';
import { fmtShare } from './format.js';
import { evaluateThreshold, type ThresholdOutcome } from './thresholds.js';

/** How one run ended: valid, invalid (results say why), a harness error, or interrupted. */
export type RunOutcome = 'valid' | 'invalid' | 'error' | 'interrupted';

/** One run the gate judges. */
export interface GateRun {
  label: string;
  /** Its report folder. */
  dir: string;
  /** results.json, when the run wrote one. */
  result: RunResult | null;
  /** The scenario command's exit code, when the gate ran it; null for --results. */
  exitCode: number | null;
}

/**
 * The gate's overall verdict. 'inconclusive': nothing failed but a comparison could not rule a
 * regression out; it exits 0, or 99 with `failOnInconclusive`.
 */
export type GateVerdict = 'pass' | 'inconclusive' | 'fail' | 'invalid' | 'error' | 'interrupted';

/** Everything the gate decided, for the renderers and gate.json. */
export interface GateReport {
  scenario: string;
  verdict: GateVerdict;
  exitCode: number;
  runs: { label: string; dir: string; outcome: RunOutcome; reasons: string[] }[];
  /** The host of the (first) current run. */
  host: HostInfo | null;
  thresholds: ThresholdOutcome[];
  comparisons: Comparison[];
  baseline: { file: string; runs: number; hostDescription: string; savedAt: string } | null;
  confidence: number;
  warnings: string[];
  /** Set when the checks were not judged (a run was not valid), saying why. */
  skipped: string | null;
  /** One line per failed check. */
  failures: string[];
  /** One line per inconclusive comparison. */
  inconclusive: string[];
  /** Whether an inconclusive comparison fails the gate (`--fail-on-inconclusive`). */
  failOnInconclusive: boolean;
  /** What the gate was set to check (threshold lines, compared metrics), judged or not. */
  planned: { thresholds: string[]; compared: string[] };
}

/** What evaluateGate needs. */
export interface GateInput {
  scenario: string;
  runs: GateRun[];
  config: GateConfig;
  baseline: { file: string; data: Baseline } | null;
  /** An inconclusive comparison fails the gate (exit 99) instead of passing with a warning. */
  failOnInconclusive?: boolean;
}

function outcomeOf(run: GateRun): { outcome: RunOutcome; reasons: string[] } {
  const r = run.result;
  if (run.exitCode === EXIT.harnessError || (r === null && run.exitCode !== EXIT.interrupted)) {
    return { outcome: 'error', reasons: [run.exitCode === null ? 'no results.json' : `the scenario exited ${run.exitCode} (harness error)${r ? '' : ' without results.json'}`] };
  }
  if (run.exitCode === EXIT.interrupted || r?.interrupted) return { outcome: 'interrupted', reasons: ['interrupted'] };
  if (r === null) return { outcome: 'error', reasons: ['no results.json'] };
  return r.valid ? { outcome: 'valid', reasons: [] } : { outcome: 'invalid', reasons: r.invalidReasons };
}

const VERDICT_EXIT: Record<GateVerdict, number> = {
  pass: EXIT.ok, inconclusive: EXIT.ok, fail: EXIT.gateFailed, invalid: EXIT.invalidRun, error: EXIT.harnessError, interrupted: EXIT.interrupted,
};

/** Judges the runs against the gate; checks are skipped (and say so) unless every run is valid. */
export function evaluateGate(input: GateInput): GateReport {
  const runs = input.runs.map((run) => ({ label: run.label, dir: run.dir, ...outcomeOf(run) }));
  const results = input.runs.map((r) => r.result).filter((r): r is RunResult => r !== null);
  const host = results[0]?.host ?? null;
  const baseline = input.baseline
    ? { file: input.baseline.file, runs: input.baseline.data.runs.length, hostDescription: input.baseline.data.hostDescription, savedAt: input.baseline.data.savedAt }
    : null;
  const planned = {
    thresholds: input.config.thresholds.map((t) => t.text),
    compared: input.baseline ? comparedMetrics(input.config) : [],
  };
  const failOnInconclusive = input.failOnInconclusive ?? false;
  const base = { scenario: input.scenario, runs, host, baseline, confidence: input.config.confidence, planned, failOnInconclusive };
  const notValid = (['error', 'interrupted', 'invalid'] as const).find((o) => runs.some((r) => r.outcome === o));
  if (notValid !== undefined) {
    const bad = runs.filter((r) => r.outcome !== 'valid').map((r) => `${r.label}: ${r.outcome}${r.reasons.length ? ` (${r.reasons.join('; ')})` : ''}`);
    return {
      ...base, verdict: notValid, exitCode: VERDICT_EXIT[notValid], thresholds: [], comparisons: [], warnings: [],
      skipped: `not judged: ${bad.join('; ')}`, failures: bad, inconclusive: [],
    };
  }
  const { config } = input;
  const thresholds = config.thresholds.map((t) => evaluateThreshold(t, results.map((r) => readMetric(r, t.metric))));
  const comparisons = input.baseline ? compareAll(input.baseline.data, results, config) : [];
  const warnings = gateWarnings(input, results);
  const failures = [
    ...thresholds.filter((t) => !t.pass).map((t) => `threshold '${t.threshold.text}': ${t.message}`),
    ...comparisons.filter((c) => c.verdict === 'regressed' || c.verdict === 'missing').map((c) => `${c.metric}: ${c.verdict}: ${c.note}`),
  ];
  const inconclusive = comparisons.filter((c) => c.verdict === 'inconclusive').map((c) => `${c.metric}: inconclusive: ${c.note}`);
  const verdict: GateVerdict = failures.length > 0 ? 'fail' : inconclusive.length > 0 ? 'inconclusive' : 'pass';
  const exitCode = verdict === 'inconclusive' && failOnInconclusive ? EXIT.gateFailed : VERDICT_EXIT[verdict];
  return { ...base, verdict, exitCode, thresholds, comparisons, warnings, skipped: null, failures, inconclusive };
}

function compareAll(baseline: Baseline, results: RunResult[], config: GateConfig): Comparison[] {
  return comparedMetrics(config).map((metric) => {
    const better = directionOf(metric, config.thresholds) ?? 'lower';
    const cur = results.map((r) => {
      const v = readMetric(r, metric);
      return typeof v === 'number' ? v : null;
    });
    return compareMetric(metric, better, baseline.metrics[metric] ?? [], cur, toleranceOf(config, metric), config.confidence);
  });
}

function gateWarnings(input: GateInput, results: RunResult[]): string[] {
  const warnings: string[] = [];
  const first = results[0];
  if (first) {
    results.slice(1).forEach((r, i) => {
      const d = hostDifference(first.host, r.host);
      if (d?.unlike) warnings.push(`run ${i + 2} ran on another host than run 1 (${d.items.join(', ')})`);
    });
  }
  if (input.baseline && first) {
    const w = hostWarning(hostDifference(input.baseline.data.host, first.host));
    if (w) warnings.push(w);
    if (input.baseline.data.runs.length === 1 && results.length === 1) {
      warnings.push(`one run on each side: no interval, so the change alone is held against the tolerance (${fmtShare(input.config.tolerance.default)} by default) and a noisy run can trip it; use --runs 3 and a baseline of 3 runs`);
    }
  }
  return warnings;
}
