import { UsageError } from '../common/errors.js';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parses a duration such as `90s`, `4m`, `1m30s`, `500ms` or a bare number of seconds.
 * @returns seconds
 */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const joined = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || joined !== trimmed) {
    throw new UsageError(`${what}: '${text}' is not a duration; use e.g. 90s, 4m or 1m30s`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] ?? 's'] ?? 1), 0);
}

/** Parses a host size such as `4c8g` (4 cores, 8 GB). */
export function parseHostSize(text: string, what: string): { cores: number; memoryBytes: number } {
  const m = /^(\d+(?:\.\d+)?)c(\d+(?:\.\d+)?)g$/i.exec(text.trim());
  if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0) {
    throw new UsageError(`${what}: '${text}' is not a host size; use <cores>c<GB>g, e.g. 4c8g`);
  }
  return { cores: Number(m[1]), memoryBytes: Math.round(Number(m[2]) * 1024 ** 3) };
}
