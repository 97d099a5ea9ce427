/**
 * Writes a run's report files. Each file is written to `name.tmp` and then
 * renamed, so a reader (or a crash) never sees half a file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../results/types.js';
import { renderResultsJson } from './results-json.js';
import { renderSummary } from './summary-md.js';

/** Writes `text` to `path` through `path.tmp` and a rename, so no reader sees half a file. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}

/** Writes results.json and summary.md into `dir` (created if missing); returns their paths. */
export async function writeReport(dir: string, result: RunResult): Promise<string[]> {
  // Render both before writing either, so a rendering error leaves no partial report.
  const files: Array<[string, string]> = [
    [join(dir, 'results.json'), renderResultsJson(result)],
    [join(dir, 'summary.md'), renderSummary(result)],
  ];
  await mkdir(dir, { recursive: true });
  for (const [path, text] of files) await writeAtomic(path, text);
  return files.map(([path]) => path);
}
