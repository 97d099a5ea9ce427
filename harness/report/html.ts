import type { ReportData } from './types.js';

/** report.html: one self-contained page that opens offline. Pure. */
export function renderReportHtml(_data: ReportData): string {
  throw new Error('report.html: not built yet');
}
