import { epochNow } from '../../media/clock.js';
import { createProcessSampler } from '../../sampling/factory.js';
import type { ProcessGroup, TreeSampler } from '../../sampling/types.js';
import { descendantsOf, listProcesses, type ProcInfo } from '../../proc/tree.js';
import type { UsagePart, WorkerUsage } from './types.js';

type Part = Exclude<keyof WorkerUsage, 'at'>;

const FORKSERVER = 'multiprocessing.forkserver';

/**
 * What a process under a LiveKit worker is, from its command line and its parent's. Node
 * (@livekit/agents) names its job and inference mains on the command line. Python (livekit-agents)
 * on Linux forks both from a multiprocessing forkserver, so they keep the forkserver's command line:
 * a forkserver's child is a job process unless the worker's log named it its inference process
 * (`inferencePids`); with the `spawn` start method each is a `spawn_main` process. The forkserver
 * itself and the resource tracker are the worker's own ('other').
 */
export function workerProcKind(p: Pick<ProcInfo, 'pid' | 'cmd'>, parentCmd = '', inferencePids: ReadonlySet<number> = new Set()): 'job' | 'inference' | 'other' {
  if (p.cmd.includes('job_proc_lazy_main')) return 'job';
  if (p.cmd.includes('inference_proc_lazy_main') || inferencePids.has(p.pid)) return 'inference';
  if (p.cmd.includes(FORKSERVER) && parentCmd.includes(FORKSERVER)) return 'job';
  if (p.cmd.includes('multiprocessing.spawn') && p.cmd.includes('spawn_main')) return 'job';
  return 'other';
}
const PARTS: readonly Part[] = ['main', 'inference', 'busy', 'idle', 'other'];

/**
 * Splits a worker's descendants into its cost parts. A process belongs to the part of its nearest
 * ancestor (or itself) that is a job or inference process; job processes running one of our jobs
 * (`busy`) are told apart from warm idle ones by pid.
 */
export function classify(root: number, procs: ProcInfo[], busy: ReadonlySet<number>, inferencePids: ReadonlySet<number> = new Set()): Record<Part, number[]> {
  const out: Record<Part, number[]> = { main: [root], inference: [], busy: [], idle: [], other: [] };
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (const p of descendantsOf(root, procs)) {
    let part: Part = 'other';
    for (let q: ProcInfo | undefined = p; q && q.pid !== root; q = byPid.get(q.ppid)) {
      const kind = workerProcKind(q, byPid.get(q.ppid)?.cmd, inferencePids);
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
    private readonly roots: () => { worker: number; pid: number; inferencePids?: ReadonlySet<number> }[],
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
    for (const { worker, pid, inferencePids } of roots) {
      const parts = classify(pid, procs, busy, inferencePids);
      for (const part of PARTS) groups[`w${worker}:${part}`] = { pids: parts[part], descendants: false };
    }
    const sampled = await this.sampler.sampleAll(groups);
    const at = epochNow();
    for (const { worker } of roots) {
      const part = (p: Part): UsagePart => {
        const s = sampled[`w${worker}:${p}`];
        if (!s) return { processes: 0, cpuCores: 0, rssBytes: 0, pssBytes: null };
        const { processes, cpuCores, rssBytes, pssBytes, pssEstimated } = s;
        return { processes, cpuCores, rssBytes, pssBytes, ...(pssEstimated !== undefined ? { pssEstimated } : {}) };
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
