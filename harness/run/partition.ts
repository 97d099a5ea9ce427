/**
 * Partitions the host between the agents and the load side: the agents (bare agent processes, or a
 * worker's whole process tree) in a cgroup of their own on CPUs the load side never uses, and the
 * load side (the harness, the server, the generators, the sampler, a browser) in a second cgroup on
 * the other CPUs. Then the agents' figures are what their own cores measured, and a burst on one
 * side never lands on the other side's cores. Linux and root only; cgroup v1 or v2.
 */
import { readdirSync } from 'node:fs';
import { readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Confinement, HostSize } from '../results/types.js';
import { createGroup, ownV1Path, type CgroupGroup } from './confine.js';

/** Which CPUs each side gets, and the limits the agents' group carries. */
export interface PartitionPlan {
  agentCpus: number[];
  loadCpus: number[];
  /** A CPU quota for the agents when the target has fewer cores than their CPU set (null: the set alone bounds them). */
  quotaCores: number | null;
  /** Memory the agents could use: the target's (a limit) when this host has more, else this host's. */
  memoryBytes: number;
  /** Whether `memoryBytes` is set as a limit. */
  memoryLimit: boolean;
}

/** Parses a cpuset list ("0-3,6,8-9") into CPU numbers, ascending. */
export function parseCpuList(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) throw new Error(`not a cpuset list: ${text}`);
    const end = b === undefined ? a : b;
    if (!Number.isInteger(end) || end < a) throw new Error(`not a cpuset list: ${text}`);
    for (let c = a; c <= end; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** Writes CPU numbers as a cpuset list, ranges folded ("0-3,6"). */
export function cpuListText(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === (cpus[j] as number) + 1) j++;
    parts.push(i === j ? String(cpus[i]) : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Splits `cpus` (the CPUs this process may use): the load side keeps a quarter of them (at least
 * one), the agents take the highest of the rest, no more than the target's cores (rounded up), and
 * every CPU they do not take goes to the load side. Null with fewer than two CPUs: nothing to split.
 * On a 2-core host: one CPU for the agents, one for the rest.
 */
export function planPartition(cpus: readonly number[], host: HostSize, target: HostSize): PartitionPlan | null {
  if (cpus.length < 2) return null;
  const loadMin = Math.max(1, Math.round(cpus.length / 4));
  const agentsN = Math.max(1, Math.min(cpus.length - loadMin, Math.ceil(target.cores)));
  return {
    agentCpus: cpus.slice(cpus.length - agentsN),
    loadCpus: cpus.slice(0, cpus.length - agentsN),
    quotaCores: target.cores < agentsN ? target.cores : null,
    memoryBytes: Math.min(host.memoryBytes, target.memoryBytes),
    memoryLimit: host.memoryBytes > target.memoryBytes,
  };
}

/** The CPU the agents could use under `plan`, in cores. */
export function agentCoresOf(plan: PartitionPlan): number {
  return plan.quotaCores ?? plan.agentCpus.length;
}

/** A live partition: both groups, what goes into each, and their removal. */
export interface Partition {
  readonly info: Confinement;
  /** An agent process (or a worker, whose job processes follow it). */
  addAgent(pid: number): Promise<void>;
  /** The agents' group's cgroup.procs files, for processes that join it themselves before they start anything. */
  readonly agentProcsFiles: readonly string[];
  /** A load-side process (the harness itself, the server); processes it starts later follow it. */
  addLoad(pid: number): Promise<void>;
  /** CPU each side has used since its group was made, ns; null where unreadable. */
  cpuUsageNs(): Promise<{ agents: number | null; load: number | null }>;
  /** Takes the harness out of the load group and removes both groups. Never throws. */
  remove(): Promise<void>;
}

/** The name prefix of a run's groups: the harness pid lets a later run or the namespace wrapper find a crashed run's. */
export function groupPrefix(pid = process.pid): string {
  return `voiceload-${pid}-`;
}

/** The CPUs this process may use: its cpuset (v1 or v2), else 0 … cores−1. */
export async function usableCpus(cores: number, root = '/sys/fs/cgroup'): Promise<number[]> {
  const own = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  const v1 = ownV1Path(own, 'cpuset');
  const v2 = own.split('\n').find((l) => l.startsWith('0::'))?.slice(3);
  const files = [v1 !== null ? path.join(root, 'cpuset', v1, 'cpuset.cpus') : '', v2 !== undefined ? path.join(root, v2, 'cpuset.cpus.effective') : ''];
  for (const f of files.filter(Boolean)) {
    const text = await readFile(f, 'utf8').catch(() => '');
    if (text.trim() !== '') return parseCpuList(text);
  }
  return Array.from({ length: cores }, (_, i) => i);
}

/**
 * Makes both groups of `plan` and moves the harness (and `loadPids`, e.g. a server already
 * started) onto the load side. Throws with a plain reason when it cannot; nothing is left then.
 */
export async function createPartition(plan: PartitionPlan, runId: string, loadPids: number[], root = '/sys/fs/cgroup'): Promise<Partition> {
  const name = `${groupPrefix()}${runId}`;
  const agents = await createGroup({
    cpus: cpuListText(plan.agentCpus),
    ...(plan.quotaCores !== null ? { quotaCores: plan.quotaCores } : {}),
    ...(plan.memoryLimit ? { memoryBytes: plan.memoryBytes } : {}),
  }, `${name}-agents`, root);
  let load: CgroupGroup;
  try {
    load = await createGroup({ cpus: cpuListText(plan.loadCpus) }, `${name}-load`, root);
  } catch (err) {
    await agents.remove();
    throw err;
  }
  const remove = async () => {
    await load.leave(process.pid).catch(() => undefined);
    await load.remove();
    await agents.remove();
  };
  try {
    for (const pid of [process.pid, ...loadPids]) await load.add(pid);
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    info: {
      kind: agents.kind, path: agents.dirs.cpuset ?? '', cpuCores: agentCoresOf(plan), memoryBytes: plan.memoryBytes,
      partition: { agentCpus: cpuListText(plan.agentCpus), loadCpus: cpuListText(plan.loadCpus), loadCores: plan.loadCpus.length, loadPath: load.dirs.cpuset ?? '' },
    },
    addAgent: (pid) => agents.add(pid),
    agentProcsFiles: agents.procsFiles,
    addLoad: (pid) => load.add(pid),
    cpuUsageNs: async () => ({ agents: await agents.cpuUsageNs(), load: await load.cpuUsageNs() }),
    remove,
  };
}

/** Whether a process is alive (signal 0 reaches it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Groups a crashed run left behind: named {@link groupPrefix} with a harness pid that is no longer
 * alive, under any controller of `root` (searched a few levels deep). Their paths, deepest first.
 */
export function staleGroups(root = '/sys/fs/cgroup', isAlive: (pid: number) => boolean = alive): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) {
      const m = /^voiceload-(\d+)-/.exec(e);
      if (m) {
        if (!isAlive(Number(m[1]))) found.push(path.join(dir, e));
      } else if (depth > 0) walk(path.join(dir, e), depth - 1);
    }
  };
  walk(root, 4);
  return found;
}

/**
 * Removes groups a crashed run left (see {@link staleGroups}): what still runs in them was that
 * run's (its agents, generators or server) and is killed first. Returns the paths it could not remove.
 */
export async function removeStale(groups: readonly string[], waitMs = 3000): Promise<string[]> {
  const left: string[] = [];
  for (const dir of groups) {
    const pids = (await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    let removed = false;
    for (const until = Date.now() + waitMs; !removed && Date.now() <= until; ) {
      removed = await rmdir(dir).then(() => true, () => false);
      if (!removed) await new Promise((r) => setTimeout(r, 100));
    }
    if (!removed) left.push(dir);
  }
  return left;
}
