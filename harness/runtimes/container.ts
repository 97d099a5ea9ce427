/**
 * The `container` runtime: each worker is the user's worker image (`--worker-container IMAGE`),
 * started with podman beside the harness as a pod's containers sit side by side — in the run's own
 * network namespace (the server is on its veth pair and loopback, nothing else is reachable) — and
 * with the target's CPU and memory as its container limits, as Kubernetes would give it. Its
 * processes are the agents role; at the end, its cgroup's own CPU and memory counters (what the
 * kubelet and the autoscaler read) are added to the basis beside the sampled figures.
 *
 * The container shares the host's pid namespace so that the job pids the worker reports are the
 * harness's pids (per-job figures, busy/idle job processes); its cgroup and network are its own.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../common/errors.js';
import { sleep } from '../common/wait.js';
import { ownCgroupPath } from '../sampling/container-limits.js';
import type { RuntimeContext } from './types.js';
import { WorkerProcess, type WorkerLaunch } from './workers/worker-proc.js';
import { WORKER_ENV } from './workers/messages.js';

const PID_TIMEOUT_MS = 30_000;

/** The podman command that starts worker `spec.index` from `image`; values stay out of argv (`-e NAME` passes podman's own). */
export function podmanRunArgv(o: { image: string; name: string; netns: string; hostNetns: string; cores: number; memoryBytes: number; socketDir: string; env: string[] }): string[] {
  // podman is run from the machine's network namespace: runc refuses a container's sysctls when its
  // own namespace is the one the container joins (it takes it for the host's), as the harness's is.
  return [
    'nsenter', `--net=${o.hostNetns}`, '--', 'podman', 'run', '--rm', '--name', o.name, '--network', `ns:/var/run/netns/${o.netns}`, '--pid', 'host',
    '--cpus', String(o.cores), '--memory', `${Math.floor(o.memoryBytes)}b`, '--memory-swap', `${Math.floor(o.memoryBytes)}b`,
    '-v', `${o.socketDir}:${o.socketDir}`, ...o.env.flatMap((n) => ['-e', n]), o.image,
  ];
}

function podman(args: string[]): Promise<string> {
  return new Promise((resolve) => execFile('podman', args, { timeout: 10_000 }, (err, out) => resolve(err ? '' : out.trim())));
}

/** What the container's cgroup counted while it ran: CPU time and the memory high-water mark, as the kubelet reads them. */
export interface CgroupUsage { firstAt: number; lastAt: number; cpuNsFirst: number; cpuNsLast: number; memoryPeakBytes: number }

/** CPU time used (ns) and memory in use (bytes) of a container's cgroup now, v1 or v2; null where unreadable. */
export function readCgroupCounters(dirs: { cpu: string | null; memory: string | null; v2: string | null }, read = (f: string) => readFileSync(f, 'utf8')): { cpuNs: number; memoryBytes: number } | null {
  try {
    if (dirs.v2 !== null) {
      const usec = /^usage_usec (\d+)$/m.exec(read(path.join(dirs.v2, 'cpu.stat')))?.[1];
      return { cpuNs: Number(usec) * 1000, memoryBytes: Number(read(path.join(dirs.v2, 'memory.current'))) };
    }
    if (dirs.cpu === null || dirs.memory === null) return null;
    return { cpuNs: Number(read(path.join(dirs.cpu, 'cpuacct.usage'))), memoryBytes: Number(read(path.join(dirs.memory, 'memory.usage_in_bytes'))) };
  } catch {
    return null;
  }
}

/** A worker in its own container: the process is `podman run` (attached, so signals reach the worker); pid is the container's first process. */
export class ContainerWorker extends WorkerProcess {
  private containerPid: number | undefined;
  /** Its cgroup's counters, read every second while it runs. */
  usage: CgroupUsage | null = null;
  private watch: NodeJS.Timeout | null = null;

  constructor(spec: WorkerLaunch, readonly containerName: string) {
    super(spec);
  }

  /** Waits until the container runs and learns its first process's pid (on the host). */
  async resolvePid(): Promise<void> {
    const deadline = performance.now() + PID_TIMEOUT_MS;
    while (performance.now() < deadline && super.alive) {
      const pid = Number(await podman(['inspect', '--format', '{{.State.Pid}}', this.containerName]));
      if (pid > 0) {
        this.containerPid = pid;
        this.watchCgroup();
        return;
      }
      await sleep(250);
    }
  }

  private watchCgroup(): void {
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    const dirs = v2 ? { cpu: null, memory: null, v2: this.cgroupDir('') } : { cpu: this.cgroupDir('cpuacct'), memory: this.cgroupDir('memory'), v2: null };
    const tick = () => {
      const c = readCgroupCounters(dirs);
      if (c === null) return;
      const at = performance.now();
      this.usage = this.usage === null
        ? { firstAt: at, lastAt: at, cpuNsFirst: c.cpuNs, cpuNsLast: c.cpuNs, memoryPeakBytes: c.memoryBytes }
        : { ...this.usage, lastAt: at, cpuNsLast: c.cpuNs, memoryPeakBytes: Math.max(this.usage.memoryPeakBytes, c.memoryBytes) };
    };
    tick();
    this.watch = setInterval(tick, 1000);
    this.watch.unref();
    void this.exited.then(() => this.watch && clearInterval(this.watch));
  }

  override get pid(): number | undefined {
    return this.containerPid;
  }

  override get alive(): boolean {
    return super.alive && this.containerPid !== undefined;
  }

  /** Kills the container outright (a crashed host or node): podman kill, as the group is not ours. */
  override killGroup(): void {
    spawnSync('podman', ['kill', '--signal', 'KILL', this.containerName], { stdio: 'ignore', timeout: 10_000 });
  }

  /** Every process left in the container (none once `podman run --rm` has returned). */
  override members(): number[] {
    const dir = this.cgroupDir('memory');
    if (dir === null) return [];
    try {
      return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** The container's cgroup directory for a v1 controller ('' for v2), from its first process. */
  cgroupDir(controller: string): string | null {
    if (this.containerPid === undefined) return null;
    try {
      const own = ownCgroupPath(readFileSync(`/proc/${this.containerPid}/cgroup`, 'utf8'), controller);
      if (own === null) return null;
      // v1 mounts cpuacct together with cpu on some hosts ("cpu,cpuacct").
      const mount = controller === 'cpuacct' && !existsSync('/sys/fs/cgroup/cpuacct') ? 'cpu,cpuacct' : controller;
      return path.join('/sys/fs/cgroup', mount, own);
    } catch {
      return null;
    }
  }
}

/** What the container runtime needs from the run, checked before anything starts. */
export function containerPlan(ctx: RuntimeContext, env: NodeJS.ProcessEnv = process.env): { image: string; netns: string; hostNetns: string } {
  const image = ctx.scenario.pool.workerImage;
  if (!image) throw new UsageError("runtime 'container' needs an image: pass --worker-container IMAGE");
  const netns = env.VOICELOAD_NETNS;
  if (ctx.server.mode !== 'local' || !netns || netns.startsWith('container:')) {
    throw new UsageError('--worker-container runs the worker in the run\'s private network namespace: use the local server, as root on Linux, without --no-netns');
  }
  return { image, netns, hostNetns: env.VOICELOAD_HOST_NETNS ?? '/proc/1/ns/net' };
}

/** Makes each worker of a fleet as a container of `image` with the target's limits. */
export function containerWorkers(ctx: RuntimeContext, plan: { image: string; netns: string; hostNetns: string }): (spec: WorkerLaunch) => ContainerWorker {
  return (spec) => {
    const name = `${ctx.runId}-worker-${spec.index}`;
    const socketDir = path.dirname(spec.env.VOICELOAD_REPORT_SOCKET ?? '/nonexistent/x');
    const argv = podmanRunArgv({
      image: plan.image, name, netns: plan.netns, hostNetns: plan.hostNetns, cores: ctx.scenario.target.cores, memoryBytes: ctx.scenario.target.memoryBytes,
      socketDir, env: Object.keys(spec.env).filter((n) => n !== WORKER_ENV.harnessPid),
    });
    return new ContainerWorker({ ...spec, command: plan.image, argv, userEnv: false }, name);
  };
}

const MIB = 1024 ** 2;

/** The agents role's basis for container workers: what each container's own cgroup counted. */
export function containerNote(image: string, target: { cores: number; memoryBytes: number }, workers: readonly WorkerProcess[]): string {
  const parts = workers.map((w, k) => {
    const u = w instanceof ContainerWorker ? w.usage : null;
    if (u === null || u.lastAt <= u.firstAt) return `worker ${k}: its cgroup could not be read`;
    const s = (u.lastAt - u.firstAt) / 1000;
    const cores = (u.cpuNsLast - u.cpuNsFirst) / 1e9 / s;
    return `worker ${k}: ${cores.toFixed(3)} cores on average over ${s.toFixed(0)} s, memory peak ${(u.memoryPeakBytes / MIB).toFixed(0)} MiB`;
  });
  return `each worker ran as a container of ${image} limited to ${target.cores} cores / ${(target.memoryBytes / MIB).toFixed(0)} MiB; ` +
    `its cgroup counted (as the kubelet sees it): ${parts.join('; ')}`;
}

/** The container runtime: a worker fleet whose workers are containers of the user's image. */
export function containerLauncher(ctx: RuntimeContext, env: NodeJS.ProcessEnv = process.env) {
  const plan = containerPlan(ctx, env);
  return {
    make: containerWorkers(ctx, plan),
    ready: (w: WorkerProcess) => (w instanceof ContainerWorker ? w.resolvePid() : Promise.resolve()),
    confinable: false,
    note: (workers: readonly WorkerProcess[]) => containerNote(plan.image, ctx.scenario.target, workers),
  };
}

/**
 * Checked before any work: podman is there, the image is present locally (a run never pulls: it
 * has no route out), and the run will have a private namespace for the container to join.
 */
export async function checkWorkerImage(image: string, run: { external: boolean; netns: boolean }): Promise<void> {
  if (run.external || !run.netns) {
    throw new UsageError('--worker-container joins the run\'s private network namespace: use the local server (unset LIVEKIT_URL) and drop --no-netns');
  }
  const found = await new Promise<number | string>((resolve) => execFile('podman', ['image', 'exists', image], { timeout: 20_000 }, (err) => {
    resolve(err === null ? 0 : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no podman' : 1);
  }));
  if (found === 'no podman') throw new UsageError('--worker-container needs podman: install it (Debian: apt-get install podman runc)');
  if (found !== 0) throw new UsageError(`--worker-container ${image}: no such image here; build or pull it first (podman build --target worker -t ${image} .)`);
}
