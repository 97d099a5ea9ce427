/**
 * The gate as a one-screen terminal table: the verdict, each threshold and each compared metric
 * on one line, and the failures last, where the eye lands. Plain text, no colour codes. Pure.
 */
import type { Comparison } from './compare.js';
import type { GateReport } from './evaluate.js';
import { fmtPercent, fmtShare, fmtValue } from './format.js';
import { metricInfo, type MetricPath } from '../results/metrics.js';
import type { ThresholdOutcome } from './thresholds.js';

const WIDTH = 100;

function clip(s: string, n: number): string {
  return s.length <= n ? s.padEnd(n) : `${s.slice(0, n - 1)}…`;
}

/** "0.1366 → 0.138 cores", "78.4 → 77.4 MB": the unit once. */
function fromTo(a: number, b: number, unit: string): string {
  const [x, y] = [fmtValue(a, unit), fmtValue(b, unit)];
  const tail = x.includes(' ') ? x.slice(x.indexOf(' ')) : '';
  return tail && y.endsWith(tail) ? `${x.slice(0, -tail.length)} → ${y}` : `${x} → ${y}`;
}

function compareLine(c: Comparison): string {
  const unit = metricInfo(c.metric as MetricPath).unit;
  const means = c.baseline.mean === null || c.current.mean === null ? 'n/a' : fromTo(c.baseline.mean, c.current.mean, unit);
  const change = c.change === null ? 'n/a' : fmtPercent(c.change);
  const iv = c.interval ? `[${fmtPercent(c.interval.lo)}, ${fmtPercent(c.interval.hi)}]` : '(no interval)';
  return `  ${clip(c.metric, 28)} ${clip(means, 24)} ${clip(change, 8)} ${clip(iv, 19)} ${c.verdict}`;
}

/** Splits text into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/** The value a threshold judged, briefly: "0.081 cores (median of 3)", "2 (max of 3)", "true", "not measured in run 2". */
function observed(t: ThresholdOutcome): string {
  if (t.observed === null) {
    const run = t.values.findIndex((v) => v === null || typeof v !== typeof t.threshold.value);
    return run >= 0 ? `not measured in run ${run + 1}` : 'no run';
  }
  const many = t.values.length > 1;
  if (typeof t.observed === 'boolean') return `${t.observed}${many ? (t.pass ? ' in every run' : ' in a run') : ''}`;
  return `${fmtValue(t.observed, metricInfo(t.threshold.metric).unit)}${many ? ` (${t.threshold.stat ?? 'median'} of ${t.values.length})` : ''}`;
}

/** Renders the report for a terminal, at most about a screen. */
export function renderTable(r: GateReport): string {
  const verdict = r.verdict === 'pass' ? 'PASS' : r.verdict === 'fail' ? 'FAIL' : r.verdict.toUpperCase();
  const lines = [`voiceload gate: ${r.scenario}, ${r.runs.length} run${r.runs.length === 1 ? '' : 's'}${r.baseline ? ` vs ${r.baseline.file} (${r.baseline.runs} run${r.baseline.runs === 1 ? '' : 's'})` : ''}: ${verdict} (exit ${r.exitCode})`];
  for (const w of r.warnings) lines.push(...wrap(w, WIDTH - 2).map((l, i) => `${i === 0 ? '!' : ' '} ${l}`));
  if (r.skipped !== null) lines.push(`  ${r.skipped}`);
  if (r.thresholds.length > 0) {
    lines.push('thresholds');
    for (const t of r.thresholds) lines.push(`  ${t.pass ? 'pass' : 'FAIL'}  ${clip(t.threshold.text, 40)} ${observed(t)}`);
  }
  if (r.comparisons.length > 0) {
    lines.push(`baseline (${fmtShare(r.confidence)} interval; tolerance ${[...new Set(r.comparisons.map((c) => fmtShare(c.tolerance)))].join('/')})`);
    lines.push(`  ${clip('metric', 28)} ${clip('baseline → now', 24)} ${clip('change', 8)} ${clip('interval', 19)} verdict`);
    for (const c of r.comparisons) lines.push(compareLine(c));
  }
  if (r.inconclusive.length > 0) {
    lines.push(`inconclusive${r.failOnInconclusive ? ' (fails with --fail-on-inconclusive)' : ' (exit 0; --fail-on-inconclusive makes it exit 99)'}:`);
    for (const f of r.inconclusive.slice(0, 8)) lines.push(`  - ${clip(f, WIDTH - 4).trimEnd()}`);
  }
  if (r.failures.length > 0) {
    lines.push('failed:');
    for (const f of r.failures.slice(0, 8)) lines.push(`  - ${clip(f, WIDTH - 4).trimEnd()}`);
    if (r.failures.length > 8) lines.push(`  … and ${r.failures.length - 8} more (see the JUnit or Markdown report)`);
  }
  return `${lines.join('\n')}\n`;
}
