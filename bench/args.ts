/**
 * The benches' arguments, checked before any work: a bad one ends the bench with one line naming it
 * and the bench's usage, exit 2, as the CLI does with a bad flag.
 */
import { UsageError } from '../harness/common/errors.js';
import { parseDuration } from '../harness/scenario/duration.js';
import { parseGeneratorDesign, type GeneratorDesign } from '../harness/sessions/ipc.js';

/** Runs `read`; a UsageError from it becomes `NAME: what is wrong (usage: USAGE)` and exit 2. */
export function benchArgs<T>(name: string, usage: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${name}: ${err.message} (usage: ${usage})\n`);
    process.exit(2);
  }
}

const wholeIn = (t: string, min: number, max: number) => /^\d+$/.test(t) && Number(t) >= min && Number(t) <= max;

/** A comma-separated list of whole numbers from `min` to `max`, e.g. `1,10,20`. */
export function countList(raw: string, what: string, min = 1, max = 1000): number[] {
  const xs = raw.split(',').map((t) => t.trim());
  if (!xs.every((t) => wholeIn(t, min, max))) throw new UsageError(`${what} '${raw}' must be whole numbers from ${min} to ${max}, comma-separated`);
  return xs.map(Number);
}

/** One whole number from `min` to `max`. */
export function count(raw: string, what: string, min = 1, max = 1_000_000): number {
  if (!wholeIn(raw.trim(), min, max)) throw new UsageError(`${what} '${raw}' must be a whole number from ${min} to ${max}`);
  return Number(raw.trim());
}

/** A duration such as 45s or 1m30s, kept as written (the CLI it is passed to reads it again). */
export function durationArg(raw: string, what: string): string {
  if (parseDuration(raw, what) <= 0) throw new UsageError(`${what}: '${raw}' must be longer than 0 s`);
  return raw;
}

/** Generator design names, comma-separated. */
export function designList(raw: string): Array<GeneratorDesign['name']> {
  return raw.split(',').map((d) => parseGeneratorDesign(d.trim(), `the design '${d.trim()}'`).name);
}
