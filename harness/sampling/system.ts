import { performance } from 'node:perf_hooks';
import si from 'systeminformation';
import { readOrNull } from '../proc/read.js';
import { parseCpuUsageUs, readCgroupLimits, readCgroupMemoryBytes, type CgroupLimits } from './container-limits.js';
import type { HostInfo } from './host.js';
import { parseMeminfo, parseProcStatCpuTotal } from '../proc/parse.js';
import { coresBetween } from './cpu-ticks.js';
import type { CpuTicks, SystemSample } from './types.js';

/** Options of {@link SystemSampler}; the defaults suit a real machine. */
export interface SystemSamplerOptions {
  /** Path of the kernel's CPU counters. Default '/proc/stat'; when unreadable, si.currentLoad is used. */
  procStatPath?: string;
  /** Path of the kernel's memory counters. Default '/proc/meminfo'; when unreadable, si.mem is used. */
  meminfoPath?: string;
  /**
   * The CPU limit of the container the run is in, and its cgroup's usage counter: system CPU is
   * then that cgroup's, in cores, against the limit. /proc/stat inside a container counts the
   * whole machine (other tenants, the container runtime), which is not the host the run measures.
   * When the counter cannot be read, /proc/stat is used.
   */
  cgroupCpu?: { usageFile: string; cores: number };
  /** Likewise for memory: the container's cgroup (its working set, against its limit) instead of /proc/meminfo. */
  cgroupMemory?: { kind: CgroupLimits['kind']; dir: string; limitBytes: number };
  /** Monotonic ms for the cgroup's elapsed time. Default performance.now. */
  now?: () => number;
}

/**
 * The host's CPU and memory: machine-wide, or a container's own cgroup where the options say so
 * (see {@link systemSamplerFor}). Machine memory is total − available from /proc/meminfo (what si.mem() calls
 * `active` on Linux, at a tenth of its cost: si.mem() measured ~0.8 ms of CPU per call), else si.mem().
 *
 * CPU is busy time since the previous call, in cores (busy fraction × CPUs). Where /proc/stat is
 * readable it is parsed directly: si.currentLoad() runs `cat /proc/stat | grep cpu` through a
 * synchronous shell on Linux, measured here at ~6 ms of blocked event loop per call. Elsewhere
 * si.currentLoad() is used. The first /proc/stat call has no interval and reports 0.
 */
export class SystemSampler {
  private readonly procStatPath: string;
  private readonly meminfoPath: string;
  private useProcStat = true;
  /** The counters at the previous call, /proc/stat's or the cgroup's (never one against the other). */
  private previous: CpuTicks | undefined;
  private cgroup: SystemSamplerOptions['cgroupCpu'];
  private cgroupMemory: SystemSamplerOptions['cgroupMemory'];
  private readonly now: () => number;

  constructor(options: SystemSamplerOptions = {}) {
    this.procStatPath = options.procStatPath ?? '/proc/stat';
    this.meminfoPath = options.meminfoPath ?? '/proc/meminfo';
    this.cgroup = options.cgroupCpu;
    this.cgroupMemory = options.cgroupMemory;
    this.now = options.now ?? (() => performance.now());
  }

  /** One reading of the host's CPU (cores busy since the last call) and memory: the machine's, or the container's cgroup's. */
  async sample(): Promise<SystemSample> {
    const [cpu, mem] = await Promise.all([this.cpu(), this.memory()]);
    return { ...cpu, ...mem };
  }

  private async memory(): Promise<Pick<SystemSample, 'memUsedBytes' | 'memTotalBytes' | 'memSource'>> {
    if (this.cgroupMemory !== undefined) {
      const { kind, dir, limitBytes } = this.cgroupMemory;
      const usedBytes = readCgroupMemoryBytes(kind, dir);
      if (usedBytes !== null) return { memUsedBytes: usedBytes, memTotalBytes: limitBytes, memSource: 'cgroup' };
      this.cgroupMemory = undefined; // unreadable: /proc/meminfo from now on
    }
    // Synchronous: a small procfs file reads several times cheaper that way (see process-tree.ts).
    const text = readOrNull(this.meminfoPath);
    const parsed = text === null ? null : parseMeminfo(text);
    if (parsed !== null) return { memUsedBytes: parsed.usedBytes, memTotalBytes: parsed.totalBytes };
    const mem = await si.mem();
    return { memUsedBytes: mem.active, memTotalBytes: mem.total };
  }

  private async cpu(): Promise<Pick<SystemSample, 'cpuCores' | 'cpuTicks' | 'cpuSource'>> {
    const fromCgroup = this.cgroupCpu();
    if (fromCgroup !== null) return fromCgroup;
    if (this.useProcStat) {
      const text = readOrNull(this.procStatPath);
      const total = text === null ? null : parseProcStatCpuTotal(text);
      if (text !== null && total !== null) {
        const cpuTicks = { busy: total.totalTicks - total.idleTicks, total: total.totalTicks, cpus: countCpus(text) };
        return { cpuCores: this.coresSince(cpuTicks), cpuTicks };
      }
      this.useProcStat = false; // not Linux (or no procfs): stay on systeminformation from now on
    }
    const load = await si.currentLoad();
    return { cpuCores: (load.currentLoad * Math.max(1, load.cpus.length)) / 100 };
  }

  /**
   * The container's cgroup CPU: usage since the last call over elapsed time, in cores. Its ticks are
   * µs of usage (busy) against µs elapsed × the limit (total), so a span's mean is usage ÷ elapsed.
   */
  private cgroupCpu(): Pick<SystemSample, 'cpuCores' | 'cpuTicks' | 'cpuSource'> | null {
    if (this.cgroup === undefined) return null;
    const { usageFile, cores } = this.cgroup;
    const usageUs = parseCpuUsageUs(usageFile, readOrNull(usageFile));
    if (usageUs === null) {
      this.cgroup = undefined; // unreadable: /proc/stat from now on, its first call with no interval
      this.previous = undefined;
      return null;
    }
    const cpuTicks = { busy: usageUs, total: this.now() * 1000 * cores, cpus: cores };
    return { cpuCores: this.coresSince(cpuTicks), cpuSource: 'cgroup', cpuTicks };
  }

  private coresSince(now: CpuTicks): number {
    const prev = this.previous;
    this.previous = now;
    return prev === undefined ? 0 : (coresBetween(prev, now) ?? 0);
  }
}


/** Online CPUs: the per-CPU `cpuN` lines of /proc/stat. */
function countCpus(text: string): number {
  return Math.max(1, (text.match(/^cpu\d+\s/gm) ?? []).length);
}

/**
 * The system sampler for a run on `host`: inside a container whose limits are the host, system CPU
 * and memory are the container cgroup's usage; elsewhere (and for a resource it does not limit) the
 * machine's /proc/stat and /proc/meminfo.
 */
export function systemSamplerFor(host: Pick<HostInfo, 'limits'>, limits: () => CgroupLimits | null = readCgroupLimits): SystemSampler {
  const l = host.limits;
  const found = l && (l.cpuCores != null || l.memoryBytes != null) ? limits() : null;
  const cores = l?.cpuCores;
  const bytes = l?.memoryBytes;
  return new SystemSampler({
    ...(cores != null && found?.cpuUsageFile ? { cgroupCpu: { usageFile: found.cpuUsageFile, cores } } : {}),
    ...(bytes != null && found?.memoryDir ? { cgroupMemory: { kind: found.kind, dir: found.memoryDir, limitBytes: bytes } } : {}),
  });
}
