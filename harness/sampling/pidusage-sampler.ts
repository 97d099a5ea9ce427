import { performance } from 'node:perf_hooks';
import pidusage from 'pidusage';
import type { ProcessGroup, RoleSample, TreeSampler } from './types.js';

/** The pidusage fields this sampler reads. */
export interface PidUsage {
  /** Resident memory, bytes. */
  memory: number;
  /** Cumulative user + system CPU time, ms. */
  ctime: number;
  /** Ms since the process started. */
  elapsed: number;
}

/** Options of {@link PidusageSampler}; the defaults are the real clock and pidusage. */
export interface PidusageSamplerOptions {
  /** Monotonic clock in ms. Default performance.now. */
  now?: () => number;
  /** Stats for a list of pids, keyed by pid; a dead pid may be null or fail the batch. Default pidusage. */
  usage?: (pids: number[]) => Promise<Record<string, PidUsage | null>>;
}

interface Previous {
  atMs: number;
  byPid: Map<number, PidUsage>;
}

/**
 * Fallback for platforms without procfs (macOS, Windows), built on pidusage. Only the given pids
 * are measured: descendants are not discovered (`descendants` is ignored), and PSS is null.
 *
 * CPU comes from deltas of cumulative CPU time (`ctime`) per group name, not from pidusage's own
 * `cpu` percentage, whose history is global per pid (so two callers would disturb each other) and
 * whose first reading is a lifetime average. Same rules as ProcfsSampler: 0 on a name's first
 * call; a pid new to the name counts all its CPU if it started within the interval, else none.
 */
export class PidusageSampler implements TreeSampler {
  private readonly now: () => number;
  private readonly usage: (pids: number[]) => Promise<Record<string, PidUsage | null>>;
  private readonly previous = new Map<string, Previous>();

  constructor(options: PidusageSamplerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.usage = options.usage ?? ((pids) => pidusage(pids));
  }

  /** CPU and RSS of the given pids (no descendants here); CPU since the last call with the same key. */
  async sample(key: string, rootPids: readonly number[]): Promise<RoleSample> {
    const out = await this.sampleAll({ [key]: { pids: rootPids, descendants: true } });
    return out[key] ?? { processes: 0, cpuCores: 0, rssBytes: 0, pssBytes: null };
  }

  /** One pidusage call for every pid of every group; a pid in two groups counts for the first. */
  async sampleAll(groups: Readonly<Record<string, ProcessGroup>>): Promise<Record<string, RoleSample>> {
    const atMs = this.now();
    const stats = await this.readAll([...new Set(Object.values(groups).flatMap((g) => g.pids))]);
    const claimed = new Set<number>();
    const out: Record<string, RoleSample> = {};
    for (const [name, group] of Object.entries(groups)) {
      const byPid = new Map<number, PidUsage>();
      for (const pid of group.pids) {
        const s = stats.get(pid);
        if (s === undefined || claimed.has(pid)) continue;
        claimed.add(pid);
        byPid.set(pid, s);
      }
      out[name] = {
        processes: byPid.size,
        cpuCores: cpuCores(this.previous.get(name), atMs, byPid),
        rssBytes: [...byPid.values()].reduce((sum, s) => sum + s.memory, 0),
        pssBytes: null,
      };
      this.previous.set(name, { atMs, byPid });
    }
    return out;
  }

  /** Stats of the live pids among those asked; dead pids are left out. */
  private async readAll(pids: number[]): Promise<Map<number, PidUsage>> {
    const out = new Map<number, PidUsage>();
    if (pids.length === 0) return out;
    let found: Record<string, PidUsage | null>;
    try {
      found = await this.usage(pids);
    } catch {
      // One dead pid fails the whole batch; ask one by one to keep the live ones.
      const each = await Promise.allSettled(pids.map((p) => this.usage([p])));
      found = Object.assign({}, ...each.map((r) => (r.status === 'fulfilled' ? r.value : {})));
    }
    // pidusage reports a pid that exited (on Linux) as null rather than failing.
    for (const [pid, s] of Object.entries(found)) if (s) out.set(Number(pid), s);
    return out;
  }
}

function cpuCores(prev: Previous | undefined, atMs: number, now: Map<number, PidUsage>): number {
  if (prev === undefined) return 0;
  const intervalMs = atMs - prev.atMs;
  if (intervalMs <= 0) return 0;
  let cpuMs = 0;
  for (const [pid, s] of now) {
    const before = prev.byPid.get(pid);
    // A smaller elapsed than last time means the pid was reused by a new process.
    if (before !== undefined && s.elapsed >= before.elapsed) cpuMs += Math.max(0, s.ctime - before.ctime);
    else if (s.elapsed <= intervalMs) cpuMs += s.ctime;
  }
  return cpuMs / intervalMs;
}
