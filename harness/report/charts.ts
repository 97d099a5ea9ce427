/**
 * charts/*.svg: each chart of the report rendered headless by vega's own View (no canvas, no
 * browser), from the same compiled specs report.html embeds.
 */
import { View, parse } from 'vega';
import { compiledCharts } from './charts/registry.js';
import type { ReportData } from './types.js';

/** charts/*.svg, rendered headless: file name (e.g. "cpu-memory.svg") → SVG text. */
export async function renderChartSvgs(data: ReportData): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { def, spec } of compiledCharts(data)) {
    const view = new View(parse(spec), { renderer: 'none' });
    try {
      out[`${def.name}.svg`] = await view.toSVG();
    } finally {
      view.finalize();
    }
  }
  return out;
}
