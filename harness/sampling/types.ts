/** The roles whose process trees are sampled separately. */
export type Role = 'agents' | 'generator' | 'server' | 'harness';
export const ROLES: readonly Role[] = ['agents', 'generator', 'server', 'harness'];

/** CPU and memory of one role's process trees, summed, at one instant. */
export interface RoleSample {
  /** Processes counted (roots and all their descendants still alive). */
  processes: number;
  /** CPU used since the previous sample, in cores (1.0 = one core busy for the whole interval). */
  cpuCores: number;
  /** Resident set size, summed over the processes. */
  rssBytes: number;
  /** Proportional set size from /proc/PID/smaps_rollup, summed; null where the platform has none. */
  pssBytes: number | null;
  /**
   * Of `processes`, how many had their PSS estimated at this sample (their RSS now × PSS/RSS at
   * their last smaps_rollup read) rather than read. Absent where the sampler does not estimate.
   */
  pssEstimated?: number;
}

/** System-wide figures at one instant (/proc/stat and /proc/meminfo; systeminformation elsewhere). */
export interface SystemSample {
  /** Cores busy since the previous sample: the machine's, or the container's cgroup's where `cpuSource` says so. */
  cpuCores: number;
  /** 'cgroup': CPU is the usage of the container's cgroup (the run's host is its limits), not the machine's /proc/stat. */
  cpuSource?: 'cgroup';
  /** 'cgroup': memory is the container cgroup's working set, and memTotalBytes its limit. */
  memSource?: 'cgroup';
  memUsedBytes: number;
  memTotalBytes: number;
  /**
   * The kernel's cumulative CPU counters (/proc/stat, clock ticks) at this tick, and the CPUs they
   * cover: system CPU over any span is the difference of two of them, exactly as /proc/stat says.
   * From a cgroup: µs of usage (busy) against µs elapsed × its CPU limit (total, cpus = the limit).
   * Absent where neither is readable.
   */
  cpuTicks?: CpuTicks;
}

/** Cumulative CPU counters: busy and total time in one unit, and the CPUs they cover (see SystemSample.cpuTicks). */
export interface CpuTicks { busy: number; total: number; cpus: number }

/** One line of samples.jsonl: everything measured at one tick. */
export interface Sample {
  /** Wall-clock time of the tick, ms since the epoch. */
  t: number;
  /** Milliseconds since the run started (monotonic clock). */
  elapsedMs: number;
  /** Sessions whose agent and user had both joined at this tick. */
  activeSessions: number;
  roles: Record<Role, RoleSample>;
  system: SystemSample;
  /** What taking this sample cost: wall time of the sampling work and the harness CPU it used. */
  sampler: { wallMs: number; cpuMs: number };
}

/** Process ids that make up each role right now (roots; descendants are found by the sampler). */
export type RoleRoots = Record<Role, number[]>;

/** Measures one set of process trees. One implementation per platform, chosen by a factory. */
export interface ProcessSampler {
  /** CPU/RSS/PSS of the given roots and all their descendants, CPU since the last call for the same key. */
  sample(key: string, rootPids: readonly number[]): Promise<RoleSample>;
}

/** One group handed to {@link TreeSampler.sampleAll}: its root pids and whether to follow their descendants. */
export interface ProcessGroup {
  pids: readonly number[];
  /** True: roots plus every descendant. False: only the listed pids (e.g. the harness, whose children are other roles). */
  descendants: boolean;
}

/**
 * Samples several groups in one pass over the process table. The group name is also the key
 * CPU is measured against (CPU since the previous call that included that name). A pid claimed
 * by two groups counts for the first group (in object key order) only.
 */
export interface TreeSampler extends ProcessSampler {
  sampleAll(groups: Readonly<Record<string, ProcessGroup>>): Promise<Record<string, RoleSample>>;
}
