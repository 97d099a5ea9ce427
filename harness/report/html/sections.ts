/**
 * report.html's tables, as plain HTML that reads without JavaScript: the answer (the
 * recommendations), the warnings, and each ramp step's steadiness, cost and quality.
 * Every number says whether it was measured, fitted or extrapolated, and on which host.
 */
import type { Recommendation } from '../../capacity/types.js';
import { mean } from '../../results/stats.js';
import type { BasisKind } from '../../results/types.js';
import { MB, hostLabel, num } from '../charts/common.js';
import { QUALITY_MEASURES } from '../charts/limits.js';
import type { ReportData } from '../types.js';
import { esc } from './escape.js';

/** A basis tag: "measured", "fitted" or "extrapolated", styled by kind. */
export function kind(k: BasisKind): string {
  return `<span class="kind kind-${esc(k)}">${esc(k)}</span>`;
}

/** A number or "n/a" for a figure that was not obtained. */
export function fmt(x: number | null | undefined, d = 3): string {
  return x == null || !Number.isFinite(x) ? 'n/a' : esc(num(x, d));
}

function valueCell(r: Recommendation): string {
  const v = typeof r.value === 'number' ? fmt(r.value) : esc(r.value);
  return r.unit === null ? v : `${v} ${esc(r.unit)}`;
}

function inputsCell(inputs: Recommendation['inputs']): string {
  const items = Object.entries(inputs).map(([k, v]) => `<li><code>${esc(k)}</code> = ${typeof v === 'number' ? fmt(v, 6) : esc(v)}</li>`);
  return items.length === 0 ? '' : `<ul class="inputs">${items.join('')}</ul>`;
}

function knee(d: ReportData): string {
  const k = d.model.knee;
  if (k.sessions === null) return `<p><strong>Knee:</strong> none found: ${esc(k.basis)}</p>`;
  const broke = k.broke.map((b) => `<li>${esc(b)}</li>`).join('');
  return `<p><strong>Knee:</strong> ${fmt(k.sessions)} sessions ${kind('measured')} (step ${fmt((k.stepIndex ?? 0) + 1)}): ${esc(k.basis)}</p><ul>${broke}</ul>`;
}

/** The answer: how many sessions fit, and every recommendation with what it stands on. */
/** How far the answer lies from what was measured: the host's cores against the target's, and the largest step. */
function reach(d: ReportData, n: number): string {
  const { model, result } = d;
  const measured = result.confinement?.cpuCores ?? result.host.cores;
  const most = Math.max(0, ...(model.cpu?.points ?? []).map((p) => p.sessions));
  const past = most > 0 && n > most ? `, ×${fmt(n / most, 1)} the largest step measured (${most})` : '';
  if (model.targetBasis.kind === 'extrapolated') return `extrapolated from ${measured} cores to ${model.target.cores}${past}`;
  if (model.targetBasis.kind === 'fitted') return `fitted on ${measured} cores${past}`;
  return `measured on the target's ${measured} cores${past}`;
}

/**
 * The answer in one line, first on the page: sessions per worker, its range and its basis, e.g.
 * "22 sessions per 4c8g worker, range 14–unbounded, extrapolated from 2 cores to 4", and whether
 * it may be deployed.
 */
export function headline(d: ReportData): string {
  const { model, result } = d;
  const rec = model.recommendations.find((r) => r.key === 'sessionsPerWorker');
  const n = typeof rec?.value === 'number' ? rec.value : null;
  if (rec === undefined || n === null) {
    return `<p id="headline" class="headline"><strong>No sessions-per-worker answer for ${esc(model.target.label)}</strong>: ${esc(rec?.why ?? 'the model made no recommendation')}.</p>`;
  }
  const range = String(rec.inputs.cpuRange95 ?? 'n/a').replace(/\s*\(point \d+\)$/, '');
  const trust = !result.valid
    ? ' <em>From an INVALID run: do not size workers from it.</em>'
    : model.plan ? ' Deployable: see k8s/.' : ' An estimate, not deployable (see the warnings for the run that would make it so).';
  return `<p id="headline" class="headline"><strong>${n} sessions per ${esc(model.target.label)} worker</strong>, ` +
    `range ${esc(range)}, ${esc(reach(d, n))} (${kind(rec.kind)}).${trust}</p>`;
}

export function answerSection(d: ReportData): string {
  const { model, result } = d;
  const rows = model.recommendations.map((r) =>
    `<tr data-key="${esc(r.key)}"><td>${esc(r.label)}</td><td class="num">${valueCell(r)}</td><td>${r.source === 'inputs' ? '<span class="kind kind-inputs">from inputs</span>' : kind(r.kind)}</td><td>${esc(r.why)}</td><td>${inputsCell(r.inputs)}</td></tr>`);
  const table = rows.length === 0
    ? '<p>The capacity model made no recommendation (see the warnings).</p>'
    : `<table id="recommendations"><thead><tr><th>Recommendation</th><th>Value</th><th>Basis</th><th>Why</th><th>Inputs</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return `<section id="answer"><h2>The answer</h2>
${headline(d)}
<p>Measured on <strong>${esc(hostLabel(result.host))}</strong>; sized for <strong>${esc(model.target.label)}</strong>
(${kind(model.targetBasis.kind)}: ${esc(model.targetBasis.how)}).</p>
${knee(d)}
${table}
<p class="legend">${kind('measured')} read from this run's samples on the host above;
${kind('fitted')} a least-squares line through the steady steps measured there;
${kind('extrapolated')} the fit carried beyond the sessions or the host that were measured.</p>
</section>`;
}

/** What the reader must know before trusting the answer. */
export function warningsSection(d: ReportData): string {
  const { result, model } = d;
  const items = [
    ...(result.valid ? [] : [`This run is INVALID: ${result.invalidReasons.join('; ')}. Do not size workers from it.`]),
    ...(result.interrupted ? ['The run was interrupted before its planned end.'] : []),
    ...model.warnings,
  ];
  const body = items.length === 0 ? '<p>None.</p>' : `<ul>${items.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`;
  return `<section id="warnings" class="${items.length === 0 ? '' : 'has-warnings'}"><h2>Warnings</h2>${body}</section>`;
}

function span(from: number | null, to: number | null): string {
  return from === null || to === null ? 'n/a' : `${fmt(from, 1)}–${fmt(to, 1)}`;
}

/** Each step: the model's steadiness verdict, and what the agents cost there. */
export function steadinessSection(d: ReportData): string {
  const { model, result } = d;
  const verdicts = new Map(model.steadiness.steps.map((v) => [v.index, v]));
  const rows = result.steps.map((s) => {
    const v = verdicts.get(s.index);
    const a = s.series.agents;
    const pss = a.pssBytes === null ? null : mean(a.pssBytes);
    const verdict = v === undefined ? 'not judged' : v.steady && v.memorySteady ? 'steady' : v.steady ? 'steady: CPU only' : v.memorySteady ? 'steady: memory only' : 'not steady';
    return `<tr><td>${s.index + 1}</td><td class="num">${s.targetSessions}</td><td class="num">${s.sessions}</td><td>${span(s.startS, s.endS)}</td><td>${span(s.fromS, s.toS)}</td>`
      + `<td>${verdict}</td><td>${esc(v?.reason ?? '')}</td>${result.agentsElsewhere ? '<td colspan="2">not measured: the agents ran elsewhere</td>' : `<td class="num">${fmt(mean(a.cpuCores))}</td><td class="num">${fmt(pss === null ? null : pss / MB, 1)}</td>`}</tr>`;
  });
  return `<section id="steadiness"><h2>Ramp steps: steadiness and cost</h2>
<p>Rule: ${esc(model.steadiness.rule)}. Figures ${kind('measured')} on ${esc(hostLabel(result.host))} over each step's settled part.</p>
<table id="steps"><thead><tr><th>Step</th><th>Target sessions</th><th>Sessions (fewest active)</th><th>Step, s</th><th>Settled part, s</th><th>Verdict</th><th>Why</th><th>Agents CPU mean, cores</th><th>Agents PSS mean, MB</th></tr></thead>
<tbody>${rows.join('')}</tbody></table>
${qualityTable(d)}
</section>`;
}

function qualityTable(d: ReportData): string {
  const head = QUALITY_MEASURES.map((m) => `<th>${esc(m.label)}, ${esc(m.unit)} (limit ${fmt(m.limit)})</th>`).join('');
  const rows = d.result.steps.map((s) => {
    const cells = QUALITY_MEASURES.map((m) => {
      const v = m.pick(s.qos);
      return `<td class="num${v !== null && v > m.limit ? ' over' : ''}">${fmt(v, 1)}</td>`;
    });
    return `<tr><td>${s.index + 1}</td><td class="num">${s.sessions}</td>${cells.join('')}</tr>`;
  });
  return `<h3>Quality per step (measured)</h3>
<table id="quality"><thead><tr><th>Step</th><th>Sessions</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
