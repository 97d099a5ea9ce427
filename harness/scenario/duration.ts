import { UsageError } from '../common/errors.js';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * The longest duration accepted anywhere (run, ramp step, warm-up, drill, session length): 7 days.
 * Timers overflow past about 596 h (2^31 ms) and would fire at once; a week is far beyond any load
 * test and well inside that.
 */
export const MAX_DURATION_S = 7 * 24 * 3600;

/**
 * Parses a duration such as `90s`, `4m`, `1m30s`, `500ms` or a bare number of seconds, at most
 * MAX_DURATION_S (7 days).
 * @returns seconds
 */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim();
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else {
    const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
    const joined = parts.map((p) => p[0]).join('');
    if (parts.length === 0 || joined !== trimmed) {
      throw new UsageError(`${what}: '${text}' is not a duration; use e.g. 90s, 4m or 1m30s`);
    }
    seconds = parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? 's'] ?? 1), 0);
  }
  if (seconds > MAX_DURATION_S) throw new UsageError(`${what}: '${text}' is longer than the maximum of 7 days (168h)`);
  return seconds;
}

/** Host sizes accepted: cores and GB of memory, and GB per core (a real machine's shape). */
const HOST_LIMITS = { cores: [0.25, 256], gb: [0.25, 4096], gbPerCore: [0.25, 64] } as const;

/** Parses a host size such as `4c8g` (4 cores, 8 GB), within HOST_LIMITS. */
export function parseHostSize(text: string, what: string): { cores: number; memoryBytes: number } {
  const m = /^(\d+(?:\.\d+)?)c(\d+(?:\.\d+)?)g$/i.exec(text.trim());
  if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0) {
    throw new UsageError(`${what}: '${text}' is not a host size; use <cores>c<GB>g, e.g. 4c8g`);
  }
  const [cores, gb] = [Number(m[1]), Number(m[2])];
  const L = HOST_LIMITS;
  if (cores < L.cores[0] || cores > L.cores[1] || gb < L.gb[0] || gb > L.gb[1] || gb / cores < L.gbPerCore[0] || gb / cores > L.gbPerCore[1]) {
    throw new UsageError(
      `${what}: '${text}' is not a host to size for; use ${L.cores[0]}–${L.cores[1]} cores, ${L.gb[0]}–${L.gb[1]} GB, ` +
        `and ${L.gbPerCore[0]}–${L.gbPerCore[1]} GB per core, e.g. 4c8g`,
    );
  }
  return { cores: Number(m[1]), memoryBytes: Math.round(Number(m[2]) * 1024 ** 3) };
}
