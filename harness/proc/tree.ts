/**
 * Process trees from /proc: every live process with its parent, group and command line, and the
 * walks over them (descendants of a pid, members of a process group, children with a marker).
 */
import { join } from 'node:path';
import { parseStat, parseStatPgid } from './parse.js';
import { pidNames, readOrNull } from './read.js';

/** One live process: its pid, parent, process group and command line. */
export interface ProcInfo { pid: number; ppid: number; pgid: number; cmd: string }

/** Groups processes by parent pid, each list in the order given. */
export function byParent<T extends { ppid: number }>(procs: Iterable<T>): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const p of procs) {
    const siblings = out.get(p.ppid);
    if (siblings) siblings.push(p);
    else out.set(p.ppid, [p]);
  }
  return out;
}

/** Every live process (not zombie) with its parent, process group and command line; empty where there is no /proc. */
export function listProcesses(procRoot = '/proc'): ProcInfo[] {
  let entries: string[];
  try {
    entries = pidNames(procRoot);
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const d of entries) {
    const stat = readOrNull(join(procRoot, d, 'stat'));
    if (!stat) continue;
    try {
      const s = parseStat(stat);
      if (s.state === 'Z') continue;
      out.push({ pid: s.pid, ppid: s.ppid, pgid: parseStatPgid(stat), cmd: (readOrNull(join(procRoot, d, 'cmdline')) ?? '').replace(/\0/g, ' ').trim() });
    } catch {
      continue;
    }
  }
  return out;
}

/** True while `pid` is a live process; a zombie (dead, not yet reaped by its parent) is not. */
export function processAlive(pid: number, procRoot = '/proc'): boolean {
  const stat = readOrNull(join(procRoot, String(pid), 'stat'));
  if (!stat) return false;
  try {
    return parseStat(stat).state !== 'Z';
  } catch {
    return false;
  }
}

/** The processes below `root` (children, grandchildren, ...), not root itself, breadth first. */
export function descendantsOf(root: number, procs: ProcInfo[]): ProcInfo[] {
  const children = byParent(procs);
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** Live processes still in process group `pgid` (e.g. a worker's group: itself, its inference and job processes). */
export function groupMembers(pgid: number, procs: ProcInfo[] = listProcesses()): ProcInfo[] {
  return procs.filter((p) => p.pgid === pgid);
}

/** Pids whose parent is `parent` and whose environment holds `marker` (`NAME=value`): a child we tagged. */
export function markedChildren(parent: number, marker: string, procRoot = '/proc'): number[] {
  return listProcesses(procRoot)
    .filter((p) => p.ppid === parent && (readOrNull(join(procRoot, String(p.pid), 'environ')) ?? '').split('\0').includes(marker))
    .map((p) => p.pid);
}
