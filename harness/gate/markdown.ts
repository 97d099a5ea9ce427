/**
 * The gate as Markdown, fit for a pull-request comment or a CI job summary: the verdict first,
 * then thresholds, the baseline comparison and the runs. Pure.
 */
import { describeHost } from './baseline.js';
import type { Comparison } from './compare.js';
import type { GateReport, GateVerdict } from './evaluate.js';
import { fmtPercent, fmtShare, fmtValue } from './format.js';
import { metricInfo, type MetricPath } from '../results/metrics.js';

const HEAD: Record<GateVerdict, string> = {
  pass: '✅ pass',
  inconclusive: '⚠️ inconclusive',
  fail: '❌ fail (exit 99)',
  invalid: '⚠️ invalid run (exit 3)',
  error: '⚠️ harness error (exit 1)',
  interrupted: '⚠️ interrupted (exit 105)',
};

/** Escapes a table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mean(c: Comparison, side: 'baseline' | 'current'): string {
  const m = c[side].mean;
  const n = c[side].values.length;
  return m === null ? 'n/a' : `${fmtValue(m, metricInfo(c.metric as MetricPath).unit)}${n > 1 ? ` (${n} runs)` : ''}`;
}

function comparisonRow(c: Comparison): string {
  const mark = c.verdict === 'regressed' || c.verdict === 'missing' ? '❌' : c.verdict === 'improved' ? '🟢' : c.verdict === 'inconclusive' ? '⚠️' : '✅';
  const iv = c.interval ? `[${fmtPercent(c.interval.lo)}, ${fmtPercent(c.interval.hi)}]` : 'none (1 run each)';
  const change = c.change === null ? 'n/a' : fmtPercent(c.change);
  return `| ${mark} | \`${c.metric}\` | ${mean(c, 'baseline')} | ${mean(c, 'current')} | ${change} | ${iv} | ±${fmtShare(c.tolerance)}, ${c.better} is better | **${c.verdict}** — ${cell(c.note)} |`;
}

function method(r: GateReport): string {
  return [
    '<details><summary>How the gate decides</summary>',
    '',
    '- A threshold on a number is checked against the statistic it names over the runs (`max(…)`, `min(…)`, `median(…)`, `mean(…)`); written bare, a count with a better side is checked against its worst run and any other number against the median. A threshold on true/false must hold in every run. A metric that was not measured (null) fails its threshold.',
    `- A compared metric's change is the current runs' mean against the baseline runs' mean. Its ${fmtShare(r.confidence)} interval is Student-t: Welch's when both sides have two or more runs, otherwise the spread of the side that has several runs is used for both. It is **regressed** or **improved** only when the whole interval lies beyond the tolerance, **inconclusive** when it reaches past the tolerance on the worse side without lying wholly beyond it (exit 0, or 99 with \`--fail-on-inconclusive\`), otherwise **no significant change**.`,
    '- A run that is not valid (generator saturated, server died, sessions missing, …) is not judged: the gate exits 3.',
    '',
    '</details>',
  ].join('\n');
}

/** Renders the report as Markdown. */
export function renderMarkdown(r: GateReport): string {
  const head = r.verdict === 'inconclusive' ? `${HEAD.inconclusive} (exit ${r.exitCode}${r.failOnInconclusive ? ', --fail-on-inconclusive' : ''})` : HEAD[r.verdict];
  const out: string[] = [`## voiceload gate: ${head}`, ''];
  const host = r.host ? ` on ${describeHost(r.host)}` : '';
  out.push(`**${r.scenario}**, ${r.runs.length} run${r.runs.length === 1 ? '' : 's'}${host}.`);
  if (r.baseline) {
    out.push(`Baseline \`${r.baseline.file}\`: ${r.baseline.runs} run${r.baseline.runs === 1 ? '' : 's'} saved ${r.baseline.savedAt} on ${r.baseline.hostDescription}.`);
  }
  out.push('');
  for (const w of r.warnings) out.push(`> ⚠️ ${w}`, '');
  if (r.skipped !== null) out.push(`**Not judged.** ${cell(r.skipped)}`, '');
  if (r.thresholds.length > 0) {
    out.push('### Thresholds', '', '| | threshold | result | from |', '|---|---|---|---|');
    for (const t of r.thresholds) out.push(`| ${t.pass ? '✅' : '❌'} | \`${cell(t.threshold.text)}\` | ${cell(t.message)} | ${cell(t.threshold.source)} |`);
    out.push('');
  }
  if (r.comparisons.length > 0) {
    out.push(
      `### Against the baseline (${fmtShare(r.confidence)} interval)`, '',
      '| | metric | baseline | now | change | interval | tolerance | verdict |', '|---|---|---|---|---|---|---|---|',
      ...r.comparisons.map(comparisonRow), '',
    );
  }
  if (r.skipped === null && r.thresholds.length === 0 && r.comparisons.length === 0) out.push('No threshold and no baseline: nothing was checked but the runs\' validity.', '');
  out.push('### Runs', '');
  for (const run of r.runs) out.push(`- ${run.label}: **${run.outcome}**${run.reasons.length ? ` — ${cell(run.reasons.join('; '))}` : ''} (\`${run.dir}\`)`);
  out.push('', method(r), '');
  return out.join('\n');
}
