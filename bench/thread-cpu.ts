/**
 * Per-thread CPU of one process, grouped by thread name, from /proc/PID/task/TID/stat: which of a
 * generator's threads (its JavaScript, the Opus encoders, the playout of received audio, ...) the
 * CPU went to. For benchmarks: a snapshot now, the difference of two later.
 */
import { join } from 'node:path';
import { clockTicksPerSecond, parseStat } from '../harness/proc/parse.js';
import { pidNames, readOrNull } from '../harness/proc/read.js';
import { descendantsOf, listProcesses } from '../harness/proc/tree.js';

/** CPU ticks so far of each live thread, by thread id, with its name ('node main' for the main thread). */
export interface ThreadSnapshot { at: number; ticks: Map<number, { name: string; ticks: number }> }

export function threadSnapshot(pid: number, procRoot = '/proc'): ThreadSnapshot {
  const ticks = new Map<number, { name: string; ticks: number }>();
  const dir = join(procRoot, String(pid), 'task');
  let tids: string[] = [];
  try {
    tids = pidNames(dir);
  } catch {
    // the process is gone: an empty snapshot
  }
  for (const tid of tids) {
    const text = readOrNull(join(dir, tid, 'stat'));
    if (!text) continue;
    const s = parseStat(text);
    ticks.set(s.pid, { name: s.pid === pid ? 'node main' : s.comm.trim(), ticks: s.utimeTicks + s.stimeTicks });
  }
  return { at: performance.now(), ticks };
}

/** Cores per thread name between two snapshots of one process; threads that ended in between are not counted. */
export function coresByThread(a: ThreadSnapshot, b: ThreadSnapshot): Map<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const out = new Map<string, number>();
  if (seconds <= 0) return out;
  for (const [tid, t] of b.ticks) {
    const used = t.ticks - (a.ticks.get(tid)?.ticks ?? 0);
    out.set(t.name, (out.get(t.name) ?? 0) + used / clockTicksPerSecond() / seconds);
  }
  return out;
}

/** The pid of a live process below `root` whose command line contains every one of `parts`, or null. */
export function findBelow(root: number, ...parts: string[]): number | null {
  return descendantsOf(root, listProcesses()).find((p) => parts.every((s) => p.cmd.includes(s)))?.pid ?? null;
}
