/** Number formatting shared by the gate's messages and renderers. Pure. */
import type { MetricValue } from '../results/metrics.js';

/** Four significant digits, no trailing zeros: 0.08123 → "0.08123", 123456 → "123456", 1.5e-7 → "1.5e-7". */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+∞' : x < 0 ? '−∞' : 'NaN';
  if (x === 0) return '0';
  if (Math.abs(x) >= 1e4 && Number.isInteger(Math.round(x))) return String(Math.round(x));
  return String(Number(x.toPrecision(4)));
}

/** A metric value with its unit; bytes also in MB so a reader need not divide. */
export function fmtValue(v: MetricValue, unit = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (unit === 'bytes') return `${(v / 1024 ** 2).toFixed(1)} MB`;
  return unit && unit !== 'count' ? `${fmtNumber(v)} ${unit}` : fmtNumber(v);
}

/** A relative change as a signed percentage with one decimal: 0.1234 → "+12.3 %". */
export function fmtPercent(r: number): string {
  if (!Number.isFinite(r)) return r > 0 ? '+∞ %' : '−∞ %';
  const p = Math.round(r * 1000) / 10;
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${Math.abs(p).toFixed(1)} %`;
}

/** A plain percentage for tolerances and confidences: 0.1 → "10 %", 0.025 → "2.5 %". */
export function fmtShare(x: number): string {
  return `${Number((x * 100).toPrecision(4))} %`;
}
