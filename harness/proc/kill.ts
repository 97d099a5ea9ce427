/**
 * Killing a whole process tree at once (the second Ctrl-C). Every descendant is stopped first, so
 * none can fork or be reparented out of sight while the tree is walked, then killed; the walk is
 * repeated until nothing is left below the root.
 */
import { descendantsOf, listProcesses } from './tree.js';

function signalAll(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  }
}

/**
 * SIGSTOPs then SIGKILLs every process below `root` (not root itself), until none is left or
 * `timeoutMs` passes; resolves with the pids still alive (none, normally).
 */
export async function killTree(root: number, timeoutMs = 5000, procRoot = '/proc'): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const pids = descendantsOf(root, listProcesses(procRoot)).map((p) => p.pid);
    if (pids.length === 0 || performance.now() >= deadline) return pids;
    signalAll(pids, 'SIGSTOP');
    // Walk again while they are stopped: a child forked just before its parent stopped is found now.
    const all = [...new Set([...pids, ...descendantsOf(root, listProcesses(procRoot)).map((p) => p.pid)])];
    signalAll(all, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
}
