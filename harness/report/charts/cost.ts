/**
 * Chart 2: the agents' cost against sessions. Each ramp step is a measured point (filled when
 * the model judged it steady and fitted it, hollow when it was left out); the fitted line
 * cost = base + perSession × n is solid over the sessions measured and dashed where it is
 * extrapolated; the band is the fit's interval; the knee, if any, is a rule.
 */
import type { LinearFit } from '../../capacity/types.js';
import { mean } from '../../results/stats.js';
import type { StepSummary } from '../../results/types.js';
import type { ReportData } from '../types.js';
import { type ChartSpec, type Layer, LIMIT_COLOR, MB, hostLabel, kneeRows, num, sessionsDomainMax } from './common.js';

/** A point of the fitted line. lo/hi: the interval band there, null when the fit has no interval. */
export interface FitRow {
  sessions: number;
  value: number;
  lo: number | null;
  hi: number | null;
  /** `fitted` inside the measured sessions, `extrapolated` outside them. */
  kind: 'fitted' | 'extrapolated';
  /** Which stretch of the line: below, inside or above the measured sessions. */
  piece: 'below' | 'fitted' | 'above';
}

/** One ramp step as a point. */
export interface CostPoint {
  sessions: number;
  value: number;
  step: number | null;
  use: 'steady: in the fit' | 'steady: no fit' | 'not steady: left out' | 'not judged';
}

type Measure = 'cpu' | 'pss';

const UNITS: Record<Measure, { scale: number; title: string; unit: string }> = {
  cpu: { scale: 1, title: 'agents CPU, cores', unit: 'cores' },
  pss: { scale: 1 / MB, title: 'agents PSS, MB', unit: 'MB' },
};

/**
 * The band at n: the lowest and highest base + slope × n with base and slope each at an end of
 * its interval. Conservative (it ignores how the two estimates co-vary), and said so on the chart.
 */
function band(fit: LinearFit, n: number): [number, number] | null {
  if (fit.perSessionCi === null || fit.baseCi === null) return null;
  const ends = fit.baseCi.flatMap((b) => (fit.perSessionCi as [number, number]).map((s) => b + s * n));
  return [Math.min(...ends), Math.max(...ends)];
}

/** The fitted line from 0 to xMax, split where it leaves the measured sessions; values × scale. */
export function fitRows(fit: LinearFit, xMax: number, scale = 1): FitRow[] {
  const ns = fit.points.map((p) => p.sessions);
  if (ns.length === 0) return [];
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  const row = (n: number, piece: FitRow['piece']): FitRow => {
    const b = band(fit, n);
    return {
      sessions: n, value: (fit.base + fit.perSession * n) * scale, lo: b && b[0] * scale, hi: b && b[1] * scale,
      kind: piece === 'fitted' ? 'fitted' : 'extrapolated', piece,
    };
  };
  const rows: FitRow[] = [];
  if (lo > 0) rows.push(row(0, 'below'), row(lo, 'below'));
  rows.push(row(lo, 'fitted'), row(hi, 'fitted'));
  if (xMax > hi) rows.push(row(hi, 'above'), row(xMax, 'above'));
  return rows;
}

function stepValue(s: StepSummary, m: Measure): number | null {
  const a = s.series.agents;
  return m === 'cpu' ? mean(a.cpuCores) : a.pssBytes === null ? null : mean(a.pssBytes);
}

/** The fit's own points (what it was fitted from), then every step not among them, measured. */
export function costPoints(data: ReportData, m: Measure): CostPoint[] {
  const { scale } = UNITS[m];
  const fit = data.model[m];
  const verdicts = new Map(data.model.steadiness.steps.map((v) => [v.index, m === 'cpu' ? v.steady : v.memorySteady]));
  const used: CostPoint[] = (fit?.points ?? []).map((p) => ({ sessions: p.sessions, value: p.value * scale, step: null, use: 'steady: in the fit' }));
  const left = data.result.steps
    .filter((s) => fit === null || verdicts.get(s.index) !== true)
    .flatMap((s): CostPoint[] => {
      const v = stepValue(s, m);
      const verdict = verdicts.get(s.index);
      const use = verdict === undefined ? 'not judged' : verdict ? 'steady: no fit' : 'not steady: left out';
      return v === null ? [] : [{ sessions: s.sessions, value: v * scale, step: s.index + 1, use }];
    });
  return [...used, ...left];
}

/** How far right the line goes: the largest of the sessions measured, the knee and the recommended sessions per worker. */
export function costXMax(data: ReportData): number {
  const rec = data.model.recommendations.find((r) => r.key === 'sessionsPerWorker');
  const xs = [...data.result.steps.map((s) => s.sessions), data.model.knee.sessions ?? 0, typeof rec?.value === 'number' ? rec.value : 0];
  return Math.max(1, ...xs);
}

function fitText(fit: LinearFit | null, m: Measure): string {
  const { scale, unit } = UNITS[m];
  if (fit === null) return `${m.toUpperCase()}: no fit (too few steady steps; see the warnings).`;
  const ci = fit.perSessionCi && ` (${Math.round(fit.confidence * 100)} % interval ${num(fit.perSessionCi[0] * scale)}–${num(fit.perSessionCi[1] * scale)})`;
  return `${m.toUpperCase()}: ${num(fit.perSession * scale)} ${unit} per session${ci ?? ''} + ${num(fit.base * scale)} ${unit} base (fitted from ${fit.points.length} steady steps${fit.r2 === null ? '' : `, r² ${num(fit.r2)}`}).`;
}

function panel(data: ReportData, m: Measure, xMax: number): Layer {
  const { title } = UNITS[m];
  const x = { field: 'sessions', type: 'quantitative', title: 'sessions', axis: { tickMinStep: 1, format: 'd' }, scale: { domain: [0, sessionsDomainMax(xMax)], nice: false } };
  const layers: Layer[] = [
    {
      data: { name: `${m}Fit` }, transform: [{ filter: 'datum.lo !== null' }],
      mark: { type: 'area', opacity: 0.15, color: '#1f77b4' },
      encoding: { x, y: { field: 'lo', type: 'quantitative', title }, y2: { field: 'hi' } },
    },
    {
      data: { name: `${m}Fit` },
      mark: { type: 'line', color: '#1f77b4', tooltip: true },
      encoding: {
        x, y: { field: 'value', type: 'quantitative', title }, detail: { field: 'piece' },
        strokeDash: { field: 'kind', type: 'nominal', title: 'line', scale: { domain: ['fitted', 'extrapolated'], range: [[1, 0], [5, 4]] } },
        tooltip: [{ field: 'sessions', type: 'quantitative' }, { field: 'value', type: 'quantitative', title: `${title}`, format: '.3~f' }, { field: 'kind', type: 'nominal' }],
      },
    },
    {
      data: { name: `${m}Points` },
      mark: { type: 'point', size: 60, strokeWidth: 2, color: '#1f77b4', tooltip: true },
      encoding: {
        x, y: { field: 'value', type: 'quantitative', title },
        fill: { field: 'use', type: 'nominal', title: 'steps (measured)', legend: { labelLimit: 250 }, scale: { domain: ['steady: in the fit', 'steady: no fit', 'not steady: left out', 'not judged'], range: ['#1f77b4', '#9ecae1', 'transparent', '#ddd'] } },
        tooltip: [{ field: 'sessions', type: 'quantitative' }, { field: 'value', type: 'quantitative', title: `${title} (measured)`, format: '.3~f' }, { field: 'use', type: 'nominal' }],
      },
    },
    {
      data: { name: 'knee' },
      mark: { type: 'rule', color: LIMIT_COLOR, strokeWidth: 2, tooltip: true },
      encoding: { x, tooltip: [{ field: 'label', type: 'nominal', title: 'knee' }] },
    },
  ];
  return { width: 300, height: 220, layer: layers };
}

/** The vega-lite spec of chart 2. */
export function costSpec(data: ReportData): ChartSpec {
  const { model, result } = data;
  const xMax = costXMax(data);
  const fits = (m: Measure): FitRow[] => (model[m] === null ? [] : fitRows(model[m] as LinearFit, xMax, UNITS[m].scale));
  return {
    title: {
      text: "Agents' cost against sessions: measured steps, fitted line",
      subtitle: [
        `Steps measured on ${hostLabel(result.host)}. Solid line: fitted over the sessions measured; dashed: extrapolated.`,
        fitText(model.cpu, 'cpu'),
        fitText(model.pss, 'pss'),
        'Band: base and slope each at an end of its interval (a conservative envelope). Red rule: the knee, where quality broke (measured).',
      ],
      anchor: 'start',
    },
    datasets: {
      cpuFit: fits('cpu'), pssFit: fits('pss'), cpuPoints: costPoints(data, 'cpu'), pssPoints: costPoints(data, 'pss'), knee: kneeRows(data),
    },
    hconcat: [panel(data, 'cpu', xMax), panel(data, 'pss', xMax)],
    resolve: { scale: { strokeDash: 'shared', fill: 'shared' } },
  };
}
