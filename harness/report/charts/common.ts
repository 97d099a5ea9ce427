/**
 * What every chart shares: the host label every title carries, units, the memory measure
 * (PSS, or RSS where PSS is missing), and the ramp steps drawn behind time series.
 * Pure functions of the report data.
 */
import type { HostInfo, StepSummary } from '../../results/types.js';
import type { ReportData } from '../types.js';
import { ROLES, type Role, type Sample } from '../../sampling/types.js';

/**
 * A vega-lite spec as the chart builders return it: plain JSON, typed loosely because vega-lite's
 * own types do not compose panel by panel. `compileChart` checks it (vega-lite's warnings).
 */
export type ChartSpec = Record<string, unknown>;
/** One layer or panel inside a chart. */
export type Layer = Record<string, unknown>;

/** Bytes per MB, as summary.md counts them (binary). */
export const MB = 1024 ** 2;

/** Colours for the roles, fixed so a role keeps its colour across charts. */
export const ROLE_COLORS: Record<Role, string> = { agents: '#1f77b4', generator: '#ff7f0e', server: '#2ca02c', harness: '#7f7f7f' };

/** Where the limits and knee are drawn. */
export const LIMIT_COLOR = '#d62728';

/** "2 cores, Intel(R) Xeon(R) Processor, 23.5 GB (vm)": the host a measured number came from. */
export function hostLabel(h: HostInfo): string {
  return `${h.cores} cores, ${h.cpuModel}, ${(h.memoryBytes / 1024 ** 3).toFixed(1)} GB (${h.hostname})`;
}

/** Number with at most `d` decimals, trailing zeros dropped: 0.150 → "0.15". */
export function num(x: number, d = 3): string {
  return String(Number(x.toFixed(d)));
}

/** PSS when every role has it in every sample (it splits shared pages fairly), else RSS for all. */
export function memoryKind(samples: readonly Sample[]): 'PSS' | 'RSS' {
  return samples.every((s) => ROLES.every((r) => s.roles[r].pssBytes !== null)) ? 'PSS' : 'RSS';
}

/** One ramp step as the time-series charts draw it: a rule at its start, its settled part shaded. */
export interface StepMark {
  step: number;
  sessions: number;
  startS: number;
  fromS: number | null;
  toS: number | null;
}

export function stepMarks(steps: readonly StepSummary[]): StepMark[] {
  return steps.map((s) => ({ step: s.index + 1, sessions: s.sessions, startS: s.startS, fromS: s.fromS, toS: s.toS }));
}

/** The layers behind a time series: settled parts shaded, step starts as rules labelled "step N". */
export function stepLayers(durationS: number): Layer[] {
  const x = (field: string): Layer => ({ ...timeAxis(durationS), field });
  const stepTip = [
    { field: 'step', type: 'ordinal', title: 'ramp step' },
    { field: 'sessions', type: 'quantitative', title: 'sessions (fewest active while settled, measured)' },
    { field: 'fromS', type: 'quantitative', title: 'settled from, s', format: '.1f' },
    { field: 'toS', type: 'quantitative', title: 'settled to, s', format: '.1f' },
  ];
  return [
    {
      data: { name: 'steps' },
      transform: [{ filter: 'datum.fromS !== null && datum.toS !== null' }],
      mark: { type: 'rect', color: '#000', opacity: 0.06, tooltip: true },
      encoding: { x: x('fromS'), x2: { field: 'toS' }, tooltip: stepTip },
    },
    {
      data: { name: 'steps' },
      mark: { type: 'rule', color: '#555', strokeDash: [2, 3] },
      encoding: { x: x('startS') },
    },
    {
      data: { name: 'steps' },
      transform: [{ calculate: "'step ' + datum.step", as: 'label' }],
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 2, fontSize: 9, color: '#555' },
      encoding: { x: x('startS'), text: { field: 'label' } },
    },
  ];
}

/** A time axis over the whole run, s since it started, shared by the time-series panels. */
export function timeAxis(durationS: number): Layer {
  return { field: 't', type: 'quantitative', title: 's since the run started', scale: { domain: [0, Math.max(1, durationS)], nice: false } };
}

/** The knee as a one-row dataset (none when no step broke). */
export function kneeRows(data: ReportData): { sessions: number; label: string }[] {
  const k = data.model.knee;
  return k.sessions === null ? [] : [{ sessions: k.sessions, label: `${k.sessions} sessions (measured): ${k.broke.join('; ')}` }];
}

/** The right end of a sessions axis: a little past the largest value, so a rule there stays visible. */
export function sessionsDomainMax(largest: number): number {
  return Math.max(1, largest) + Math.max(1, Math.ceil(0.05 * largest));
}
