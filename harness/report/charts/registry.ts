/**
 * The report's charts, in the order the page shows them, and the one place vega-lite specs are
 * compiled to vega. charts.ts renders these to SVG files; html.ts embeds them in report.html.
 */
import type { Spec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../types.js';
import type { ChartSpec } from './common.js';
import { costSpec } from './cost.js';
import { cpuMemorySpec } from './cpu-memory.js';
import { qualitySpec } from './quality.js';
import { systemCpuSpec } from './system-cpu.js';
import { hasSoak, memorySessionsSpec } from './memory-sessions.js';

export interface ChartDef {
  /** Stable id: the SVG's file name without ".svg", and the page's container id "chart-<name>". */
  name: string;
  /** Short heading on the page. */
  heading: string;
  build(data: ReportData): ChartSpec;
  /** Whether a run has this chart; absent: every run has it. */
  applies?(data: ReportData): boolean;
}

export const CHARTS: readonly ChartDef[] = [
  { name: 'cpu-memory', heading: 'CPU and memory per role over time', build: cpuMemorySpec },
  { name: 'cost-vs-sessions', heading: "Agents' cost against sessions", build: costSpec },
  { name: 'quality-vs-sessions', heading: 'Quality against sessions', build: qualitySpec },
  { name: 'system-cpu', heading: "The host's CPU against its cores", build: systemCpuSpec },
  { name: 'memory-vs-sessions', heading: 'Memory against completed sessions (soak)', build: memorySessionsSpec, applies: hasSoak },
];

/** Shared look: the page's system fonts (nothing fetched), no chart border. */
const CONFIG = { font: 'system-ui, sans-serif', view: { stroke: null }, title: { subtitleColor: '#444', subtitleFontSize: 11 } };

/** A compiled chart and what vega-lite warned about while compiling it (a sound spec has none). */
export interface Compiled {
  spec: Spec;
  warnings: string[];
}

/** vega-lite → vega. Pure; the result carries its data inline and no URL (the $schema is dropped). */
export function compileChart(spec: ChartSpec): Compiled {
  const warnings: string[] = [];
  const keep = (...args: unknown[]): void => void warnings.push(args.map(String).join(' '));
  const logger = { level: () => logger, error: keep, warn: keep, info: () => logger, debug: () => logger };
  const vega = compile({ ...spec, config: CONFIG } as TopLevelSpec, { logger: logger as never }).spec;
  delete vega.$schema;
  return { spec: vega, warnings };
}

/** Every chart of a report, compiled, in page order. */
export function compiledCharts(data: ReportData): ({ def: ChartDef } & Compiled)[] {
  return CHARTS.filter((def) => def.applies?.(data) ?? true).map((def) => ({ def, ...compileChart(def.build(data)) }));
}
