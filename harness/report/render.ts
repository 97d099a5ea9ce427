/**
 * The one render path of a run: results.json (for a fresh run), summary.md, sizing.md,
 * k8s/deployment.yaml, k8s/hpa.yaml, report.html and charts/*.svg, from the result and its
 * samples, with the capacity model built once. Everything is rendered before anything is written;
 * a reporter that fails is reported by name and the others are still written, each atomically.
 * Used by `scenario` (after the run) and by `report DIR` (from the folder).
 */
import { join } from 'node:path';
import { buildCapacityModel } from '../capacity/model.js';
import type { SizingInputs } from '../capacity/types.js';
import type { RunResult } from '../results/types.js';
import type { Sample } from '../sampling/types.js';
import { renderChartSvgs } from './charts.js';
import { renderReportHtml } from './html.js';
import { renderK8s } from './k8s.js';
import { renderSizingMd } from './sizing-md.js';
import { renderResultsJson } from './results-json.js';
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

/** Renders every output of `data` in memory; results.json too when `withResults`. */
export async function renderRunReport(data: ReportData, withResults = false): Promise<RenderedReport> {
  const files = new Map<string, string>();
  const problems: RenderProblem[] = [];
  const attempt = async (output: string, render: () => Promise<Array<[string, string]>> | Array<[string, string]>) => {
    try {
      for (const [path, text] of await render()) files.set(path, text);
    } catch (err) {
      problems.push(problem(output, err));
    }
  };
  if (withResults) await attempt('results.json', () => [['results.json', renderResultsJson(data.result)]]);
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

/** The output a file belongs to: `k8s/hpa.yaml` → `k8s`, `charts/x.svg` → `charts`. */
function outputOf(rel: string): string {
  return rel.includes('/') ? (rel.split('/')[0] as string) : rel;
}

/**
 * Writes a rendered report into `dir`, each file on its own: one that cannot be written becomes a
 * `failed` problem and the others are still written. Returns the paths written and those problems.
 */
export async function writeRendered(dir: string, rendered: RenderedReport): Promise<{ written: string[]; problems: RenderProblem[] }> {
  const written: string[] = [];
  const problems: RenderProblem[] = [];
  for (const [rel, text] of rendered.files) {
    const path = join(dir, rel);
    try {
      await writeAtomic(path, text);
      written.push(path);
    } catch (err) {
      problems.push({ output: outputOf(rel), status: 'failed', message: `${rel}: ${(err as Error).message}` });
    }
  }
  return { written, problems };
}

/** What to render: the result and its samples, the sizing inputs, and whether results.json is (re)written. */
export interface RunReportInput { result: RunResult; samples: Sample[]; inputs: SizingInputs; withResults: boolean }

/** Builds the capacity model once, renders every output and writes it into `dir`. */
export async function writeRunReport(dir: string, run: RunReportInput): Promise<{ written: string[]; problems: RenderProblem[] }> {
  const data: ReportData = { result: run.result, samples: run.samples, model: buildCapacityModel(run.result, run.inputs) };
  const rendered = await renderRunReport(data, run.withResults);
  const { written, problems } = await writeRendered(dir, rendered);
  return { written, problems: [...rendered.problems, ...problems] };
}
