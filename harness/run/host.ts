import os from 'node:os';
import type { HostInfo } from '../results/types.js';

/** Describes the machine the run is measured on. */
export function hostInfo(): HostInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryBytes: os.totalmem(),
    hostname: os.hostname(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    platform: `${os.platform()}-${os.arch()}`,
    kernel: os.release(),
    node: process.version,
  };
}
