import { readFile } from 'node:fs/promises';
import si from 'systeminformation';
import { parseProcStatCpuTotal, type ProcStatCpuTotal } from '../proc/parse.js';
import type { SystemSample } from './types.js';

/** Options of {@link SystemSampler}; the defaults suit a real machine. */
export interface SystemSamplerOptions {
  /** Path of the kernel's CPU counters. Default '/proc/stat'; when unreadable, si.currentLoad is used. */
  procStatPath?: string;
}

/**
 * Machine-wide CPU and memory. Memory is si.mem(): `active` (total − available on Linux) and `total`.
 *
 * CPU is busy time since the previous call, in cores (busy fraction × CPUs). Where /proc/stat is
 * readable it is parsed directly: si.currentLoad() runs `cat /proc/stat | grep cpu` through a
 * synchronous shell on Linux, measured here at ~6 ms of blocked event loop per call. Elsewhere
 * si.currentLoad() is used. The first /proc/stat call has no interval and reports 0.
 */
export class SystemSampler {
  private readonly procStatPath: string;
  private useProcStat = true;
  private previous: ProcStatCpuTotal | undefined;

  constructor(options: SystemSamplerOptions = {}) {
    this.procStatPath = options.procStatPath ?? '/proc/stat';
  }

  /** One reading of machine CPU (cores busy since the last call) and memory. */
  async sample(): Promise<SystemSample> {
    const [cpu, mem] = await Promise.all([this.cpu(), si.mem()]);
    return { ...cpu, memUsedBytes: mem.active, memTotalBytes: mem.total };
  }

  private async cpu(): Promise<Pick<SystemSample, 'cpuCores' | 'cpuTicks'>> {
    if (this.useProcStat) {
      const text = await readFile(this.procStatPath, 'utf8').catch(() => null);
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
