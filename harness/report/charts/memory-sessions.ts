/**
 * The soak chart: the workers' own memory and a busy job process's memory against completed
 * sessions, one point per completed session, with the fitted line of each verdict (capacity/leak.ts).
 */
import { judgeLeak } from '../../capacity/leak.js';
import type { ReportData } from '../types.js';
import { type ChartSpec, MB, hostLabel } from './common.js';

const WORKER = "workers' own memory (main + inference process)";
const JOB = 'busy job process (mean)';

/** Only runs whose sessions end (a soak) have this chart. */
export function hasSoak(data: ReportData): boolean {
  return (data.result.workers?.soak?.points.length ?? 0) > 0;
}

/** One row per point and series, MB. */
export function soakRows(data: ReportData): { completed: number; series: string; mb: number }[] {
  return (data.result.workers?.soak?.points ?? []).flatMap((p) => [
    { completed: p.completed, series: WORKER, mb: p.fixedPssBytes / MB },
    ...(p.jobPssBytes === null ? [] : [{ completed: p.completed, series: JOB, mb: p.jobPssBytes / MB }]),
  ]);
}

/** The vega-lite spec of the soak chart. */
export function memorySessionsSpec(data: ReportData): ChartSpec {
  const points = data.result.workers?.soak?.points ?? [];
  const verdicts = [judgeLeak(points, 'worker'), judgeLeak(points, 'job')];
  return {
    title: {
      text: 'Memory against completed sessions (measured, PSS)',
      subtitle: [`Measured on ${hostLabel(data.result.host)}.`, ...verdicts.map((v) => `${v.series === 'worker' ? 'Workers' : 'Job process'}: ${v.text}.`)],
      anchor: 'start',
    },
    datasets: { soak: soakRows(data) },
    width: 640,
    height: 220,
    layer: [
      {
        data: { name: 'soak' },
        mark: { type: 'point', filled: true, size: 20, tooltip: true },
        encoding: {
          x: { field: 'completed', type: 'quantitative', title: 'completed sessions' },
          y: { field: 'mb', type: 'quantitative', title: 'PSS, MB', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: [WORKER, JOB], range: ['#1f77b4', '#ff7f0e'] } },
        },
      },
      {
        data: { name: 'soak' },
        transform: [{ regression: 'mb', on: 'completed', groupby: ['series'] }],
        mark: { type: 'line', strokeWidth: 1 },
        encoding: { x: { field: 'completed', type: 'quantitative' }, y: { field: 'mb', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } },
      },
    ],
  };
}
