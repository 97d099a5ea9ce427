/**
 * Flags of `gate` and `baseline save`. Their own flags are taken out; what is left is the
 * scenario's (NAME and its overrides), checked by the scenario command's own parser so a bad
 * flag fails before anything runs, and passed on to each run unchanged.
 */
import { UsageError } from '../common/errors.js';

/** What one command accepts: flags with one value, and flags that take every value up to the next flag. */
export interface FlagSpec { single: string[]; multi: string[]; booleans: string[] }

/** Own flags found, and the rest (for the scenario), in order. */
export interface SplitArgs { values: Record<string, string>; lists: Record<string, string[]>; booleans: Set<string>; rest: string[] }

/** Splits argv into this command's flags and the scenario's. `--flag=value` works for single flags. */
export function splitArgs(argv: string[], spec: FlagSpec): SplitArgs {
  const out: SplitArgs = { values: {}, lists: {}, booleans: new Set(), rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(2, eq) : arg.replace(/^--/, '');
    if (arg.startsWith('--') && spec.single.includes(flag)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new UsageError(`--${flag} needs a value; see --help`);
      if (flag in out.values) throw new UsageError(`--${flag} given twice`);
      out.values[flag] = value;
    } else if (arg.startsWith('--') && spec.multi.includes(flag)) {
      const list = (out.lists[flag] ??= []);
      while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('-')) list.push(argv[++i] as string);
      if (list.length === 0) throw new UsageError(`--${flag} needs at least one folder; see --help`);
    } else if (arg === '-h' || (arg.startsWith('--') && spec.booleans.includes(flag))) {
      out.booleans.add(arg === '-h' ? 'help' : flag);
    } else {
      out.rest.push(arg);
    }
  }
  return out;
}

/** A whole number within [min, max], from a flag. */
export function intFlag(value: string | undefined, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${flag}: '${value}' must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}
