import type { ReportData } from './types.js';

/** charts/*.svg, rendered headless: file name (e.g. "cpu-memory.svg") → SVG text. */
export async function renderChartSvgs(_data: ReportData): Promise<Record<string, string>> {
  throw new Error('charts: not built yet');
}
