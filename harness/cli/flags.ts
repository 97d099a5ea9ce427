/**
 * What node's parseArgs lets through or words badly, checked the same way by every command: a
 * negative number after a flag (parseArgs says only "argument is ambiguous"), and a flag given
 * twice (parseArgs silently keeps the last; `gate` refuses it, so every command does).
 */
import { UsageError } from '../common/errors.js';

/** Refuses `--flag -1` for a flag that takes a value, with a line naming the flag. */
export function refuseNegativeValues(argv: string[], options: Record<string, { type: 'string' | 'boolean' }>): void {
  for (let i = 0; i + 1 < argv.length; i++) {
    const arg = argv[i] as string;
    const value = argv[i + 1] as string;
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    if (name && options[name]?.type === 'string' && /^-\d/.test(value)) {
      throw new UsageError(`--${name}: '${value}' is negative; give a value above 0 (see --help)`);
    }
  }
}

/** Refuses a flag given twice, from parseArgs' tokens. */
export function refuseRepeats(tokens: ReadonlyArray<{ kind: string; name?: string; rawName?: string }>): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} given twice`);
    seen.add(t.name);
  }
}
