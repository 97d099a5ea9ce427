/**
 * Reading /proc: the pid directories, and a file of a process that may exit at any moment.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

const GONE = new Set(['ENOENT', 'ESRCH']);

function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** null when `err` says the process is gone; any other error is thrown again. */
export function nullIfGone(err: unknown): null {
  if (GONE.has(errCode(err) ?? '')) return null;
  throw err;
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
    return nullIfGone(err);
  }
}

/** One buffer for {@link readSmallOrGone}: reads are synchronous, so it is never shared mid-read. */
const small = Buffer.alloc(4096);

/**
 * {@link readOrGone} for a /proc file of a few hundred bytes (stat, statm): open, one read into a
 * reused buffer, close. readFileSync also fstat()s and reads a second time to find the end; this
 * costs ~20 % less CPU (measured: 100 stat files in 0.83 ms vs 1.05 ms). A file that fills the
 * buffer is read again whole.
 */
export function readSmallOrGone(path: string): string | null {
  let fd: number;
  let n: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return nullIfGone(err);
  }
  try {
    n = readSync(fd, small, 0, small.length, 0);
  } catch (err) {
    return nullIfGone(err);
  } finally {
    closeSync(fd);
  }
  return n < small.length ? small.toString('utf8', 0, n) : readOrGone(path);
}

/** Reads a /proc file; null on any error (gone, or not ours to read). */
export function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
