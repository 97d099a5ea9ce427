import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { HarnessError, UsageError } from '../../common/errors.js';
import { epochNow } from '../../media/clock.js';
import { awaitJoin, STATS_EVERY_MS } from '../../sessions/join.js';
import type { AgentRuntime, JobPid, RunSpan, RuntimeContext, RuntimeResultPart } from '../types.js';
import { summarizeWorkers } from './summary.js';
import { GeneratorPool } from '../../sessions/generators.js';
import type { SessionBook } from '../../sessions/book.js';
import { sleep, waitFor } from '../../common/wait.js';
import type { Scenario } from '../../scenario/schema.js';
import { freeTcpPort } from '../../server/ports.js';
import { mintJoinToken } from '../../server/tokens.js';
import type { ServerHandle } from '../../server/types.js';
import { ReportServer } from './channel.js';
import { Dispatcher, placeWithin } from './dispatch.js';
import { runDrill } from './drills.js';
import { HealthProber } from './health.js';
import { PRODUCTION_POOL_WARNING } from './pool-warning.js';
import { WORKER_ENV, type DispatchMeta } from './messages.js';
import type { WorkersInput } from './types.js';
import { WorkerBook } from './worker-book.js';
import { FRAMEWORK_WORKER_ARGV, WorkerProcess, type WorkerLaunch } from './worker-proc.js';
import { provisionPythonAgents, PY_AGENT } from '../python/provision.js';
import { WorkerSampler } from './worker-sampler.js';

const READY_TIMEOUT_MS = 40_000;
/** After its health check answers, how long a worker may take to log its registration (Python 1.8.9: ~2.5 s). */
const REGISTER_TIMEOUT_MS = 15_000;
/** A room whose agent is not in within this bound is dispatched again, as an application watching its agent would. */
export const PLACE_BOUND_MS = 10_000;
/** Re-dispatches of one room before it is left to time out. */
const MAX_RETRIES = 3;
/** After the run, how long a worker told SIGTERM may take to exit before its group is killed: Kubernetes' default grace period. */
const STOP_GRACE_MS = 30_000;
/** How long a drained (SIGINTed) worker may take to exit after the run, as an orchestrator's grace period would allow. */
const DRAIN_GRACE_MS = 90_000;
const JOBS_END_TIMEOUT_MS = 15_000;

/** What a WorkerFleet is given: the runtime context (its `confine` takes each worker's pid; its job processes follow). */
export type WorkerFleetOptions = RuntimeContext;

/**
 * How a fleet starts each worker: a process (default), or — the container runtime — something that
 * behaves as one; `ready` resolves once its pid is known, `note` is the agents role's basis.
 */
export interface WorkerLauncher {
  make(spec: WorkerLaunch): WorkerProcess;
  ready?(w: WorkerProcess): Promise<void>;
  /** Whether the run's cgroup for the agents applies (a container has its own limits). */
  confinable: boolean;
  note?(workers: readonly WorkerProcess[]): string;
}

const PROCESSES: WorkerLauncher = { make: (spec) => new WorkerProcess(spec), confinable: true };

/**
 * The sessions' agents as LiveKit deploys them: M worker processes (our @livekit/agents worker,
 * or the user's command) registered with the server, each room dispatched to their agent name
 * and handed by the server to one of them, jobs in child processes. Same surface as Fleet
 * (launch, pids, stop, 'warning'), plus start() before the ramp and summary data after it.
 */
export class WorkerFleet extends EventEmitter implements AgentRuntime {
  readonly kind: 'framework' | 'python' | 'byo' | 'container';
  readonly wbook: WorkerBook;
  readonly workers: WorkerProcess[] = [];
  readonly agentName: string;
  private readonly generators: GeneratorPool;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dispatcher: Dispatcher;
  private report: ReportServer | null = null;
  private prober: HealthProber | null = null;
  private sampler: WorkerSampler | null = null;
  private drill: Promise<void> | null = null;
  private drillArmed = false;
  private stopping = false;
  /** Workers the harness stopped or drilled on purpose: their exit is not a fault. */
  readonly expectedExit = new Set<number>();

  constructor(private readonly o: WorkerFleetOptions, private readonly launcher: WorkerLauncher = PROCESSES) {
    super();
    const r = o.scenario.pool.runtime;
    this.kind = r === 'bare' || r === 'deployed' ? 'framework' : r;
    this.agentName = `voiceload-${o.runId}`;
    this.wbook = new WorkerBook(o.book);
    this.limit = pLimit(o.scenario.joinConcurrency);
    this.generators = new GeneratorPool(o.scenario.usersPerGenerator, o.speechPath, o.book, (w) => this.emit('warning', w), STATS_EVERY_MS);
    this.dispatcher = new Dispatcher(o.server, this.agentName);
  }

  /** Kills every worker group when the harness exits without stopping them (a crash). */
  private readonly onExit = () => this.workers.forEach((w) => w.killGroup());

  /** Starts the report socket and every worker; resolves once each answers its health check. */
  async start(): Promise<void> {
    const { pool } = this.o.scenario;
    process.once('exit', this.onExit);
    if (this.o.server.mode === 'external') this.emit('warning', PRODUCTION_POOL_WARNING);
    const argv = await this.workerArgv();
    this.report = await ReportServer.listen((r) => this.wbook.report(r));
    for (let k = 0; k < pool.workers; k++) await this.spawn(k, argv, this.report.socketPath);
    const ready = await Promise.all(this.workers.map((w) => w.waitHealthy(READY_TIMEOUT_MS)));
    ready.forEach((ok, k) => this.checkReady(k, ok));
    await this.awaitRegistered();
    this.prober = new HealthProber(() => this.workers.filter((w) => w.alive).map((w) => ({ worker: w.spec.index, port: w.spec.healthPort })), (p) => this.wbook.health(p));
    this.prober.start();
    this.sampler = new WorkerSampler(
      () => this.workers.flatMap((w) => (w.alive && w.pid !== undefined ? [{ worker: w.spec.index, pid: w.pid, inferencePids: w.inferencePids }] : [])),
      () => this.wbook.busyPids(),
      (k, u) => this.wbook.usage(k, u),
      (m) => this.emit('warning', m),
    );
    this.sampler.start();
  }

  /**
   * Arms the scenario's drill, once, at the first launch: its time counts from the run's clock,
   * which starts after start() (workers up and registered), as the ramp's schedule does.
   */
  private armDrill(): void {
    const { drill } = this.o.scenario.pool;
    if (!drill || this.drillArmed) return;
    this.drillArmed = true;
    const at = this.o.runT0() + drill.atS * 1000;
    const timer = setTimeout(() => void (this.drill = runDrill(this, drill.kind).catch((err: Error) => void this.emit('warning', `drill: ${err.message}`))), Math.max(0, at - performance.now()));
    this.timers.add(timer);
  }

  /** The worker's command line: ours (Node or Python, the venv made on first use) or the user's through a shell. */
  private async workerArgv(): Promise<readonly string[]> {
    if (this.kind === 'byo') return ['/bin/sh', '-c', this.o.scenario.pool.workerCmd!];
    // A container's worker is its image: the launcher starts `podman run` instead of a program here.
    if (this.kind === 'framework' || this.kind === 'container') return FRAMEWORK_WORKER_ARGV;
    const python = await provisionPythonAgents((line) => this.emit('info', line));
    return [python, PY_AGENT, 'start'];
  }

  /**
   * A worker answers its health check before the server has registered it (LiveKit Python 1.8.9 by
   * ~2.5 s), and a room dispatched in that window gets no agent. Waits for each worker's
   * "registered worker" log line; a worker that logs none is trusted to the re-dispatch bound.
   */
  private async awaitRegistered(): Promise<void> {
    await Promise.all(this.workers.map(async (w) => {
      const rec = this.wbook.workers[w.spec.index]!;
      if (rec.readyAt === null || !w.alive) return;
      if (await w.waitRegistered(REGISTER_TIMEOUT_MS)) rec.registeredAt = w.registeredAt;
      else this.emit('warning', `worker ${w.spec.index}: its log did not say "registered worker" within ${REGISTER_TIMEOUT_MS / 1000} s of its health check; rooms whose agent is not in within ${PLACE_BOUND_MS / 1000} s are dispatched again`);
    }));
  }

  private async spawn(k: number, argv: readonly string[], socketPath: string): Promise<void> {
    const { server, scenario, outDir } = this.o;
    const port = await freeTcpPort();
    const env: Record<string, string> = {
      LIVEKIT_URL: server.url,
      LIVEKIT_API_KEY: server.apiKey,
      LIVEKIT_API_SECRET: server.apiSecret,
      [WORKER_ENV.agentName]: this.agentName,
      [WORKER_ENV.reportSocket]: socketPath,
      [WORKER_ENV.workerIndex]: String(k),
      [WORKER_ENV.healthPort]: String(port),
      [WORKER_ENV.loadFunc]: scenario.pool.loadFunc,
      [WORKER_ENV.loadThreshold]: String(scenario.pool.loadThreshold),
      [WORKER_ENV.refuseWhenFull]: scenario.pool.refuseWhenFull ? '1' : '0',
      [WORKER_ENV.harnessPid]: String(process.pid),
      // Test-only: the reference workers keep this many MB per job (a known leak for the soak to find).
      ...(process.env[WORKER_ENV.testLeakMb] ? { [WORKER_ENV.testLeakMb]: process.env[WORKER_ENV.testLeakMb]! } : {}),
    };
    // Started inside the agents' cgroup where one applies: its job processes fork before any move could follow them.
    const inside = this.launcher.confinable && this.o.confineArgv ? this.o.confineArgv(argv) : null;
    const w = this.launcher.make({ index: k, argv: inside ?? argv, env, userEnv: this.kind === 'byo', command: this.kind === 'byo' ? scenario.pool.workerCmd : null, signalMainOnly: this.kind === 'framework', healthPort: port, logFile: path.join(outDir, `worker-${k}.log`) });
    this.workers[k] = w;
    await this.launcher.ready?.(w);
    if (inside === null && this.o.confine && this.launcher.confinable && w.pid !== undefined) {
      await this.o.confine(w.pid).catch((err: Error) => this.emit('warning', `worker ${k}: could not be put in the target's cgroup: ${err.message}`));
    }
    const rec = this.wbook.addWorker(k, w.pid ?? null, port, w.startedAt);
    void w.exited.then((exit) => {
      rec.exit = exit;
      // Before it is up, start() reports the failure itself.
      if (this.stopping || this.expectedExit.has(k) || rec.readyAt === null) return;
      const msg = `worker ${k} exited unexpectedly (code ${exit.code}, signal ${exit.signal}) ${w.lastLine()}`.trim();
      this.o.book.fault((r) => this.wbook.session(r.index)?.worker === k && r.endedAt == null, msg);
      this.emit('warning', msg);
    });
  }

  /** A worker that is not up is a clear error: the user's command (exit 2) or ours (exit 1). */
  private checkReady(k: number, ok: boolean): void {
    const w = this.workers[k]!;
    const rec = this.wbook.workers[k]!;
    if (ok) {
      rec.readyAt = epochNow();
      return;
    }
    const cmd = w.spec.command;
    const ended = w.proc.exitCode !== null ? `exited with code ${w.proc.exitCode}` : `was killed by ${w.proc.signalCode}`;
    const how = w.alive ? `did not answer its health check on port ${w.spec.healthPort} within ${READY_TIMEOUT_MS / 1000} s` : `${ended} before its worker was up`;
    if (cmd === null) throw new HarnessError(`framework worker ${k} ${how}: ${w.lastLine()} (log: ${w.spec.logFile})`);
    if (!w.alive) {
      const what = this.kind === 'container' ? `--worker-container ${cmd}` : `--worker-cmd "${cmd}"`;
      throw new UsageError(`${what} ${how} (last output: ${w.lastLine() || 'none'}; all of it in ${w.spec.logFile}); run it by hand with LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET set and check that it starts a worker`);
    }
    // A byo worker may serve its health check elsewhere; it is probed anyway and reported unreachable.
    this.emit('warning', `worker ${k} ${how} (a byo worker should serve it on $VOICELOAD_HEALTH_PORT); continuing`);
  }

  /** Root pids per role, for the sampler: the workers' whole trees are the agents role. */
  pids(): { agents: number[]; generator: number[] } {
    return { agents: this.workers.flatMap((w) => (w.alive && w.pid !== undefined ? [w.pid] : [])), generator: this.generators.pids() };
  }

  /** Starts sessions [from, to): a step at once (bounded by joinConcurrency), or as Poisson arrivals. */
  async launch(from: number, to: number, signal: AbortSignal): Promise<void> {
    this.armDrill();
    const { arrival } = this.o.scenario.pool;
    const jobs: Promise<void>[] = [];
    let atMs = 0;
    for (let i = from; i < to; i++) {
      if (arrival.mode === 'poisson') {
        // Open loop: each arrival is due at its own time, whether or not earlier ones have joined.
        atMs += (-Math.log(1 - Math.random()) / arrival.ratePerS) * 1000;
        const due = atMs;
        jobs.push(sleep(due, signal).then(() => (signal.aborted || this.stopping ? undefined : this.launchOne(i, signal))));
      } else {
        jobs.push(this.limit(() => (signal.aborted || this.stopping ? undefined : this.launchOne(i, signal))));
      }
    }
    await Promise.all(jobs);
  }

  /** The metadata a session's dispatch carries. */
  meta(i: number): DispatchMeta {
    return { session: i, userIdentity: `user-${i}`, agentIdentity: `agent-${i}`, toneHz: this.o.scenario.toneHz };
  }

  private async launchOne(i: number, signal: AbortSignal): Promise<void> {
    const room = `${this.o.runId}-s${i}`;
    const rec = this.o.book.add(i, room);
    const ws = this.wbook.addSession(i, room);
    const meta = this.meta(i);
    const token = await mintJoinToken(this.o.server, room, meta.userIdentity);
    ws.dispatchAt = epochNow();
    let dispatchId: string;
    try {
      dispatchId = await this.dispatcher.dispatch(room, meta);
    } catch (err) {
      ws.dispatchError = (err as Error).message;
      rec.errors.push(`dispatch: ${ws.dispatchError}`);
      this.emit('warning', `session ${i}: dispatch failed: ${ws.dispatchError}`);
      return;
    }
    // Our framework and Python workers name each agent; the user's worker or image names its own: the user then listens to any agent in its room.
    const agentIdentity = this.kind === 'byo' || this.kind === 'container' ? '' : meta.agentIdentity;
    this.generators.addUser({ index: i, url: this.o.server.url, token, agentIdentity, toneHz: this.o.scenario.toneHz });
    await this.place(i, dispatchId, signal);
    const joined = await awaitJoin(rec, signal, (w) => this.emit('warning', w));
    const { sessionLengthS: minS, sessionLengthMaxS: maxS } = this.o.scenario.pool;
    const lengthS = minS === null || maxS === null ? minS : minS + Math.random() * (maxS - minS);
    if (joined && lengthS !== null && !this.stopping) {
      const timer = setTimeout(() => this.hangUp(i), Math.max(0, rec.userJoinedAt! + lengthS * 1000 - epochNow()));
      this.timers.add(timer);
    }
  }

  /** Re-dispatches session i's room while its agent is late (see placeWithin); each re-dispatch is recorded on the session. */
  private async place(i: number, dispatchId: string, signal: AbortSignal): Promise<void> {
    const rec = this.o.book.get(i)!;
    const ws = this.wbook.session(i)!;
    await placeWithin({
      // A job a worker has accepted is launching (a slow job process on a loaded host): withdrawing
      // its dispatch would make the server terminate it as it joins, and leave the room without one.
      arrived: () => rec.agentJoinedAt !== null || this.wbook.acceptedSince(i, ws.retries.at(-1) ?? ws.dispatchAt ?? 0),
      withdraw: (id) => this.dispatcher.withdraw(id, ws.room),
      dispatch: () => this.dispatcher.dispatch(ws.room, this.meta(i)),
      onRetry: () => ws.retries.push(epochNow()),
      stopping: () => this.stopping,
    }, dispatchId, PLACE_BOUND_MS, MAX_RETRIES, signal).catch((err: Error) => this.emit('warning', `session ${i}: re-dispatch failed: ${err.message}`));
  }

  /** The user of session i hangs up: its session has reached its length. */
  private hangUp(i: number): void {
    if (this.stopping) return;
    this.generators.removeUser(i);
    const at = epochNow();
    const ws = this.wbook.session(i);
    if (ws) ws.userLeftAt = at;
    this.markEnded(i, at);
  }

  /** Session i no longer counts as active (its user left, or its worker was killed). */
  markEnded(i: number, at: number): void {
    const rec = this.o.book.get(i);
    if (rec && rec.endedAt == null) rec.endedAt = at;
  }

  /** Dispatches a room again (after its worker was lost); times are recorded on the session. */
  async redispatch(i: number): Promise<void> {
    const ws = this.wbook.session(i);
    if (!ws) return;
    ws.redispatch = { at: epochNow(), worker: null, joinedAt: null };
    await this.dispatcher.dispatch(ws.room, this.meta(i));
  }

  /**
   * Stops in the order a deployment winds down: users hang up, their jobs end, then each worker is
   * sent SIGTERM (it drains and exits) and anything left in its process group is killed and recorded.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.limit.clearQueue();
    for (const t of this.timers) clearTimeout(t);
    await this.drill;
    await this.generators.stop();
    const live = () => this.workers.filter((w) => w.alive).map((w) => w.spec.index);
    await waitFor(() => live().every((k) => this.wbook.running(k).length === 0), JOBS_END_TIMEOUT_MS);
    await Promise.all(this.workers.map(async (w) => {
      const rec = this.wbook.workers[w.spec.index]!;
      // A worker already draining is left to finish, as Kubernetes leaves it its grace period.
      const survivors = rec.drill?.kind === 'rollout' ? await w.awaitDrain(DRAIN_GRACE_MS) : await w.stop(STOP_GRACE_MS);
      rec.survivors.push(...survivors);
      rec.logErrors = w.logErrors();
      if (survivors.length) this.emit('warning', `worker ${w.spec.index}: ${survivors.length} process(es) of its group outlived it and were killed`);
    }));
    await this.prober?.stop();
    await this.sampler?.stop();
    await this.report?.close();
    process.removeListener('exit', this.onExit);
    // The raw record (every health probe, load report, offer and per-worker sample) beside the report.
    await writeFile(path.join(this.o.outDir, 'workers.json'), `${JSON.stringify(this.input(), null, 1)}\n`).catch((err: Error) => this.emit('warning', `workers.json: ${err.message}`));
  }

  /** Each running session's job process, as the workers reported it. */
  jobPids(): JobPid[] {
    return this.wbook.runningJobs();
  }

  /** The workers' summary; the agents role is their whole process trees, fixed cost included. */
  resultPart(span: RunSpan): RuntimeResultPart {
    return {
      workers: summarizeWorkers(this.input(), span.startedAt, span.endedAt, span.samples.map((s) => ({ at: s.t, cores: s.system.cpuCores }))),
      basisNote: `${this.o.scenario.pool.runtime} runtime: the agents role is the workers' whole process trees, their fixed cost included (see workers.perJob and workers.fixedPerWorker)` +
        (this.launcher.note ? `; ${this.launcher.note(this.workers)}` : ''),
    };
  }

  /** Everything recorded, as plain data for summarizeWorkers(). */
  input(): WorkersInput {
    const { pool } = this.o.scenario;
    return {
      runtime: this.kind,
      agentName: this.agentName,
      pool,
      hostCores: this.o.hostCores,
      externalServer: this.o.server.mode === 'external',
      workers: this.wbook.workers,
      placeBoundS: PLACE_BOUND_MS / 1000,
      // A byo agent's join is what its user saw.
      sessions: this.wbook.allSessions().map((s) => ({ ...s, joinedAt: s.joinedAt ?? this.o.book.get(s.session)?.agentJoinedAt ?? null })),
    };
  }
}
