/**
 * sizing.md: the capacity answer for an ops team — the answer first, then the recommendations
 * with their why, then the evidence (hosts, steps, fits, knee, formulas). Every number says how it
 * was obtained (measured, fitted, extrapolated, or from the inputs) and on what host. Pure.
 */
import { cores, gib, mib } from '../capacity/format.js';
import { hostWords, sizeWords } from '../capacity/target.js';
import type { CapacityModel, Recommendation } from '../capacity/types.js';
import { cell } from './md.js';
import { evidenceSections } from './sizing-evidence.js';
import type { ReportData } from './types.js';

/** How a recommendation's value was obtained, in one word. */
export function kindOf(r: Recommendation): string {
  return r.source === 'inputs' ? 'from inputs' : r.kind;
}

/** A recommendation's value with its unit, readable. */
export function valueText(r: Recommendation): string {
  if (typeof r.value === 'string') return r.value;
  switch (r.unit) {
    case 'MiB': return `${r.value} MiB (${gib(r.value * 1024 ** 2)})`;
    case 'cores': return `${cores(r.value)} cores`;
    case 's': return `${r.value} s`;
    case null: return String(r.value);
    default: return `${r.value} ${r.unit}`;
  }
}

function rec(model: CapacityModel, key: string): Recommendation | undefined {
  return model.recommendations.find((r) => r.key === key);
}

/**
 * The answer when it is only an estimate: the sessions per worker, its range and basis, why no
 * manifest is written from it, and the run that would make it deployable.
 */
function estimate(data: ReportData, n: Recommendation): string[] {
  const { model: m } = data;
  const range = String(n.inputs.cpuRange95 ?? 'n/a').replace(/\s*\(point \d+\)$/, '');
  const why = m.warnings.find((w) => w.startsWith('not deployable: '))?.replace(/^not deployable: .*?no manifest is written from it: /, '') ?? cell(n.why);
  return [
    `An **estimate, not deployable**: on a **${sizeWords(m.target)}** worker, about **${n.value} voice sessions** fit under ` +
      `load_threshold **${m.inputs.loadThreshold}** — *${n.kind}*, range ${cell(range)}, from a run on ${cell(hostWords(m.host))}.`,
    `No manifest is written from it: ${cell(why)}.`,
    `How the target's numbers were obtained: ${cell(m.targetBasis.how)}.`,
  ];
}

function headline(data: ReportData): string[] {
  const { model } = data;
  const m = model;
  const n = rec(m, 'sessionsPerWorker');
  const where = sizeWords(m.target);
  const lines = ['## The answer', ''];
  if (!m.plan && n && typeof n.value === 'number') return [...lines, ...estimate(data, n)];
  if (data.result.agentsElsewhere) {
    lines.push(`No worker size can be derived from this run: the agents were not measured (${cell(data.result.agentsElsewhere)}).`);
    return lines;
  }
  if (!m.plan || !n) {
    lines.push(`No worker size can be derived from this run for a ${where} worker: ${cell(n?.why ?? 'no model')}.`);
    lines.push('To get one, ramp in steps small enough for this host to hold each one steady, e.g. `npm run scenario ramp -- --ramp-step 1 --sessions 12`: every step that holds is a point of the fit.');
    return lines;
  }
  const p = m.plan;
  const th = rec(m, 'loadThreshold');
  const peak = rec(m, 'replicasForPeak');
  const lowered = p.loadThreshold !== m.inputs.loadThreshold;
  lines.push(
    `On a **${where}** worker, **${p.sessionsPerWorker} voice sessions** fit under load_threshold **${m.inputs.loadThreshold}** ` +
      `— *${n.kind}*, from a run on ${cell(hostWords(m.host))}.`,
  );
  if (lowered && th) lines.push(`Run the workers with **load_threshold ${p.loadThreshold}** instead: ${cell(th.why)}.`);
  const peakLine = m.inputs.peakSessions !== null && peak && typeof peak.value === 'number'
    ? `For a peak of **${m.inputs.peakSessions}** concurrent sessions run **${peak.value} replicas**; the HPA ranges ` +
      `${p.hpa.minReplicas}–${p.hpa.maxReplicas}.`
    : `No --peak-sessions given: the HPA ranges ${p.hpa.minReplicas}–${p.hpa.maxReplicas}; pass --peak-sessions to size it for your peak.`;
  lines.push(
    peakLine,
    `Autoscale on CPU at **${p.hpa.averageUtilization} %** of the request (autoscaling/v2): scale up at once, up to ` +
      `max(${p.hpa.scaleUp.pods} pods, ${p.hpa.scaleUp.percent} %) per ${p.hpa.scaleUp.periodSeconds} s; scale down only after ` +
      `${p.hpa.scaleDown.stabilizationWindowSeconds} s, max(${p.hpa.scaleDown.pods} pod, ${p.hpa.scaleDown.percent} %) per ${p.hpa.scaleDown.periodSeconds} s.`,
    `terminationGracePeriodSeconds **${p.terminationGracePeriodSeconds}** (p99 session ${m.inputs.sessionLengthS} s + 30 s).`,
    `Requests: CPU **${cores(p.cpuRequestCores)} cores**, memory **${mib(p.memoryRequestBytes)}**; ` +
      `limits: CPU **${cores(p.cpuLimitCores)} cores**, memory **${mib(p.memoryLimitBytes)}**.`,
    '',
    `load_threshold used: ${m.inputs.loadThreshold} — ${cell(m.inputs.loadThresholdSource)}.  `,
    `How the target's numbers were obtained: ${cell(m.targetBasis.how)}.  `,
    '`k8s/deployment.yaml` and `k8s/hpa.yaml` carry these values.',
  );
  return lines;
}

function inputsText(r: Recommendation): string {
  return Object.entries(r.inputs).map(([k, v]) => `${k} ${v}`).join(', ');
}

function recommendations(data: ReportData): string[] {
  const { model, result } = data;
  const c = result.confinement ?? null;
  const lines = [
    '## Recommendations',
    '',
    `Every number taken from the run was measured on ${cell(hostWords(result.host))}` +
      (c ? `, with the agents confined to ${sizeWords({ cores: c.cpuCores, memoryBytes: c.memoryBytes })}` : ', the agents unconfined') +
      `; the basis column says how each reached the ${model.target.label} target.`,
    '',
    '| what | value | basis | why | inputs |',
    '|---|---|---|---|---|',
  ];
  for (const r of model.recommendations) {
    lines.push(`| ${cell(r.label)} | ${cell(valueText(r))} | ${kindOf(r)} | ${cell(r.why)} | ${cell(inputsText(r))} |`);
  }
  lines.push('', 'basis: *measured* on the target\'s cores; *fitted* from the steady steps\' line within or near what was measured; ' +
    '*extrapolated* past what was measured or to another host; *from inputs* when the run does not enter into it.');
  return lines;
}

function warnings(model: CapacityModel): string[] {
  if (model.warnings.length === 0) return ['## Warnings', '', 'None.'];
  return ['## Warnings', '', ...model.warnings.map((w) => `- ${cell(w)}`)];
}

function title(data: ReportData): string[] {
  const r = data.result;
  const lines = [`# Worker sizing: ${cell(r.scenario)} → ${data.model.target.label}`, ''];
  lines.push(`Run of ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.sessions.joined} of ${r.sessions.requested} sessions joined, ` +
    `${r.steps.length} ramp steps. Memory is in binary units (MiB, GiB); CPU in cores.`);
  if (!r.valid) {
    lines.push('', `> **INVALID RUN** — do not size workers from it: ${cell(r.invalidReasons.join('; '))}`);
  }
  return lines;
}

/** sizing.md's text. */
export function renderSizingMd(data: ReportData): string {
  const sections = [title(data), headline(data), recommendations(data), warnings(data.model), ...evidenceSections(data)];
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}
