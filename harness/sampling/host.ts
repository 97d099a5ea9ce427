import os from 'node:os';

/** A host's size. */
export interface HostSize { cores: number; memoryBytes: number }

/** The machine the run was measured on. */
export interface HostInfo extends HostSize {
  hostname: string;
  cpuModel: string;
  platform: string;
  kernel: string;
  node: string;
}

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
