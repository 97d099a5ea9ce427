import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clockTicksPerSecond, pageSize, parseSmapsRollupPss, parseStat, parseStatmRss, parseStatusRss } from '../proc/parse.js';
import { HeldFiles } from '../proc/held-files.js';
import { pidNames, readOrGone } from '../proc/read.js';
import { byParent } from '../proc/tree.js';
import { PSS_POLICY, PssBook } from './pss-book.js';
import type { ProcessGroup, RoleSample, TreeSampler } from './types.js';

/** Options of {@link ProcfsSampler}; all have working defaults and exist for tests. */
export interface ProcfsSamplerOptions {
  /** Where procfs is mounted. Default '/proc'; tests point it at a fake tree in a temp dir. */
  procRoot?: string;
  /** Monotonic clock in ms. Default performance.now. */
  now?: () => number;
  /** Clock ticks per second of /proc times. Default from {@link clockTicksPerSecond}. */
  ticksPerSecond?: number;
  /**
   * How often a process's PSS is read again at the latest, ms (default {@link PSS_POLICY}: 60000; 0: every sample).
   * smaps_rollup is the costly read (the kernel walks the page tables: ~0.5 ms per node process);
   * between reads PSS is estimated from RSS (see {@link PssBook}), and a process not seen before is
   * read at once.
   */
  pssEveryMs?: number;
  /** A process's PSS is also read again once its RSS moved by more than this fraction since its last read (default {@link PSS_POLICY}: 0.1). */
  pssRssChange?: number;
  /** ...or once the number of processes sampled in the call moved by more than this fraction (default {@link PSS_POLICY}: 0.1). */
  pssPopulationChange?: number;
  /**
   * How often every process's stat is read again, ms (default 10000; 0: every sample). Between
   * those full listings a process that was in no group and is no root keeps its last entry: only
   * its parent matters, to find the groups' descendants, and a new process (a new pid) is always read.
   */
  fullListingEveryMs?: number;
}

/** One process as seen in one listing of /proc. */
interface ProcEntry {
  pid: number;
  ppid: number;
  state: string;
  /** utime + stime. */
  ticks: number;
  startTimeTicks: number;
}

/** One listing of /proc: every process whose stat could be read. */
interface ProcTable {
  /** Monotonic ms when the listing began. */
  atMs: number;
  byPid: Map<number, ProcEntry>;
  children: Map<number, ProcEntry[]>;
}

interface Memory {
  rss: number;
  pss: number | null;
  /** PSS estimated from an older smaps_rollup read rather than read at this sample. */
  estimated: boolean;
}

/**
 * Lets the event loop run between synchronous reads once a slice has lasted SLICE_MS. Synchronous
 * reads of /proc cost ~6x less CPU than fs.promises.readFile (measured: 111 stat files in 1.9 ms
 * sync vs 16 ms async), and slicing keeps any single block of the harness's event loop short.
 */
class Slicer {
  private static readonly SLICE_MS = 2;
  private start = performance.now();

  async pause(): Promise<void> {
    if (performance.now() - this.start < Slicer.SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }
}

/**
 * Measures process trees from procfs (Linux).
 *
 * CPU: each group's CPU is the sum over its current members of the ticks they used since the
 * previous sample of the same group name, divided by ticks/s and by the elapsed seconds. The
 * previous *whole* /proc listing is kept per name, so a member's delta is exact whenever the
 * process (same pid and start time) was alive at that listing, even if it only joined the group
 * since. A process absent from the previous listing was born since, so all its ticks count.
 * What is not counted: ticks of a process that exited between two samples after the first of them
 * (the kernel folds them into the parent's cutime, which would double-count if added). The first
 * sample of a name has no interval and reports 0 cores.
 *
 * Memory: RSS from statm (every sample), PSS from smaps_rollup when {@link PssBook} says it is due
 * (every pssEveryMs, sooner when RSS or the number of processes sampled moved) and estimated as
 * RSS × the last PSS/RSS between; `pssEstimated` counts a group's members whose PSS was estimated.
 * A group's PSS is null when any live member's smaps_rollup cannot be read (another user's
 * process, or a kernel without it).
 *
 * Cost: a stat and a statm read per member per sample (each one pread on a descriptor kept open), plus smaps_rollup (the kernel walking page tables,
 * the costly read) when due; see bench/sampler-cost.ts for the figures.
 */
export class ProcfsSampler implements TreeSampler {
  private readonly procRoot: string;
  private readonly now: () => number;
  private readonly hz: number;
  /** The listing each group name was last sampled against. */
  private readonly previous = new Map<string, ProcTable>();
  /** Each process's last PSS reading, by pid:start time. */
  private readonly pss: PssBook;
  private readonly fullListingEveryMs: number;
  private readonly pageBytes = pageSize();
  /** stat and statm of the processes read at each sample, kept open between samples. */
  private readonly files = new HeldFiles();
  private lastTable: ProcTable | null = null;
  private lastFullMs = 0;
  /** Pids that were in a group at the last sample. */
  private lastMembers = new Set<number>();

  constructor(options: ProcfsSamplerOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.now = options.now ?? (() => performance.now());
    this.hz = options.ticksPerSecond ?? clockTicksPerSecond();
    this.pss = new PssBook({
      everyMs: options.pssEveryMs ?? PSS_POLICY.everyMs,
      rssChange: options.pssRssChange ?? PSS_POLICY.rssChange,
      populationChange: options.pssPopulationChange ?? PSS_POLICY.populationChange,
    });
    this.fullListingEveryMs = options.fullListingEveryMs ?? 10_000;
  }

  /** CPU/RSS/PSS of the roots and all their descendants; CPU since the last call with the same key. */
  async sample(key: string, rootPids: readonly number[]): Promise<RoleSample> {
    const out = await this.sampleAll({ [key]: { pids: rootPids, descendants: true } });
    return out[key] ?? emptySample();
  }

  /**
   * Reads /proc once and returns each group's figures. A pid claimed by two groups counts for the
   * first group only; descendants of such a pid are still followed by the later group.
   */
  async sampleAll(groups: Readonly<Record<string, ProcessGroup>>): Promise<Record<string, RoleSample>> {
    const slicer = new Slicer();
    const roots = new Set(Object.values(groups).flatMap((g) => [...g.pids]));
    const table = await this.readTable(slicer, roots);
    const out: Record<string, RoleSample> = {};
    const assigned = assignMembers(table, groups);
    this.lastMembers = new Set([...assigned.values()].flatMap((list) => list.map((e) => e.pid)));
    const at = { ms: table.atMs, population: this.lastMembers.size };
    for (const [name, list] of assigned) {
      const memory: Memory[] = [];
      for (const e of list) {
        memory.push(this.readMemory(e, at));
        await slicer.pause();
      }
      out[name] = {
        processes: list.length,
        cpuCores: this.cpuCores(this.previous.get(name), table, list),
        rssBytes: memory.reduce((sum, m) => sum + m.rss, 0),
        pssBytes: memory.some((m) => m.pss === null) ? null : memory.reduce((sum, m) => sum + (m.pss ?? 0), 0),
        pssEstimated: memory.filter((m) => m.estimated).length,
      };
      this.previous.set(name, table);
    }
    this.forgetGone(table);
    this.files.sweep();
    return out;
  }

  /**
   * Lists /proc and reads each process's stat (see fullListingEveryMs for the ones it may skip);
   * processes that vanish mid-read are left out.
   */
  private async readTable(slicer: Slicer, roots: ReadonlySet<number>): Promise<ProcTable> {
    const atMs = this.now();
    const last = this.lastTable;
    const full = last === null || atMs - this.lastFullMs >= this.fullListingEveryMs;
    if (full) this.lastFullMs = atMs;
    const entries: ProcEntry[] = [];
    for (const name of pidNames(this.procRoot)) {
      const pid = Number(name);
      const known = full ? undefined : last.byPid.get(pid);
      if (known !== undefined && !this.lastMembers.has(pid) && !roots.has(pid)) {
        entries.push(known);
        continue;
      }
      const e = this.readStat(name);
      await slicer.pause();
      if (e !== null) entries.push(e);
    }
    const table = { atMs, byPid: new Map(entries.map((e) => [e.pid, e])), children: byParent(entries) };
    this.lastTable = table;
    return table;
  }

  private readStat(name: string): ProcEntry | null {
    const text = this.files.read(join(this.procRoot, name, 'stat'));
    if (text === null) return null;
    let s;
    try {
      s = parseStat(text);
    } catch {
      return null; // a torn read of a dying process; one tick without it is harmless
    }
    // The directory name is authoritative: a fake or namespaced stat could disagree.
    const pid = Number(name);
    return { pid, ppid: s.ppid, state: s.state, ticks: s.utimeTicks + s.stimeTicks, startTimeTicks: s.startTimeTicks };
  }

  /**
   * RSS and PSS of one process: RSS from statm every time, PSS from smaps_rollup when due, else
   * estimated. RSS is not taken from stat's rss field: there the kernel gives its per-CPU counters
   * unsummed (measured on 6.18: 2582 pages in stat, 2655 in statm and status for the same process).
   */
  private readMemory(e: ProcEntry, at: { ms: number; population: number }): Memory {
    if (e.state === 'Z') return { rss: 0, pss: 0, estimated: false }; // a zombie holds no memory
    const dir = join(this.procRoot, String(e.pid));
    const rss = this.readRss(dir);
    if (rss === null) return { rss: 0, pss: 0, estimated: false }; // exited after its stat was read
    const key = `${e.pid}:${e.startTimeTicks}`;
    if (!this.pss.due(key, { rss, population: at.population }, at.ms)) return { rss, pss: this.pss.estimate(key, rss), estimated: true };
    let smaps: string | null | undefined;
    try {
      smaps = readOrGone(join(dir, 'smaps_rollup'));
    } catch {
      smaps = undefined; // e.g. EACCES on another user's process: PSS unknown
    }
    // Missing: gone since statm was read, or still there on a kernel without smaps_rollup (< 4.14).
    if (smaps === null && this.readRss(dir) === null) return { rss: 0, pss: 0, estimated: false };
    const pss = typeof smaps === 'string' ? (parseSmapsRollupPss(smaps) ?? 0) : null;
    this.pss.record(key, e.pid, { pss, rss, population: at.population }, at.ms);
    return { rss, pss, estimated: false };
  }

  /** RSS in bytes from statm (a line of numbers, several times cheaper than status); null when the process is gone. */
  private readRss(dir: string): number | null {
    const statm = this.files.read(join(dir, 'statm'));
    if (statm !== null) return parseStatmRss(statm, this.pageBytes) ?? 0;
    const status = readOrGone(join(dir, 'status'));
    return status === null ? null : (parseStatusRss(status) ?? 0);
  }

  /** Drops the PSS readings of processes no longer in the table. */
  private forgetGone(table: ProcTable): void {
    this.pss.forget((key) => {
      const [pid, start] = key.split(':').map(Number);
      return table.byPid.get(pid as number)?.startTimeTicks === start;
    });
  }

  private cpuCores(prev: ProcTable | undefined, table: ProcTable, list: readonly ProcEntry[]): number {
    if (prev === undefined) return 0;
    const seconds = (table.atMs - prev.atMs) / 1000;
    if (seconds <= 0) return 0;
    let ticks = 0;
    for (const e of list) {
      const before = prev.byPid.get(e.pid);
      if (before !== undefined && before.startTimeTicks === e.startTimeTicks) ticks += Math.max(0, e.ticks - before.ticks);
      else ticks += e.ticks; // born since the previous listing (or its pid was reused since)
    }
    return ticks / this.hz / seconds;
  }
}

/** Walks each group's roots (and descendants when asked) in order; the first group to reach a pid owns it. */
function assignMembers(table: ProcTable, groups: Readonly<Record<string, ProcessGroup>>): Map<string, ProcEntry[]> {
  const claimed = new Set<number>();
  const out = new Map<string, ProcEntry[]>();
  for (const [name, group] of Object.entries(groups)) {
    const list: ProcEntry[] = [];
    const visited = new Set<number>();
    const stack = [...group.pids];
    for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
      if (visited.has(pid)) continue;
      visited.add(pid);
      const entry = table.byPid.get(pid);
      if (entry === undefined) continue; // a root that has exited
      if (!claimed.has(pid)) {
        claimed.add(pid);
        list.push(entry);
      }
      if (group.descendants) stack.push(...(table.children.get(pid) ?? []).map((c) => c.pid));
    }
    out.set(name, list);
  }
  return out;
}

/** A group with no live process. */
export function emptySample(): RoleSample {
  return { processes: 0, cpuCores: 0, rssBytes: 0, pssBytes: 0 };
}
