import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../common/errors.js';
import { paths } from '../common/paths.js';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** The report folder: --out DIR (new or empty), or reports/<scenario>-<time>. Checked before anything runs. */
export async function checkOutDir(out: string | null, scenario: string): Promise<string> {
  const dir = out ? path.resolve(out) : path.join(paths.reports, `${scenario}-${stamp(new Date())}`);
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw new UsageError(`--out ${out}: is a file, not a folder`);
    throw new UsageError(`--out ${out}: ${err.message}`);
  });
  if (existing.length > 0) throw new UsageError(`--out ${out ?? dir}: the folder already holds files; choose a new or empty folder`);
  return dir;
}

/** Creates the report folder once the run is about to start. */
export async function createOutDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}
