/**
 * Chart 1: CPU and memory of each role over the run, one line per role, with the ramp steps
 * marked (a rule where each step began, its settled part shaded). Every point is a sample:
 * measured on the run's host.
 */
import { ROLES, type Role } from '../../sampling/types.js';
import type { ReportData } from '../types.js';
import { type ChartSpec, type Layer, MB, ROLE_COLORS, hostLabel, memoryKind, stepLayers, stepMarks, timeAxis } from './common.js';

/** One role at one sample: the rows the chart draws. */
export interface RoleRow {
  t: number;
  role: string;
  sessions: number;
  cpuCores: number;
  memMB: number;
}

/** The roles this host measured: not the agents when they ran elsewhere (a deployed worker), whose zeros would read as free agents. */
function measuredRoles(data: ReportData): Role[] {
  return data.result.agentsElsewhere ? ROLES.filter((r) => r !== 'agents') : [...ROLES];
}

/** Long-form rows, one per measured role per sample; memory is PSS or RSS as `memoryKind` decides, in MB. */
export function roleRows(data: ReportData): RoleRow[] {
  const pss = memoryKind(data.samples) === 'PSS';
  const roles = measuredRoles(data);
  return data.samples.flatMap((s) =>
    roles.map((role) => {
      const r = s.roles[role];
      return { t: s.elapsedMs / 1000, role, sessions: s.activeSessions, cpuCores: r.cpuCores, memMB: ((pss ? r.pssBytes : null) ?? r.rssBytes) / MB };
    }),
  );
}

function panel(durationS: number, roles: Role[], field: 'cpuCores' | 'memMB', title: string): Layer {
  const color = { field: 'role', type: 'nominal', title: 'role', scale: { domain: roles, range: roles.map((r) => ROLE_COLORS[r]) } };
  return {
    width: 640,
    height: 200,
    layer: [
      ...stepLayers(durationS),
      {
        data: { name: 'roles' },
        mark: { type: 'line', strokeWidth: 1.5, point: { size: 8 }, tooltip: true },
        encoding: {
          x: timeAxis(durationS),
          y: { field, type: 'quantitative', title },
          color,
          tooltip: [
            { field: 'role', type: 'nominal' },
            { field: 't', type: 'quantitative', title: 's', format: '.0f' },
            { field: 'sessions', type: 'quantitative', title: 'active sessions' },
            { field, type: 'quantitative', title: `${title} (measured)`, format: '.3~f' },
          ],
        },
      },
    ],
  };
}

/** The vega-lite spec of chart 1. */
export function cpuMemorySpec(data: ReportData): ChartSpec {
  const { result } = data;
  const mem = memoryKind(data.samples);
  return {
    title: {
      text: 'CPU and memory per role over time (measured)',
      subtitle: [
        `Measured once a second on ${hostLabel(result.host)}; memory is ${mem}${mem === 'RSS' ? ' (PSS missing in some samples; RSS counts shared pages more than once)' : ''}.`,
        'Dashed rules: ramp step starts. Shaded: each step\'s settled part, the span its figures come from.',
        ...(result.agentsElsewhere ? [`No agents line: they ran elsewhere and were not measured (${result.agentsElsewhere}).`] : []),
      ],
      anchor: 'start',
    },
    datasets: { roles: roleRows(data), steps: stepMarks(result.steps) },
    data: { name: 'roles' },
    vconcat: [panel(result.durationS, measuredRoles(data), 'cpuCores', 'CPU, cores'), panel(result.durationS, measuredRoles(data), 'memMB', `${mem}, MB`)],
  };
}
