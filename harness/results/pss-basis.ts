/**
 * How a span's PSS figures were obtained, in words: how many process readings were read from
 * smaps_rollup and how many estimated between reads (see sampling/pss-book.ts).
 */
import { PSS_POLICY } from '../sampling/pss-book.js';
import type { RoleSample } from '../sampling/types.js';

/**
 * A clause on the PSS of these samples of one set of processes (`whose`: "the agents'"): '' when no sample says it estimated (a
 * sampler that reads PSS every time, or none at all), else the share of process readings that
 * were read and the rule for the rest.
 */
export function pssBasisWords(samples: readonly Pick<RoleSample, 'processes' | 'pssBytes' | 'pssEstimated'>[], whose: string): string {
  const counted = samples.filter((s) => s.pssEstimated !== undefined && s.pssBytes !== null);
  const readings = counted.reduce((n, s) => n + s.processes, 0);
  if (readings === 0) return '';
  const estimated = counted.reduce((n, s) => n + (s.pssEstimated ?? 0), 0);
  const readShare = Math.round(((readings - estimated) / readings) * 1000) / 10;
  return (
    `; PSS: ${readShare} % of ${whose} ${readings} process readings were read from smaps_rollup, the others estimated ` +
    `as the process's RSS at that second × its PSS/RSS at its last read (each process read at least every ` +
    `${PSS_POLICY.everyMs / 1000} s, and whenever its RSS moved by more than ${PSS_POLICY.rssChange * 100} % ` +
    `or the number of processes sampled by more than ${PSS_POLICY.populationChange * 100} %)`
  );
}
