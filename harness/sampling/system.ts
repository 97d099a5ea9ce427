import si from 'systeminformation';
import { readOrNull } from '../proc/read.js';
import { parseMeminfo, parseProcStatCpuTotal, type ProcStatCpuTotal } from '../proc/parse.js';
import type { SystemSample } from './types.js';

/** Options of {@link SystemSampler}; the defaults suit a real machine. */
export interface SystemSamplerOptions {
  /** Path of the kernel's CPU counters. Default '/proc/stat'; when unreadable, si.currentLoad is used. */
  procStatPath?: string;
  /** Path of the kernel's memory counters. Default '/proc/meminfo'; when unreadable, si.mem is used. */
  meminfoPath?: string;
}

/**
 * Machine-wide CPU and memory. Memory is total − available from /proc/meminfo (what si.mem() calls
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
  private previous: ProcStatCpuTotal | undefined;

  constructor(options: SystemSamplerOptions = {}) {
    this.procStatPath = options.procStatPath ?? '/proc/stat';
    this.meminfoPath = options.meminfoPath ?? '/proc/meminfo';
  }

  /** One reading of machine CPU (cores busy since the last call) and memory. */
  async sample(): Promise<SystemSample> {
    const [cpu, mem] = await Promise.all([this.cpu(), this.memory()]);
    return { ...cpu, memUsedBytes: mem.usedBytes, memTotalBytes: mem.totalBytes };
  }

  private async memory(): Promise<{ usedBytes: number; totalBytes: number }> {
    // Synchronous: a small procfs file reads several times cheaper that way (see process-tree.ts).
    const text = readOrNull(this.meminfoPath);
    const parsed = text === null ? null : parseMeminfo(text);
    if (parsed !== null) return parsed;
    const mem = await si.mem();
    return { usedBytes: mem.active, totalBytes: mem.total };
  }

  private async cpu(): Promise<Pick<SystemSample, 'cpuCores' | 'cpuTicks'>> {
    if (this.useProcStat) {
      const text = readOrNull(this.procStatPath);
      const total = text === null ? null : parseProcStatCpuTotal(text);
      if (text !== null && total !== null) {
        const cpus = countCpus(text);
        const cpuTicks = { busy: total.totalTicks - total.idleTicks, total: total.totalTicks, cpus };
        return { cpuCores: this.coresSince(total, cpus), cpuTicks };
      }
      this.useProcStat = false; // not Linux (or no procfs): stay on systeminformation from now on
    }
    const load = await si.currentLoad();
    return { cpuCores: (load.currentLoad * Math.max(1, load.cpus.length)) / 100 };
  }

  private coresSince(now: ProcStatCpuTotal, cpus: number): number {
    const prev = this.previous;
    this.previous = now;
    if (prev === undefined) return 0;
    const total = now.totalTicks - prev.totalTicks;
    const busy = total - (now.idleTicks - prev.idleTicks);
    return total > 0 ? (Math.max(0, busy) / total) * cpus : 0;
  }
}

/** Online CPUs: the per-CPU `cpuN` lines of /proc/stat. */
function countCpus(text: string): number {
  return Math.max(1, (text.match(/^cpu\d+\s/gm) ?? []).length);
}
