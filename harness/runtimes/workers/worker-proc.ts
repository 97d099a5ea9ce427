import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../../child/env.js';
import { epochNow } from '../../media/clock.js';
import { sleep, waitFor } from '../../common/wait.js';
import { groupMembers } from '../../proc/tree.js';

/** The framework runtime's worker, as `node framework-worker.js start`. */
export const FRAMEWORK_WORKER_ARGV: readonly string[] = [process.execPath, fileURLToPath(new URL('./framework-worker.js', import.meta.url)), 'start'];

/** One JSON line of a worker's log (LiveKit's: pino for Node, JSON logging for Python); null for any other line. */
export function parseLogLine(line: string): { level?: unknown; msg?: unknown; message?: unknown; pid?: unknown; inference?: unknown } | null {
  if (!line.startsWith('{')) return null;
  try {
    const j: unknown = JSON.parse(line);
    return typeof j === 'object' && j !== null ? j : null;
  } catch {
    return null;
  }
}

/** How to start one worker. */
export interface WorkerLaunch {
  index: number;
  /** The program and its arguments: our framework worker, the Python reference worker, or `sh -c CMD`. */
  argv: readonly string[];
  /**
   * Variables the worker gets (LiveKit's three, agent name, ports), on top of the allow-listed
   * environment for our own workers, or on top of the harness's whole environment for the user's
   * command (`userEnv`): it is the user's program and gets what their shell would give it.
   */
  env: Record<string, string>;
  userEnv: boolean;
  healthPort: number;
  logFile: string;
  /** What the user named, for messages: their command (byo) or worker image (container); null for our own workers. */
  command: string | null;
  /**
   * Signal only the main process, not its group: our @livekit/agents (Node) worker ends its own job
   * and inference processes on SIGTERM, and hangs until killed when they are signalled too.
   */
  signalMainOnly?: boolean;
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
  /** Epoch ms the worker logged that the server registered it ("registered worker"); null until then. */
  registeredAt: number | null = null;
  /** Pids the worker logged as its inference process (LiveKit Python: "process initialized" with inference: true). */
  readonly inferencePids = new Set<number>();

  constructor(readonly spec: WorkerLaunch) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    const [cmd, ...args] = spec.argv;
    const env = spec.userEnv ? { ...process.env, ...spec.env } : childEnv(spec.env);
    this.proc = spawn(cmd!, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    // Ends with the output, not with the main process: behind `sh -c` the shell can exit first while
    // its worker, which shares the pipes, still writes its drain.
    const endLog = () => void (this.log.writableEnded || this.log.end());
    this.proc.once('close', endLog);
    this.proc.once('error', endLog);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null && this.proc.pid !== undefined;
  }

  /**
   * Reads the worker's log as it is written: when the server registered it (both LiveKit SDKs log
   * "registered worker"), its inference process (Python), and its error-level lines (Node's pino
   * level >= 50, Python's ERROR/CRITICAL), so a report can show what the framework complained of.
   */
  private scan(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (this.registeredAt === null && line.includes('registered worker')) this.registeredAt = epochNow();
      const j = parseLogLine(line);
      if (!j) continue;
      if (j.inference === true && typeof j.pid === 'number') this.inferencePids.add(j.pid);
      const msg = String(j.msg ?? j.message).slice(0, 200);
      if ((typeof j.level === 'number' && j.level >= 50) || j.level === 'ERROR' || j.level === 'CRITICAL') this.errors.set(msg, (this.errors.get(msg) ?? 0) + 1);
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

  /**
   * Sends `sig` to the worker's whole process group, as Ctrl-C in a terminal does, so the worker
   * drains whatever its command looks like (`sh -c "python agent.py start"` without `exec` too).
   * LiveKit's job and inference processes ignore SIGINT and SIGTERM (both SDKs); their worker ends them.
   */
  signal(sig: NodeJS.Signals): void {
    if (!this.alive || this.proc.pid === undefined) return;
    if (this.spec.signalMainOnly) {
      this.proc.kill(sig);
      return;
    }
    try {
      process.kill(-this.proc.pid, sig);
    } catch {
      this.proc.kill(sig);
    }
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

  /**
   * Resolves true once the worker's log says the server registered it; false if it exits or time runs
   * out (a worker that logs no such line: the harness then relies on re-dispatching late rooms).
   */
  async waitRegistered(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.registeredAt === null && this.alive && performance.now() < deadline) await sleep(100);
    return this.registeredAt !== null;
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

  /**
   * Waits up to `graceMs` for a worker already told to drain to exit — its whole process group:
   * behind `sh -c` without `exec` the shell dies of the signal at once while the worker it started
   * drains — then kills whatever is left. Returns the pids still in the group after its main
   * process had exited and the grace had run out (processes that would have outlived their worker).
   */
  async awaitDrain(graceMs: number): Promise<number[]> {
    const deadline = performance.now() + graceMs;
    const mainGone = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (mainGone) await waitFor(() => this.members().length === 0, Math.max(200, deadline - performance.now()));
    const survivors = mainGone ? this.members() : [];
    this.killGroup();
    await this.exited;
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
