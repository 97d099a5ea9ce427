/**
 * Output paths, checked before any work: a report folder (new or empty, made now, writable), an
 * output file's folder (writable). A path that fails is one line naming the flag, exit 2. What the
 * check made is remembered so that exactly that, and nothing of the user's, is removed again.
 */
import { mkdir, readdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../common/errors.js';
import { paths } from '../common/paths.js';

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A report folder ready for a run, and the folders this process made for it (outermost first). */
export interface OutDir { dir: string; created: string[] }

/** The deepest part of `p` that exists (`p` itself when it does). */
async function existingAncestor(p: string): Promise<string> {
  let at = p;
  for (;;) {
    if (await stat(at).then(() => true, () => false)) return at;
    const up = path.dirname(at);
    if (up === at) return at;
    at = up;
  }
}

/** Proves a folder takes files by writing and removing a probe; root passes access() even on /proc. */
async function probeWrite(dir: string): Promise<void> {
  const probe = path.join(dir, `.voiceload-probe-${process.pid}`);
  await writeFile(probe, '');
  await unlink(probe);
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.syscall ? ` (${e.syscall})` : ''}` : e.message;
}

/**
 * The report folder: `--out DIR` (new or empty), or reports/<scenario>-<time>. Made now, with every
 * missing parent, and proved writable; on failure whatever was made is removed and the error is bad input.
 */
export async function prepareOutDir(out: string | null, scenario: string, flag = '--out'): Promise<OutDir> {
  const dir = out ? path.resolve(out) : path.join(paths.reports, `${scenario}-${stamp(new Date())}`);
  const shown = `${flag} ${out ?? dir}`;
  const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw new UsageError(`${shown}: is a file, not a folder; choose a new or empty folder`);
    throw new UsageError(`${shown}: cannot read it (${reason(err)}); choose a new or empty folder you can write`);
  });
  if (existing.length > 0) throw new UsageError(`${shown}: the folder already holds files; choose a new or empty folder`);
  const base = await existingAncestor(dir);
  const created: string[] = [];
  for (let at = dir; at !== base; at = path.dirname(at)) created.unshift(at);
  const outDir = { dir, created };
  try {
    for (const level of created) await mkdir(level);
    await probeWrite(dir);
  } catch (err) {
    await removeCreated(outDir);
    throw new UsageError(`${shown}: cannot write there (${reason(err)}); choose a folder you can write`);
  }
  return outDir;
}

/**
 * Removes the folders `prepareOutDir` made, deepest first, while they are empty: a folder that was
 * already there is never touched, and anything written into them (a partial report) is kept.
 */
export async function removeCreated(out: OutDir): Promise<void> {
  for (const level of [...out.created].reverse()) {
    if (!(await rmdir(level).then(() => true, () => false))) return;
  }
}

/** Checks that `file` can be written (its nearest existing folder takes files); `flag` names it in the error. */
export async function checkOutFile(file: string, flag: string): Promise<void> {
  const full = path.resolve(file);
  const isDir = await stat(full).then((s) => s.isDirectory(), () => false);
  if (isDir) throw new UsageError(`${flag} ${file}: is a folder; name a file`);
  const base = await existingAncestor(path.dirname(full));
  const baseIsDir = await stat(base).then((s) => s.isDirectory(), () => false);
  if (!baseIsDir) throw new UsageError(`${flag} ${file}: ${base} is not a folder; name a file in a folder you can write`);
  await probeWrite(base).catch((err: unknown) => {
    throw new UsageError(`${flag} ${file}: cannot write in ${base} (${reason(err)}); name a file in a folder you can write`);
  });
}

/** Checks that an existing folder takes files (`report DIR` re-renders into it); `label` names it in the error. */
export async function checkWritableDir(dir: string, label: string): Promise<void> {
  await probeWrite(path.resolve(dir)).catch((err: unknown) => {
    throw new UsageError(`${label}: cannot write there (${reason(err)}); copy the run folder somewhere writable and render that`);
  });
}
