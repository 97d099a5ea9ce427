/**
 * Chart 4: the whole host's CPU over the run against the host's cores, beside the sum of the
 * roles the harness samples (the difference is everything else on the host), with the worker
 * load threshold the sizing uses and the ramp steps marked.
 */
import { ROLES } from '../../sampling/types.js';
import type { ReportData } from '../types.js';
import { type ChartSpec, LIMIT_COLOR, hostLabel, num, stepLayers, stepMarks, timeAxis } from './common.js';

export const SYSTEM = 'whole host';
export const ROLES_SUM = 'sampled roles (sum)';

/** Two rows per sample: the host's CPU and the sum of the roles' CPU, in cores. */
export function systemRows(data: ReportData): { t: number; sessions: number; series: string; cpuCores: number }[] {
  return data.samples.flatMap((s) => {
    const base = { t: s.elapsedMs / 1000, sessions: s.activeSessions };
    const roles = ROLES.reduce((acc, r) => acc + s.roles[r].cpuCores, 0);
    return [{ ...base, series: SYSTEM, cpuCores: s.system.cpuCores }, { ...base, series: ROLES_SUM, cpuCores: roles }];
  });
}

/** Horizontal rules: the host's cores, and the load threshold as a share of them. */
export function capacityRules(data: ReportData): { cores: number; label: string }[] {
  const { host } = data.result;
  const { loadThreshold: th, loadThresholdSource: src } = data.model.inputs;
  return [
    { cores: host.cores, label: `host: ${host.cores} cores` },
    { cores: th * host.cores, label: `load threshold ${num(th)} × ${host.cores} cores (${src})` },
  ];
}

/** The vega-lite spec of chart 4. */
export function systemCpuSpec(data: ReportData): ChartSpec {
  const { result } = data;
  const d = result.durationS;
  return {
    title: {
      text: "The host's CPU against its cores (measured)",
      subtitle: [
        `Measured once a second on ${hostLabel(result.host)}.`,
        'Whole host minus the sampled roles is everything else running there. Red: the host\'s cores; dotted: the load threshold.',
      ],
      anchor: 'start',
    },
    datasets: { system: systemRows(data), steps: stepMarks(result.steps), capacity: capacityRules(data) },
    width: 640,
    height: 220,
    layer: [
      ...stepLayers(d),
      {
        data: { name: 'system' },
        mark: { type: 'line', strokeWidth: 1.5, point: { size: 8 }, tooltip: true },
        encoding: {
          x: timeAxis(d),
          y: { field: 'cpuCores', type: 'quantitative', title: 'CPU, cores', scale: { domainMin: 0 } },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: [SYSTEM, ROLES_SUM], range: ['#000', '#1f77b4'] } },
          tooltip: [
            { field: 'series', type: 'nominal' }, { field: 't', type: 'quantitative', title: 's', format: '.0f' },
            { field: 'sessions', type: 'quantitative', title: 'active sessions' },
            { field: 'cpuCores', type: 'quantitative', title: 'CPU, cores (measured)', format: '.3~f' },
          ],
        },
      },
      {
        data: { name: 'capacity' },
        mark: { type: 'rule', color: LIMIT_COLOR, tooltip: true },
        encoding: {
          y: { field: 'cores', type: 'quantitative' },
          strokeDash: { field: 'label', type: 'nominal', legend: null },
          tooltip: [{ field: 'label', type: 'nominal', title: 'line' }],
        },
      },
      {
        data: { name: 'capacity' },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, x: 'width', fontSize: 9, color: LIMIT_COLOR },
        encoding: { y: { field: 'cores', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}
