/**
 * The capacity outputs of a run folder: sizing.md, k8s/deployment.yaml, k8s/hpa.yaml, report.html
 * and charts/*.svg (plus summary.md, re-rendered). Everything is rendered before anything is
 * written; a reporter that fails is reported by name and the others are still written, each
 * atomically. Used by `npm run report -- DIR` and by the scenario run.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildCapacityModel } from '../capacity/model.js';
import type { SizingInputs } from '../capacity/types.js';
import type { RunResult } from '../results/types.js';
import type { Sample } from '../sampling/types.js';
import { renderChartSvgs } from './charts.js';
import { renderReportHtml } from './html.js';
import { renderK8s } from './k8s.js';
import { renderSizingMd } from './sizing-md.js';
import { renderSummary } from './summary-md.js';
import type { ReportData } from './types.js';
import { writeAtomic } from './write.js';

/** One output that could not be rendered: `skipped` while its reporter is not built yet, else `failed`. */
export interface RenderProblem { output: string; status: 'skipped' | 'failed'; message: string }

export interface RenderedReport {
  /** Path relative to the run folder → text. */
  files: Map<string, string>;
  problems: RenderProblem[];
}

/** Chart file names are plain `name.svg`: nothing a reporter returns may point outside charts/. */
const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.svg$/;

function problem(output: string, err: unknown): RenderProblem {
  const message = err instanceof Error ? err.message : String(err);
  return { output, status: /not built yet/.test(message) ? 'skipped' : 'failed', message: message.split('\n')[0] ?? '' };
}

/** Renders every output of `data` in memory. */
export async function renderRichReport(data: ReportData): Promise<RenderedReport> {
  const files = new Map<string, string>();
  const problems: RenderProblem[] = [];
  const attempt = async (output: string, render: () => Promise<Array<[string, string]>> | Array<[string, string]>) => {
    try {
      for (const [path, text] of await render()) files.set(path, text);
    } catch (err) {
      problems.push(problem(output, err));
    }
  };
  await attempt('summary.md', () => [['summary.md', renderSummary(data.result)]]);
  await attempt('sizing.md', () => [['sizing.md', renderSizingMd(data)]]);
  await attempt('k8s', () => {
    const k = renderK8s(data);
    return [['k8s/deployment.yaml', k.deployment], ['k8s/hpa.yaml', k.hpa]];
  });
  await attempt('report.html', () => [['report.html', renderReportHtml(data)]]);
  await attempt('charts', async () => Object.entries(await renderChartSvgs(data)).map(([name, svg]) => {
    if (!CHART_NAME.test(name)) throw new Error(`charts: bad chart file name '${name}'`);
    return [`charts/${name}`, svg];
  }));
  return { files, problems };
}

/** Writes a rendered report into `dir`; returns the paths written. */
export async function writeRendered(dir: string, rendered: RenderedReport): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, text] of rendered.files) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeAtomic(path, text);
    written.push(path);
  }
  return written;
}

/** Builds the model, renders every output and writes it into `dir`. */
export async function writeRichReport(dir: string, result: RunResult, samples: Sample[], inputs: SizingInputs):
  Promise<{ written: string[]; problems: RenderProblem[] }> {
  const data: ReportData = { result, samples, model: buildCapacityModel(result, inputs) };
  const rendered = await renderRichReport(data);
  return { written: await writeRendered(dir, rendered), problems: rendered.problems };
}
