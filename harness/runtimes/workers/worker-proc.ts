import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../../child/env.js';
import { epochNow } from '../../media/clock.js';
import { sleep } from '../../common/wait.js';
import { groupMembers } from '../../proc/tree.js';

const FRAMEWORK_WORKER = fileURLToPath(new URL('./framework-worker.js', import.meta.url));

/** How to start one worker. */
export interface WorkerLaunch {
  index: number;
  /** null: our framework worker; else the user's shell command. */
  command: string | null;
  /** Variables the worker gets on top of the allow-listed environment (LiveKit's three, agent name, ports). */
  env: Record<string, string>;
  healthPort: number;
  logFile: string;
  /** The exact program and arguments to start instead (a container runtime's `podman run …`); `command` is then only its label. */
  argv?: string[];
}

/** How a worker process ended; `at` is epoch ms. */
export interface WorkerExit { code: number | null; signal: string | null; at: number }

/**
 * One agent worker process, started in its own process group as a deployment would start it: our
 * framework worker (`node framework-worker.js start`) or the user's command (`sh -c CMD`). Its job
 * and inference processes share its group, so the whole worker can be killed at once (failover) and
 * no member can outlive a stop. Output goes to a log file in the report folder.
 */
export class WorkerProcess {
  readonly proc: ChildProcess;
  readonly exited: Promise<WorkerExit>;
  readonly startedAt = epochNow();
  private readonly log: WriteStream;
  /** The end of what the worker wrote, for error messages. */
  tail = '';
  private partial = '';
  private readonly errors = new Map<string, number>();

  constructor(readonly spec: WorkerLaunch) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    const [cmd, args] = spec.argv ? [spec.argv[0]!, spec.argv.slice(1)]
      : spec.command === null ? [process.execPath, [FRAMEWORK_WORKER, 'start']] : ['/bin/sh', ['-c', spec.command]];
    this.proc = spawn(cmd, args, { env: childEnv(spec.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (d: Buffer) => {
      this.log.write(d);
      this.tail = (this.tail + d.toString()).slice(-2000);
      this.scan(d.toString());
    };
    this.proc.stdout?.on('data', keep);
    this.proc.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => resolve({ code, signal, at: epochNow() }));
      this.proc.once('error', (err) => {
        this.tail += `\n${err.message}`;
        resolve({ code: null, signal: null, at: epochNow() });
      });
    });
    void this.exited.then(() => this.log.end());
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null && this.proc.pid !== undefined;
  }

  /** Counts the error-level lines of LiveKit's JSON log (pino level >= 50), so a report can show what the framework complained of. */
  private scan(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string };
        if ((j.level ?? 0) >= 50) this.errors.set(String(j.msg).slice(0, 200), (this.errors.get(String(j.msg).slice(0, 200)) ?? 0) + 1);
      } catch {
        continue;
      }
    }
  }

  /** Each distinct error the worker logged, with how often. */
  logErrors(): { message: string; count: number }[] {
    return [...this.errors].map(([message, count]) => ({ message, count }));
  }

  /** The last line the worker wrote, for one-line error messages. */
  lastLine(): string {
    return this.tail.trim().split('\n').pop()?.slice(0, 300) ?? '';
  }

  /** Sends `sig` to the worker's main process only (SIGINT: LiveKit's drain). */
  signal(sig: NodeJS.Signals): void {
    if (this.alive) this.proc.kill(sig);
  }

  /** SIGKILLs every process in the worker's group (a crashed host or container). */
  killGroup(): void {
    if (this.proc.pid === undefined) return;
    try {
      process.kill(-this.proc.pid, 'SIGKILL');
    } catch {
      // the group is already empty
    }
  }

  /** Live members of the worker's process group, itself included. */
  members(): number[] {
    return this.proc.pid === undefined ? [] : groupMembers(this.proc.pid).map((p) => p.pid);
  }

  /** Resolves true once `/` on the health port answers 200; false if the worker exits or time runs out. */
  async waitHealthy(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && this.alive) {
      const ok = await fetch(`http://127.0.0.1:${this.spec.healthPort}/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false);
      if (ok) return true;
      await sleep(250);
    }
    return false;
  }

  /** Waits up to `graceMs` for a worker already told to drain to exit, then kills its group. Returns survivors as stop() does. */
  async awaitDrain(graceMs: number): Promise<number[]> {
    const timer = setTimeout(() => this.killGroup(), graceMs);
    await this.exited;
    clearTimeout(timer);
    await sleep(200);
    const survivors = this.members();
    if (survivors.length) this.killGroup();
    return survivors;
  }

  /**
   * Stops the worker as an orchestrator does: SIGTERM (LiveKit's workers drain, then exit), then
   * SIGKILL to the whole group after `graceMs`. Resolves with the pids that were still in the group
   * when the main process had gone (processes that would have outlived their worker), after killing them.
   */
  async stop(graceMs: number): Promise<number[]> {
    this.signal('SIGTERM');
    return this.awaitDrain(graceMs);
  }
}
