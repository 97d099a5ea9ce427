import os from 'node:os';
import { readCgroupLimits, type CgroupLimits } from './container-limits.js';

/** A host's size. */
export interface HostSize { cores: number; memoryBytes: number }

/** The cgroup limits that made the host smaller than the machine (a container's), and the machine's size. */
export interface HostLimits {
  kind: CgroupLimits['kind'];
  /** The CPU limit in cores, or null when only memory was limited. */
  cpuCores: number | null;
  memoryBytes: number | null;
  machine: HostSize;
}

/** The machine the run was measured on. */
export interface HostInfo extends HostSize {
  hostname: string;
  cpuModel: string;
  platform: string;
  kernel: string;
  node: string;
  /** Present when this process's cgroup (a container's) allows less than the machine has: cores and memoryBytes are then the limits. */
  limits?: HostLimits;
}

/**
 * The host a run measures: the machine's size, or the limits of the cgroup it runs in where they
 * are tighter — inside a container started with `--cpus 4 --memory 8g` that is 4 cores and 8 GiB.
 */
export function effectiveSize(machine: HostSize, limits: CgroupLimits | null): { size: HostSize; limits?: HostLimits } {
  const cpu = limits?.cpuCores != null && limits.cpuCores < machine.cores ? limits.cpuCores : null;
  const mem = limits?.memoryBytes != null && limits.memoryBytes < machine.memoryBytes ? limits.memoryBytes : null;
  if (limits === null || (cpu === null && mem === null)) return { size: machine };
  return {
    size: { cores: cpu ?? machine.cores, memoryBytes: mem ?? machine.memoryBytes },
    limits: { kind: limits.kind, cpuCores: cpu, memoryBytes: mem, machine },
  };
}

/** Describes the host the run is measured on (the container's limits when inside one). */
export function hostInfo(limits: CgroupLimits | null = readCgroupLimits()): HostInfo {
  const cpus = os.cpus();
  const machine = { cores: os.availableParallelism?.() ?? cpus.length, memoryBytes: os.totalmem() };
  const eff = effectiveSize(machine, limits);
  return {
    ...eff.size,
    hostname: os.hostname(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    platform: `${os.platform()}-${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    ...(eff.limits ? { limits: eff.limits } : {}),
  };
}
