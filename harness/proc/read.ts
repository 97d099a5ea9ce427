/**
 * Reading /proc: the pid directories, and a file of a process that may exit at any moment.
 */
import { readdirSync, readFileSync } from 'node:fs';

const GONE = new Set(['ENOENT', 'ESRCH']);

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** The names of the pid directories under `procRoot` (throws when it cannot be listed). */
export function pidNames(procRoot = '/proc'): string[] {
  return readdirSync(procRoot).filter((n) => /^\d+$/.test(n));
}

/** Reads a /proc file; null when the process is gone (exited between listing and reading), other errors thrown. */
export function readOrGone(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (GONE.has(errCode(err) ?? '')) return null;
    throw err;
  }
}

/** Reads a /proc file; null on any error (gone, or not ours to read). */
export function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
