import { readdirSync, readFileSync } from 'node:fs';
import { parseStat } from '../../sampling/procfs.js';

/** One live process under a worker: its pid, parent and command line. */
export interface ProcInfo { pid: number; ppid: number; pgid: number; cmd: string }

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Every live process (not zombie) with its parent, process group and command line; empty where there is no /proc. */
export function listProcesses(procRoot = '/proc'): ProcInfo[] {
  let entries: string[];
  try {
    entries = readdirSync(procRoot).filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const d of entries) {
    const stat = read(`${procRoot}/${d}/stat`);
    if (!stat) continue;
    try {
      const s = parseStat(stat);
      if (s.state === 'Z') continue;
      // Field 5 of stat is the process group; parseStat leaves it out, so read it here.
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/)[2]);
      out.push({ pid: s.pid, ppid: s.ppid, pgid, cmd: (read(`${procRoot}/${d}/cmdline`) ?? '').replace(/\0/g, ' ').trim() });
    } catch {
      continue;
    }
  }
  return out;
}

/** The processes below `root` (children, grandchildren, ...), not root itself. */
export function descendantsOf(root: number, procs: ProcInfo[]): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of byParent.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/** What a process under a @livekit/agents worker is, from its command line. */
export function workerProcKind(cmd: string): 'job' | 'inference' | 'other' {
  if (cmd.includes('job_proc_lazy_main')) return 'job';
  if (cmd.includes('inference_proc_lazy_main')) return 'inference';
  return 'other';
}

/** Live processes still in process group `pgid` (a worker's group: itself, its inference and job processes). */
export function groupMembers(pgid: number, procs: ProcInfo[] = listProcesses()): ProcInfo[] {
  return procs.filter((p) => p.pgid === pgid);
}
