import { epochNow } from '../../media/clock.js';
import { createProcessSampler } from '../../sampling/factory.js';
import type { ProcessGroup, TreeSampler } from '../../sampling/types.js';
import { descendantsOf, listProcesses, type ProcInfo } from '../../proc/tree.js';
import type { UsagePart, WorkerUsage } from './types.js';

type Part = Exclude<keyof WorkerUsage, 'at'>;

/** What a process under a @livekit/agents worker is, from its command line. */
export function workerProcKind(cmd: string): 'job' | 'inference' | 'other' {
  if (cmd.includes('job_proc_lazy_main')) return 'job';
  if (cmd.includes('inference_proc_lazy_main')) return 'inference';
  return 'other';
}
const PARTS: readonly Part[] = ['main', 'inference', 'busy', 'idle', 'other'];

/**
 * Splits a worker's descendants into its cost parts. A process belongs to the part of its nearest
 * ancestor (or itself) that is a job or inference process; job processes running one of our jobs
 * (`busy`) are told apart from warm idle ones by pid.
 */
export function classify(root: number, procs: ProcInfo[], busy: ReadonlySet<number>): Record<Part, number[]> {
  const out: Record<Part, number[]> = { main: [root], inference: [], busy: [], idle: [], other: [] };
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (const p of descendantsOf(root, procs)) {
    let part: Part = 'other';
    for (let q: ProcInfo | undefined = p; q && q.pid !== root; q = byPid.get(q.ppid)) {
      const kind = workerProcKind(q.cmd);
      if (kind === 'inference') part = 'inference';
      else if (kind === 'job') part = busy.has(q.pid) ? 'busy' : 'idle';
      if (part !== 'other') break;
    }
    out[part].push(p.pid);
  }
  return out;
}

/**
 * Samples each worker's process tree once a second, split into its parts, so a report can give a
 * worker's fixed cost (its own and its inference process, warm idle processes) apart from what each
 * running job costs. Runs beside the run's main sampler, which sees the same trees as one role.
 */
export class WorkerSampler {
  private readonly sampler: TreeSampler = createProcessSampler();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly roots: () => { worker: number; pid: number }[],
    private readonly busy: () => ReadonlySet<number>,
    private readonly record: (worker: number, u: WorkerUsage) => void,
    private readonly warn: (message: string) => void,
  ) {}

  start(everyMs = 1000): void {
    let warned = false;
    this.timer = setInterval(() => {
      this.inFlight = this.tick().catch((err: Error) => {
        if (!warned) this.warn(`worker sampler: ${err.message}`);
        warned = true;
      });
    }, everyMs);
  }

  private async tick(): Promise<void> {
    const procs = listProcesses();
    const busy = this.busy();
    const groups: Record<string, ProcessGroup> = {};
    const roots = this.roots();
    for (const { worker, pid } of roots) {
      const parts = classify(pid, procs, busy);
      for (const part of PARTS) groups[`w${worker}:${part}`] = { pids: parts[part], descendants: false };
    }
    const sampled = await this.sampler.sampleAll(groups);
    const at = epochNow();
    for (const { worker } of roots) {
      const part = (p: Part): UsagePart => {
        const s = sampled[`w${worker}:${p}`];
        return s ? { processes: s.processes, cpuCores: s.cpuCores, rssBytes: s.rssBytes, pssBytes: s.pssBytes } : { processes: 0, cpuCores: 0, rssBytes: 0, pssBytes: null };
      };
      this.record(worker, { at, main: part('main'), inference: part('inference'), busy: part('busy'), idle: part('idle'), other: part('other') });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }
}
