/** Number formats shared by the recommendations' words and the sizing reporters. */

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Cores with two decimals: "2.80". */
export function cores(x: number): string {
  return x.toFixed(2);
}

/** Bytes as MiB, whole: "2816 MiB". */
export function mib(bytes: number): string {
  return `${Math.round(bytes / MIB)} MiB`;
}

/** Bytes as GiB with two decimals: "2.75 GiB". */
export function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(2)} GiB`;
}

/** A share as a percentage with one decimal: "12.5 %". */
export function percent(share: number): string {
  return `${(100 * share).toFixed(1)} %`;
}

/** Seconds in words: "630 s (10.5 min)" past a minute, else "45 s". */
export function seconds(s: number): string {
  return s >= 60 ? `${Math.round(s)} s (${(s / 60).toFixed(1)} min)` : `${Math.round(s)} s`;
}

/** A session count that may be unbounded. */
export function count(n: number): string {
  return Number.isFinite(n) ? String(n) : 'unbounded';
}

/** Rounds cores up to whole millicores in steps of 10 m (what a manifest can say). */
export function ceilCores(x: number): number {
  return Math.ceil(x * 100 - 1e-9) / 100;
}

/** Rounds bytes up to whole MiB. */
export function ceilMib(bytes: number): number {
  return Math.ceil(bytes / MIB - 1e-9) * MIB;
}
