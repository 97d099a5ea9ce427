/** The evidence half of sizing.md: hosts, steps, fits, knee, and the formulas behind each number. */
import { CONFIDENCE } from '../capacity/fit.js';
import { cores, mib, percent } from '../capacity/format.js';
import { QUALITY_LIMITS, SATURATION_SHARE } from '../capacity/quality.js';
import { HPA_RULES } from '../capacity/recommend/hpa.js';
import { VPA_MARGIN } from '../capacity/recommend/resources.js';
import { MEMORY_BUDGET_SHARE } from '../capacity/recommend/sessions.js';
import { SHUTDOWN_MARGIN_S } from '../capacity/recommend/grace.js';
import { memorySeries, settled } from '../capacity/steadiness.js';
import { hostWords, sizeWords } from '../capacity/target.js';
import type { LinearFit } from '../capacity/types.js';
import { mean } from '../results/stats.js';
import { cell } from './md.js';
import type { ReportData } from './types.js';

function hosts(data: ReportData): string[] {
  const { result: r, model: m } = data;
  const c = r.confinement ?? null;
  return [
    '### Hosts',
    '',
    `- Measured on: ${cell(hostWords(r.host))} (${cell(r.host.platform)} ${cell(r.host.kernel)}, node ${cell(r.host.node)}).`,
    `- Agents confined: ${c ? `yes, ${c.kind} at ${cell(c.path)}, ${sizeWords({ cores: c.cpuCores, memoryBytes: c.memoryBytes })}` : 'no'}.`,
    ...(c?.partition
      ? [`- Host partitioned: agents on CPU ${c.partition.agentCpus}, the load side (harness, server, generators, sampler) on CPU ${c.partition.loadCpus} (${c.partition.loadCores} core(s)); a step where the load side lacked headroom is invalid.`]
      : []),
    `- Target: ${sizeWords(m.target)} (${m.target.label}).`,
    `- Target basis (*${m.targetBasis.kind}*): ${cell(m.targetBasis.how)}.`,
  ];
}

function stepRows(data: ReportData): string[] {
  const rows = [
    '| step | sessions (asked) | agents CPU mean, cores | load | agents memory mean | used for fit | why | quality |',
    '|---:|---:|---:|---:|---:|---|---|---|',
  ];
  data.result.steps.forEach((s, i) => {
    const v = data.model.steadiness.steps[i];
    const cpu = mean(settled(s.series.agents.cpuCores));
    const mem = memorySeries(s);
    const memMean = mean(settled(mem.values));
    const q = v?.quality;
    const quality = !q ? 'n/a' : q.invalid ? `invalid: ${q.invalidWhy.join('; ')}` : q.broken ? `BROKE: ${q.broke.join('; ')}` : 'held';
    rows.push(
      `| ${s.index} | ${s.sessions} (${s.targetSessions}) | ${cpu === null ? 'n/a' : cores(cpu)} | ` +
        `${q?.load == null ? 'n/a' : q.load.toFixed(2)} | ${memMean === null ? 'n/a' : `${mib(memMean)} ${mem.kind}`} | ` +
        `${fitUse(v)} | ${cell(v?.reason ?? '')} | ${cell(quality)} |`,
    );
  });
  return rows;
}

/** Which fits a step is a point of. */
export function fitUse(v: { steady: boolean; memorySteady: boolean } | undefined): string {
  if (!v) return 'n/a';
  return v.steady && v.memorySteady ? 'yes' : v.steady ? 'CPU only' : v.memorySteady ? 'memory only' : 'no';
}

function steps(data: ReportData): string[] {
  const lines = ['### Ramp steps (measured)', '', `Steadiness: ${cell(data.model.steadiness.rule)}`, ''];
  if (data.result.steps.length === 0) return [...lines, 'The run has no ramp steps.'];
  lines.push(...stepRows(data), '', 'load: agents\' mean CPU over the cores they could use — what LiveKit\'s default load_fnc reports.');
  return lines;
}

function interval(ci: [number, number] | null, f: (x: number) => string): string {
  return ci === null ? 'no interval' : `[${f(ci[0])}, ${f(ci[1])}]`;
}

function fitLine(name: string, fit: LinearFit | null, f: (x: number) => string): string {
  if (fit === null) return `- ${name}: no fit (no steady step).`;
  const pts = fit.points.map((p) => `(${p.sessions}, ${f(p.value)})`).join(', ');
  if (fit.method === 'proportional') return `- ${name}: proportional to sessions, ${f(fit.perSession)} per session (one session count only: ${pts}).`;
  const r2 = fit.r2 === null ? 'n/a' : fit.r2.toFixed(3);
  const sd = fit.residualSd === null ? 'n/a' : f(fit.residualSd);
  return `- ${name} = base + per-session × n: base ${f(fit.base)} ${interval(fit.baseCi, f)}, per session ${f(fit.perSession)} ` +
    `${interval(fit.perSessionCi, f)}; r² ${r2}, residual sd ${sd}; points (sessions, mean): ${pts}.`;
}

function fits(data: ReportData): string[] {
  const m = data.model;
  return [
    `### Fits (fitted: ordinary least squares over the steady steps; ${CONFIDENCE * 100} % Student-t intervals, n − 2 degrees of freedom)`,
    '',
    fitLine('Agents CPU, cores', m.cpu, (x) => x.toFixed(4)),
    fitLine('Agents memory', m.pss, (x) => mib(x)),
  ];
}

function knee(data: ReportData): string[] {
  const k = data.model.knee;
  const L = QUALITY_LIMITS;
  return [
    '### Knee',
    '',
    k.sessions === null ? `No knee: ${cell(k.basis)}.` : `Knee at **${k.sessions} sessions** (${k.cause ?? 'n/a'}): ${cell(k.basis)}.`,
    ...k.broke.map((b) => `- ${cell(b)}`),
    '',
    'A step breaks (a knee) when any of these holds over its settled part:',
    '',
    `- VAD onset lag p95 > ${L.vadOnsetLagP95Ms} ms;`,
    `- VAD detected < ${L.vadDetectedMinShare * 100} % of the expected onsets (judged when ≥ ${L.vadMinOnsets} were expected);`,
    `- any gap over 100 ms in the agents' tone (the per-step counter counts gaps over 100 ms, stricter than a 200 ms rule);`,
    `- agent publish lateness p99 > ${L.agentPublishLateP99Ms} ms; agent event-loop delay p99 > ${L.agentLoopDelayP99Ms} ms;`,
    '- the agents\' CPU load reaches load_threshold.',
    '',
    `A step whose load generator missed real time (user publish lateness p99 > ${L.generatorPublishLateP99Ms} ms) is invalid: ` +
      'it is no knee and no fit point. A knee at host CPU saturation ' +
      `(system CPU ≥ ${SATURATION_SHARE * 100} % of the host's cores) is a CPU knee: it transfers to the target only when the agents had the target's cores.`,
  ];
}

function formulas(): string[] {
  const H = HPA_RULES;
  return [
    '### Formulas',
    '',
    '- Sessions per worker N = min(⌊(θ·C − a)/b⌋, ⌊(' + `${MEMORY_BUDGET_SHARE}·M − a_m)/b_m⌋, the most sessions of a step that held below the knee), ` +
      'with θ the load_threshold, C and M the target\'s cores and memory, a + b·n the agents\' CPU fit and a_m + b_m·n their memory fit. ' +
      `The memory budget leaves ${percent(1 - MEMORY_BUDGET_SHARE)} of the target to the OS, kubelet and page cache.`,
    '- load_threshold: kept when CPU binds; otherwise the fitted load at N, (a + b·N)/C, rounded down to 0.01, because the worker\'s load_fnc sees only CPU.',
    `- CPU request = (a + b·N) × (p90/mean of the steady steps' one-second samples) × ${1 + VPA_MARGIN}; CPU limit = C (the worker's load is its CPU over its quota).`,
    `- Memory request = limit = (a_m + b_m·N) × (peak/mean of the steady steps' samples) × ${1 + VPA_MARGIN}.`,
    `- HPA: T = ${H.loadReportLagS} s (worker load report) + ${H.metricsLagS} s (metrics-server + HPA sync) + pod start; ` +
      'λ = --arrival-rate, or concurrent sessions / session length; minReplicas k = max(2, ⌈b·λ·T / ' +
      `(${H.headroomShare}·θ·C)⌉); averageUtilization U = (θ·C − b·λ·T/k) / ((1 + ${H.tolerance})·CPU request); ` +
      'replicas for the peak ⌈P/N⌉; maxReplicas = ⌈P/N⌉ + max(1, ⌈λ·T/N⌉).',
    `- terminationGracePeriodSeconds = p99 session length + ${SHUTDOWN_MARGIN_S} s.`,
  ];
}

/** The evidence sections, in order. */
export function evidenceSections(data: ReportData): string[][] {
  return [['## Evidence'], hosts(data), steps(data), fits(data), knee(data), formulas()];
}
