/**
 * Chart 3: quality against sessions, one panel per measure, one point per ramp step (its settled
 * part, measured), the limit as a dashed rule and the knee the capacity model found as a red rule.
 */
import type { ReportData } from '../types.js';
import { type ChartSpec, type Layer, LIMIT_COLOR, hostLabel, kneeRows, sessionsDomainMax } from './common.js';
import { QUALITY_MEASURES, type QualityMeasure } from './limits.js';

/** One measure at one step. */
export interface QualityRow {
  measure: string;
  step: number;
  sessions: number;
  value: number;
  limit: number;
  broke: boolean;
}

/** Rows for every step and measure that has a value (a step with no data for a measure is left out). */
export function qualityRows(data: ReportData): QualityRow[] {
  return data.result.steps.flatMap((s) =>
    QUALITY_MEASURES.flatMap((m) => {
      const v = m.pick(s.qos);
      return v === null ? [] : [{ measure: m.key, step: s.index + 1, sessions: s.sessions, value: v, limit: m.limit, broke: v > m.limit }];
    }),
  );
}

function panel(m: QualityMeasure, xMax: number): Layer {
  const x = { field: 'sessions', type: 'quantitative', title: 'sessions', axis: { tickMinStep: 1, format: 'd' }, scale: { domain: [0, xMax], nice: false } };
  const title = `${m.label}, ${m.unit}`;
  const only = [{ filter: { field: 'measure', equal: m.key } }];
  return {
    width: 300,
    height: 160,
    layer: [
      {
        data: { name: 'quality' }, transform: only,
        mark: { type: 'line', point: { size: 40 }, color: '#1f77b4', tooltip: true },
        encoding: {
          x, y: { field: 'value', type: 'quantitative', title, axis: m.unit === 'ms' ? {} : { tickMinStep: 1, format: 'd' } },
          tooltip: [
            { field: 'step', type: 'ordinal', title: 'ramp step' }, { field: 'sessions', type: 'quantitative' },
            { field: 'value', type: 'quantitative', title: `${title} (measured)`, format: '.3~f' }, { field: 'broke', type: 'nominal', title: 'over the limit' },
          ],
        },
      },
      {
        data: { name: 'limits' }, transform: only,
        mark: { type: 'rule', color: LIMIT_COLOR, strokeDash: [6, 4], tooltip: true },
        // The axis runs from 0 to at least the limit (and 1, for counts), so a flat line at 0 still has an axis.
        encoding: { y: { field: 'limit', type: 'quantitative', title, scale: { domain: { unionWith: [0, Math.max(1, m.limit)] } } }, tooltip: [{ field: 'label', type: 'nominal', title: 'limit' }] },
      },
      {
        data: { name: 'knee' },
        mark: { type: 'rule', color: LIMIT_COLOR, strokeWidth: 2, tooltip: true },
        encoding: { x, tooltip: [{ field: 'label', type: 'nominal', title: 'knee' }] },
      },
    ],
  };
}

/** The vega-lite spec of chart 3. */
export function qualitySpec(data: ReportData): ChartSpec {
  const { result, model } = data;
  const xMax = sessionsDomainMax(Math.max(...result.steps.map((s) => s.sessions), model.knee.sessions ?? 0));
  const knee = model.knee.sessions === null ? `No knee: ${model.knee.basis}` : `Red rule: the knee at ${model.knee.sessions} sessions (measured): ${model.knee.broke.join('; ')}.`;
  return {
    title: {
      text: 'Quality against sessions, per ramp step (measured)',
      subtitle: [
        `Each point is one step's settled part, measured on ${hostLabel(result.host)}.`,
        'Dashed red: the limit drawn for each measure (see the README). ' + knee,
      ],
      anchor: 'start',
    },
    datasets: {
      quality: qualityRows(data),
      limits: QUALITY_MEASURES.map((m) => ({ measure: m.key, limit: m.limit, label: `${m.label} ≤ ${m.limit} ${m.unit}` })),
      knee: kneeRows(data),
    },
    columns: 2,
    concat: QUALITY_MEASURES.map((m) => panel(m, xMax)),
  };
}
