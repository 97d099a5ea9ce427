/**
 * Requests and limits in the manner of the Kubernetes VPA recommender: CPU request = p90 of CPU
 * usage plus a 15 % margin; memory from the peak plus the same margin. Usage is the worker's at
 * its full load (the sessions-per-worker answer), read off the fits; the p90 and the peak come
 * from how far the steady steps' one-second samples strayed above their step's mean.
 */
import { predict } from '../fit.js';
import { ceilCores, ceilMib, cores, mib, percent } from '../format.js';
import type { Recommendation } from '../types.js';
import { derivedKind, type SessionsAnswer, type SizingContext } from './context.js';

/** The VPA recommender's safety margin (its --recommendation-margin-fraction default). */
export const VPA_MARGIN = 0.15;

const MIB = 1024 ** 2;

/** CPU in cores, memory in bytes (whole MiB); the memory recommendations say MiB. */
export interface Resources { cpuRequest: number; cpuLimit: number; memRequest: number; memLimit: number }

/** The numbers; null when there is no worker size (no fit, or not one session fits). */
export function resourcesFor(ctx: SizingContext, a: SessionsAnswer): Resources | null {
  if (a.n === null || a.n < 1 || ctx.cpu === null || ctx.mem === null) return null;
  const cpuP90 = predict(ctx.cpu, a.n) * (1 + ctx.cpuP90Excess);
  const memPeak = predict(ctx.mem, a.n) * (1 + ctx.memPeakExcess);
  const cpuLimit = ctx.view.target.cores;
  const memRequest = ceilMib(memPeak * (1 + VPA_MARGIN));
  return { cpuRequest: Math.min(cpuLimit, ceilCores(cpuP90 * (1 + VPA_MARGIN))), cpuLimit, memRequest, memLimit: memRequest };
}

/** The four resources recommendations. */
export function resourcesRecs(ctx: SizingContext, a: SessionsAnswer, r: Resources | null): Recommendation[] {
  const kind = derivedKind(a);
  const na = (key: string, label: string): Recommendation => ({
    key, label, value: 'n/a', unit: null, kind, why: 'no worker size to derive it from (see sessionsPerWorker)', inputs: {},
  });
  if (r === null || ctx.cpu === null || ctx.mem === null || a.n === null) {
    return [
      na('resources.requests.cpu', 'CPU request'), na('resources.limits.cpu', 'CPU limit'),
      na('resources.requests.memory', 'Memory request'), na('resources.limits.memory', 'Memory limit'),
    ];
  }
  const n = a.n;
  const cpuMean = predict(ctx.cpu, n);
  const memMean = predict(ctx.mem, n);
  const memNote = ctx.memKind === 'RSS' ? ' (RSS: this platform has no PSS, so shared pages count more than once — high)' : '';
  return [
    {
      key: 'resources.requests.cpu', label: 'CPU request', value: r.cpuRequest, unit: 'cores', kind,
      why: `p90 of the agents' CPU at ${n} sessions (${cores(cpuMean)} fitted mean × ${(1 + ctx.cpuP90Excess).toFixed(3)} p90/mean) ` +
        `plus the VPA's ${percent(VPA_MARGIN)}` + (r.cpuRequest === r.cpuLimit ? ', capped at the limit' : ''),
      inputs: { sessions: n, fittedMeanCores: cores(cpuMean), p90OverMean: (1 + ctx.cpuP90Excess).toFixed(3), margin: VPA_MARGIN },
    },
    {
      key: 'resources.limits.cpu', label: 'CPU limit', value: r.cpuLimit, unit: 'cores', kind,
      why: `the target's ${r.cpuLimit} cores: the worker reads its CPU quota as its core count (@livekit/agents' cgroup CPU monitor), ` +
        'so this limit is what load_threshold is a share of',
      inputs: { targetCores: r.cpuLimit },
      source: 'inputs',
    },
    {
      key: 'resources.requests.memory', label: 'Memory request', value: r.memRequest / MIB, unit: 'MiB', kind,
      why: `peak ${ctx.memKind} at ${n} sessions (${mib(memMean)} fitted mean × ${(1 + ctx.memPeakExcess).toFixed(3)} peak/mean) ` +
        `plus the VPA's ${percent(VPA_MARGIN)}${memNote}`,
      inputs: { sessions: n, fittedMean: mib(memMean), peakOverMean: (1 + ctx.memPeakExcess).toFixed(3), margin: VPA_MARGIN, memory: ctx.memKind },
    },
    {
      key: 'resources.limits.memory', label: 'Memory limit', value: r.memLimit / MIB, unit: 'MiB', kind,
      why: 'equal to the request: memory cannot be throttled, and a pod above its request is the first evicted under node pressure, ' +
        'taking every session with it — so make the bound explicit',
      inputs: { request: mib(r.memRequest) },
    },
  ];
}
