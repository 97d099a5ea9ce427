/**
 * The CPU and memory limits of the cgroup this process runs in — a container's (`docker run --cpus
 * 4 --memory 8g`, a Kubernetes pod's resources.limits) or any other — read from cgroup v2
 * (`cpu.max`, `memory.max`) or v1 (`cpu.cfs_quota_us` / `cpu.cfs_period_us`, `memory.limit_in_bytes`).
 * Inside a container those limits, not the machine's cores and RAM, are the host a run measures.
 * The tightest limit on the path from this cgroup up to the mount's root counts; a path that is not
 * visible (a container sees its own cgroup at the mount's root) falls back to the root.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The limits found; null where there is none (unlimited). */
export interface CgroupLimits {
  kind: 'cgroup-v1' | 'cgroup-v2';
  /** CPU quota over period, in cores (e.g. 1.5). */
  cpuCores: number | null;
  memoryBytes: number | null;
  /**
   * The cumulative CPU counter of the cgroup whose CPU limit binds (v2 `cpu.stat`, v1
   * `cpuacct.usage`): its usage is the host's CPU a run measures. Absent without a CPU limit.
   */
  cpuUsageFile?: string;
  /** The directory of the cgroup whose memory limit binds: its usage is the host's memory a run measures. Absent without a memory limit. */
  memoryDir?: string;
}

/** Reads a file's text, or null when it cannot. */
export type ReadText = (file: string) => string | null;

const readText: ReadText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

// v1 reports "no limit" as a huge page-rounded number (9223372036854771712); anything at or above
// 2^60 bytes is no limit.
const NO_LIMIT_BYTES = 2 ** 60;

/** cgroup v2 `cpu.max` ("max 100000" or "150000 100000") in cores; null: unlimited or unreadable. */
export function parseCpuMax(text: string | null): number | null {
  const [quota, period] = (text ?? '').trim().split(/\s+/);
  return quota === undefined || period === undefined ? null : coresOf(quota, period);
}

/** cgroup v1 quota and period (µs) in cores; null when the quota is -1 (unlimited) or unreadable. */
export function coresOf(quota: string | null, period: string | null): number | null {
  const q = Number((quota ?? '').trim());
  const p = Number((period ?? '').trim());
  if (!(q > 0) || !(p > 0)) return null;
  return Math.round((q / p) * 1000) / 1000;
}

/** A memory limit file ("max", a byte count, v1's huge "unlimited"): bytes, or null when unlimited. */
export function parseMemoryLimit(text: string | null): number | null {
  const v = Number((text ?? '').trim());
  return Number.isFinite(v) && v > 0 && v < NO_LIMIT_BYTES ? v : null;
}

/** This cgroup's directory and its ancestors up to `mount`, deepest first; the mount alone when the path is not visible. */
export function cgroupChain(mount: string, own: string | null, exists: (dir: string) => boolean = existsSync): string[] {
  const deepest = own !== null && own !== '/' && exists(path.join(mount, own)) ? path.join(mount, own) : mount;
  const chain = [deepest];
  for (let d = deepest; d !== mount && d.startsWith(mount); ) chain.push((d = path.dirname(d)));
  return chain;
}

/** Where this process sits for a v1 controller, or in the v2 hierarchy (controller ''), per /proc/self/cgroup. */
export function ownCgroupPath(procCgroup: string, controller: string): string | null {
  for (const line of procCgroup.split('\n')) {
    const [id, controllers, where] = line.split(':');
    if (where === undefined) continue;
    if (controller === '' ? id === '0' && controllers === '' : (controllers ?? '').split(',').includes(controller)) return where;
  }
  return null;
}

function limitsV2(root: string, procCgroup: string, read: ReadText, exists: (d: string) => boolean): CgroupLimits {
  let cpu: Binding = null;
  let memory: Binding = null;
  for (const dir of cgroupChain(root, ownCgroupPath(procCgroup, ''), exists)) {
    cpu = tightest(cpu, parseCpuMax(read(path.join(dir, 'cpu.max'))), dir);
    memory = tightest(memory, parseMemoryLimit(read(path.join(dir, 'memory.max'))), dir);
  }
  return bound('cgroup-v2', cpu, (dir) => path.join(dir, 'cpu.stat'), memory);
}

/** The tightest limit so far and the cgroup directory that sets it. */
type Binding = { limit: number; dir: string } | null;

function tightest(sofar: Binding, limit: number | null, dir: string): Binding {
  return limit !== null && (sofar === null || limit < sofar.limit) ? { limit, dir } : sofar;
}

/** The limits found, with where each binding one's usage is read. */
function bound(kind: CgroupLimits['kind'], cpu: Binding, cpuUsageFile: (dir: string) => string, memory: Binding): CgroupLimits {
  return {
    kind,
    cpuCores: cpu?.limit ?? null,
    memoryBytes: memory?.limit ?? null,
    ...(cpu ? { cpuUsageFile: cpuUsageFile(cpu.dir) } : {}),
    ...(memory ? { memoryDir: memory.dir } : {}),
  };
}

function limitsV1(root: string, procCgroup: string, read: ReadText, exists: (d: string) => boolean): CgroupLimits {
  let cpu: Binding = null;
  let memory: Binding = null;
  const joined = exists(path.join(root, 'cpu,cpuacct'));
  const cpuMount = joined ? path.join(root, 'cpu,cpuacct') : path.join(root, 'cpu');
  for (const dir of cgroupChain(cpuMount, ownCgroupPath(procCgroup, 'cpu'), exists)) {
    cpu = tightest(cpu, coresOf(read(path.join(dir, 'cpu.cfs_quota_us')), read(path.join(dir, 'cpu.cfs_period_us'))), dir);
  }
  for (const dir of cgroupChain(path.join(root, 'memory'), ownCgroupPath(procCgroup, 'memory'), exists)) {
    memory = tightest(memory, parseMemoryLimit(read(path.join(dir, 'memory.limit_in_bytes'))), dir);
  }
  // cpuacct sits beside cpu (its own mount, same layout) unless the two are mounted together.
  const usage = (dir: string) => path.join(joined ? dir : path.join(root, 'cpuacct', path.relative(cpuMount, dir)), 'cpuacct.usage');
  return bound('cgroup-v1', cpu, usage, memory);
}

/**
 * The limits of this process's cgroup: v2 where the unified hierarchy is mounted at `root`, else
 * v1. Null off Linux or where no cgroup is mounted. Paths and readers are parameters for tests.
 */
export function readCgroupLimits(
  root = '/sys/fs/cgroup',
  read: ReadText = readText,
  exists: (dir: string) => boolean = existsSync,
): CgroupLimits | null {
  const procCgroup = read('/proc/self/cgroup');
  if (procCgroup === null) return null;
  if (exists(path.join(root, 'cgroup.controllers'))) return limitsV2(root, procCgroup, read, exists);
  if (exists(path.join(root, 'memory')) || exists(path.join(root, 'cpu'))) return limitsV1(root, procCgroup, read, exists);
  return null;
}

/** A cgroup's cumulative CPU time in µs from its counter file (v2 `cpu.stat` usage_usec, v1 `cpuacct.usage` in ns); null when unreadable. */
export function parseCpuUsageUs(file: string, text: string | null): number | null {
  if (text === null) return null;
  const v = path.basename(file) === 'cpu.stat' ? Number(/^usage_usec\s+(\d+)/m.exec(text)?.[1] ?? NaN) : Number(text.trim()) / 1000;
  return Number.isFinite(v) && v >= 0 ? v : null;
}

/**
 * A cgroup's memory in use, as the kubelet counts a container's working set: usage (v2
 * `memory.current`, v1 `memory.usage_in_bytes`) less the inactive page cache the kernel reclaims
 * first (`inactive_file`, v1 `total_inactive_file` in `memory.stat`). Null when unreadable.
 */
export function readCgroupMemoryBytes(kind: CgroupLimits['kind'], dir: string, read: ReadText = readText): number | null {
  const usage = Number((read(path.join(dir, kind === 'cgroup-v2' ? 'memory.current' : 'memory.usage_in_bytes')) ?? '').trim() || NaN);
  if (!Number.isFinite(usage)) return null;
  const key = kind === 'cgroup-v2' ? 'inactive_file' : 'total_inactive_file';
  const inactive = Number(new RegExp(`^${key}\\s+(\\d+)`, 'm').exec(read(path.join(dir, 'memory.stat')) ?? '')?.[1] ?? 0);
  return Math.max(0, usage - inactive);
}
