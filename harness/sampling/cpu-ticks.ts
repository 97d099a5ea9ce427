import type { CpuTicks } from './types.js';

/**
 * Mean cores busy between two readings of the same counters (/proc/stat's or one cgroup's): the
 * busy share of the time that passed, times the CPUs it covers. Null when no time passed or the
 * two cover different CPUs.
 */
export function coresBetween(a: CpuTicks, b: CpuTicks): number | null {
  if (b.total <= a.total || a.cpus !== b.cpus) return null;
  return (Math.max(0, b.busy - a.busy) / (b.total - a.total)) * b.cpus;
}
