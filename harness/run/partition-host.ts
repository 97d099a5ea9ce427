/** The run's one call into the partition: sweep what a crashed run left, plan, make. */
import type { HostSize } from '../results/types.js';
import type { Cgroup } from './confine.js';
import { createPartition, planPartition, removeStale, staleGroups, usableCpus } from './partition.js';

/**
 * Partitions this host for one run (see partition.ts) and hands it back as the agents' cgroup.
 * Groups a crashed earlier run left behind are removed first. Null when there is one CPU only.
 * Throws with a plain reason when the groups cannot be made (not root, no cpuset controller).
 */
export async function partitionHost(host: HostSize, target: HostSize, runId: string, loadPids: number[]): Promise<Cgroup | null> {
  if (process.platform !== 'linux') throw new Error('cgroups are Linux only');
  const left = await removeStale(staleGroups());
  if (left.length > 0) throw new Error(`a crashed run's cgroups could not be removed: ${left.join(', ')}`);
  const plan = planPartition(await usableCpus(host.cores), host, target);
  if (plan === null) return null;
  const p = await createPartition(plan, runId, loadPids);
  return { info: p.info, add: (pid) => p.addAgent(pid), procsFiles: p.agentProcsFiles, remove: () => p.remove() };
}
